"""Heatmap explorer widget: Python decides what the map shows and who is behind a point."""

from __future__ import annotations

import numpy as np
import pytest

from uxlens.heatmap import Heatmap
from uxlens.widgets.heatmap_explorer import HeatmapExplorer

from ._build import PAGE, events, session


@pytest.fixture(scope="module")
def widget() -> HeatmapExplorer:
    rows = []
    for i in range(6):
        rows += session(f"s{i}", 1440, [(100.0, 100.0), (700.0 + i, 500.0)],
                        source="paid" if i < 2 else "organic", version="AB"[i % 2],
                        is_returning=i == 5)
    rows += session("m0", 390, [(50.0, 300.0)], height=700)
    return HeatmapExplorer(Heatmap(events(rows), url=PAGE, background="wireframe", bin_px=20))


def test_options_come_from_the_data(widget):
    assert widget.kinds == ["click", "move", "scroll", "attention", "rage", "dead", "error"]
    assert widget.devices == ["desktop", "mobile"] and widget.device == "desktop"
    assert widget.versions == ["all", "A", "B"]
    assert widget.segments == ["all", "new visitors", "returning visitors", "source: organic",
                               "source: paid"]


def test_the_grid_travels_as_float32_bytes(widget):
    z = np.frombuffer(widget.grid, dtype=np.float32).reshape(widget.grid_ny, widget.grid_nx)
    assert widget.grid_nx == 72 and widget.page_w == 1440.0
    assert z.sum() == pytest.approx(12.0, rel=0.01)  # 12 desktop clicks, smoothed, total kept
    assert widget.image_mime == "image/svg+xml" and widget.image.startswith(b"<svg")
    assert widget.status.startswith("12 clicks · 6 sessions")


def _column(widget: HeatmapExplorer, name: str) -> list:
    at = widget.sessions["columns"].index(name)
    return [row[at] for row in widget.sessions["rows"]]


def test_clicking_the_map_lists_the_sessions_behind_the_point(widget):
    widget.click = {"x": 703.0, "y": 505.0}
    assert sorted(_column(widget, "session_id")) == [f"s{i}" for i in range(6)]
    assert widget.marker == {"x": 703.0, "y": 505.0, "r": 30.0}
    assert widget.last_sessions.ids == _column(widget, "session_id")
    # The explorers' shared session table, plus the clicks each session made near the point.
    assert widget.sessions["columns"][:2] == ["session_id", "events_here"]
    assert _column(widget, "events_here") == [1] * 6 and _column(widget, "clicks") == [2] * 6
    assert widget.sessions["total"] == 6 and widget.sessions["label"] == widget.last_sessions.label
    picked = []
    widget.on_select(picked.append)
    widget.selected_session = "s3"
    assert picked == ["s3"]


def test_selectors_recompute_the_map(widget):
    widget.version = "B"
    assert widget.status.startswith("6 clicks · 3 sessions")
    widget.segment = "source: paid"
    assert widget.status.startswith("2 clicks · 1 sessions")
    widget.device = "mobile"
    # The layout is the page's, so an empty segment still shows the mobile page.
    assert widget.error == "" and widget.page_w == 390.0
    assert widget.status.startswith("0 clicks · 0 sessions")
    widget.segment, widget.version, widget.device = "all", "all", "desktop"
    widget.kind = "scroll"
    assert widget.grid_nx == 1 and widget.sessions == {}
    widget.click = {"x": 10.0, "y": 200.0}
    assert widget.sessions["total"] == 6 and "viewport over" in widget.sessions["label"]
    widget.kind = "click"


_HARNESS = """
<!DOCTYPE html><html><body style="margin:0"><div id="root" style="width:900px"></div>
<script type="module">
const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const text = (id) => new TextDecoder().decode(b64(document.getElementById(id).textContent));
const state = JSON.parse(text("state"));
for (const k of ["grid", "image"]) state[k] = b64(state[k]);
const handlers = {};
window.state = state;
window.saves = 0;
window.model = {
  get: (k) => state[k],
  set: (k, v) => { state[k] = v; (handlers["change:" + k] || []).forEach((f) => f()); },
  on: (ev, f) => { (handlers[ev] = handlers[ev] || []).push(f); },
  save_changes: () => { window.saves += 1; },
};
const mod = await import(URL.createObjectURL(new Blob([text("esm")], { type: "text/javascript" })));
mod.default.render({ model: window.model, el: document.getElementById("root") });
window.ready = true;
</script></body></html>
"""


@pytest.mark.browser
def test_front_end_draws_the_map_and_reports_clicks(widget):
    import base64
    import json

    from uxlens.render import _chromium, browser_available

    ok, why = browser_available()
    if not ok:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    widget.kind, widget.device, widget.segment, widget.version = "click", "desktop", "all", "all"
    keys = [k for k in widget.keys if not k.startswith("_") and k not in ("layout", "comm")]
    state = {k: getattr(widget, k) for k in keys}
    for k in ("grid", "image"):
        state[k] = base64.b64encode(state[k]).decode()
    esm = (widget._esm if isinstance(widget._esm, str) else open(widget._esm).read())
    css = (widget._css if isinstance(widget._css, str) else open(widget._css).read())
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    page_html = _HARNESS.replace(
        "<body", f"<head><script type='text/plain' id='state'>{b64(json.dumps(state, default=str))}"
        f"</script><script type='text/plain' id='esm'>{b64(esm)}</script>"
        f"<style>{css}</style></head><body", 1)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(),
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_content(page_html, wait_until="load")
        page.wait_for_function("window.ready === true", timeout=10_000)
        assert page.locator("select").count() == 4
        painted = page.evaluate("""() => {
            const c = document.querySelector('canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return [c.width, n];
        }""")
        assert painted[0] > 0 and painted[1] > 0  # the heat is drawn
        box = page.locator("canvas").bounding_box()
        scale = box["width"] / widget.page_w
        px, py = box["x"] + 703 * scale, box["y"] + 505 * scale
        page.mouse.click(px, py)
        click = page.evaluate("window.state.click")
        assert abs(click["x"] - 703) < 2 and abs(click["y"] - 505) < 2
        # Python decides: the widget answers the click, the page lists the rows.
        widget.click = click
        page.evaluate("(rows) => window.model.set('sessions', rows)", widget.sessions)
        assert page.locator("tbody tr").count() == 6
        assert page.locator(".uxl-sessions-label").inner_text() == widget.last_sessions.label
        assert page.locator(".uxl-sessions-count").inner_text().strip() == "· 6 sessions"
        assert page.locator("thead th").all_inner_texts()[:2] == ["session id", "events here"]
        assert page.locator(".uxl-replay").count() == 0  # rows go to on_select callbacks
        page.locator("tbody tr").first.click()
        assert page.evaluate("window.state.selected_session") == widget.sessions["rows"][0][0]
        page.locator("select").first.select_option("scroll")
        assert page.evaluate("window.state.kind") == "scroll"
        browser.close()
