"""Small inputs through the readers' fast paths: exact results, and the same results as the
general paths they short-cut (typed columns left as they are, UTC timestamps not converted
again, NumPy per-session fills, typed rejected tables, the nanosecond range on ticks)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import uxlens.io.posthog as posthog
from uxlens.events import _rejected_frame, make_rejected, validate
from uxlens.io.posthog import read_posthog
from uxlens.io.table import _in_ns_range, read_events

T0 = 1_704_067_200_000  # 2024-01-01T00:00:00Z in ms


def _table() -> pd.DataFrame:
    """Unsorted, one blank session, one missing time, two exact duplicates (rows 5, 6)."""
    return pd.DataFrame({
        "session_id": ["s2", "s1", "s1", "", "s1", "s2", "s1"],
        "user_id": ["u2", "u1", None, "u3", "u1", "u2", "u1"],
        "timestamp": [T0 + 3000, T0 + 2000, T0 + 1000, T0, None, T0 + 3000, T0 + 2000],
        "event": ["click", "click", "pageview", "click", "click", "click", "click"],
    })


def _rows(events: pd.DataFrame) -> list[tuple]:
    return [
        (r.session_id, r.user_id, int(r.timestamp.value // 10**6) - T0, r.event, r.seq)
        for r in events.itertuples()
    ]


def test_read_events_small_table_exact():
    log = read_events(_table())
    # Sorted by (session, time); the user-less row is its session's anonymous user.
    assert _rows(log.events) == [
        ("s1", "s1", 1000, "pageview", 0),
        ("s1", "u1", 2000, "click", 1),
        ("s2", "u2", 3000, "click", 0),
    ]
    assert list(log.events.columns) == ["session_id", "user_id", "timestamp", "event", "seq"]
    assert [str(t) for t in log.events.dtypes] == [
        "string", "string", "datetime64[ns, UTC]", "category", "int64"]
    assert list(log.events["event"].cat.categories) == ["click", "pageview"]
    assert log.rejected[["position", "reason"]].values.tolist() == [
        [3, "missing session_id"], [4, "missing timestamp"],
        [5, "duplicate event"], [6, "duplicate event"],
    ]
    assert [str(t) for t in log.rejected.dtypes] == ["string", "object", "string", "string"]
    assert log.counts == {"read": 7, "loaded": 3, "rejected": 4}


def test_keeping_duplicates_keeps_them_in_input_order():
    log = read_events(_table(), drop_duplicates=False)
    assert _rows(log.events) == [
        ("s1", "s1", 1000, "pageview", 0),
        ("s1", "u1", 2000, "click", 1),
        ("s1", "u1", 2000, "click", 2),
        ("s2", "u2", 3000, "click", 0),
        ("s2", "u2", 3000, "click", 1),
    ]
    assert log.counts == {"read": 7, "loaded": 5, "rejected": 2}


@pytest.mark.parametrize("variant", ["categorical", "string", "naive", "aware", "sorted"])
def test_column_types_do_not_change_the_result(variant):
    base = read_events(_table(), assume_utc=True)
    frame = _table()
    if variant == "categorical":
        frame["event"] = frame["event"].astype("category")
        frame["user_id"] = frame["user_id"].astype("category")
    elif variant == "string":
        frame["session_id"] = frame["session_id"].astype("string")
        frame["event"] = frame["event"].astype("string")
    elif variant in ("naive", "aware"):
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="ms", utc=variant == "aware")
    else:  # already in (session, time) order: validate skips its sort
        frame = frame.iloc[[3, 4, 2, 1, 6, 0, 5]]
    log = read_events(frame, assume_utc=True)
    if variant == "string":
        # A "string" column keeps that dtype for its categories (as before these fast paths).
        assert str(log.events["event"].cat.categories.dtype) == "string"
        base.events["event"] = base.events["event"].cat.set_categories(
            log.events["event"].cat.categories)
    pd.testing.assert_frame_equal(log.events, base.events)
    assert list(log.events["event"].cat.categories) == ["click", "pageview"]
    expected = base.rejected
    if variant == "sorted":  # positions are rows of the reordered input
        expected = expected.assign(position=[0, 1, 6, 4]).sort_values("position")
        expected = expected.assign(reason=["missing session_id", "missing timestamp",
                                           "duplicate event", "duplicate event"])
    got = log.rejected[["position", "reason"]].values.tolist()
    assert got == expected[["position", "reason"]].values.tolist()


def test_naive_times_need_assume_utc_and_are_then_utc():
    frame = _table().dropna(subset=["timestamp"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="ms")
    with pytest.raises(Exception, match="assume_utc"):
        read_events(frame)
    log = read_events(frame, assume_utc=True)
    assert str(log.events["timestamp"].iloc[0]) == "2024-01-01 00:00:01+00:00"
    assert log.counts == {"read": 6, "loaded": 3, "rejected": 3}


def test_optional_columns_typed_and_ordered():
    frame = _table().iloc[:3].assign(
        plan=["free", "pro", "free"],
        x=[1.0, np.inf, 3.0],
        viewport_w=[375, 1440, 800],
        url=["/a?q=1#top", "/b", None],
    )
    log = read_events(frame, mask=False)
    ev = log.events
    assert list(ev.columns) == ["session_id", "user_id", "timestamp", "event", "seq", "url",
                                "query", "x", "viewport_w", "device", "plan"]
    assert [str(t) for t in ev.dtypes[5:10]] == ["category", "string", "float64", "Int32",
                                                 "category"]
    assert ev["url"].tolist() == [np.nan, "/a"]  # row 1 (inf x) is rejected
    assert ev["query"].tolist() == [pd.NA, "q=1"]
    assert ev["device"].tolist() == ["tablet", "mobile"]
    assert log.rejected[["position", "reason"]].values.tolist() == [
        [1, "non-numeric or infinite x"]]


def test_validate_of_typed_events_returns_them_unchanged():
    # Every column already has its schema dtype: the casts are skipped, the result is equal.
    first = validate(_table().iloc[:3].assign(url=["/b", "/a", None], is_returning=True))
    again = validate(first.events)
    pd.testing.assert_frame_equal(again.events, first.events)
    assert len(again.rejected) == 0
    assert [str(t) for t in again.rejected.dtypes] == ["string", "object", "string", "string"]


def _posthog_records() -> list[dict]:
    chain = 'button.cta:attr_id="go"nth-child="1"nth-of-type="1"text="Go"'
    s2 = {"$session_id": "s2", "$current_url": "https://a.com/", "$is_returning": True}
    return [
        {"event": "$pageview", "distinct_id": "u1", "timestamp": "2024-05-22T17:09:29Z",
         "properties": {"$session_id": "s1", "$current_url": "https://a.com/signup?x=1",
                        "$device_type": "Mobile", "$referring_domain": "$direct"}},
        {"event": "$autocapture", "distinct_id": "u1", "timestamp": "2024-05-22T17:09:31Z",
         "elements_chain": chain, "properties": {"$session_id": "s1", "$event_type": "click"}},
        {"event": "$pageview", "distinct_id": "u2", "timestamp": "2024-05-22T17:09:20Z",
         "properties": s2},
        {"event": "$pageview", "distinct_id": "u2", "timestamp": "bad",
         "properties": {"$session_id": "s2"}},
        {"event": "$pageview", "distinct_id": "u2", "timestamp": "2024-05-22T17:09:20Z",
         "properties": dict(s2)},
        {"event": "$pageview", "distinct_id": "u1", "timestamp": "2024-05-22T18:00:00Z",
         "properties": {"$current_url": "https://a.com/"}},
    ]


def test_read_posthog_small_export_exact():
    log = read_posthog(_posthog_records())
    ev = log.events
    assert ev["session_id"].tolist() == ["s1", "s1", "s2", "u1-1"]  # u1-1: sessionised
    assert ev["event"].tolist() == ["$pageview", "$autocapture", "$pageview", "$pageview"]
    assert ev["seq"].tolist() == [0, 1, 0, 0]
    # The session's device and source fill its other events; the rest stay missing.
    assert ev["device"].astype(object).where(ev["device"].notna(), None).tolist() == [
        "mobile", "mobile", None, None]
    assert ev["source"].astype(object).where(ev["source"].notna(), None).tolist() == [
        "direct", "direct", None, None]
    # Given for s2; otherwise whether the user was seen before the session started.
    assert ev["is_returning"].tolist() == [False, False, True, True]
    assert ev["target"].astype(object).tolist()[1] == "button#go.cta"
    assert log.rejected[["position", "reason"]].values.tolist() == [
        [3, "unparseable timestamp"], [4, "duplicate event"]]
    assert log.counts == {"read": 6, "loaded": 4, "rejected": 2}
    assert [str(ev[c].dtype) for c in ("timestamp", "is_returning", "url", "device")] == [
        "datetime64[ns, UTC]", "boolean", "category", "category"]


def test_read_posthog_same_result_through_the_grouped_path(monkeypatch):
    small = read_posthog(_posthog_records())
    monkeypatch.setattr(posthog, "_SMALL", 0)  # force pandas' groupby versions
    grouped = read_posthog(_posthog_records())
    pd.testing.assert_frame_equal(small.events, grouped.events)
    pd.testing.assert_frame_equal(small.rejected, grouped.rejected)


_ids = st.sampled_from(["a", "b", "c", None])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_ids, st.sampled_from(["u", "v", None]), st.integers(0, 3),
                          st.sampled_from(["x", "y", None, float("nan")])),
                min_size=1, max_size=20),
       st.sampled_from(["object", "string"]))
def test_session_first_and_returning_match_the_grouped_versions(rows, id_dtype):
    sid, uid, sec, val = zip(*rows)
    clean = pd.DataFrame({
        "session_id": pd.Series(sid, dtype=id_dtype),
        "user_id": pd.Series(uid, dtype=object),
        "timestamp": pd.to_datetime(list(sec), unit="s", utc=True).astype("datetime64[ns, UTC]"),
    }, index=np.arange(len(rows))[::-1])
    values = np.array(val, dtype=object)
    fast = posthog._session_first(clean, values), posthog._returning(clean)
    small, posthog._SMALL = posthog._SMALL, 0
    try:
        grouped = posthog._session_first(clean, values), posthog._returning(clean)
    finally:
        posthog._SMALL = small
    for a, b in zip(fast, grouped):
        pd.testing.assert_series_equal(a, b)


def test_make_rejected_typed_path_equals_the_general_one():
    rows = [("f.csv", 3, "missing timestamp", {"a": 1}), ("f.csv", 10, "bad", "x" * 300)]
    fast = make_rejected(rows)
    pd.testing.assert_frame_equal(fast, _rejected_frame(rows))
    assert [type(p) for p in fast["position"]] == [int, int]
    assert fast["excerpt"].str.len().tolist() == [8, 200]
    # numpy positions take the general path and still come out as Python ints
    general = make_rejected([("f.csv", np.int64(3), "r", 1)])
    assert [type(p) for p in general["position"]] == [int]
    pd.testing.assert_frame_equal(make_rejected([]), _rejected_frame([]))


@pytest.mark.parametrize("unit", ["s", "ms", "us"])
@pytest.mark.parametrize("tz", [None, "UTC", "Europe/Paris"])
def test_nanosecond_range_on_ticks(unit, tz):
    # pd.Timestamp.min/max are 1677-09-21 00:12:43.145224193 and 2262-04-11 23:47:16.854775807
    text = ["1677-09-21T00:12:43", "1677-09-21T00:12:44", "2262-04-11T23:47:16",
            "2262-04-11T23:47:17", "NaT", "2024-01-01", "0001-01-01", "9999-12-31"]
    values = pd.Series(np.array(text, dtype="datetime64[s]").astype(f"datetime64[{unit}]"))
    if tz:
        values = values.dt.tz_localize("UTC").dt.tz_convert(tz)
    out = _in_ns_range(values)
    assert str(out.dtype) == (f"datetime64[ns, {tz}]" if tz else "datetime64[ns]")
    assert out.notna().tolist() == [False, True, True, False, False, True, False, False]
    kept = out.dropna().dt.tz_convert("UTC") if tz else out.dropna()
    assert [str(t)[:19] for t in kept] == [
        "1677-09-21 00:12:44", "2262-04-11 23:47:16", "2024-01-01 00:00:00"]


def test_zoned_strings_parse_like_mixed_ones():
    # All-zoned ISO strings take the direct path; one blank value takes the merging one.
    times = ["2024-05-22T17:09:29Z", "2024-05-22T19:09:30+02:00", "2024-05-22T17:09:31.5Z"]
    base = {"session_id": "s", "user_id": "u", "event": "e"}
    direct = read_events(pd.DataFrame({**base, "timestamp": times}))
    merged = read_events(pd.DataFrame({**base, "timestamp": [*times, " "]}))
    pd.testing.assert_frame_equal(direct.events, merged.events)
    assert [str(t) for t in direct.events["timestamp"]] == [
        "2024-05-22 17:09:29+00:00", "2024-05-22 17:09:30+00:00",
        "2024-05-22 17:09:31.500000+00:00"]
    assert merged.rejected[["position", "reason"]].values.tolist() == [[3, "missing timestamp"]]


def test_no_warning_for_small_clean_reads():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_events(_table())
        read_posthog(_posthog_records())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["b", "a", "é", "A", "", None]), st.integers(0, 3),
                          st.sampled_from(["click", "pageview"])), min_size=1, max_size=25))
def test_small_sort_and_drop_match_the_column_by_column_versions(rows):
    import uxlens.events as events

    sid, sec, name = zip(*rows)
    frame = pd.DataFrame({"session_id": sid, "user_id": "u", "event": name,
                          "timestamp": [T0 + 1000 * s for s in sec]})
    small = validate(frame)
    limit, events._SMALL_ROWS = events._SMALL_ROWS, 0  # force the large-input code
    try:
        large = validate(frame)
    finally:
        events._SMALL_ROWS = limit
    pd.testing.assert_frame_equal(small.events, large.events)
    pd.testing.assert_frame_equal(small.rejected, large.rejected)


_cells = st.one_of(st.none(), st.just(pd.NA), st.just(float("nan")), st.text(max_size=3),
                   st.sampled_from(["a", "b", ""]), st.integers(-3, 3), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(_cells, max_size=8))
def test_object_to_category_without_missing_values_skips_the_copy_only(values):
    from uxlens.events import _as_category

    series = pd.Series(values, dtype=object, index=range(5, 5 + len(values)))
    try:
        expected = series.where(series.notna()).astype("category")  # the general path
    except TypeError:
        return
    got = _as_category(series)
    pd.testing.assert_series_equal(got, expected)
    assert got.cat.categories.dtype == expected.cat.categories.dtype


def _reference_used_sorted(values: pd.Series) -> pd.Series:
    """pandas' own way: drop unused categories, then sort the rest (if they sort)."""
    values = values.cat.remove_unused_categories()
    try:
        ordered = values.cat.categories.sort_values()
    except TypeError:
        return values
    return values.cat.reorder_categories(ordered)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["b", "a", "d", "c", 1, 2.5]), min_size=1, max_size=6, unique=True),
    st.lists(st.integers(-1, 5), max_size=30),
    st.booleans(),
)
def test_categorical_keeps_used_categories_sorted_like_pandas(cats, picks, ordered):
    from uxlens.events import _as_category

    codes = np.array([c if c < len(cats) else -1 for c in picks], dtype=np.int8)
    series = pd.Series(pd.Categorical.from_codes(codes, categories=cats, ordered=ordered),
                       index=range(3, 3 + len(codes)), name="col")
    got = _as_category(series)
    expected = _reference_used_sorted(series)
    pd.testing.assert_series_equal(got, expected)
    assert list(got.cat.categories) == list(expected.cat.categories)
