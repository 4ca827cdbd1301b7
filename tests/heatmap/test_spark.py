"""The heatmap aggregates give the same numbers on PySpark as on DuckDB."""

from __future__ import annotations

import pandas as pd
import pytest

from uxlens.heatmap import Heatmap

from ._build import PAGE, events
from .test_elements import _rows as element_rows
from .test_grid import _three_widths
from .test_scroll import _scroll_rows

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


def _same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-9)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rows = []
    for i, r in enumerate(_three_widths().to_dict("records")):
        rows.append({k: v for k, v in r.items() if k in (
            "session_id", "event", "x", "y", "viewport_w", "viewport_h", "scroll_y", "page_h")}
            | {"t": int((r["timestamp"] - pd.Timestamp("2024-01-01", tz="UTC")).value // 1e6)
               + i})
    return events(rows + element_rows() + _scroll_rows())


def test_grid_elements_skipped_and_hotspots_match(data, spark_backend):
    duck = Heatmap(data, url=PAGE, background=None)
    spark = Heatmap(data, url=PAGE, background=None, backend=spark_backend)
    assert spark.reference_widths() == duck.reference_widths()
    _same(spark.grid(bin_px=40), duck.grid(bin_px=40), ["device", "layer", "x_bin", "y_bin"])
    _same(spark.elements(), duck.elements(), ["target"])
    _same(spark.skipped, duck.skipped, ["url", "reason", "events"])
    _same(spark.hotspots(min_clicks=2), duck.hotspots(min_clicks=2), ["hotspot"])
    assert spark.sessions_at(720, 500, 40).ids == duck.sessions_at(720, 500, 40).ids


def test_scroll_attention_and_friction_kinds_match(data, spark_backend):
    for kind in ("scroll", "attention", "rage"):
        duck = Heatmap(data, url=PAGE, kind=kind, background=None)
        spark = Heatmap(data, url=PAGE, kind=kind, background=None, backend=spark_backend)
        keys = {"scroll": ["device", "y"], "attention": ["device", "y0"]}.get(
            kind, ["device", "layer", "x_bin", "y_bin"])
        _same(spark.grid(bin_px=100), duck.grid(bin_px=100), keys)


def test_comparison_matches(data, spark_backend):
    duck = Heatmap(data, url=PAGE, background=None)
    spark = Heatmap(data, url=PAGE, background=None, backend=spark_backend)
    half = ["d0", "d1", "m0", "m1", "s1", "d3"]
    _same(spark.compare(spark.with_(segment=half)).table(),
          duck.compare(duck.with_(segment=half)).table(), ["device", "x0", "y0"])
