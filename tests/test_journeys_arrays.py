"""The in-memory array path of Journeys equals the engine (Ibis on DuckDB) path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _journey_logs import random_journey_log

from uxlens.eventlog import EventLog
from uxlens.events import validate
from uxlens.journeys import Journeys


class EngineJourneys(Journeys):
    """Journeys that always aggregate through the Ibis expressions (here on DuckDB)."""

    def _on_engine(self) -> bool:
        return True


def _random_log(seed: int) -> EventLog:
    events = ("pageview", "pageview", "click", "input", "mousemove", "invite_sent")
    return random_journey_log(seed, events=events)


SETTINGS = [
    {"node": "url", "goal": "/dashboard"},
    {"node": "url", "patterns": ["/project/*"], "collapse_repeats": False, "session_gap": None},
    {"node": "event", "goal": "invite_sent", "session_gap": "10min"},
    {"node": "url", "unit": "user", "goal": "/invite"},
    {"node": "url", "unit": "user", "session_gap": None, "max_steps": 3},
    {"node": lambda ev: ev["url"].astype(str).str.len().astype(str).where(ev["event"] == "click")},
]


def _case_id(kw: dict) -> str:
    """Stable test ids (a lambda's repr has its address, which differs between xdist workers)."""
    return "-".join(f"{k}={'callable' if callable(v) else v}" for k, v in kw.items())


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("kw", SETTINGS, ids=_case_id)
def test_arrays_equal_engine(seed, kw):
    log = _random_log(seed)
    fast, engine = Journeys(log, **kw), EngineJourneys(log, **kw)
    key = ["journey_id", "step"]
    a = fast.steps_.sort_values(key).reset_index(drop=True)
    b = engine.steps_.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(fast.transitions(), engine.transitions())
    for steps in (1, 4, 12):
        pd.testing.assert_frame_equal(fast.step_matrix(steps), engine.step_matrix(steps))
    for top in (1, 5, 1000):
        pd.testing.assert_frame_equal(fast.paths(top), engine.paths(top))
    assert len(a) > 50  # the case is not trivial


def test_paths_ties_are_ordered_by_path():
    rows = [(f"s{i}", f"u{i}", pd.Timestamp("2024-01-01T00:00:00Z") + pd.Timedelta(seconds=k),
             "pageview", f"https://a.io/{p}") for i, path in enumerate(["ba", "ab", "ab", "c", "ba"])
            for k, p in enumerate(path)]
    frame = pd.DataFrame(rows, columns=["session_id", "user_id", "timestamp", "event", "url"])
    paths = Journeys(EventLog(validate(frame).events)).paths(top=2)
    assert paths["path"].tolist() == ["/a → /b", "/b → /a"]
    assert paths["journeys"].tolist() == [2, 2]
    assert paths["share"].tolist() == [0.4, 0.4]
    assert paths["steps"].tolist() == [2, 2]


def test_path_groups_survive_hash_collisions():
    from uxlens.engine.journeys_arrays import journey_steps, path_groups

    steps = journey_steps(unit=np.array([0, 0, 1, 1, 2, 2, 3]), t_ms=np.array([0, 1, 0, 1, 0, 1, 0]),
                          seq=np.arange(7), node=np.array([0, 1, 1, 0, 0, 1, 1]), gap_ms=None,
                          collapse_repeats=True)
    for weights in (None, np.zeros(4, dtype=np.uint64)):  # all-zero weights: every path collides
        group, rep, counts = path_groups(steps, max_steps=4, weights=weights)
        assert group[0] == group[2] and len({group[0], group[1], group[3]}) == 3
        assert sorted(counts.tolist()) == [1, 1, 2]
        assert counts[group[0]] == 2
