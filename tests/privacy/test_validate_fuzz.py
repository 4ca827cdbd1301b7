"""Fuzzing ``validate()``: 10,000 generated tables in the slow job (150 in the fast one).

Tables mix every kind of timestamp (epoch s/ms/us numbers, ISO strings with and
without offsets, garbage, missing), blank and missing ids and names, non-finite
and non-numeric coordinates, out-of-range integers, URLs with queries and
fragments, and exact duplicates. Properties: only a ``UxlensError`` escapes; no
row is lost (``len(events) + len(rejected) == len(input)``, each input position
rejected at most once); the events are typed per the schema, sorted by
(session, time) with ``seq`` = 0..n-1 per session.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uxlens.events import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, validate
from uxlens.exceptions import UxlensError

_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])

_ts = st.one_of(
    st.none(),
    st.integers(0, 10**13),
    st.integers(-(10**19), 10**19),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.5+02:00", "2024-01-01 00:00",
                     "x", "", " ", "1700000000000"]),
)
_num = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                 st.integers(-(2**40), 2**40), st.sampled_from(["12", "a", ""]))
_row = st.fixed_dictionaries(
    {
        "session_id": st.sampled_from(["a", "b", "c", "", " ", None]),
        "user_id": st.sampled_from(["u", "", None]),
        "timestamp": _ts,
        "event": st.sampled_from(["click", "pageview", "", None]),
    },
    optional={
        "x": _num,
        "viewport_w": _num,
        "status": _num,
        "url": st.sampled_from([None, "https://a.com/p?q=1#f", "/x", "", "https://a.com/p"]),
        "target": st.sampled_from([None, "button#go", ""]),
        "plan": st.sampled_from([None, "free", 3]),
    },
)


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.lists(_row, max_size=25))
    if rows and draw(st.booleans()):
        rows += draw(st.lists(st.sampled_from(rows), max_size=3))  # exact duplicates
    frame = pd.DataFrame(rows, columns=sorted({k for r in rows for k in r} | set(REQUIRED_COLUMNS)))
    frame["timestamp"] = pd.Series(frame["timestamp"].tolist(), dtype=object)
    return frame


def _check(frame: pd.DataFrame, assume_utc: bool, drop_duplicates: bool) -> None:
    try:
        result = validate(frame, assume_utc=assume_utc, drop_duplicates=drop_duplicates)
    except UxlensError:
        return
    ev, rej = result.events, result.rejected
    assert len(ev) + len(rej) == len(frame)
    assert rej["position"].is_unique and set(rej["position"]) <= set(range(len(frame)))
    assert list(ev.columns[:5]) == [*REQUIRED_COLUMNS, "seq"]
    assert str(ev["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert ev["timestamp"].notna().all() and ev["session_id"].str.strip().ne("").all()
    for col, dtype in OPTIONAL_COLUMNS.items():
        if col in ev.columns and dtype != "category":
            assert str(ev[col].dtype) == dtype, col
    if len(ev):
        # sorted by (session, time); seq counts 0.. within each session
        sid = ev["session_id"].to_numpy(dtype=object)
        ts = ev["timestamp"].to_numpy(dtype="datetime64[ns]").view("i8")
        same = sid[1:] == sid[:-1]
        assert (sid[1:][~same] > sid[:-1][~same]).all() and (ts[1:][same] >= ts[:-1][same]).all()
        starts = np.flatnonzero(np.r_[True, ~same])
        seq = np.arange(len(ev)) - np.repeat(starts, np.diff(np.r_[starts, len(ev)]))
        assert np.array_equal(ev["seq"].to_numpy(), seq)


@settings(max_examples=150, **_SETTINGS)
@given(tables(), st.booleans(), st.booleans())
def test_fuzz_validate(frame: pd.DataFrame, assume_utc: bool, drop_duplicates: bool) -> None:
    _check(frame, assume_utc, drop_duplicates)


@pytest.mark.slow
@settings(max_examples=10_000, **_SETTINGS)
@given(tables(), st.booleans(), st.booleans())
def test_fuzz_validate_10k(frame: pd.DataFrame, assume_utc: bool, drop_duplicates: bool) -> None:
    _check(frame, assume_utc, drop_duplicates)
