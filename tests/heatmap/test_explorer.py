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


def test_clicking_the_map_lists_the_sessions_behind_the_point(widget):
    widget.click = {"x": 703.0, "y": 505.0}
    assert sorted(r["session_id"] for r in widget.sessions) == [f"s{i}" for i in range(6)]
    assert widget.marker == {"x": 703.0, "y": 505.0, "r": 30.0}
    assert [s for s in widget.last_sessions.ids] == [r["session_id"] for r in widget.sessions]
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
    assert widget.grid_nx == 1 and widget.sessions == []
    widget.click = {"x": 10.0, "y": 200.0}
    assert len(widget.sessions) == 6 and "viewport over" in widget.sessions_label
    widget.kind = "click"
