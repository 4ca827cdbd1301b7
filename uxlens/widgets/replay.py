"""The inline replay player: an anywidget that replays one session (or a playlist).

Python decides what the player shows; the front end
(``widgets/static/replay.js``, built on the vendored ``@rrweb/replay``
``Replayer``) only renders it and reports what the user does:

- the recorded page, rebuilt from rrweb events cleaned by
  :func:`uxlens.replay_sanitize.sanitize_recording` (no script, no handler, no
  outbound URL, typed values masked), in an iframe sandboxed without
  ``allow-scripts`` under a Content-Security-Policy that allows no fetch;
  sessions without a DOM recording (clickstream tables) get a *wireframe*
  page of element boxes inferred from their clicks, with the same cursor and
  timeline;
- a timeline with markers (clicks, rage/dead/error clicks, console errors,
  failed requests, page changes, custom events) and idle spans that are
  skipped when ``skip_inactive`` is on (gaps between interactions longer
  than :data:`INACTIVITY_MS`);
- a side panel of console messages and network requests, synced to playback.

Events travel once, gzip-compressed, in binary buffers, and chunked (see
:func:`split_events`): ``_events`` holds the head of the recording (up to its
first full snapshot plus :data:`FIRST_CHUNK_MS`), ``_chunks`` the rest as
independently gzipped JSON arrays of at most :data:`CHUNK_EVENTS` events laid
end to end (their byte sizes are in ``_info["chunks"]``). The player starts
from the head and appends each later chunk to the running replayer as soon as
it is decoded, so a long session opens as fast as a short one. The vendored
replayer travels as a gzip-compressed byte buffer too (``_rrweb``, ~87 KB) and
is imported once per page.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import orjson
import pandas as pd
import traitlets

from ..events import EVENT_NAMES
from ..exceptions import UxlensError
from ..privacy import Privacy, output_policy
from ..replay_sanitize import REPLAY_CSP, sanitize_recording

if TYPE_CHECKING:  # pragma: no cover
    from ..session import Session

__all__ = [
    "ReplayWidget",
    "INACTIVITY_MS",
    "ACTIVE_SOURCES",
    "replay_payload",
    "split_events",
    "FIRST_CHUNK_MS",
    "CHUNK_EVENTS",
    "inactive_spans",
    "wireframe_recording",
]

STATIC = Path(__file__).resolve().parent / "static"
#: Gaps between user interactions longer than this are idle (PostHog's threshold).
INACTIVITY_MS = 5_000
#: Idle spans keep this much context at each end when skipped.
IDLE_MARGIN_MS = 1_000
#: rrweb incremental sources that count as user activity (PostHog's set).
ACTIVE_SOURCES = frozenset({1, 2, 3, 4, 5, 6, 7, 12})
#: The first chunk sent to the browser: up to the first full snapshot plus this much time.
FIRST_CHUNK_MS = 10_000
#: Later chunks hold at most this many events (the head too, past its snapshot).
CHUNK_EVENTS = 5_000
_SPEEDS = (1.0, 2.0, 4.0, 8.0)
_PAYLOAD_CACHE = 8  # sessions of a playlist kept ready
_MS = pd.Timedelta(milliseconds=1)
_EPOCH = pd.Timestamp(0, tz="UTC")
_CLICK_EVENTS = ("click", "dblclick", "touch")
#: Custom events that carry session data, not user actions: no timeline marker.
_QUIET_CUSTOM = frozenset({"identify", "page_size"})
_MAX_LABEL = 160


@cache
def _rrweb_bundle() -> bytes:
    return gzip.compress((STATIC / "vendor" / "rrweb-replay.js").read_bytes(), 9, mtime=0)


@cache
def _stylesheet() -> str:
    vendor = (STATIC / "vendor" / "rrweb-replay.css").read_text(encoding="utf-8")
    return vendor + "\n" + (STATIC / "replay.css").read_text(encoding="utf-8")


def _epoch_ms(ts: pd.Series) -> pd.Series:
    return ((ts - _EPOCH) // _MS).astype("int64")


def _short(text: Any, n: int = _MAX_LABEL) -> str:
    if text is None or (isinstance(text, float) and pd.isna(text)) or text is pd.NA:
        return ""
    s = str(text)
    return s if len(s) <= n else s[: n - 1] + "…"


# ------------------------------------------------------------------ payload
def inactive_spans(
    events: Sequence[Mapping[str, Any]], *, threshold_ms: int = INACTIVITY_MS,
    margin_ms: int = IDLE_MARGIN_MS,
) -> list[tuple[int, int]]:
    """Idle spans of a recording: where nothing the user did happened for a while.

    Activity is an incremental rrweb event from :data:`ACTIVE_SOURCES`
    (pointer, scroll, resize, input, touch, media, drag). Between two
    consecutive activities (or the start/end of the recording) more than
    ``threshold_ms`` apart, the span from ``margin_ms`` after the first to
    ``margin_ms`` before the second is idle.

    Parameters
    ----------
    events
        rrweb events sorted by time.
    threshold_ms, margin_ms
        See above.

    Returns
    -------
    list of (start, end)
        Epoch milliseconds.

    Examples
    --------
    >>> ev = [{"type": 4, "timestamp": 0}, {"type": 3, "timestamp": 1000, "data": {"source": 2}},
    ...       {"type": 3, "timestamp": 9000, "data": {"source": 1}},
    ...       {"type": 3, "timestamp": 9500, "data": {"source": 0}}]
    >>> inactive_spans(ev)
    [(2000, 8000)]
    """
    if not events:
        return []
    anchors = [events[0]["timestamp"]]
    anchors += [
        e["timestamp"] for e in events
        if e.get("type") == 3 and (e.get("data") or {}).get("source") in ACTIVE_SOURCES
    ]
    anchors.append(events[-1]["timestamp"])
    spans = []
    for a, b in itertools.pairwise(anchors):
        if b - a > threshold_ms:
            spans.append((int(a + margin_ms), int(b - margin_ms)))
    return spans


def _flag_kind(row: Mapping[str, Any]) -> str:
    if row.get("rage"):
        return "rage"
    if row.get("error"):
        return "error_click"
    if row.get("dead"):
        return "dead"
    return "click"


def _na(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _markers(session: Session, mask: Privacy) -> tuple[list[dict], list[dict], list[dict]]:
    """Timeline markers, console rows and network rows from the events table."""
    ev = session.events
    if not len(ev):
        return [], [], []
    name = ev["event"].astype(str)
    builtin = set(EVENT_NAMES)
    custom = ~name.isin(builtin) & ~name.isin(_QUIET_CUSTOM) & ~name.str.startswith("$")
    keep = name.isin([*_CLICK_EVENTS, "console", "error", "network", "pageview", "$pageview"])
    rows = ev.loc[keep | custom].copy()  # few rows: mouse moves and mutations are skipped
    if not len(rows):
        return [], [], []
    rows["_t"] = _epoch_ms(rows["timestamp"])
    rows["_e"] = name[rows.index]
    flags = session.click_flags()
    if len(flags) and "seq" in flags.columns and "seq" in rows.columns:
        by_seq = flags.set_index("seq")
        for c in ("press", "rage", "dead", "error"):
            if c in by_seq:
                rows["_" + c] = rows["seq"].map(by_seq[c])
    cols = [c for c in ("target_text", "target", "level", "message", "status", "request_url",
                        "url", "method", "duration_ms") if c in rows.columns]
    text = mask.text
    url_text = mask.url
    markers: list[dict] = []
    console: list[dict] = []
    network: list[dict] = []
    for r in rows[["_t", "_e", *cols, *[c for c in rows.columns if c in
                                         ("_press", "_rage", "_dead", "_error")]]].to_dict("records"):
        e, ti = r["_e"], int(r["_t"])
        if e in _CLICK_EVENTS:
            press = r.get("_press")
            if not _na(press) and not bool(press):
                continue  # a dblclick or a touch's synthetic click: not a press
            flag = {k: bool(r.get("_" + k)) and not _na(r.get("_" + k))
                    for k in ("rage", "dead", "error")}
            label = _short(r.get("target_text")) if not _na(r.get("target_text")) else ""
            label = label or (_short(r.get("target")) if not _na(r.get("target")) else "")
            markers.append({"t": ti, "kind": _flag_kind(flag), "label": text(label)})
        elif e in ("console", "error"):
            level = "error" if e == "error" else "log"
            if not _na(r.get("level")):
                level = str(r["level"])
            msg = text(_short(r.get("message") if not _na(r.get("message")) else "", 500))
            bad = level == "error" or e == "error"
            console.append({"t": ti, "level": level, "message": msg, "bad": bad})
            if bad:
                markers.append({"t": ti, "kind": "error", "label": _short(msg)})
        elif e == "network":
            status = None if _na(r.get("status")) else int(r["status"])
            raw_url = r.get("request_url")
            if _na(raw_url):
                raw_url = r.get("url") if not _na(r.get("url")) else ""
            method = "" if _na(r.get("method")) else str(r["method"])
            dur = None if _na(r.get("duration_ms")) else float(r["duration_ms"])
            bad = status is not None and (status >= 400 or status == 0)
            url = url_text(_short(raw_url, 500))
            network.append({"t": ti, "method": method, "url": url, "status": status,
                            "duration_ms": dur, "bad": bad})
            if bad:
                markers.append({"t": ti, "kind": "network",
                                "label": _short(f"{method} {url} → {status}".strip())})
        elif e in ("pageview", "$pageview"):
            u = r.get("url") if not _na(r.get("url")) else ""
            markers.append({"t": ti, "kind": "page", "label": url_text(_short(u))})
        else:
            markers.append({"t": ti, "kind": "custom", "label": _short(e)})
    markers.sort(key=lambda m: m["t"])
    return markers, console, network


def _clicks(events: Sequence[Mapping[str, Any]], markers: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Click positions (viewport px) for ripples, labelled with the marker's flag."""
    flagged = [(m["t"], m["kind"]) for m in markers
               if m["kind"] in ("click", "rage", "dead", "error_click")]
    out = []
    j = 0
    for e in events:
        d = e.get("data") or {}
        if e.get("type") != 3 or d.get("source") != 2 or d.get("type") not in (2, 4, 7):
            continue
        if "x" not in d or "y" not in d:
            continue
        ts = e["timestamp"]
        while j < len(flagged) and flagged[j][0] < ts - 50:
            j += 1
        kind = "click"
        if j < len(flagged) and abs(flagged[j][0] - ts) <= 50:
            kind = flagged[j][1]
        out.append({"t": ts, "x": d["x"], "y": d["y"], "kind": kind})
    return out


def wireframe_recording(events: pd.DataFrame) -> list[dict[str, Any]]:
    """A synthetic rrweb recording for a session that has no DOM recording.

    Each page view becomes a Meta + FullSnapshot whose body holds one labelled
    box per clicked element (the bounding box of its clicks, padded), so the
    player can show the cursor, clicks and scrolls of clickstream data.

    Parameters
    ----------
    events
        One session's canonical events (``x``/``y`` in document px).

    Returns
    -------
    list of dict
        rrweb events (Meta, FullSnapshot, MouseMove, MouseInteraction,
        Scroll, ViewportResize), sorted by time.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")
    >>> ev = pd.DataFrame({"session_id": "s", "event": ["pageview", "click", "click"],
    ...     "timestamp": [t0, t0 + pd.Timedelta("2s"), t0 + pd.Timedelta("3s")],
    ...     "url": "/invite", "x": [None, 100.0, 110.0], "y": [None, 200.0, 210.0],
    ...     "target": [None, "button#send", "button#send"]})
    >>> rec = wireframe_recording(ev)
    >>> [e["type"] for e in rec]
    [4, 2, 3, 3]
    >>> rec[2]["data"]["source"], rec[2]["data"]["x"], rec[2]["data"]["y"]
    (2, 100.0, 200.0)
    """
    if not len(events):
        return []
    ev = events.reset_index(drop=True)
    t = _epoch_ms(ev["timestamp"])
    name = ev["event"].astype(str)
    url = ev["url"].astype(object) if "url" in ev else pd.Series([None] * len(ev))
    # Page segments: a new page at each pageview, or when the URL changes.
    page_of = []
    current, seg, last_url = -1, -1, object()
    for i in range(len(ev)):
        u = url.iat[i]
        u = None if u is None or (isinstance(u, float) and pd.isna(u)) or u is pd.NA else str(u)
        if name.iat[i] in ("pageview", "$pageview") or (u is not None and u != last_url):
            seg += 1
            current = seg
            last_url = u if u is not None else last_url
        page_of.append(max(current, 0))
    ev = ev.assign(_page=page_of, _t=t)
    width = _first_int(ev, "viewport_w", 1280)
    height = _first_int(ev, "viewport_h", 800)
    out: list[dict[str, Any]] = []
    ids = itertools.count(1)
    scroll = 0.0
    for _, page in ev.groupby("_page", sort=True):
        t0 = int(page["_t"].iat[0])
        href = next((str(u) for u in page.get("url", []) if isinstance(u, str)), "")
        boxes, body_id, doc_id, box_ids = _wireframe_snapshot(page, href, height, ids)
        out.append({"type": 4, "timestamp": t0, "data": {"href": href, "width": width,
                                                         "height": height}})
        out.append({"type": 2, "timestamp": t0, "data": {"node": boxes,
                                                         "initialOffset": {"top": 0, "left": 0}}})
        for _, row in page.iterrows():
            e, ts = str(row["event"]), int(row["_t"])
            sy = row.get("scroll_y")
            if sy is not None and pd.notna(sy):
                scroll = float(sy)
            x, y = row.get("x"), row.get("y")
            has_xy = x is not None and y is not None and pd.notna(x) and pd.notna(y)
            target = row.get("target")
            tid = box_ids.get(str(target), body_id) if isinstance(target, str) else body_id
            if e == "mousemove" and has_xy:
                out.append({"type": 3, "timestamp": ts, "data": {"source": 1, "positions": [
                    {"x": float(x), "y": float(y) - scroll, "id": tid, "timeOffset": 0}]}})
            elif e in _CLICK_EVENTS and has_xy:
                out.append({"type": 3, "timestamp": ts, "data": {
                    "source": 2, "type": 2, "id": tid, "x": float(x), "y": float(y) - scroll}})
            elif e == "scroll" and sy is not None and pd.notna(sy):
                out.append({"type": 3, "timestamp": ts, "data": {
                    "source": 3, "id": doc_id, "x": 0, "y": float(sy)}})
            elif e == "resize":
                w, hh = row.get("viewport_w"), row.get("viewport_h")
                if w is not None and hh is not None and pd.notna(w) and pd.notna(hh):
                    out.append({"type": 3, "timestamp": ts, "data": {
                        "source": 4, "width": int(w), "height": int(hh)}})
        # keep the last event of the page on the timeline even if it drew nothing
        t_end = int(page["_t"].iat[-1])
        if out[-1]["timestamp"] < t_end:
            out.append({"type": 3, "timestamp": t_end, "data": {
                "source": 0, "texts": [], "attributes": [], "removes": [], "adds": []}})
    out.sort(key=lambda e: e["timestamp"])
    return out


def _first_int(ev: pd.DataFrame, column: str, default: int) -> int:
    if column not in ev:
        return default
    vals = ev[column].dropna()
    return int(vals.iat[0]) if len(vals) else default


def _wireframe_snapshot(
    page: pd.DataFrame, href: str, viewport_h: int, ids: Iterable[int]
) -> tuple[dict, int, int, dict[str, int]]:
    nid = iter(ids)
    doc_id, html_id, head_id, style_id, css_id, body_id = (next(nid) for _ in range(6))
    boxes = []
    box_ids: dict[str, int] = {}
    bottom = viewport_h
    if {"x", "y", "target"} <= set(page.columns):
        pts = page.loc[page["target"].notna() & page["x"].notna() & page["y"].notna()]
        pts = pts.loc[pts["event"].astype(str).isin(_CLICK_EVENTS)]
        for target, g in pts.groupby(pts["target"].astype(str), sort=False):
            x0, x1 = float(g["x"].min()) - 24, float(g["x"].max()) + 24
            y0, y1 = float(g["y"].min()) - 16, float(g["y"].max()) + 16
            bottom = max(bottom, y1 + 80)
            label = g["target_text"].dropna().astype(str) if "target_text" in g else pd.Series([])
            text = label.iat[0] if len(label) else target
            box_id, text_id = next(nid), next(nid)
            box_ids[target] = box_id
            boxes.append({"type": 2, "id": box_id, "tagName": "div", "attributes": {
                "class": "uxl-box", "title": target,
                "style": f"left:{max(x0, 0):.0f}px;top:{max(y0, 0):.0f}px;"
                         f"width:{x1 - max(x0, 0):.0f}px;height:{y1 - max(y0, 0):.0f}px"},
                "childNodes": [{"type": 3, "id": text_id, "textContent": _short(text, 60)}]})
    if "page_h" in page and page["page_h"].notna().any():
        bottom = max(bottom, float(page["page_h"].max()))
    banner_id, banner_text = next(nid), next(nid)
    css = (
        "html,body{margin:0;font:12px system-ui,sans-serif;color:#475467}"
        f"body{{position:relative;min-height:{bottom:.0f}px;background:#f8f9fb;"
        "background-image:linear-gradient(#eef0f3 1px,transparent 1px),"
        "linear-gradient(90deg,#eef0f3 1px,transparent 1px);background-size:40px 40px}"
        ".uxl-banner{position:sticky;top:0;padding:6px 10px;background:#fff;"
        "border-bottom:1px solid #e4e7ec;z-index:1}"
        ".uxl-box{position:absolute;box-sizing:border-box;border:1.5px dashed #98a2b3;"
        "border-radius:6px;background:rgba(255,255,255,.85);padding:2px 6px;overflow:hidden;"
        "white-space:nowrap;text-overflow:ellipsis}"
    )
    banner = {"type": 2, "id": banner_id, "tagName": "div", "attributes": {"class": "uxl-banner"},
              "childNodes": [{"type": 3, "id": banner_text, "textContent":
                              f"{href or 'page'} · no DOM recording: boxes are where users clicked"}]}
    root = {"type": 0, "id": doc_id, "childNodes": [
        {"type": 2, "id": html_id, "tagName": "html", "attributes": {}, "childNodes": [
            {"type": 2, "id": head_id, "tagName": "head", "attributes": {}, "childNodes": [
                {"type": 2, "id": style_id, "tagName": "style", "attributes": {}, "childNodes": [
                    {"type": 3, "id": css_id, "textContent": css, "isStyle": True}]}]},
            {"type": 2, "id": body_id, "tagName": "body", "attributes": {},
             "childNodes": [banner, *boxes]}]}]}
    return root, body_id, doc_id, box_ids


def split_events(
    events: Sequence[Mapping[str, Any]], *, first_ms: int | None = None,
    chunk_events: int | None = None,
) -> list[list[Mapping[str, Any]]]:
    """Cut a time-sorted recording into the chunks the player receives.

    The head (first chunk) holds everything up to the first full snapshot
    (type 2), then the events of the next ``first_ms`` milliseconds, at most
    ``chunk_events`` of them and at least two events in all (the replayer's
    minimum). The rest is cut into chunks of ``chunk_events`` events.

    Parameters
    ----------
    events
        rrweb events sorted by time.
    first_ms, chunk_events
        Default :data:`FIRST_CHUNK_MS` and :data:`CHUNK_EVENTS`.

    Returns
    -------
    list of lists
        The chunks, in order; concatenated they are ``events``. Empty input
        gives one empty chunk.

    Examples
    --------
    >>> ev = [{"type": 4, "timestamp": 0}, {"type": 2, "timestamp": 5}]
    >>> ev += [{"type": 3, "timestamp": 1000 * i} for i in range(1, 8)]
    >>> [[e["timestamp"] for e in c] for c in split_events(ev, first_ms=2000, chunk_events=2)]
    [[0, 5, 1000, 2000], [3000, 4000], [5000, 6000], [7000]]
    """
    first_ms = FIRST_CHUNK_MS if first_ms is None else int(first_ms)
    size = max(int(CHUNK_EVENTS if chunk_events is None else chunk_events), 1)
    n = len(events)
    if not n:
        return [[]]
    snap = next((i for i, e in enumerate(events) if e.get("type") == 2), 0)
    until = events[snap]["timestamp"] + first_ms
    end = snap + 1
    while end < n and end - snap - 1 < size and events[end]["timestamp"] <= until:
        end += 1
    end = min(max(end, 2), n)
    chunks = [list(events[:end])]
    chunks += [list(events[i:i + size]) for i in range(end, n, size)]
    return chunks


def replay_payload(
    session: Session, *, mask: bool | Privacy = True
) -> tuple[list[bytes], dict[str, Any]]:
    """Everything the player needs for one session: (gzip'd event chunks, info dict).

    Parameters
    ----------
    session
        The :class:`~uxlens.Session` to replay.
    mask
        Mask typed values and personal data (see :mod:`uxlens.privacy`):
        ``True`` applies the policy the log was read with (its custom
        ``patterns`` too; the default policy if it was read unmasked), a
        :class:`~uxlens.privacy.Privacy` its own choices, ``False`` nothing.

    Returns
    -------
    tuple
        ``chunks``: the sanitised rrweb events cut by :func:`split_events`,
        each chunk a gzip-compressed JSON array (concatenated, they are the
        whole recording); ``info``: ``mode`` (``"dom"``, ``"wireframe"`` or
        ``"empty"``), ``markers``, ``clicks``, ``inactive``, ``pages``,
        ``console``, ``network``, ``warnings``, ``sanitized`` (counts of what
        was neutralised), ``csp``, ``width``/``height``, ``title``, ``start``
        and ``end`` (epoch ms of the first and last replayed events: the
        player's time line) and ``chunks`` (per chunk: ``events``, ``bytes``,
        ``t0``, ``t1``).
    """
    mask = output_policy(mask, getattr(session, "log", None))
    warnings: list[str] = []
    mode = "dom"
    cleaned = sanitize_recording(session.recording, mask=mask) if session.recording else None
    if cleaned is not None and not cleaned.counts.get("no_snapshot"):
        events = cleaned.events
        warnings += cleaned.warnings
    else:
        if cleaned is not None:
            warnings.append("the recording has no full snapshot: showing a wireframe of "
                            "element boxes inferred from the events")
        mode = "wireframe"
        cleaned = sanitize_recording(wireframe_recording(session.events), mask=mask)
        events = cleaned.events
    if len(events) < 2:
        mode = "empty"
    markers, console, network = _markers(session, mask)
    metas = [e for e in events if e["type"] == 4]
    first = metas[0]["data"] if metas else {}
    summary = _title(session)
    info: dict[str, Any] = {
        "session_id": session.session_id,
        "start": int(events[0]["timestamp"]) if events else None,
        "end": int(events[-1]["timestamp"]) if events else None,
        "title": summary,
        "mode": mode,
        "csp": REPLAY_CSP,
        "width": int(first.get("width", 1280)),
        "height": int(first.get("height", 800)),
        "markers": markers,
        "clicks": _clicks(events, markers),
        "inactive": inactive_spans(events),
        "pages": [{"t": e["timestamp"], "url": e["data"].get("href", "")} for e in metas],
        "console": console,
        "network": network,
        "warnings": warnings,
        "sanitized": {k: int(v) for k, v in cleaned.counts.items() if v},
        "empty_reason": "This session has no recording and no positioned events to replay."
        if mode == "empty" else "",
    }
    parts = split_events(events)
    chunks = [gzip.compress(_dumps(c), 6, mtime=0) for c in parts]
    info["chunks"] = [
        {"events": len(c), "bytes": len(data),
         "t0": int(c[0]["timestamp"]) if c else None, "t1": int(c[-1]["timestamp"]) if c else None}
        for c, data in zip(parts, chunks, strict=True)]
    return chunks, info


def _dumps(events: list[dict[str, Any]]) -> bytes:
    try:
        return orjson.dumps(events)
    except orjson.JSONEncodeError:  # orjson stops at 255 levels; very deep pages need json
        import json

        return json.dumps(events, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _title(session: Session) -> str:
    ev = session.events
    parts = [session.session_id]
    for col in ("user_id", "device"):
        if col in ev and len(ev) and pd.notna(ev[col].iat[0]):
            value = str(ev[col].iat[0])
            if value != session.session_id:
                parts.append(value)
    return " · ".join(parts)


# ------------------------------------------------------------------- widget
class ReplayWidget(anywidget.AnyWidget):
    """Replay player for one session or a playlist of sessions.

    Usually made by :meth:`uxlens.Session.replay` (or ``SessionList.replay()``).

    Parameters
    ----------
    sessions
        A :class:`~uxlens.Session`, or a sequence of them (a
        :class:`~uxlens.SessionList` works) to get previous/next buttons.
    speed
        Playback speed: 1, 2, 4 or 8.
    skip_inactive
        Jump over idle spans (no interaction for more than 5 s).
    mask
        Mask typed values and personal data (default: the policy the log was
        read with, custom ``patterns`` included). A
        :class:`~uxlens.privacy.Privacy` applies its own choices; ``False``
        shows what was recorded; scripts, handlers and outbound URLs are
        removed anyway.
    start
        Where to start: seconds after the session's first event, or a
        timestamp.
    width
        Display width in px (0: fit the notebook cell, at most 1:1).
    deck
        Where "Add to deck" puts a still of the current frame
        (``Session.frame(current_ms / 1000)``; default
        :func:`uxlens.export.current_deck`). "Save image" writes that still
        as a PNG to :attr:`export_path`.

    Attributes
    ----------
    current_ms : float
        Playback position reported by the browser (ms from the first event).
    selected : dict
        The last marker or panel row the user clicked (``source``, ``index``,
        ``kind``, ``t_ms``, ``label``).
    status : str
        ``"loading"``, ``"ready"``, ``"empty"`` or ``"error: ..."``.

    Examples
    --------
    >>> import pandas as pd
    >>> from uxlens.io.table import read_events
    >>> t0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")
    >>> df = pd.DataFrame({"session_id": ["a", "a", "b", "b"], "user_id": "u1",
    ...     "timestamp": [t0, t0 + pd.Timedelta("2s")] * 2, "event": ["pageview", "click"] * 2,
    ...     "url": "/invite", "x": [None, 120.0] * 2, "y": [None, 40.0] * 2})
    >>> log = read_events(df)
    >>> w = ReplayWidget(log.sessions())
    >>> w.session.session_id, w.next_session().session.session_id
    ('a', 'b')
    >>> w.markers  # the click is dead: nothing answered it
       t_s  kind    label
    0  0.0  page  /invite
    1  2.0  dead
    """

    _esm = STATIC / "replay.js"
    _css = _stylesheet()
    _rrweb = traitlets.Bytes(b"").tag(sync=True)
    _events = traitlets.Bytes(b"").tag(sync=True)
    #: Later event chunks, each gzip'd JSON, end to end (sizes in ``_info["chunks"][1:]``).
    _chunks = traitlets.Bytes(b"").tag(sync=True)
    _info = traitlets.Dict().tag(sync=True)
    _seek = traitlets.Dict().tag(sync=True)
    speed = traitlets.Float(1.0).tag(sync=True)
    skip_inactive = traitlets.Bool(True).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    current_ms = traitlets.Float(0.0).tag(sync=True)
    selected = traitlets.Dict().tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    #: "Add to deck" / "Save image" of the current frame: {action, path, nonce}.
    export_request = traitlets.Dict().tag(sync=True)
    export_path = traitlets.Unicode("replay.png").tag(sync=True)
    export_message = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        sessions: Session | Sequence[Session],
        *,
        speed: float = 1,
        skip_inactive: bool = True,
        mask: bool | Privacy = True,
        start: float | pd.Timestamp | None = None,
        width: int = 0,
        deck: Any = None,
    ) -> None:
        self.deck = deck
        if hasattr(sessions, "session_id"):
            playlist: list[Session] = [sessions]  # type: ignore[list-item]
        else:
            playlist = list(sessions)  # type: ignore[arg-type]
        if not playlist:
            raise UxlensError("ReplayWidget needs at least one session; got an empty list.")
        if float(speed) not in _SPEEDS:
            raise UxlensError(f"speed must be one of 1, 2, 4, 8; got {speed!r}.")
        self._playlist = playlist
        # True: the policy the log was read with (see uxlens.privacy.output_policy)
        self._mask: bool | Privacy = mask if isinstance(mask, Privacy) else bool(mask)
        self._start = start
        self._payloads: dict[int, tuple[list[bytes], dict[str, Any]]] = {}
        self._seeks = itertools.count(1)
        super().__init__(speed=float(speed), skip_inactive=bool(skip_inactive), width=int(width))
        self._rrweb = _rrweb_bundle()
        self._load(0)
        self.observe(self._on_export, names=["export_request"])

    # ------------------------------------------------------------ sessions
    @property
    def session(self) -> Session:
        """The session being shown."""
        return self._playlist[self.index]

    @property
    def sessions(self) -> list[Session]:
        """The playlist."""
        return list(self._playlist)

    @property
    def info(self) -> dict[str, Any]:
        """What the player shows besides the page: markers, panels, warnings..."""
        return dict(self._info)

    @property
    def markers(self) -> pd.DataFrame:
        """Timeline markers: ``t_s`` (from the first event), ``kind``, ``label``."""
        frame = pd.DataFrame(self._info.get("markers", []), columns=["t", "kind", "label"])
        start = self._start_ms()
        frame.insert(0, "t_s", (frame.pop("t") - start) / 1000.0)
        return frame

    @property
    def warnings(self) -> list[str]:
        """Problems with the recording (what the player skipped)."""
        return list(self._info.get("warnings", []))

    def _start_ms(self) -> int:
        start = self._info.get("start")
        if start is not None:
            return int(start)
        ev = self.session.events
        return int(_epoch_ms(ev["timestamp"]).min()) if len(ev) else 0

    def _payload(self, i: int) -> tuple[list[bytes], dict[str, Any]]:
        if i not in self._payloads:
            if len(self._payloads) >= _PAYLOAD_CACHE:
                self._payloads.pop(next(iter(self._payloads)))  # oldest first
            self._payloads[i] = replay_payload(self._playlist[i], mask=self._mask)
        return self._payloads[i]

    def _load(self, i: int) -> None:
        chunks, info = self._payload(i)
        info = {**info, "playlist_size": len(self._playlist)}
        if self._start is not None and i == 0:
            info["start_ms"] = self._resolve_start(self._start)
        with self.hold_sync():
            self._events = chunks[0]
            self._chunks = b"".join(chunks[1:])
            self._info = info
            self.current_ms = 0.0

    def _resolve_start(self, start: float | pd.Timestamp) -> int:
        ev = self.session.events
        first = int(_epoch_ms(ev["timestamp"]).min()) if len(ev) else self._start_ms()
        if isinstance(start, (pd.Timestamp, str)):
            ts = pd.Timestamp(start)
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
            return int((ts - _EPOCH) // _MS)
        return int(first + float(start) * 1000)

    @traitlets.observe("index")
    def _on_index(self, change: dict[str, Any]) -> None:
        i = int(change["new"])
        if not 0 <= i < len(self._playlist):
            self.index = min(max(i, 0), len(self._playlist) - 1)
            return
        self._load(i)

    @traitlets.validate("speed")
    def _check_speed(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if value not in _SPEEDS:
            raise traitlets.TraitError(f"speed must be one of 1, 2, 4, 8; got {value!r}.")
        return value

    # ------------------------------------------------------------ commands
    def play(self) -> ReplayWidget:
        """Start playing (in the browser)."""
        self.playing = True
        return self

    def pause(self) -> ReplayWidget:
        """Pause playback."""
        self.playing = False
        return self

    def seek(self, seconds: float) -> ReplayWidget:
        """Jump to ``seconds`` after the first replayed event."""
        self._seek = {"ms": float(seconds) * 1000.0, "n": next(self._seeks)}
        return self

    def next_session(self) -> ReplayWidget:
        """Show the next session of the playlist."""
        if self.index < len(self._playlist) - 1:
            self.index += 1
        return self

    def previous_session(self) -> ReplayWidget:
        """Show the previous session of the playlist."""
        if self.index > 0:
            self.index -= 1
        return self

    # ------------------------------------------------------------ export
    def still(self, seconds: float | None = None) -> Any:
        """The current frame (or ``seconds`` after the first event) as an export Still."""
        from ..export import Still

        at = self.current_ms / 1000.0 if seconds is None else float(seconds)
        return Still(self.session, at=round(at, 3), mask=self._mask)

    def add_to_deck(self) -> str:
        """Add a still of the current frame to the deck; return the status line."""
        self.export_request = {"action": "deck", "nonce": next(self._seeks)}
        return self.export_message

    def save_image(self, path: str | None = None) -> str:
        """Save the current frame as a PNG (default :attr:`export_path`); return the status."""
        self.export_request = {"action": "image", "path": path or self.export_path,
                               "nonce": next(self._seeks)}
        return self.export_message

    def _on_export(self, change: dict[str, Any]) -> None:
        request = change["new"] or {}
        if not request.get("action"):
            return
        from ..export import export_action

        try:
            still = self.still(request.get("t_ms", self.current_ms) / 1000.0)
            still.frame()  # render now, so a failure shows at the click, not at deck.save()
            request = {**request, "width": 0, "height": 0}  # the recorded viewport size
            self.export_message = export_action(
                request, still, deck=self.deck, default_path=self.export_path or "replay.png")
        except Exception as exc:
            self.export_message = f"Export failed: {exc}"

    def __repr__(self) -> str:
        extra = f", {len(self._playlist)} sessions" if len(self._playlist) > 1 else ""
        return f"<ReplayWidget {self.session.session_id} ({self._info.get('mode')}){extra}>"
