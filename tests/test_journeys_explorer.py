"""JourneysExplorer: Python handlers fed the messages the front end sends, and one browser run.

Sessions (one pageview every 10 s):
  s1: / → /signup → /dashboard
  s2: / → /pricing                (exits after /pricing)
  s3: / → /pricing → /signup      (exits after /signup)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _widget_harness import CHROMIUM, LAUNCH_ARGS, fake_model_page, serve_and_open

from uxlens.eventlog import EventLog
from uxlens.events import validate
from uxlens.exceptions import UxlensError
from uxlens.journeys import EXIT, Journeys
from uxlens.widgets.journeys_explorer import STATIC, JourneysExplorer

T0 = pd.Timestamp("2024-03-01T10:00:00Z")
PATHS = {"s1": ["/", "/signup", "/dashboard"], "s2": ["/", "/pricing"], "s3": ["/", "/pricing", "/signup"]}


def _journeys() -> Journeys:
    rows = [
        (sid, "u" + sid, T0 + pd.Timedelta(seconds=10 * i), "pageview", "https://a.io" + p)
        for sid, paths in PATHS.items()
        for i, p in enumerate(paths)
    ]
    frame = pd.DataFrame(rows, columns=["session_id", "user_id", "timestamp", "event", "url"])
    return Journeys(EventLog(validate(frame).events))


def _ids(ex: JourneysExplorer) -> list[str]:
    at = ex.view.sessions["columns"].index("session_id")
    return sorted(r[at] for r in ex.view.sessions["rows"])


def test_flow_payload_exact():
    ex = JourneysExplorer(_journeys(), steps=2, min_share=0)
    flow = ex.view.flow
    assert flow["total"] == 3
    links = {(lk["step"], lk["node"], lk["next"]): lk["count"] for lk in flow["links"]}
    assert links == {
        (1, "/", "/pricing"): 2, (1, "/", "/signup"): 1,
        (2, "/pricing", EXIT): 1, (2, "/pricing", "/signup"): 1, (2, "/signup", "/dashboard"): 1,
    }
    nodes = {(n["step"], n["node"]): n["count"] for n in flow["nodes"]}
    assert nodes == {(1, "/"): 3, (2, "/pricing"): 2, (2, "/signup"): 1,
                     (3, EXIT): 1, (3, "/dashboard"): 1, (3, "/signup"): 1}
    assert ex.view.start_options[0] == "" and set(ex.view.start_options[1:]) == {
        "/", "/pricing", "/signup", "/dashboard"}


def test_node_message_lists_its_sessions():
    ex = JourneysExplorer(_journeys())
    ex.view.selected = {"kind": "node", "node": "/pricing"}  # what a click on a node sends
    assert _ids(ex) == ["s2", "s3"]
    assert ex.view.sessions["total"] == 2 and ex.view.sessions["label"] == "visited /pricing"


def test_edge_message_lists_its_sessions():
    ex = JourneysExplorer(_journeys())
    ex.view.selected = {"kind": "edge", "node": "/pricing", "next": EXIT}
    assert _ids(ex) == ["s2"]
    ex.view.selected = {"kind": "edge", "node": "/", "next": "/signup"}
    assert _ids(ex) == ["s1"]


def test_unknown_node_is_a_message_not_a_crash():
    ex = JourneysExplorer(_journeys())
    ex.view.selected = {"kind": "node", "node": "/pricng"}
    assert "Did you mean '/pricing'" in ex.view.message


def test_step_slider_and_start_selector_rerender():
    ex = JourneysExplorer(_journeys(), steps=1, min_share=0)
    assert {(lk["node"], lk["next"]) for lk in ex.view.flow["links"]} == {("/", "/pricing"), ("/", "/signup")}
    ex.view.selected = {"kind": "node", "node": "/"}
    ex.view.steps = 3  # the slider
    assert len(ex.view.flow["links"]) == 7  # 2 + 3 + 2 (s1 and s3 leave after their 3rd page)
    assert ex.view.sessions == {} and ex.view.selected == {}
    ex.view.start = "/pricing"  # the selector: journeys from their first /pricing
    assert ex.view.flow["title"] == "Journeys from /pricing" and ex.view.flow["total"] == 2
    links = {(lk["step"], lk["node"], lk["next"]): lk["count"] for lk in ex.view.flow["links"]}
    assert links == {(1, "/pricing", EXIT): 1, (1, "/pricing", "/signup"): 1, (2, "/signup", EXIT): 1}
    with pytest.raises(UxlensError, match="Unknown node"):
        ex.set_start("/nowhere")


def test_replay_button_opens_the_session():
    ex = JourneysExplorer(_journeys())
    ex.select(edge=("/pricing", EXIT))
    ex.view.selected_session = "s2"
    ex.view.replay_request = {"session_id": "s2", "nonce": 1}
    assert ex.view.message == "Replaying session s2 below."
    assert ex._last_player is not None


def test_explore_method_returns_the_explorer():
    j = _journeys()
    ex = j.explore(steps=2, start="/")
    assert isinstance(ex, JourneysExplorer) and ex.journeys is j and ex.view.start == "/"


# --------------------------------------------------------------------- browser
KEYS = ("flow", "steps", "max_steps", "start", "start_options", "selected", "sessions",
        "selected_session", "replay_request", "message")



def _sync(page: Any, ex: JourneysExplorer, seen: int) -> int:
    """Apply the page's sets to Python, push Python's state back (a Jupyter comm by hand)."""
    for key, value in page.evaluate("() => window.__sets")[seen:]:
        setattr(ex.view, key, value)
    for key in KEYS:
        value = getattr(ex.view, key)
        if page.evaluate("(k) => JSON.stringify(window.__model.get(k))", key) != json.dumps(value):
            page.evaluate("([k, v]) => window.__model.set(k, v)", [key, value])
    return page.evaluate("() => window.__sets.length")


@pytest.mark.browser
def test_browser_click_node_lists_sessions_and_replays():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    ex = JourneysExplorer(_journeys(), steps=2, min_share=0)
    files = {
        "/": fake_model_page("/journeys_explorer.js", (STATIC / "journeys_explorer.css").read_text()),
        "/journeys_explorer.js": (STATIC / "journeys_explorer.js").read_text(),
        "/state.json": json.dumps({k: getattr(ex.view, k) for k in KEYS}),
    }
    types = {"/": "text/html", "/journeys_explorer.js": "text/javascript", "/state.json": "application/json"}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            outside, errors = serve_and_open(page, files, types)
            assert page.locator(".uxl-jx-node").count() == 6
            assert page.locator(".uxl-jx-link").count() == 5

            page.click(".uxl-jx-node[data-step='2'][data-node='/pricing'] rect")
            seen = _sync(page, ex, 0)
            assert ex.view.selected == {"kind": "node", "node": "/pricing"}
            rows = page.locator(".uxl-jx-table tbody tr")
            assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.session)")) == ["s2", "s3"]
            assert page.locator(".uxl-jx-replay").is_disabled()

            page.click(".uxl-jx-table tbody tr[data-session='s2']")
            page.click(".uxl-jx-replay")
            seen = _sync(page, ex, seen)
            assert ex.view.selected_session == "s2"
            assert "s2" in page.locator(".uxl-jx-message").inner_text()

            page.dispatch_event(".uxl-jx-link[data-node='/pricing'][data-next='(exit)']", "click")
            seen = _sync(page, ex, seen)
            assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.session)")) == ["s2"]
            assert outside == [] and errors == []
        finally:
            browser.close()
