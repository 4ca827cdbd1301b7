"""The funnel explorer's front end in headless Chromium, wired to the Python widget.

A local page mounts the widget's ESM (``widgets/static/_sessions.js`` then
``funnel_explorer.js``, as :func:`uxlens.widgets._sessions.front_end` joins them)
with a fake anywidget model; the test plays the Jupyter comm: what the page sets is applied to the
Python :class:`FunnelExplorer`, and what Python changes is pushed back to the
page. Every request is intercepted; nothing may leave the page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _widget_harness import CHROMIUM, LAUNCH_ARGS, fake_model_page, serve_and_open

from uxlens.funnel import Funnel
from uxlens.widgets.funnel_explorer import FunnelExplorer

from .test_api import dataset

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("funnel-browser")]

KEYS = ("funnel", "split_options", "split_by", "selected", "sessions", "selected_session",
        "replay_request", "message")




@pytest.fixture(scope="module")
def browser() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


class Bridge:
    """The page and the Python widget, synced by hand like a Jupyter comm."""

    def __init__(self, page: Any, explorer: FunnelExplorer) -> None:
        self.page = page
        self.ex = explorer
        self.seen = 0

    def to_python(self) -> None:
        sets = self.page.evaluate("() => window.__sets")
        for key, value in sets[self.seen:]:
            setattr(self.ex.view, key, value)
        self.seen = len(sets)
        for key in KEYS:  # Python's answer back to the page
            value = getattr(self.ex.view, key)
            if self.page.evaluate("(k) => JSON.stringify(window.__model.get(k))", key) != json.dumps(value):
                self.page.evaluate("([k, v]) => window.__model.set(k, v)", [key, value])
        self.seen = self.page.evaluate("() => window.__sets.length")


def open_page(browser: Any, explorer: FunnelExplorer) -> tuple[Any, Bridge, list[str], list[str]]:
    state = {k: getattr(explorer.view, k) for k in KEYS}
    files = {
        "/": fake_model_page("/funnel_explorer.js", explorer.view._css),
        "/funnel_explorer.js": explorer.view._esm,
        "/state.json": json.dumps(state),
    }
    types = {"/": "text/html", "/funnel_explorer.js": "text/javascript",
             "/state.json": "application/json"}
    page = browser.new_page()
    outside, errors = serve_and_open(page, files, types)
    return page, Bridge(page, explorer), outside, errors


def test_bars_click_lists_sessions_and_replay(browser: Any) -> None:
    ex = FunnelExplorer(Funnel(dataset(), ["A", "B", "C"]))
    page, bridge, outside, errors = open_page(browser, ex)
    labels = page.locator(".uxl-fx-label").all_inner_texts()
    assert labels == ["1. A", "2. B", "3. C"]
    assert page.locator(".uxl-fx-count").all_inner_texts() == ["6", "4", "3"]
    assert page.locator(".uxl-replay").count() == 0

    page.click(".uxl-fx-bar[data-step='1']")
    bridge.to_python()
    assert ex.view.selected == {"step": 1, "segment": None}
    rows = page.locator(".uxl-sessions-table tbody tr")
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.session)")) == ["u3-s", "u6-s"]
    assert page.locator(".uxl-sessions-label").inner_text() == "dropped after step 1 (A)"
    assert page.locator(".uxl-sessions-count").inner_text().strip() == "· 2 units, 2 sessions"
    assert page.locator(".uxl-replay").is_disabled()

    page.click(".uxl-sessions-table tbody tr[data-session='u6-s']")
    bridge.to_python()
    assert ex.view.selected_session == "u6-s"
    assert not page.locator(".uxl-replay").is_disabled()
    page.click(".uxl-replay")
    bridge.to_python()
    assert "u6-s" in page.locator(".uxl-fx-message").inner_text()
    assert outside == [] and errors == []
    page.close()


def test_split_selector_resplits(browser: Any) -> None:
    ex = FunnelExplorer(Funnel(dataset(), ["A", "B", "C"]))
    page, bridge, outside, errors = open_page(browser, ex)
    page.select_option(".uxl-fx-split", "version")
    bridge.to_python()
    assert ex._current.breakdown == "version"
    assert page.locator(".uxl-fx-key").all_inner_texts() == ["A", "B"]
    assert page.locator(".uxl-fx-bar").count() == 6
    page.click(".uxl-fx-bar[data-step='1'][data-segment='B']")
    bridge.to_python()
    assert ex.view.sessions["rows"][0][1] == "u6"
    assert outside == [] and errors == []
    page.close()
