"""Fuzzing read_events (the generic table reader) with random tables.

Random DataFrames and CSV files: canonical and unknown columns, mixed types
(text, ints, floats with NaN/inf, booleans, naive and aware timestamps, epoch
numbers, ISO strings), nulls everywhere, random options. Properties: no
exception other than ``UxlensError`` escapes; every input row is loaded or
rejected (``loaded + rejected == read``, ``read`` = rows given); loaded rows
are the rows of ``log.events``; rejected rows name a reason.

The default run draws 200 tables per input kind; the ``slow`` variant 10,000
(kept small per example so that it runs in minutes on two cores).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from uxlens.exceptions import UxlensError
from uxlens.io.table import read_events
from uxlens.privacy import Privacy

T0 = 1_700_000_000_000

_COLUMNS = [
    "session_id",
    "user_id",
    "timestamp",
    "event",
    "url",
    "x",
    "y",
    "viewport_w",
    "page_h",
    "target",
    "target_text",
    "device",
    "is_returning",
    "message",
    "status",
    "plan",
    "ts",
    "Session_ID",
]

_text = st.text(max_size=10)
_plain = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=10)
_cell = st.one_of(
    st.none(),
    _text,
    st.sampled_from(["s1", "s2", "u1", "click", "pageview", "ann@example.com", "/a?token=x"]),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(T0 - 10**6, T0 + 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(timezones=st.none() | st.just(__import__("datetime").timezone.utc)).map(
        pd.Timestamp
    ),
    st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01 10:00:05", "2024-13-45", "NaT", ""]),
)
# One column is one "type" most of the time, mixed otherwise.
_column_values = st.one_of(
    st.lists(_cell, min_size=0, max_size=6),
    st.lists(st.integers(T0, T0 + 60_000) | st.none(), max_size=6),
    st.lists(st.sampled_from(["s1", "s2", None]), max_size=6),
    st.lists(_plain | st.none(), max_size=6),
)


_VALID = {
    "session_id": st.sampled_from(["s1", "s2", "s3"]),
    "user_id": st.sampled_from(["u1", "u2", "ann@example.com"]),
    "timestamp": st.integers(T0, T0 + 60_000),
    "event": st.sampled_from(["pageview", "click", "input", "$autocapture"]),
}


def _mostly(valid):
    """A valid value nine times out of ten, any cell otherwise."""
    return st.integers(0, 9).flatmap(lambda k: _cell if k == 0 else valid)


@st.composite
def tables(draw):
    """A small table: required columns usually present and mostly valid, others random."""
    n = draw(st.integers(0, 6))
    data = {}
    for name, valid in _VALID.items():
        if draw(st.integers(0, 9)) == 0:
            continue  # a required column is missing now and then
        data[name] = draw(st.lists(_mostly(valid), min_size=n, max_size=n))
    extra = [c for c in _COLUMNS if c not in _VALID]
    for name in draw(st.lists(st.sampled_from(extra), max_size=4, unique=True)):
        values = draw(_column_values)
        data[name] = (values * (n // max(len(values), 1) + 1))[:n] if values else [None] * n
    names = list(data)
    order = draw(st.permutations(names)) if names else []
    frame = pd.DataFrame({k: pd.Series(data[k], dtype=object) for k in order}, index=range(n))
    if "timestamp" in frame.columns and draw(st.booleans()):
        # A typed column (epoch ms, naive or UTC datetimes), not only object columns.
        kind = draw(st.sampled_from(["int", "naive", "utc"]))
        ms = pd.Series(draw(st.lists(st.integers(T0, T0 + 60_000), min_size=n, max_size=n)))
        frame["timestamp"] = (
            ms if kind == "int" else pd.to_datetime(ms, unit="ms", utc=kind == "utc")
        )
    return frame


_options = st.fixed_dictionaries(
    {},
    optional={
        "assume_utc": st.booleans(),
        "tz": st.sampled_from([None, "UTC", "Europe/Paris", "Mars/Base"]),
        "session_gap": st.sampled_from([None, "30min", "5s", "soon"]),
        "columns": st.sampled_from([None, {"ts": "timestamp"}, {"Session_ID": "session_id"}]),
        "mask": st.sampled_from([True, False, Privacy(patterns=(r"s\d",))]),
        "drop_duplicates": st.booleans(),
    },
)


def check(source, n_rows, options):
    try:
        log = read_events(source, **options)
    except UxlensError as exc:
        event(f"raised {type(exc).__name__}")
        return None
    c = log.counts
    event("loaded rows" if c["loaded"] else "read, nothing loaded")
    assert c["loaded"] + c["rejected"] == c["read"]
    if n_rows is not None:
        assert c["read"] == n_rows
    assert c["loaded"] == len(log.events)
    assert c["rejected"] == len(log.rejected)
    assert all(isinstance(r, str) and r for r in log.rejected["reason"].tolist())
    assert isinstance(log.meta["privacy"], Privacy)
    return log


@pytest.fixture(scope="module")
def csv_dir():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _frame_case(frame, options):
    check(frame, len(frame), options)


def _csv_case(folder, frame, garbage, options):
    path = folder / "fuzz.csv"
    text = frame.to_csv(index=False)
    if garbage:
        text += "".join(line + "\n" for line in garbage)
    path.write_text(text, encoding="utf-8")
    # Garbage lines may be blank (skipped) or hold quotes spanning lines, and pandas
    # leaves a lone "\r" unquoted (a line break to any CSV reader): only other
    # tables written by pandas have a known row count.
    known = not garbage and frame.shape[1] > 0 and "\r" not in text
    check(path, len(frame) if known else None, options)


_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
_garbage = st.lists(st.text(st.sampled_from('ab1,"\t;@ '), max_size=12), max_size=3)


@settings(max_examples=200, **_SETTINGS)
@given(tables(), _options)
def test_fuzz_dataframes(frame, options):
    _frame_case(frame, options)


@settings(max_examples=200, **_SETTINGS)
@given(tables(), _garbage, _options)
def test_fuzz_csv_files(csv_dir, frame, garbage, options):
    _csv_case(csv_dir, frame, garbage, options)


@pytest.mark.slow
@settings(max_examples=10_000, **_SETTINGS)
@given(tables(), st.booleans(), _garbage, _options)
def test_fuzz_read_events_10k(csv_dir, frame, as_csv, garbage, options):
    if as_csv:
        _csv_case(csv_dir, frame, garbage, options)
    else:
        _frame_case(frame, options)


def test_non_boolean_is_returning_is_rejected_not_raised():
    # Found by the fuzzer: validate() raised TypeError on a text is_returning column.
    frame = pd.DataFrame(
        {
            "session_id": ["s1", "s1", "s1", "s1", "s1"],
            "timestamp": [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4],
            "event": ["pageview"] * 5,
            "is_returning": ["yes", "s1", 0, None, 17],
        }
    )
    log = read_events(frame)
    assert log.counts == {"read": 5, "loaded": 3, "rejected": 2}
    assert log.rejected["position"].tolist() == [1, 4]
    assert set(log.rejected["reason"]) == {
        "is_returning is not a boolean (expected true/false, 1/0, yes/no)"
    }
    assert log.events["is_returning"].tolist() == [True, False, pd.NA]


def test_timestamps_outside_the_nanosecond_range_are_rejected():
    # Found by the fuzzer: a year-2263 Timestamp in an object column raised a pandas
    # InvalidIndexError, and a typed microsecond column past 2262 an OutOfBoundsDatetime.
    late = pd.Timestamp("2263-01-01", tz="UTC")
    objects = pd.DataFrame(
        {
            "session_id": ["s", "s"],
            "timestamp": pd.Series([pd.Timestamp("2024-01-01", tz="UTC"), late], dtype=object),
            "event": ["e", "e"],
        }
    )
    log = read_events(objects)
    assert log.counts == {"read": 2, "loaded": 1, "rejected": 1}
    assert log.rejected["position"].tolist() == [1]
    typed = pd.DataFrame(
        {
            "session_id": ["s", "s"],
            "timestamp": pd.Series(
                pd.to_datetime(["2024-01-01", "3000-01-01"]).as_unit("us")
            ).dt.tz_localize("UTC"),
            "event": ["e", "e"],
        }
    )
    log = read_events(typed)
    assert log.counts == {"read": 2, "loaded": 1, "rejected": 1}
    assert log.rejected["reason"].tolist() == ["timestamp out of range (uxlens handles 1677-2262)"]
    assert str(log.events["timestamp"].iloc[0]) == "2024-01-01 00:00:00+00:00"
