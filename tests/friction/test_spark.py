"""The Ibis detectors give the same answers on PySpark as on DuckDB."""

from __future__ import annotations

import pandas as pd
import pytest

from uxlens.events import validate
from uxlens.friction import Friction, flag_clicks

from ._build import events, random_mix

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module")
def mixed():
    planted = [dict(t=0, event="pageview", url="u", session_id="planted", page_h=1000)]
    planted += [dict(t=100 * (i + 1), event="scroll", scroll_y=y, url="u", session_id="planted")
                for i, y in enumerate([0.0, 500.0, 900.0, 300.0, 1500.0, 0.0])]
    planted += [dict(t=2000 + 40 * i, event="mousemove", x=100.0 + 200 * (i % 2), y=5.0,
                     url="u", session_id="planted") for i in range(12)]
    both = pd.concat([random_mix(7, n_sessions=60), events(planted)], ignore_index=True)
    return validate(both.drop(columns="seq"), drop_duplicates=False).events


def _norm(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or str(out[c].dtype) in ("string", "str", "category"):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out.reset_index(drop=True)


def test_flag_clicks_match(mixed, spark_backend):
    duck = flag_clicks(mixed)
    spark = flag_clicks(mixed, backend=spark_backend)
    assert duck["rage"].sum() > 0 and duck["dead"].sum() > 0 and duck["error"].sum() > 0
    pd.testing.assert_frame_equal(_norm(duck), _norm(spark), check_dtype=False)


@pytest.mark.parametrize("preset", ["datadog", "amplitude"])
def test_flag_clicks_presets_match(mixed, spark_backend, preset):
    duck = flag_clicks(mixed, preset=preset)
    spark = flag_clicks(mixed, preset=preset, backend=spark_backend)
    pd.testing.assert_frame_equal(_norm(duck), _norm(spark), check_dtype=False)


def test_all_signals_match(mixed, spark_backend):
    duck = Friction(mixed, thrash_min_speed_px_s=1.0).signals()
    spark = Friction(mixed, thrash_min_speed_px_s=1.0, backend=spark_backend).signals()
    assert set(duck["kind"]) >= {"rage_click", "dead_click", "error_click", "quick_back",
                                 "hesitation", "scroll_uturn", "excessive_scroll",
                                 "thrashed_cursor", "repeated_edit", "form_abandonment"}
    pd.testing.assert_frame_equal(_norm(duck), _norm(spark), check_dtype=False)
