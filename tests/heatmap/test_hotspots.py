"""Hotspots (DBSCAN) find planted clusters; the sessions behind a zone are exact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uxlens.eventlog import SessionList
from uxlens.heatmap import Heatmap

from ._build import PAGE, events

BTN, DECOY = "button#send-invites", "img.decoy"


def _planted(seed: int = 3) -> tuple[pd.DataFrame, set[str], set[str]]:
    rng = np.random.default_rng(seed)
    vp = dict(viewport_w=1440, viewport_h=800, scroll_y=0.0)
    rows, ragers, decoyed = [], set(), set()
    for s in range(200):
        sid = f"s{s:03d}"
        rows.append(dict(session_id=sid, t=0, event="pageview", **vp))
        t = 0
        for _ in range(5):  # background: scattered single clicks, answered by the page
            t += int(rng.integers(3000, 6000))
            rows.append(dict(session_id=sid, t=t, event="click", x=float(rng.uniform(0, 850)),
                             y=float(rng.uniform(0, 2000)), target=f"div#c{rng.integers(40)}", **vp))
            rows.append(dict(session_id=sid, t=t + 100, event="mutation"))
        if s < 40:  # a rage burst on the greyed-out button
            ragers.add(sid)
            t += 4000
            for _ in range(int(rng.integers(3, 6))):
                t += int(rng.integers(150, 400))
                rows.append(dict(session_id=sid, t=t, event="click",
                                 x=1100.0 + rng.normal(0, 4), y=220.0 + rng.normal(0, 3),
                                 target=BTN, **vp))
        elif s < 70:  # one click on an image that does nothing
            decoyed.add(sid)
            t += 4000
            rows.append(dict(session_id=sid, t=t, event="click", x=1250.0 + rng.normal(0, 3),
                             y=900.0 + rng.normal(0, 3), target=DECOY, **vp))
    return events(rows), ragers, decoyed


@pytest.fixture(scope="module")
def planted():
    return _planted()


def test_dbscan_finds_the_planted_rage_and_dead_clusters(planted):
    ev, ragers, decoyed = planted
    h = Heatmap(ev, url=PAGE, background=None)
    hs = h.hotspots(eps=30)
    assert len(hs) == 2  # the scattered background is noise
    rage, dead = hs.iloc[0], hs.iloc[1]
    assert rage["target"] == BTN and rage["x0"] <= 1100 <= rage["x1"] and rage["y0"] <= 220 <= rage["y1"]
    assert rage["sessions"] == len(ragers) and rage["rage"] == rage["clicks"]
    assert rage["friction"] == 1.0
    assert dead["target"] == DECOY and dead["sessions"] == len(decoyed)
    assert dead["dead"] == dead["clicks"] == len(decoyed) and dead["rage"] == 0
    total = h.grid()["count"].sum()
    assert rage["share"] == pytest.approx(rage["clicks"] / total)


def test_sessions_in_a_hotspot_and_at_a_point_are_exactly_the_planted_ones(planted):
    ev, ragers, decoyed = planted
    h = Heatmap(ev, url=PAGE, background=None)
    hs = h.hotspots(eps=30)
    inside = h.sessions_in(hs.iloc[0], eps=30)
    assert isinstance(inside, SessionList) and set(inside.ids) == ragers
    assert inside.frame["events_here"].sum() == hs.iloc[0]["clicks"]
    assert set(h.sessions_in(1).ids) == decoyed
    near = h.sessions_at(1100, 220, radius=40)
    assert set(near.ids) == ragers
    assert near.frame["events_here"].is_monotonic_decreasing
    assert len(h.sessions_at(1100, 220, radius=40, device="mobile")) == 0


def test_a_rage_map_has_one_hotspot_and_it_is_the_button(planted):
    ev, ragers, _ = planted
    hs = Heatmap(ev, url=PAGE, kind="rage", background=None).hotspots()
    assert hs[["target", "sessions", "friction"]].values.tolist() == [[BTN, len(ragers), 1.0]]


def test_plot_outlines_hotspots_and_the_figure_says_what_it_counts(planted):
    ev, _, _ = planted
    h = Heatmap(ev, url=PAGE, background="wireframe")
    fig = h.plot()
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2
    assert fig.layout.images[0].source.startswith("data:image/svg+xml;base64,")
    assert "sessions" in fig.layout.title.text and "clicks" in fig.layout.title.text
    labels = [a.text for a in fig.layout.annotations if a.text.startswith("#")]
    assert len(labels) == 2 and "100% friction" in labels[0]
    assert BTN in h.takeaway() and "40 sessions" in h.takeaway()
