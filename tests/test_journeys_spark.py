"""Journeys give identical results on PySpark local mode and embedded DuckDB."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _journey_logs import random_journey_log

from uxlens.eventlog import EventLog
from uxlens.journeys import Journeys

pytestmark = pytest.mark.spark


def _random_log(n_sessions: int = 150, seed: int = 3) -> EventLog:
    pages = ("/", "/pricing", "/signup", "/profile", "/invite", "/dashboard")
    return random_journey_log(seed, n_sessions=n_sessions, n_users=40, max_events=12, pages=pages)


@pytest.mark.parametrize("unit", ["session", "user"])
def test_spark_matches_duckdb(spark_backend, unit):
    log = _random_log()
    local = Journeys(log, unit=unit, goal="/dashboard")
    remote = Journeys(log, unit=unit, goal="/dashboard", backend=spark_backend)
    key = ["journey_id", "step"]
    a = local.steps_.sort_values(key).reset_index(drop=True)
    b = remote.steps_.sort_values(key).reset_index(drop=True)
    cols = ["unit", "journey_id", "step", "node", "next", "timestamp"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    np.testing.assert_allclose(a["dt_s"].fillna(-1), b["dt_s"].fillna(-1))
    # Aggregated on Spark (the steps are never collected) and equal to pandas.
    engine = Journeys(log, unit=unit, goal="/dashboard", backend=spark_backend)
    pd.testing.assert_frame_equal(local.transitions(), engine.transitions())
    pd.testing.assert_frame_equal(local.step_matrix(8), engine.step_matrix(8))
    pd.testing.assert_frame_equal(
        local.transitions(as_matrix=True), engine.transitions(as_matrix=True)
    )
    assert "steps_" not in engine.__dict__
    pd.testing.assert_frame_equal(local.transitions(), remote.transitions())
    pd.testing.assert_frame_equal(local.step_matrix(8), remote.step_matrix(8))
    assert len(a) > 500  # the case is not trivial


def test_spark_table_input_equals_in_memory(spark_backend):
    from uxlens.engine.backend import as_table

    log = _random_log(seed=5)
    table = as_table(log, spark_backend)  # the events live in Spark; Journeys reads them there
    local, remote = Journeys(log, goal="/dashboard"), Journeys(table, goal="/dashboard")
    pd.testing.assert_frame_equal(local.transitions(), remote.transitions())
    pd.testing.assert_frame_equal(local.step_matrix(6), remote.step_matrix(6))
    pd.testing.assert_frame_equal(local.paths(15), remote.paths(15))
    assert local.transitions()["count"].sum() > 500
