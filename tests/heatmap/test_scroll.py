"""Scroll reach and attention maps, exact on hand-built sessions."""

from __future__ import annotations

import numpy as np
import pytest

from uxlens.heatmap import Heatmap

from ._build import PAGE, events

OTHER = "https://app.example.com/onboarding/done"


def _scroll_rows() -> list[dict]:
    rows = []
    # desktop, viewport 800 px: deepest scroll 0 / 400 / 700 / 1200 -> depth 800/1200/1500/2000
    for sid, scrolls in {"d1": [], "d2": [200.0, 400.0], "d3": [700.0, 300.0],
                         "d4": [600.0, 1200.0]}.items():
        rows.append(dict(session_id=sid, t=0, event="pageview", viewport_w=1440,
                         viewport_h=800, page_h=2400))
        for i, s in enumerate(scrolls, start=1):
            rows.append(dict(session_id=sid, t=1000 * i, event="scroll", scroll_y=s,
                             viewport_w=1440, viewport_h=800, page_h=2400))
    # mobile, viewport 700 px: depths 700 and 2100
    for sid, s in {"m1": 0.0, "m2": 1400.0}.items():
        rows.append(dict(session_id=sid, t=0, event="pageview", viewport_w=390, viewport_h=700))
        rows.append(dict(session_id=sid, t=500, event="scroll", scroll_y=s, viewport_w=390,
                         viewport_h=700))
    return rows


def test_scroll_reach_percentages_are_exact():
    h = Heatmap(events(_scroll_rows()), url=PAGE, kind="scroll", background=None)
    reach = h.grid(bin_px=100)
    desk = reach.loc[reach["device"] == "desktop"].set_index("y")["share"]
    expected = {**{y: 1.0 for y in range(0, 900, 100)}, **{y: 0.75 for y in range(900, 1300, 100)},
                **{y: 0.5 for y in range(1300, 1600, 100)},
                **{y: 0.25 for y in range(1600, 2100, 100)}}
    assert desk.to_dict() == {float(k): v for k, v in expected.items()}
    mob = reach.loc[reach["device"] == "mobile"].set_index("y")
    assert mob.loc[700.0, "share"] == 1.0 and mob.loc[800.0, "share"] == 0.5
    assert mob.loc[2100.0, "reached"] == 1 and mob["sessions"].unique().tolist() == [2]
    summary = h.scroll_summary().set_index("device")
    assert summary.loc["desktop", "fold"] == 800.0 and summary.loc["mobile", "fold"] == 700.0
    assert summary.loc["desktop", "sessions"] == 4
    assert summary.loc["desktop", "depth_median"] == 1350.0


def test_sessions_behind_a_band():
    h = Heatmap(events(_scroll_rows()), url=PAGE, kind="scroll", background=None)
    assert h.sessions_in_band(1900, 2000, device="desktop").ids == ["d4"]
    assert sorted(h.sessions_in_band(1250, 1300, device="desktop").ids) == ["d3", "d4"]


def test_scroll_figure_draws_the_fold():
    h = Heatmap(events(_scroll_rows()), url=PAGE, kind="scroll", background=None)
    fig = h.plot()
    folds = {s.y0 for s in fig.layout.shapes if s.type == "line"}
    assert folds == {800.0, 700.0}
    assert [t.type for t in fig.data] == ["heatmap", "scatter", "heatmap", "scatter"]


def test_attention_seconds_per_band_are_exact():
    vp = dict(viewport_w=1440, viewport_h=800)
    rows = [
        # s1: top for 10 s, then [400, 1200) for 10 s + 30 s, then another page
        dict(session_id="s1", t=0, event="pageview", **vp),
        dict(session_id="s1", t=10_000, event="scroll", scroll_y=400.0, **vp),
        dict(session_id="s1", t=20_000, event="scroll", scroll_y=400.0, **vp),
        dict(session_id="s1", t=50_000, event="pageview", url=OTHER, **vp),
        # s2: top for 2 s, then [450, 1250) for 10 s (band 4 and 12 half covered);
        # the last event opens no interval
        dict(session_id="s2", t=0, event="pageview", **vp),
        dict(session_id="s2", t=2_000, event="scroll", scroll_y=450.0, **vp),
        dict(session_id="s2", t=12_000, event="click", x=10.0, y=500.0, scroll_y=450.0, **vp),
        # m1: 100 s idle before its first scroll: capped at 30 s
        dict(session_id="m1", t=0, event="pageview", viewport_w=390, viewport_h=700),
        dict(session_id="m1", t=100_000, event="scroll", scroll_y=100.0, viewport_w=390,
             viewport_h=700),
    ]
    h = Heatmap(events(rows), url=PAGE, kind="attention", background=None)
    att = h.grid(bin_px=100)
    desk = att.loc[att["device"] == "desktop"].set_index("y0")["seconds"]
    expected = [12.0] * 4 + [57.0] + [62.0] * 3 + [50.0] * 4 + [5.0]
    assert desk.index.tolist() == [float(100 * k) for k in range(13)]
    assert np.allclose(desk.to_numpy(), expected)
    per = att.loc[att["device"] == "desktop", "seconds_per_session"].to_numpy()
    assert np.allclose(per, np.array(expected) / 2)
    assert att.loc[att["device"] == "desktop", "share"].sum() == pytest.approx(1.0)
    mob = att.loc[att["device"] == "mobile"]
    assert mob["y0"].tolist() == [float(100 * k) for k in range(7)]
    assert np.allclose(mob["seconds"], 30.0)
