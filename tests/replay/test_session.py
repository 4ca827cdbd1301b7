"""Session tables, the replay payload and the ReplayWidget API (no browser needed)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import traitlets

from uxlens.exceptions import RecordingFormatError, UxlensError
from uxlens.io.rrweb import read_rrweb
from uxlens.io.table import read_events
from uxlens.replay_sanitize import REPLAY_CSP, sanitize_recording
from uxlens.session import Session, page_segments
from uxlens.widgets.replay import (
    ReplayWidget,
    inactive_spans,
    replay_payload,
    split_events,
    wireframe_recording,
)

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"
SAMPLE = Path(__file__).resolve().parents[2] / "data-samples" / "onboarding"
T = pd.Timestamp("2024-05-01 10:00", tz="UTC")
T_MS = int(T.value // 1_000_000)

# (seconds, event, url, x, y, target, target_text)
ROWS = [
    (0.0, "pageview", "/signup", None, None, None, None),
    (1.0, "click", "/signup", 100, 200, "button#next", "Next"),
    (1.3, "click", "/signup", 104, 203, "button#next", "Next"),
    (1.6, "click", "/signup", 108, 198, "button#next", "Next"),
    (2.5, "click", "/signup", 600, 500, "button#save", "Save"),
    (3.0, "console", "/signup", None, None, None, None),
    (4.0, "network", "/signup", None, None, None, None),
    (10.0, "pageview", "/invite", None, None, None, None),
    (12.0, "click", "/invite", 300, 400, "a#help", "Help"),
    (13.0, "scroll", "/invite", None, None, None, None),
    (20.0, "invite_sent", "/invite", None, None, None, None),
]


def _decode(chunks: list[bytes]) -> list[dict]:
    """The whole recording from its gzip'd chunks."""
    return [e for c in chunks for e in json.loads(gzip.decompress(c))]


def _table() -> pd.DataFrame:
    df = pd.DataFrame(ROWS, columns=["t", "event", "url", "x", "y", "target", "target_text"])
    df["timestamp"] = T + pd.to_timedelta(df.pop("t"), unit="s")
    df["session_id"], df["user_id"] = "s1", "u1"
    n = len(df)

    def only(i: int, value: object) -> list:
        return [value if j == i else None for j in range(n)]

    df["level"] = only(5, "error")
    df["message"] = only(5, "TypeError: x is undefined")
    df["method"] = only(6, "POST")
    df["status"] = only(6, 500)
    df["duration_ms"] = only(6, 120.0)
    df["request_url"] = only(6, "/api/invite")
    df["scroll_y"] = only(9, 100.0)
    df["viewport_w"], df["viewport_h"] = 1280, 800
    other = df.iloc[:2].assign(session_id="s2", user_id="u2")
    return pd.concat([df, other], ignore_index=True)


@pytest.fixture(scope="module")
def log():
    return read_events(_table())


@pytest.fixture(scope="module")
def s1(log) -> Session:
    return log.session("s1")


@pytest.fixture(scope="module")
def hostile():
    return read_rrweb(str(HOSTILE / "scripts_and_handlers.json"))


# ---------------------------------------------------------------------- tables
def test_timeline_is_tidy_and_flags_clicks(s1: Session) -> None:
    tl = s1.timeline()
    assert list(tl.columns) == [
        "timestamp", "t_s", "event", "page", "element", "text", "x", "y", "scroll_y", "level",
        "message", "method", "status", "duration_ms", "rage", "dead", "error_click",
    ]
    assert tl["t_s"].tolist() == [r[0] for r in ROWS]
    assert tl["event"].astype(str).tolist() == [r[1] for r in ROWS]
    assert tl["page"].astype(str).tolist() == [r[2] for r in ROWS]
    assert tl.index[tl["rage"]].tolist() == [1, 2, 3]
    assert tl.index[tl["error_click"]].tolist() == [4]
    assert not tl["dead"].any()


def test_pages(s1: Session) -> None:
    pages = s1.pages()
    assert pages[["page", "t_s", "seconds", "events", "clicks", "errors", "rage", "dead"]].to_dict(
        "records"
    ) == [
        {"page": "/signup", "t_s": 0.0, "seconds": 10.0, "events": 7, "clicks": 4, "errors": 2,
         "rage": 3, "dead": 0},
        {"page": "/invite", "t_s": 10.0, "seconds": 10.0, "events": 4, "clicks": 1, "errors": 0,
         "rage": 0, "dead": 0},
    ]
    assert pages["start"].tolist() == [T, T + pd.Timedelta(seconds=10)]


def test_page_segments_without_pageviews() -> None:
    ev = pd.DataFrame({"event": ["click"] * 5, "url": ["/a", None, "/a", "/b", "/a"]})
    assert page_segments(ev).tolist() == [0, 0, 0, 1, 2]
    assert page_segments(ev.iloc[:0]).tolist() == []


def test_friction_is_restricted_to_the_session(s1: Session, log) -> None:
    sig = s1.friction()
    assert sig[["kind", "count", "element"]].to_dict("records") == [
        {"kind": "rage_click", "count": 3, "element": "#next"},
        {"kind": "error_click", "count": 1, "element": "#save"},
    ]
    assert set(sig["session_id"]) == {"s1"}
    assert s1.friction_score() == 3.0 + 2.5  # published weights: rage 3 x 3/3, error 2.5
    assert log.session("s2").friction()["kind"].tolist() == []


def test_summary_row(s1: Session) -> None:
    row = s1.summary()
    assert (row["session_id"], row["duration_s"], row["clicks"], row["errors"]) == ("s1", 20.0, 5, 2)


def test_card_without_browser_has_fields_and_no_image(s1: Session, monkeypatch) -> None:
    import uxlens.render

    monkeypatch.setattr(uxlens.render, "browser_available", lambda: (False, "test"))
    html = s1._repr_html_()
    for text in ("Session s1", ">u1<", ">desktop<", ">20 s<", ">2<", "friction", "5.5 (2 signals)"):
        assert text in html, text
    assert "<img" not in html


def test_card_never_fails(log, monkeypatch) -> None:
    s = log.session("s2")

    def broken(*args, **kwargs):
        raise RuntimeError("engine down")

    monkeypatch.setattr(type(log), "sessions", broken)
    html = s._repr_html_()
    assert "Session s2" in html and ">u2<" in html


def test_frame_needs_a_dom_recording(s1: Session) -> None:
    with pytest.raises(RecordingFormatError):
        s1.frame(1.0)


# ------------------------------------------------------------------ payload
def test_wireframe_payload_for_table_sessions(s1: Session) -> None:
    data, info = replay_payload(s1)
    events = _decode(data)
    assert info["mode"] == "wireframe" and info["warnings"] == []
    assert [e["type"] for e in events if e["type"] in (2, 4)] == [4, 2, 4, 2]  # two pages
    assert [(e["timestamp"] - T_MS, e["data"]["x"], e["data"]["y"]) for e in events
            if e["type"] == 3 and e["data"]["source"] == 2] == [
        (1000, 100.0, 200.0), (1300, 104.0, 203.0), (1600, 108.0, 198.0), (2500, 600.0, 500.0),
        (12000, 300.0, 400.0)]
    boxes = [n for n in events[1]["data"]["node"]["childNodes"][0]["childNodes"][1]["childNodes"]
             if n["attributes"].get("class") == "uxl-box"]
    assert [(b["attributes"]["title"], b["childNodes"][0]["textContent"]) for b in boxes] == [
        ("button#next", "Next"), ("button#save", "Save")]
    assert boxes[0]["attributes"]["style"] == "left:76px;top:182px;width:56px;height:37px"


def test_markers_panels_and_idle_spans(s1: Session) -> None:
    _, info = replay_payload(s1)
    assert [(m["t"] - T_MS, m["kind"], m["label"]) for m in info["markers"]] == [
        (0, "page", "/signup"), (1000, "rage", "Next"), (1300, "rage", "Next"),
        (1600, "rage", "Next"), (2500, "error_click", "Save"),
        (3000, "error", "TypeError: x is undefined"), (4000, "network", "POST /api/invite → 500"),
        (10000, "page", "/invite"), (12000, "click", "Help"), (20000, "custom", "invite_sent"),
    ]
    assert [(c["t"] - T_MS, c["kind"]) for c in info["clicks"]] == [
        (1000, "rage"), (1300, "rage"), (1600, "rage"), (2500, "error_click"), (12000, "click")]
    assert info["console"] == [{"t": T_MS + 3000, "level": "error",
                                "message": "TypeError: x is undefined", "bad": True}]
    assert info["network"] == [{"t": T_MS + 4000, "method": "POST", "url": "/api/invite",
                                "status": 500, "duration_ms": 120.0, "bad": True}]
    # activity at 1.0 1.3 1.6 2.5 12 13 s and the ends at 0 and 20 s: gaps over 5 s, 1 s margins
    assert info["inactive"] == [(T_MS + 3500, T_MS + 11000), (T_MS + 14000, T_MS + 19000)]
    assert info["csp"] == REPLAY_CSP


def _ticks(n: int, *, lead: list[dict] | None = None) -> list[dict]:
    head = lead if lead is not None else [{"type": 4, "timestamp": 0}, {"type": 2, "timestamp": 0}]
    return head + [{"type": 3, "timestamp": 1000 * i, "data": {"source": 0}} for i in range(1, n + 1)]


def test_split_events_head_then_fixed_size_chunks() -> None:
    ev = _ticks(10)
    chunks = split_events(ev, first_ms=3000, chunk_events=4)
    assert [[e["timestamp"] for e in c] for c in chunks] == [
        [0, 0, 1000, 2000, 3000], [4000, 5000, 6000, 7000], [8000, 9000, 10000]]
    assert [e for c in chunks for e in c] == ev
    # the head stops at chunk_events past the snapshot even inside first_ms
    assert [len(c) for c in split_events(ev, first_ms=60_000, chunk_events=4)] == [6, 4, 2]
    # everything fits: one chunk
    assert split_events(ev, first_ms=60_000, chunk_events=100) == [ev]
    assert split_events([]) == [[]]


def test_split_events_head_reaches_the_first_snapshot() -> None:
    # events before a late snapshot all go in the head, then first_ms after the snapshot
    lead = [{"type": 4, "timestamp": 0}] + [
        {"type": 3, "timestamp": 100 * i, "data": {"source": 1}} for i in range(1, 8)]
    ev = lead + [{"type": 2, "timestamp": 5000}] + [
        {"type": 3, "timestamp": 5000 + 1000 * i, "data": {"source": 0}} for i in range(1, 6)]
    chunks = split_events(ev, first_ms=2000, chunk_events=2)
    assert [len(c) for c in chunks] == [11, 2, 1]
    assert chunks[0][-1]["timestamp"] == 7000
    # no snapshot at all: the head starts at the first event; always two events at least
    no_snap = [{"type": 3, "timestamp": 10_000 * i, "data": {"source": 0}} for i in range(5)]
    assert [len(c) for c in split_events(no_snap, first_ms=1000, chunk_events=2)] == [2, 2, 1]


def test_payload_chunks_cover_the_recording(s1: Session, monkeypatch) -> None:
    import uxlens.widgets.replay as replay

    whole, _ = replay_payload(s1)
    monkeypatch.setattr(replay, "FIRST_CHUNK_MS", 1500)
    monkeypatch.setattr(replay, "CHUNK_EVENTS", 3)
    chunks, info = replay_payload(s1)
    events = _decode(chunks)
    assert events == _decode(whole) and len(whole) == 2  # 20 s: head of 10 s, then the rest
    assert [c["events"] for c in info["chunks"]] == [len(json.loads(gzip.decompress(c)))
                                                      for c in chunks]
    assert [c["bytes"] for c in info["chunks"]] == [len(c) for c in chunks]
    assert len(chunks) == -(-(len(events) - info["chunks"][0]["events"]) // 3) + 1 >= 3
    assert info["chunks"][0]["t1"] - info["start"] <= 1500
    assert (info["start"], info["end"]) == (events[0]["timestamp"], events[-1]["timestamp"])
    assert info["end"] - info["start"] == 20_000
    w = ReplayWidget(s1)
    assert w._events == chunks[0] and w._chunks == b"".join(chunks[1:])


def test_inactive_spans_at_the_edges() -> None:
    ev = [{"type": 4, "timestamp": 0}, {"type": 3, "timestamp": 7000, "data": {"source": 2}},
          {"type": 3, "timestamp": 7100, "data": {"source": 0}},
          {"type": 3, "timestamp": 12000, "data": {"source": 5}},
          {"type": 3, "timestamp": 30000, "data": {"source": 0}}]
    assert inactive_spans(ev) == [(1000, 6000), (13000, 29000)]
    assert inactive_spans(ev, threshold_ms=20000) == []
    assert inactive_spans([]) == []


def test_dom_payload_is_the_sanitised_recording(hostile) -> None:
    s = hostile.session(hostile.session_ids[0])
    data, info = replay_payload(s)
    assert _decode(data) == sanitize_recording(s.recording).events
    assert info["mode"] == "dom" and info["warnings"] == []
    assert info["sanitized"]["script"] == 4 and info["sanitized"]["event_handler"] == 10
    assert [c["kind"] for c in info["clicks"]] == ["rage", "rage", "rage"]
    assert [m["kind"] for m in info["markers"]] == ["page", "rage", "rage", "rage"]
    assert (info["width"], info["height"]) == (1024, 768)
    assert info["pages"] == [{"t": T_MS_HOSTILE, "url": "https://app.example.com/onboarding/invite"}]
    assert all(b"evil.test" not in gzip.decompress(c) for c in data)


T_MS_HOSTILE = 1_700_000_000_000


def _all_nodes(events: list[dict]) -> list[dict]:
    todo = [e["data"]["node"] for e in events if e["type"] == 2]
    todo += [a["node"] for e in events if e["type"] == 3 and e["data"]["source"] == 0
             for a in e["data"]["adds"]]
    out = []
    while todo:
        n = todo.pop()
        out.append(n)
        todo += n.get("childNodes", [])
    return out


def test_unmasked_payload_keeps_typed_values() -> None:
    log = read_rrweb(str(HOSTILE / "pii_and_masking.json"), mask=False)
    s = log.session(log.session_ids[0])
    masked = b"".join(map(gzip.decompress, replay_payload(s)[0]))
    plain = b"".join(map(gzip.decompress, replay_payload(s, mask=False)[0]))
    assert b"Ann Smith" in plain and b"Ann Smith" not in masked
    assert b"Private Person" not in plain  # rr-mask is the page's own wish


def test_payload_of_a_recording_without_snapshot_falls_back_to_wireframe(s1: Session) -> None:
    log = read_events(_table())
    log.recordings["s1"] = [{"type": 3, "timestamp": T_MS + 1, "data": {"source": 1, "positions": []}}]
    _, info = replay_payload(log.session("s1"))
    assert info["mode"] == "wireframe"
    assert info["warnings"] == [
        "the recording has no full snapshot: showing a wireframe of element boxes inferred "
        "from the events"]


def test_wireframe_of_nothing() -> None:
    assert wireframe_recording(_table().iloc[:0]) == []


# ------------------------------------------------------------------- widget
def test_widget_traits_and_commands(s1: Session) -> None:
    w = s1.replay(speed=4, skip_inactive=False, start=2.5)
    assert (w.speed, w.skip_inactive, w.playing) == (4.0, False, False)
    assert w._info["start_ms"] == T_MS + 2500
    assert w._info["playlist_size"] == 1
    assert w.seek(12.5)._seek == {"ms": 12500.0, "n": 1}
    assert w.seek(12.5)._seek == {"ms": 12500.0, "n": 2}  # same target, new request
    assert w.play().playing is True and w.pause().playing is False
    assert gzip.decompress(w._rrweb).endswith(b"export {\n  Replayer\n};\n")
    assert w.markers["kind"].tolist()[:2] == ["page", "rage"]
    with pytest.raises(traitlets.TraitError):
        w.speed = 3
    with pytest.raises(UxlensError, match="speed must be one of 1, 2, 4, 8"):
        s1.replay(speed=3)


def test_start_as_timestamp(s1: Session) -> None:
    w = s1.replay(start=T + pd.Timedelta(seconds=12))
    assert w._info["start_ms"] == T_MS + 12000


def test_playlist(log) -> None:
    w = ReplayWidget(log.sessions())
    assert [s.session_id for s in w.sessions] == ["s1", "s2"]
    assert w._info["session_id"] == "s1" and w._info["playlist_size"] == 2
    w.next_session()
    assert (w.index, w._info["session_id"], w.session.session_id) == (1, "s2", "s2")
    w.next_session()
    assert w.index == 1
    w.index = 0  # what the browser's "previous" button does
    assert w._info["session_id"] == "s1"
    with pytest.raises(UxlensError, match="at least one session"):
        ReplayWidget([])


def test_widget_state_is_json_and_bytes(s1: Session) -> None:
    w = s1.replay()
    state = w.get_state()
    assert isinstance(state["_events"], (bytes, memoryview))
    json.dumps(state["_info"])  # the info travels as JSON
    assert state["_esm"].startswith("// uxlens replay player")
    assert ".replayer-mouse" in state["_css"] and ".uxl-marker" in state["_css"]


def test_deep_recordings_are_encoded() -> None:
    log = read_rrweb(str(HOSTILE / "robustness.json"))
    s = log.session(log.session_ids[0])
    data, info = replay_payload(s)
    events = _decode(data)
    assert len(events) >= 2 and info["mode"] == "dom"
    assert "1 subtree(s) nested deeper than 400 levels dropped" in info["warnings"]


# ------------------------------------------------------------- demo sample
@pytest.mark.slow
def test_demo_sessions_replay_with_their_planted_rage_clicks() -> None:
    if not (SAMPLE / "recordings.jsonl.gz").exists():
        pytest.skip("data-samples/onboarding not generated yet")
    from uxlens.datasets import demo

    log = demo()
    truth = log.meta.get("ground_truth")
    rage = truth.loc[truth["kind"] == "rage_click"] if truth is not None else pd.DataFrame()
    ids = list(dict.fromkeys(list(rage["session_id"].astype(str))[:5] + log.session_ids[:3]))
    for sid in ids:
        s = log.session(sid)
        data, info = replay_payload(s)
        assert info["mode"] == "dom", sid
        assert not info["warnings"], (sid, info["warnings"])
        events = _decode(data)
        assert not [e for e in events if e["type"] not in (0, 1, 2, 3, 4)]
        for node in _all_nodes(events):
            if node.get("type") == 2:
                assert node["tagName"] != "script"
                for name in ("src", "href", "srcset", "xlink:href"):
                    value = node["attributes"].get(name, "#")
                    assert value.startswith(("#", "data:image/")), (sid, name, value)
        planted = rage.loc[rage["session_id"].astype(str) == sid]
        found = np.array([m["t"] for m in info["markers"] if m["kind"] == "rage"])
        for when in pd.to_datetime(planted["timestamp"], utc=True):
            at = (when - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)
            assert len(found) and np.abs(found - at).min() <= 1500, (sid, when)
