"""The Ibis detectors give the same answers on PySpark as on DuckDB."""

from __future__ import annotations

import pandas as pd
import pytest

from uxlens.friction import Friction, flag_clicks

from ._build import normalise, planted_mix

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module")
def mixed():
    return planted_mix(7, n_sessions=60)


def test_flag_clicks_match(mixed, spark_backend):
    duck = flag_clicks(mixed)
    spark = flag_clicks(mixed, backend=spark_backend)
    assert duck["rage"].sum() > 0 and duck["dead"].sum() > 0 and duck["error"].sum() > 0
    pd.testing.assert_frame_equal(normalise(duck), normalise(spark), check_dtype=False)


@pytest.mark.parametrize("preset", ["datadog", "amplitude"])
def test_flag_clicks_presets_match(mixed, spark_backend, preset):
    duck = flag_clicks(mixed, preset=preset)
    spark = flag_clicks(mixed, preset=preset, backend=spark_backend)
    pd.testing.assert_frame_equal(normalise(duck), normalise(spark), check_dtype=False)


def test_all_signals_match(mixed, spark_backend):
    duck = Friction(mixed, thrash_min_speed_px_s=1.0).signals()
    spark = Friction(mixed, thrash_min_speed_px_s=1.0, backend=spark_backend).signals()
    assert set(duck["kind"]) >= {"rage_click", "dead_click", "error_click", "quick_back",
                                 "hesitation", "scroll_uturn", "excessive_scroll",
                                 "thrashed_cursor", "repeated_edit", "form_abandonment"}
    pd.testing.assert_frame_equal(normalise(duck), normalise(spark), check_dtype=False)
