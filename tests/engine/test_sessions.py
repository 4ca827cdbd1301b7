"""Session summary: hand-computed cases, a pandas reference, and properties."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uxlens.engine.backend import as_table, execute
from uxlens.engine.sessions import SUMMARY_COLUMNS, session_summary, session_summary_expr
from uxlens.eventlog import EventLog
from uxlens.exceptions import SchemaError, UxlensError

COLS = ("session_id", "t", "event")


def one(summary: pd.DataFrame, session_id: str = "s1") -> pd.Series:
    rows = summary.loc[summary["session_id"] == session_id]
    assert len(rows) == 1
    return rows.iloc[0]


# ----------------------------------------------------------------- active time
def test_active_time_threshold_is_strict(canonical_events):
    # Active gaps: 4999 (counts), 5000 (equal to the threshold: does not), 5001 (does not).
    ev = canonical_events(
        [("s1", 0, "pageview"), ("s1", 4999, "click"), ("s1", 9999, "click"),
         ("s1", 15000, "click")], COLS, user_id="u1")
    row = one(session_summary(ev))
    assert row["active_s"] == 4.999
    assert row["duration_s"] == 15.0
    assert row["events"] == 4 and row["clicks"] == 3 and row["pageviews"] == 1


def test_active_time_threshold_parameter(canonical_events):
    ev = canonical_events(
        [("s1", 0, "pageview"), ("s1", 4999, "click"), ("s1", 9999, "click"),
         ("s1", 15000, "click")], COLS)
    assert one(session_summary(ev, inactivity="5001ms"))["active_s"] == 9.999
    assert one(session_summary(ev, inactivity=5.002))["active_s"] == 15.0
    assert one(session_summary(ev, inactivity=pd.Timedelta("4999ms")))["active_s"] == 0.0
    assert one(session_summary(ev, inactivity="1min"))["active_s"] == 15.0


def test_passive_events_neither_split_nor_extend_activity(canonical_events):
    ev = canonical_events(
        [("s1", 0, "pageview"), ("s1", 1000, "mutation"), ("s1", 2000, "console"),
         ("s1", 3000, "network"), ("s1", 4000, "click"),          # 0 -> 4000 active: 4 s
         ("s1", 8500, "error"), ("s1", 9500, "selection"),         # passive: no activity
         ("s1", 9800, "click"),                                    # 4000 -> 9800: 5.8 s gap
         ("s1", 12000, "input"),                                   # 2.2 s active
         ("s1", 40000, "network")],                                # extends duration only
        COLS)
    row = one(session_summary(ev))
    assert row["active_s"] == pytest.approx(6.2, abs=1e-12)
    assert row["duration_s"] == 40.0
    assert row["inputs"] == 1


def test_one_event_session_and_passive_only_session(canonical_events):
    ev = canonical_events(
        [("s1", 500, "click"), ("s2", 0, "console"), ("s2", 1000, "network")], COLS)
    summary = session_summary(ev)
    assert one(summary, "s1")[["duration_s", "active_s", "events"]].tolist() == [0.0, 0.0, 1]
    assert one(summary, "s2")[["duration_s", "active_s", "events"]].tolist() == [1.0, 0.0, 2]


def test_same_millisecond_ties(canonical_events):
    ev = canonical_events(
        [("s1", 1000, "click"), ("s1", 1000, "click"), ("s1", 1000, "mousemove"),
         ("s1", 3000, "click"), ("s1", 3000, "dblclick")], COLS)
    row = one(session_summary(ev))
    assert row["active_s"] == 2.0
    assert row["clicks"] == 4
    assert row["events"] == 5


def test_custom_passive_events(canonical_events):
    ev = canonical_events([("s1", 0, "pageview"), ("s1", 3000, "mousemove"),
                           ("s1", 6000, "click")], COLS)
    assert one(session_summary(ev))["active_s"] == 6.0
    row = one(session_summary(ev, passive_events=("mousemove",)))
    assert row["active_s"] == 0.0  # pageview -> click is 6 s


# ----------------------------------------------------------------- scroll
def test_scroll_depth_and_max_scroll(canonical_events):
    cols = ("session_id", "t", "event", "scroll_y", "viewport_h", "page_h")
    ev = canonical_events(
        [("s1", 0, "pageview", 0.0, 800, 2000),      # 0.4
         ("s1", 100, "scroll", 600.0, 800, 2000),    # 0.7
         ("s1", 200, "scroll", 300.0, 800, 2000),
         ("s2", 0, "scroll", 1500.0, 800, 2000),     # 1.15 -> clipped to 1
         ("s3", 0, "scroll", 900.0, 800, None),      # page height unknown -> NaN
         ("s3", 10, "scroll", 100.0, 800, 0),        # zero page height is ignored
         ("s4", 0, "pageview", None, 800, 2000),     # scroll unknown -> NaN
         ("s5", 0, "scroll", -50.0, 10, 1000)],      # negative -> clipped to 0
        cols)
    summary = session_summary(ev).set_index("session_id")
    assert summary.loc["s1", "scroll_depth"] == pytest.approx(0.7)
    assert summary.loc["s1", "max_scroll_y"] == 600.0
    assert summary.loc["s2", "scroll_depth"] == 1.0
    assert np.isnan(summary.loc["s3", "scroll_depth"])
    assert summary.loc["s3", "max_scroll_y"] == 900.0
    assert np.isnan(summary.loc["s4", "scroll_depth"]) and np.isnan(summary.loc["s4", "max_scroll_y"])
    assert summary.loc["s5", "scroll_depth"] == 0.0


# ----------------------------------------------------------------- urls
def test_entry_exit_and_pages(canonical_events):
    cols = ("session_id", "t", "event", "url")
    ev = canonical_events(
        [("s1", 0, "console", None), ("s1", 10, "pageview", "https://a.com/home"),
         ("s1", 20, "click", "https://a.com/home"), ("s1", 30, "pageview", "https://a.com/b"),
         ("s1", 40, "pageview", "https://a.com/home"), ("s1", 50, "network", None),
         ("s2", 0, "click", None), ("s2", 5, "click", None),
         ("s3", 0, "pageview", "https://a.com/x?utm=1#top")],
        cols)
    summary = session_summary(ev).set_index("session_id")
    assert summary.loc["s1", ["entry_url", "exit_url", "pages"]].tolist() == [
        "https://a.com/home", "https://a.com/home", 2]
    assert summary.loc["s2", "pages"] == 0
    assert pd.isna(summary.loc["s2", "entry_url"]) and pd.isna(summary.loc["s2", "exit_url"])
    assert summary.loc["s3", "entry_url"] == "https://a.com/x"  # validate drops query/fragment


def test_entry_url_same_millisecond_uses_input_order(canonical_events):
    cols = ("session_id", "t", "event", "url")
    ev = canonical_events(
        [("s1", 100, "pageview", "https://a.com/first"), ("s1", 100, "pageview", "https://a.com/second"),
         ("s1", 200, "click", "https://a.com/third"), ("s1", 200, "click", "https://a.com/fourth")],
        cols)
    row = one(session_summary(ev))
    assert (row["entry_url"], row["exit_url"], row["pages"]) == (
        "https://a.com/first", "https://a.com/fourth", 4)


def test_sessions_without_url_column(canonical_events):
    ev = canonical_events([("s1", 0, "$pageview"), ("s1", 3000, "signup_done")], COLS)
    row = one(session_summary(ev))
    assert pd.isna(row["entry_url"]) and pd.isna(row["exit_url"]) and row["pages"] == 0
    # Analytics tables without mouse events: pageviews and custom events are activity.
    assert row["active_s"] == 3.0 and row["pageviews"] == 1
    assert pd.isna(row["device"]) and np.isnan(row["scroll_depth"])


# ----------------------------------------------------------------- errors
def test_error_count(canonical_events):
    cols = ("session_id", "t", "event", "level", "status")
    ev = canonical_events(
        [("s1", 0, "console", "error", None),   # 1
         ("s1", 1, "console", "warn", None),
         ("s1", 2, "console", None, None),
         ("s1", 3, "error", None, None),        # 2
         ("s1", 4, "network", None, 500),       # 3
         ("s1", 5, "network", None, 404),       # 4
         ("s1", 6, "network", None, 399),
         ("s1", 7, "network", None, 200),
         ("s1", 8, "network", None, 0),         # 5: failed without a response
         ("s1", 9, "network", None, None),      # unknown status: not counted
         ("s1", 10, "click", "error", 500)],    # not a console/network row
        cols)
    assert one(session_summary(ev))["errors"] == 5


# ----------------------------------------------------------------- device, user, properties
def test_device_majority_and_ties(canonical_events):
    cols = ("session_id", "t", "event", "device")
    ev = canonical_events(
        [("s1", 0, "click", "desktop"), ("s1", 1, "click", "mobile"), ("s1", 2, "click", "mobile"),
         ("s1", 3, "click", None), ("s1", 4, "click", None), ("s1", 5, "click", "mobile"),
         ("s1", 6, "click", "desktop"),
         ("s2", 0, "click", "tablet"), ("s2", 1, "click", "desktop"),    # tie: first seen wins
         ("s2", 2, "click", "desktop"), ("s2", 3, "click", "tablet"),
         ("s3", 0, "click", None)],
        cols)
    summary = session_summary(ev).set_index("session_id")
    assert summary.loc["s1", "device"] == "mobile"
    assert summary.loc["s2", "device"] == "tablet"
    assert pd.isna(summary.loc["s3", "device"])


def test_user_id_first_non_anonymous(canonical_events):
    cols = ("session_id", "t", "event", "user_id")
    ev = canonical_events(
        [("s1", 0, "pageview", None), ("s1", 1, "click", "alice"), ("s1", 2, "click", "bob"),
         ("s2", 0, "pageview", None), ("s2", 1, "click", None)],
        cols)
    summary = session_summary(ev).set_index("session_id")
    assert summary.loc["s1", "user_id"] == "alice"
    assert summary.loc["s2", "user_id"] == "s2"  # anonymous: the session id


def test_session_properties_first_non_null(canonical_events):
    cols = ("session_id", "t", "event", "source", "is_returning", "version")
    ev = canonical_events(
        [("s1", 0, "pageview", None, None, None), ("s1", 1, "click", "paid", True, "B"),
         ("s1", 2, "click", "email", False, "A"),
         ("s2", 0, "pageview", "organic", False, None)],
        cols)
    summary = session_summary(ev).set_index("session_id")
    assert summary.loc["s1", ["source", "is_returning", "version"]].tolist() == ["paid", True, "B"]
    assert summary.loc["s2", "source"] == "organic"
    assert summary.loc["s2", "is_returning"] == False  # noqa: E712 - pandas BooleanDtype
    assert pd.isna(summary.loc["s2", "version"])
    assert str(summary["is_returning"].dtype) == "boolean"
    # Absent property columns are simply not carried; extra ones can be asked for.
    plain = session_summary(ev[["session_id", "user_id", "timestamp", "event", "seq"]])
    assert list(plain.columns) == list(SUMMARY_COLUMNS)
    with_plan = session_summary(ev.assign(plan="pro"), properties=("plan", "source"))
    assert list(with_plan.columns) == [*SUMMARY_COLUMNS, "plan", "source"]


# ----------------------------------------------------------------- shape, inputs, errors
def test_dtypes_and_order(canonical_events):
    ev = canonical_events(
        [("b", 1000, "click"), ("a", 1000, "click"), ("c", 0, "click"), ("a", 1500, "input")], COLS)
    summary = session_summary(ev)
    assert summary["session_id"].tolist() == ["c", "a", "b"]  # by start, then session_id
    assert str(summary["start"].dtype) == "datetime64[ns, UTC]"
    assert str(summary["end"].dtype) == "datetime64[ns, UTC]"
    assert summary.loc[1, "start"] == pd.Timestamp("2024-01-01T00:00:01Z")
    assert summary.loc[1, "end"] == pd.Timestamp("2024-01-01T00:00:01.500Z")
    for col in ("events", "pageviews", "clicks", "inputs", "pages", "errors"):
        assert summary[col].dtype == np.int64, col
    for col in ("duration_s", "active_s", "scroll_depth", "max_scroll_y"):
        assert summary[col].dtype == np.float64, col
    assert list(summary.index) == [0, 1, 2]


def test_accepts_eventlog_dataframe_and_ibis_table(canonical_events):
    ev = canonical_events([("s1", 0, "pageview"), ("s1", 2000, "click"), ("s2", 0, "click")], COLS)
    from_frame = session_summary(ev)
    pd.testing.assert_frame_equal(session_summary(EventLog(ev)), from_frame)
    pd.testing.assert_frame_equal(session_summary(as_table(ev)), from_frame)
    # An Ibis table without t_ms or seq still works (t_ms and seq are derived).
    bare = ibis.memtable(ev.drop(columns="seq"))
    pd.testing.assert_frame_equal(session_summary(bare), from_frame)


def test_eventlog_sessions_uses_the_summary(canonical_events):
    cols = ("session_id", "t", "event", "device")
    ev = canonical_events([("s1", 0, "click", "mobile"), ("s1", 1000, "click", "mobile"),
                           ("s2", 0, "click", "desktop")], cols)
    mobile = EventLog(ev).sessions(device="mobile")
    assert mobile.ids == ["s1"]
    assert mobile.frame.loc[0, "active_s"] == 1.0 and mobile.frame.loc[0, "clicks"] == 2


def test_expression_is_lazy_ibis(canonical_events):
    ev = canonical_events([("s1", 0, "pageview"), ("s1", 2000, "click")], COLS)
    expr = session_summary_expr(as_table(ev), inactivity_ms=1000)
    assert isinstance(expr, ibis.expr.types.Table)
    assert list(expr.columns) == list(SUMMARY_COLUMNS)
    assert execute(expr)["active_s"].tolist() == [0.0]


def test_empty_events_keep_columns_and_dtypes(canonical_events):
    ev = canonical_events([("s1", 0, "click", "https://a.com/", "mobile")],
                          ("session_id", "t", "event", "url", "device"))
    full = session_summary(ev)
    empty = session_summary(ev.iloc[0:0])
    assert len(empty) == 0
    assert list(empty.columns) == list(SUMMARY_COLUMNS)
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()


def test_all_null_optional_columns_keep_dtypes(canonical_events):
    cols = ("session_id", "t", "event", "url", "device", "level", "status", "page_h",
            "scroll_y", "viewport_h", "source", "version")
    ev = canonical_events([("s1", 0, "console", *[None] * 9), ("s2", 5, "network", *[None] * 9)],
                          cols)
    summary = session_summary(ev)
    for col in ("device", "entry_url", "exit_url", "source", "version"):
        assert str(summary[col].dtype) == "string", col
        assert summary[col].isna().all()
    assert summary["errors"].tolist() == [0, 0]
    assert summary["pages"].tolist() == [0, 0]


@pytest.mark.parametrize("bad", ["soon", "-5s", 0, "0s", None, True, float("nan")])
def test_bad_inactivity(canonical_events, bad):
    ev = canonical_events([("s1", 0, "click")], COLS)
    with pytest.raises(UxlensError, match="inactivity"):
        session_summary(ev, inactivity=bad)


def test_missing_columns_name_the_fix(canonical_events):
    ev = canonical_events([("s1", 0, "click")], COLS).rename(columns={"session_id": "sesion_id"})
    with pytest.raises(SchemaError, match="Did you mean 'sesion_id'"):
        session_summary(ev)


def test_property_clash_is_an_error(canonical_events):
    ev = canonical_events([("s1", 0, "click")], COLS)
    with pytest.raises(UxlensError, match="clash"):
        session_summary(ev, properties=("device",))


# ----------------------------------------------------------------- reference
PASSIVE = {"console", "network", "error", "mutation", "selection"}


def reference_summary(events: pd.DataFrame, inactivity_ms: int = 5000) -> pd.DataFrame:
    """A deliberately plain per-session loop, written from the documented definitions."""
    rows = []
    for sid, g in events.groupby("session_id", sort=True, observed=True):
        g = g.sort_values("seq")
        t_ms = g["timestamp"].astype("int64").to_numpy() // 1_000_000
        names = g["event"].astype(str).tolist()
        active_t = [t for t, n in zip(t_ms, names) if n not in PASSIVE]
        active_ms = sum(b - a for a, b in zip(active_t, active_t[1:]) if b - a < inactivity_ms)

        users = [u for u in g["user_id"] if u != sid]
        urls = [u for u in g["url"] if pd.notna(u)] if "url" in g else []
        devices = [d for d in g["device"] if pd.notna(d)] if "device" in g else []
        device = None
        if devices:
            counts = {d: devices.count(d) for d in devices}
            best = max(counts.values())
            device = next(d for d in devices if counts[d] == best)
        depth = np.nan
        if {"scroll_y", "viewport_h", "page_h"} <= set(g.columns):
            ratios = [
                (s + v) / p
                for s, v, p in zip(g["scroll_y"], g["viewport_h"], g["page_h"])
                if pd.notna(s) and pd.notna(v) and pd.notna(p) and p > 0
            ]
            if ratios:
                depth = min(1.0, max(0.0, max(ratios)))
        errors = 0
        for i, n in enumerate(names):
            level = g["level"].iloc[i] if "level" in g else None
            status = g["status"].iloc[i] if "status" in g else None
            if n == "error" or (n == "console" and level == "error"):
                errors += 1
            elif n == "network" and pd.notna(status) and (status >= 400 or status == 0):
                errors += 1
        scroll = g["scroll_y"].dropna() if "scroll_y" in g else pd.Series([], dtype=float)

        rows.append({
            "session_id": sid,
            "user_id": users[0] if users else sid,
            "start": g["timestamp"].min(),
            "end": g["timestamp"].max(),
            "duration_s": (t_ms.max() - t_ms.min()) / 1000.0,
            "active_s": active_ms / 1000.0,
            "events": len(g),
            "pageviews": sum(n in ("pageview", "$pageview") for n in names),
            "clicks": sum(n in ("click", "dblclick", "touch") for n in names),
            "inputs": sum(n == "input" for n in names),
            "scroll_depth": depth,
            "max_scroll_y": scroll.max() if len(scroll) else np.nan,
            "device": device,
            "entry_url": urls[0] if urls else None,
            "exit_url": urls[-1] if urls else None,
            "pages": len(set(urls)),
            "errors": errors,
            "source": _first_non_null(g, "source"),
            "is_returning": _first_non_null(g, "is_returning"),
            "version": _first_non_null(g, "version"),
        })
    return pd.DataFrame(rows)


def _first_non_null(group: pd.DataFrame, col: str):
    values = [v for v in group[col] if pd.notna(v)] if col in group else []
    return values[0] if values else None


def assert_matches_reference(summary: pd.DataFrame, reference: pd.DataFrame) -> None:
    got = summary.sort_values("session_id").reset_index(drop=True)
    want = reference.sort_values("session_id").reset_index(drop=True)
    assert got["session_id"].tolist() == want["session_id"].tolist()
    for col in want.columns:
        if col not in got.columns:
            continue
        left, right = got[col], want[col]
        if col in ("duration_s", "active_s", "scroll_depth", "max_scroll_y"):
            np.testing.assert_allclose(left.to_numpy(float), right.to_numpy(float),
                                       rtol=1e-12, atol=0, err_msg=col)
        elif col in ("start", "end"):
            assert (left.to_numpy() == pd.to_datetime(right, utc=True).to_numpy()).all(), col
        else:
            as_list = [None if pd.isna(v) else v for v in left.astype(object)]
            expected = [None if pd.isna(v) else v for v in right.astype(object)]
            assert as_list == expected, col


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_reference_on_random_sessions(random_events, seed):
    events = random_events(60, seed=seed)
    assert_matches_reference(session_summary(events), reference_summary(events))


def test_matches_reference_with_other_threshold(random_events):
    events = random_events(60, seed=3)
    assert_matches_reference(
        session_summary(events, inactivity="1200ms"), reference_summary(events, 1200)
    )


NAMES = ["pageview", "$pageview", "click", "dblclick", "touch", "input", "mousemove", "scroll",
         "console", "network", "error", "mutation", "selection", "custom_event"]
event_rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.one_of(st.integers(0, 40_000), st.sampled_from([0, 4999, 5000, 5001, 10000])),
        st.sampled_from(NAMES),
        st.sampled_from([None, "https://x.com/1", "https://x.com/2", "https://x.com/3"]),
        st.sampled_from([None, "desktop", "mobile", "tablet"]),
        st.sampled_from([None, "error", "log"]),
        st.sampled_from([None, 0, 200, 404, 503]),
        st.one_of(st.none(), st.floats(0, 5000, allow_nan=False)),
        st.sampled_from([None, 0, 1000, 3000]),
        st.sampled_from([None, "u1", "u2"]),
    ),
    min_size=1,
    max_size=40,
)
ROW_COLUMNS = ("session_id", "t", "event", "url", "device", "level", "status", "scroll_y",
               "page_h", "user_id")


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=event_rows, threshold=st.sampled_from([1, 1000, 5000, 60_000]))
def test_properties_and_reference(canonical_events, rows, threshold):
    events = canonical_events(rows, ROW_COLUMNS, viewport_h=800)
    summary = session_summary(events, inactivity=f"{threshold}ms")
    assert summary["events"].sum() == len(events)
    assert summary["session_id"].is_unique
    assert set(summary["session_id"]) == set(events["session_id"])
    assert (summary["active_s"] <= summary["duration_s"] + 1e-9).all()
    assert (summary["active_s"] >= 0).all()
    assert (summary["pageviews"] + summary["clicks"] + summary["inputs"]
            <= summary["events"]).all()
    assert (summary["errors"] <= summary["events"]).all()
    assert (summary["pages"] <= summary["events"]).all()
    depth = summary["scroll_depth"].dropna()
    assert ((depth >= 0) & (depth <= 1)).all()
    assert (summary["start"] <= summary["end"]).all()
    assert summary["start"].is_monotonic_increasing
    assert_matches_reference(summary, reference_summary(events, threshold))


def test_naive_timestamps_are_refused_with_the_fix(canonical_events):
    ev = canonical_events([("s1", 0, "pageview"), ("s1", 4999, "click")])
    naive = ev.assign(timestamp=ev["timestamp"].dt.tz_localize(None))
    with pytest.raises(SchemaError, match=r"(?s)naive times.*assume_utc=True"):
        session_summary(naive)


def test_numeric_ids_are_summarised_as_text(canonical_events):
    ev = canonical_events([("s1", 0, "pageview"), ("s1", 4999, "click"), ("s2", 0, "pageview")],
                          user_id="u1")
    numeric = ev.assign(session_id=ev["session_id"].map({"s1": 11, "s2": 12}).astype("int64"),
                        user_id=7)
    summary = session_summary(numeric).set_index("session_id")
    assert sorted(summary.index) == ["11", "12"]
    assert summary.loc["11", "events"] == 2 and summary.loc["11", "user_id"] == "7"
