"""Journeys over tables that stay in their backend (Ibis tables, Parquet) equal in-memory ones."""

from __future__ import annotations

import pandas as pd
import pytest

import uxlens as ux
from uxlens.exceptions import UxlensError
from uxlens.journeys import Journeys


@pytest.fixture(scope="module")
def parquet_table(tmp_path_factory):
    path = tmp_path_factory.mktemp("journeys") / "events.parquet"
    ev = ux.demo().events
    ev.to_parquet(path)
    return ux.scan_parquet(path, memory_limit="1GB")


@pytest.mark.parametrize(
    "kw",
    [{"goal": "/dashboard"}, {"unit": "user", "goal": "/dashboard"},
     {"node": "event", "session_gap": None, "collapse_repeats": False, "max_steps": 6},
     {"patterns": ["/onboarding/*"]}],
    ids=["url", "user", "event", "patterns"],
)
def test_parquet_table_equals_in_memory(parquet_table, kw):
    memory, lazy = Journeys(ux.demo(), **kw), Journeys(parquet_table, **kw)
    pd.testing.assert_frame_equal(memory.transitions(), lazy.transitions())
    pd.testing.assert_frame_equal(memory.step_matrix(8), lazy.step_matrix(8))
    pd.testing.assert_frame_equal(memory.paths(10), lazy.paths(10))
    key = ["journey_id", "step"]
    a = memory.steps_.sort_values(key).reset_index(drop=True)
    b = lazy.steps_.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) > 500


def test_read_events_of_an_ibis_table_and_sessions_behind_a_node(parquet_table):
    log = ux.read_events(parquet_table)
    assert log.is_lazy  # nothing materialised
    lazy = Journeys(log, goal="/dashboard")
    memory = Journeys(ux.demo(), goal="/dashboard")
    node = "/onboarding/invite"
    got, want = lazy.sessions(node=node), memory.sessions(node=node)
    assert sorted(got.ids) == sorted(want.ids) and len(got) > 50
    cols = ["session_id", "events", "pageviews", "clicks"]
    pd.testing.assert_frame_equal(
        got.frame[cols].sort_values("session_id").reset_index(drop=True),
        want.frame[cols].sort_values("session_id").reset_index(drop=True),
        check_dtype=False,
    )


def test_lazy_table_refuses_in_memory_only_nodes(parquet_table):
    with pytest.raises(UxlensError, match="needs events in memory"):
        Journeys(parquet_table, node="screen")
    with pytest.raises(UxlensError, match="needs events in memory"):
        Journeys(parquet_table, node=lambda ev: ev["event"])
    with pytest.raises(UxlensError, match="compare"):
        Journeys(parquet_table).compare("device")
