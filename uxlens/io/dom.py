"""A mirror of a recorded page's DOM, rebuilt from rrweb snapshots and mutations.

rrweb records the page once as a *FullSnapshot* (a serialized tree where every
node has an integer ``id``) and then as *Mutation* events that add, remove and
change nodes by id. Interaction events (clicks, inputs, mouse moves) only name
the node id, so turning them into "which button was clicked" requires the DOM
*as it was at the event's time*. :class:`DomMirror` is that state.

Design (the replay and screen features reuse this class):

- **dict-based and copy-on-write.** The serialized snapshot dicts are indexed
  by id but never modified (the raw recording is kept for replay). A node's
  children, attributes or text are copied into override maps only when a
  mutation touches them, so loading a snapshot costs one pass over its nodes
  and a mutation costs only what it changes.
- **lazy.** :meth:`load_snapshot` only stores the tree; indexing happens on
  the first lookup and mutations received before that are queued, so a
  checkout that is never looked up costs nothing.
- **cached lookups.** Selectors and texts are cached per node and the caches
  are cleared only by mutations that can change them (style-only attribute
  changes, the most frequent mutation, keep them).
- **state at a time.** :meth:`DomMirror.from_events` replays a recording up
  to an instant and :meth:`to_serialized` returns the current tree in rrweb's
  serialized format, ready for a renderer.

Selectors follow ``reference/rrweb-format.md`` section 5: ``tag#id.class``
segments joined by ``" > "`` from ``body`` (``html`` is omitted unless it is
the target), ``:nth-of-type(k)`` only when a same-tag sibling would match the
same segment, stopping early at an element with an id. An iframe document is
introduced by ``" | "`` after the iframe's selector, a shadow root by
``" >>> "`` after its host.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from ..privacy import is_masked_element, mask_all, mask_text

__all__ = ["DomMirror", "Element", "CONTROL_TAGS", "CONTROL_ROLES"]

#: Tags that count as links or form controls for :meth:`DomMirror.is_link_or_control`.
CONTROL_TAGS = frozenset({"a", "button", "input", "select", "textarea", "label", "summary"})
#: ARIA roles that count as links or controls.
CONTROL_ROLES = frozenset(
    {"button", "link", "checkbox", "radio", "switch", "tab", "menuitem", "option"}
)
#: Tags whose text is never visible.
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title", "meta"})
#: Tags that break text into words (rendered as blocks or separate cells).
_BLOCK = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol option p pre section "
    "summary table tbody td tfoot th thead tr ul".split()
)
#: Inline tags that may sit inside a run of text without splitting it: formatting
#: (``<b>Un</b>do``) and generic spans (syntax highlighting: ``<span>render</span>()``).
#: Two of them side by side are still two words (flex rows, toggles, stat cards:
#: ``<span>Monthly</span><span>Yearly</span>``, ``<b>0</b><span>open tasks</span>``).
_WORD_INLINE = frozenset(
    "abbr b bdi bdo cite code data del dfn em font i ins kbd mark q rp rt ruby s samp small "
    "span strike strong sub sup time tt u var wbr".split()
)
#: Word boundaries left in the text buffer, resolved by :func:`_join_words`: ``_SOFT`` at
#: both edges of any other element (label, button, a, input...: never glued to its
#: neighbours), ``_SPAN_OPEN``/``_SPAN_CLOSE`` at the edges of a ``_WORD_INLINE`` tag.
_SOFT, _SPAN_OPEN, _SPAN_CLOSE = "\x00", "\x01", "\x02"
_SOFT_RUN = re.compile("[\x00-\x02]+")
_NO_SPACE_BEFORE = frozenset(".,;:!?)]}%\u2026\u00bb\u201d\u2019/")
_NO_SPACE_AFTER = frozenset("([{\u00ab\u201c\u2018/")
_BUTTON_INPUTS = frozenset({"button", "submit", "reset"})
_IFRAME_SEP = " | "
_SHADOW_SEP = " >>> "
_CSS_SPECIAL = re.compile(r"([^A-Za-z0-9_\-\u00a0-\uffff])")
_TEXT_SLACK = 64  # extra characters collected so that masking sees whole emails
_BLOCK_END = object()  # stack marker: a block element's text ends here
_SOFT_END = object()  # stack marker: another inline element's text ends here
_SPAN_END = object()  # stack marker: a span's or formatting tag's text ends here
_DETACHED: tuple[None, bool, bool] = (None, False, False)
_MISSING = object()
_MAX_DEPTH = 5_000  # deeper ancestor chains only come from corrupt (cyclic) mutations
#: Attribute names whose change alters selectors, flags or fallback texts.
_SELECTOR_ATTRS = frozenset({"id", "class"})
_FLAG_ATTRS = frozenset({"role", "onclick", "data-private"})
_TEXT_ATTRS = frozenset({"aria-label", "value", "type", "placeholder", "alt", "title"})


class Element(NamedTuple):
    """A read-only view of one node of the mirror (see :meth:`DomMirror.element`)."""

    id: int
    type: int
    tag: str | None
    attributes: dict[str, Any]
    parent: int | None
    children: tuple[int, ...]


def _css_escape(ident: str) -> str:
    out = _CSS_SPECIAL.sub(r"\\\1", ident)
    if out[:1].isdigit():
        out = "\\3" + out[0] + " " + out[1:]
    return out


def _soft_space(m: re.Match[str]) -> str:
    s, i, j = m.string, m.start(), m.end()
    if i == 0 or j == len(s):
        return ""
    run = m.group()
    if _SOFT not in run:  # spans only: a boundary where one ends and another starts
        close = run.find(_SPAN_CLOSE)
        if close < 0 or run.find(_SPAN_OPEN, close) < 0:
            return ""
    left, right = s[i - 1], s[j]
    if left.isspace() or right.isspace() or right in _NO_SPACE_BEFORE or left in _NO_SPACE_AFTER:
        return ""
    return " "


def _join_words(raw: str) -> str:
    """Collapse whitespace and turn element boundaries into spaces between words.

    Roughly what a browser's ``innerText`` shows without knowing the CSS:
    blocks and separate inline elements (labels, buttons, links, inputs) never
    glue their words together, nor do two spans (or formatting tags) side by
    side; one inside a run of text (``<b>Un</b>do``, ``<span>render</span>()``)
    adds nothing.

    Examples
    --------
    >>> _join_words("Time zone\\x00\\x00\\x00Save\\x00")
    'Time zone Save'
    >>> _join_words("\\x01Monthly\\x02\\x01Yearly\\x02 \\x01render\\x02() Un" + "do")
    'Monthly Yearly render() Undo'
    """
    if _SOFT in raw or _SPAN_OPEN in raw:
        raw = _SOFT_RUN.sub(_soft_space, raw)
    return " ".join(raw.split())


def _parse_style(style: str) -> dict[str, str]:
    out: dict[str, str] = {}
    depth = 0
    start = 0
    decls = []
    for i, ch in enumerate(style):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            decls.append(style[start:i])
            start = i + 1
    decls.append(style[start:])
    for decl in decls:
        name, sep, value = decl.partition(":")
        if sep and name.strip():
            out[name.strip()] = value.strip()
    return out


def _merge_style(old: Any, change: Mapping[str, Any]) -> str:
    props = _parse_style(old) if isinstance(old, str) else {}
    for name, value in change.items():
        if value is False or value is None:
            props.pop(name, None)
        elif isinstance(value, list) and value:
            props[name] = f"{value[0]} !{value[1]}" if len(value) > 1 and value[1] else str(value[0])
        else:
            props[name] = str(value)
    return " ".join(f"{k}: {v};" for k, v in props.items())


class DomMirror:
    """The DOM of one recorded page (one rrweb window), kept current event by event.

    Parameters
    ----------
    mask
        Mask texts returned by :meth:`text`: subtrees marked private
        (``rr-mask``, ``rr-block``, ``data-private``) become ``*`` runs and
        emails, phones, cards and IBANs are masked everywhere (see
        :mod:`uxlens.privacy`). ``False`` returns the recorded text.

    Examples
    --------
    >>> snapshot = {"type": 0, "id": 1, "childNodes": [
    ...     {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
    ...         {"type": 2, "id": 3, "tagName": "body", "attributes": {}, "childNodes": [
    ...             {"type": 2, "id": 4, "tagName": "button",
    ...              "attributes": {"class": "primary"},
    ...              "childNodes": [{"type": 3, "id": 5, "textContent": " Send invites "}]}]}]}]}
    >>> dom = DomMirror()
    >>> dom.load_snapshot(snapshot)
    >>> dom.selector(4), dom.text(4), dom.is_link_or_control(5)
    ('body > button.primary', 'Send invites', True)
    >>> dom.apply_mutation({"attributes": [{"id": 4, "attributes": {"id": "send"}}]})
    >>> dom.selector(5)
    'button#send.primary'
    >>> dom.apply_mutation({"removes": [{"parentId": 3, "id": 4}]})
    >>> dom.selector(4) is None
    True
    """

    def __init__(self, *, mask: bool = True) -> None:
        self.mask = mask
        self.reset()

    # ---------------------------------------------------------------- loading
    def reset(self) -> None:
        """Forget everything (an empty page with no document)."""
        self._root: dict[str, Any] | None = None
        #: Id of the document node of the current snapshot (usually 1).
        self.root_id: Any = None
        self._indexed = True
        self._pending: list[Mapping[str, Any]] = []
        self._raw: dict[Any, dict[str, Any]] = {}
        self._parent: dict[Any, Any] = {}
        self._kids: dict[Any, list[Any]] = {}
        self._attrs: dict[Any, dict[str, Any]] = {}
        self._texts: dict[Any, str] = {}
        self._segs: dict[Any, tuple[str, bool, bool, bool, bool]] = {}
        self._dirty_parents: set[Any] = set()
        self._dirty_texts: set[Any] = set()
        self._info_cache: dict[Any, tuple[str | None, bool, bool]] = {}
        self._text_cache: dict[Any, str | None] = {}
        #: Number of mutations applied since the last snapshot.
        self.version = 0

    def load_snapshot(self, node: Mapping[str, Any]) -> None:
        """Start over from a FullSnapshot's serialized document (``data.node``).

        The tree is not copied and never modified; indexing is deferred to
        the first lookup.
        """
        self.reset()
        if isinstance(node, dict):
            self._root = node
            self.root_id = node.get("id")
            self._indexed = False

    def apply_mutation(self, data: Mapping[str, Any]) -> None:
        """Apply one Mutation payload (``data`` of an IncrementalSnapshot, source 0).

        Order follows the rrweb replayer: removes, adds (adds whose parent or
        next sibling is not there yet are retried until a pass makes no
        progress), texts, then attributes (``None`` deletes an attribute, a
        dict merges into ``style``). Entries naming unknown nodes are skipped.
        """
        self.version += 1
        if not self._indexed:
            self._pending.append(data)
            return
        self._apply(data)

    @classmethod
    def from_events(
        cls, events: Iterable[Mapping[str, Any]], *, until: float | None = None, mask: bool = True
    ) -> DomMirror:
        """The DOM after replaying ``events`` (decoded rrweb events) up to ``until``.

        Parameters
        ----------
        events
            One window's rrweb events in time order (e.g. a session of
            :attr:`uxlens.EventLog.recordings`).
        until
            Epoch milliseconds; events after it are ignored. ``None`` replays all.
        mask
            See :class:`DomMirror`.

        Examples
        --------
        >>> events = [{"type": 2, "timestamp": 1, "data": {"node": {
        ...     "type": 0, "id": 1, "childNodes": [{"type": 2, "id": 2, "tagName": "html",
        ...     "attributes": {}, "childNodes": []}]}}},
        ...     {"type": 3, "timestamp": 5, "data": {"source": 0, "adds": [
        ...     {"parentId": 2, "nextId": None,
        ...      "node": {"type": 2, "id": 3, "tagName": "body", "attributes": {},
        ...               "childNodes": []}}]}}]
        >>> DomMirror.from_events(events, until=4).selector(3) is None
        True
        >>> DomMirror.from_events(events).selector(3)
        'body'
        """
        dom = cls(mask=mask)
        for ev in events:
            if not isinstance(ev, Mapping):
                continue
            ts = ev.get("timestamp")
            if until is not None and isinstance(ts, (int, float)) and ts > until:
                break
            data = ev.get("data")
            if not isinstance(data, Mapping):
                continue
            if ev.get("type") == 2:
                dom.load_snapshot(data.get("node"))  # type: ignore[arg-type]
            elif ev.get("type") == 3 and data.get("source") == 0:
                dom.apply_mutation(data)
        return dom

    # --------------------------------------------------------------- internals
    def _ensure(self) -> None:
        if self._indexed:
            return
        self._indexed = True
        if self._root is not None:
            self._index(self._root, None, fresh=False)
        pending, self._pending = self._pending, []
        for data in pending:
            self._apply(data)

    def _index(self, node: dict[str, Any], parent: Any, *, fresh: bool) -> None:
        """Register ``node`` and its subtree (``fresh`` clears stale overrides)."""
        raw = self._raw
        par = self._parent
        nid = node.get("id")
        if type(nid) is not int:
            return
        raw[nid] = node
        par[nid] = parent
        todo = [node]
        for n in todo:
            ch = n.get("childNodes")
            if ch and type(ch) is list:
                pid = n.get("id")
                for c in ch:
                    if type(c) is dict:
                        cid = c.get("id")
                        if type(cid) is int:
                            raw[cid] = c
                            par[cid] = pid
                            todo.append(c)
        if fresh:
            kids, attrs, texts, segs = self._kids, self._attrs, self._texts, self._segs
            for n in todo:
                cid = n.get("id")
                kids.pop(cid, None)
                attrs.pop(cid, None)
                texts.pop(cid, None)
                segs.pop(cid, None)

    def _child_ids(self, nid: Any) -> list[Any]:
        kids = self._kids.get(nid)
        if kids is not None:
            return kids
        node = self._raw.get(nid)
        ch = node.get("childNodes") if node is not None else None
        if not ch or type(ch) is not list:
            return []
        return [c.get("id") for c in ch if type(c) is dict and type(c.get("id")) is int]

    def _child_nodes(self, nid: Any) -> list[dict[str, Any]]:
        kids = self._kids.get(nid)
        if kids is None:
            node = self._raw.get(nid)
            ch = node.get("childNodes") if node is not None else None
            return ch if ch and type(ch) is list else []
        raw = self._raw
        return [raw[k] for k in kids if k in raw]

    def _own_kids(self, nid: Any) -> list[Any]:
        kids = self._kids.get(nid)
        if kids is None:
            kids = self._kids[nid] = list(self._child_ids(nid))
        return kids

    def _attributes(self, nid: Any, node: Mapping[str, Any]) -> Mapping[str, Any]:
        attrs = self._attrs.get(nid)
        if attrs is not None:
            return attrs
        attrs = node.get("attributes")
        return attrs if type(attrs) is dict else {}

    def _children_changed(self, pid: Any) -> None:
        """Siblings' ``:nth-of-type`` may change; texts of ``pid`` and its ancestors do."""
        self._dirty_parents.add(pid)
        self._dirty_texts.add(pid)

    def _texts_changed(self, nid: Any) -> None:
        """The visible text of ``nid`` and of its ancestors changed."""
        self._dirty_texts.add(nid)

    def _flush_dirty(self) -> None:
        """Drop cached segments and texts made stale by the mutation just applied."""
        if self._dirty_parents:
            segs = self._segs
            if segs:
                for pid in self._dirty_parents:
                    for cid in self._child_ids(pid):
                        segs.pop(cid, None)
            self._dirty_parents.clear()
        if self._dirty_texts:
            cache = self._text_cache
            if cache:
                par = self._parent
                visited: set[Any] = set()
                for nid in self._dirty_texts:
                    while nid is not None and nid not in visited:
                        visited.add(nid)
                        cache.pop(nid, None)
                        nid = par.get(nid)
            self._dirty_texts.clear()

    def _detach(self, nid: Any) -> None:
        parent = self._parent.get(nid)
        if parent is not None and parent in self._raw:
            kids = self._own_kids(parent)
            try:
                kids.remove(nid)
            except ValueError:
                pass
            self._children_changed(parent)

    def _remove(self, nid: Any) -> None:
        if nid not in self._raw:
            return
        self._detach(nid)
        # Descendants stay indexed but unreachable: lookups walk up and stop here.
        del self._raw[nid]
        self._parent.pop(nid, None)
        self._segs.pop(nid, None)

    def _add(self, add: Mapping[str, Any]) -> bool:
        raw = self._raw
        pid = add.get("parentId")
        node = add.get("node")
        if type(node) is not dict or node.get("id") is None:
            return True  # malformed: nothing to retry
        if pid not in raw:
            return False
        next_id = add.get("nextId")
        prev_id = add.get("previousId")
        if next_id is not None and next_id not in raw:
            return False
        if prev_id is not None and next_id is None and prev_id not in raw:
            return False
        self._insert(pid, node, next_id, prev_id)
        return True

    def _insert(self, pid: Any, node: dict[str, Any], next_id: Any, prev_id: Any) -> None:
        nid = node["id"]
        if nid in self._raw:
            self._detach(nid)
        kids = self._own_kids(pid)
        if next_id is not None and next_id in kids:
            kids.insert(kids.index(next_id), nid)
        elif next_id is None and prev_id is not None and prev_id in kids:
            kids.insert(kids.index(prev_id) + 1, nid)
        else:
            kids.append(nid)
        self._index(node, pid, fresh=True)
        self._children_changed(pid)

    def _apply(self, data: Mapping[str, Any]) -> None:
        structural = False
        removes = data.get("removes")
        if removes and type(removes) is list:
            for rem in removes:
                if type(rem) is dict:
                    self._remove(rem.get("id"))
            structural = True
        adds = data.get("adds")
        if adds and type(adds) is list:
            pending = [a for a in adds if type(a) is dict]
            while pending:
                left = [a for a in pending if not self._add(a)]
                if len(left) == len(pending):
                    break
                pending = left
            for add in pending:
                # Still waiting after no progress: place under a known parent at the end.
                if add.get("parentId") in self._raw and type(add.get("node")) is dict:
                    self._insert(add["parentId"], add["node"], None, None)
            structural = True
        texts = data.get("texts")
        if texts and type(texts) is list:
            raw = self._raw
            for t in texts:
                if type(t) is dict and t.get("id") in raw:
                    value = t.get("value")
                    self._texts[t["id"]] = value if isinstance(value, str) else ""
                    self._texts_changed(t["id"])
        attributes = data.get("attributes")
        if attributes and type(attributes) is list:
            for a in attributes:
                if type(a) is dict:
                    structural = self._set_attributes(a.get("id"), a.get("attributes")) or structural
        self._flush_dirty()
        if structural:
            self._info_cache.clear()

    def _set_attributes(self, nid: Any, change: Any) -> bool:
        """Apply one attribute change; True when selectors or flags may have changed."""
        raw = self._raw
        if nid not in raw or type(change) is not dict:
            return False
        attrs = self._attrs.get(nid)
        if attrs is None:
            attrs = self._attrs[nid] = dict(self._attributes(nid, raw[nid]))
        privacy = "class" in change or "data-private" in change
        was_masked = is_masked_element(attrs) if privacy else False
        selector = flags = text = False
        for name, value in change.items():
            if value is None:
                attrs.pop(name, None)
            elif name == "style" and type(value) is dict:
                attrs[name] = _merge_style(attrs.get(name), value)
            else:
                attrs[name] = value
            if name in _SELECTOR_ATTRS:
                selector = True
            elif name in _FLAG_ATTRS:
                flags = True
            elif name in _TEXT_ATTRS:
                text = True
        if selector:
            parent = self._parent.get(nid)
            if parent is not None:
                self._dirty_parents.add(parent)
        if selector or flags:
            self._segs.pop(nid, None)
        if privacy and was_masked != is_masked_element(attrs):
            self._text_cache.clear()  # masking of a whole subtree changed
        elif text:
            self._texts_changed(nid)
        return selector or flags

    def _segment(self, nid: Any, tag: str, attrs: Mapping[str, Any], parent: Any) -> tuple[str, bool]:
        cls = attrs.get("class")
        classes = cls.split() if isinstance(cls, str) else []
        dotted = "".join("." + _css_escape(c) for c in classes)
        el_id = attrs.get("id")
        if isinstance(el_id, str) and el_id.strip():
            return f"{tag}#{_css_escape(el_id.strip())}{dotted}", True
        seg = tag + dotted
        if parent is None or tag in ("html", "body", "head"):
            return seg, False
        wanted = set(classes)
        k = position = 0
        ambiguous = False
        for sib in self._child_nodes(parent):
            if type(sib) is not dict or sib.get("type") != 2:
                continue
            stag = sib.get("tagName")
            if not isinstance(stag, str) or stag.lower() != tag:
                continue
            sid = sib.get("id")
            if type(sid) is not int:
                continue
            k += 1
            if sid == nid:
                position = k
            elif not ambiguous:
                scls = self._attributes(sid, sib).get("class")
                ambiguous = not wanted or (
                    isinstance(scls, str) and wanted.issubset(scls.split())
                )
        if ambiguous and position:
            seg += f":nth-of-type({position})"
        return seg, False

    def _element_entry(
        self, nid: Any, node: dict[str, Any], parent: Any
    ) -> tuple[str, bool, bool, bool, bool]:
        """Cached (segment, has id, is control, is private, is html) of an element."""
        tag = node.get("tagName")
        tag = tag.lower() if isinstance(tag, str) else "*"
        attrs = self._attributes(nid, node)
        role = attrs.get("role")
        control = (
            tag in CONTROL_TAGS
            or (type(role) is str and role in CONTROL_ROLES)
            or "onclick" in attrs
        )
        seg, stop = self._segment(nid, tag, attrs, parent)
        entry = (seg, stop, control, is_masked_element(attrs), tag == "html")
        self._segs[nid] = entry
        return entry

    def _info(self, nid: Any) -> tuple[str | None, bool, bool]:
        """(selector, is link or control, inside a private subtree) of a node."""
        cached = self._info_cache.get(nid)
        if cached is not None:
            return cached
        self._ensure()
        info = self._compute_info(nid)
        self._info_cache[nid] = info
        return info

    def _compute_info(self, nid: Any) -> tuple[str | None, bool, bool]:
        raw, par, segs = self._raw, self._parent, self._segs
        parts: list[str] = []  # bottom-up: segments and separators
        control = masked = skipping = False
        cur = nid
        steps = 0
        while True:
            node = raw.get(cur) if type(cur) is int else None
            steps += 1
            if node is None or steps > _MAX_DEPTH:
                return _DETACHED  # detached, unknown, or a corrupt (cyclic) tree
            parent = par.get(cur)
            ntype = node.get("type")
            if ntype == 2:
                entry = segs.get(cur) or self._element_entry(cur, node, parent)
                if entry[2]:
                    control = True
                if entry[3]:
                    masked = True
                if not skipping and not (entry[4] and parts and parts[-1] != _IFRAME_SEP):
                    parts.append(entry[0])
                    skipping = entry[1]
                if node.get("isShadow") and parent is not None:
                    parts.append(_SHADOW_SEP)
                    skipping = False
            elif ntype == 0:
                if parent is None:
                    if cur != self.root_id:
                        return _DETACHED
                    break
                parts.append(_IFRAME_SEP)
                skipping = False
            if parent is None:
                return _DETACHED
            cur = parent
        out: list[str] = []
        for part in reversed(parts):
            if part == _IFRAME_SEP or part == _SHADOW_SEP:
                if out:
                    out.append(part)
            else:
                if out and out[-1] != _IFRAME_SEP and out[-1] != _SHADOW_SEP:
                    out.append(" > ")
                out.append(part)
        while out and (out[-1] == _IFRAME_SEP or out[-1] == _SHADOW_SEP):
            out.pop()
        return ("".join(out) or None, control, masked)

    # ----------------------------------------------------------------- lookups
    def __contains__(self, node_id: Any) -> bool:
        self._ensure()
        return node_id in self._raw

    def selector(self, node_id: Any) -> str | None:
        """CSS-selector-like path of a node now (a text node gives its element).

        ``None`` when the node is unknown or no longer in the document.
        """
        return self._info(node_id)[0]

    def describe(self, node_id: Any) -> tuple[str | None, str | None, bool]:
        """``(selector, text, is_link_or_control)`` of a node in one call.

        The hot path of the readers: one lookup per interaction event.
        ``(None, None, False)`` when the node is unknown or detached.
        """
        info = self._info_cache.get(node_id)
        if info is None:
            info = self._info(node_id)
        if info[0] is None:
            return None, None, False
        # A cached selector means the node is attached (structural changes clear
        # that cache), so a cached text for an element id is current.
        text = self._text_cache.get(node_id, _MISSING)
        if text is _MISSING:
            text = self.text(node_id)
        return info[0], text, info[1]

    def is_link_or_control(self, node_id: Any) -> bool:
        """Whether the node is, or is inside, a link or a form control.

        Controls are ``a``, ``button``, ``input``, ``select``, ``textarea``,
        ``label``, ``summary``, elements with an interactive ARIA role
        (:data:`CONTROL_ROLES`, e.g. ``role="button"``) or an ``onclick``
        attribute. Dead-click detection uses this to ignore clicks on things
        that are expected to do nothing visible.
        """
        return self._info(node_id)[1]

    def is_masked(self, node_id: Any) -> bool:
        """Whether the node is inside a subtree marked private (``rr-mask``...)."""
        return self._info(node_id)[2]

    def element(self, node_id: Any) -> Element | None:
        """A read-only view of a node (type, tag, attributes, parent, children)."""
        self._ensure()
        node = self._raw.get(node_id)
        if node is None:
            return None
        tag = node.get("tagName")
        return Element(
            id=node_id,
            type=node.get("type", -1),
            tag=tag.lower() if isinstance(tag, str) else None,
            attributes=dict(self._attributes(node_id, node)),
            parent=self._parent.get(node_id),
            children=tuple(self._child_ids(node_id)),
        )

    def text(self, node_id: Any, limit: int = 100) -> str | None:
        """Visible text of a node's element, whitespace collapsed, at most ``limit`` chars.

        Script, style and head content is skipped. An element without text
        falls back to its ``aria-label``, its ``value`` for button-like
        inputs, then ``placeholder``, ``alt`` and ``title``. With
        ``mask=True`` private subtrees are fully masked and PII patterns are
        masked (:func:`uxlens.privacy.mask_text`). ``None`` for unknown or
        detached nodes; ``""`` when there is no text.
        """
        selector, _, _ = self._info(node_id)
        if selector is None:
            return None
        node = self._raw.get(node_id)
        if node is not None and node.get("type") != 2:
            node_id = self._parent.get(node_id)
        if limit != 100:
            return self._compute_text(node_id, limit)
        cache = self._text_cache
        if node_id in cache:
            return cache[node_id]
        value = cache[node_id] = self._compute_text(node_id, limit)
        return value

    def _compute_text(self, node_id: Any, limit: int) -> str | None:
        raw = self._raw
        node = raw.get(node_id)
        if node is None:
            return None
        if node.get("type") == 3:
            node_id = self._parent.get(node_id)
            node = raw.get(node_id)
            if node is None:
                return None
        selector, _, masked = self._info(node_id)
        if selector is None:
            return None
        want = limit + _TEXT_SLACK
        buf: list[str] = []
        total = 0
        texts = self._texts
        hide = self.mask
        stack: list[tuple[Any, dict[str, Any], bool]] = [(node_id, node, masked)]
        visited: set[Any] = set()
        while stack and total < want:
            nid, n, hidden = stack.pop()
            if nid is _BLOCK_END:
                buf.append(" ")
                continue
            if nid is _SOFT_END:
                buf.append(_SOFT)
                continue
            if nid is _SPAN_END:
                buf.append(_SPAN_CLOSE)
                continue
            if nid in visited:
                continue  # only possible in a corrupt (cyclic) tree
            visited.add(nid)
            override = texts.get(nid)
            ntype = n.get("type")
            if ntype == 3 or (override is not None and ntype == 2):
                content = override if override is not None else n.get("textContent")
                if isinstance(content, str) and not n.get("isStyle"):
                    buf.append(mask_all(content) if hidden and hide else content)
                    total += len(content.strip())
                continue
            if ntype != 2 and ntype != 0:
                continue
            tag = n.get("tagName")
            tag = tag.lower() if isinstance(tag, str) else ""
            if tag in _INVISIBLE:
                continue
            child_hidden = hidden or is_masked_element(self._attributes(nid, n))
            if tag in _BLOCK:
                buf.append(" ")
                stack.append((_BLOCK_END, n, hidden))
            elif tag in _WORD_INLINE:
                buf.append(_SPAN_OPEN)
                stack.append((_SPAN_END, n, hidden))
            else:
                buf.append(_SOFT)
                stack.append((_SOFT_END, n, hidden))
            for c in reversed(self._child_nodes(nid)):
                if type(c) is dict and type(c.get("id")) is int:
                    stack.append((c["id"], c, child_hidden))
        text = _join_words("".join(buf))
        if not text:
            text = self._fallback_text(node_id, node)
            if text and masked and self.mask:
                text = mask_all(text)
        if self.mask:
            text = mask_text(text)
        return text[:limit].rstrip()

    def _fallback_text(self, node_id: Any, node: Mapping[str, Any]) -> str:
        attrs = self._attributes(node_id, node)
        tag = node.get("tagName")
        candidates = ["aria-label"]
        if tag == "input" and str(attrs.get("type", "")).lower() in _BUTTON_INPUTS:
            candidates.append("value")
        candidates += ["placeholder", "alt", "title"]
        for name in candidates:
            value = attrs.get(name)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return ""

    # ----------------------------------------------------------------- export
    def to_serialized(self, node_id: Any = None) -> dict[str, Any] | None:
        """The current tree (or a subtree) as new rrweb serialized-node dicts.

        Overrides from mutations are applied; the result shares nothing
        mutable with the recording. ``None`` when there is no document.
        """
        self._ensure()
        start = self.root_id if node_id is None else node_id
        node = self._raw.get(start)
        if node is None:
            return None
        raw = self._raw

        def shallow(nid: Any, n: dict[str, Any]) -> dict[str, Any]:
            out = {k: v for k, v in n.items() if k != "childNodes"}
            if "attributes" in n or nid in self._attrs:
                out["attributes"] = dict(self._attributes(nid, n))
            if nid in self._texts:
                out["textContent"] = self._texts[nid]
            if n.get("type") in (0, 2):
                out["childNodes"] = []
            return out

        top = shallow(start, node)
        stack = [(start, top)]
        visited = {start}
        while stack:
            nid, out = stack.pop()
            if "childNodes" not in out:
                continue
            for cid in self._child_ids(nid):
                child = raw.get(cid)
                if child is None or cid in visited:
                    continue
                visited.add(cid)
                copy = shallow(cid, child)
                out["childNodes"].append(copy)
                stack.append((cid, copy))
        return top
