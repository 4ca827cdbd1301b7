"""read_rrweb: every shared recording with exact counts, a hand-built page with
known answers, PostHog shapes, compressed encodings, files and directories, and
bad input with exact rejection reasons."""

from __future__ import annotations

import copy
import gzip
import json
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests._paths import shared
from uxlens.eventlog import EventLog
from uxlens.exceptions import RecordingFormatError, UxlensError
from uxlens.io.rrweb import read_rrweb

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "rrweb"
INVITE = FIXTURES / "invite_page.json"
T0 = 1_700_000_000_000


def raw_events(path):
    """Events of a shared file, unwrapped with the json module (independent of uxlens)."""
    value = json.loads(Path(path).read_text())
    return value["result"]["snapshots"] if isinstance(value, dict) else value


def positions(events, source=1):
    return sum(
        len(e["data"]["positions"])
        for e in events
        if e["type"] == 3 and e["data"]["source"] == source
    )


def event_counts(log):
    return {k: int(v) for k, v in Counter(log.events["event"].astype(str)).items()}


def identity(log):
    c = log.counts
    assert c["loaded"] + c["rejected"] == c["read"]
    assert sum(len(r) for r in log.recordings.values()) == c["loaded"]
    return c


def string_cells(frame):
    out = []
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype) in ("string", "str", "category"):
            out.extend(str(v) for v in frame[col].dropna().astype(str))
    return out


# --------------------------------------------------------------- shared data
SHARED = {
    # read = raw rrweb events (SOURCES.md); rows by event type, mousemove from the raw JSON
    "posthog_hogflix_demo_2021.json": (
        62, {"pageview": 4, "click": 2, "input": 21, "focus": 4, "blur": 1}),
    "rrweb_player_demo_demoit.json": (
        272, {"pageview": 1, "click": 3, "scroll": 12, "mutation": 226, "focus": 2, "blur": 3}),
    "rrweb_test_iframe.json": (13, {"pageview": 1, "mutation": 9}),
    "rrweb_test_input.json": (11, {"pageview": 1, "mutation": 4, "input": 3}),
    "rrweb_test_scroll.json": (8, {"pageview": 1, "mutation": 2, "scroll": 2}),
}


@pytest.mark.parametrize("name", sorted(SHARED))
def test_every_shared_recording_loads_with_exact_counts(name):
    path = shared("rrweb", name)
    read, expected = SHARED[name]
    raw = raw_events(path)
    moves = positions(raw)
    if moves:
        expected = {**expected, "mousemove": moves}
    log = read_rrweb(path)
    assert isinstance(log, EventLog)
    assert identity(log) == {"read": read, "loaded": read, "rejected": 0}
    assert len(raw) == read
    assert event_counts(log) == expected
    assert len(log.events) == sum(expected.values())
    assert log.events["timestamp"].is_monotonic_increasing
    assert log.events["seq"].tolist() == list(range(len(log.events)))


def test_shared_mousemove_counts_are_what_we_expect():
    # pinned so that a change in the raw files is noticed
    assert positions(raw_events(shared("rrweb", "posthog_hogflix_demo_2021.json"))) == 40
    assert positions(raw_events(shared("rrweb", "rrweb_player_demo_demoit.json"))) == 87


def test_hogflix_legacy_posthog_wrapper():
    path = shared("rrweb", "posthog_hogflix_demo_2021.json")
    log = read_rrweb(path)
    ev = log.events
    person = json.loads(path.read_text())["result"]["person"]["distinct_ids"][0]
    assert set(ev["session_id"]) == {"posthog_hogflix_demo_2021"}
    assert set(ev["user_id"]) == {person}
    views = ev[ev["event"] == "pageview"]
    assert views["url"].astype(str).tolist() == [
        "http://localhost:8000/demo/1", "http://localhost:8000/demo/2",
        "http://localhost:8000/demo/3", "http://localhost:8000/demo/3"]
    assert views["query"].tolist()[1:3] == [
        "username=helloworld&password=********", "creditcard=********"]
    assert views[["viewport_w", "viewport_h"]].drop_duplicates().values.tolist() == [[1276, 1300]]
    clicks = ev[ev["event"] == "click"]
    assert clicks[["x", "y"]].values.tolist() == [[567.0, 474.0], [589.0, 490.0]]
    assert clicks["target"].astype(str).tolist() == [
        "body > main > section > form > input.form-control:nth-of-type(1)",
        "body > main > section > form > input.form-control"]
    assert clicks["target_is_control"].tolist() == [True, True]
    inputs = ev[ev["event"] == "input"]
    typed = [e["data"]["text"] for e in raw_events(path) if e["type"] == 3
             and e["data"]["source"] == 5]
    assert inputs["value"].tolist() == ["*" * len(t) for t in typed]
    assert "helloworld" not in " ".join(inputs["value"])
    assert (ev["device"] == "desktop").all()


def test_demoit_element_scrolls_keep_page_scroll_and_session_from_events():
    path = shared("rrweb", "rrweb_player_demo_demoit.json")
    raw = raw_events(path)
    log = read_rrweb(path)
    ev = log.events
    assert set(ev["session_id"]) == {raw[0]["sessionId"]}
    assert set(ev["url"].astype(str)) == {"https://demoit.app/e/react"}  # fragment dropped
    scrolls = ev[ev["event"] == "scroll"]
    raw_scrolls = [e["data"] for e in raw if e["type"] == 3 and e["data"]["source"] == 3]
    assert scrolls["scroll_top"].tolist() == [float(d["y"]) for d in raw_scrolls]
    assert scrolls["target"].notna().all()
    assert (ev["scroll_y"] == 0).all()  # element scrolls never move the page
    mutations = ev[ev["event"] == "mutation"]
    raw_changes = [sum(len(e["data"].get(k, [])) for k in ("adds", "removes", "texts",
                                                           "attributes"))
                   for e in raw if e["type"] == 3 and e["data"]["source"] == 0]
    assert mutations["changes"].tolist() == raw_changes
    clicks = ev[ev["event"] == "click"]
    raw_clicks = [(float(e["data"]["x"]), float(e["data"]["y"])) for e in raw
                  if e["type"] == 3 and e["data"]["source"] == 2 and e["data"]["type"] == 2]
    assert list(map(tuple, clicks[["x", "y"]].values.tolist())) == raw_clicks
    ends = ["pre.CodeMirror-line:nth-of-type(18)", "pre.CodeMirror-line:nth-of-type(27)",
            "div.status-bar > div > a.active"]
    assert [t.endswith(e) for t, e in zip(clicks["target"].astype(str), ends)] == [True] * 3
    assert clicks["target_text"].tolist() == ["render() {", "}", "ReactHooks.js"]


def test_rrweb_scroll_fixture_page_versus_element_scroll():
    log = read_rrweb(shared("rrweb", "rrweb_test_scroll.json"))
    assert rows(log, "scroll", ["target", "scroll_top", "scroll_y"]) == [
        ("div#container", 2500.0, 0.0), (None, None, 250.0)]


@pytest.mark.parametrize(
    ("mask", "values"),
    [(True, ["******", "******", "**** *****"]), (False, ["valueA", "valueC", "test input"])],
)
def test_rrweb_input_fixture_values_masked_by_default(mask, values):
    log = read_rrweb(shared("rrweb", "rrweb_test_input.json"), mask=mask)
    inputs = log.events[log.events["event"] == "input"]
    assert inputs["value"].tolist() == values
    assert inputs["target"].astype(str).tolist() == ["body > select", "body > select",
                                                     "body > input"]
    assert inputs["checked"].tolist() == [False, False, False]


# ------------------------------------------------------- hand-built fixture
@pytest.fixture(scope="module")
def invite():
    return read_rrweb(INVITE, session_id="s-invite")


def rows(log, event, cols):
    part = log.events[log.events["event"] == event]
    return [tuple(None if pd.isna(v) else v for v in r) for r in part[cols].itertuples(False)]


def test_invite_counts(invite):
    assert identity(invite) == {"read": 30, "loaded": 30, "rejected": 0}
    assert event_counts(invite) == {
        "pageview": 2, "scroll": 2, "click": 6, "mutation": 3, "input": 1, "mousemove": 3,
        "dblclick": 1, "resize": 1, "touch": 1, "focus": 1, "blur": 1, "selection": 1,
        "console": 2, "network": 2, "identify": 1, "invite_sent": 1, "custom:click": 1}


def test_clicks_resolve_targets_at_event_time_with_scroll_offsets(invite):
    assert rows(invite, "click", ["x", "y", "target", "target_text", "target_is_control"]) == [
        # page scrolled by 120 px: client y 200 -> document y 320
        (100.0, 320.0, "main#app > form > button.btn.primary", "Send invites", True),
        # node added later (its text node arrived first in the batch), then clicked
        (50.0, 180.0, "main#app > div.toast", "Invites sent", False),
        # the button was removed: nothing there any more
        (100.0, 320.0, None, None, False),
        # re-added with another class
        (110.0, 330.0, "main#app > form > button.btn.secondary", "Send invites", True),
        (12.0, 420.0, "main#app > ul > li:nth-of-type(1)", "Ann", False),
        (40.0, 450.0, "main#app > ul > li:nth-of-type(2)", "contact: ***************", False),
    ]
    assert rows(invite, "dblclick", ["x", "y", "target"]) == [
        (30.0, 160.0, "main#app > h1")]
    assert rows(invite, "touch", ["x", "y", "target", "viewport_w", "device"]) == [
        (5.0, 125.0, "main#app > ul > li:nth-of-type(1)", 1000, "tablet")]


def test_mousemove_one_row_per_position_at_absolute_time(invite):
    moves = invite.events[invite.events["event"] == "mousemove"]
    assert (moves["timestamp"] - pd.Timestamp(T0, unit="ms", tz="UTC")).dt.total_seconds().mul(
        1000).tolist() == [1900.0, 1950.0, 2000.0]
    assert rows(invite, "mousemove", ["x", "y", "target", "target_text"]) == [
        (10.0, 140.0, "main#app > ul > li:nth-of-type(2)", "contact: ***************"),
        (15.0, 145.0, "main#app > p.hint.rr-mask", "*** *************** ******"),
        (20.0, 150.0, "main#app > h1", "Invite teammates"),
    ]


def test_page_context_columns(invite):
    ev = invite.events
    first = ev["url"].astype(str) == "https://app.example.com/onboarding/invite"
    assert set(ev.loc[first, "query"]) == {"step=3"}
    assert set(ev.loc[first, "page_h"]) == {2400}  # data-page-height on <html>
    assert ev.loc[first, "scroll_y"].tolist()[:2] == [0.0, 120.0]
    assert rows(invite, "resize", ["viewport_w", "viewport_h", "device"]) == [
        (1000, 700, "tablet")]
    assert rows(invite, "pageview", ["url", "viewport_w", "page_h", "scroll_y"]) == [
        ("https://app.example.com/onboarding/invite", 1280, 2400, 0.0),
        ("https://app.example.com/dashboard", 1000, None, 0.0)]
    assert rows(invite, "scroll", ["target", "scroll_top", "scroll_y"]) == [
        (None, None, 120.0), ("main#app > ul", 40.0, 120.0)]
    assert rows(invite, "mutation", ["changes"]) == [(2,), (1,), (1,)]
    assert rows(invite, "selection", ["target"]) == [("main#app > h1",)]
    assert rows(invite, "focus", ["target", "x"]) == [
        ("main#app > form > input.field:nth-of-type(1)", None)]


def test_input_console_network(invite):
    assert rows(invite, "input", ["target", "target_text", "value", "checked"]) == [
        ("main#app > form > input.field:nth-of-type(1)", "*" * 16,
         "***@*******.*** ***@*******.***", False)]
    assert rows(invite, "console", ["level", "message"]) == [
        ("error", "Uncaught TypeError: x is undefined at invite.js:12"),
        ("log", "mail me at ***************")]
    net = invite.events[invite.events["event"] == "network"]
    # performance.now() times anchored on the batch's last end (1250 ms at T0 + 3000)
    assert (net["timestamp"] - pd.Timestamp(T0, unit="ms", tz="UTC")).dt.total_seconds().mul(
        1000).tolist() == [2650.0, 2750.0]
    assert rows(invite, "network", ["request_url", "method", "status", "duration_ms"]) == [
        ("https://cdn.example.com/app.js", None, None, 50.0),
        ("https://api.example.com/invites?token=******", "POST", 500, 250.0)]


def test_custom_events_identify_and_payload_columns(invite):
    ev = invite.events
    assert set(ev["user_id"]) == {"u-42"}  # identify applies to every event
    assert set(ev["source"]) == {"email"}
    assert ev["is_returning"].all()
    assert set(ev["version"]) == {"A"} and set(ev["plan"]) == {"pro"}
    assert rows(invite, "invite_sent", ["count", "emails"]) == [(2, "*" * 15)]
    assert rows(invite, "custom:click", ["payload_x"]) == [(1,)]


def test_masking_everywhere_by_default_and_opt_out():
    secrets = ["ann@example.com", "bob@example.com", "abc123", "comma-separated", "u-42x"]
    masked = read_rrweb(INVITE)
    cells = " ".join(string_cells(masked.events))
    for secret in secrets:
        assert secret not in cells
    raw = read_rrweb(INVITE, mask=False)
    assert rows(raw, "input", ["value", "target_text"]) == [
        ("ann@example.com bob@example.com", "name@company.com")]
    assert rows(raw, "mousemove", ["target_text"])[:2] == [
        ("contact: bob@example.com",), ("use comma-separated emails",)]
    assert rows(raw, "console", ["message"])[1] == ("mail me at ann@example.com",)
    assert rows(raw, "invite_sent", ["emails"]) == [("ann@example.com",)]
    assert rows(raw, "network", ["request_url"])[1] == (
        "https://api.example.com/invites?token=abc123",)


def test_recordings_are_kept_unless_asked_not_to():
    log = read_rrweb(INVITE)
    assert list(log.recordings) == ["invite_page"]
    assert log.recordings["invite_page"] == json.loads(INVITE.read_text())
    assert read_rrweb(INVITE, keep_recordings=False).recordings == {}


# --------------------------------------------------------- small builders
def meta(t, href="https://a.com/p", w=1200, h=800):
    return {"type": 4, "timestamp": T0 + t, "data": {"href": href, "width": w, "height": h}}


def snap(t, top=0, left=0, kids=None, node_id=1):
    return {"type": 2, "timestamp": T0 + t, "data": {"initialOffset": {"top": top, "left": left},
            "node": {"type": 0, "id": node_id, "childNodes": [
                {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
                    {"type": 2, "id": 3, "tagName": "body", "attributes": {},
                     "childNodes": kids or []}]}]}}}


def inc(t, **data):
    return {"type": 3, "timestamp": T0 + t, "data": data}


def click(t, nid, x, y, kind=2):
    return inc(t, source=2, type=kind, id=nid, x=x, y=y)


BUTTON = {"type": 2, "id": 5, "tagName": "button", "attributes": {"id": "go"},
          "childNodes": [{"type": 3, "id": 6, "textContent": "Go"}]}


def test_initial_offset_and_scroll_add_to_coordinates():
    events = [meta(0), snap(1, top=500, left=20, kids=[BUTTON]), click(10, 5, 100, 10),
              inc(20, source=3, id=1, x=0, y=800), click(30, 5, 100, 10),
              inc(40, source=1, positions=[{"x": 1, "y": 2, "id": 5, "timeOffset": -5}])]
    log = read_rrweb(events, session_id="s")
    assert rows(log, "pageview", ["scroll_y"]) == [(500.0,)]
    assert rows(log, "click", ["x", "y", "scroll_y", "target"]) == [
        (120.0, 510.0, 500.0, "button#go"), (100.0, 810.0, 800.0, "button#go")]
    assert rows(log, "mousemove", ["x", "y"]) == [(1.0, 802.0)]


def test_checkout_meta_is_not_a_pageview():
    load = {"type": 1, "timestamp": T0 + 50, "data": {}}
    events = [meta(0), snap(1), meta(10), snap(11),          # checkout: no new pageview
              load, meta(60), snap(61),                      # reload of the same URL
              meta(70, href="https://a.com/q"), snap(71)]    # navigation
    log = read_rrweb(events, session_id="s")
    assert rows(log, "pageview", ["url"]) == [
        ("https://a.com/p",), ("https://a.com/p",), ("https://a.com/q",)]
    assert identity(log)["loaded"] == 9


def test_session_and_user_precedence():
    events = [dict(meta(0), sessionId="ev-sid"), snap(1)]
    rec = {"session_id": "rec-sid", "user_id": "rec-user", "events": events}
    assert set(read_rrweb(rec).events["session_id"]) == {"ev-sid"}
    assert set(read_rrweb(rec, session_id="arg").events["session_id"]) == {"arg"}
    assert set(read_rrweb(rec).events["user_id"]) == {"rec-user"}
    assert set(read_rrweb(rec, user_id="u").events["user_id"]) == {"u"}
    plain = {"session_id": "rec-sid", "events": [meta(0)]}
    log = read_rrweb(plain)
    assert set(log.events["session_id"]) == {"rec-sid"}
    assert set(log.events["user_id"]) == {"rec-sid"}  # anonymous: the session id
    assert set(read_rrweb([meta(0)]).events["session_id"]) == {"memory"}
    identified = [meta(0), {"type": 5, "timestamp": T0 + 5, "data": {
        "tag": "identify", "payload": {"user_id": "idf", "device": "mobile"}}}]
    log = read_rrweb({"session_id": "x", "user_id": "rec", "events": identified})
    assert set(log.events["user_id"]) == {"idf"}
    assert set(log.events["device"]) == {"mobile"}


def test_custom_tag_collisions_and_reserved_payload_keys():
    events = [meta(0),
              {"type": 5, "timestamp": T0 + 1, "data": {"tag": "error", "payload": {
                  "url": "/x", "seq": 3, "plan": "pro"}}},
              {"type": 5, "timestamp": T0 + 2, "data": {"tag": "signup_done",
                                                         "payload": "plain text"}},
              {"type": 5, "timestamp": T0 + 3, "data": {"tag": "nested",
                                                         "payload": {"a": {"b": [1, 2]}}}}]
    log = read_rrweb(events, session_id="s")
    assert event_counts(log) == {"pageview": 1, "custom:error": 1, "signup_done": 1, "nested": 1}
    assert rows(log, "custom:error", ["payload_url", "payload_seq", "plan", "url"]) == [
        ("/x", 3, "pro", "https://a.com/p")]
    assert rows(log, "signup_done", ["payload"]) == [("plain text",)]
    assert rows(log, "nested", ["a"]) == [('{"b":[1,2]}',)]


def test_page_size_custom_event_sets_page_height():
    events = [meta(0), snap(1, kids=[BUTTON]),
              {"type": 5, "timestamp": T0 + 5, "data": {"tag": "page_size",
                                                         "payload": {"height": 3200}}},
              click(10, 5, 1, 1)]
    log = read_rrweb(events, session_id="s")
    assert rows(log, "click", ["page_h"]) == [(3200,)]
    assert rows(log, "pageview", ["page_h"]) == [(None,)]


# ------------------------------------------------------------- PostHog shapes
def window_stream(label, t=0):
    kids = [{"type": 2, "id": 5, "tagName": "a" if label == "w2" else "button",
             "attributes": {"class": label}, "childNodes": []}]
    return [meta(t, href=f"https://a.com/{label}"), snap(t + 1, kids=kids), click(t + 10, 5, 1, 2)]


def test_posthog_capture_events_group_sessions_and_windows():
    captures = [
        {"event": "$snapshot", "distinct_id": "u-1", "properties": {
            "$session_id": "s1", "$window_id": "w1", "$snapshot_data": window_stream("w1")}},
        {"event": "$snapshot", "distinct_id": "u-1", "properties": {
            "$session_id": "s1", "$window_id": "w2", "$snapshot_data": window_stream("w2", 5)}},
        {"event": "$snapshot", "properties": {
            "$session_id": "s2", "$window_id": "w9", "$snapshot_data": meta(0)}},
        {"event": "$pageview", "properties": {"$current_url": "https://a.com"}},
    ]
    log = read_rrweb(captures)
    assert identity(log) == {"read": 8, "loaded": 7, "rejected": 1}
    assert log.rejected[["position", "reason"]].values.tolist() == [
        [3, "not a $snapshot event (analytics events are read by ux.read_posthog)"]]
    assert rows(log, "click", ["session_id", "window_id", "target", "user_id"]) == [
        ("s1", "w1", "body > button.w1", "u-1"), ("s1", "w2", "body > a.w2", "u-1")]
    assert set(log.meta["recording_windows"]["s1"]) == {"w1", "w2"}
    assert [e["timestamp"] for e in log.recordings["s1"]] == sorted(
        e["timestamp"] for e in window_stream("w1") + window_stream("w2", 5))


def test_posthog_blob_jsonl_windows_have_separate_doms(tmp_path):
    path = tmp_path / "sess-9.jsonl"
    lines = [{"window_id": "w1", "data": window_stream("w1")},
             {"window_id": "w2", "data": window_stream("w2", 3)}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    log = read_rrweb(path)
    assert set(log.events["session_id"]) == {"sess-9"}
    assert rows(log, "click", ["window_id", "target", "url"]) == [
        ("w1", "body > button.w1", "https://a.com/w1"), ("w2", "body > a.w2", "https://a.com/w2")]
    assert identity(log)["read"] == 6


def test_posthog_window_event_pair_lines(tmp_path):
    path = tmp_path / "sess-3.jsonl"
    pairs = [["w1", e] for e in window_stream("w1")] + [["w2", e] for e in window_stream("w2", 2)]
    path.write_text("\n".join(json.dumps(p) for p in pairs))
    log = read_rrweb(path)
    assert rows(log, "click", ["session_id", "window_id", "target"]) == [
        ("sess-3", "w1", "body > button.w1"), ("sess-3", "w2", "body > a.w2")]


def test_posthog_api_snapshot_data_by_window_id():
    api = {"next": None, "snapshot_data_by_window_id": {
        "w1": window_stream("w1"), "w2": window_stream("w2", 4)}}
    log = read_rrweb(api, session_id="abc")
    assert rows(log, "click", ["session_id", "window_id", "target"]) == [
        ("abc", "w1", "body > button.w1"), ("abc", "w2", "body > a.w2")]


def gz_latin1(value):
    return gzip.compress(json.dumps(value).encode()).decode("latin-1")


def cv_compress(events):
    out = []
    for ev in copy.deepcopy(events):
        if ev["type"] == 2:
            ev["data"] = gz_latin1(ev["data"])
            ev["cv"] = "2024-10"
        elif ev["type"] == 3 and ev["data"]["source"] == 0:
            for key in ("adds", "removes", "texts", "attributes"):
                ev["data"][key] = gz_latin1(ev["data"].get(key, []))
            ev["cv"] = "2024-10"
        out.append(ev)
    return out


def packed(events):
    return [zlib.compress(json.dumps({**ev, "v": "v1"}).encode()).decode("latin-1")
            for ev in events]


@pytest.mark.parametrize("encode", [cv_compress, packed], ids=["posthog-cv", "rrweb-packer"])
def test_compressed_events_decode_to_the_same_table(encode):
    plain_events = json.loads(INVITE.read_text())
    plain = read_rrweb(plain_events, session_id="s")
    encoded = encode(plain_events)
    assert any(isinstance(e, str) or "cv" in e for e in encoded)
    log = read_rrweb(encoded, session_id="s")
    pd.testing.assert_frame_equal(log.events, plain.events)
    assert log.recordings["s"] == plain_events  # decoded events are kept for replay


def test_undecodable_compressed_events_are_rejected():
    bad_cv = dict(snap(1), data="not gzip", cv="2024-10")
    log = read_rrweb([meta(0), bad_cv, "garbage-not-packed"], session_id="s")
    assert log.rejected[["position", "reason"]].values.tolist() == [
        [1, "undecodable cv-compressed event: not gzip-compressed JSON"],
        [2, "undecodable packed event: not a packed rrweb event (zlib JSON) nor JSON text"]]
    assert identity(log) == {"read": 3, "loaded": 1, "rejected": 2}


# ------------------------------------------------------ files and directories
def test_jsonl_several_recordings_gzipped(tmp_path):
    path = tmp_path / "recordings.jsonl.gz"
    lines = [
        json.dumps({"session_id": "a", "user_id": "u1", "events": [meta(0), snap(1)]}),
        json.dumps({"session_id": "b", "events": [meta(5, href="https://a.com/b")]}),
        json.dumps({"events": [meta(9)]}),
        '{"session_id": "c", "events": [',
        "",
    ]
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    log = read_rrweb(path)
    assert identity(log) == {"read": 5, "loaded": 4, "rejected": 1}
    assert rows(log, "pageview", ["session_id", "user_id"]) == [
        ("a", "u1"), ("b", "b"), ("recordings-3", "recordings-3")]
    assert log.rejected["position"].tolist() == ["line 4"]
    assert log.rejected["reason"].tolist()[0].startswith("invalid JSON on line 4")


def test_jsonl_one_event_per_line_is_one_recording(tmp_path):
    path = tmp_path / "s-77.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in [meta(0), snap(1, kids=[BUTTON]),
                                                      click(5, 5, 3, 4)]))
    log = read_rrweb(path)
    assert rows(log, "click", ["session_id", "target"]) == [("s-77", "button#go")]


def test_directory_recursive_with_progress(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text(json.dumps([meta(0)]))
    (tmp_path / "b.json.gz").write_bytes(gzip.compress(json.dumps({"events": [meta(1)]}).encode()))
    (tmp_path / "c.jsonl").write_text(json.dumps({"session_id": "cc", "events": [meta(2)]}))
    (tmp_path / "notes.txt").write_text("not a recording")
    log = read_rrweb(tmp_path, progress=True)
    assert sorted(log.events["session_id"]) == ["a", "b", "cc"]
    assert [Path(f).name for f in log.meta["files"]] == ["b.json.gz", "c.jsonl", "a.json"]
    assert [Path(f).name for f in log.meta["skipped_files"]] == ["notes.txt"]
    assert "reading recordings" in capsys.readouterr().err
    read_rrweb(tmp_path)  # auto: 3 files, no bar
    assert "reading recordings" not in capsys.readouterr().err


def test_chunks_of_one_session_across_files_share_the_dom(tmp_path):
    (tmp_path / "part1.json").write_text(json.dumps(
        [dict(e, sessionId="s") for e in [meta(0), snap(1, kids=[BUTTON])]]))
    (tmp_path / "part2.json").write_text(json.dumps(
        [dict(e, sessionId="s") for e in [click(10, 5, 1, 1), click(10, 5, 1, 1)]]))
    log = read_rrweb(tmp_path)
    assert rows(log, "click", ["target"]) == [("button#go",)]
    assert log.rejected[["source", "position", "reason"]].values.tolist() == [
        [str(tmp_path / "part2.json"), 1, "duplicate event (same JSON as an earlier event)"]]


def test_bytes_source():
    log = read_rrweb(json.dumps([meta(0)]).encode())
    assert event_counts(log) == {"pageview": 1}


# ------------------------------------------------------------- bad input
def test_truncated_file_names_file_position_and_fix(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes(shared("rrweb", "rrweb_test_scroll.json").read_bytes()[:500])
    with pytest.raises(RecordingFormatError) as err:
        read_rrweb(path)
    message = str(err.value)
    assert str(path) in message
    assert "line 1, column 501 (character 500)" in message
    assert "truncated" in message and "Fix:" in message


def test_invalid_json_and_empty_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[{"type": 1,, "timestamp": 1}]')
    with pytest.raises(RecordingFormatError, match=r"invalid JSON at line 1, column 13"):
        read_rrweb(path)
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(RecordingFormatError, match="the file is empty"):
        read_rrweb(empty)


def test_not_rrweb_at_all_says_what_was_expected(tmp_path):
    path = tmp_path / "clicks.json"
    path.write_text(json.dumps([{"user": "u1", "page": "/a"}, {"user": "u2", "page": "/b"}]))
    with pytest.raises(RecordingFormatError) as err:
        read_rrweb(path)
    message = str(err.value)
    assert "is not an rrweb recording: found a list of 2 objects with keys ['page', 'user']" in (
        message)
    assert "Expected a JSON array of rrweb events (objects with 'type', 'data' and " in message
    assert "ux.read_events" in message


def test_unusable_sources_raise_uxlens_errors(tmp_path):
    (tmp_path / "recordings").mkdir()
    with pytest.raises(RecordingFormatError, match="Did you mean 'recordings'"):
        read_rrweb(tmp_path / "recording")
    with pytest.raises(RecordingFormatError, match="No recording files in directory"):
        read_rrweb(tmp_path / "recordings")
    with pytest.raises(RecordingFormatError, match="cannot read a int"):
        read_rrweb(42)
    broken = tmp_path / "x.json.gz"
    broken.write_bytes(gzip.compress(b"[]")[:12])
    with pytest.raises(RecordingFormatError, match="gzip stream is corrupt"):
        read_rrweb(broken)
    assert issubclass(RecordingFormatError, UxlensError)


def test_bad_events_inside_a_recording_are_rejected_with_reasons():
    events = [
        meta(0),                                                           # 0 ok
        snap(1, kids=[BUTTON]),                                            # 1 ok
        click(30, 5, 10, 10),                                              # 2 ok (out of order)
        click(20, 5, 10, 10),                                              # 3 ok
        {"type": 9, "timestamp": T0 + 21, "data": {}},                     # 4
        inc(22, source=42),                                                # 5
        {"type": 3, "data": {"source": 2, "type": 2, "id": 5}},            # 6
        {"type": 3, "timestamp": "yesterday", "data": {}},                 # 7
        {"type": 3, "timestamp": 5, "data": {}},                           # 8
        click(23, 5, -5, 10),                                              # 9
        click(24, 5, 10, 5e7),                                             # 10
        click(30, 5, 10, 10),                                              # 11 duplicate of 2
        inc(25, source=0, adds="oops"),                                    # 12
        inc(26, source=1, positions=[{"x": 1, "y": 1}, {"y": 2}]),         # 13
        {"type": 3, "timestamp": T0 + 27, "data": [1, 2]},                 # 14
        7,                                                                 # 15
        inc(28, source=3, id=1, x=0, y=-10),                               # 16
        inc(29, source=2, type=12, id=5),                                  # 17
        {"type": 5, "timestamp": T0 + 31, "data": {"tag": ""}},            # 18
        {"type": 4, "timestamp": T0 + 32, "data": {"width": 3}},           # 19
    ]
    log = read_rrweb(events, session_id="s")
    assert log.rejected[["source", "position", "reason"]].values.tolist() == [
        ["<memory>", 4, "unknown event type 9 (rrweb types are 0-7)"],
        ["<memory>", 5, "unknown incremental source 42 (rrweb sources are 0-16)"],
        ["<memory>", 6, "missing timestamp"],
        ["<memory>", 7, "non-numeric timestamp 'yesterday' (expected epoch milliseconds)"],
        ["<memory>", 8, "timestamp out of range: 5 (expected epoch milliseconds between 2000 "
                        "and 2100)"],
        ["<memory>", 9, "negative coordinates: x=-5, y=10 (document px)"],
        ["<memory>", 10, "absurd coordinates: x=10, y=5e+07 (document px)"],
        ["<memory>", 11, "duplicate event (same JSON as an earlier event)"],
        ["<memory>", 12, "malformed payload: mutation 'adds' is not a list"],
        ["<memory>", 13, "malformed position 1: x/y are not numbers"],
        ["<memory>", 14, "malformed payload: 'data' is not an object"],
        ["<memory>", 15, "not an rrweb event: expected an object with 'type', 'data' and "
                         "'timestamp', found int"],
        ["<memory>", 16, "negative scroll offset: x=0, y=-10"],
        ["<memory>", 17, "unknown mouse interaction type 12"],
        ["<memory>", 18, "malformed payload: custom event without a 'tag' string"],
        ["<memory>", 19, "malformed payload: Meta without an 'href' string"],
    ]
    assert identity(log) == {"read": 20, "loaded": 4, "rejected": 16}
    assert log.rejected["excerpt"].iloc[0] == '{"type":9,"timestamp":1700000000021,"data":{}}'
    # out-of-order events are sorted, not rejected
    assert log.events["timestamp"].is_monotonic_increasing
    assert rows(log, "click", ["x"]) == [(10.0,), (10.0,)]
    assert [e["timestamp"] for e in log.recordings["s"]] == [T0, T0 + 1, T0 + 20, T0 + 30]


def test_rows_rejected_by_validate_reject_their_raw_event():
    # a blank event-level session id passes the reader but not validate()
    events = [meta(0), snap(1, kids=[BUTTON]), dict(click(5, 5, 1, 1), sessionId="  ")]
    log = read_rrweb(events)
    assert identity(log) == {"read": 3, "loaded": 2, "rejected": 1}
    assert log.rejected[["position", "reason"]].values.tolist() == [
        [2, "missing session_id (after flattening)"]]
    assert event_counts(log) == {"pageview": 1}
    assert sum(len(v) for v in log.recordings.values()) == 2


def test_not_a_recording_items_in_a_list_of_recordings():
    recs = [{"session_id": "a", "events": [meta(0)]}, {"hello": 1}]
    log = read_rrweb(recs)
    assert identity(log) == {"read": 2, "loaded": 1, "rejected": 1}
    assert log.rejected["reason"].tolist() == [
        "not a recording: expected an object with an 'events' list"]


def test_empty_inputs():
    log = read_rrweb([])
    assert identity(log) == {"read": 0, "loaded": 0, "rejected": 0}
    assert len(log.events) == 0 and list(log.events.columns)[:4] == [
        "session_id", "user_id", "timestamp", "event"]
    only_snapshot = read_rrweb([snap(1)], session_id="s")
    assert identity(only_snapshot) == {"read": 1, "loaded": 1, "rejected": 0}
    assert len(only_snapshot.events) == 0
    assert only_snapshot.recordings == {"s": [snap(1)]}


def test_dtypes_follow_the_schema(invite):
    ev = invite.events
    assert str(ev["timestamp"].dtype) == "datetime64[ns, UTC]"
    for col in ("event", "url", "target", "device", "level", "method"):
        assert isinstance(ev[col].dtype, pd.CategoricalDtype), col
    assert ev["x"].dtype == np.float64 and str(ev["viewport_w"].dtype) == "Int32"
    assert str(ev["changes"].dtype) == "Int64"
    assert str(ev["target_is_control"].dtype) == "boolean"
