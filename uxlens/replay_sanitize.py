"""Make a recorded page safe to rebuild in the analyst's browser.

A recording is untrusted HTML from the recorded site (or from whoever planted
markup in it). Before the replay player or a still frame rebuilds it,
:func:`sanitize_recording` rewrites the rrweb events so that the rebuilt page
can neither run code nor fetch anything, and masks what users typed:

- ``<script>`` (HTML and SVG), ``<noscript>``, ``<object>``, ``<embed>``,
  ``<applet>``, ``<param>``, ``<portal>``, ``<fencedframe>`` and SVG
  animation elements (``<animate>``, ``<set>``... which can rewrite links)
  become an empty comment node with the same id, their subtree is dropped.
- Event-handler attributes (``on*``) are dropped.
- URL attributes keep only inert values: fragment links (``#x``) and
  ``data:image/...`` pictures. Other link targets (``<a href>``) become
  ``"#"``; a remote ``<img src>`` becomes a transparent pixel marked
  ``data-uxlens-blocked``; every other fetching attribute (``src``,
  ``srcset``, ``<link href>``, ``<base href>``, ``poster``, ``background``,
  ``ping``, ``srcdoc``, iframe ``src``, form ``action``/``formaction``,
  ``<object data>``...) is dropped.
- CSS (``<style>`` text, ``_cssText``, ``style`` attributes and rule events):
  ``@import`` rules are removed and ``url(...)`` / ``image-set("...")``
  pointing anywhere but a fragment or an inline image/font become
  ``url("data:,")``, including CSS-escaped spellings such as ``\\75 rl(``.
- ``<meta http-equiv>`` loses ``http-equiv`` (no refresh, no cookies).
- Invalid tag and attribute names, huge attribute values and nodes nested
  deeper than :data:`MAX_DEPTH` are dropped; malformed events are skipped.
- Privacy (:mod:`uxlens.privacy`): typed values (``Input`` events, ``value``
  attributes, ``<textarea>`` text) are masked with ``mask_input``, text and
  text-like attributes with ``mask_text``, the Meta URL with ``mask_url``,
  unless ``mask=False``. Subtrees the page marked private (``rr-mask``,
  ``rr-block``, ``data-private``) are masked (or emptied for ``rr-block``)
  whatever ``mask`` says.

Console, network, custom and asset events are not sent to the replayer (the
player shows console and network data from the canonical events table).

This is one of two walls: the player also rebuilds the page in an iframe
sandboxed without ``allow-scripts`` under a Content-Security-Policy that
allows no outbound fetch (:data:`REPLAY_CSP`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .privacy import Privacy, is_masked_element, mask_all

__all__ = [
    "MAX_DEPTH",
    "REPLAY_CSP",
    "SECURITY_KINDS",
    "SanitizedRecording",
    "sanitize_recording",
    "sanitize_css",
    "safe_url",
]

#: Content-Security-Policy of the replay frame: no script, no outbound fetch.
REPLAY_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; media-src data: blob:; "
    "form-action 'none'; base-uri 'none'"
)
#: Elements nested deeper than this are dropped (with their subtree).
MAX_DEPTH = 400
#: Longest attribute value kept, in characters (CSS and inline images get more).
MAX_ATTRIBUTE = 65_536
MAX_BIG_VALUE = 8_000_000
#: Longest text node kept (longer ones are cut).
MAX_TEXT = 1_000_000
MAX_VIEWPORT = 16_384

#: Counter keys that record a neutralised security construct.
SECURITY_KINDS = (
    "script",
    "removed_element",
    "svg_animation",
    "event_handler",
    "javascript_url",
    "data_url",
    "remote_url",
    "blocked_image",
    "iframe_src",
    "form_action",
    "meta_http_equiv",
    "css_import",
    "css_url",
    "font_url",
    "canvas_url",
)
#: Counter keys that describe a damaged or odd recording (shown as warnings).
_WARNING_TEXT = {
    "no_snapshot": "the recording has no full snapshot: there is no page to rebuild",
    "before_snapshot": "{n} event(s) before the first full snapshot skipped",
    "malformed_event": "{n} malformed event(s) skipped",
    "out_of_order": "{n} event(s) arrived out of time order and were sorted",
    "unknown_node": "{n} mutation(s) or input(s) naming unknown nodes skipped",
    "too_deep": "{n} subtree(s) nested deeper than {max_depth} levels dropped",
    "huge_attribute": "{n} oversized attribute value(s) dropped",
    "huge_text": "{n} oversized text node(s) cut",
    "bad_node": "{n} malformed node(s) dropped",
    "bad_tag": "{n} element(s) with an invalid tag name shown as <span>",
    "bad_attribute": "{n} attribute(s) with an invalid name dropped",
}

_TAG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*(?::[A-Za-z0-9._-]+)?$")
_ATTR_RE = re.compile(r"^[A-Za-z_:][A-Za-z0-9_:.\-]*$")
_CUSTOM_RE = re.compile(r"^[a-z][a-z0-9._]*-[a-z0-9._-]*$")
_RESERVED_CUSTOM = frozenset(
    "annotation-xml color-profile font-face font-face-src font-face-uri font-face-format "
    "font-face-name missing-glyph".split()
)
_CSS_PROP_RE = re.compile(r"^-{0,2}[A-Za-z_][A-Za-z0-9_-]*$")
_NODE_FLAGS = ("isShadowHost", "isShadow", "isSVG", "needBlock", "isCustom", "isStyle")
_NODE_KEYS = frozenset(
    "type id rootId isShadowHost isShadow tagName attributes childNodes isSVG needBlock "
    "isCustom textContent isStyle name publicId systemId compatMode".split()
)
#: Elements replaced by a comment (their subtree is dropped).
_REMOVED_TAGS = frozenset(
    "script noscript object embed applet param portal fencedframe".split()
)
_SVG_ANIMATION = frozenset("animate set animatemotion animatetransform discard".split())
_MEDIA_TAGS = frozenset("img image input source video audio picture".split())
_IMAGE_HREF_TAGS = frozenset({"image", "feimage"})
_LINK_TAGS = frozenset({"a", "area"})
#: URL attributes that fetch or navigate and have no safe value to keep.
_DROP_URL_ATTRS = frozenset(
    "ping data codebase classid archive code manifest icon longdesc lowsrc dynsrc profile "
    "cite xml:base srcdoc".split()
)
_TEXT_ATTRS = frozenset(
    "placeholder title alt aria-label aria-description aria-valuetext label summary "
    "content".split()
)
_BUTTON_TYPES = frozenset({"submit", "button", "reset", "image"})
_RR_NUMBERS = frozenset(
    "rr_scrollleft rr_scrolltop rr_mediacurrenttime rr_mediaplaybackrate rr_mediavolume".split()
)
_RR_BOOLS = frozenset({"rr_mediamuted", "rr_medialoop"})
_RR_SIZE_RE = re.compile(r"^\d{1,6}(?:\.\d{1,4})?(?:px)?$")
_INERT_IMAGE = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
_INERT_CSS_URL = 'url("data:,")'

# Flags of a node context.
_STYLE = 1  # text children are CSS
_MASK = 2  # page-marked private subtree: mask everything
_TEXTAREA = 4  # text children are a typed value
_LEAF = 8  # cannot take children or attributes (text, comment, placeholder)
_IGNORE = 16  # rr-ignore: input values never shown
_BLOCK = 32  # rr-block: children dropped

# Incremental sources.
_MUTATION, _MOVE, _MOUSE, _SCROLL, _RESIZE, _INPUT, _TOUCH, _MEDIA = range(8)
_SHEET_RULE, _CANVAS, _FONT, _LOG, _DRAG, _DECLARATION, _SELECTION = range(8, 15)
_ADOPTED, _CUSTOM_ELEMENT = 15, 16


# --------------------------------------------------------------------- URLs
_C0_SPACE = "".join(chr(c) for c in range(0x21))


def _url_core(value: str) -> str:
    """A URL as the browser parses its scheme: trimmed, tabs/newlines removed, lower case."""
    return re.sub(r"[\t\n\r]", "", value.strip(_C0_SPACE)).lower()


def _url_kind(value: str) -> str:
    core = _url_core(value)
    if core.startswith(("javascript:", "vbscript:", "livescript:")):
        return "javascript_url"
    if core.startswith("data:"):
        return "data_url"
    return "remote_url"


def safe_url(value: Any, *, allow: str = "fragment") -> str | None:
    """The inert form of a URL attribute value, or ``None`` if nothing inert remains.

    Parameters
    ----------
    value
        The recorded attribute value.
    allow
        ``"fragment"`` keeps only same-document links (``#id``);
        ``"image"`` also keeps inline pictures (``data:image/...``);
        ``"media"`` also keeps inline audio and video.

    Examples
    --------
    >>> safe_url("#pricing"), safe_url("https://evil.example/x.png")
    ('#pricing', None)
    >>> safe_url(" java\\tscript:alert(1)"), safe_url("data:image/png;base64,AA==", allow="image")
    (None, 'data:image/png;base64,AA==')
    """
    if not isinstance(value, str):
        return None
    core = value.strip(_C0_SPACE)
    if core.startswith("#"):
        return core
    plain = re.sub(r"[\t\n\r]", "", core)
    low = plain.lower()
    if allow in ("image", "media") and low.startswith("data:image/"):
        return plain
    if allow == "media" and low.startswith(("data:video/", "data:audio/")):
        return plain
    return None


def _srcset_urls(value: str) -> list[str]:
    """The candidate URLs of a ``srcset`` (HTML's parsing, simplified)."""
    urls = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i] in " \t\n\r\f,"):
            i += 1
        start = i
        while i < n and value[i] not in " \t\n\r\f":
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while i < n and (value[i] != "," or depth):
                depth += value[i] == "("
                depth -= value[i] == ")" and depth > 0
                i += 1
        if url:
            urls.append(url)
    return urls


# ---------------------------------------------------------------------- CSS
_HEX = "0123456789abcdef"


def _css_word(word: str) -> str:
    """Regex for ``word`` in CSS source, any letter possibly written as an escape."""
    parts = []
    for ch in word:
        codes = {f"{ord(ch.lower()):x}", f"{ord(ch.upper()):x}"}
        alts = [re.escape(ch.lower()), re.escape(ch.upper())]
        alts += [rf"\\0{{0,4}}{c}(?:\r\n|[ \t\r\n\f])?" for c in sorted(codes)]
        if ch.lower() not in _HEX:
            alts += [rf"\\{re.escape(ch.lower())}", rf"\\{re.escape(ch.upper())}"]
        parts.append("(?:" + "|".join(alts) + ")")
    return "".join(parts)


_CSS_IMPORT = re.compile(
    "@" + _css_word("import") + r"""(?:"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^;"'])*;?""",
    re.DOTALL,
)
_CSS_URL_START = re.compile(_css_word("url") + r"\(")
_CSS_IMAGE_SET = re.compile(r"(?:-webkit-)?" + _css_word("image-set") + r"\(")
_CSS_STRING = re.compile(r""""((?:[^"\\]|\\.)*)"?|'((?:[^'\\]|\\.)*)'?""", re.DOTALL)
_CSS_DATA_OK = (
    "data:image/",
    "data:font/",
    "data:application/font",
    "data:application/x-font",
    "data:application/octet-stream",
    "data:application/vnd.ms-fontobject",
)


def _css_target_ok(raw: str) -> bool:
    arg = raw.strip(" \t\r\n\f")
    if arg.startswith("#") or arg == "data:,":
        return True
    return "\\" not in arg and arg.lower().startswith(_CSS_DATA_OK)


def _scan_url_arg(css: str, i: int) -> tuple[str, int]:
    """Read a ``url(`` argument starting at ``i``: return (argument, index after ``)``)."""
    n = len(css)
    while i < n and css[i] in " \t\r\n\f":
        i += 1
    if i < n and css[i] in "\"'":
        quote = css[i]
        j = i + 1
        while j < n and css[j] != quote:
            j += 2 if css[j] == "\\" else 1
        arg = css[i + 1 : min(j, n)]
        j += 1
        while j < n and css[j] != ")":
            j += 1
        return arg, min(j + 1, n)
    j = i
    while j < n and css[j] != ")":
        j += 2 if css[j] == "\\" else 1
    return css[i:min(j, n)], min(j + 1, n)


def sanitize_css(css: Any, counts: Counter[str] | None = None) -> Any:
    """CSS with no ``@import`` and no ``url()`` that could leave the page.

    Kept: ``url(#fragment)`` (SVG references) and inline images and fonts
    (``data:image/...``, ``data:font/...``). Everything else becomes
    ``url("data:,")``; ``@import`` rules are removed; strings inside
    ``image-set(...)`` are treated like ``url()``. CSS escapes in the function
    and at-rule names are recognised. Non-strings are returned unchanged.

    Parameters
    ----------
    css
        Style sheet text or a declaration list (a ``style`` attribute).
    counts
        Optional counter incremented under ``css_import`` and ``css_url``.

    Examples
    --------
    >>> sanitize_css('@import "https://evil.example/a.css"; b { color: red }')
    '/* import removed by uxlens */ b { color: red }'
    >>> sanitize_css("background:url(https://evil.example/p.gif?u=1) no-repeat")
    'background:url("data:,") no-repeat'
    >>> sanitize_css("fill: url(#grad)")
    'fill: url(#grad)'
    >>> sanitize_css(r"background: \\75 rl(//evil.example/x)")
    'background: url("data:,")'
    """
    if not isinstance(css, str) or not css:
        return css
    low = css.lower()
    if "\\" not in css and "@import" not in low and "url(" not in low and "image-set" not in low:
        return css
    counter = counts if counts is not None else Counter()

    def drop_import(_: re.Match[str]) -> str:
        counter["css_import"] += 1
        return "/* import removed by uxlens */"

    css = _CSS_IMPORT.sub(drop_import, css)
    out = []
    pos = 0
    for match in _CSS_URL_START.finditer(css):
        if match.start() < pos:
            continue
        arg, end = _scan_url_arg(css, match.end())
        out.append(css[pos : match.start()])
        if _css_target_ok(arg):
            out.append(css[match.start() : end])
        else:
            counter["css_url"] += 1
            out.append(_INERT_CSS_URL)
        pos = end
    out.append(css[pos:])
    css = "".join(out)
    if "image-set" in css.lower() or "\\" in css:
        css = _clean_image_sets(css, counter)
    return css


def _clean_image_sets(css: str, counter: Counter[str]) -> str:
    out = []
    pos = 0
    for match in _CSS_IMAGE_SET.finditer(css):
        if match.start() < pos:
            continue
        depth, j, n = 1, match.end(), len(css)
        while j < n and depth:
            if css[j] in "\"'":
                m = _CSS_STRING.match(css, j)
                j = m.end() if m else j + 1
                continue
            depth += css[j] == "("
            depth -= css[j] == ")"
            j += 1
        body = css[match.end() : j]

        def fix(m: re.Match[str]) -> str:
            inner = m.group(1) if m.group(1) is not None else m.group(2)
            if _css_target_ok(inner or ""):
                return m.group(0)
            counter["css_url"] += 1
            return '"data:,"'

        out.append(css[pos : match.end()])
        out.append(_CSS_STRING.sub(fix, body))
        pos = j
    out.append(css[pos:])
    return "".join(out)


# ------------------------------------------------------------- the walker
class _Ctx:
    __slots__ = ("depth", "flags", "itype", "tag")

    def __init__(self, tag: str | None, flags: int, depth: int, itype: str = "") -> None:
        self.tag = tag
        self.flags = flags
        self.depth = depth
        self.itype = itype


_DROP = object()


@dataclass
class SanitizedRecording:
    """What :func:`sanitize_recording` returns.

    Attributes
    ----------
    events
        The cleaned rrweb events, sorted by time, ready for the replayer.
    counts
        How many of each construct were neutralised (:data:`SECURITY_KINDS`),
        masked (``masked_input``, ``masked_text``, ``blocked_subtree``) or
        skipped (``malformed_event``, ``unknown_node``, ...).
    """

    events: list[dict[str, Any]]
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def neutralised(self) -> int:
        """Total number of dangerous constructs removed or rewritten."""
        return sum(self.counts[k] for k in SECURITY_KINDS)

    @property
    def warnings(self) -> list[str]:
        """Human-readable problems with the recording (what the player skipped)."""
        out = []
        for key, text in _WARNING_TEXT.items():
            n = self.counts.get(key, 0)
            if n:
                out.append(text.format(n=n, max_depth=MAX_DEPTH))
        return out


def _is_number(v: Any) -> bool:
    t = type(v)
    if t is int:
        return True
    if t is float:
        return v - v == 0  # False for inf and nan
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_id(v: Any) -> bool:
    return type(v) is int or (isinstance(v, int) and not isinstance(v, bool))


class _Sanitizer:
    def __init__(self, *, mask: bool | Privacy) -> None:
        policy = Privacy.coerce(mask)
        self.policy = policy
        self.mask = not policy.is_none
        self.text = policy.text
        self.input = policy.input
        self.counts: Counter[str] = Counter()
        self.nodes: dict[int, _Ctx] = {}
        self.dead: set[int] = set()

    # ---------------------------------------------------------- attributes
    def clean_attr(self, ctx: _Ctx, name: Any, value: Any, extra: dict[str, Any]) -> Any:
        """The value to keep for one attribute, ``None`` to delete it, or ``_DROP``."""
        counts = self.counts
        if not isinstance(name, str) or not _ATTR_RE.match(name):
            counts["bad_attribute"] += 1
            return _DROP
        lname = name.lower()
        if lname.startswith("on"):
            counts["event_handler"] += 1
            return _DROP
        if value is None:
            return None
        tag = ctx.tag or ""
        if lname.startswith("rr_"):
            return self._clean_rr(lname, value)
        if isinstance(value, bool):
            return value
        if _is_number(value):
            return value
        if not isinstance(value, str):
            counts["bad_attribute"] += 1
            return _DROP
        big = lname in ("_csstext", "style", "srcset", "src")
        if len(value) > (MAX_BIG_VALUE if big else MAX_ATTRIBUTE):
            counts["huge_attribute"] += 1
            return _DROP
        if lname in ("_csstext", "style"):
            return sanitize_css(value, counts)
        if lname in ("href", "xlink:href"):
            if tag in ("link", "base"):
                counts[_url_kind(value)] += 1
                return _DROP
            kept = safe_url(value, allow="image" if tag in _IMAGE_HREF_TAGS else "fragment")
            if kept is not None:
                return kept
            counts[_url_kind(value)] += 1
            return "#" if tag in _LINK_TAGS else _DROP
        if lname == "src":
            if tag in ("iframe", "frame"):
                counts["iframe_src"] += 1
                return _DROP
            kept = safe_url(value, allow="media" if tag in _MEDIA_TAGS else "fragment")
            if kept is not None and not kept.startswith("#"):
                return kept
            counts[_url_kind(value)] += 1
            if tag in ("img", "input", "image"):
                counts["blocked_image"] += 1
                extra["data-uxlens-blocked"] = "src"
                return _INERT_IMAGE
            return _DROP
        if lname in ("srcset", "imagesrcset"):
            urls = _srcset_urls(value)
            bad = [u for u in urls if safe_url(u, allow="image") is None]
            if not bad:
                return value
            counts[_url_kind(bad[0])] += 1
            if tag == "img":
                extra["data-uxlens-blocked"] = "srcset"
            return _DROP
        if lname in ("poster", "background"):
            kept = safe_url(value, allow="image")
            if kept is not None and not kept.startswith("#"):
                return kept
            counts[_url_kind(value)] += 1
            return _DROP
        if lname in ("action", "formaction"):
            counts["form_action"] += 1
            return _DROP
        if lname == "srcdoc":
            counts["iframe_src"] += 1
            return _DROP
        if lname in _DROP_URL_ATTRS:
            counts[_url_kind(value)] += 1
            return _DROP
        if tag == "meta" and lname == "http-equiv":
            counts["meta_http_equiv"] += 1
            return _DROP
        if tag == "base" and lname == "target":
            return _DROP
        if "(" in value and ("\\" in value or "url(" in value.lower()):
            value = sanitize_css(value, counts)  # SVG presentation attributes: fill=url(...)
        if ctx.flags & _MASK and (lname == "value" or lname in _TEXT_ATTRS):
            return mask_all(value)
        if lname == "value" and tag in ("input", "textarea", "select"):
            if ctx.flags & _IGNORE:
                return mask_all(value)
            if self.mask:
                masked = self.text(value) if ctx.itype in _BUTTON_TYPES else self.input(value)
                if masked != value:
                    counts["masked_input"] += 1
                return masked
            return value
        if self.mask and (lname in _TEXT_ATTRS or lname == "value" or lname.startswith(("data-", "aria-"))):
            masked = self.text(value)
            if masked != value:
                counts["masked_text"] += 1
            return masked
        return value

    def _clean_rr(self, lname: str, value: Any) -> Any:
        if lname == "rr_dataurl":
            kept = safe_url(value, allow="image") if isinstance(value, str) else None
            if kept is not None and not kept.startswith("#") and len(kept) <= MAX_BIG_VALUE:
                return kept
            self.counts["remote_url"] += 1
            return _DROP
        if lname in ("rr_width", "rr_height"):
            return value if isinstance(value, str) and _RR_SIZE_RE.match(value) else _DROP
        if lname in _RR_NUMBERS:
            return value if _is_number(value) else _DROP
        if lname in _RR_BOOLS:
            return value if isinstance(value, bool) else _DROP
        if lname == "rr_mediastate":
            return value if value in ("played", "paused") else _DROP
        if lname == "rr_open_mode":
            return value if value in ("modal", "non-modal") else _DROP
        return _DROP  # rr_src (the original URL of an iframe) and unknown specials

    def clean_attrs(self, ctx: _Ctx, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for name, value in attrs.items():
            kept = self.clean_attr(ctx, name, value, extra)
            if kept is not _DROP and kept is not None:
                out[name] = kept
        out.update(extra)
        return out

    # --------------------------------------------------------------- nodes
    def _kill(self, node: Any) -> None:
        """Mark ``node`` and its subtree as dropped."""
        todo = [node]
        while todo:
            n = todo.pop()
            if not isinstance(n, dict):
                continue
            nid = n.get("id")
            if _is_id(nid):
                self.dead.add(nid)
                self.nodes.pop(nid, None)
            kids = n.get("childNodes")
            if isinstance(kids, list):
                todo.extend(kids)

    def _placeholder(self, nid: int, tag: str, parent: _Ctx, node: Mapping[str, Any]) -> dict:
        for child in node.get("childNodes") or []:
            self._kill(child)
        self.nodes[nid] = _Ctx(tag, _LEAF, parent.depth + 1)
        return {"type": 5, "id": nid, "textContent": f" <{tag}> removed by uxlens "}

    def _one(self, node: Any, parent: _Ctx) -> tuple[dict | None, _Ctx | None]:
        """Clean one node (not its children); return the copy and its context."""
        counts = self.counts
        if not isinstance(node, dict) or not _is_id(node.get("id")) or not _is_id(node.get("type")):
            counts["bad_node"] += 1
            return None, None
        nid, ntype = node["id"], node["type"]
        self.dead.discard(nid)
        depth = parent.depth + 1
        if depth > MAX_DEPTH:
            counts["too_deep"] += 1
            self._kill(node)
            return None, None
        inherited = parent.flags & (_MASK | _IGNORE)
        out = {k: v for k, v in node.items() if k in _NODE_KEYS and k != "childNodes"}
        for key in _NODE_FLAGS:
            if key in out and out[key] is not True:
                del out[key]
        if "rootId" in out and not _is_id(out["rootId"]):
            del out["rootId"]
        if ntype == 0:  # document
            ctx = _Ctx(None, inherited, depth)
            if not isinstance(out.get("compatMode"), str):
                out.pop("compatMode", None)
        elif ntype == 2:
            tag = node.get("tagName")
            if not isinstance(tag, str) or not _TAG_RE.match(tag):
                counts["bad_tag"] += 1
                tag = out["tagName"] = "span"
                out.pop("isCustom", None)
            # classify by local name: createElementNS(svg, "x:script") *is* a script
            ltag = tag.lower().rsplit(":", 1)[-1]
            if ltag in _REMOVED_TAGS or ltag in _SVG_ANIMATION:
                key = "script" if ltag == "script" else (
                    "svg_animation" if ltag in _SVG_ANIMATION else "removed_element"
                )
                counts[key] += 1
                return self._placeholder(nid, ltag, parent, node), None
            if out.get("isCustom") and (not _CUSTOM_RE.match(tag) or tag in _RESERVED_CUSTOM):
                out.pop("isCustom")
            attrs = node.get("attributes")
            attrs = attrs if isinstance(attrs, dict) else {}
            flags = inherited
            cls = attrs.get("class")
            classes = cls.split() if isinstance(cls, str) else []
            if is_masked_element(attrs):
                flags |= _MASK
            if "rr-ignore" in classes:
                flags |= _IGNORE
            if "rr-block" in classes:
                flags |= _BLOCK
            if ltag == "style":
                flags |= _STYLE
            elif ltag == "textarea":
                flags |= _TEXTAREA
            itype = str(attrs.get("type", "")).lower() if ltag == "input" else ""
            ctx = _Ctx(ltag, flags, depth, itype)
            out["attributes"] = self.clean_attrs(ctx, attrs)
            if ltag == "meta" and any(str(k).lower() == "http-equiv" for k in attrs):
                out["attributes"].pop("content", None)  # e.g. "0;url=..." of a refresh
        elif ntype in (3, 4, 5):
            text = node.get("textContent")
            text = text if isinstance(text, str) else ""
            if len(text) > MAX_TEXT:
                counts["huge_text"] += 1
                text = text[:MAX_TEXT]
            if ntype == 3:
                text = self.clean_text(parent.flags, text, is_style=bool(node.get("isStyle")))
            elif ntype == 5 and self.mask:
                text = self.text(text)
            out["textContent"] = text
            style = _STYLE if node.get("isStyle") is True else 0
            ctx = _Ctx(None, (parent.flags & ~_BLOCK) | _LEAF | style, depth)
        elif ntype == 1:
            for key in ("name", "publicId", "systemId"):
                if not isinstance(out.get(key), str):
                    out[key] = "html" if key == "name" else ""
            ctx = _Ctx(None, _LEAF, depth)
        else:
            counts["bad_node"] += 1
            self._kill(node)
            return None, None
        self.nodes[nid] = ctx
        return out, ctx

    def clean_text(self, flags: int, text: str, *, is_style: bool = False) -> str:
        if flags & _STYLE or is_style:
            return sanitize_css(text, self.counts)
        if flags & _MASK:
            return mask_all(text)
        if flags & _TEXTAREA:
            if flags & _IGNORE:
                return mask_all(text)
            if self.mask:
                masked = self.input(text)
                if masked != text:
                    self.counts["masked_input"] += 1
                return masked
            return text
        if self.mask:
            masked = self.text(text)
            if masked != text:
                self.counts["masked_text"] += 1
            return masked
        return text

    def tree(self, node: Any, parent: _Ctx) -> dict | None:
        """Clean a serialized subtree iteratively (recordings can nest very deep)."""
        root, ctx = self._one(node, parent)
        if root is None or ctx is None:
            return root
        stack = [(node, root, ctx)]
        while stack:
            src, dst, dctx = stack.pop()
            kids = src.get("childNodes")
            if src.get("type") not in (0, 2):
                continue
            dst["childNodes"] = []
            if not isinstance(kids, list):
                continue
            if dctx.flags & _BLOCK:
                if kids:
                    self.counts["blocked_subtree"] += 1
                for kid in kids:
                    self._kill(kid)
                continue
            todo = []
            for kid in kids:
                out, kctx = self._one(kid, dctx)
                if out is None:
                    continue
                dst["childNodes"].append(out)
                if kctx is not None and kid.get("type") in (0, 2):
                    todo.append((kid, out, kctx))
            stack.extend(reversed(todo))
        return root

    # --------------------------------------------------------------- events
    def full_snapshot(self, data: Mapping[str, Any]) -> dict | None:
        self.nodes.clear()
        self.dead.clear()
        node = data.get("node")
        if not isinstance(node, dict) or node.get("type") != 0:
            self.counts["malformed_event"] += 1
            return None
        root = self.tree(node, _Ctx(None, 0, -1))
        if root is None:
            self.counts["malformed_event"] += 1
            return None
        out = {"node": root, "initialOffset": {"top": 0, "left": 0}}
        offset = data.get("initialOffset")
        if isinstance(offset, dict):
            out["initialOffset"] = {
                k: offset[k] if _is_number(offset.get(k)) else 0 for k in ("top", "left")
            }
        return out

    def mutation(self, data: Mapping[str, Any]) -> dict[str, Any]:
        counts, nodes, dead = self.counts, self.nodes, self.dead
        out: dict[str, Any] = {"source": _MUTATION, "texts": [], "attributes": [],
                               "removes": [], "adds": []}
        if data.get("isAttachIframe") is True:
            out["isAttachIframe"] = True
        for rem in data.get("removes") or []:
            if not isinstance(rem, dict) or not _is_id(rem.get("id")):
                counts["unknown_node"] += 1
                continue
            nid = rem["id"]
            if nid in dead:
                continue
            if nid not in nodes:
                counts["unknown_node"] += 1
                continue
            nodes.pop(nid, None)
            clean = {"parentId": rem.get("parentId"), "id": nid}
            if rem.get("isShadow") is True:
                clean["isShadow"] = True
            out["removes"].append(clean)
        adds = [a for a in (data.get("adds") or []) if isinstance(a, dict)]
        if len(adds) < len(data.get("adds") or []):
            counts["unknown_node"] += len(data.get("adds") or []) - len(adds)
        # Adds may name a parent added later in the same batch: resolve in passes,
        # then emit in the recorded order (the replayer does its own ordering).
        cleaned: dict[int, dict] = {}
        pending = list(range(len(adds)))
        while pending:
            left = []
            for i in pending:
                add = adds[i]
                pid = add.get("parentId")
                node = add.get("node")
                if not _is_id(pid) or not isinstance(node, dict):
                    counts["unknown_node"] += 1
                    continue
                if pid in dead or (pid in nodes and nodes[pid].flags & (_LEAF | _BLOCK)):
                    self._kill(node)
                    continue
                if pid not in nodes:
                    left.append(i)
                    continue
                clean_node = self.tree(node, nodes[pid])
                if clean_node is None:
                    continue
                next_id = add.get("nextId")
                if next_id is not None and (not _is_id(next_id) or next_id in dead):
                    next_id = None
                entry = {"parentId": pid, "nextId": next_id, "node": clean_node}
                prev = add.get("previousId")
                if _is_id(prev) and prev not in dead:
                    entry["previousId"] = prev
                cleaned[i] = entry
            if left and len(left) == len(pending):
                counts["unknown_node"] += len(left)
                for i in left:
                    self._kill(adds[i].get("node"))
                break
            pending = left
        out["adds"] = [cleaned[i] for i in sorted(cleaned)]
        for item in data.get("texts") or []:
            if not isinstance(item, dict) or not _is_id(item.get("id")):
                counts["unknown_node"] += 1
                continue
            nid = item["id"]
            if nid in dead:
                continue
            ctx = nodes.get(nid)
            if ctx is None:
                counts["unknown_node"] += 1
                continue
            value = item.get("value")
            if isinstance(value, str):
                if len(value) > MAX_TEXT:
                    counts["huge_text"] += 1
                    value = value[:MAX_TEXT]
                value = self.clean_text(ctx.flags, value)
            elif value is not None:
                value = ""
            out["texts"].append({"id": nid, "value": value})
        for item in data.get("attributes") or []:
            if not isinstance(item, dict) or not _is_id(item.get("id")):
                counts["unknown_node"] += 1
                continue
            nid = item["id"]
            if nid in dead:
                continue
            ctx = nodes.get(nid)
            change = item.get("attributes")
            if ctx is None or not isinstance(change, dict):
                counts["unknown_node"] += 1
                continue
            if ctx.flags & _LEAF:
                continue
            clean = self._attribute_change(ctx, change)
            if clean:
                out["attributes"].append({"id": nid, "attributes": clean})
        return out

    def _attribute_change(self, ctx: _Ctx, change: Mapping[str, Any]) -> dict[str, Any]:
        clean: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for name, value in change.items():
            if name == "style" and isinstance(value, dict):
                style = {}
                for prop, v in value.items():
                    if not isinstance(prop, str) or not _CSS_PROP_RE.match(prop):
                        continue
                    if isinstance(v, str):
                        style[prop] = sanitize_css(v, self.counts)
                    elif isinstance(v, list) and v and isinstance(v[0], str):
                        prio = v[1] if len(v) > 1 and v[1] == "important" else ""
                        style[prop] = [sanitize_css(v[0], self.counts), prio]
                    elif v is False:
                        style[prop] = False
                if style:
                    clean["style"] = style
                continue
            if name == "type" and ctx.tag == "input" and isinstance(value, str):
                ctx.itype = value.lower()
            if name == "class" and isinstance(value, str):
                fake = {"class": value}
                if is_masked_element(fake):
                    ctx.flags |= _MASK
            kept = self.clean_attr(ctx, name, value, extra)
            if kept is not _DROP:
                clean[name] = kept
        clean.update(extra)
        return clean

    def incremental(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        source = data.get("source")
        counts, nodes, dead = self.counts, self.nodes, self.dead
        if source == _MUTATION:
            return self.mutation(data)
        if source in (_MOVE, _TOUCH, _DRAG):
            raw = data.get("positions") or ()
            positions = []
            for p in raw:
                if type(p) is not dict:
                    continue
                x, y, nid, off = p.get("x"), p.get("y"), p.get("id"), p.get("timeOffset")
                if _is_number(x) and _is_number(y):
                    if len(p) == 4 and _is_id(nid) and _is_number(off):
                        positions.append(p)  # already clean: shared, never modified
                    else:
                        positions.append({"x": x, "y": y, "id": nid if _is_id(nid) else -1,
                                          "timeOffset": off if _is_number(off) else 0})
            return {"source": source, "positions": positions} if positions else None
        if source == _MOUSE:
            out = {"source": source, "type": data.get("type"), "id": data.get("id")}
            if not _is_id(out["type"]) or not _is_id(out["id"]):
                return None
            for key in ("x", "y"):
                if _is_number(data.get(key)):
                    out[key] = data[key]
            if _is_id(data.get("pointerType")):
                out["pointerType"] = data["pointerType"]
            return out
        if source == _SCROLL:
            if not (_is_id(data.get("id")) and _is_number(data.get("x")) and _is_number(data.get("y"))):
                return None
            return {"source": source, "id": data["id"], "x": data["x"], "y": data["y"]}
        if source == _RESIZE:
            w, h = data.get("width"), data.get("height")
            if not (_is_number(w) and _is_number(h)):
                return None
            return {"source": source, "width": _clamp(w), "height": _clamp(h)}
        if source == _INPUT:
            nid = data.get("id")
            if not _is_id(nid) or nid in dead:
                return None
            ctx = nodes.get(nid)
            if ctx is None:
                counts["unknown_node"] += 1
                return None
            text = data.get("text")
            text = text if isinstance(text, str) else ""
            if ctx.flags & (_MASK | _IGNORE):
                text = mask_all(text)
            elif self.mask:
                masked = self.text(text) if ctx.itype in _BUTTON_TYPES else self.input(text)
                if masked != text:
                    counts["masked_input"] += 1
                text = masked
            out = {"source": source, "id": nid, "text": text,
                   "isChecked": bool(data.get("isChecked"))}
            if isinstance(data.get("userTriggered"), bool):
                out["userTriggered"] = data["userTriggered"]
            return out
        if source in (_MEDIA, _SELECTION):
            return _plain_copy(data)
        if source == _SHEET_RULE:
            out = _plain_copy(data)
            adds = []
            for rule in data.get("adds") or []:
                if isinstance(rule, dict) and isinstance(rule.get("rule"), str):
                    adds.append({**rule, "rule": sanitize_css(rule["rule"], counts)})
            out["adds"] = adds
            for key in ("replace", "replaceSync"):
                if key in out:
                    out[key] = sanitize_css(out[key], counts) if isinstance(out[key], str) else ""
            return out
        if source == _DECLARATION:
            out = _plain_copy(data)
            decl = data.get("set")
            if isinstance(decl, dict):
                out["set"] = {**decl, "value": sanitize_css(decl.get("value"), counts)}
            return out
        if source == _ADOPTED:
            out = _plain_copy(data)
            styles = []
            for style in data.get("styles") or []:
                if not isinstance(style, dict):
                    continue
                rules = [
                    {**r, "rule": sanitize_css(r["rule"], counts)}
                    for r in style.get("rules") or []
                    if isinstance(r, dict) and isinstance(r.get("rule"), str)
                ]
                styles.append({**style, "rules": rules})
            if "styles" in out:
                out["styles"] = styles
            return out
        if source == _FONT:
            if data.get("buffer") is True:
                return _plain_copy(data)
            counts["font_url"] += 1
            return None
        if source == _CANVAS:
            if _has_remote_src(data):
                counts["canvas_url"] += 1
                return None
            return _plain_copy(data)
        if source == _CUSTOM_ELEMENT:
            define = data.get("define")
            name = define.get("name") if isinstance(define, dict) else None
            if isinstance(name, str) and _CUSTOM_RE.match(name) and name not in _RESERVED_CUSTOM:
                return {"source": source, "define": {"name": name}}
            return None
        counts["not_replayed"] += 1
        return None


def _clamp(v: float) -> int:
    return int(min(max(v, 1), MAX_VIEWPORT))


def _plain_copy(data: Mapping[str, Any]) -> dict[str, Any]:
    return dict(data)


def _has_remote_src(data: Any) -> bool:
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "src" and isinstance(value, str) and safe_url(value, allow="image") is None:
                    return True
                if isinstance(value, (dict, list)):
                    todo.append(value)
        elif isinstance(item, list):
            todo.extend(v for v in item if isinstance(v, (dict, list)))
    return False


def sanitize_recording(
    events: Iterable[Mapping[str, Any]], *, mask: bool | Privacy = True
) -> SanitizedRecording:
    """Clean rrweb events so that rebuilding them runs nothing and fetches nothing.

    Parameters
    ----------
    events
        Raw rrweb events of one recording (``EventLog.recordings[session_id]``),
        in any order. They are not modified.
    mask
        Mask typed values and personal data (see :mod:`uxlens.privacy`): ``True``
        is the default :class:`~uxlens.privacy.Privacy` policy, a ``Privacy``
        applies its own choices and custom ``patterns`` (to texts, attribute
        values, typed values and the page URL). ``False`` (or
        ``Privacy.none()``) shows what was recorded, except subtrees the page
        itself marked private (``rr-mask``, ``rr-block``, ``data-private``).

    Returns
    -------
    SanitizedRecording
        ``events`` sorted by time (DomContentLoaded, Load, Meta, FullSnapshot
        and incremental events only), ``counts`` of what was neutralised,
        masked or skipped, and ``warnings`` for the player.

    Examples
    --------
    >>> snap = {"type": 2, "timestamp": 1000, "data": {"node": {"type": 0, "id": 1,
    ...     "childNodes": [{"type": 2, "id": 2, "tagName": "html", "attributes": {},
    ...     "childNodes": [{"type": 2, "id": 3, "tagName": "body", "attributes": {},
    ...     "childNodes": [
    ...       {"type": 2, "id": 4, "tagName": "script", "attributes": {},
    ...        "childNodes": [{"type": 3, "id": 5, "textContent": "steal()"}]},
    ...       {"type": 2, "id": 6, "tagName": "img",
    ...        "attributes": {"src": "https://evil.example/t.gif", "onerror": "steal()"},
    ...        "childNodes": []}]}]}]}}}
    >>> typed = {"type": 3, "timestamp": 1500, "data": {"source": 5, "id": 6,
    ...     "text": "ann@example.com", "isChecked": False}}
    >>> clean = sanitize_recording([typed, snap])
    >>> body = clean.events[0]["data"]["node"]["childNodes"][0]["childNodes"][0]
    >>> body["childNodes"][0]
    {'type': 5, 'id': 4, 'textContent': ' <script> removed by uxlens '}
    >>> sorted(body["childNodes"][1]["attributes"])
    ['data-uxlens-blocked', 'src']
    >>> clean.events[1]["data"]["text"]
    '***@*******.***'
    >>> clean.counts["script"], clean.counts["event_handler"], clean.counts["remote_url"]
    (1, 1, 1)
    >>> clean.warnings
    ['1 event(s) arrived out of time order and were sorted']
    """
    s = _Sanitizer(mask=mask)
    counts = s.counts
    valid = []
    latest = -math.inf
    for ev in events:
        if not (type(ev) is dict or isinstance(ev, Mapping)) or not _is_id(ev.get("type")) or not (
            _is_number(ev.get("timestamp"))
        ) or not isinstance(ev.get("data", {}), Mapping):
            counts["malformed_event"] += 1
            continue
        ts = ev["timestamp"]
        if ts < latest:
            counts["out_of_order"] += 1
        latest = max(latest, ts)
        valid.append(ev)
    valid.sort(key=lambda e: e["timestamp"])
    out: list[dict[str, Any]] = []
    seen_snapshot = False
    for ev in valid:
        etype = ev["type"]
        data = ev.get("data") or {}
        clean: dict[str, Any] | None
        if etype in (0, 1):
            clean = {}
        elif etype == 4:
            w, h = data.get("width"), data.get("height")
            if not (_is_number(w) and _is_number(h)):
                counts["malformed_event"] += 1
                continue
            href = data.get("href") if isinstance(data.get("href"), str) else ""
            clean = {"href": s.policy.url(href), "width": _clamp(w),
                     "height": _clamp(h)}
        elif etype == 2:
            clean = s.full_snapshot(data)
            seen_snapshot = seen_snapshot or clean is not None
        elif etype == 3:
            if not seen_snapshot:
                counts["before_snapshot"] += 1
                continue
            clean = s.incremental(data)
        else:
            counts["not_replayed"] += 1  # custom, plugin (console/network), asset
            continue
        if clean is None:
            continue
        out.append({"type": etype, "data": clean, "timestamp": ev["timestamp"]})
    if not seen_snapshot:
        counts["no_snapshot"] = 1
    return SanitizedRecording(out, counts)
