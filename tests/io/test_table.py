"""read_events and sessionize: mapping, errors, time zones, sessions, files, counting."""

from __future__ import annotations

import gzip
import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uxlens.exceptions import SchemaError, UxlensError
from uxlens.io.table import read_events, sessionize

UTC = "UTC"


def frame(**extra):
    base = {
        "sid": ["s1", "s1", "s2"],
        "uid": ["u1", "u1", "u2"],
        "ts": ["2024-01-01T10:00:00Z", "2024-01-01T10:00:05Z", "2024-01-01T11:00:00+01:00"],
        "name": ["pageview", "click", "pageview"],
    }
    base.update(extra)
    return pd.DataFrame(base)


MAP = {"sid": "session_id", "uid": "user_id", "ts": "timestamp", "name": "event"}


# ----------------------------------------------------------------------------- mapping
def test_mapping_renames_and_types_columns():
    log = read_events(frame(), columns=MAP)
    ev = log.events
    assert list(ev.columns[:5]) == ["session_id", "user_id", "timestamp", "event", "seq"]
    assert list(ev["session_id"]) == ["s1", "s1", "s2"]
    assert list(ev["event"]) == ["pageview", "click", "pageview"]
    # 11:00+01:00 is 10:00 UTC
    assert list(ev["timestamp"]) == [
        pd.Timestamp("2024-01-01 10:00:00", tz=UTC),
        pd.Timestamp("2024-01-01 10:00:05", tz=UTC),
        pd.Timestamp("2024-01-01 10:00:00", tz=UTC),
    ]
    assert str(ev["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert log.counts == {"read": 3, "loaded": 3, "rejected": 0}
    assert log.meta["columns"] == MAP


def test_misspelt_target_suggests_canonical_name():
    with pytest.raises(SchemaError) as err:
        read_events(frame(), columns={**MAP, "sid": "sesion_id"})
    msg = str(err.value)
    assert "'sid' -> 'sesion_id'" in msg and "Did you mean 'session_id'?" in msg


def test_mapping_key_missing_from_source_suggests_source_column():
    with pytest.raises(SchemaError) as err:
        read_events(frame(), columns={**MAP, "tss": "timestamp"})
    msg = str(err.value)
    assert "no column 'tss'" in msg and "Did you mean 'ts'?" in msg


def test_non_canonical_target_far_from_any_name_is_a_property():
    log = read_events(frame(plan=["a", "a", "b"]), columns={**MAP, "plan": "pricing_plan"})
    assert list(log.events["pricing_plan"]) == ["a", "a", "b"]
    # names that extend a canonical one are deliberate, not typos
    log = read_events(frame(plan=["a", "a", "b"]), columns={**MAP, "plan": "timestamp_text"})
    assert list(log.events["timestamp_text"]) == ["a", "a", "b"]


@pytest.mark.parametrize(
    "target,suggestion",
    [
        ("sesion_id", "session_id"),
        ("Session-ID", "session_id"),
        ("userid", "user_id"),
        ("timestmp", "timestamp"),
        ("targt", "target"),
    ],
)
def test_typos_of_canonical_names_are_caught(target, suggestion):
    with pytest.raises(SchemaError, match=f"Did you mean '{suggestion}'"):
        read_events(frame(other=[1, 2, 3]), columns={**MAP, "other": target})


def test_missing_required_columns_suggest_a_mapping():
    df = frame().rename(columns={"name": "event_name"})
    with pytest.raises(SchemaError) as err:
        read_events(df)
    msg = str(err.value)
    for line in (
        "'session_id' is missing. Did you mean 'sid'?",
        "'timestamp' is missing. Did you mean 'ts'?",
        "'event' is missing. Did you mean 'event_name'?",
        "session_gap='30min'",
    ):
        assert line in msg
    assert (
        "columns={'sid': 'session_id', 'uid': 'user_id', 'ts': 'timestamp', "
        "'event_name': 'event'}" in msg
    )


def test_two_keys_to_one_target_and_collision_with_existing_column():
    with pytest.raises(SchemaError, match="each target can come from one source column"):
        read_events(frame(other=[1, 2, 3]), columns={**MAP, "other": "timestamp"})
    df = frame(timestamp=["x", "y", "z"])
    with pytest.raises(SchemaError) as err:
        read_events(df, columns=MAP)
    assert "already has a column 'timestamp'" in str(err.value)
    assert "'timestamp': 'timestamp_source'" in str(err.value)
    log = read_events(df, columns={**MAP, "timestamp": "timestamp_source"})
    assert list(log.events["timestamp_source"]) == ["x", "y", "z"]


def test_columns_must_be_a_mapping():
    with pytest.raises(UxlensError, match="columns must map source names"):
        read_events(frame(), columns=["sid"])


def test_no_user_column_means_anonymous_sessions():
    df = frame().drop(columns="uid")
    log = read_events(df, columns={k: v for k, v in MAP.items() if k != "uid"})
    assert list(log.events["user_id"]) == ["s1", "s1", "s2"]
    assert any("anonymous" in n for n in log.meta["notes"])


def test_user_like_column_is_suggested_not_ignored():
    df = frame().rename(columns={"uid": "distinct_id"})
    with pytest.raises(SchemaError, match="'user_id' is missing. Did you mean 'distinct_id'"):
        read_events(df, columns={k: v for k, v in MAP.items() if k != "uid"})


# ----------------------------------------------------------------------------- time
def naive_frame():
    return frame(ts=["2024-03-13 10:21:14", "2024-03-13 10:21:20", "2024-07-01 08:00:00"])


def test_naive_timestamps_raise_with_both_fixes_named():
    with pytest.raises(SchemaError) as err:
        read_events(naive_frame(), columns=MAP)
    msg = str(err.value)
    assert "naive" in msg and "'2024-03-13 10:21:14'" in msg
    assert "tz='Europe/Paris'" in msg and "assume_utc=True" in msg and "read_events" in msg


def test_naive_datetime_dtype_raises_too():
    df = naive_frame()
    df["ts"] = pd.to_datetime(df["ts"])
    with pytest.raises(SchemaError, match="assume_utc=True"):
        read_events(df, columns=MAP)
    log = read_events(df, columns=MAP, tz="Europe/Paris")
    assert log.events["timestamp"].iloc[0] == pd.Timestamp("2024-03-13 09:21:14", tz=UTC)


def test_tz_localises_naive_times_with_dst():
    log = read_events(naive_frame(), columns=MAP, tz="Europe/Paris")
    ts = log.events["timestamp"]
    # March: CET (+01:00); July: CEST (+02:00).
    assert ts.iloc[0] == pd.Timestamp("2024-03-13 09:21:14", tz=UTC)
    assert ts.iloc[2] == pd.Timestamp("2024-07-01 06:00:00", tz=UTC)
    assert log.meta["tz"] == "Europe/Paris"


def test_assume_utc_takes_naive_times_as_utc():
    log = read_events(naive_frame(), columns=MAP, assume_utc=True)
    assert log.events["timestamp"].iloc[0] == pd.Timestamp("2024-03-13 10:21:14", tz=UTC)


def test_dst_gap_and_overlap_are_rejected_not_guessed():
    df = frame(ts=["2024-03-31 02:30:00", "2024-10-27 02:30:00", "2024-10-27 04:00:00"])
    log = read_events(df, columns=MAP, tz="Europe/Paris")
    assert log.counts == {"read": 3, "loaded": 1, "rejected": 2}
    assert list(log.rejected["position"]) == [0, 1]
    assert set(log.rejected["reason"]) == {
        "ambiguous or nonexistent local time in Europe/Paris (DST change)"
    }
    assert log.events["timestamp"].iloc[0] == pd.Timestamp("2024-10-27 03:00:00", tz=UTC)


def test_tz_and_assume_utc_conflict_and_unknown_zone():
    with pytest.raises(UxlensError, match="not both"):
        read_events(frame(), columns=MAP, tz="UTC", assume_utc=True)
    with pytest.raises(UxlensError, match="Did you mean 'Europe/Paris'"):
        read_events(frame(), columns=MAP, tz="Europe/Pari")


def test_zoned_times_ignore_tz_and_mixed_naive_rows_are_rejected():
    df = frame(ts=["2024-01-01T10:00:00Z", "2024-01-01 10:00:05", "2024-01-01T10:00:09+00:00"])
    log = read_events(df, columns=MAP)
    assert log.counts == {"read": 3, "loaded": 2, "rejected": 1}
    assert log.rejected["reason"].iloc[0] == "naive timestamp mixed with zoned timestamps"
    log = read_events(df, columns=MAP, tz="Asia/Tokyo")
    assert list(log.events["timestamp"]) == [
        pd.Timestamp("2024-01-01 01:00:05", tz=UTC),  # naive row, Tokyo is +09:00
        pd.Timestamp("2024-01-01 10:00:00", tz=UTC),
        pd.Timestamp("2024-01-01 10:00:09", tz=UTC),
    ]


@pytest.mark.parametrize(
    "values",
    [
        [1704103200, 1704103205, 1704106800],  # seconds
        [1704103200000, 1704103205000, 1704106800000],  # milliseconds
        [1704103200000000, 1704103205000000, 1704106800000000],  # microseconds
        ["1704103200000", "1704103205000", "1704106800000"],  # ms as text (JSON)
    ],
)
def test_epoch_numbers_by_magnitude(values):
    log = read_events(frame(ts=values), columns=MAP)
    assert list(log.events["timestamp"]) == [
        pd.Timestamp("2024-01-01 10:00:00", tz=UTC),
        pd.Timestamp("2024-01-01 10:00:05", tz=UTC),
        pd.Timestamp("2024-01-01 11:00:00", tz=UTC),
    ]


def test_missing_and_unparseable_timestamps_are_rejected_with_positions():
    df = frame(ts=["2024-01-01T10:00:00Z", None, "not a time"])
    log = read_events(df, columns=MAP)
    assert log.counts == {"read": 3, "loaded": 1, "rejected": 2}
    assert list(zip(log.rejected["position"], log.rejected["reason"])) == [
        (1, "missing timestamp"),
        (2, "unparseable timestamp"),
    ]
    assert set(log.rejected["source"]) == {"DataFrame"}


# ----------------------------------------------------------------------------- sessions
def test_session_gap_sessionises_per_user():
    df = pd.DataFrame(
        {
            "user_id": ["a", "a", "b", "a", "a"],
            "timestamp": [
                "2024-01-01T10:00:00Z",
                "2024-01-01T10:30:00Z",
                "2024-01-01T10:00:00Z",
                "2024-01-01T11:00:00.001Z",
                "2024-01-01T10:10:00Z",
            ],
            "event": ["pageview"] * 5,
        }
    )
    log = read_events(df, session_gap="30min")
    ev = log.events
    # a: 10:00, 10:10, 10:30 (gap exactly 20 and 20 min) then 11:00:00.001 (> 30 min)
    assert ev.groupby("session_id")["user_id"].size().to_dict() == {"a-1": 3, "a-2": 1, "b-1": 1}
    assert log.meta["sessionised"] == {"rows": 5, "sessions": 3, "gap": "30min", "by": "user_id"}


def test_gap_equal_to_threshold_continues_the_session():
    df = pd.DataFrame(
        {
            "user_id": ["a", "a"],
            "event": ["x", "y"],
            "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T10:30:00Z"],
        }
    )
    assert set(read_events(df, session_gap="30min").events["session_id"]) == {"a-1"}
    assert set(read_events(df, session_gap="29min").events["session_id"]) == {"a-1", "a-2"}


def test_session_gap_fills_only_empty_session_ids():
    df = frame(sid=["s1", None, None], uid=["u1", "u1", "u1"])
    log = read_events(df, columns=MAP, session_gap="1h")
    assert list(log.events["session_id"]) == ["s1", "u1-1", "u1-1"]


def test_session_gap_needs_a_user_column_and_a_valid_duration():
    df = frame().drop(columns=["sid", "uid"])
    with pytest.raises(SchemaError, match="session_gap splits each user's events"):
        read_events(df, columns={"ts": "timestamp", "name": "event"}, session_gap="30min")
    with pytest.raises(UxlensError, match="positive duration"):
        read_events(frame(), columns=MAP, session_gap="soon")
    with pytest.raises(UxlensError, match="positive duration"):
        read_events(frame(), columns=MAP, session_gap="-5min")


def test_sessionize_helper_keeps_input_order_on_ties_and_marks_missing():
    df = pd.DataFrame(
        {
            "user_id": ["a", None, "a", "a"],
            "timestamp": pd.to_datetime(
                ["2024-01-01 10:00", "2024-01-01 10:00", None, "2024-01-01 12:00"], utc=True
            ),
        }
    )
    out = sessionize(df, "30min")
    assert out.tolist() == ["a-1", pd.NA, pd.NA, "a-2"]
    with pytest.raises(SchemaError, match="needs a 'distinct_id' column"):
        sessionize(df, "30min", by="distinct_id")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["u", "v", "w"]), st.integers(0, 6 * 3600)),
        min_size=1,
        max_size=40,
    ),
    st.integers(60, 3600),
)
def test_sessionize_properties(rows, gap_s):
    df = pd.DataFrame(rows, columns=["user_id", "t"])
    df["timestamp"] = pd.Timestamp("2024-01-01", tz=UTC) + pd.to_timedelta(df["t"], unit="s")
    df["session_id"] = sessionize(df, pd.Timedelta(seconds=gap_s))
    for user, part in df.sort_values("t", kind="stable").groupby("user_id"):
        ordinal = part["session_id"].str.rsplit("-", n=1).str[1].astype(int).to_numpy()
        # numbered 1..k in time order
        assert ordinal[0] == 1 and np.all(np.diff(ordinal) >= 0)
        assert set(ordinal) == set(range(1, ordinal.max() + 1))
        gaps = np.diff(part["t"].to_numpy())
        steps = np.diff(ordinal)
        assert np.all(gaps[steps == 0] <= gap_s)  # inside a session: gaps within the limit
        assert np.all(gaps[steps == 1] > gap_s)  # between sessions: gap over the limit
        assert set(part["session_id"].str.rsplit("-", n=1).str[0]) == {user}


# ----------------------------------------------------------------------------- values
def test_event_map_and_device_normalisation():
    df = frame(device=["Desktop", " PHONE", "tablet"])
    log = read_events(df, columns=MAP, event_map={"pageview": "page", "nope": "x"})
    assert list(log.events["event"]) == ["page", "click", "page"]
    assert list(log.events["device"].astype(str)) == ["desktop", "mobile", "tablet"]


def test_integer_ids_with_gaps_do_not_become_floats(tmp_path):
    path = tmp_path / "ev.jsonl"
    rows = [
        {"session_id": 7, "user_id": 3, "timestamp": 1704103200000, "event": "a"},
        {"session_id": 7, "user_id": None, "timestamp": 1704103201000, "event": "b"},
        {"session_id": 8, "user_id": 4, "timestamp": 1704103202000, "event": "c"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    ev = read_events(path).events
    assert list(ev["session_id"]) == ["7", "7", "8"]
    assert list(ev["user_id"]) == ["3", "7", "4"]  # unknown user -> the session id


def test_mask_pseudonymises_email_ids_and_masks_text():
    df = frame(
        uid=["ann@example.com", "ann@example.com", "u2"],
        target_text=["Send to bob@example.org", "OK", None],
        url=["https://a.com/x?token=abc123&page=2", "https://a.com/y", None],
    )
    log = read_events(df, columns=MAP)
    ev = log.events
    anon = "anon-" + hashlib.blake2b(b"ann@example.com", digest_size=8).hexdigest()
    assert list(ev["user_id"]) == [anon, anon, "u2"]
    assert ev["target_text"].iloc[0] == "Send to " + "*" * len("bob@example.org")
    assert ev["target_text"].iloc[1] == "OK"
    assert ev["query"].iloc[0] == "token=******&page=2"
    assert log.meta["mask"]["user_id"] == "1 ids pseudonymised"
    raw = read_events(df, columns=MAP, mask=False).events
    assert list(raw["user_id"]) == ["ann@example.com", "ann@example.com", "u2"]
    assert raw["target_text"].iloc[0] == "Send to bob@example.org"


def test_negative_coordinates_are_kept_and_reported():
    df = frame(x=[10.0, -4.0, 5.0], y=[-1.0, -2.0, 3.0])
    with pytest.warns(UserWarning, match="2 events have a negative x or y"):
        log = read_events(df, columns=MAP)
    assert log.counts["loaded"] == 3
    assert list(log.events["x"]) == [10.0, -4.0, 5.0]
    assert len(log.meta["warnings"]) == 1 and "kept unchanged" in log.meta["warnings"][0]


def test_duplicates_rejected_by_default_and_kept_on_request():
    df = frame(
        sid=["s1", "s1", "s1"], ts=["2024-01-01T10:00:00Z"] * 3, name=["click", "click", "pageview"]
    )
    log = read_events(df, columns=MAP)
    assert log.counts == {"read": 3, "loaded": 2, "rejected": 1}
    assert log.rejected.iloc[0][["position", "reason"]].tolist() == [1, "duplicate event"]
    assert read_events(df, columns=MAP, drop_duplicates=False).counts["loaded"] == 3


# ----------------------------------------------------------------------------- sources
def _expected(ev):
    return ev[["session_id", "user_id", "timestamp", "event", "seq"]].reset_index(drop=True)


def test_files_and_objects_give_the_same_events(tmp_path):
    df = frame()
    want = _expected(read_events(df, columns=MAP).events)
    df.to_csv(tmp_path / "e.csv", index=False)
    df.to_csv(tmp_path / "e.tsv", index=False, sep="\t")
    with gzip.open(tmp_path / "e.csv.gz", "wt") as fh:
        df.to_csv(fh, index=False)
    df.to_parquet(tmp_path / "e.parquet")
    df.to_json(tmp_path / "e.jsonl", orient="records", lines=True)
    (tmp_path / "e.json").write_text(df.to_json(orient="records"))
    (tmp_path / "page.json").write_text(json.dumps({"results": df.to_dict("records")}, indent=2))
    sources = [
        tmp_path / n
        for n in ("e.csv", "e.tsv", "e.csv.gz", "e.parquet", "e.jsonl", "e.json", "page.json")
    ]
    sources += [str(tmp_path / "e.csv"), pa.Table.from_pandas(df), df.to_dict("records")]
    for source in sources:
        log = read_events(source, columns=MAP)
        pd.testing.assert_frame_equal(_expected(log.events), want, obj=str(source))
        assert log.counts == {"read": 3, "loaded": 3, "rejected": 0}
    assert read_events(tmp_path / "e.csv.gz", columns=MAP).meta["source"] == "e.csv.gz"


def test_malformed_csv_rows_are_rejected_with_their_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "sid,uid,ts,name\n"
        "s1,u1,2024-01-01T10:00:00Z,pageview\n"
        "s1,u1,2024-01-01T10:00:05Z\n"
        "s1,u1,2024-01-01T10:00:06Z,click,extra\n"
        "s2,u2,2024-01-01T10:00:09Z,pageview\n"
    )
    log = read_events(path, columns=MAP, source_name="upload")
    assert log.counts == {"read": 4, "loaded": 2, "rejected": 2}
    assert list(log.rejected["position"]) == [1, 2]
    assert list(log.rejected["reason"]) == [
        "malformed CSV row (line 3: expected 4 fields)",
        "malformed CSV row (line 4: expected 4 fields)",
    ]
    assert list(log.rejected["source"]) == ["upload", "upload"]
    assert log.rejected["excerpt"].iloc[1] == "s1,u1,2024-01-01T10:00:06Z,click,extra"


def test_late_bad_value_in_a_numeric_column_does_not_stop_the_load(tmp_path):
    # pyarrow infers types from the first ~1 MB; a bad cell after that must not crash.
    n = 40_000
    df = pd.DataFrame(
        {
            "session_id": [f"s{i % 50}" for i in range(n)],
            "user_id": [f"u{i % 50}" for i in range(n)],
            "timestamp": 1704103200000 + np.arange(n) * 1000,
            "event": ["click"] * n,
            "x": np.arange(n, dtype=float),
        }
    )
    df["x"] = df["x"].astype(object)
    df.loc[n - 1, "x"] = "oops"
    path = tmp_path / "late.csv"
    df.to_csv(path, index=False)
    assert path.stat().st_size > 1_200_000
    log = read_events(path)
    assert log.counts == {"read": n, "loaded": n - 1, "rejected": 1}
    assert log.rejected.iloc[0][["position", "reason"]].tolist() == [
        n - 1,
        "non-numeric or infinite x",
    ]
    assert log.events["x"].sum() == sum(range(n - 1))


def test_invalid_json_lines_are_rejected(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text(
        '{"sid": "s1", "uid": "u1", "ts": "2024-01-01T10:00:00Z", "name": "a"}\n'
        '{"sid": "s1", "uid": "u1", "ts": "2024-01-01T10:0\n'
        "\n"
        '"just a string"\n'
        '{"sid": "s1", "uid": "u1", "ts": "2024-01-01T10:00:02Z", "name": "b"}\n'
    )
    log = read_events(path, columns=MAP)
    assert log.counts == {"read": 4, "loaded": 2, "rejected": 2}
    reasons = list(log.rejected["reason"])
    assert reasons[0].startswith("invalid JSON (line 2)")
    assert reasons[1] == "record is not a JSON object (got str)"
    assert list(log.rejected["position"]) == [1, 2]


def test_unreadable_sources_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_events(tmp_path / "nope.csv")
    (tmp_path / "e.xlsx").write_bytes(b"PK")
    with pytest.raises(UxlensError, match="unknown file type '.xlsx'"):
        read_events(tmp_path / "e.xlsx")
    with pytest.raises(UxlensError, match="expected a DataFrame"):
        read_events(42)
    (tmp_path / "broken.json").write_text('[{"a": 1}, {"b"')
    with pytest.raises(UxlensError, match="not valid JSON"):
        read_events(tmp_path / "broken.json")


def test_ibis_table_stays_lazy_with_columns_checked():
    ibis = pytest.importorskip("ibis")
    t = ibis.memtable(frame())
    log = read_events(t, columns=MAP, event_map={"click": "tap"})
    lazy = log.meta["ibis_table"]
    assert log.meta["materialised"] is False
    assert log.is_lazy and log.table is lazy
    assert len(log) == 3 and log.counts == {"read": 3, "loaded": 3, "rejected": 0}
    with pytest.raises(UxlensError, match="lazy"):
        log.events  # noqa: B018  (no silent empty table)
    assert set(lazy.columns) >= {"session_id", "user_id", "timestamp", "event"}
    out = lazy.to_pandas().sort_values("timestamp", kind="stable")
    assert sorted(out["event"]) == ["pageview", "pageview", "tap"]
    with pytest.raises(SchemaError, match="Did you mean 'ts'"):
        read_events(t, columns={"sid": "session_id", "uid": "user_id", "name": "event"})
    with pytest.raises(UxlensError, match="not supported for Ibis tables"):
        read_events(
            t.drop("sid"),
            columns={"uid": "user_id", "ts": "timestamp", "name": "event"},
            session_gap="30min",
        )


# ----------------------------------------------------------------------------- fuzz
_cell = st.one_of(
    st.none(),
    st.text(max_size=6),
    st.integers(-5, 5),
    st.sampled_from(["2024-01-01T10:00:00Z", "2024-01-01 10:00", "", "NaT", "1704103200"]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_cell, _cell, _cell, _cell, _cell), min_size=1, max_size=12))
def test_counts_always_add_up_and_only_uxlens_errors_escape(rows):
    df = pd.DataFrame(rows, columns=["session_id", "user_id", "timestamp", "event", "x"])
    try:
        log = read_events(df, session_gap="30min")
    except UxlensError:
        return
    c = log.counts
    assert c["read"] == len(df) and c["loaded"] + c["rejected"] == c["read"]
    assert c["loaded"] == len(log.events)
    assert set(log.rejected["position"]) <= set(range(len(df)))


def test_duplicate_column_names_are_refused(tmp_path):
    df = pd.DataFrame(
        [["s1", "u1", "2024-01-01T10:00:00Z", "a", 1]],
        columns=["session_id", "user_id", "timestamp", "event", "event"],
    )
    with pytest.raises(SchemaError, match=r"appear more than once in DataFrame: \['event'\]"):
        read_events(df)
    path = tmp_path / "dup.csv"
    path.write_text("session_id,user_id,timestamp,event,event\ns1,u1,2024-01-01T10:00:00Z,a,b\n")
    with pytest.raises(SchemaError, match=r"appear more than once in dup.csv"):
        read_events(path)
