"""Raw pandas frames handed straight to the analyses (not read by uxlens): times that
are not instants, missing sessions or times, numeric ids and a missing ``seq`` are
either read right or refused with an error that says how to load them."""

from __future__ import annotations

import pandas as pd
import pytest

import uxlens as ux
from uxlens.exceptions import SchemaError


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return ux.demo().events.head(3000).copy()


ANALYSES = {
    "funnel": lambda d: ux.Funnel(d, ["signup_started", "signup_done"]).table(),
    "heatmap": lambda d: ux.Heatmap(d, url="/onboarding/invite", kind="click",
                                    background=None).grid(),
    "journeys": lambda d: ux.Journeys(d).transitions(),
    "friction": lambda d: ux.Friction(d).scores(),
    "sessions": lambda d: ux.EventLog(d).sessions(),
}


@pytest.mark.parametrize("name", sorted(ANALYSES))
def test_epoch_numbers_are_refused_with_the_fix(frame: pd.DataFrame, name: str) -> None:
    numbers = frame.assign(timestamp=frame["timestamp"].astype("int64") // 10**6)
    with pytest.raises(SchemaError, match=r"(?s)holds numbers \(int64\).*read_events\(df\)"):
        ANALYSES[name](numbers)


@pytest.mark.parametrize("name", ["funnel", "heatmap", "sessions"])
def test_naive_times_are_refused_with_the_fix(frame: pd.DataFrame, name: str) -> None:
    naive = frame.assign(timestamp=frame["timestamp"].dt.tz_localize(None))
    with pytest.raises(SchemaError, match=r"(?s)naive times.*assume_utc=True"):
        ANALYSES[name](naive)


def test_naive_times_serve_analyses_within_a_session(frame: pd.DataFrame) -> None:
    """Friction and journeys compare times within a session or user only."""
    naive = frame.assign(timestamp=frame["timestamp"].dt.tz_localize(None))
    pd.testing.assert_frame_equal(ANALYSES["journeys"](naive), ANALYSES["journeys"](frame))
    got, want = ANALYSES["friction"](naive), ANALYSES["friction"](frame)
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("name", sorted(ANALYSES))
def test_other_zones_and_units_give_the_same_result(frame: pd.DataFrame, name: str) -> None:
    expected = ANALYSES[name](frame)
    for ts in (frame["timestamp"].dt.tz_convert("Europe/Paris"),
               frame["timestamp"].astype("datetime64[ms, UTC]")):
        got = ANALYSES[name](frame.assign(timestamp=ts))
        assert len(got) == len(expected)
        if name == "funnel":
            pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("col", ["session_id", "timestamp"])
def test_friction_refuses_events_without_session_or_time(frame: pd.DataFrame, col: str) -> None:
    holes = frame.copy()
    holes.loc[holes.index[:5], col] = None
    with pytest.raises(SchemaError, match=rf"(?s)5 of 3,000 events have no {col}.*read_events"):
        ux.Friction(holes).scores()


def test_read_events_reads_epoch_milliseconds(frame: pd.DataFrame) -> None:
    numbers = frame[["session_id", "user_id", "event", "url"]].assign(
        timestamp=frame["timestamp"].astype("int64") // 10**6)
    log = ux.read_events(numbers)
    assert log.events["timestamp"].min() == frame["timestamp"].min().floor("ms")


@pytest.mark.parametrize("mask", [lambda ev: 5, lambda ev: ev["event"], lambda ev: [True, False]])
def test_filter_needs_one_true_false_per_event(mask) -> None:
    log = ux.demo()
    with pytest.raises(ux.UxlensError, match=r"filter\(mask\) needs one True/False per event"):
        log.filter(mask)


def test_filter_takes_nullable_and_object_booleans() -> None:
    log = ux.demo()
    mobile = log.events["device"] == "mobile"
    want = log.filter(mobile).events
    nullable = mobile.astype("boolean")
    nullable.iloc[0] = pd.NA  # missing: not kept
    got = log.filter(nullable).events
    assert len(got) == len(want) - int(mobile.iloc[0])
    pd.testing.assert_frame_equal(log.filter(mobile.astype(object)).events, want)
