"""Screens, not URLs: the UI states users actually saw, found in rrweb recordings.

One URL often shows several screens: a modal opens over the page, an A/B test
swaps the layout, a single-page app changes views without navigating. This
module turns the DOM snapshots and mutations of the recordings into **screen
states** so that heatmaps, funnels and journeys can be grouped by what was on
the screen instead of by URL.

How it works
------------
1. **Fingerprint** (:func:`fingerprint`): the visible layout at an instant as a
   set of structure tokens, one per visible element: the element's
   ``tag#id.class[role]`` segment prefixed by up to ``depth - 1`` ancestor
   segments. Text, style values, ``data-*`` attributes and digits are ignored,
   as are state classes (``is-*``, ``has-*``, ``*focus*``, ``*hover*``,
   ``*active*``), elements hidden inline (``display: none``,
   ``visibility: hidden``, ``hidden``, ``aria-hidden="true"``), rrweb-blocked
   subtrees (``rr-block``), live regions (``role="status"``/``alert``/``log``/
   ``timer``/``marquee``: toasts) and the contents of ``aria-live`` regions.
   A dialog (``<dialog open>``, ``role="dialog"``/``alertdialog`` or
   ``aria-modal="true"``) marks its tokens and adds ``modal_weight`` extra
   tokens, because a modal covers the page even when it has few elements.
2. **Observations**: each recording is replayed once with
   :class:`~uxlens.io.dom.DomMirror`. A fingerprint is taken at each page load
   and after each burst of structural mutations, once the structure has been
   stable for ``debounce_ms`` (the burst's state starts when the burst starts).
   Consecutive observations with the same fingerprint in one page view merge.
3. **States**: per URL (without query), the distinct fingerprints are
   clustered with scikit-learn on the Jaccard distance of their tokens
   (agglomerative clustering, average linkage, cut at ``distance_threshold``;
   or DBSCAN with ``eps=distance_threshold``). States with less than
   ``min_share`` of the URL's observations are folded into the nearest kept
   state.
4. **Names** come from the representative page (the most frequent fingerprint
   of the state, rebuilt from its first occurrence): the first visible ``h1``
   (else heading, else the document title, else the URL path), followed, when
   a dialog is open or another state of the URL has the same heading (A/B
   variants), by the state's most distinctive visible text against the other
   states of its URL: the heading of a dialog (``"Your projects — modal: You're
   all set!"``) or the first element with text that the other states lack. The
   views of a single-page app, each with its own heading, keep just the
   heading (``"Projects"``, ``"Tasks"``). Texts come from the
   masked mirror and private (``rr-mask``/``rr-block``) elements are never used.

Using it
--------
``screen_states(log)`` returns a :class:`Screens` (cached in
``log.meta["screens"]``): ``.table()`` lists the states, ``.assign(events)``
gives each event the screen on display at its time, ``add_screen_column(log)``
returns the log with a ``screen`` column (so ``Heatmap(..., segment={"screen":
name})``, ``Step(event, where={"screen": name})`` and ``Journeys(...,
node="screen")`` group by screen), ``.moment(screen, session_id)`` says when a
recording shows a screen (to rebuild it as a background) and ``.image(screen)``
renders the representative snapshot. Sessions recorded in several browser
windows (``log.meta["recording_windows"]``) are replayed window by window and
matched to events through their ``window_id``.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .events import device_from_width, split_url
from .exceptions import SchemaError, UxlensError
from .io.dom import DomMirror

__all__ = ["fingerprint", "fingerprint_distance", "screen_states", "Screens", "add_screen_column"]

#: Tags that are never visible (or whose content is not layout).
_SKIP_TAGS = frozenset(
    "head script style noscript template meta link title base".split()
)
#: Live-region roles: transient announcements (toasts), not screens.
_LIVE_ROLES = frozenset({"status", "alert", "log", "timer", "marquee"})
_DIALOG_ROLES = frozenset({"dialog", "alertdialog"})
#: Classes that describe a transient state of an element, not the layout.
_STATE_CLASS = re.compile(r"^(?:is|has)-|focus|hover|active|^rr-|^ng-|^js-")
_DIGITS = re.compile(r"\d+")
_HIDDEN_STYLE = re.compile(r"(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.I)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: Attributes whose change can alter a fingerprint.
_STRUCT_ATTRS = frozenset(
    {"class", "id", "role", "hidden", "aria-hidden", "aria-modal", "open", "aria-live", "type"}
)
_METHODS = ("agglomerative", "dbscan")


# --------------------------------------------------------------------------- fingerprint
@lru_cache(maxsize=65_536)
def _class_part(value: str) -> tuple[str, ...]:
    out = {_DIGITS.sub("0", c) for c in value.split() if not _STATE_CLASS.search(c)}
    return tuple(sorted(out))


def _stable_classes(value: Any) -> tuple[str, ...]:
    return _class_part(value) if isinstance(value, str) else ()


_SEG_CACHE: dict[tuple[Any, ...], str] = {}


def _segment(tag: str, attrs: Mapping[str, Any]) -> str:
    """``tag#id.class[role]`` of an element (memoised: pages repeat the same elements)."""
    key = (tag, attrs.get("id"), attrs.get("class"), attrs.get("role"), attrs.get("type"))
    try:
        seg = _SEG_CACHE.get(key)
    except TypeError:  # unhashable attribute values in a corrupt recording
        return _make_segment(tag, attrs)
    if seg is None:
        if len(_SEG_CACHE) > 100_000:
            _SEG_CACHE.clear()
        seg = _SEG_CACHE[key] = _make_segment(tag, attrs)
    return seg


def _make_segment(tag: str, attrs: Mapping[str, Any]) -> str:
    seg = tag
    el_id = attrs.get("id")
    if isinstance(el_id, str) and el_id.strip():
        seg += "#" + _DIGITS.sub("0", el_id.strip())
    for c in _stable_classes(attrs.get("class")):
        seg += "." + c
    role = attrs.get("role")
    if isinstance(role, str) and role.strip():
        seg += f"[role={role.strip()}]"
    if tag == "input":
        typ = attrs.get("type")
        seg += f"[type={typ if isinstance(typ, str) else 'text'}]"
    return seg


def _is_hidden(attrs: Mapping[str, Any]) -> bool:
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    style = attrs.get("style")
    if isinstance(style, str) and _HIDDEN_STYLE.search(style):
        return True
    cls = attrs.get("class")
    return isinstance(cls, str) and "rr-block" in cls.split()


def _is_dialog(tag: str, attrs: Mapping[str, Any]) -> bool:
    role = attrs.get("role")
    return (
        (tag == "dialog" and "open" in attrs)
        or (isinstance(role, str) and role.strip() in _DIALOG_ROLES)
        or str(attrs.get("aria-modal", "")).lower() == "true"
    )


def _serialized_kids(node: Mapping[str, Any]) -> Any:
    return node.get("childNodes")


def _serialized_attrs(node: Mapping[str, Any]) -> Any:
    return node.get("attributes")


def _mirror_access(dom: DomMirror) -> tuple[Mapping[str, Any] | None, Any, Any]:
    """Root node and child/attribute accessors reading the mirror's current state.

    The mirror keeps the recorded dicts untouched and stores mutations as
    overrides; reading through its accessors avoids copying the whole tree
    (:meth:`DomMirror.to_serialized`) for every fingerprint.
    """
    try:
        dom._ensure()
        raw = dom._raw
        kids_of = dom._child_nodes
        attrs_of = dom._attributes
    except AttributeError:  # pragma: no cover - a mirror without these internals
        root = dom.to_serialized()
        return root, _serialized_kids, _serialized_attrs
    root = raw.get(dom.root_id)
    return (
        root,
        lambda node: kids_of(node.get("id")),
        lambda node: attrs_of(node.get("id"), node),
    )


_INFO_CACHE: dict[Any, tuple[str, bool, bool] | None] = {}


def _compute_info(tag: str, attrs: Mapping[str, Any]) -> tuple[str, bool, bool] | None:
    if not attrs:
        return (_segment(tag, attrs) if tag == "input" else tag), False, False
    if _is_hidden(attrs):
        return None
    role = attrs.get("role")
    if isinstance(role, str) and role.strip() in _LIVE_ROLES:
        return None
    live = str(attrs.get("aria-live", "")).lower() in ("polite", "assertive")
    return _segment(tag, attrs), _is_dialog(tag, attrs), live


def _element_info(tag: str, attrs: Mapping[str, Any]) -> tuple[str, bool, bool] | None:
    """``(segment, opens a dialog, is an aria-live region)``, ``None`` when not shown.

    Memoised on the tag and attributes: pages repeat the same elements, and
    the same page is fingerprinted after every structural mutation.
    """
    try:
        key = (tag, *attrs.items())
        hit = _INFO_CACHE.get(key, _MISS)
    except TypeError:  # unhashable attribute values (corrupt recording)
        return _compute_info(tag, attrs)
    if hit is _MISS:
        if len(_INFO_CACHE) > 200_000:
            _INFO_CACHE.clear()
        hit = _INFO_CACHE[key] = _compute_info(tag, attrs)
    return hit  # type: ignore[return-value]


_MISS = object()


#: Attributes of an element recorded without any (never modified).
_NO_ATTRS: Mapping[str, Any] = {}


def _walk(root: Mapping[str, Any] | None, depth: int, modal_weight: int,
          nodes: list[tuple[str, Mapping[str, Any]]] | None = None,
          kids: Any = _serialized_kids, attributes: Any = _serialized_attrs,
          mirror: tuple[dict[Any, Any], dict[Any, Any], dict[Any, Any]] | None = None,
          memo: dict[Any, Any] | None = None) -> set[str]:
    """Tokens of the visible elements under ``root`` (a serialized rrweb node).

    When ``nodes`` is given, ``(token, node)`` pairs are appended in document
    order. ``kids`` and ``attributes`` read a node's children and attributes;
    ``mirror`` (a :class:`DomMirror`'s ``(raw nodes, child-id overrides,
    attribute overrides)``) replaces them with direct lookups. ``memo`` (a
    dict kept across walks) remembers each token and its children's path by
    ``(ancestor segments, segment)``: pages repeat the same structures.
    """
    if mirror is not None:
        raw, kid_map, attr_map = mirror
    else:
        raw = kid_map = attr_map = None
    tokens: set[str] = set()
    if not isinstance(root, Mapping):
        return tokens
    if memo is None:
        memo = {}
    # stack items: node, ancestor segments, inside a dialog, inside an aria-live region
    stack: list[tuple[Mapping[str, Any], tuple[str, ...], bool, bool]] = [(root, (), False, False)]
    keep = max(depth - 1, 0)
    memo_get = memo.get
    add = tokens.add
    push = stack.append
    while stack:
        node, path, in_dialog, in_live = stack.pop()
        ntype = node.get("type")
        if ntype == 2:
            if in_live:
                continue
            if attr_map is not None:
                attrs = attr_map.get(node.get("id"))
                if attrs is None:
                    attrs = node.get("attributes")
            else:
                attrs = attributes(node)
            if type(attrs) is not dict and not isinstance(attrs, Mapping):
                attrs = _NO_ATTRS
            tag = node.get("tagName")
            tag = tag.lower() if isinstance(tag, str) else "*"
            info = None if tag in _SKIP_TAGS else _element_info(tag, attrs)
            if info is None:
                continue
            seg, dialog, live = info
            if dialog and not in_dialog:
                in_dialog = True
                for k in range(modal_weight):
                    add(f"@modal:{seg}:{k}")
            key = (path, seg)
            hit = memo_get(key)
            if hit is None:
                full = path + (seg,)
                hit = memo[key] = (" > ".join(full[-depth:]), full[-keep:] if keep else ())
            token, child_path = hit
            if in_dialog:
                token = "@" + token
            add(token)
            if nodes is not None:
                nodes.append((token, node))
        elif ntype == 0:
            child_path, live = path, False
        else:
            continue
        if kid_map is not None:
            nid = node.get("id")
            ids = kid_map.get(nid)
            if ids is None:  # unchanged since the snapshot: the recorded children
                own = raw.get(nid) if type(nid) is int else None
                children = own.get("childNodes") if own is not None else None
                if type(children) is not list:
                    children = None
            else:
                children = [raw[k] for k in ids if k in raw]
        else:
            children = kids(node)
        if children:
            flag = in_live or live
            for child in reversed(children):
                if (type(child) is dict or isinstance(child, Mapping)) and child.get(
                        "type") in (0, 2):
                    push((child, child_path, in_dialog, flag))
    return tokens


def _mirror_tokens(dom: DomMirror, depth: int, modal_weight: int,
                   nodes: list[tuple[str, Mapping[str, Any]]] | None = None,
                   memo: dict[Any, Any] | None = None) -> set[str]:
    try:  # fast path: read the mirror's override maps directly (no call per node)
        dom._ensure()
        state = (dom._raw, dom._kids, dom._attrs)
    except AttributeError:  # pragma: no cover - a mirror without these internals
        root, kids, attrs = _mirror_access(dom)
        return _walk(root, depth, modal_weight, nodes, kids, attrs, memo=memo)
    return _walk(state[0].get(dom.root_id), depth, modal_weight, nodes, mirror=state,
                 memo=memo)


def fingerprint(mirror_or_nodes: DomMirror | Mapping[str, Any] | None, *, depth: int = 3,
                modal_weight: int = 8) -> frozenset[str]:
    """The visible layout of a page at one instant, as a set of structure tokens.

    Parameters
    ----------
    mirror_or_nodes
        A :class:`~uxlens.io.dom.DomMirror` (its current state) or a serialized
        rrweb node (``FullSnapshot.data.node`` or any subtree).
    depth
        Segments per token: the element and up to ``depth - 1`` ancestors.
    modal_weight
        Extra tokens added per open dialog, so that a small modal still moves
        the fingerprint by a noticeable share of a page's tokens.

    Returns
    -------
    frozenset of str
        One token per distinct visible element structure (see the module
        docstring for what is ignored). Empty for an empty page.

    Examples
    --------
    >>> page = {"type": 0, "id": 1, "childNodes": [
    ...     {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
    ...         {"type": 2, "id": 3, "tagName": "body", "attributes": {}, "childNodes": [
    ...             {"type": 2, "id": 4, "tagName": "h1",
    ...              "attributes": {"id": "title-42", "style": "color: red", "data-x": "9"},
    ...              "childNodes": [{"type": 3, "id": 5, "textContent": "Hello"}]},
    ...             {"type": 2, "id": 6, "tagName": "button",
    ...              "attributes": {"class": "btn is-disabled"}, "childNodes": []},
    ...             {"type": 2, "id": 7, "tagName": "p", "attributes": {"hidden": ""},
    ...              "childNodes": []}]}]}]}
    >>> sorted(fingerprint(page))
    ['html', 'html > body', 'html > body > button.btn', 'html > body > h1#title-0']
    """
    if not isinstance(depth, int) or depth < 1:
        raise UxlensError(f"depth must be a positive integer, got {depth!r}.")
    if isinstance(mirror_or_nodes, DomMirror):
        return frozenset(_mirror_tokens(mirror_or_nodes, depth, modal_weight))
    if mirror_or_nodes is not None and not isinstance(mirror_or_nodes, Mapping):
        raise UxlensError(
            "fingerprint() expects a DomMirror or a serialized rrweb node (a dict with type, "
            f"id, childNodes), got {type(mirror_or_nodes).__name__}."
        )
    return frozenset(_walk(mirror_or_nodes, depth, modal_weight))


def fingerprint_distance(a: Iterable[str], b: Iterable[str]) -> float:
    """Jaccard distance between two fingerprints (0 = same structure, 1 = nothing shared).

    Examples
    --------
    >>> fingerprint_distance({"a", "b", "c"}, {"a", "b", "d"})
    0.5
    """
    a, b = set(a), set(b)
    union = len(a | b)
    return 0.0 if union == 0 else 1.0 - len(a & b) / union


def _jaccard_matrix(fps: Sequence[frozenset[str]],
                    other: Sequence[frozenset[str]] | None = None) -> np.ndarray:
    """Jaccard distances between fingerprints (``fps`` x ``other``, default ``fps`` x ``fps``)."""
    from scipy import sparse

    vocab: dict[str, int] = {}

    def matrix(sets: Sequence[frozenset[str]]) -> Any:
        rows: list[int] = []
        cols: list[int] = []
        for i, fp in enumerate(sets):
            for tok in fp:
                rows.append(i)
                cols.append(vocab.setdefault(tok, len(vocab)))
        return rows, cols

    ra, ca = matrix(fps)
    rb, cb = matrix(other) if other is not None else (ra, ca)
    width = max(len(vocab), 1)
    xa = sparse.csr_matrix((np.ones(len(ra)), (ra, ca)), shape=(len(fps), width))
    xb = xa if other is None else sparse.csr_matrix(
        (np.ones(len(rb)), (rb, cb)), shape=(len(other), width))
    inter = (xa @ xb.T).toarray()
    size_a = np.asarray(xa.sum(axis=1)).ravel()
    size_b = np.asarray(xb.sum(axis=1)).ravel()
    union = size_a[:, None] + size_b[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = np.where(union > 0, 1.0 - inter / np.where(union > 0, union, 1), 0.0)
    if other is None:
        np.fill_diagonal(dist, 0.0)
    return np.clip(dist, 0.0, 1.0)


# --------------------------------------------------------------------------- observations
@dataclass
class _Obs:
    session_id: str
    url: str | None
    start: float  # epoch ms: the state begins
    taken: float  # epoch ms: the DOM at this instant has the fingerprint
    fp: int
    load: int  # page-load counter within the session
    width: Any = None
    height: Any = None


def _sorted_events(rec: Any) -> list[Mapping[str, Any]]:
    if type(rec) is list:  # the usual case: plain dicts already in time order, no copy
        prev = -np.inf
        for e in rec:
            if type(e) is not dict:
                break
            t = e.get("timestamp")
            if (type(t) is not int and type(t) is not float) or t < prev:
                break
            prev = t
        else:
            return rec
    events = [e for e in rec if isinstance(e, Mapping)] if isinstance(rec, Sequence) else []
    stamps = [e.get("timestamp") for e in events]
    if all(isinstance(t, (int, float)) for t in stamps) and all(
        a <= b for a, b in zip(stamps, stamps[1:], strict=False)
    ):
        return events
    return sorted(
        (e for e in events if isinstance(e.get("timestamp"), (int, float))),
        key=lambda e: e["timestamp"],
    )


def _structural(dom: DomMirror, data: Mapping[str, Any]) -> bool:
    """Whether a mutation can change the fingerprint (cheap test before applying it)."""
    adds = data.get("adds")
    if isinstance(adds, list):
        for a in adds:
            node = a.get("node") if isinstance(a, Mapping) else None
            if isinstance(node, Mapping) and node.get("type") == 2:
                return True
    removes = data.get("removes")
    if isinstance(removes, list):
        for r in removes:
            if isinstance(r, Mapping):
                el = dom.element(r.get("id"))
                if el is not None and el.type == 2:
                    return True
    attributes = data.get("attributes")
    if isinstance(attributes, list):
        for a in attributes:
            change = a.get("attributes") if isinstance(a, Mapping) else None
            if not isinstance(change, Mapping):
                continue
            for name, value in change.items():
                if name == "style":
                    text = str(value)
                    if "display" in text or "visibility" in text:
                        return True
                elif name == "class":
                    el = dom.element(a.get("id"))
                    old = el.attributes.get("class") if el is not None else None
                    if _stable_classes(old) != _stable_classes(value):
                        return True
                elif name in _STRUCT_ATTRS:
                    return True
    return False


def _observe(session_id: str, rec: Any, debounce_ms: float, depth: int, modal_weight: int,
             intern: dict[frozenset[str], int], memo: dict[Any, Any] | None = None
             ) -> tuple[list[_Obs], float | None]:
    """Observations of one recording, and its last timestamp (``memo``: see :func:`_walk`)."""
    memo = {} if memo is None else memo
    events = _sorted_events(rec)
    out: list[_Obs] = []
    dom = DomMirror(mask=True)
    url: str | None = None
    width = height = None
    meta_ts: float | None = None
    load = -1
    pending: list[Any] | None = None  # [start, last change, url, width, height]
    has_doc = False

    def settle() -> None:
        nonlocal pending
        if pending is None or not has_doc:
            pending = None
            return
        if not getattr(dom, "_indexed", True) and not getattr(dom, "_pending", True):
            # nothing looked up or changed since the snapshot: walk the recorded tree
            # itself and leave the mirror unindexed (a page without mutations never pays it)
            fp = frozenset(_walk(getattr(dom, "_root", None), depth, modal_weight, memo=memo))
        else:
            fp = frozenset(_mirror_tokens(dom, depth, modal_weight, memo=memo))
        fid = intern.setdefault(fp, len(intern))
        prev = out[-1] if out else None
        if prev is None or prev.fp != fid or prev.load != load:
            out.append(_Obs(session_id, pending[2], pending[0], pending[1], fid, load,
                            pending[3], pending[4]))
        pending = None

    last_ts: float | None = None
    for ev in events:
        ts = ev.get("timestamp")
        if not isinstance(ts, (int, float)):
            continue
        last_ts = ts
        etype = ev.get("type")
        data = ev.get("data")
        if type(data) is not dict and not isinstance(data, Mapping):
            continue
        if etype == 4:
            href = data.get("href")
            url = split_url(href)[0] if isinstance(href, str) else url
            width, height = data.get("width", width), data.get("height", height)
            meta_ts = ts
        elif etype == 2:
            settle()
            dom.load_snapshot(data.get("node"))  # type: ignore[arg-type]
            has_doc = isinstance(data.get("node"), Mapping)
            load += 1
            start = meta_ts if meta_ts is not None else ts
            pending = [start, ts, url, width, height]
            meta_ts = None
        elif etype == 3 and data.get("source") == 0 and has_doc:
            if _structural(dom, data):
                if pending is not None and ts - pending[1] >= debounce_ms:
                    settle()
                if pending is None:
                    pending = [ts, ts, url, width, height]
                else:
                    pending[1] = ts
            dom.apply_mutation(data)
    settle()
    return out, last_ts


# --------------------------------------------------------------------------- clustering
#: Distinct fingerprints of one URL clustered directly (the distance matrix is
#: n x n); rarer ones join the cluster of their nearest clustered fingerprint.
_MAX_CLUSTERED = 2_000


def _relabel(labels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Labels 0..k-1 by decreasing total weight (ties: first fingerprint seen)."""
    total = pd.Series(weights).groupby(labels).sum()
    first = pd.Series(np.arange(len(labels))).groupby(labels).min()
    order = sorted(total.index, key=lambda k: (-total[k], first[k]))
    remap = {k: i for i, k in enumerate(order)}
    return np.array([remap[k] for k in labels], dtype=int)


def _cluster(fps: list[frozenset[str]], weights: np.ndarray, method: str, threshold: float,
             min_share: float, max_clustered: int = _MAX_CLUSTERED) -> np.ndarray:
    """Cluster labels (0..k-1, by decreasing weight) of distinct fingerprints."""
    n = len(fps)
    if n == 1:
        return np.zeros(1, dtype=int)
    if n > max_clustered:
        top = np.argsort(-weights, kind="stable")[:max_clustered]
        rest = np.setdiff1d(np.arange(n), top)
        top_labels = _cluster([fps[i] for i in top], weights[top], method, threshold,
                              min_share, max_clustered)
        labels = np.empty(n, dtype=int)
        labels[top] = top_labels
        top_fps = [fps[i] for i in top]
        for start in range(0, len(rest), 500):
            chunk = rest[start:start + 500]
            near = _jaccard_matrix([fps[i] for i in chunk], top_fps).argmin(axis=1)
            labels[chunk] = top_labels[near]
        return _relabel(labels, weights)
    dist = _jaccard_matrix(fps)
    if method == "agglomerative":
        from sklearn.cluster import AgglomerativeClustering

        model = AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average",
            distance_threshold=max(threshold, 1e-12),
        )
        labels = model.fit_predict(dist)
    else:
        from sklearn.cluster import DBSCAN

        labels = DBSCAN(eps=max(threshold, 1e-12), min_samples=1,
                        metric="precomputed").fit_predict(dist)
    share = pd.Series(weights).groupby(labels).sum() / weights.sum()
    kept = share[share >= min_share].index.tolist() or [share.idxmax()]
    if len(kept) < share.size:
        kept_arr = np.array(kept)
        members = {k: np.flatnonzero(labels == k) for k in kept}
        for lab in share.index.difference(kept):
            idx = np.flatnonzero(labels == lab)
            mean = [dist[np.ix_(idx, members[k])].mean() for k in kept]
            labels[idx] = kept_arr[int(np.argmin(mean))]
    return _relabel(labels, weights)


# --------------------------------------------------------------------------- naming
def _clean(text: str | None, limit: int = 60) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    if "*" in text:  # masked content is never a name
        return ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _name_state(dom: DomMirror, depth: int, modal_weight: int, distinctive: set[str],
                url: str | None) -> tuple[str, str, bool]:
    """``(base, extra, modal)``: the heading (or title, or URL), the distinctive text
    against the sibling states, and whether ``extra`` names an open dialog."""
    nodes: list[tuple[str, Mapping[str, Any]]] = []
    _mirror_tokens(dom, depth, modal_weight, nodes)

    def text_of(node: Mapping[str, Any]) -> str:
        nid = node.get("id")
        if dom.is_masked(nid):
            return ""
        return _clean(dom.text(nid))

    base = ""
    for want in _HEADINGS:
        for tok, node in nodes:
            if str(node.get("tagName", "")).lower() == want and not tok.startswith("@"):
                base = text_of(node)
                if base:
                    break
        if base:
            break
    if not base:
        title = _document_title(dom.to_serialized())
        base = _clean(title) or (url.split("://", 1)[-1] if url else "screen")
    extra = ""
    dialogs = [(tok, node) for tok, node in nodes if tok.startswith("@") and tok in distinctive]
    if dialogs:
        heading = next(
            (text_of(n) for _, n in dialogs
             if str(n.get("tagName", "")).lower() in _HEADINGS
             or n.get("attributes", {}).get("role") == "heading"),
            "",
        )
        extra = f"modal: {heading}" if heading else "modal open"
    else:
        for tok, node in nodes:
            if tok in distinctive:
                txt = text_of(node)
                if txt and txt != base:
                    extra = txt
                    break
    return base, extra, bool(dialogs)


def _document_title(root: Mapping[str, Any] | None) -> str:
    stack = [root] if isinstance(root, Mapping) else []
    while stack:
        node = stack.pop()
        if node.get("type") == 2 and str(node.get("tagName", "")).lower() == "title":
            return " ".join(
                c.get("textContent", "") for c in node.get("childNodes", [])
                if isinstance(c, Mapping) and isinstance(c.get("textContent"), str)
            )
        for c in node.get("childNodes") or []:
            if isinstance(c, Mapping):
                stack.append(c)
    return ""


# --------------------------------------------------------------------------- result
@dataclass(eq=False)
class Screens:
    """Screen states found in a log's recordings (see :func:`screen_states`).

    Attributes
    ----------
    segments
        One row per stretch of time a session spent in a state (a visit):
        ``session_id``, ``state`` (integer id), ``screen``, ``url``, ``start``
        and ``end`` (UTC timestamps), ``start_ms`` (epoch ms), ``taken_ms``
        (epoch ms at which the recorded DOM shows the state: rebuild it there),
        ``duration_s``.
    states
        One row per state with its name, URL(s) and representative.

    Examples
    --------
    >>> import uxlens as ux
    >>> screens = ux.demo().screens()
    >>> screens
    Screens(9 states on 7 URLs, 1271 visits)
    >>> int(screens.segments["session_id"].nunique()), len(screens.states)
    (300, 9)
    """

    segments: pd.DataFrame
    states: pd.DataFrame
    recordings: Mapping[str, Any] = field(repr=False)
    params: dict[str, Any] = field(default_factory=dict)
    _images: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def names(self) -> list[str]:
        """State names, in table order.

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.demo().screens().names[:3]
        ['Plan projects your team actually finishes', 'Simple pricing for teams of every size', \
        'Create your account']
        """
        return self.states["screen"].tolist()

    def table(self) -> pd.DataFrame:
        """One row per state.

        Columns: ``screen`` (name), ``url`` (the URL, or URLs joined by
        ``", "``), ``sessions`` (distinct sessions that saw it), ``visits``
        (times a session entered it), ``time_spent_s`` (total seconds spent in
        it, until the session's next state or its last recorded event),
        ``devices`` (device classes of the visits, most frequent first),
        ``representative`` (``(session_id, timestamp)`` of the snapshot that
        shows it) and ``first_seen``.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.screens import screen_states
        >>> t = screen_states(ux.demo()).table()
        >>> t[t.url.str.endswith("/onboarding/invite")].shape[0]
        2
        """
        seg = self.segments
        g = seg.groupby("state", sort=True)
        stats = pd.DataFrame({
            "sessions": g["session_id"].nunique(),
            "visits": g.size(),
            "time_spent_s": g["duration_s"].sum().round(3),
            "first_seen": g["start"].min(),
        })
        out = self.states.join(stats, on="state")
        out["sessions"] = out["sessions"].fillna(0).astype("int64")
        out["visits"] = out["visits"].fillna(0).astype("int64")
        out["representative"] = list(zip(out["rep_session"], out["rep_time"], strict=True))
        dev = seg.dropna(subset=["device"]).groupby(["state", "device"]).size()
        mix = {
            st: ", ".join(dev.loc[st].sort_values(ascending=False, kind="stable").index)
            for st in dev.index.get_level_values(0).unique()
        }
        out["devices"] = out["state"].map(mix).astype("string")
        cols = ["screen", "url", "sessions", "visits", "time_spent_s", "devices",
                "representative", "first_seen"]
        return out[cols].reset_index(drop=True)

    def assign(self, events: Any) -> pd.Series:
        """The screen of each event: the state its session was in at its timestamp.

        Parameters
        ----------
        events
            An :class:`~uxlens.EventLog` or a DataFrame with ``session_id`` and
            ``timestamp`` columns.

        Returns
        -------
        pandas.Series
            Categorical of screen names aligned with ``events`` (same index),
            ``NA`` for events before the session's first snapshot or in
            sessions without a recording.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.screens import screen_states
        >>> log = ux.demo()
        >>> screen = screen_states(log).assign(log)
        >>> int(screen.notna().sum()) == len(log.events) - int(screen.isna().sum())
        True
        """
        frame = getattr(events, "events", events)
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(
                "assign() expects an EventLog or a DataFrame with session_id and timestamp, "
                f"got {type(events).__name__}."
            )
        missing = [c for c in ("session_id", "timestamp") if c not in frame.columns]
        if missing:
            raise SchemaError(
                f"assign() needs columns session_id and timestamp; missing {missing}. "
                "Fix: pass log.events or rename the columns."
            )
        cats = pd.CategoricalDtype(self.states["screen"].tolist())
        if frame.empty or self.segments.empty:
            return pd.Series(pd.Categorical([None] * len(frame), dtype=cats),
                             index=frame.index, name="screen")
        left = pd.DataFrame({
            "session_id": self._event_units(frame),
            "t": _to_ms(frame["timestamp"]),
            "pos": np.arange(len(frame)),
        })
        ok = left["t"].notna() & left["session_id"].notna()
        left = left[ok].astype({"t": "int64"}).sort_values("t", kind="stable")
        right = pd.DataFrame({
            "session_id": self.segments["unit"].astype("string").to_numpy(),
            "t": self.segments["start_ms"].astype("int64").to_numpy(),
            "state": self.segments["state"].to_numpy(),
        }).sort_values("t", kind="stable")
        merged = pd.merge_asof(left, right, on="t", by="session_id", direction="backward")
        codes = np.full(len(frame), -1, dtype=int)
        names = self.states.set_index("state")["screen"]
        code_of = {s: i for i, s in enumerate(cats.categories)}
        has = merged["state"].notna().to_numpy()
        codes[merged["pos"].to_numpy()[has]] = [
            code_of[names[int(s)]] for s in merged["state"].to_numpy()[has]
        ]
        return pd.Series(pd.Categorical.from_codes(codes, dtype=cats), index=frame.index,
                         name="screen")

    def _event_units(self, frame: pd.DataFrame) -> np.ndarray:
        """Replay unit of each event: its session, or session and window when it had several."""
        sessions = frame["session_id"].astype("string")
        multi = self.segments.loc[self.segments["window_id"].notna(), "session_id"].unique()
        if len(multi) == 0 or "window_id" not in frame.columns:
            return sessions.to_numpy()
        windowed = sessions.isin(multi) & frame["window_id"].notna()
        keyed = sessions + _UNIT_SEP + frame["window_id"].astype("string")
        return sessions.where(~windowed, keyed).to_numpy()

    def with_screen(self, log: Any) -> pd.DataFrame:
        """A copy of the log's events with a ``screen`` column (see :meth:`assign`).

        Examples
        --------
        The invite page has one screen per version; the invites sent on each match
        the funnel's counts per version (A 38, B 47):

        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> ev = log.screens().with_screen(log)
        >>> sent = ev.loc[ev["event"] == "invite_sent", "screen"].astype(str).value_counts()
        >>> sent.to_dict()
        {'Invite your teammates — Add comma-separated emails': 47, \
        'Invite your teammates — use comma-separated emails': 38}
        >>> "screen" in log.events.columns  # the log itself is unchanged
        False
        """
        frame = getattr(log, "events", log).copy()
        frame["screen"] = self.assign(frame)
        return frame

    def for_url(self, url: str) -> list[str]:
        """Screens shown on a URL (path, ``*`` pattern or ``re:`` regex), most visited first.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.screens import screen_states
        >>> screen_states(ux.demo()).for_url("/dashboard")
        ['Your projects', "Your projects — modal: You're all set!"]
        """
        from .events import url_pattern

        rx = url_pattern(url)
        seg = self.segments
        hit = seg["url"].fillna("").map(lambda u: bool(rx.search(u)) if u else False)
        counts = seg.loc[hit.astype(bool)].groupby("screen", sort=False).size()
        order = sorted(counts.index, key=lambda n: (-counts[n], self.names.index(n)))
        return [str(n) for n in order]

    def moment(self, screen: str | int, session_id: str | None = None) -> tuple[str, float] | None:
        """``(session_id, epoch ms)`` at which a recording shows ``screen``.

        With ``session_id``: the first visit of that session to the screen
        (``None`` if it never saw it); without: the state's representative.
        Use it to rebuild the page (:func:`uxlens.render.snapshot_html`), e.g.
        as a heatmap background for one screen.

        Examples
        --------
        >>> import uxlens as ux
        >>> screens = ux.demo().screens()
        >>> screens.moment("Create your account", "s-fb37ae7ad70d")
        ('s-fb37ae7ad70d', 1791211635587.0)
        >>> screens.moment("Invite your teammates — Add comma-separated emails", "s-fb37ae7ad70d") is None
        True
        """
        row = self._state_row(screen)
        if session_id is None:
            return str(row["rep_session"]), float(row["rep_ms"])
        seg = self.segments
        hit = seg[(seg["session_id"] == str(session_id)) & (seg["state"] == row["state"])]
        if hit.empty:
            return None
        return str(session_id), float(hit["taken_ms"].iloc[0])

    def _state_row(self, screen: str | int) -> pd.Series:
        st = self.states
        if isinstance(screen, (int, np.integer)) and not isinstance(screen, bool):
            hit = st[st["state"] == int(screen)]
        else:
            hit = st[st["screen"] == screen]
        if hit.empty:
            from .exceptions import did_you_mean

            raise UxlensError(
                f"No screen named {screen!r}.{did_you_mean(str(screen), self.names)} "
                f"Known screens: {self.names[:10]}"
            )
        return hit.iloc[0]

    def snapshot_html(self, screen: str | int, *, mask: bool = True) -> str:
        """Sanitised HTML of a state's representative snapshot (see :mod:`uxlens.render`).

        Examples
        --------
        >>> import uxlens as ux
        >>> html = ux.demo().screens().snapshot_html("Invite your teammates — use comma-separated emails")
        >>> "Invite your teammates" in html, "<script" in html.lower()
        (True, False)
        """
        from .render import snapshot_html

        row = self._state_row(screen)
        return snapshot_html(self.recordings[row["rep_unit"]], at_ms=float(row["rep_ms"]),
                             mask=mask)

    def image(self, screen: str | int, *, full_page: bool = False) -> bytes:
        """PNG of a state's representative snapshot, rendered by Chromium (cached).

        Raises
        ------
        MissingDependencyError
            When no Chromium is available (see :func:`uxlens.render.browser_available`).

        Examples
        --------
        Rendering needs Chromium, so only the page it draws runs here:

        >>> import uxlens as ux
        >>> screens = ux.demo().screens()
        >>> name = "Invite your teammates — use comma-separated emails"
        >>> "send-invites" in screens.snapshot_html(name)
        True
        >>> png = screens.image(name)  # doctest: +SKIP
        >>> png[1:4]  # doctest: +SKIP
        b'PNG'
        """
        row = self._state_row(screen)
        key = f"{row['state']}:{full_page}"
        if key not in self._images:
            from .render import render_png

            width = int(row["width"]) if pd.notna(row["width"]) else 1280
            height = int(row["height"]) if pd.notna(row["height"]) else 800
            self._images[key] = render_png(self.snapshot_html(screen), width, height,
                                           full_page=full_page)
        return self._images[key]

    def __len__(self) -> int:
        return len(self.states)

    def __repr__(self) -> str:
        urls = self.states["url"].nunique()
        return f"Screens({len(self.states)} states on {urls} URLs, {len(self.segments)} visits)"

    def render_images(self, top: int | None = 6) -> dict[str, bytes]:
        """Render (and cache) the images of the ``top`` most visited states.

        The notebook view (``_repr_html_``) then shows them as thumbnails.
        Needs Chromium (see :meth:`image`).

        Examples
        --------
        The states rendered are the most visited ones (needs Chromium to render):

        >>> import uxlens as ux
        >>> screens = ux.demo().screens()
        >>> screens.table().sort_values("visits", ascending=False)["screen"].head(2).tolist()
        ['Plan projects your team actually finishes', 'Your projects']
        >>> sorted(screens.render_images(top=2))  # doctest: +SKIP
        ['Plan projects your team actually finishes', 'Your projects']
        """
        table = self.table().sort_values("visits", ascending=False, kind="stable")
        names = table["screen"].tolist()[: top if top is not None else None]
        return {name: self.image(name) for name in names}

    def _repr_html_(self) -> str:
        from .render import png_data_uri

        t = self.table().drop(columns=["representative"])
        thumbs = []
        for state in self.states["state"]:
            png = self._images.get(f"{state}:False")
            thumbs.append(
                f'<img src="{png_data_uri(png)}" style="max-width:160px" alt="">' if png else "")
        body = t.to_html(index=False, escape=True)
        if any(thumbs):
            t = t.assign(image=thumbs)
            body = t.to_html(index=False, escape=False, formatters={
                c: (lambda v: _html.escape(str(v))) for c in t.columns if c != "image"})
        return f"<div><b>{_html.escape(repr(self))}</b>{body}</div>"


def _to_ms(ts: pd.Series) -> pd.Series:
    if isinstance(ts.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(ts):
        values = pd.to_datetime(ts, utc=True)
    else:
        values = pd.to_datetime(ts, utc=True, errors="coerce")
    out = values.astype("datetime64[ms, UTC]").astype("int64").astype("Int64")
    out[values.isna().to_numpy()] = pd.NA
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- entry point
def screen_states(
    log: Any,
    *,
    min_share: float = 0.02,
    method: str = "agglomerative",
    distance_threshold: float = 0.05,
    debounce_ms: float = 300.0,
    depth: int = 3,
    modal_weight: int = 8,
    by_url: bool = True,
    cache: bool = True,
) -> Screens:
    """Group a log's recordings into the screen states users saw.

    Parameters
    ----------
    log
        An :class:`~uxlens.EventLog` with recordings (or a mapping
        ``{session_id: [rrweb events]}``).
    min_share
        States seen in less than this share of their URL's observations are
        folded into the nearest kept state (toasts, flickers, rare errors).
    method
        ``"agglomerative"`` (average linkage cut at ``distance_threshold``) or
        ``"dbscan"`` (``eps=distance_threshold``, ``min_samples=1``).
    distance_threshold
        Jaccard distance between fingerprints under which they are one state:
        0.05 means states differ in at least about 5 % of their visible
        structure (a variant's extra label, a modal).
    debounce_ms
        A structure must stay unchanged this long to count as a state; a burst
        of mutations makes one state that starts when the burst starts.
    depth, modal_weight
        See :func:`fingerprint`.
    by_url
        Cluster per URL (without query). ``False`` clusters all fingerprints
        together, so one state may span URLs (``url`` lists them).
    cache
        Keep the result in ``log.meta["screens"]`` (keyed by the parameters)
        and return it on later calls.

    Returns
    -------
    Screens

    Examples
    --------
    >>> import uxlens as ux
    >>> from uxlens.screens import screen_states
    >>> screens = screen_states(ux.demo())
    >>> invite = screens.table().query("url.str.endswith('/onboarding/invite')")
    >>> sorted(invite.screen)
    ['Invite your teammates \u2014 Add comma-separated emails', \
'Invite your teammates \u2014 use comma-separated emails']
    """
    if method not in _METHODS:
        from .exceptions import did_you_mean

        raise UxlensError(
            f"method must be one of {_METHODS}, got {method!r}.{did_you_mean(str(method), _METHODS)}"
        )
    if not (0 <= min_share < 1):
        raise UxlensError(f"min_share must be in [0, 1), got {min_share!r}.")
    if not (0 <= distance_threshold <= 1):
        raise UxlensError(f"distance_threshold must be in [0, 1], got {distance_threshold!r}.")
    if debounce_ms < 0:
        raise UxlensError(f"debounce_ms must be >= 0, got {debounce_ms!r}.")
    if not isinstance(depth, int) or depth < 1:
        raise UxlensError(f"depth must be a positive integer, got {depth!r}.")
    params = dict(min_share=min_share, method=method, distance_threshold=distance_threshold,
                  debounce_ms=debounce_ms, depth=depth, modal_weight=modal_weight, by_url=by_url)
    key = tuple(sorted(params.items()))
    meta = getattr(log, "meta", None)
    if cache and isinstance(meta, dict):
        cached = meta.get("screens")
        if isinstance(cached, dict) and key in cached:
            return cached[key]
    recordings = getattr(log, "recordings", log)
    if not isinstance(recordings, Mapping):
        raise UxlensError(
            "screen_states() needs rrweb recordings: an EventLog from ux.read_rrweb / ux.demo "
            f"or a mapping {{session_id: [rrweb events]}}, got {type(log).__name__}."
        )
    windows = meta.get("recording_windows") if isinstance(meta, dict) else None
    result = _compute(recordings, params, windows if isinstance(windows, Mapping) else None)
    if cache and isinstance(meta, dict):
        store = meta.get("screens")
        if not isinstance(store, dict):
            store = meta["screens"] = {}
        store[key] = result
    return result


_UNIT_SEP = "\x1f"


def _units(recordings: Mapping[str, Any], windows: Mapping[str, Any]) -> dict[str, Any]:
    """Recordings to replay, one per page window: ``session`` or ``session<SEP>window``.

    A session recorded in several browser windows (PostHog ``window_id``) has
    one DOM per window; replaying the merged events would mix them.
    """
    units: dict[str, Any] = {}
    for sid, rec in recordings.items():
        per_window = windows.get(sid) if isinstance(windows, Mapping) else None
        if isinstance(per_window, Mapping) and len(per_window) > 1:
            for wid, events in per_window.items():
                units[f"{sid}{_UNIT_SEP}{wid}"] = events
        else:
            units[str(sid)] = rec
    return units


def _compute(recordings: Mapping[str, Any], params: dict[str, Any],
             windows: Mapping[str, Any] | None = None) -> Screens:
    depth, modal_weight = params["depth"], params["modal_weight"]
    intern: dict[frozenset[str], int] = {}
    memo: dict[Any, Any] = {}
    obs: list[_Obs] = []
    ends: dict[str, float] = {}
    units = _units(recordings, windows or {})
    for unit, rec in units.items():
        found, last = _observe(unit, rec, params["debounce_ms"], depth, modal_weight, intern,
                               memo)
        obs.extend(found)
        if last is not None:
            ends[unit] = last
    fps = [fp for fp, _ in sorted(intern.items(), key=lambda kv: kv[1])]
    if not obs:
        segments = pd.DataFrame({
            "session_id": pd.Series(dtype="string"), "state": pd.Series(dtype="int64"),
            "screen": pd.Series(dtype="string"), "url": pd.Series(dtype="string"),
            "start": pd.Series(dtype="datetime64[ns, UTC]"),
            "end": pd.Series(dtype="datetime64[ns, UTC]"),
            "start_ms": pd.Series(dtype="int64"), "taken_ms": pd.Series(dtype="int64"),
            "duration_s": pd.Series(dtype="float64"),
        })
        for col in ("window_id", "unit", "device"):
            segments[col] = pd.Series(dtype="string")
        states = pd.DataFrame(columns=["state", "screen", "url", "rep_session", "rep_window",
                                       "rep_unit", "rep_ms", "rep_time", "width", "height"])
        return Screens(segments, states, units, params)
    ob = pd.DataFrame({
        "unit": [o.session_id for o in obs],
        "url": [o.url if o.url is not None else "" for o in obs],
        "start_ms": [o.start for o in obs],
        "taken_ms": [o.taken for o in obs],
        "fp": [o.fp for o in obs],
        "load": [o.load for o in obs],
        "width": [o.width for o in obs],
        "height": [o.height for o in obs],
    })
    split = ob["unit"].str.split(_UNIT_SEP, n=1, expand=True)
    ob["device"] = device_from_width(ob["width"]).to_numpy()
    ob["session_id"] = split[0]
    ob["window_id"] = split[1] if split.shape[1] > 1 else None
    group_key = ob["url"] if params["by_url"] else pd.Series("", index=ob.index)
    # cluster the distinct fingerprints of each URL (weights: observations)
    state_of: dict[tuple[str, int], int] = {}
    state_rows: list[dict[str, Any]] = []
    next_state = 0
    first_seen = ob.groupby(group_key, sort=False)["start_ms"].min().sort_values(kind="stable")
    for gkey in first_seen.index:
        part = ob[group_key == gkey]
        counts = part["fp"].value_counts(sort=False)
        fids = counts.index.to_numpy()
        labels = _cluster([fps[f] for f in fids], counts.to_numpy(dtype=float),
                          params["method"], params["distance_threshold"], params["min_share"])
        members: dict[int, list[int]] = {}
        for fid, lab in zip(fids, labels, strict=True):
            members.setdefault(int(lab), []).append(int(fid))
        for lab in sorted(members):
            sid_ = next_state
            next_state += 1
            for fid in members[lab]:
                state_of[(gkey, fid)] = sid_
            # representative: the most frequent fingerprint, at its first occurrence
            best = max(members[lab], key=lambda f: (counts[f], -f))
            rep = part[part["fp"] == best].sort_values("start_ms", kind="stable").iloc[0]
            urls = part.loc[part["fp"].isin(members[lab]), "url"].unique().tolist()
            state_rows.append({
                "state": sid_, "group": gkey, "fp": best,
                "url": ", ".join(u for u in urls if u) or None,
                "rep_session": rep["session_id"], "rep_window": rep["window_id"],
                "rep_unit": rep["unit"], "rep_ms": float(rep["taken_ms"]),
                "width": rep["width"], "height": rep["height"],
                "device": _mode(part.loc[part["fp"].isin(members[lab]), "device"]),
            })
    ob["state"] = [state_of[(g, f)] for g, f in zip(group_key, ob["fp"], strict=True)]
    # consecutive observations of the same state within a page view are one visit
    prev_same = (
        (ob["unit"] == ob["unit"].shift())
        & (ob["load"] == ob["load"].shift())
        & (ob["state"] == ob["state"].shift())
    )
    seg = ob[~prev_same].reset_index(drop=True)
    nxt = seg.groupby("unit", sort=False)["start_ms"].shift(-1)
    end_ms = nxt.fillna(seg["unit"].map(ends)).fillna(seg["start_ms"])
    end_ms = np.maximum(end_ms.to_numpy(dtype=float), seg["start_ms"].to_numpy(dtype=float))
    states = pd.DataFrame(state_rows)
    names = _names(states, units, fps, depth, modal_weight)
    states["screen"] = names
    states["rep_time"] = pd.to_datetime(states["rep_ms"], unit="ms", utc=True)
    segments = pd.DataFrame({
        "session_id": seg["session_id"].astype("string"),
        "state": seg["state"].astype("int64"),
        "screen": seg["state"].map(dict(zip(states["state"], names, strict=True))).astype(
            "string"),
        "url": seg["url"].replace("", None).astype("string"),
        "start": pd.to_datetime(seg["start_ms"], unit="ms", utc=True),
        "end": pd.to_datetime(end_ms, unit="ms", utc=True),
        "start_ms": seg["start_ms"].round().astype("int64"),
        "taken_ms": seg["taken_ms"].round().astype("int64"),
        "duration_s": (end_ms - seg["start_ms"].to_numpy(dtype=float)) / 1000.0,
        "window_id": seg["window_id"].astype("string"),
        "unit": seg["unit"].astype("string"),
        "device": seg["device"].astype("string"),
    })
    states = states[["state", "screen", "url", "rep_session", "rep_window", "rep_unit", "rep_ms",
                     "rep_time", "width", "height"]]
    return Screens(segments, states, units, params)


def _names(states: pd.DataFrame, recordings: Mapping[str, Any], fps: list[frozenset[str]],
           depth: int, modal_weight: int) -> list[str]:
    parts: list[tuple[str, str, bool]] = []
    for _, row in states.iterrows():
        siblings = states[(states["group"] == row["group"]) & (states["state"] != row["state"])]
        own = fps[row["fp"]]
        others: set[str] = set()
        for f in siblings["fp"]:
            others |= fps[f]
        distinctive = set(own - others) if len(siblings) else set()
        dom = DomMirror.from_events(_sorted_events(recordings[row["rep_unit"]]),
                                    until=row["rep_ms"], mask=True)
        parts.append(_name_state(dom, depth, modal_weight, distinctive, row["url"]))
    # the distinctive text is only added where needed: an open dialog, or a heading
    # that another state of the same URL shares (A/B variants). Views with headings
    # of their own (a single-page app's routes) keep just the heading.
    groups = states["group"].tolist()
    names: list[str] = []
    for i, (base, extra, modal) in enumerate(parts):
        shared = any(groups[j] == groups[i] and parts[j][0] == base
                     for j in range(len(parts)) if j != i)
        names.append(f"{base} \u2014 {extra}" if extra and (modal or shared) else base)
    # same name, different device class (a responsive layout that changes the DOM)
    devices = states["device"].tolist()
    for n in set(names):
        idx = [i for i, m in enumerate(names) if m == n]
        if len(idx) > 1 and len({devices[i] for i in idx}) == len(idx) and all(
                isinstance(devices[i], str) for i in idx):
            for i in idx:
                names[i] = f"{n} ({devices[i]})"
    # unique names: number repeats in table order
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def _mode(values: pd.Series) -> Any:
    counts = values.dropna().astype(str).value_counts(sort=False)
    if counts.empty:
        return None
    return max(counts.index, key=lambda k: (counts[k], k))


def add_screen_column(log: Any, screens: Screens | None = None, **params: Any) -> Any:
    """The log with a ``screen`` column on its events (a new EventLog; recordings shared).

    The result is cached on ``log`` (per parameters), as the states are in
    ``log.meta``: fingerprinting and assigning run once per EventLog however
    many heatmaps, funnels and journeys ask for screens.

    Parameters
    ----------
    log
        An :class:`~uxlens.EventLog` with recordings.
    screens
        States to use; default ``screen_states(log, **params)`` (cached on the log).

    Examples
    --------
    >>> import uxlens as ux
    >>> from uxlens.screens import add_screen_column
    >>> log = add_screen_column(ux.demo())
    >>> log.events["screen"].isna().sum()
    np.int64(0)
    """
    from .eventlog import EventLog

    if not isinstance(log, EventLog):
        raise UxlensError(
            f"add_screen_column() expects an EventLog with recordings, got {type(log).__name__}."
        )
    if "screen" in log.events.columns and screens is None and not params:
        return log
    # one screen-augmented log per EventLog and parameters (heatmaps, funnels and
    # journeys of one log share it); a replaced ``log.events`` is a new key
    key = (tuple(sorted(params.items())), id(log.events))
    cached = getattr(log, "_screen_log", None) if screens is None else None
    if cached is not None and cached[0] == key and cached[1] is log.events:
        return cached[2]
    found = screens if screens is not None else screen_states(log, **params)
    events = log.events.copy()
    events["screen"] = found.assign(events)
    out = EventLog(events, recordings=log.recordings, rejected=log.rejected,
                   read=log.counts["read"], meta=log.meta)
    if screens is None:
        log._screen_log = (key, log.events, out)  # type: ignore[attr-defined]
    return out
