"""The same funnels on PySpark (local mode) give identical tables to DuckDB."""

from __future__ import annotations

import pandas as pd
import pytest

from uxlens.funnel import Exclusion, Funnel, Step

from .test_api import dataset

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

STEPS = ["pageview", "click", "input", "invite_sent"]
VARIANTS = {
    "ordered": {},
    "strict": {"order": "strict"},
    "unordered": {"order": "unordered"},
    "exclusion": {"exclusions": [Exclusion("error", 1, 3)]},
    "session_unit": {"unit": "session", "window": "2min"},
    "first_touch": {"breakdown": "device"},
    "last_touch": {"breakdown": "device", "attribution": "last_touch"},
    "all_events": {"breakdown": "version", "attribution": "all_events"},
    "step_2": {"breakdown": "source", "attribution": "step:2"},
    "filters": {"steps": [Step("pageview", url="/onboarding/*"), "click",
                          Step("input", where={"version": "B"}), "invite_sent"],
                "where": {"is_returning": False}},
}


@pytest.fixture(scope="module")
def events(random_events) -> pd.DataFrame:
    return random_events(n_sessions=240, seed=11)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_tables_identical(name: str, events: pd.DataFrame, spark_backend) -> None:
    kw = dict(VARIANTS[name])
    steps = kw.pop("steps", STEPS)
    kw.setdefault("window", "10min")
    local = Funnel(events, steps, **kw)
    remote = Funnel(events, steps, backend=spark_backend, **kw)
    expected = local.table()
    assert expected["count"].iloc[0] > 0
    pd.testing.assert_frame_equal(remote.table(), expected)
    pd.testing.assert_frame_equal(remote.units(), local.units())


def test_compare_and_correlations_identical(spark_backend) -> None:
    df = dataset()
    local = Funnel(df, ["A", "B", "C"])
    remote = Funnel(df, ["A", "B", "C"], backend=spark_backend)
    pd.testing.assert_frame_equal(
        remote.compare(by="version"), local.compare(by="version"), check_exact=False
    )
    pd.testing.assert_frame_equal(
        remote.correlations(kind="both", min_count=1), local.correlations(kind="both", min_count=1)
    )
    assert remote.dropped(1).ids == local.dropped(1).ids
