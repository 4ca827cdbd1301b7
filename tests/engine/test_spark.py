"""The engine on PySpark local mode: same expressions, same numbers as DuckDB.

Spark starts once per test run (session fixture in tests/conftest.py); the
``xdist_group`` keeps these tests in one pytest-xdist worker.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uxlens.engine.backend import as_table, execute
from uxlens.engine.sessions import session_summary

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


def test_local_spark_settings(spark):
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    assert spark.conf.get("spark.sql.shuffle.partitions") == "4"
    assert spark.sparkContext.master == "local[2]"
    assert spark.sparkContext.getConf().get("spark.ui.enabled") == "false"


def test_as_table_round_trips_canonical_dtypes(spark_backend, canonical_events):
    cols = ("session_id", "t", "event", "url", "page_h", "status", "scroll_y", "is_returning",
            "device")
    ev = canonical_events(
        [("s1", 0, "pageview", "https://a.com/", 2000, None, 0.0, True, "desktop"),
         ("s1", 1234, "network", None, None, 0, None, None, None),
         ("s2", 86_400_000 + 7, "click", "https://a.com/b", 0, 404, 12.5, False, "mobile")],
        cols)
    assert str(ev["url"].dtype) == "category" and str(ev["page_h"].dtype) == "Int32"
    table = as_table(ev, backend=spark_backend)
    assert table._find_backend().name == "pyspark"
    got = execute(table.order_by(["session_id", "seq"]))
    # Categoricals come back as strings, nullable ints keep their nulls (not 0),
    # UTC instants are unchanged, and t_ms is exact.
    assert got["event"].tolist() == ["pageview", "network", "click"]
    assert [None if pd.isna(u) else u for u in got["url"]] == [
        "https://a.com/", None, "https://a.com/b"]
    assert [None if pd.isna(v) else int(v) for v in got["page_h"]] == [2000, None, 0]
    assert [None if pd.isna(v) else int(v) for v in got["status"]] == [None, 0, 404]
    assert [None if pd.isna(v) else bool(v) for v in got["is_returning"]] == [True, None, False]
    assert np.isnan(got["scroll_y"].iloc[1])
    stamps = pd.to_datetime(got["timestamp"], utc=True)
    assert (stamps.to_numpy() == ev["timestamp"].to_numpy()).all()
    expected_ms = (ev["timestamp"].astype("int64") // 1_000_000).tolist()
    assert got["t_ms"].tolist() == expected_ms


def test_session_summary_equals_duckdb(spark_backend, random_events):
    # 80 sessions, ~3k events: ties, gaps of exactly 5 s and 1 ms either side,
    # NA and zero page heights, console errors, failed requests, rows without url.
    events = random_events(80, seed=11)
    assert len(events) > 2000
    duck = session_summary(events)
    spark = session_summary(events, backend=spark_backend)
    assert duck["errors"].sum() > 0 and duck["scroll_depth"].isna().any()
    assert duck["active_s"].gt(0).any() and duck["device"].isna().any()
    pd.testing.assert_frame_equal(spark, duck, check_exact=True)


def test_session_summary_equals_duckdb_other_options(spark_backend, random_events):
    events = random_events(40, seed=12)
    options = {"inactivity": "1s", "passive_events": ("mutation", "mousemove"),
               "properties": ("version", "source")}
    duck = session_summary(events, **options)
    spark = session_summary(events, backend=spark_backend, **options)
    pd.testing.assert_frame_equal(spark, duck, check_exact=True)
