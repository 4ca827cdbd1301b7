"""Screens are found once per EventLog, and a single-page app's heatmap splits by view.

The SPA recordings of ``test_spa`` (three views of one URL, no page loads)
are read with ``read_rrweb``; the expected clicks per view come from the
recording builder, not from uxlens.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

import uxlens.screens as screens_mod
from uxlens.heatmap import Heatmap
from uxlens.io.rrweb import read_rrweb
from uxlens.screens import add_screen_column

from .test_spa import recordings


def _panels(fig) -> dict[str, int]:
    heat = [t for t in fig.data if t.type == "heatmap"]
    titles = [a.text for a in fig.layout.annotations][: len(heat)]
    return {title.split(" · ")[0]: int(np.asarray(t.customdata)[..., 0].sum())
            for title, t in zip(titles, heat, strict=True)}


def test_spa_heatmap_shows_each_view_and_fingerprints_once(monkeypatch):
    recs, expected = recordings()
    log = read_rrweb(recs)
    calls: list[int] = []
    real = screens_mod._compute

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(screens_mod, "_compute", counting)
    # clicks per view, from the builder: Projects 8, Settings 6, Tasks 5 (each >= 10 %)
    want = Counter(view for views in expected.values() for view in views)
    assert want == {"Projects": 8, "Settings": 6, "Tasks": 5}
    h = Heatmap(log, url="/app", background=None)
    assert h.main_screens() == ["Projects", "Settings", "Tasks"]
    fig = h.plot()
    assert fig.layout.title.text.startswith("Clicks on /app · 3 screens side by side · desktop")
    assert _panels(fig) == dict(want)
    # more heatmaps, the screens table, the screen column: still one fingerprinting pass
    Heatmap(log, url="/app", background=None).plot()
    Heatmap(log, url="/app", screen="Tasks", background=None).elements()
    log.screens()
    assert log.with_screens() is add_screen_column(log)
    assert len(calls) == 1
    # parameters other than the defaults are another computation, cached in turn
    log.screens(debounce_ms=100)
    log.screens(debounce_ms=100)
    assert len(calls) == 2


def test_replaced_events_get_a_fresh_screen_column():
    recs, _ = recordings()
    log = read_rrweb(recs)
    first = add_screen_column(log)
    log.events = log.events.iloc[:10].copy()
    second = add_screen_column(log)
    assert second is not first and len(second.events) == 10
    assert second.events["screen"].astype(str).tolist() == \
        first.events["screen"].astype(str).tolist()[:10]
