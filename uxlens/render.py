"""Page backgrounds: rebuild a recorded page as sanitised static HTML and screenshot it.

Recorded DOM is untrusted: it comes from the recorded site, or from whoever
planted markup in it. Rendering it must neither run its code nor tell anyone
that somebody is looking. Independent walls make sure of that:

1. :func:`snapshot_html` first cleans the recording with
   :func:`uxlens.replay_sanitize.sanitize_recording` (the replay player's
   sanitiser: scripts, handlers, remote URLs, ``@import`` and remote CSS
   ``url()`` removed, typed values and personal data masked, ``rr-block`` /
   ``rr-mask`` / ``data-private`` honoured), rebuilds the DOM at the asked
   instant with :class:`uxlens.io.dom.DomMirror`, then writes HTML with its
   own allow-list serializer: no ``<script>``, ``<iframe>`` (a grey box of the
   same size instead), ``<object>``, ``<embed>``, ``<base>``, ``<meta>``,
   ``<noscript>`` or SVG animation; no ``on*`` attribute; URL attributes
   keep only ``data:image/...`` and ``#`` fragments (links get
   ``href="#"``); CSS is cleaned again and can contain no ``<``.
2. The document starts with a Content-Security-Policy ``<meta>`` that allows
   no fetch and no script (:data:`CSP`).
3. :func:`render_page` runs Debian's Chromium (through Playwright, never a
   downloaded browser) with JavaScript disabled, host resolution disabled,
   and every request other than ``data:``/``blob:`` aborted and listed in
   ``RenderResult.blocked``.

Screenshots are cached by a hash of the sanitised HTML and the viewport, so a
page is rendered once. The replay player reuses :func:`snapshot_html` and
:func:`render_png` for still frames.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import html as _html
import json
import os
import re
import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .exceptions import MissingDependencyError, RecordingFormatError, UxlensError
from .privacy import Privacy, is_masked_element, mask_all, mask_input, mask_text
from .replay_sanitize import sanitize_css as _clean_css
from .replay_sanitize import sanitize_recording

__all__ = [
    "CSP",
    "RenderResult",
    "snapshot_html",
    "render_png",
    "render_page",
    "fixed_selectors",
    "fixed_elements",
    "page_snapshot_time",
    "wireframe",
    "browser_available",
    "png_data_uri",
    "svg_data_uri",
]

#: The Content-Security-Policy of every rendered page: nothing may be fetched or run.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:"
_CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

_DROP_TAGS = frozenset({
    "script", "noscript", "object", "embed", "applet", "frame", "frameset", "base", "portal",
    "template", "meta", "param", "iframe", "fencedframe", "link", "audio", "video", "source",
    "track", "slot", "set", "animate", "animatemotion", "animatetransform", "discard", "handler",
    "listener", "foreignobject", "noembed", "noframes", "plaintext",
})
_VOID = frozenset({
    "area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "keygen", "param",
})
_RAWTEXT = frozenset({"style"})
_URL_ATTRS = frozenset({
    "href", "src", "xlink:href", "action", "formaction", "poster", "background", "data",
    "codebase", "cite", "longdesc", "lowsrc", "dynsrc", "manifest", "icon", "srcset",
    "imagesrcset", "archive", "profile", "usemap", "ping", "itemtype", "classid", "srcdoc",
})
_DROP_ATTRS = frozenset({"http-equiv", "nonce", "integrity", "target", "download", "autofocus"})
_TAG_OK = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")
_ATTR_OK = re.compile(r"^[A-Za-z_:][-A-Za-z0-9_:.]*$")
_DATA_IMAGE = re.compile(r"^\s*data:image/(?:png|jpe?g|gif|webp|bmp|avif|svg\+xml)[;,]", re.I)
_MAX_ATTR = 200_000
_MAX_DATA_URI = 5_000_000
_TEXT_ATTRS = frozenset({"title", "alt", "placeholder", "aria-label", "aria-description", "label"})
_BUTTON_INPUTS = frozenset({"button", "submit", "reset", "image"})



def _style_text(css: Any) -> str:
    """CSS cleaned by :func:`uxlens.replay_sanitize.sanitize_css`, safe to inline.

    No ``<`` survives: ``</style`` would end the element and, inside SVG, a
    ``<tag`` would open markup; ``\\3c `` is the same character for CSS.
    """
    if not isinstance(css, str):
        return ""
    return _clean_css(css).replace("<", "\\3c ")


def _safe_url_attr(name: str, value: str, tag: str) -> str | None:
    v = value.strip()
    if name in ("src", "poster", "background") and _DATA_IMAGE.match(v) and len(v) <= _MAX_DATA_URI:
        return v
    if name in ("href", "xlink:href"):
        if tag in ("a", "area"):
            return "#"
        if v.startswith("#") and len(v) < 500:
            return v
    return None


@dataclass
class _Ctx:
    mask: bool
    inputs: Mapping[Any, Mapping[str, Any]] = field(default_factory=dict)


def _attrs_html(tag: str, attrs: Mapping[str, Any], ctx: _Ctx, masked: bool, nid: Any) -> str:
    out: list[str] = []
    input_type = str(attrs.get("type", "")).lower() if tag == "input" else ""
    typed = ctx.inputs.get(nid)
    if typed is not None and tag == "input":
        attrs = dict(attrs)
        if "isChecked" in typed and input_type in ("checkbox", "radio"):
            if typed["isChecked"]:
                attrs["checked"] = ""
            else:
                attrs.pop("checked", None)
        elif isinstance(typed.get("text"), str):
            attrs["value"] = typed["text"]
    if tag in ("img", "canvas") and isinstance(attrs.get("rr_dataURL"), str):
        attrs = dict(attrs)
        attrs["src"] = attrs["rr_dataURL"]
    for raw_name, value in attrs.items():
        if not isinstance(raw_name, str) or not _ATTR_OK.match(raw_name):
            continue
        name = raw_name.lower()
        if name.startswith("on") or name.startswith("rr_") or name == "_csstext":
            continue
        if name in _DROP_ATTRS or value is None or value is False:
            continue
        if isinstance(value, dict):  # rrweb style objects after mutations
            value = " ".join(f"{k}: {v};" for k, v in value.items() if isinstance(k, str))
        value = "" if value is True else str(value)
        if len(value) > _MAX_ATTR and not _DATA_IMAGE.match(value):
            continue
        if name in _URL_ATTRS:
            safe = _safe_url_attr(name, value, tag)
            if safe is None:
                continue
            value = safe
        elif name == "style":
            value = _style_text(value)
        elif ctx.mask:
            if name == "value" and tag in ("input", "textarea", "select", "option"):
                if tag == "input" and input_type in _BUTTON_INPUTS:
                    value = mask_all(value) if masked else mask_text(value)
                else:
                    value = mask_input(value)
            elif name in _TEXT_ATTRS or name.startswith("data-"):
                value = mask_all(value) if masked else mask_text(value)
        out.append(f' {name}="{_html.escape(value, quote=True)}"')
    return "".join(out)


def _block_placeholder(tag: str, attrs: Mapping[str, Any]) -> str:
    w = _px(attrs.get("rr_width"))
    h = _px(attrs.get("rr_height"))
    style = "background:#e9ecef;"
    if w:
        style += f"width:{w};"
    if h:
        style += f"height:{h};"
    cls = attrs.get("class")
    cls_html = f' class="{_html.escape(str(cls), quote=True)}"' if isinstance(cls, str) else ""
    return f'<{tag}{cls_html} style="{style}"></{tag}>'


def _px(value: Any) -> str | None:
    if value is None:
        return None
    m = re.match(r"^\s*(\d+(?:\.\d+)?)(px)?\s*$", str(value))
    return f"{m.group(1)}px" if m else None


def _serialize(root: Mapping[str, Any], ctx: _Ctx) -> str:
    """Allow-list serializer of rrweb serialized nodes (iterative: no recursion limit)."""
    parts: list[str] = ["<!DOCTYPE html>", _CSP_META, '<meta charset="utf-8">']
    # Stack items: ("node", node, parent_tag, masked) or ("close", tag).
    stack: list[tuple[Any, ...]] = [("node", root, "", False)]
    while stack:
        item = stack.pop()
        if item[0] == "close":
            parts.append(f"</{item[1]}>")
            continue
        _, node, parent_tag, masked = item
        if not isinstance(node, Mapping):
            continue
        ntype = node.get("type")
        if ntype == 0:  # Document: its children
            for child in reversed(node.get("childNodes") or []):
                stack.append(("node", child, "", masked))
        elif ntype == 3:  # Text
            text = node.get("textContent")
            if not isinstance(text, str):
                continue
            if parent_tag in _RAWTEXT or node.get("isStyle"):
                parts.append(_style_text(text))
            elif parent_tag == "textarea":
                parts.append(_html.escape(mask_input(text) if ctx.mask else text, quote=False))
            else:
                if ctx.mask:
                    text = mask_all(text) if masked else mask_text(text)
                parts.append(_html.escape(text, quote=False))
        elif ntype == 2:  # Element
            tag_raw = node.get("tagName")
            if not isinstance(tag_raw, str) or not _TAG_OK.match(tag_raw):
                continue
            tag = tag_raw.lower()
            attrs = node.get("attributes") if isinstance(node.get("attributes"), Mapping) else {}
            if tag == "link":
                css = attrs.get("_cssText")
                # rrweb drops rel/href of stylesheets it inlines into _cssText.
                if isinstance(css, str):
                    parts.append(f"<style>{_style_text(css)}</style>")
                continue
            if tag in ("iframe", "frame", "object", "embed", "video", "audio"):
                parts.append(_frame_placeholder(tag, attrs))
                continue
            if tag in _DROP_TAGS:
                continue
            classes = str(attrs.get("class", "")).split()
            if "rr-block" in classes or ("rr_width" in attrs and not node.get("childNodes")):
                parts.append(_block_placeholder(tag, attrs))
                continue
            child_masked = masked or is_masked_element(attrs)
            out_tag = "img" if tag == "canvas" and "rr_dataURL" in attrs else tag
            parts.append(f"<{out_tag}{_attrs_html(tag, attrs, ctx, child_masked, node.get('id'))}>")
            if out_tag in _VOID:
                continue
            if tag == "style" and isinstance(attrs.get("_cssText"), str):
                parts.append(_style_text(attrs["_cssText"]))
                parts.append("</style>")
                continue
            stack.append(("close", out_tag))
            if tag == "textarea":
                typed = ctx.inputs.get(node.get("id"))
                if typed is not None and isinstance(typed.get("text"), str):
                    value = typed["text"]
                    parts.append(_html.escape(mask_input(value) if ctx.mask else value, quote=False))
                    continue
            for child in reversed(node.get("childNodes") or []):
                stack.append(("node", child, tag, child_masked))
        elif ntype == 1:  # DocumentType: always the standard one
            continue
    return "".join(parts)


def _frame_placeholder(tag: str, attrs: Mapping[str, Any]) -> str:
    w = _px(attrs.get("width")) or _px(attrs.get("rr_width")) or "300px"
    h = _px(attrs.get("height")) or _px(attrs.get("rr_height")) or "150px"
    cls = attrs.get("class")
    cls_html = f' class="{_html.escape(str(cls), quote=True)}"' if isinstance(cls, str) else ""
    style = _style_text(str(attrs.get("style", ""))) if attrs.get("style") else ""
    return (f'<div{cls_html} data-uxlens-placeholder="{tag}" style="display:inline-block;'
            f"width:{w};height:{h};background:#f1f3f5;border:1px dashed #adb5bd;"
            f'{_html.escape(style, quote=True)}"></div>')


# -------------------------------------------------------------------- snapshots
def _events_of(recording: Any) -> list[Mapping[str, Any]]:
    rec = getattr(recording, "recording", recording)
    if not isinstance(rec, Sequence) or isinstance(rec, (str, bytes)):
        raise RecordingFormatError(
            "Expected a recording: a list of rrweb events (dicts with type, data, timestamp), "
            f"got {type(recording).__name__}. Fix: pass log.recordings[session_id] or a Session."
        )
    events = [e for e in rec if isinstance(e, Mapping)]
    return sorted(events, key=lambda e: e.get("timestamp") if isinstance(
        e.get("timestamp"), (int, float)) else 0)


def _state_at(events: list[Mapping[str, Any]], at_ms: float | None) -> tuple[Any, dict[Any, Any]]:
    """Serialized document and last input state per node id at ``at_ms``."""
    snaps = [e for e in events if e.get("type") == 2 and isinstance(e.get("data"), Mapping)]
    if not snaps:
        raise RecordingFormatError(
            "The recording has no FullSnapshot (rrweb event type 2), so the page cannot be "
            "rebuilt. Fix: record with rrweb's default options (a snapshot follows each page load)."
        )
    if at_ms is None:
        at_ms = snaps[0].get("timestamp", 0)
    elif not any(e.get("timestamp", 0) <= at_ms for e in snaps):
        raise RecordingFormatError(
            f"No FullSnapshot at or before t={at_ms} ms; the first one is at "
            f"{snaps[0].get('timestamp')} ms."
        )
    upto = [e for e in events if not isinstance(e.get("timestamp"), (int, float))
            or e["timestamp"] <= at_ms]
    last_snap = max(i for i, e in enumerate(upto) if e.get("type") == 2)
    inputs: dict[Any, dict[str, Any]] = {}
    for e in upto[last_snap:]:
        data = e.get("data")
        if e.get("type") == 3 and isinstance(data, Mapping) and data.get("source") == 5:
            inputs[data.get("id")] = {k: data[k] for k in ("text", "isChecked") if k in data}
    try:
        from .io.dom import DomMirror
    except ImportError:  # pragma: no cover - the mirror ships with uxlens
        return upto[last_snap]["data"].get("node"), inputs
    mirror = DomMirror.from_events(upto[last_snap:], until=at_ms, mask=False)
    return mirror.to_serialized(), inputs


def snapshot_html(recording: Any, at_ms: float | None = None, mask: Any = True) -> str:
    """Sanitised static HTML of a recorded page at an instant.

    Parameters
    ----------
    recording
        One window's rrweb events (``log.recordings[session_id]``) or a
        :class:`~uxlens.Session`.
    at_ms
        Epoch milliseconds: the last FullSnapshot at or before it, with the
        mutations and inputs recorded up to it. ``None``: the first
        FullSnapshot as it was taken.
    mask
        Mask typed values, ``rr-mask``/``data-private`` text and personal
        data patterns (default). A :class:`~uxlens.privacy.Privacy` adds its
        custom ``patterns``. ``False`` shows recorded text (scripts,
        handlers and remote URLs are removed either way).

    Returns
    -------
    str
        A complete document beginning with the no-fetch CSP ``<meta>``.

    Raises
    ------
    RecordingFormatError
        When the recording has no FullSnapshot (at or before ``at_ms``).

    Examples
    --------
    >>> rec = [{"type": 2, "timestamp": 1, "data": {"node": {"type": 0, "id": 1, "childNodes": [
    ...     {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
    ...       {"type": 2, "id": 3, "tagName": "body", "attributes": {}, "childNodes": [
    ...         {"type": 2, "id": 4, "tagName": "script", "attributes": {}, "childNodes": []},
    ...         {"type": 2, "id": 5, "tagName": "input",
    ...          "attributes": {"value": "ann@example.com", "onfocus": "steal()"},
    ...          "childNodes": []}]}]}]}}}]
    >>> doc = snapshot_html(rec)
    >>> "<script" in doc, "steal" in doc, '<input value="***@*******.***">' in doc
    (False, False, True)
    """
    events = _events_of(recording)
    if at_ms is None:
        first = next((e for e in events if e.get("type") == 2), None)
        at_ms = first.get("timestamp") if first is not None else None
    if at_ms is not None:
        events = [e for e in events if not isinstance(e.get("timestamp"), (int, float))
                  or e["timestamp"] <= at_ms]
    policy = Privacy.coerce(mask)  # True, False or a Privacy (its patterns too)
    mask = not policy.is_none
    clean = sanitize_recording(events, mask=policy).events
    root, inputs = _state_at(clean, at_ms)
    if not isinstance(root, Mapping):
        raise RecordingFormatError("The FullSnapshot has no serialized document (data.node).")
    return _serialize(root, _Ctx(mask=mask, inputs=inputs))


def page_snapshot_time(recording: Any, urls: Iterable[str]) -> float | None:
    """When to rebuild a page from a recording: just before the first click on it.

    Finds the first page load (Meta event) whose URL, without query and
    fragment, is one of ``urls``, then its FullSnapshot, and returns the
    instant just before the first click on that page (or the snapshot's
    time when there is none), so that the page looks as users found it.
    ``None`` when the recording never shows one of those pages.

    Examples
    --------
    >>> import uxlens as ux
    >>> s = ux.demo().session("s-fb37ae7ad70d")
    >>> invite = "https://app.acme-projects.example/onboarding/invite"
    >>> at = page_snapshot_time(s.recording, [invite])
    >>> clicks = s.events.loc[(s.events["event"] == "click") & (s.events["url"] == invite)]
    >>> clicks["timestamp"].min().value // 10**6 - at  # ms before the first click on the page
    1.0
    >>> page_snapshot_time(s.recording, ["https://elsewhere.example/"]) is None
    True
    """
    from .events import split_url

    wanted = set(urls)
    events = _events_of(recording)
    on_page = False
    snap_t: float | None = None
    for e in events:
        t, data = e.get("timestamp"), e.get("data")
        if not isinstance(data, Mapping) or not isinstance(t, (int, float)):
            continue
        if e.get("type") == 4:
            if snap_t is not None:
                return snap_t
            on_page = split_url(data.get("href"))[0] in wanted
        elif e.get("type") == 2 and on_page and snap_t is None:
            snap_t = float(t)
        elif (snap_t is not None and e.get("type") == 3 and data.get("source") == 2
              and data.get("type") == 2):
            return max(snap_t, float(t) - 1)
    return snap_t


_FIXED_DECL = re.compile(r"position\s*:\s*(fixed|sticky|-webkit-sticky)", re.I)
_CSS_RULE = re.compile(r"([^{}@;]+)\{([^{}]*)\}")
_COMPOUND = re.compile(r"^([a-zA-Z][a-zA-Z0-9-]*|\*)?((?:[#.][-_a-zA-Z0-9]+)*)$")


def fixed_selectors(recording: Any, at_ms: float | None = None) -> list[str]:
    """Selectors of elements styled ``position: fixed`` or ``sticky`` in a recorded page.

    See :func:`fixed_elements` (which also lists their descendants).

    Examples
    --------
    >>> rec = [{"type": 2, "timestamp": 1, "data": {"node": {"type": 0, "id": 1, "childNodes": [
    ...     {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
    ...       {"type": 2, "id": 3, "tagName": "body", "attributes": {}, "childNodes": [
    ...         {"type": 2, "id": 4, "tagName": "nav",
    ...          "attributes": {"style": "position: fixed; top: 0"}, "childNodes": []}]}]}]}}}]
    >>> fixed_selectors(rec)
    ['body > nav']
    """
    return sorted(set(fixed_elements(recording, at_ms)["selector"]))


def fixed_elements(recording: Any, at_ms: float | None = None) -> pd.DataFrame:
    """Fixed or sticky elements of a recorded page, with every target inside them.

    Looks at inline ``style`` attributes and at the page's CSS (``<style>``
    text and rrweb's inlined ``_cssText``); a CSS rule counts when the last
    compound of one of its selectors is a plain ``tag#id.class`` (pseudo
    classes and attribute selectors are not evaluated). Selectors are built
    by :class:`uxlens.io.dom.DomMirror`, the same way the reader names click
    targets. Because a target's path stops at the nearest element with an
    id (``a#nav-pricing`` rather than ``header#top > a#nav-pricing``), the
    selectors of all descendants are listed too.

    Returns
    -------
    DataFrame
        ``selector`` (the fixed element) and ``target`` (the element itself
        or one of its descendants), one row per pair.

    Examples
    --------
    >>> rec = [{"type": 2, "timestamp": 1, "data": {"node": {"type": 0, "id": 1, "childNodes": [
    ...     {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
    ...       {"type": 2, "id": 3, "tagName": "head", "attributes": {}, "childNodes": [
    ...         {"type": 2, "id": 4, "tagName": "style", "attributes": {}, "childNodes": [
    ...           {"type": 3, "id": 5, "textContent": ".top { position: fixed; top: 0 }",
    ...            "isStyle": True}]}]},
    ...       {"type": 2, "id": 6, "tagName": "body", "attributes": {}, "childNodes": [
    ...         {"type": 2, "id": 7, "tagName": "header", "attributes": {"class": "top"},
    ...          "childNodes": []}]}]}]}}}]
    >>> fixed_elements(rec).values.tolist()
    [['body > header.top', 'body > header.top']]
    """
    from .io.dom import DomMirror

    events = _events_of(recording)
    root, _ = _state_at(events, at_ms)
    if not isinstance(root, Mapping):
        return []
    css_parts: list[str] = []
    elements: list[tuple[Any, str, dict[str, Any]]] = []
    stack: list[Any] = [root]
    while stack:
        n = stack.pop()
        if not isinstance(n, Mapping):
            continue
        if n.get("type") == 3 and n.get("isStyle") and isinstance(n.get("textContent"), str):
            css_parts.append(n["textContent"])
        if n.get("type") == 2 and isinstance(n.get("tagName"), str):
            attrs = n.get("attributes") if isinstance(n.get("attributes"), dict) else {}
            if isinstance(attrs.get("_cssText"), str):
                css_parts.append(attrs["_cssText"])
            tag = n["tagName"].lower()
            if tag == "style":
                css_parts += [c.get("textContent", "") for c in n.get("childNodes") or []
                              if isinstance(c, Mapping) and isinstance(c.get("textContent"), str)
                              and not c.get("isStyle")]
            elements.append((n.get("id"), tag, attrs))
        stack.extend(n.get("childNodes") or [])
    compounds: list[tuple[str | None, set[str], set[str]]] = []
    for sel_text, body in _CSS_RULE.findall("\n".join(css_parts)):
        if not _FIXED_DECL.search(body):
            continue
        for sel in sel_text.split(","):
            last = re.split(r"[\s>+~]+", sel.strip())[-1] if sel.strip() else ""
            m = _COMPOUND.match(last)
            if not m or not last:
                continue
            tag = m.group(1) if m.group(1) not in (None, "*") else None
            ids = set(re.findall(r"#([-_a-zA-Z0-9]+)", m.group(2)))
            classes = set(re.findall(r"\.([-_a-zA-Z0-9]+)", m.group(2)))
            compounds.append((tag.lower() if tag else None, ids, classes))
    hits: list[Any] = []
    for nid, tag, attrs in elements:
        style = attrs.get("style")
        if isinstance(style, str) and _FIXED_DECL.search(style):
            hits.append(nid)
            continue
        el_classes = set(str(attrs.get("class", "")).split())
        el_id = str(attrs.get("id", ""))
        for ctag, ids, classes in compounds:
            if (ctag is None or ctag == tag) and ids <= {el_id} and classes <= el_classes:
                hits.append(nid)
                break
    mirror = DomMirror(mask=False)
    mirror.load_snapshot(root)  # type: ignore[arg-type]
    rows: set[tuple[str, str]] = set()
    for nid in hits:
        sel = mirror.selector(nid)
        if not sel:
            continue
        todo, seen = [nid], 0
        while todo and seen < 2000:  # a fixed element's subtree is small; cap hostile ones
            cur = todo.pop()
            seen += 1
            el = mirror.element(cur)
            if el is None or el.type != 2:
                continue
            target = mirror.selector(cur)
            if target:
                rows.add((sel, target))
            todo.extend(el.children)
    return pd.DataFrame(sorted(rows), columns=["selector", "target"])


# ---------------------------------------------------------------------- browser
@dataclass
class RenderResult:
    """What :func:`render_page` returns.

    Examples
    --------
    >>> import dataclasses
    >>> [f.name for f in dataclasses.fields(RenderResult)]
    ['png', 'width', 'height', 'boxes', 'fixed', 'blocked']
    """

    png: bytes
    width: int
    height: int
    boxes: pd.DataFrame
    fixed: pd.DataFrame
    blocked: list[str]


def _chromium() -> str | None:
    env = os.environ.get("UXLENS_CHROMIUM")
    if env and Path(env).exists():
        return env
    for cand in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(cand).exists():
            return cand
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_available() -> tuple[bool, str]:
    """Whether pages can be rendered (Playwright + a system Chromium), and why not.

    Examples
    --------
    >>> from uxlens.render import browser_available
    >>> ok, why = browser_available()
    >>> isinstance(ok, bool) and (ok or why != "")  # a reason whenever it is not available
    True
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False, 'the playwright package is missing: pip install "playwright"'
    if _chromium() is None:
        return False, ("no Chromium found. On Debian/Ubuntu: sudo apt-get install -y chromium "
                       "(never `playwright install`).")
    return True, ""


_LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

_MEASURE_JS = """(selectors) => {
  const sx = window.scrollX, sy = window.scrollY;
  const boxes = [];
  for (const s of selectors) {
    let el = null;
    try { el = document.querySelector(s); } catch (e) { el = null; }
    if (!el) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) continue;
    boxes.push([s, r.left + sx, r.top + sy, r.width, r.height]);
  }
  const fixed = [];
  const all = document.body ? document.body.querySelectorAll('*') : [];
  for (const el of all) {
    const pos = getComputedStyle(el).position;
    if (pos !== 'fixed' && pos !== 'sticky') continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) continue;
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    for (const c of el.classList) name += '.' + c;
    fixed.push([name, pos, r.left, r.top, r.width, r.height]);
    if (fixed.length >= 50) break;
  }
  const h = Math.max(document.documentElement.scrollHeight,
                     document.body ? document.body.scrollHeight : 0);
  return {boxes, fixed, height: h};
}"""


class _Browser:
    """One headless Chromium on one worker thread (Playwright's sync API is thread-bound).

    Running on a worker thread also keeps rendering usable inside Jupyter,
    where the main thread already runs an asyncio loop.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="uxlens-render")
        self._pw: Any = None
        self._browser: Any = None
        atexit.register(self.close)

    def _start(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            return
        from playwright.sync_api import sync_playwright

        exe = _chromium()
        if exe is None:
            raise MissingDependencyError(browser_available()[1])
        if self._pw is None:
            self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=exe, args=_LAUNCH_ARGS)

    def _render(self, html_doc: str, width: int, height: int, full_page: bool,
                selectors: list[str]) -> dict[str, Any]:
        self._start()
        blocked: list[str] = []
        ctx = self._browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=False,
            device_scale_factor=1, offline=True, service_workers="block",
            accept_downloads=False, bypass_csp=False,
        )
        try:
            page = ctx.new_page()

            def guard(route: Any) -> None:
                url = route.request.url
                if url.startswith(("data:", "blob:", "about:")):
                    route.continue_()
                else:
                    blocked.append(url)
                    route.abort()

            page.route("**/*", guard)
            page.set_content(html_doc, wait_until="load", timeout=20_000)
            info = page.evaluate(_MEASURE_JS, selectors)
            png = page.screenshot(full_page=full_page, type="png", animations="disabled")
        finally:
            ctx.close()
        info["png"] = png
        info["blocked"] = blocked
        return info

    def render(self, html_doc: str, width: int, height: int, full_page: bool,
               selectors: list[str]) -> dict[str, Any]:
        return self._pool.submit(self._render, html_doc, width, height, full_page,
                                 selectors).result()

    def close(self) -> None:
        def stop() -> None:
            try:
                if self._browser is not None:
                    self._browser.close()
                if self._pw is not None:
                    self._pw.stop()
            except Exception:
                pass
            self._browser = self._pw = None

        try:
            self._pool.submit(stop).result(timeout=10)
        except Exception:
            pass


_browser_lock = threading.Lock()
_browser: _Browser | None = None
_memory_cache: dict[str, RenderResult] = {}


def _get_browser() -> _Browser:
    global _browser
    with _browser_lock:
        if _browser is None:
            _browser = _Browser()
        return _browser


def _cache_dir() -> Path | None:
    root = os.environ.get("UXLENS_CACHE_DIR")
    path = Path(root) if root else Path.home() / ".cache" / "uxlens" / "render"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def _with_csp(html_doc: str) -> str:
    """Make sure the CSP meta is the first thing the parser sees."""
    head = html_doc.lstrip()[:400].lower()
    if _CSP_META.lower() in head:
        return html_doc
    return "<!DOCTYPE html>" + _CSP_META + html_doc


def render_page(
    html_doc: str,
    width: int,
    height: int | None = None,
    *,
    full_page: bool = True,
    selectors: Sequence[str] = (),
) -> RenderResult:
    """Screenshot an HTML document in headless Chromium and measure it.

    The document gets the no-fetch CSP if it lacks it, JavaScript is off,
    DNS is disabled and every non-``data:`` request is aborted (and listed
    in ``blocked``). Results are cached by a hash of the inputs, in memory
    and under ``$UXLENS_CACHE_DIR`` (default ``~/.cache/uxlens/render``).

    Parameters
    ----------
    html_doc
        The page, typically from :func:`snapshot_html`.
    width, height
        Viewport in CSS px (``height`` defaults to 800).
    full_page
        Capture the whole scrollable page rather than the viewport.
    selectors
        CSS selectors whose boxes to measure (document px), e.g. click targets.

    Returns
    -------
    RenderResult
        ``png``, ``width``, ``height`` (of the page), ``boxes`` (``selector,
        left, top, width, height``), ``fixed`` (fixed/sticky elements:
        ``selector, position, left, top, width, height`` in viewport px) and
        ``blocked`` (URLs the page tried to fetch).

    Examples
    --------
    Rendering needs Chromium (not run here):

    >>> doc = "<html><body><button id='go'>Go</button></body></html>"
    >>> r = render_page(doc, 400, 300, selectors=["#go"])  # doctest: +SKIP
    >>> r.png[1:4], r.boxes["selector"].tolist(), r.blocked  # doctest: +SKIP
    (b'PNG', ['#go'], [])
    """
    ok, why = browser_available()
    if not ok:
        raise MissingDependencyError(f"Rendering pages needs a headless Chromium: {why}")
    if not isinstance(width, (int, float)) or width <= 0:
        raise UxlensError(f"width must be a positive number of CSS px; got {width!r}.")
    html_doc = _with_csp(html_doc)
    w, h = int(width), int(height or 800)
    sels = sorted({str(s) for s in selectors})
    key = hashlib.sha256(json.dumps([html_doc, w, h, bool(full_page), sels]).encode()).hexdigest()
    if key in _memory_cache:
        return _memory_cache[key]
    cache = _cache_dir()
    if cache is not None and (cache / f"{key}.png").exists() and (cache / f"{key}.json").exists():
        meta = json.loads((cache / f"{key}.json").read_text())
        result = _result(w, (cache / f"{key}.png").read_bytes(), meta)
    else:
        info = _get_browser().render(html_doc, w, h, bool(full_page), sels)
        meta = {k: info[k] for k in ("boxes", "fixed", "height", "blocked")}
        result = _result(w, info["png"], meta)
        if cache is not None:
            try:
                (cache / f"{key}.png").write_bytes(info["png"])
                (cache / f"{key}.json").write_text(json.dumps(meta))
            except OSError:
                pass
    _memory_cache[key] = result
    return result


def _result(width: int, png: bytes, meta: Mapping[str, Any]) -> RenderResult:
    boxes = pd.DataFrame(meta["boxes"], columns=["selector", "left", "top", "width", "height"])
    fixed = pd.DataFrame(meta["fixed"],
                         columns=["selector", "position", "left", "top", "width", "height"])
    return RenderResult(png=png, width=width, height=int(meta["height"]), boxes=boxes,
                        fixed=fixed, blocked=list(meta["blocked"]))


def render_png(html_doc: str, width: int, height: int | None = None, full_page: bool = True) -> bytes:
    """PNG screenshot of a document (see :func:`render_page` for the safety layers).

    Examples
    --------
    Rendering needs Chromium (not run here):

    >>> png = render_png("<html><body><h1>Hi</h1></body></html>", 400, 300)  # doctest: +SKIP
    >>> png[1:4]  # doctest: +SKIP
    b'PNG'
    """
    return render_page(html_doc, width, height, full_page=full_page).png


# -------------------------------------------------------------------- fallbacks
def wireframe(elements: pd.DataFrame, width: float, height: float) -> str:
    """An SVG wireframe of element boxes: the background when no page image exists.

    Parameters
    ----------
    elements
        ``left, top, width, height`` per element (px), optionally ``text`` or
        ``target`` for a label.
    width, height
        Page size in px.

    Examples
    --------
    >>> svg = wireframe(pd.DataFrame({"left": [10], "top": [20], "width": [100], "height": [30],
    ...                               "target": ["button#send-invites"]}), 400, 300)
    >>> svg.startswith("<svg") and "send-invites" in svg
    True
    """
    w, h = float(width), float(height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}">',
        f'<rect x="0" y="0" width="{w:.0f}" height="{h:.0f}" fill="#ffffff" stroke="#dee2e6"/>',
    ]
    if elements is not None and len(elements):
        rows = elements.sort_values(by=["width"], ascending=False) if "width" in elements else elements
        for r in rows.itertuples(index=False):
            x, y, bw, bh = (float(getattr(r, c)) for c in ("left", "top", "width", "height"))
            if not all(map(_finite, (x, y, bw, bh))) or bw <= 0 or bh <= 0:
                continue
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" '
                         'rx="4" fill="#f8f9fa" stroke="#adb5bd" stroke-width="1"/>')
            label = getattr(r, "text", None)
            if not isinstance(label, str) or not label.strip():
                label = getattr(r, "target", None)
                label = str(label).split(" > ")[-1] if isinstance(label, str) else ""
            if label:
                label = label if len(label) <= 40 else label[:39] + "…"
                parts.append(
                    f'<text x="{x + 4:.1f}" y="{y + min(bh - 4, 14):.1f}" font-size="11" '
                    f'font-family="sans-serif" fill="#495057">{_html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _finite(v: float) -> bool:
    return v == v and v not in (float("inf"), float("-inf"))


def png_data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,...`` URI (for plotly layout images and HTML).

    Examples
    --------
    >>> png_data_uri(b"\\x89PNG\\r\\n\\x1a\\n")
    'data:image/png;base64,iVBORw0KGgo='
    """
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def svg_data_uri(svg: str) -> str:
    """A ``data:image/svg+xml;base64,...`` URI.

    Examples
    --------
    >>> svg_data_uri("<svg/>")
    'data:image/svg+xml;base64,PHN2Zy8+'
    """
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
