"""The canonical schema: validate() typing, ordering, rejection and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from uxlens.events import (
    REJECTED_COLUMNS,
    device_from_width,
    empty_events,
    split_url,
    url_pattern,
    validate,
)
from uxlens.exceptions import SchemaError, UxlensError


def frame(rows, **extra):
    cols = ["session_id", "user_id", "timestamp", "event"]
    df = pd.DataFrame(rows, columns=cols)
    for k, v in extra.items():
        df[k] = v
    return df


def test_sorted_by_session_then_time_with_stable_ties_and_seq():
    raw = frame(
        [
            ("b", "u2", "2024-01-01T00:00:05Z", "click"),
            ("a", "u1", "2024-01-01T00:00:03Z", "scroll"),
            ("a", "u1", "2024-01-01T00:00:01Z", "pageview"),
            ("a", "u1", "2024-01-01T00:00:03Z", "click"),  # same instant as scroll: keeps input order
        ]
    )
    ev = validate(raw).events
    assert list(ev["session_id"]) == ["a", "a", "a", "b"]
    assert list(ev["event"]) == ["pageview", "scroll", "click", "click"]
    assert list(ev["seq"]) == [0, 1, 2, 0]
    assert str(ev["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(ev["event"].dtype, pd.CategoricalDtype)
    assert list(ev.columns[:5]) == ["session_id", "user_id", "timestamp", "event", "seq"]


def test_missing_user_becomes_session_id():
    raw = frame([("s1", None, "2024-01-01T00:00:00Z", "pageview")])
    assert validate(raw).events.loc[0, "user_id"] == "s1"


def test_missing_required_column_suggests_the_fix():
    raw = pd.DataFrame({"sesion_id": ["a"], "user_id": ["u"], "timestamp": [0], "event": ["x"]})
    with pytest.raises(SchemaError) as info:
        validate(raw)
    msg = str(info.value)
    assert "'session_id' is missing" in msg
    assert "Did you mean 'sesion_id'?" in msg
    assert "columns=" in msg  # how to fix
    assert isinstance(info.value, UxlensError) and isinstance(info.value, ValueError)


def test_naive_datetimes_raise_with_both_fixes():
    raw = frame([("a", "u", pd.Timestamp("2024-01-01 10:00"), "click")])
    with pytest.raises(SchemaError, match="tz_localize.*assume_utc=True"):
        validate(raw)
    ev = validate(raw, assume_utc=True).events
    assert ev.loc[0, "timestamp"] == pd.Timestamp("2024-01-01 10:00", tz="UTC")


def test_naive_strings_raise_but_mixed_naive_rows_are_rejected():
    naive = frame([("a", "u", "2024-01-01 10:00:00", "click")])
    with pytest.raises(SchemaError, match="naive"):
        validate(naive)
    mixed = frame(
        [
            ("a", "u", "2024-01-01T10:00:00+02:00", "click"),
            ("a", "u", "2024-01-01 10:00:01", "click"),
        ]
    )
    result = validate(mixed)
    assert result.events["timestamp"].tolist() == [pd.Timestamp("2024-01-01 08:00", tz="UTC")]
    assert result.rejected["reason"].tolist() == ["naive timestamp mixed with zoned timestamps"]
    assert result.rejected["position"].tolist() == [1]


def test_epoch_numbers_in_seconds_and_milliseconds():
    ms = frame([("a", "u", 1_700_000_000_123, "click")])
    s = frame([("a", "u", 1_700_000_000.5, "click")])
    assert validate(ms).events.loc[0, "timestamp"] == pd.Timestamp(1_700_000_000_123, unit="ms", tz="UTC")
    assert validate(s).events.loc[0, "timestamp"] == pd.Timestamp(1_700_000_000_500, unit="ms", tz="UTC")


def test_bad_rows_are_rejected_with_reasons_and_nothing_is_lost():
    raw = frame(
        [
            ("a", "u", "2024-01-01T00:00:00Z", "pageview"),
            (None, "u", "2024-01-01T00:00:01Z", "click"),
            ("a", "u", None, "click"),
            ("a", "u", "not a date", "click"),
            ("a", "u", "2024-01-01T00:00:02Z", ""),
            ("a", "u", "2024-01-01T00:00:03Z", "click"),
            ("a", "u", "2024-01-01T00:00:03Z", "click"),  # exact duplicate
        ],
        x=[None, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0],
    )
    result = validate(raw, source="clicks.csv")
    assert list(result.rejected.columns) == list(REJECTED_COLUMNS)
    got = dict(zip(result.rejected["position"], result.rejected["reason"]))
    assert got == {
        1: "missing session_id",
        2: "missing timestamp",
        3: "unparseable timestamp",
        4: "missing event name",
        6: "duplicate event",
    }
    assert set(result.rejected["source"]) == {"clicks.csv"}
    assert len(result.events) + len(result.rejected) == len(raw)
    assert "not a date" in result.rejected.set_index("position").loc[3, "excerpt"]


def test_duplicates_can_be_kept():
    raw = frame([("a", "u", "2024-01-01T00:00:03Z", "click")] * 2)
    assert len(validate(raw, drop_duplicates=False).events) == 2


def test_non_numeric_coordinates_rejected_and_ints_typed():
    raw = frame(
        [("a", "u", "2024-01-01T00:00:00Z", "click"), ("a", "u", "2024-01-01T00:00:01Z", "click")],
        x=["12.5", "left"],
        viewport_w=[1440, 390],
    )
    result = validate(raw)
    assert result.events["x"].tolist() == [12.5]
    assert result.rejected["reason"].tolist() == ["non-numeric or infinite x"]
    assert str(result.events["viewport_w"].dtype) == "Int32"
    assert result.events["device"].tolist() == ["desktop"]


def test_urls_lose_fragment_and_keep_query():
    raw = frame(
        [("a", "u", "2024-01-01T00:00:00Z", "pageview")],
        url=["https://app.acme.io/invite?step=3#top"],
    )
    ev = validate(raw).events
    assert ev.loc[0, "url"] == "https://app.acme.io/invite"
    assert ev.loc[0, "query"] == "step=3"


def test_properties_pass_through_untouched():
    raw = frame([("a", "u", "2024-01-01T00:00:00Z", "pageview")], version=["B"], plan=[3])
    ev = validate(raw).events
    assert ev.loc[0, "version"] == "B" and ev.loc[0, "plan"] == 3


def test_not_a_dataframe():
    with pytest.raises(SchemaError, match="Expected a pandas DataFrame"):
        validate([1, 2, 3])  # type: ignore[arg-type]


def test_empty_events_has_schema():
    ev = empty_events()
    assert len(ev) == 0 and list(ev.columns) == ["session_id", "user_id", "timestamp", "event", "seq"]


@pytest.mark.parametrize(
    ("width", "device"), [(0, "mobile"), (767, "mobile"), (768, "tablet"), (1023, "tablet"), (1024, "desktop")]
)
def test_device_breakpoints(width, device):
    assert device_from_width([width]).iloc[0] == device


@pytest.mark.parametrize(
    ("pattern", "url", "hit"),
    [
        ("/onboarding/invite", "https://a.io/onboarding/invite", True),
        ("/onboarding/invite", "https://a.io/onboarding/invite/x", False),
        ("/project/*", "https://a.io/project/123", True),
        ("/project/*/settings", "https://a.io/project/9/settings", True),
        ("https://a.io/*", "https://b.io/x", False),
        ("re:/project/\\d+$", "https://a.io/project/42", True),
        ("re:/project/\\d+$", "https://a.io/project/abc", False),
    ],
)
def test_url_patterns(pattern, url, hit):
    assert bool(url_pattern(pattern).search(url)) is hit


def test_split_url_handles_missing():
    assert split_url(None) == (None, None)
    assert split_url(np.nan) == (None, None)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "", None]),
            st.one_of(st.none(), st.integers(0, 10**13), st.sampled_from(["x", "2024-01-01T00:00:00Z"])),
            st.sampled_from(["click", "pageview", "", None]),
        ),
        max_size=40,
    )
)
def test_validate_never_loses_rows(rows):
    raw = pd.DataFrame(
        {
            "session_id": [r[0] for r in rows],
            "user_id": ["u"] * len(rows),
            "timestamp": pd.Series([r[1] for r in rows], dtype=object),
            "event": [r[2] for r in rows],
        }
    )
    try:
        result = validate(raw, assume_utc=True)
    except UxlensError:
        return
    assert len(result.events) + len(result.rejected) == len(raw)
    ev = result.events
    if len(ev):
        assert ev.groupby("session_id")["timestamp"].apply(lambda s: s.is_monotonic_increasing).all()
        assert (ev.groupby("session_id")["seq"].apply(lambda s: list(s) == list(range(len(s))))).all()


def test_epoch_numbers_in_an_object_column_with_gaps():
    raw = frame([("a", "u", 1_700_000_000_000, "click"), ("a", "u", None, "click")])
    raw["timestamp"] = raw["timestamp"].astype(object)
    result = validate(raw)
    assert result.events.loc[0, "timestamp"] == pd.Timestamp(1_700_000_000_000, unit="ms", tz="UTC")
    assert result.rejected["reason"].tolist() == ["missing timestamp"]


def test_integer_columns_out_of_int32_range_are_rejected():
    raw = frame(
        [("a", "u", "2024-01-01T00:00:00Z", "click"), ("a", "u", "2024-01-01T00:00:01Z", "click")],
        viewport_w=[1440, 10**12],
    )
    result = validate(raw)
    assert result.events["viewport_w"].tolist() == [1440]
    assert result.rejected["reason"].tolist() == ["viewport_w out of range"]


def test_many_rows_share_split_urls():
    urls = ["https://a.io/x?q=1#f", None, "https://a.io/y"] * 1000
    raw = frame([("a", "u", 1_700_000_000_000 + i, "pageview") for i in range(3000)], url=urls)
    ev = validate(raw).events
    assert ev["url"].iloc[:3].tolist()[0] == "https://a.io/x"
    assert pd.isna(ev["url"].iloc[1]) and ev["url"].iloc[2] == "https://a.io/y"
    assert ev["query"].iloc[0] == "q=1" and pd.isna(ev["query"].iloc[2])


@pytest.mark.parametrize("seed", range(4))
def test_sorted_input_takes_the_fast_path_with_the_same_result(seed):
    rng = np.random.default_rng(seed)
    n = 400
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    frame = pd.DataFrame({
        "session_id": rng.choice(["s1", "s2", "s10", "é"], n),
        "user_id": rng.choice(["u1", None, ""], n),
        "timestamp": t0 + pd.to_timedelta(rng.integers(0, 30, n), unit="s"),  # many ties
        "event": rng.choice(["click", "pageview", "scroll"], n),
        "x": rng.choice([1.0, 2.0], n),
    })
    shuffled = validate(frame, drop_duplicates=True)
    ordered_input = frame.sort_values(["session_id", "timestamp"], kind="stable")
    ordered = validate(ordered_input.reset_index(drop=True), drop_duplicates=True)
    pd.testing.assert_frame_equal(shuffled.events, ordered.events)
    assert len(shuffled.rejected) == len(ordered.rejected) > 0  # exact duplicates were planted
    ev = ordered.events
    assert (ev.groupby("session_id")["seq"].diff().dropna() == 1).all()


def _chunked_ids(*chunks: list[str]) -> pd.Series:
    import pyarrow as pa

    arr = pa.chunked_array([pa.array(c, type=pa.large_string()) for c in chunks])
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def test_session_codes_compare_across_chunk_boundaries_without_combining():
    from uxlens.events import session_codes

    # "b" spans the boundary of the first two chunks, "c" starts one: codes change
    # exactly where the id does, whichever chunk the neighbours sit in
    ids = _chunked_ids(["a", "a", "b"], ["b", "c"], ["c", "c", "d"])
    codes = session_codes(ids)
    assert codes.tolist() == [0, 0, 1, 1, 2, 2, 2, 3]
    assert codes.dtype == np.int32
    # out of order only across a boundary ("b" then "a"): not sorted
    assert session_codes(_chunked_ids(["a", "b"], ["a", "c"])) is None
    assert session_codes(_chunked_ids(["a"], [], ["a"])).tolist() == [0, 0]


@pytest.mark.parametrize("seed", range(3))
def test_seq_counts_from_zero_in_each_session_after_rejects_and_duplicates(seed):
    rng = np.random.default_rng(seed)
    n = 300
    raw = pd.DataFrame({
        "session_id": rng.choice(["s1", "s2", "s3", None], n),
        "user_id": "u",
        "timestamp": pd.Timestamp("2024-01-01", tz="UTC")
        + pd.to_timedelta(rng.integers(0, 20, n), unit="s"),
        "event": rng.choice(["click", "pageview"], n),
    })
    result = validate(raw)
    ev = result.events
    assert len(result.rejected) > 0 and (result.rejected["reason"] == "duplicate event").any()
    expected = ev.groupby("session_id", sort=False).cumcount().to_numpy()
    assert ev["seq"].to_numpy().tolist() == expected.tolist()
