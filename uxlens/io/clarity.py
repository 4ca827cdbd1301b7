"""Read Microsoft Clarity recordings into the canonical events schema.

`clarity-js <https://github.com/microsoft/clarity>`_ (MIT) uploads each page
view as a series of *payloads*: a JSON object ``{"e": envelope, "a": [...],
"p": [...]}``. The envelope is ``[version, sequence, start, duration,
projectId, userId, sessionId, pageNum, upload, end, platform, url]``; ``a``
(analytics) and ``p`` (playback: the DOM) are arrays of encoded events
``[time, type, ...data]``, where ``time`` is milliseconds since the page's
Clarity start and ``type`` is clarity-js's ``Event`` enum
(``types/data.d.ts``). The ``clarity-decode`` package turns a payload into
``{"timestamp", "envelope": {...}, "click": [{"time", "event", "data"}], ...}``
(events grouped per type). :func:`read_clarity` reads both forms.

A page's wall-clock start comes from its ``Metric`` event (key 0,
``ClientTimestamp``, in the page's first payload); a decoded payload without
it is placed by its decode ``timestamp`` (noted in ``meta["notes"]``).

How each Clarity event becomes rows: see :func:`read_clarity` (Notes).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pandas as pd

from ..eventlog import EventLog
from ..events import EVENT_NAMES, make_rejected, validate
from ..exceptions import RecordingFormatError, UxlensError
from ..privacy import Privacy, is_masked_element, mask_all
from ._json import find_recording_files, is_jsonl_name, iter_json_lines, read_bytes
from .dom import _css_escape
from .posthog import _returning  # one definition of "returning" for the table readers
from .rrweb import MAX_COORDINATE, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS

__all__ = ["read_clarity", "CLARITY_EVENTS"]

#: clarity-js's ``Event`` enum (``packages/clarity-js/types/data.d.ts``, 0.8.70).
CLARITY_EVENTS: dict[int, str] = {
    0: "Metric", 1: "Dimension", 2: "Upload", 3: "Upgrade", 4: "Baseline", 5: "Discover",
    6: "Mutation", 7: "Region", 8: "Document", 9: "Click", 10: "Scroll", 11: "Resize",
    12: "MouseMove", 13: "MouseDown", 14: "MouseUp", 15: "MouseWheel", 16: "DoubleClick",
    17: "TouchStart", 18: "TouchEnd", 19: "TouchMove", 20: "TouchCancel", 21: "Selection",
    22: "Timeline", 23: "Page", 24: "Custom", 25: "Ping", 26: "Unload", 27: "Input",
    28: "Visibility", 29: "Navigation", 30: "Connection", 31: "ScriptError", 32: "ImageError",
    33: "Log", 34: "Variable", 35: "Limit", 36: "Summary", 37: "Box", 38: "Clipboard",
    39: "Submit", 40: "Extract", 41: "Fraud", 42: "Change", 43: "Snapshot", 44: "Animation",
    45: "StyleSheetAdoption", 46: "StyleSheetUpdate", 47: "Consent", 48: "ContextMenu",
    50: "Focus", 51: "CustomElement", 52: "Chat", 53: "PointerDown", 100: "WebViewDiscover",
    101: "WebViewMutation", 102: "MutationError", 103: "FragmentVisibility", 104: "Keystrokes",
    105: "BackGesture", 106: "WebViewStatus", 107: "AppInstallReferrer",
}
#: Console messages are cut to this many characters (as in read_rrweb).
MAX_MESSAGE = 500
#: Directories with more files than this show a progress bar (``progress=None``).
PROGRESS_MIN_FILES = 8

_READER = "read_clarity"
_MEMORY = "<memory>"
_BUILTIN = frozenset(EVENT_NAMES)
_POINTER_ROWS = {16: "dblclick", 12: "mousemove", 17: "touch"}
_POINTER_TYPES = frozenset({12, 13, 14, 15, 16, 17, 18, 19, 20, 53})
_DOM_TYPES = frozenset({5, 6, 43})
_SEVERITY = {0: "info", 1: "warn", 2: "error", 3: "error"}
_CLIPBOARD = {0: "cut", 1: "copy", 2: "paste"}
_PAGE_TAGS = frozenset({"HTML", "BODY"})
#: Variable keys written by ``clarity("identify", ...)`` (clarity-js ``Constant``).
_IDENTITY_KEYS = {"userId": "user_id", "userHint": "user_hint", "userType": "user_type",
                  "sessionId": "custom_session_id", "pageId": "custom_page_id"}
#: Columns the reader writes itself; tags with these names get a ``tag_`` prefix.
_READER_COLUMNS = frozenset({
    "session_id", "user_id", "timestamp", "event", "url", "query", "x", "y", "viewport_w",
    "viewport_h", "page_h", "scroll_y", "target", "target_text", "device", "source",
    "is_returning", "level", "message", "method", "status", "duration_ms", "seq", "page_num",
    "value", "link", "clarity_hash", "scroll_top", "input_type", "clipboard_action",
    "changes", "error_source", "error_line", "error_column", "log_code", "custom_value",
    "visible", "unload_type", "clarity_user_id", "user_hint", "user_type",
    "custom_session_id", "custom_page_id",
})


class _Reject(Exception):
    """A raw record that cannot be used; the message is the reason."""


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _num(v: Any, what: str) -> float:
    if not _is_num(v):
        raise _Reject(f"malformed {what}: expected a finite number, got {_found(v)}")
    return float(v)


def _coord(v: Any, what: str) -> float:
    x = _num(v, what)
    if abs(x) > MAX_COORDINATE:
        raise _Reject(f"malformed {what}: {x:g} px is out of range")
    return x


def _opt_num(v: Any) -> float | None:
    return float(v) if _is_num(v) else None


def _text(v: Any) -> str | None:
    if v is None or isinstance(v, (dict, list)):
        return None
    return v if isinstance(v, str) else str(v)


def _found(v: Any) -> str:
    text = repr(v)
    return f"{type(v).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"


def _event_name(name: str) -> str:
    return f"custom:{name}" if name in _BUILTIN else name


# --------------------------------------------------------------------------- decoding
def _pairs(tokens: list[Any]) -> list[tuple[Any, Any]]:
    return [(tokens[i], tokens[i + 1]) for i in range(2, len(tokens) - 1, 2)]


def _at(tokens: list[Any], i: int) -> Any:
    return tokens[i] if len(tokens) > i else None


def _decode_tokens(tokens: list[Any]) -> dict[str, Any] | list[Any] | None:
    """The ``data`` clarity-decode would give for the event types the reader uses."""
    etype = tokens[1]
    if etype in (0, 1, 34):
        return {k: v for k, v in _pairs(tokens) if isinstance(k, (str, int, float))}
    if etype in (9, 48):
        return {"target": _at(tokens, 2), "x": _at(tokens, 3), "y": _at(tokens, 4),
                "text": _at(tokens, 10), "link": _at(tokens, 11),
                "hash": str(tokens[12]).split(".")[0] if len(tokens) > 12 else None,
                "tag": _at(tokens, 17), "class": _at(tokens, 18), "id": _at(tokens, 19)}
    if etype in _POINTER_TYPES or etype == 10:
        return {"target": _at(tokens, 2), "x": _at(tokens, 3), "y": _at(tokens, 4)}
    if etype in (8, 11):
        return {"width": _at(tokens, 2), "height": _at(tokens, 3)}
    if etype == 21:
        return {"start": _at(tokens, 2), "end": _at(tokens, 4)}
    if etype == 24:
        if len(tokens) > 3:
            return {"key": tokens[2], "value": tokens[3]}
        return {"value": _at(tokens, 2)}
    if etype == 26:
        return {"name": _at(tokens, 2), "persisted": _at(tokens, 3)}
    if etype == 27:
        return {"target": _at(tokens, 2), "value": _at(tokens, 3)}
    if etype == 28:
        return {"visible": _at(tokens, 2)}
    if etype == 31:
        return {"message": _at(tokens, 2), "line": _at(tokens, 3), "column": _at(tokens, 4),
                "source": _at(tokens, 6)}
    if etype == 33:
        return {"code": _at(tokens, 2), "name": _at(tokens, 3), "message": _at(tokens, 4),
                "severity": _at(tokens, 6)}
    if etype == 38:
        return {"target": _at(tokens, 2), "action": _at(tokens, 3)}
    if etype == 39:
        return {"target": _at(tokens, 2)}
    if etype == 42:
        return {"target": _at(tokens, 2), "type": _at(tokens, 3), "value": _at(tokens, 4)}
    if etype in _DOM_TYPES:
        return _decode_dom(tokens)
    return None


def _decode_dom(tokens: list[Any]) -> list[dict[str, Any]]:
    """Nodes of a Discover/Mutation/Snapshot event, as clarity-decode's ``layout.decode``.

    A node is a run of numbers (id, parent, previous) then strings (tag,
    ``key=value`` attributes, text); a nested list of indexes repeats earlier
    tokens of the same event (clarity-js's dictionary compression).
    """
    nodes: list[dict[str, Any]] = []
    node: list[Any] = []
    n_numbers = 0
    last: type | None = None
    for token in tokens[2:]:
        kind: type = str if isinstance(token, str) else type(token)
        if _is_num(token) or isinstance(token, bool):
            kind = int
            if last is not int and last is not None:
                nodes.append(_dom_node(node, n_numbers))
                node, n_numbers = [], 0
            node.append(token)
            n_numbers += 1
        elif isinstance(token, str):
            node.append(token)
        elif token is None:
            continue  # clarity-js never writes null here; tolerate it like an empty token
        elif isinstance(token, list):
            for index in token:
                ok = _is_num(index) and index == int(index) and 0 <= index < len(tokens)
                node.append(tokens[int(index)] if ok else None)
        else:
            raise _Reject(f"malformed DOM event: token {_found(token)}")
        last = kind
    if node:
        nodes.append(_dom_node(node, n_numbers))
    return nodes


def _dom_node(node: list[Any], n_numbers: int) -> dict[str, Any]:
    if not n_numbers or not _is_num(node[0]):
        raise _Reject("malformed DOM event: a node without a numeric id")
    tag = node[n_numbers] if len(node) > n_numbers else None
    out: dict[str, Any] = {
        "id": abs(node[0]),
        "parent": node[1] if n_numbers > 1 else None,
        "previous": node[2] if n_numbers > 2 else None,
        "tag": tag.split("~")[0] if isinstance(tag, str) else None,
        "masked": node[0] < 0,
    }
    attributes = {}
    rest = node[n_numbers + 1:]
    for i, token in enumerate(rest):
        if out["tag"] == "STYLE" and i == len(rest) - 1:
            break  # a style element's last token is its CSS text
        if isinstance(token, str) and token.find("=") > 0 and out["tag"] != "*T":
            key, _, value = token.partition("=")
            attributes[key] = value
    if attributes:
        out["attributes"] = attributes
    return out


# --------------------------------------------------------------------------- DOM
class _Dom:
    """Clarity's DOM of one page: node id -> tag, attributes, parent, sibling order."""

    def __init__(self) -> None:
        self.nodes: dict[Any, dict[str, Any]] = {}
        self.children: dict[Any, list[Any]] = {}
        self.cache: dict[Any, str | None] = {}

    def apply(self, nodes: Any) -> int:
        if not isinstance(nodes, list):
            raise _Reject("malformed DOM event: data is not a list of nodes")
        self.cache.clear()
        for n in nodes:
            if not isinstance(n, Mapping) or not _is_num(n.get("id")):
                raise _Reject("malformed DOM event: a node without a numeric id")
            nid = n["id"]
            old = self.nodes.get(nid)
            entry = dict(old) if old else {"tag": None, "attributes": {}, "parent": None}
            if isinstance(n.get("tag"), str):
                entry["tag"] = n["tag"]
            attrs = n.get("attributes")
            if isinstance(attrs, Mapping):
                entry["attributes"] = {str(k): v for k, v in attrs.items()}
            entry["masked"] = bool(n.get("masked")) or (old or {}).get("masked", False)
            parent = n.get("parent")
            if old is not None and old.get("parent") is not None:
                siblings = self.children.get(old["parent"])
                if siblings and nid in siblings:
                    siblings.remove(nid)
            if _is_num(parent):
                entry["parent"] = parent
                siblings = self.children.setdefault(parent, [])
                prev = n.get("previous")
                where = siblings.index(prev) + 1 if prev in siblings else 0
                siblings.insert(where, nid)
            else:
                entry["parent"] = None
            self.nodes[nid] = entry
        return len(nodes)

    def tag(self, nid: Any) -> str | None:
        node = self.nodes.get(nid) if _is_num(nid) else None
        return node["tag"] if node else None

    def is_masked(self, nid: Any) -> bool:
        seen = 0
        while _is_num(nid) and seen < 512:
            node = self.nodes.get(nid)
            if node is None:
                return False
            attrs = node.get("attributes")
            if node.get("masked") or is_masked_element(attrs) or _clarity_masked(attrs):
                return True
            nid, seen = node.get("parent"), seen + 1
        return False

    def _segment(self, nid: Any, node: Mapping[str, Any]) -> tuple[str, bool]:
        tag = _css_tag(node["tag"])
        attrs = node.get("attributes") or {}
        ident = attrs.get("id")
        seg = tag + ("#" + _css_escape(str(ident)) if ident else "")
        classes = str(attrs.get("class") or "").split()
        seg += "".join("." + _css_escape(c) for c in classes)
        if ident or tag in ("html", "body"):
            return seg, bool(ident)
        same = [s for s in self.children.get(node.get("parent"), []) if s != nid
                and _css_tag(self.tag(s)) == tag
                and not (self.nodes[s].get("attributes") or {}).get("id")
                and _classes(self.nodes[s]) == _classes(node)]
        if same:
            family = [s for s in self.children.get(node.get("parent"), [])
                      if _css_tag(self.tag(s)) == tag]
            seg += f":nth-of-type({family.index(nid) + 1})"
        return seg, False

    def selector(self, nid: Any) -> str | None:
        if not _is_num(nid):
            return None
        if nid in self.cache:
            return self.cache[nid]
        parts: list[str] = []
        current, steps = nid, 0
        while _is_num(current) and steps < 512:
            node = self.nodes.get(current)
            tag = node.get("tag") if node else None
            if tag == "*T" and not parts:  # a text node (a selection's start): its element
                current, steps = node.get("parent"), steps + 1
                continue
            if tag == "HTML" and not parts:
                parts.append("html")  # the target itself; otherwise html is left out
            if not isinstance(tag, str) or tag.startswith("*") or tag == "HTML":
                break
            seg, stop = self._segment(current, node)
            parts.append(seg)
            if stop or tag == "BODY":
                break
            current, steps = node.get("parent"), steps + 1
        out = " > ".join(reversed(parts)) or None
        self.cache[nid] = out
        return out


def _clarity_masked(attrs: Mapping[str, Any] | None) -> bool:
    """Clarity's own opt-in: ``data-clarity-mask="true"`` masks an element's subtree."""
    value = (attrs or {}).get("data-clarity-mask")
    return value is not None and str(value).strip().lower() == "true"


def _classes(node: Mapping[str, Any]) -> list[str]:
    return str((node.get("attributes") or {}).get("class") or "").split()


def _css_tag(tag: Any) -> str:
    text = str(tag or "*").lower()
    return text.split(":", 1)[1] if text.startswith("svg:") else text


def _click_selector(data: Mapping[str, Any]) -> str | None:
    """``tag#id.class`` of a click's element from the click event itself (no DOM)."""
    tag = data.get("tag")
    if not isinstance(tag, str) or not tag:
        return None
    seg = tag.lower()
    if isinstance(data.get("id"), str) and data["id"]:
        seg += "#" + _css_escape(data["id"])
    if isinstance(data.get("class"), str):
        seg += "".join("." + _css_escape(c) for c in data["class"].split())
    return seg


# --------------------------------------------------------------------------- reader
class _Page:
    def __init__(self, session_id: str, user_id: str, page_num: int) -> None:
        self.session_id = session_id
        self.user_id = user_id
        self.page_num = page_num
        self.start: float | None = None
        self.estimated_start: float | None = None
        self.url: str | None = None
        self.referrer: str | None = None
        self.envelope_url: tuple[int, str] | None = None
        self.events: list[tuple[float, int, int, Any, tuple[str, Any, Any]]] = []


class _Reader:
    def __init__(self, privacy: Privacy) -> None:
        self.privacy = privacy
        self.read = 0
        self.rejected: list[tuple[str, Any, str, Any]] = []
        self.pages: dict[tuple[str, int], _Page] = {}
        self.uploads: set[tuple[str, int, int]] = set()
        self.tags: dict[str, dict[str, Any]] = {}
        self.identified: dict[str, str] = {}
        self.types: Counter[str] = Counter()
        self.projects: set[str] = set()
        self.versions: set[str] = set()
        self.notes: list[str] = []
        self.sources: list[str] = []
        self.order = 0

    def reject(self, source: str, position: Any, reason: str, raw: Any) -> None:
        self.rejected.append((source, position, reason, raw))

    # ---- inputs
    def add_path(self, path: Path, progress: bool | None) -> None:
        if path.is_dir():
            files, _ = find_recording_files(path)
            if not files:
                raise RecordingFormatError(
                    f"{_READER}: no .json/.jsonl files under {str(path)!r}. Expected Clarity "
                    "payloads as JSON lines (one payload per line) or JSON arrays. Fix: point "
                    "at the folder holding the exported payloads."
                )
            show = progress if progress is not None else len(files) > PROGRESS_MIN_FILES
            iterator: Iterable[Path] = files
            if show:
                from tqdm.auto import tqdm

                iterator = tqdm(files, unit="file", desc="reading Clarity payloads")
            for file in iterator:
                self.add_file(file, name=str(file.relative_to(path)))
        else:
            self.add_file(path, name=path.name)

    def add_file(self, path: Path, *, name: str) -> None:
        self.sources.append(str(path))
        self.add_bytes(read_bytes(path), name, jsonl=is_jsonl_name(path))

    def add_bytes(self, data: bytes, source: str, *, jsonl: bool = False) -> None:
        if not jsonl:
            try:
                whole = orjson.loads(data)
            except orjson.JSONDecodeError:
                whole = None
                jsonl = True
            if not jsonl:
                self.add_value(whole, source)
                return
        for number, value, error in iter_json_lines(data):
            where = f"line {number}"
            if error is not None:
                self.read += 1
                self.reject(source, where, f"{error}; the line was skipped", value)
                continue
            if isinstance(value, list) and value and not _looks_like_envelope(value):
                for k, item in enumerate(value):
                    self.add_payload(item, source, f"{where} [{k}]")
            else:
                self.add_payload(value, source, where)

    def add_value(self, value: Any, source: str) -> None:
        if isinstance(value, Mapping) and isinstance(value.get("payloads"), list):
            value = value["payloads"]
        if isinstance(value, list):
            for k, item in enumerate(value):
                self.add_payload(item, source, f"payload {k}")
        else:
            self.add_payload(value, source, "payload 0")

    def add_payload(self, value: Any, source: str, where: str) -> None:
        raw = value
        if isinstance(value, (bytes, bytearray)):
            value = bytes(value).decode("utf-8", "replace")
        if isinstance(value, str):
            try:
                value = orjson.loads(value)
                if isinstance(value, str):  # a payload string stored as a JSON string
                    value = orjson.loads(value)
            except orjson.JSONDecodeError as exc:
                self.read += 1
                self.reject(source, where, f"payload is not valid JSON: {exc}", raw)
                return
        if not isinstance(value, Mapping):
            self.read += 1
            self.reject(source, where, f"not a Clarity payload: expected an object "
                        f"{{'e', 'a', 'p'}} or clarity-decode output, got {_found(value)}", raw)
            return
        if "e" in value and "a" in value:
            self._add_raw(value, source, where)
        elif "envelope" in value:
            self._add_decoded(value, source, where)
        else:
            self.read += 1
            keys = sorted(str(k) for k in value)[:12]
            self.reject(source, where, "not a Clarity payload: expected keys 'e' and 'a' "
                        f"(clarity-js upload) or 'envelope' (clarity-decode); found {keys}", raw)

    def _envelope(self, env: Any) -> tuple[str, str, int, int, str | None, Any, Any]:
        if isinstance(env, list):
            if len(env) < 8:
                raise _Reject(f"malformed envelope: expected at least 8 items, got {len(env)}")
            fields = {"version": env[0], "sequence": env[1], "projectId": env[4],
                      "userId": env[5], "sessionId": env[6], "pageNum": env[7],
                      "url": _at(env, 11)}
        elif isinstance(env, Mapping):
            fields = dict(env)
        else:
            raise _Reject(f"malformed envelope: expected a list or object, got {_found(env)}")
        ids = []
        for key in ("sessionId", "userId"):
            v = fields.get(key)
            if isinstance(v, bool) or not isinstance(v, (str, int)) or not str(v).strip():
                raise _Reject(f"malformed envelope: {key} is {_found(v)}, expected an id string")
            ids.append(str(v))
        page, seq = fields.get("pageNum"), fields.get("sequence")
        for key, v in (("pageNum", page), ("sequence", seq)):
            if not _is_num(v) or v != int(v) or v < 0:
                raise _Reject(f"malformed envelope: {key} is {_found(v)}, expected an integer")
        url = fields.get("url")
        return (ids[0], ids[1], int(page), int(seq), url if isinstance(url, str) else None,
                fields.get("projectId"), fields.get("version"))

    def _open(self, env: Any, source: str, where: str, raw: Any) -> _Page | None:
        try:
            sid, uid, page_num, seq, url, project, version = self._envelope(env)
        except _Reject as exc:
            self.read += 1
            self.reject(source, where, f"{exc}; the payload was skipped", raw)
            return None
        key = (sid, page_num, seq)
        if key in self.uploads:
            self.read += 1
            self.reject(source, where, f"duplicate upload: session {sid!r} page {page_num} "
                        f"sequence {seq} was already read (a retried upload)", raw)
            return None
        self.uploads.add(key)
        if isinstance(project, str):
            self.projects.add(project)
        if isinstance(version, str):
            self.versions.add(version)
        page = self.pages.get((sid, page_num))
        if page is None:
            page = self.pages[(sid, page_num)] = _Page(sid, uid, page_num)
        if url and (page.envelope_url is None or seq < page.envelope_url[0]):
            page.envelope_url = (seq, url)
        return page

    def _add_raw(self, payload: Mapping[str, Any], source: str, where: str) -> None:
        streams = [(k, payload.get(k)) for k in ("a", "p") if k in payload]
        bad = [k for k, v in streams if not isinstance(v, list) and not (k == "p" and v == "")]
        if bad:
            self.read += 1
            self.reject(source, where, f"malformed payload: {bad[0]!r} is not a list of "
                        "events; the payload was skipped", payload)
            return
        page = self._open(payload.get("e"), source, where, payload)
        if page is None:
            return
        for stream, events in streams:
            for k, tokens in enumerate(events or []):
                self.read += 1
                pos = f"{where} {stream}[{k}]"
                try:
                    if not isinstance(tokens, list) or len(tokens) < 2:
                        raise _Reject(f"malformed event: expected [time, type, ...], got "
                                      f"{_found(tokens)}")
                    etype = self._etype(tokens[0], tokens[1])
                    data = _decode_tokens(tokens)
                    self._event(page, float(tokens[0]), etype, data, (source, pos, tokens))
                except _Reject as exc:
                    self.reject(source, pos, str(exc), tokens)

    def _add_decoded(self, payload: Mapping[str, Any], source: str, where: str) -> None:
        page = self._open(payload.get("envelope"), source, where, payload)
        if page is None:
            return
        ts = payload.get("timestamp")
        if _is_num(ts) and isinstance(payload.get("envelope"), Mapping):
            env = payload["envelope"]
            offset = (_opt_num(env.get("start")) or 0) + (_opt_num(env.get("duration")) or 0)
            guess = float(ts) - offset
            in_range = MIN_TIMESTAMP_MS <= guess < MAX_TIMESTAMP_MS
            if in_range and (page.estimated_start is None or guess < page.estimated_start):
                page.estimated_start = guess
        for group, events in payload.items():
            if group in ("timestamp", "envelope"):
                continue
            if not isinstance(events, list):
                self.read += 1
                self.reject(source, f"{where} {group}", f"malformed decoded payload: {group!r} "
                            f"is {_found(events)}, expected a list of events", events)
                continue
            for k, item in enumerate(events):
                self.read += 1
                pos = f"{where} {group}[{k}]"
                try:
                    if not isinstance(item, Mapping):
                        raise _Reject(f"malformed event: expected {{time, event, data}}, got "
                                      f"{_found(item)}")
                    etype = self._etype(item.get("time"), item.get("event"))
                    data = item.get("data")
                    if etype in (0, 1) and isinstance(data, Mapping):
                        data = {_int_key(k2): v for k2, v in data.items()}
                    elif etype in _DOM_TYPES and isinstance(data, list):
                        data = [dict(n, masked=False) if isinstance(n, Mapping) else n
                                for n in data]
                    self._event(page, float(item["time"]), etype, data, (source, pos, item))
                except _Reject as exc:
                    self.reject(source, pos, str(exc), item)

    def _etype(self, time: Any, etype: Any) -> int:
        if not _is_num(time) or time < 0:
            raise _Reject(f"malformed event: time is {_found(time)}, expected milliseconds "
                          "since the page start")
        if not _is_num(etype) or etype != int(etype):
            raise _Reject(f"malformed event: type is {_found(etype)}, expected an integer")
        etype = int(etype)
        if etype not in CLARITY_EVENTS:
            raise _Reject(f"unknown Clarity event type {etype} (not in clarity-js's Event "
                          "enum); newer clarity-js? The event was skipped")
        return etype

    def _event(
        self, page: _Page, t: float, etype: int, data: Any, record: tuple[str, Any, Any]
    ) -> None:
        self.types[CLARITY_EVENTS[etype]] += 1
        if etype == 0:  # Metric: key 0 is ClientTimestamp, the page start (epoch ms)
            start = data.get(0) if isinstance(data, Mapping) else None
            if start is not None:
                if not _is_num(start) or not MIN_TIMESTAMP_MS <= start < MAX_TIMESTAMP_MS:
                    raise _Reject(f"malformed Metric: ClientTimestamp {_found(start)}")
                page.start = float(start) if page.start is None else min(page.start, start)
            return
        if etype == 1:  # Dimension: key 1 is the page url
            url = data.get(1) if isinstance(data, Mapping) else None
            url = url[0] if isinstance(url, list) and url else url
            if isinstance(url, str) and url and page.url is None:
                page.url = url
            ref = data.get(2) if isinstance(data, Mapping) else None
            ref = ref[0] if isinstance(ref, list) and ref else ref
            if isinstance(ref, str) and page.referrer is None:
                page.referrer = ref
            return
        if etype == 34:
            self._variables(page.session_id, data)
            return
        self.order += 1
        page.events.append((t, self.order, etype, data, record))

    def _variables(self, sid: str, data: Any) -> None:
        if not isinstance(data, Mapping):
            raise _Reject("malformed Variable: data is not an object")
        tags = self.tags.setdefault(sid, {})
        for key, values in data.items():
            items = list(_flatten(values))  # clarity-decode nests some values: [["v"]]
            text = ", ".join(str(v) for v in items if isinstance(v, (str, int, float)))
            if key == "userId" and text:
                self.identified[sid] = text
                continue
            col = _IDENTITY_KEYS.get(str(key)) or str(key)
            if col in _READER_COLUMNS and str(key) not in _IDENTITY_KEYS:
                col = f"tag_{key}"
            tags[col] = self.privacy.text(text) if self.privacy.masks_text else text

    # ---- rows
    def finish(self, meta: dict[str, Any]) -> EventLog:
        rows, records = self.flatten()
        return self._build(rows, records, meta)

    def flatten(self) -> tuple[list[dict[str, Any]], list[tuple[str, Any, Any] | None]]:
        """Rows (dicts, times in epoch ms) and each row's raw record (``None``: a pageview)."""
        rows: list[dict[str, Any]] = []
        records: list[tuple[str, Any, Any] | None] = []
        estimated = 0
        for key in sorted(self.pages, key=lambda k: (k[0], k[1])):
            page = self.pages[key]
            start = page.start
            if start is None and page.estimated_start is not None:
                start, estimated = page.estimated_start, estimated + 1
            if start is None:
                for *_, (source, pos, raw) in page.events:
                    self.reject(source, pos, f"page start unknown: session {page.session_id!r} "
                                f"page {page.page_num} has no ClientTimestamp metric (it is in "
                                "the page's first payload); include that payload", raw)
                continue
            _Flattener(self, page, start, rows, records).run()
        if estimated:
            self.notes.append(
                f"{estimated} page(s) had no ClientTimestamp metric: their start was estimated "
                "from clarity-decode's timestamp minus the envelope's start + duration."
            )
        return rows, records

    def _build(
        self, rows: list[dict[str, Any]], records: list[tuple[str, Any, Any] | None],
        meta: dict[str, Any],
    ) -> EventLog:
        frame = pd.DataFrame(rows)
        if frame.empty:
            frame = pd.DataFrame({c: pd.Series([], dtype=object)
                                  for c in ("session_id", "user_id", "timestamp", "event")})
        else:
            base = list(rows[0])[:10]  # the columns every row has, in emit()'s order
            frame = frame[base + sorted(c for c in frame.columns if c not in base)]
            frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="ms", utc=True)
            self._session_columns(frame)
            self._mask(frame, meta)
        frame["_row"] = range(len(frame))
        result = validate(frame, source=_READER, assume_utc=False, drop_duplicates=False)
        for row in result.rejected.itertuples():
            i = int(frame["_row"].iloc[int(row.position)])
            record = records[i]
            if record is None:  # pragma: no cover - derived pageviews are always valid
                self.read += 1
                record = (_READER, f"pageview {i}", rows[i])
            self.reject(record[0], record[1], str(row.reason), record[2])
        events = result.events.drop(columns="_row")
        rejected = make_rejected(self.rejected)
        meta.update({
            "clarity_events": dict(sorted(self.types.items())),
            "projects": sorted(self.projects),
            "versions": sorted(self.versions),
            "notes": self.notes,
            "files": self.sources,
        })
        if len(rejected) > self.read:  # pragma: no cover - a bug, never bad input
            raise AssertionError(f"{_READER}: {len(rejected)} rejected > {self.read} read")
        return EventLog(events, rejected=rejected, read=self.read, meta=meta)

    def _session_columns(self, frame: pd.DataFrame) -> None:
        sid = frame["session_id"]
        if self.identified:
            frame["clarity_user_id"] = frame["user_id"]
            frame["user_id"] = sid.map(self.identified).fillna(frame["user_id"])
        columns = sorted({c for tags in self.tags.values() for c in tags})
        for col in columns:
            values = {s: tags[col] for s, tags in self.tags.items() if col in tags}
            frame[col] = sid.map(values)
        first: dict[str, _Page] = {}
        for (s, n), page in self.pages.items():
            if s not in first or n < first[s].page_num:
                first[s] = page
        sources = {s: _traffic_source(p.url or (p.envelope_url or (0, None))[1], p.referrer)
                   for s, p in first.items()}
        frame["source"] = sid.map(sources)
        frame["is_returning"] = _returning(frame)

    def _mask(self, frame: pd.DataFrame, meta: dict[str, Any]) -> None:
        p = self.privacy
        masked: dict[str, str] = {}
        if p.is_none:
            meta["mask"] = masked
            return
        for col in ("url", "link", "error_source"):
            if col in frame.columns and (p.mask_urls or p.masks_text):
                frame[col] = _map(frame[col], p.url)
                masked[col] = "sensitive query values and pii patterns"
        if "value" in frame.columns and p.mask_inputs:
            frame["value"] = _map(frame["value"], p.input)
            masked["value"] = "typed values"
        if p.masks_text:
            for col in ("target_text", "message", "custom_value", "value"):
                if col in frame.columns:
                    frame[col] = _map(frame[col], p.text)
                    masked.setdefault(col, "pii patterns")
        meta["mask"] = masked


def _map(values: pd.Series, fn: Any) -> pd.Series:
    cache: dict[Any, Any] = {}

    def one(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        if v not in cache:
            cache[v] = fn(v)
        return cache[v]

    return values.astype(object).map(one)


def _traffic_source(url: str | None, referrer: str | None) -> str:
    """``utm_source`` of the landing url, else the referring host, else ``direct``.

    >>> _traffic_source("https://a.com/?utm_source=mail", "https://g.com/"), \\
    ...     _traffic_source("https://a.com/", "https://www.g.com/x"), \\
    ...     _traffic_source("https://a.com/", "https://a.com/b")
    ('mail', 'www.g.com', 'direct')
    """
    try:
        parts = urlsplit(url or "")
        utm = parse_qs(parts.query).get("utm_source")
        if utm and utm[0].strip():
            return utm[0].strip()
        host = urlsplit(referrer or "").hostname
    except ValueError:
        return "direct"
    return host if host and host != parts.hostname else "direct"


def _flatten(value: Any, depth: int = 0) -> Iterable[Any]:
    if isinstance(value, list) and depth < 4:
        for item in value:
            yield from _flatten(item, depth + 1)
    else:
        yield value


def _int_key(key: Any) -> Any:
    try:
        return int(key)
    except (TypeError, ValueError):
        return key


def _looks_like_envelope(value: list[Any]) -> bool:
    return len(value) >= 8 and isinstance(value[0], str) and not isinstance(value[0], Mapping)


class _Flattener:
    """One page's events in time order -> rows, carrying viewport, page height and scroll."""

    def __init__(
        self, reader: _Reader, page: _Page, start: float, rows: list[dict[str, Any]],
        records: list[tuple[str, Any, Any] | None],
    ) -> None:
        self.reader = reader
        self.page = page
        self.start = start
        self.rows = rows
        self.records = records
        self.dom = _Dom()
        self.url = page.url or (page.envelope_url[1] if page.envelope_url else None)
        self.vw = self.vh = self.page_h = None
        self.sy = 0.0
        self.resized = self.visibility_seen = False

    def run(self) -> None:
        events = sorted(self.page.events, key=lambda e: (e[0], e[1]))
        for _, _, etype, data, _ in events:  # the page's first viewport and height
            if etype == 11 and self.vw is None and isinstance(data, Mapping):
                self.vw, self.vh = _opt_num(data.get("width")), _opt_num(data.get("height"))
            if etype == 8 and self.page_h is None and isinstance(data, Mapping):
                self.page_h = _opt_num(data.get("height"))
        if self.vw is not None and not 0 < self.vw <= MAX_COORDINATE:
            self.vw = self.vh = None
        if self.page_h is not None and not 0 < self.page_h <= MAX_COORDINATE:
            self.page_h = None
        self.emit(0.0, "pageview", None)
        for t, _, etype, data, record in events:
            try:
                if not MIN_TIMESTAMP_MS <= self.start + t < MAX_TIMESTAMP_MS:
                    raise _Reject("malformed event: time out of range")
                self.handle(t, etype, data if data is not None else {}, record)
            except _Reject as exc:
                self.reader.reject(record[0], record[1], str(exc), record[2])

    def emit(
        self, t: float, name: str, record: tuple[str, Any, Any] | None, **extra: Any
    ) -> dict[str, Any]:
        row = {
            "session_id": self.page.session_id, "user_id": self.page.user_id,
            "timestamp": self.start + t, "event": name, "url": self.url,
            "viewport_w": self.vw, "viewport_h": self.vh, "page_h": self.page_h,
            "scroll_y": self.sy, "page_num": self.page.page_num,
        }
        row.update(extra)
        self.rows.append(row)
        self.records.append(record)
        return row

    def target(self, nid: Any) -> str | None:
        return self.dom.selector(nid) if _is_num(nid) else None

    def handle(self, t: float, etype: int, d: Any, record: tuple[str, Any, Any]) -> None:
        if etype in _DOM_TYPES:
            changes = self.dom.apply(d)
            if etype == 6:
                self.emit(t, "mutation", record, changes=changes)
            return
        if not isinstance(d, Mapping):
            if etype in (9, 48, 10, 11, 8, 27, 24, 31, 33) or etype in _POINTER_ROWS:
                raise _Reject(f"malformed {CLARITY_EVENTS[etype]}: data is {_found(d)}")
            return
        if etype in (9, 48):
            x, y = _coord(d.get("x"), "click x"), _coord(d.get("y"), "click y")
            nid = d.get("target")
            target = self.target(nid) or _click_selector(d)
            text = _text(d.get("text"))
            if text is not None and self.reader.privacy.honour_classes and self.dom.is_masked(nid):
                text = mask_all(text)
            link = d.get("link")
            self.emit(t, "click" if etype == 9 else "contextmenu", record, x=x, y=y,
                      target=target, target_text=text, link=link if isinstance(link, str) else None,
                      clarity_hash=_text(d.get("hash")))
        elif etype in _POINTER_ROWS:
            x, y = _coord(d.get("x"), "pointer x"), _coord(d.get("y"), "pointer y")
            target = self.target(d.get("target"))
            self.emit(t, _POINTER_ROWS[etype], record, x=x, y=y, target=target)
        elif etype == 10:
            y = _coord(d.get("y"), "scroll y")
            _coord(d.get("x"), "scroll x")
            nid = d.get("target")
            tag = self.dom.tag(nid)
            if tag is None or tag in _PAGE_TAGS or tag.startswith("*"):
                self.sy = y
                self.emit(t, "scroll", record)
            else:
                self.emit(t, "scroll", record, target=self.target(nid), scroll_top=y)
        elif etype == 11:
            w, h = _coord(d.get("width"), "Resize width"), _coord(d.get("height"), "Resize height")
            first = not self.resized
            self.resized = True
            self.vw, self.vh = (w, h) if w > 0 and h > 0 else (self.vw, self.vh)
            if not first:
                self.emit(t, "resize", record)
        elif etype == 8:
            h = _coord(d.get("height"), "Document height")
            if h > 0:
                self.page_h = h
        elif etype in (27, 42):
            value = _text(d.get("value"))
            if (value is not None and self.reader.privacy.honour_classes
                    and self.dom.is_masked(d.get("target"))):
                value = mask_all(value)
            extra = {"input_type": _text(d.get("type"))} if etype == 42 else {}
            self.emit(t, "input" if etype == 27 else "change", record,
                      target=self.target(d.get("target")), value=value, **extra)
        elif etype == 39:
            self.emit(t, "submit", record, target=self.target(d.get("target")))
        elif etype == 21:
            self.emit(t, "selection", record, target=self.target(d.get("start")))
        elif etype == 38:
            action = d.get("action")
            self.emit(t, "clipboard", record, target=self.target(d.get("target")),
                      clipboard_action=_CLIPBOARD.get(action) if _is_num(action) else None)
        elif etype == 24:
            key, value = d.get("key"), d.get("value")
            name = key if isinstance(key, str) and key else value
            if not isinstance(name, str) or not name.strip():
                raise _Reject(f"malformed Custom: event name is {_found(name)}")
            extra = {"custom_value": _text(value)} if name is key else {}
            self.emit(t, _event_name(name), record, **extra)
        elif etype == 31:
            message = _text(d.get("message")) or ""
            self.emit(t, "console", record, level="error", message=message[:MAX_MESSAGE],
                      error_source=_text(d.get("source")), error_line=_opt_num(d.get("line")),
                      error_column=_opt_num(d.get("column")))
        elif etype == 33:
            severity = d.get("severity")
            level = _SEVERITY.get(int(severity), "info") if _is_num(severity) else "info"
            message = _text(d.get("message")) or _text(d.get("name")) or ""
            self.emit(t, "console", record, level=level, message=message[:MAX_MESSAGE],
                      log_code=_opt_num(d.get("code")))
        elif etype == 28:
            visible = d.get("visible")
            flag = visible == "visible" if isinstance(visible, str) else bool(visible)
            if self.visibility_seen:
                self.emit(t, "visibility", record, visible=flag)
            self.visibility_seen = True
        elif etype == 26:
            self.emit(t, "unload", record, unload_type=_text(d.get("name")))


def read_clarity(
    source: Any,
    *,
    mask: bool | Privacy = True,
    progress: bool | None = None,
) -> EventLog:
    """Read Microsoft Clarity payloads (as uploaded, or decoded) into canonical events.

    See :mod:`uxlens.io.clarity` for the payload format; the Notes list how
    each Clarity event becomes a row.

    Parameters
    ----------
    source
        A path to a JSON-lines file (``.jsonl``/``.ndjson``, optionally
        ``.gz``: one payload per line, as an object or as the uploaded JSON
        string), a ``.json`` file (an array of payloads, one payload, or
        ``{"payloads": [...]}``), a directory of such files (read
        recursively), or in memory: one payload (``dict`` or JSON ``str``),
        a list of them, or the bytes of a file. A payload is clarity-js's
        upload ``{"e", "a", "p"?}`` or clarity-decode's output
        ``{"timestamp", "envelope", <group>: [...]}``; both may be mixed.
    mask
        Mask by default (see :mod:`uxlens.privacy`): typed ``value`` of
        ``input``/``change`` rows, PII patterns in ``target_text``, console
        messages, custom values and tags, sensitive URL query values; texts
        and typed values of elements marked private (Clarity's masked nodes,
        ``data-clarity-mask="true"``, ``rr-mask``/``rr-block``,
        ``data-private``, and their subtrees) are fully masked. ``False``
        keeps the recorded values (Clarity itself masks inputs client-side by
        default); a :class:`~uxlens.privacy.Privacy` chooses. The policy is
        stored in ``log.meta["privacy"]``.
    progress
        Progress bar while reading a directory: ``None`` shows it for more
        than 8 files.

    Returns
    -------
    EventLog
        ``events`` in the canonical schema, plus ``page_num`` and the reader
        columns named in the Notes. ``rejected`` lists the raw
        records that could not be used, and ``counts`` satisfies ``loaded +
        rejected == read`` in raw records: encoded events (``[time, type,
        ...]``, or decoded ``{time, event, data}`` items), plus one per
        payload that could not be used as a whole (invalid JSON, no
        envelope, a retried upload with a sequence already read). Events of
        types without a row are loaded and counted per type in
        ``meta["clarity_events"]``; types not in clarity-js's enum are
        rejected.

    Raises
    ------
    RecordingFormatError
        A missing path, an empty directory, or a source of another type.

    Notes
    -----
    How Clarity events become rows:

    ==============================  ==========================================================
    Clarity event (type)            canonical row
    ==============================  ==========================================================
    page start                      ``pageview`` at the page's start; ``url`` from the
                                    ``Dimension`` Url (key 1), else the envelope url
    Click (9)                       ``click``: ``x``/``y`` (document px), ``target``,
                                    ``target_text`` (masked), ``link``, ``clarity_hash``
    DoubleClick (16)                ``dblclick``
    ContextMenu (48)                ``contextmenu``, like a click
    MouseMove (12)                  ``mousemove``
    TouchStart (17)                 ``touch``
    Scroll (10)                     ``scroll``: a scroll of the page sets ``scroll_y``; an
                                    element's keeps ``target`` and ``scroll_top``
    Resize (11)                     ``resize`` (the page's first Resize is its initial
                                    viewport: no row); sets ``viewport_w``/``viewport_h``
    Input (27)                      ``input``: ``value`` masked, ``target``
    Change (42)                     ``change``: ``value`` masked, ``input_type``
    Submit (39)                     ``submit``
    Selection (21)                  ``selection``
    Clipboard (38)                  ``clipboard`` (``clipboard_action``: cut, copy, paste)
    Mutation (6)                    ``mutation`` (``changes``: nodes in the event)
    ScriptError (31)                ``console`` with ``level="error"``, ``message`` (masked),
                                    ``error_source``, ``error_line``, ``error_column``: an
                                    uncaught error, as :func:`~uxlens.read_rrweb` reads it
    Log (33)                        ``console``: Clarity's own diagnostics, ``level`` from
                                    their severity, ``log_code``
    Custom (24)                     an event named by the custom event
                                    (``clarity("event", name)``), or ``custom:<name>`` when
                                    that is a built-in name; the two-argument form keeps
                                    its value in ``custom_value``
    Visibility (28)                 ``visibility`` (``visible``) after the page's first state
    Unload (26)                     ``unload`` (``unload_type``)
    Variable (34)                   no row: custom tags (``clarity("set", key, value)``)
                                    become session-level columns on every event of the
                                    session; ``identify``'s hashed ``userId`` becomes the
                                    session's ``user_id`` (the envelope's is kept in
                                    ``clarity_user_id``)
    Document (8)                    no row: sets ``page_h``
    Discover (5), Snapshot (43)     no row: the DOM that gives ``target`` selectors
    any other type                  no row (Metric, Dimension, Baseline, Timeline, Ping,
                                    MouseDown/Up, MouseWheel...): counted per type in
                                    ``meta["clarity_events"]``
    ==============================  ==========================================================

    Every row carries the page's ``url``, the current ``viewport_w``/``viewport_h``,
    ``page_h`` and ``scroll_y``, and ``page_num``. ``session_id`` and ``user_id``
    are the envelope's ``sessionId``/``userId``. Session-level: ``source`` is the
    ``utm_source`` of the session's first page url, else the host of its
    referrer (``Dimension`` key 2) when that is another site, else ``direct``;
    ``is_returning`` is whether the user has an event before the session's
    start in the data read. ``target`` is built from the
    recorded DOM like the rrweb reader's (``tag#id.class`` segments from ``body``
    or from the nearest ancestor with an id, ``:nth-of-type`` only when a
    same-tag sibling would match); without a DOM (lean mode) a click's target is
    its own ``tag#id.class``.

    Examples
    --------
    >>> payload = {"e": ["0.8.70", 1, 0, 900, "proj", "u1", "s1", 1, 0, 0, 0,
    ...                  "https://shop.example/cart?step=2#top"],
    ...            "a": [[0, 0, 0, 1716400000000], [5, 11, 1280, 720],
    ...                  [400, 9, 12, 300, 520, 0, 0, 0, 0, 0, "Pay now", None,
    ...                   "1a2b", 1, 1, 80, 30, "button", "btn pay", "pay", 0],
    ...                  [600, 10, 3, 0, 250, "", "", 1],
    ...                  [700, 27, 14, "Ann 42", 1], [800, 24, "checkout_started"]]}
    >>> log = read_clarity(payload)
    >>> ev = log.events
    >>> ev["event"].tolist()
    ['pageview', 'click', 'scroll', 'input', 'checkout_started']
    >>> click = ev.iloc[1]
    >>> float(click.x), float(click.y), click.target, click.target_text, int(click.viewport_w)
    (300.0, 520.0, 'button#pay.btn.pay', 'Pay now', 1280)
    >>> ev["url"][0], ev["query"][0], float(ev["scroll_y"][2]), ev["value"][3]
    ('https://shop.example/cart', 'step=2', 250.0, '*** **')
    >>> str(ev.loc[1, "timestamp"])
    '2024-05-22 17:46:40.400000+00:00'
    >>> log.counts
    {'read': 6, 'loaded': 6, 'rejected': 0}
    """
    privacy = Privacy.coerce(mask)
    meta: dict[str, Any] = {"reader": "clarity", "privacy": privacy}
    reader = _load(source, privacy, progress, meta)
    try:
        return reader.finish(meta)
    except _Reject as exc:  # pragma: no cover - every _Reject is caught per record
        raise UxlensError(f"{_READER}: {exc}") from None


def _load(source: Any, privacy: Privacy, progress: bool | None, meta: dict[str, Any]) -> _Reader:
    """A reader holding every payload of ``source``, ready to flatten."""
    reader = _Reader(privacy)
    if isinstance(source, str) and source.lstrip()[:1] in ("{", "[", '"'):
        meta["source"] = _MEMORY
        reader.add_bytes(source.encode("utf-8"), _MEMORY)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        meta["source"] = str(path)
        if not path.exists():
            read_bytes(path)  # raises a RecordingFormatError with a "did you mean"
        reader.add_path(path, progress)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        meta["source"] = _MEMORY
        reader.add_bytes(bytes(source), _MEMORY)
    elif isinstance(source, Mapping):
        meta["source"] = _MEMORY
        reader.add_value(dict(source), _MEMORY)
    elif isinstance(source, (list, tuple)):
        meta["source"] = _MEMORY
        reader.add_value(list(source), _MEMORY)
    else:
        raise RecordingFormatError(
            f"{_READER} cannot read a {type(source).__name__}. Expected a path (file or "
            "directory of .json/.jsonl payloads), a payload (dict or JSON string), a list of "
            "payloads, or a file's bytes. Fix: pass the path of your captured payloads."
        )
    return reader
