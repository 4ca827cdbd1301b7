"""Element aggregation and the friction kinds (rage / dead / error maps), exact by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from uxlens.heatmap import Heatmap

from ._build import PAGE, events

BTN, IMG, HELP = "button#send-invites", "img.hero", "a#help"


def _rows() -> list[dict]:
    vp = dict(viewport_w=1440, viewport_h=800, scroll_y=0.0)
    c = dict(event="click", **vp)
    return [
        # s1: a rage burst on the button (3 presses <= 1 s and <= 30 px apart), then a dead
        # click on the hero image (no mutation, navigation, scroll or selection in 2.5 s).
        dict(session_id="s1", t=0, event="pageview", **vp),
        dict(session_id="s1", t=1000, x=1100.0, y=220.0, target=BTN, target_text="Send invites", **c),
        dict(session_id="s1", t=1300, x=1105.0, y=222.0, target=BTN, target_text="Send invites", **c),
        dict(session_id="s1", t=1600, x=1102.0, y=221.0, target=BTN, target_text="Send", **c),
        dict(session_id="s1", t=2000, event="mutation"),
        dict(session_id="s1", t=5000, x=300.0, y=400.0, target=IMG, **c),
        dict(session_id="s1", t=9000, event="mutation"),
        # s2: the image answered by a mutation (not dead); the help link followed by a
        # console error within 1 s (an error click).
        dict(session_id="s2", t=0, event="pageview", **vp),
        dict(session_id="s2", t=500, x=310.0, y=405.0, target=IMG, **c),
        dict(session_id="s2", t=1000, event="mutation"),
        dict(session_id="s2", t=2000, x=50.0, y=50.0, target=HELP, target_text="Help", **c),
        dict(session_id="s2", t=2500, event="console", level="error", message="boom"),
        # s3: one calm press on the button, one click on the link without coordinates
        # (it still hit its element).
        dict(session_id="s3", t=0, event="pageview", **vp),
        dict(session_id="s3", t=1000, x=1100.0, y=220.0, target=BTN, target_text="Send invites", **c),
        dict(session_id="s3", t=1200, event="mutation"),
        dict(session_id="s3", t=3000, event="click", target=HELP, viewport_w=1440, viewport_h=800),
        dict(session_id="s3", t=3200, event="mutation"),
    ]


@pytest.fixture(scope="module")
def ev() -> pd.DataFrame:
    return events(_rows())


def test_elements_are_aggregated_exactly(ev):
    el = Heatmap(ev, url=PAGE, background=None).elements()
    assert el["target"].tolist() == [BTN, HELP, IMG]
    assert el["text"].iloc[:2].tolist() == ["Send invites", "Help"]  # the most common text
    assert pd.isna(el["text"].iloc[2])
    assert el["clicks"].tolist() == [4, 2, 2]
    assert el["share"].tolist() == [0.5, 0.25, 0.25]
    assert el["sessions"].tolist() == [2, 2, 2]
    assert el["rage"].tolist() == [3, 0, 0]
    assert el["dead"].tolist() == [0, 0, 1]
    assert el["error"].tolist() == [0, 1, 0]
    # First clicks: s1 and s3 start on the button, s2 on the image.
    assert el["first_click_share"].tolist() == pytest.approx([2 / 3, 0.0, 1 / 3])


def test_friction_kinds_map_only_their_clicks(ev):
    h = Heatmap(ev, url=PAGE, background=None)
    rage = h.with_(kind="rage").grid(bin_px=20)
    assert rage[["x_bin", "y_bin", "count", "sessions"]].values.tolist() == [[55, 11, 3, 1]]
    dead = h.with_(kind="dead").grid(bin_px=20)
    assert dead[["x_bin", "y_bin", "count"]].values.tolist() == [[15, 20, 1]]
    err = h.with_(kind="error").grid(bin_px=20)
    assert err[["x_bin", "y_bin", "count"]].values.tolist() == [[2, 2, 1]]
    assert h.with_(kind="rage").elements()[["target", "clicks", "rage"]].values.tolist() == [
        [BTN, 3, 3]]


def test_click_map_counts_every_press_and_reports_the_one_without_coordinates(ev):
    h = Heatmap(ev, url=PAGE, background=None)
    assert h.grid()["count"].sum() == 7
    assert h.skipped[["reason", "events", "sessions"]].values.tolist() == [
        ["no_coordinates", 1, 1]]


def test_elements_count_the_element_not_the_pixel():
    # The same button sits at different places in three layouts: one row, all clicks.
    rows = []
    for i, (w, x) in enumerate([(1280, 900.0), (1440, 1100.0), (1920, 1500.0)]):
        rows.append(dict(session_id=f"s{i}", t=0, event="click", x=x, y=220.0 + 40 * i,
                         viewport_w=w, viewport_h=800, target=BTN))
    el = Heatmap(events(rows), url=PAGE, background=None).elements()
    assert el[["target", "clicks", "sessions", "share"]].values.tolist() == [[BTN, 3, 3, 1.0]]
