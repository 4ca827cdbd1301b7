"""The replay player's front end in real headless Chromium (Debian's, driven by Playwright).

The page is a local harness (``_harness.py``) that mounts ``widgets/static/replay.js`` with a
fake anywidget model holding the state a Python ``ReplayWidget`` would sync. Every request
is intercepted: the harness origin is served from memory, anything else is recorded and
aborted, so ``outside == []`` means nothing left the page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _harness import (
    CHROMIUM,
    LAUNCH_ARGS,
    data_file,
    open_harness,
    raw_state,
    state_events,
    widget_state,
)
from _paths import shared

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("replay-browser")]

HOSTILE_FILES = ["scripts_and_handlers.json", "css_and_urls.json", "pii_and_masking.json",
                 "robustness.json"]
SAFE_TEXT = {
    "scripts_and_handlers.json": ["SAFE-CONTENT-MARKER updated", "Send invites", "SAFE footer"],
    "css_and_urls.json": ["SAFE styled box", "ping link"],
    "pii_and_masking.json": ["SAFE hover me", "France", "Hello ***************"],
    "robustness.json": ["SAFE huge attribute owner", "SAFE unicode tag", "SAFE added child"],
}


@pytest.fixture(scope="module")
def browser() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture()
def context(browser: Any) -> Any:
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    yield ctx
    ctx.close()


def _shared(name: str) -> Path:
    return shared("rrweb", name)


def _session(path: Path, **kwargs: Any) -> Any:
    from uxlens.io.rrweb import read_rrweb

    log = read_rrweb(str(path))
    return log.session(log.session_ids[0]).replay(**kwargs)


@pytest.fixture(scope="module")
def demoit_state() -> dict:
    return widget_state(_session(_shared("rrweb_player_demo_demoit.json"), skip_inactive=False))


def _play_to_end(h: Any, total_ms: int) -> None:
    h.py_set("speed", 8)
    h.page.click(".uxl-play")
    h.page.wait_for_function(
        "(t) => window.__model.get('current_ms') >= t && !window.__model.get('playing')",
        arg=total_ms - 1, timeout=30_000)


def _events(state: dict) -> list[dict]:
    return state_events(state)


def _total_ms(state: dict) -> int:
    events = _events(state)
    return events[-1]["timestamp"] - events[0]["timestamp"]


def _start_ms(state: dict) -> int:
    return _events(state)[0]["timestamp"]


# ------------------------------------------------------------------ real page
def test_renders_the_recorded_page(context: Any, demoit_state: dict) -> None:
    h = open_harness(context, demoit_state)
    h.wait_status("ready")
    text = h.replay_text()
    assert "ReactHooks.js" in text and "class App extends React.Component" in text
    assert re.findall(r"Time \d+", text) == ["Time 0"]
    sandbox = h.page.get_attribute(".uxl-stage iframe", "sandbox")
    assert sandbox == "allow-same-origin"  # no allow-scripts
    csp = h.page.evaluate(
        "() => document.querySelector('.uxl-stage iframe').contentDocument"
        ".querySelector('meta[http-equiv=\"Content-Security-Policy\"]')")
    # the replayer re-opens the document at rebuild: the policy stays, the element goes
    assert csp is None
    assert h.page.inner_text(".uxl-url") == "https://demoit.app/e/react#ReactHooks.js"
    assert h.page.inner_text(".uxl-size") == "1166×705"
    assert h.outside == [] and h.errors == []


def test_plays_the_cursor_moves_and_time_advances(context: Any, demoit_state: dict) -> None:
    h = open_harness(context, demoit_state)
    h.wait_status("ready")
    h.page.click(".uxl-play")
    # collect distinct cursor positions while playing: it must visit at least three
    h.page.wait_for_function(
        """() => {
          const s = document.querySelector('.replayer-mouse').style;
          if (s.left) (window.__pos ||= new Set()).add(s.left + ',' + s.top);
          return window.__pos && window.__pos.size >= 3;
        }""", polling=30, timeout=20_000)
    h.page.wait_for_function("() => window.__model.get('current_ms') > 500", timeout=20_000)
    assert h.model("playing") is True
    assert h.page.inner_text(".uxl-play") == "❚❚"
    h.page.click(".uxl-play")
    assert h.model("playing") is False
    assert h.outside == [] and h.errors == []


def test_seeking_from_python_changes_the_frame(context: Any, demoit_state: dict) -> None:
    h = open_harness(context, demoit_state)
    h.wait_status("ready")
    h.py_set("_seek", {"ms": 60_000, "n": 1})
    h.page.wait_for_function("() => window.__model.get('current_ms') === 60000")
    assert re.findall(r"Time \d+", h.replay_text()) == ["Time 60"]
    assert h.page.inner_text(".uxl-time") == "1:00 / 1:21"
    h.py_set("_seek", {"ms": 20_000, "n": 2})
    h.page.wait_for_function("() => window.__model.get('current_ms') === 20000")
    assert re.findall(r"Time \d+", h.replay_text()) == ["Time 20"]


def test_clicking_a_marker_seeks_and_reports_back(context: Any, demoit_state: dict) -> None:
    h = open_harness(context, demoit_state)
    h.wait_status("ready")
    markers = demoit_state["_info"]["markers"]
    start = _start_ms(demoit_state)
    h.page.locator(".uxl-marker").nth(2).click()
    selected = h.model("selected")
    t_ms = markers[2]["t"] - start
    assert selected == {"source": "marker", "index": 2, "kind": "click", "t_ms": t_ms,
                        "label": markers[2]["label"]}
    assert h.model("current_ms") == t_ms - 1000  # one second of lead-up
    assert len(h.page.locator(".uxl-marker").all()) == len(markers)


def test_track_click_seeks_proportionally(context: Any, demoit_state: dict) -> None:
    h = open_harness(context, demoit_state)
    h.wait_status("ready")
    box = h.page.locator(".uxl-track").bounding_box()
    h.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 2)
    total = _total_ms(demoit_state)
    assert abs(h.model("current_ms") - total / 2) <= total / box["width"] + 1


def test_speed_skip_and_keyboard(context: Any, demoit_state: dict) -> None:
    h = open_harness(context, demoit_state)
    h.wait_status("ready")
    h.page.click(".uxl-speed[data-speed='4']")
    assert h.model("speed") == 4
    assert h.page.get_attribute(".uxl-speed[data-speed='4']", "class").endswith("uxl-on")
    h.page.click(".uxl-skip-box")
    assert h.model("skip_inactive") is True
    h.page.focus(".uxl-replay")
    h.page.keyboard.press("8")
    h.page.keyboard.press("s")
    assert (h.model("speed"), h.model("skip_inactive")) == (8, False)
    h.page.keyboard.press("ArrowRight")
    assert h.model("current_ms") == 5000
    h.page.keyboard.press("Space")
    assert h.model("playing") is True
    h.page.keyboard.press("k")
    assert h.model("playing") is False


def test_skip_inactivity_jumps_over_idle_spans(context: Any) -> None:
    w = _session(_shared("rrweb_player_demo_demoit.json"), skip_inactive=True)
    state = widget_state(w)
    h = open_harness(context, state)
    h.wait_status("ready")
    start = _start_ms(state)
    a, b = w.info["inactive"][0]
    h.py_set("_seek", {"ms": a - start - 300, "n": 1})
    h.page.click(".uxl-play")
    h.page.wait_for_function("(b) => window.__model.get('current_ms') >= b", arg=b - start,
                             timeout=10_000)
    assert "idle" in h.page.inner_text(".uxl-toast")


# ------------------------------------------------- friction, panels, playlist
def test_rage_clicks_ripple_red_and_next_issue_jumps_there(context: Any) -> None:
    w = _session(data_file("scripts_and_handlers.json"))
    state = widget_state(w)
    h = open_harness(context, state)
    h.wait_status("ready")
    rage = [m for m in w.info["markers"] if m["kind"] == "rage"]
    start = _start_ms(state)
    h.page.focus(".uxl-replay")
    h.page.keyboard.press("n")
    sel = h.model("selected")
    assert (sel["kind"], sel["t_ms"]) == ("rage", rage[0]["t"] - start)
    assert h.model("current_ms") == max(rage[0]["t"] - start - 1000, 0)
    h.page.click(".uxl-play")
    h.page.wait_for_selector(".uxl-ripple.uxl-rage", state="attached", timeout=10_000)
    assert h.page.locator(".uxl-marker.uxl-rage").count() == 3


def test_console_panel_lists_the_error_and_seeks(context: Any) -> None:
    w = _session(data_file("pii_and_masking.json"))
    h = open_harness(context, widget_state(w))
    h.wait_status("ready")
    assert h.page.inner_text(".uxl-tab-console") == "Console 1 · 1⚠"
    row = h.page.locator(".uxl-list-console .uxl-row")
    assert row.count() == 1
    assert "ann@example.com" not in row.inner_text() and "not allowed" in row.inner_text()
    assert "uxl-bad" in row.get_attribute("class")
    row.click()
    sel = h.model("selected")
    assert (sel["source"], sel["index"], sel["kind"]) == ("console", 0, "error")
    assert h.model("current_ms") == max(sel["t_ms"] - 1000, 0)
    assert "uxl-current" not in row.get_attribute("class")  # one second before the error
    h.py_set("_seek", {"ms": sel["t_ms"] + 10, "n": 1})
    assert "uxl-current" in row.get_attribute("class")


def test_playlist_buttons_set_the_index(context: Any) -> None:
    from uxlens.io.table import read_events
    from uxlens.widgets.replay import ReplayWidget

    t0 = pd.Timestamp("2024-05-01", tz="UTC")
    df = pd.DataFrame({"session_id": ["a", "a", "b", "b"], "user_id": "u",
                       "timestamp": [t0, t0 + pd.Timedelta("2s")] * 2,
                       "event": ["pageview", "click"] * 2, "url": "/x",
                       "x": [None, 50.0] * 2, "y": [None, 60.0] * 2})
    w = ReplayWidget(read_events(df).sessions())
    h = open_harness(context, widget_state(w))
    h.wait_status("ready")
    assert h.page.inner_text(".uxl-pos") == "1/2"
    assert "no DOM recording" in h.replay_text()  # wireframe page
    h.page.click(".uxl-next-session")
    assert h.model("index") == 1


def test_warnings_are_shown(context: Any) -> None:
    w = _session(data_file("robustness.json"))
    h = open_harness(context, widget_state(w))
    h.wait_status("ready")
    items = h.page.locator(".uxl-warnings li").all_inner_texts()
    assert items == w.warnings and len(items) >= 3


def test_viewport_resize_rescales_the_stage(context: Any) -> None:
    from uxlens.replay_sanitize import sanitize_recording

    events = json.loads(data_file("scripts_and_handlers.json").read_text(encoding="utf-8"))
    t0 = events[0]["timestamp"]
    events.append({"type": 3, "timestamp": t0 + 3500, "data": {"source": 4, "width": 400,
                                                                "height": 700}})
    h = open_harness(context, raw_state(sanitize_recording(events).events))
    h.wait_status("ready")
    assert h.page.inner_text(".uxl-size") == "1024×768"
    wide = h.page.locator(".uxl-stage").bounding_box()
    screen = h.page.locator(".uxl-screen").bounding_box()
    assert wide["width"] <= screen["width"]
    h.py_set("_seek", {"ms": 3600, "n": 1})
    h.page.wait_for_function("() => window.__model.get('current_ms') === 3600")
    assert h.page.inner_text(".uxl-size") == "400×700"
    narrow = h.page.locator(".uxl-stage").bounding_box()
    # the same height limit (640 px) now binds: 400 x 700 shows at 640/700 of its size
    assert round(narrow["height"]) == 640 and round(narrow["width"]) == round(400 * 640 / 700)


def test_session_without_positions_shows_an_empty_wireframe(context: Any) -> None:
    from uxlens.io.table import read_events

    df = pd.DataFrame({"session_id": "a", "user_id": "u", "event": ["signup"], "url": "/join",
                       "timestamp": [pd.Timestamp("2024-05-01", tz="UTC")]})
    w = read_events(df).session("a").replay()
    h = open_harness(context, widget_state(w))
    h.wait_status("ready")
    assert "/join · no DOM recording" in h.replay_text()


def test_nothing_to_replay_says_so(context: Any) -> None:
    state = raw_state([])
    state["_info"]["empty_reason"] = "This session has no recording."
    h = open_harness(context, state)
    h.wait_status("empty")
    assert h.page.inner_text(".uxl-nothing") == "This session has no recording."


# ------------------------------------------------------------ hostile pages
@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_hostile_recording_runs_nothing_and_fetches_nothing(context: Any, name: str) -> None:
    state = widget_state(_session(data_file(name)))
    h = open_harness(context, state)
    h.wait_status("ready")
    _play_to_end(h, _total_ms(state))
    text = h.replay_text()
    for safe in SAFE_TEXT[name]:
        assert safe in text, safe
    assert h.pwned() == []
    assert h.outside == []
    assert sorted(set(h.served)) == ["/", "/replay.js", "/state.json"]
    assert h.errors == []


@pytest.mark.parametrize("name", ["scripts_and_handlers.json", "css_and_urls.json"])
def test_frame_walls_hold_even_without_the_sanitiser(context: Any, name: str) -> None:
    """Unsanitised events: the sandbox stops scripts and the CSP stops every fetch."""
    events = json.loads(data_file(name).read_text(encoding="utf-8"))
    # A meta refresh navigates the frame itself, which no CSP can stop: only the
    # sanitiser removes it, so it is taken out of this raw run.
    raw = json.loads(json.dumps(events).replace('"http-equiv": "refresh"', '"data-x": "refresh"'))
    state = raw_state(raw)
    h = open_harness(context, state)
    h.wait_status("ready")
    _play_to_end(h, _total_ms(state))
    assert h.pwned() == []
    assert h.outside == []


def test_the_harness_would_see_execution_and_requests(context: Any) -> None:
    """Positive control: without the CSP the raw page does fetch, and a script frame is caught."""
    events = json.loads(data_file("css_and_urls.json").read_text(encoding="utf-8"))
    state = raw_state(events)
    state["_info"]["csp"] = ""
    h = open_harness(context, state)
    h.wait_status("ready")
    _play_to_end(h, _total_ms(state))
    assert "http://evil.test/bg.png" in h.outside or "http://evil.test/a.css" in h.outside
    h.page.evaluate(
        """() => { const f = document.createElement('iframe');
           f.setAttribute('sandbox', 'allow-scripts allow-same-origin');
           f.srcdoc = "<script>top.PWNED = (top.PWNED || []).concat(['control'])</scr" + "ipt>";
           document.body.append(f); }""")
    h.page.wait_for_function("() => window.PWNED !== undefined")
    assert h.pwned() == [["control"]]


# ------------------------------------------------------------- still frames
def test_session_still_frame_and_card_image() -> None:
    import struct

    from uxlens.io.rrweb import read_rrweb
    from uxlens.render import browser_available

    if not browser_available()[0]:
        pytest.skip(browser_available()[1])
    log = read_rrweb(str(data_file("scripts_and_handlers.json")))
    s = log.session(log.session_ids[0])
    png = s.frame(1.0)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1024, 768)  # the recorded viewport
    html = s._repr_html_()
    assert html.count("<img") == 1 and "src='data:image/png;base64," in html
    assert "PWNED" not in html and "evil.test" not in html


# ----------------------------------------------------------------- the demo
@pytest.fixture(scope="module")
def demo_log() -> Any:
    from uxlens.datasets import demo

    sample = Path(__file__).resolve().parents[2] / "data-samples" / "onboarding"
    return demo() if (sample / "recordings.jsonl.gz").exists() else demo(n_sessions=12, seed=7)


def test_demo_session_shows_the_invite_form_and_its_console_error(context: Any, demo_log: Any) -> None:
    ev = demo_log.events
    name, url = ev["event"].astype(str), ev["url"].astype(str)
    errors = set(ev.loc[name.eq("console") & ev["level"].astype(str).eq("error"), "session_id"])
    invite = set(ev.loc[name.eq("pageview") & url.str.endswith("/onboarding/invite"), "session_id"])
    sid = sorted(errors & invite)[0]
    s = demo_log.session(sid)
    w = s.replay()
    state = widget_state(w)
    h = open_harness(context, state)
    h.wait_status("ready")
    # seek 2 s after the invite page opened
    pages = s.pages()
    t_invite = pages.loc[pages["page"].astype(str).str.endswith("/onboarding/invite"), "start"].iat[0]
    at = int((t_invite - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1))
    at += 2000 - _start_ms(state)
    h.py_set("_seek", {"ms": at, "n": 1})
    h.page.wait_for_function("(t) => window.__model.get('current_ms') === t", arg=at)
    assert "Send invites" in h.replay_text()
    assert h.page.inner_text(".uxl-url").split("?")[0].endswith("/onboarding/invite")
    bad = h.page.locator(".uxl-list-console .uxl-row.uxl-bad")
    assert bad.count() == len([r for r in w.info["console"] if r["bad"]]) >= 1
    assert "Error" in bad.first.inner_text()
    h.page.click(".uxl-play")
    h.page.wait_for_function("() => window.__model.get('current_ms') > 0")
    assert h.pwned() == [] and h.outside == []



# ------------------------------------------------------------- chunked events
T_CHUNKED = 1_714_557_600_000


def _counter_recording(seconds: int = 12) -> list[dict]:
    """A page whose text reads "count i" at second i, then "THE END" is added at i + 0.5 s."""
    t0 = T_CHUNKED
    node = {"type": 0, "id": 1, "childNodes": [
        {"type": 1, "id": 2, "name": "html", "publicId": "", "systemId": ""},
        {"type": 2, "id": 3, "tagName": "html", "attributes": {}, "childNodes": [
            {"type": 2, "id": 4, "tagName": "head", "attributes": {}, "childNodes": []},
            {"type": 2, "id": 5, "tagName": "body", "attributes": {}, "childNodes": [
                {"type": 2, "id": 6, "tagName": "div", "attributes": {"id": "c"}, "childNodes": [
                    {"type": 3, "id": 7, "textContent": "count 0"}]}]}]}]}
    events = [{"type": 4, "timestamp": t0, "data": {"href": "https://app.example.com/count",
                                                    "width": 800, "height": 600}},
              {"type": 2, "timestamp": t0, "data": {"node": node,
                                                    "initialOffset": {"top": 0, "left": 0}}}]
    for i in range(1, seconds + 1):
        events.append({"type": 3, "timestamp": t0 + 1000 * i, "data": {
            "source": 0, "texts": [{"id": 7, "value": f"count {i}"}], "attributes": [],
            "removes": [], "adds": []}})
        events.append({"type": 3, "timestamp": t0 + 1000 * i + 200, "data": {
            "source": 1, "positions": [{"x": 10 * i, "y": 20 + i, "id": 5, "timeOffset": 0}]}})
    events.append({"type": 3, "timestamp": t0 + 1000 * seconds + 500, "data": {
        "source": 0, "texts": [], "attributes": [], "removes": [], "adds": [
            {"parentId": 5, "nextId": None, "node": {"type": 2, "id": 8, "tagName": "p",
                                                     "attributes": {"id": "end"}, "childNodes": []}},
            {"parentId": 8, "nextId": None, "node": {"type": 3, "id": 9,
                                                     "textContent": "THE END"}}]}})
    return events


@pytest.fixture()
def chunked_state(monkeypatch: pytest.MonkeyPatch) -> dict:
    import uxlens.widgets.replay as replay
    from uxlens.io.rrweb import read_rrweb

    monkeypatch.setattr(replay, "FIRST_CHUNK_MS", 2000)
    monkeypatch.setattr(replay, "CHUNK_EVENTS", 4)
    log = read_rrweb(_counter_recording())
    w = log.session(log.session_ids[0]).replay(skip_inactive=False)
    state = widget_state(w)
    chunks = state["_info"]["chunks"]
    # head: meta, snapshot, count 1 + move, count 2; then 4 events a chunk
    assert [c["events"] for c in chunks] == [5, 4, 4, 4, 4, 4, 2]
    assert chunks[0]["t1"] - chunks[0]["t0"] == 2000
    assert len(state_events(state)) == 27
    return state


# Every gunzip after the first two (the head, then the replayer's code) waits until the
# test calls window.__releaseChunks(): the later chunks arrive when the test says so.
_HELD_CHUNKS_JS = """
(() => {
  const original = Response.prototype.arrayBuffer;
  let calls = 0;
  const waiting = [];
  window.__heldChunks = () => waiting.length;
  window.__releaseChunks = () => {
    window.__released = true;
    while (waiting.length) waiting.shift()();
  };
  Response.prototype.arrayBuffer = async function () {
    calls += 1;
    if (calls > 2 && !window.__released) await new Promise((r) => waiting.push(r));
    return original.call(this);
  };
})();
"""


def _chunks_done(h: Any, n: int) -> None:
    h.page.wait_for_function("(n) => document.querySelector('.uxl-replay').dataset.chunks === n",
                             arg=f"{n}/{n}", timeout=20_000)


def test_chunked_recording_plays_to_the_end(context: Any, chunked_state: dict) -> None:
    h = open_harness(context, chunked_state)
    h.wait_status("ready")
    assert h.page.get_attribute(".uxl-replay", "data-ready-chunks") == "1"
    assert h.page.inner_text(".uxl-time") == "0:00 / 0:12"  # the whole length from the start
    assert "count 0" in h.replay_text()
    _chunks_done(h, 7)
    _play_to_end(h, 12_500)
    assert h.model("current_ms") == 12_500
    text = h.replay_text()
    assert "count 12" in text and "THE END" in text
    h.py_set("_seek", {"ms": 9_500, "n": 1})  # back into a later chunk
    h.page.wait_for_function("() => window.__model.get('current_ms') === 9500")
    assert "count 9" in h.replay_text() and "THE END" not in h.replay_text()
    assert h.outside == [] and h.errors == []


def test_playback_waits_for_chunks_then_resumes(context: Any, chunked_state: dict) -> None:
    context.add_init_script(_HELD_CHUNKS_JS)
    state = {**chunked_state, "playing": True, "speed": 8.0}
    h = open_harness(context, state)
    h.wait_status("ready")
    # at 8x the 2 s head lasts 250 ms, and the next chunk is held: playback stops at its end
    h.page.wait_for_function(
        "() => window.__heldChunks() === 1 && window.__model.get('current_ms') >= 1900"
        " && document.querySelector('.uxl-stage iframe').contentDocument.body.innerText"
        ".includes('count 2')", timeout=20_000)
    h.page.wait_for_timeout(300)
    assert h.model("current_ms") == 2000 and h.model("playing") is True  # the head ends at 2 s
    assert h.page.get_attribute(".uxl-replay", "data-chunks") == "1/7"
    assert h.page.inner_text(".uxl-play") == "❚❚"  # still playing: waiting, not finished
    h.page.evaluate("window.__releaseChunks()")
    h.page.wait_for_function(
        "() => window.__model.get('current_ms') >= 12500 && !window.__model.get('playing')",
        timeout=30_000)
    assert h.page.get_attribute(".uxl-replay", "data-chunks") == "7/7"
    text = h.replay_text()
    assert "count 12" in text and "THE END" in text
    assert h.page.inner_text(".uxl-time") == "0:12 / 0:12"
    assert h.errors == [] and h.outside == []


def test_seeking_past_the_decoded_chunks_shows_the_frame_when_they_arrive(
        context: Any, chunked_state: dict) -> None:
    context.add_init_script(_HELD_CHUNKS_JS)
    h = open_harness(context, chunked_state)
    h.wait_status("ready")
    assert h.page.get_attribute(".uxl-replay", "data-chunks") == "1/7"
    h.py_set("_seek", {"ms": 7_500, "n": 1})
    assert h.model("current_ms") == 7_500
    assert "count 2" in h.replay_text()  # all that is decoded so far
    h.page.evaluate("window.__releaseChunks()")
    _chunks_done(h, 7)
    h.page.wait_for_function(
        "() => document.querySelector('.uxl-stage iframe').contentDocument.body.innerText"
        ".includes('count 7')", timeout=20_000)
    assert "THE END" not in h.replay_text() and h.model("current_ms") == 7_500
    assert h.errors == []


def test_seeking_while_playing_past_the_decoded_chunks_waits_there(
        context: Any, chunked_state: dict) -> None:
    context.add_init_script(_HELD_CHUNKS_JS)
    h = open_harness(context, {**chunked_state, "playing": True, "speed": 1.0})
    h.wait_status("ready")
    h.py_set("_seek", {"ms": 7_500, "n": 1})
    h.page.wait_for_function("() => window.__model.get('current_ms') === 7500")
    h.page.wait_for_timeout(300)  # the decoded events end at 2 s: it waits at 7.5 s
    assert h.model("current_ms") == 7_500 and h.model("playing") is True
    h.py_set("speed", 8)
    h.page.evaluate("window.__releaseChunks()")
    h.page.wait_for_function(
        "() => window.__model.get('current_ms') >= 12500 && !window.__model.get('playing')",
        timeout=30_000)
    assert "THE END" in h.replay_text()
    assert h.errors == []
