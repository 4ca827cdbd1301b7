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

import uxlens as ux
from uxlens.eventlog import EventLog
from uxlens.events import validate
from uxlens.exceptions import UxlensError
from uxlens.journeys import EXIT, Journeys
from uxlens.widgets.journeys_explorer import JourneysExplorer

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


def _links(ex: JourneysExplorer) -> dict[tuple[int, str, str], int]:
    return {(lk["step"], lk["node"], lk["next"]): lk["count"] for lk in ex.view.flow["links"]}


def test_end_selector_draws_the_flows_to_the_node_and_lists_who_reached_it():
    ex = JourneysExplorer(_journeys(), steps=2, min_share=0)
    assert ex.view.end == "" and ex.view.end_options == ex.view.start_options
    ex.view.selected = {"kind": "node", "node": "/"}
    ex.view.end = "/signup"  # the selector
    # s1 reaches /signup at its 2nd page, s3 at its 3rd: their 2 moves before it, aligned on it.
    assert ex.view.flow["title"] == "Journeys to /signup" and ex.view.flow["total"] == 2
    assert _links(ex) == {
        (1, "/", "/pricing"): 1, (2, "/", "/signup"): 1, (2, "/pricing", "/signup"): 1}
    nodes = {(n["step"], n["node"]): n["count"] for n in ex.view.flow["nodes"]}
    assert nodes == {(1, "/"): 1, (2, "/"): 1, (2, "/pricing"): 1, (3, "/signup"): 2}
    assert ex.view.selected == {} and ex.view.sessions["label"] == "reached /signup"
    assert _ids(ex) == ["s1", "s3"] and ex.view.sessions["total"] == 2
    ex.view.steps = 1  # the slider keeps the end node and its sessions
    assert _links(ex) == {(1, "/", "/signup"): 1, (1, "/pricing", "/signup"): 1}
    assert _ids(ex) == ["s1", "s3"]
    ex.view.start = "/pricing"  # with a start node: only journeys reaching /signup after it
    assert ex.view.flow["title"] == "Journeys from /pricing to /signup"
    assert _links(ex) == {(1, "/pricing", "/signup"): 1} and ex.view.flow["total"] == 1
    assert _ids(ex) == ["s3"] and ex.view.sessions["label"] == "reached /signup after /pricing"
    ex.set_start("/signup")
    ex.set_end("/pricing")  # nobody visits /pricing after /signup
    assert ex.view.flow["total"] == 0 and ex.view.flow["nodes"] == []
    assert ex.view.sessions["total"] == 0 and ex.view.sessions["rows"] == []
    ex.set_start(None)
    ex.set_end(None)  # back to the flows from the start, no list
    assert ex.view.flow["title"] == "Journeys" and ex.view.sessions == {}
    assert (1, "/", "/pricing") in _links(ex)
    with pytest.raises(UxlensError, match="Did you mean '/signup'"):
        ex.set_end("/sigup")
    with pytest.raises(UxlensError, match="No end node"):
        ex.reached()


def test_end_given_to_the_constructor():
    ex = JourneysExplorer(_journeys(), steps=2, end="/dashboard", min_share=0)
    assert ex.view.end == "/dashboard" and ex.view.flow["title"] == "Journeys to /dashboard"
    assert _links(ex) == {(1, "/", "/signup"): 1, (2, "/signup", "/dashboard"): 1}
    assert _ids(ex) == ["s1"] and len(ex.reached()) == 1


def _reached_by_hand(j: Journeys, end: str, start: str | None = None) -> list[str]:
    """Sessions with a journey that visits ``end`` (at or after its first ``start``)."""
    out = set()
    for sid, nodes in zip(j.journeys_["session_id"], j.journeys_["nodes"]):
        tail = nodes if start is None else (nodes[nodes.index(start):] if start in nodes else ())
        if end in tail:
            out.add(str(sid))
    return sorted(out)


@pytest.fixture(scope="module")
def demo_journeys() -> Journeys:
    return ux.Journeys(ux.demo())


def test_end_selector_on_the_demo(demo_journeys):
    j = demo_journeys
    ex = JourneysExplorer(j, steps=3, min_share=0)
    ex.set_end("/onboarding/invite")
    # Every journey into the invite step comes through /signup and /onboarding/profile.
    assert _links(ex) == {
        (1, "/", "/signup"): 70, (1, "/pricing", "/signup"): 41, (1, "/terms", "/signup"): 16,
        (2, "/signup", "/onboarding/profile"): 127,
        (3, "/onboarding/profile", "/onboarding/invite"): 127,
    }
    assert ex.view.flow["total"] == 127 and ex.view.sessions["total"] == 127
    assert _ids(ex) == _reached_by_hand(j, "/onboarding/invite")
    ex.set_start("/pricing")
    assert ex.view.flow["total"] == 57 and ex.view.sessions["total"] == 57
    assert _ids(ex) == _reached_by_hand(j, "/onboarding/invite", "/pricing")
    assert ex.view.flow["title"] == "Journeys from /pricing to /onboarding/invite"


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
    to_signup = j.explore(steps=2, end="/signup")
    assert to_signup.view.end == "/signup" and _ids(to_signup) == ["s1", "s3"]


# --------------------------------------------------------------------- browser
KEYS = ("flow", "steps", "max_steps", "start", "start_options", "end", "end_options", "selected",
        "sessions", "selected_session", "replay_request", "message")


def _sync(page: Any, ex: JourneysExplorer, seen: int) -> int:
    """Apply the page's sets to Python, push Python's state back (a Jupyter comm by hand)."""
    for key, value in page.evaluate("() => window.__sets")[seen:]:
        setattr(ex.view, key, value)
    for key in KEYS:
        value = getattr(ex.view, key)
        if page.evaluate("(k) => JSON.stringify(window.__model.get(k))", key) != json.dumps(value):
            page.evaluate("([k, v]) => window.__model.set(k, v)", [key, value])
    return page.evaluate("() => window.__sets.length")


def _open(page: Any, ex: JourneysExplorer) -> tuple[list[str], list[str]]:
    """Serve the widget's own ESM and CSS (shared session table included) and render it."""
    files = {
        "/": fake_model_page("/journeys_explorer.js", ex.view._css),
        "/journeys_explorer.js": ex.view._esm,
        "/state.json": json.dumps({k: getattr(ex.view, k) for k in KEYS}),
    }
    types = {"/": "text/html", "/journeys_explorer.js": "text/javascript",
             "/state.json": "application/json"}
    return serve_and_open(page, files, types)


@pytest.fixture(scope="module")
def browser() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


def _shown_ids(page: Any) -> list[str]:
    rows = page.locator(".uxl-sessions-table tbody tr")
    return sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.session)"))


@pytest.mark.browser
def test_browser_click_node_lists_sessions_and_replays(browser):
    ex = JourneysExplorer(_journeys(), steps=2, min_share=0)
    page = browser.new_page()
    outside, errors = _open(page, ex)
    assert page.locator(".uxl-jx-node").count() == 6
    assert page.locator(".uxl-jx-link").count() == 5

    page.click(".uxl-jx-node[data-step='2'][data-node='/pricing'] rect")
    seen = _sync(page, ex, 0)
    assert ex.view.selected == {"kind": "node", "node": "/pricing"}
    assert _shown_ids(page) == ["s2", "s3"]
    assert page.locator(".uxl-replay").is_disabled()

    page.click(".uxl-sessions-table tbody tr[data-session='s2']")
    page.click(".uxl-replay")
    seen = _sync(page, ex, seen)
    assert ex.view.selected_session == "s2"
    assert "s2" in page.locator(".uxl-jx-message").inner_text()

    page.dispatch_event(".uxl-jx-link[data-node='/pricing'][data-next='(exit)']", "click")
    seen = _sync(page, ex, seen)
    assert _shown_ids(page) == ["s2"]
    assert outside == [] and errors == []
    page.close()


def _sankey_links(j: Journeys, **kwargs: Any) -> list[tuple[str, str, int]]:
    """(node, next, journeys) of the public Plotly Sankey, to check what the page draws."""
    d = j.sankey(**kwargs).data[0]
    labels = d.node.label
    links = zip(d.link.source, d.link.target, d.link.value)
    return sorted((labels[a], labels[b], int(v)) for a, b, v in links)


def _drawn_links(page: Any) -> list[tuple[str, str, int]]:
    drawn = page.locator(".uxl-jx-link").evaluate_all(
        "ls => ls.map(l => [l.dataset.node, l.dataset.next, Number(l.dataset.count)])")
    return sorted(tuple(x) for x in drawn)


@pytest.mark.browser
def test_browser_end_selector_redraws_the_flows_and_lists_who_reached_it(browser, demo_journeys):
    j = demo_journeys
    end = "/onboarding/invite"
    ex = JourneysExplorer(j, steps=3, min_share=0)
    page = browser.new_page()
    outside, errors = _open(page, ex)
    end_select = page.locator("select.uxl-jx-end")
    assert end_select.locator("option").all_inner_texts() == ["to any node"] + [
        f"to {n}" for n in ex.view.end_options[1:]]
    assert _drawn_links(page) == _sankey_links(j, steps=3, min_share=0)
    assert page.locator(".uxl-sessions-hint").count() == 1
    # the shared stylesheet is in the widget's CSS: the explorer's font, the table's sticky head
    assert page.eval_on_selector(".uxl-jx", "e => getComputedStyle(e).fontSize") == "13px"

    end_select.select_option(end)
    seen = _sync(page, ex, 0)
    assert ex.view.end == end
    assert _drawn_links(page) == _sankey_links(j, end=end, steps=3, min_share=0)
    assert page.locator(".uxl-jx-title").inner_text() == f"Journeys to {end}"
    assert page.locator(".uxl-jx-total").inner_text() == "127 journeys"
    assert page.locator(f".uxl-jx-node[data-node='{end}']").get_attribute("data-count") == "127"
    assert page.locator(".uxl-sessions-label").inner_text() == f"reached {end}"
    assert page.locator(".uxl-sessions-count").inner_text().strip() == "· 127 sessions"
    assert _shown_ids(page) == sorted(j.sessions(node=end).ids) == _reached_by_hand(j, end)
    assert page.eval_on_selector(".uxl-sessions-table th", "e => getComputedStyle(e).position") == "sticky"

    page.locator("select.uxl-jx-start").select_option("/pricing")  # with a start node too
    seen = _sync(page, ex, seen)
    assert _drawn_links(page) == _sankey_links(j, start="/pricing", end=end, steps=3, min_share=0)
    assert page.locator(".uxl-jx-title").inner_text() == f"Journeys from /pricing to {end}"
    assert page.locator(".uxl-sessions-count").inner_text().strip() == "· 57 sessions"
    assert _shown_ids(page) == _reached_by_hand(j, end, "/pricing")

    end_select.select_option("")  # back: flows from /pricing with exits, no list
    seen = _sync(page, ex, seen)
    assert _drawn_links(page) == _sankey_links(j, start="/pricing", steps=3, min_share=0)
    assert page.locator(".uxl-sessions-table").count() == 0
    assert outside == [] and errors == []
    page.close()
