"""Funnel API: outputs of every method on a hand-computed dataset, and bad input.

The dataset (steps A -> B -> C, default 14-day window):

===== ======= ======= ============================== ========
unit  version device  events (seconds)               reached
===== ======= ======= ============================== ========
u1    A       mobile  A@0 B@10 C@20                  3
u2    A       desktop A@0 B@10                       2
u3    A       mobile  A@0                            1
u4    B       desktop A@0 B@5 C@30                   3
u5    B       desktop A@0 B@20 C@50                  3
u6    B       mobile  A@0 X@1                        1
z     B       desktop C@0 (no step 1: not counted)   -
===== ======= ======= ============================== ========
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from uxlens.engine.backend import as_table
from uxlens.eventlog import EventLog, SessionList
from uxlens.exceptions import SchemaError, UxlensError
from uxlens.funnel import Exclusion, Funnel, Step, TimeToConvert

from ._build import events

# Every case on both row paths: from the frame and from the query engine.
pytestmark = pytest.mark.usefixtures("rows_path")


def _props(version: str, device: str) -> str:
    return "{" + f"version={version},device={device}" + "}"


def dataset() -> pd.DataFrame:
    timelines = {
        "u1": ("A", "mobile", "A@0 B@10 C@20"),
        "u2": ("A", "desktop", "A@0 B@10"),
        "u3": ("A", "mobile", "A@0"),
        "u4": ("B", "desktop", "A@0 B@5 C@30"),
        "u5": ("B", "desktop", "A@0 B@20 C@50"),
        "u6": ("B", "mobile", "A@0 X@1"),
        "z": ("B", "desktop", "C@0"),
    }
    lines = []
    for user, (version, device, line) in timelines.items():
        tokens = [tok + _props(version, device) for tok in line.split()]
        lines.append(f"{user}: " + " ".join(tokens))
    return events(*lines)


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return dataset()


@pytest.fixture(scope="module")
def f(df: pd.DataFrame) -> Funnel:
    return Funnel(df, ["A", "B", "C"])


# --------------------------------------------------------------------- table
def test_table_numbers(f: Funnel) -> None:
    t = f.table()
    assert list(t.columns) == [
        "step", "label", "count", "conversion", "step_conversion", "dropped",
        "median_time_s", "mean_time_s",
    ]
    assert t["step"].tolist() == [1, 2, 3]
    assert t["label"].tolist() == ["A", "B", "C"]
    assert t["count"].tolist() == [6, 4, 3]
    assert t["conversion"].tolist() == pytest.approx([1.0, 4 / 6, 0.5])
    assert t["step_conversion"].tolist() == pytest.approx([1.0, 4 / 6, 0.75])
    assert t["dropped"].tolist() == [2, 1, 0]
    assert t["median_time_s"].tolist()[1:] == [10.0, 25.0]
    assert t["mean_time_s"].tolist()[1:] == pytest.approx([11.25, 65 / 3])


@pytest.mark.parametrize("order", ["ordered", "strict", "unordered"])
def test_inputs_eventlog_dataframe_ibis_agree(df: pd.DataFrame, order: str) -> None:
    expected = Funnel(df, ["A", "B", "C"], order=order).table()
    assert expected["count"].iloc[0] == (7 if order == "unordered" else 6)  # z did C only
    for events_in in (EventLog(df), as_table(df)):
        got = Funnel(events_in, ["A", "B", "C"], order=order).table()
        pd.testing.assert_frame_equal(got, expected)
    strict_log = Funnel(EventLog(df), ["A", "B", "C"], order=order)
    assert strict_log.dropped(1).ids == Funnel(df, ["A", "B", "C"], order=order).dropped(1).ids


def test_table_is_cached_and_copied(f: Funnel) -> None:
    t = f.table()
    t.loc[0, "count"] = -1
    assert f.table()["count"].iloc[0] == 6


def test_units(f: Funnel) -> None:
    u = f.units().set_index("unit_id")
    assert u["reached"].to_dict() == {"u1": 3, "u2": 2, "u3": 1, "u4": 3, "u5": 3, "u6": 1}
    assert u.loc["u4", "step_3_at"] - u.loc["u4", "step_1_at"] == pd.Timedelta(seconds=30)
    assert pd.isna(u.loc["u3", "step_2_at"])


def test_breakdown_table(df: pd.DataFrame) -> None:
    t = Funnel(df, ["A", "B", "C"], breakdown="version").table()
    assert list(t.columns[:2]) == ["version", "step"]
    assert t.groupby("version")["count"].apply(list).to_dict() == {"A": [3, 2, 1], "B": [3, 2, 2]}


# ----------------------------------------------------------------- drill-down
def test_dropped_sessions(f: Funnel) -> None:
    d = f.dropped(1)
    assert isinstance(d, SessionList)
    assert d.label == "dropped after step 1 (A)"
    assert sorted(d.frame["unit_id"]) == ["u3", "u6"]
    assert sorted(d.ids) == ["u3-s", "u6-s"]
    assert d.frame.columns[:2].tolist() == ["session_id", "unit_id"]
    assert f.dropped(2).frame["unit_id"].tolist() == ["u2"]


def test_converted_sessions(f: Funnel) -> None:
    c = f.converted()
    assert c.label == "converted to step 3 (C)"
    assert sorted(c.frame["unit_id"]) == ["u1", "u4", "u5"]
    assert len(f.converted(2)) == 4


def test_dropped_segment(df: pd.DataFrame) -> None:
    fb = Funnel(df, ["A", "B", "C"], breakdown="version")
    assert fb.dropped(1, segment="B").frame["unit_id"].tolist() == ["u6"]
    with pytest.raises(UxlensError, match="No segment 'C'"):
        fb.dropped(1, segment="C")


def test_dropped_from_ibis_table_builds_eventlog(df: pd.DataFrame) -> None:
    d = Funnel(as_table(df), ["A", "B", "C"]).dropped(2)
    assert d.ids == ["u2-s"]
    assert len(d.log.events) == 2


def test_dropped_sessions_are_the_deciding_attempts(df: pd.DataFrame) -> None:
    ev = events("A@0#s1 A@100#s2 B@101#s2", "z: C@0")
    f = Funnel(ev, ["A", "B", "C"])
    # The attempt that reached B lives in session s2 only.
    assert f.dropped(2).ids == ["s2"]


# --------------------------------------------------------------- time to convert
def test_time_to_convert(f: Funnel) -> None:
    ttc = f.time_to_convert(1, 3, bins=3)
    assert isinstance(ttc, TimeToConvert)
    assert sorted(ttc.seconds.tolist()) == [20.0, 30.0, 50.0]
    assert ttc.table["units"].tolist() == [0, 2, 1]
    assert ttc.table["bin_end_s"].iloc[-1] == 50.0
    assert ttc.median_s == 30.0
    table, fig = ttc
    assert table is ttc.table
    assert [int(v) for v in fig.data[0].y] == [0, 2, 1]


def test_time_to_convert_custom_bins(f: Funnel) -> None:
    ttc = f.time_to_convert(2, 3, bins=[0, 15, 60])
    assert ttc.table["units"].tolist() == [1, 2]
    assert ttc.table["share"].tolist() == pytest.approx([1 / 3, 2 / 3])


# ------------------------------------------------------------------- compare
def _z_p(x1: int, n1: int, x2: int, n2: int) -> float:
    p = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return 2 * norm.sf(abs(z))


def test_compare_vs_rest(f: Funnel) -> None:
    c = f.compare(by="version").set_index("version")
    assert c["count"].to_dict() == {"A": 3, "B": 3}
    assert c["converted"].to_dict() == {"A": 1, "B": 2}
    assert c.loc["A", "conversion"] == pytest.approx(1 / 3)
    assert c.loc["A", "diff"] == pytest.approx(-1 / 3)
    assert c.loc["A", "p_value"] == pytest.approx(_z_p(1, 3, 2, 3))
    assert c.loc["A", "p_adjusted"] == pytest.approx(min(1.0, 2 * _z_p(1, 3, 2, 3)))
    assert not c["significant"].any()
    assert 0 <= c.loc["A", "ci_low"] < 1 / 3 < c.loc["A", "ci_high"] <= 1
    assert c.attrs["chi2"].dof == 1


def test_compare_baseline_and_steps(f: Funnel) -> None:
    c = f.compare(by="version", baseline="A", from_step=2, to_step=3).set_index("version")
    assert c["count"].to_dict() == {"A": 2, "B": 2}
    assert c["converted"].to_dict() == {"A": 1, "B": 2}
    assert np.isnan(c.loc["A", "p_value"])
    assert c.loc["A", "diff"] == 0.0
    assert c.loc["B", "diff"] == pytest.approx(0.5)
    assert c.loc["B", "p_value"] == pytest.approx(_z_p(2, 2, 1, 2))


def test_compare_flags_a_real_difference() -> None:
    lines = [f"a{i}: A@0{{g=x}} B@1{{g=x}}" for i in range(60)]
    lines += [f"b{i}: A@0{{g=y}}" + (" B@1{g=y}" if i < 15 else "") for i in range(60)]
    c = Funnel(events(*lines), ["A", "B"]).compare(by="g").set_index("g")
    assert c["significant"].all()
    assert c.loc["x", "p_value"] == pytest.approx(_z_p(60, 60, 15, 60))


# --------------------------------------------------------------- correlations
def test_event_correlations(f: Funnel) -> None:
    c = f.correlations(min_count=1)
    assert c["name"].tolist() == ["X"]
    row = c.iloc[0]
    assert (row.success_count, row.failure_count) == (0, 1)
    assert (row.success_total, row.failure_total) == (3, 3)
    # (0+1)(2+1) / ((1+1)(3+1)): the unit with X failed.
    assert row.odds_ratio == pytest.approx(3 / 8)
    assert row.correlation == "failure"
    assert f.correlations(min_count=2).empty


def test_property_correlations(f: Funnel) -> None:
    c = f.correlations(kind="properties", columns=["version"], min_count=1).set_index("name")
    assert c.loc["version=A", "odds_ratio"] == pytest.approx((2 * 2) / (3 * 3))
    assert c.loc["version=B", "odds_ratio"] == pytest.approx((3 * 3) / (2 * 2))
    assert c.loc["version=B", "correlation"] == "success"
    assert c.loc["version=A", "correlation"] == "failure"


def test_correlation_window_limits_failures(df: pd.DataFrame) -> None:
    ev = events("A@0 X@30", "A@0 B@1", "z: C@0")
    short = Funnel(ev, ["A", "B"], window="10s").correlations(min_count=1)
    assert short.empty  # X came after the failing unit's window
    wide = Funnel(ev, ["A", "B"], window="1min").correlations(min_count=1)
    assert wide["name"].tolist() == ["X"]


# ------------------------------------------------------------------- display
def test_plot(f: Funnel) -> None:
    fig = f.plot()
    assert [int(v) for v in fig.data[0].y] == [6, 4, 3]
    assert [int(v) for v in fig.data[1].y] == [0, 2, 1]
    assert "A → B → C" in fig.layout.title.text


def test_plot_compare(f: Funnel) -> None:
    fig = f.plot_compare(by="version", from_step=2)
    assert list(fig.data[0].y) == ["A", "B"]
    assert [round(v, 3) for v in fig.data[0].x] == [0.5, 1.0]
    assert "B → C by version" in fig.layout.title.text


def test_plot_breakdown_has_a_bar_pair_per_segment(df: pd.DataFrame) -> None:
    fig = Funnel(df, ["A", "B", "C"], breakdown="version").plot()
    assert [tr.name for tr in fig.data] == ["A", "A dropped", "B", "B dropped"]


def test_repr_html(f: Funnel) -> None:
    out = f._repr_html_()
    assert "A → B → C" in out and "66.7%" in out and "<table" in out
    assert "<script" not in out
    assert "3 steps" in repr(f)


def test_explore_select_and_replay(f: Funnel) -> None:
    ex = f.explore()
    assert [s["count"] for s in ex.view.funnel["segments"][0]["steps"]] == [6, 4, 3]
    ex.select(1)
    rows = ex.view.sessions["rows"]
    assert sorted(r[1] for r in rows) == ["u3", "u6"]
    assert ex.view.sessions["total"] == 2
    ex.select(3)
    assert ex.view.sessions["label"] == "converted to step 3 (C)"
    ex.replay("u3-s")
    assert ex.view.selected_session == "u3-s"
    assert "u3-s" in ex.view.message


def test_explore_split(f: Funnel) -> None:
    ex = f.explore()
    assert "version" in ex.view.split_options
    ex.split("version")
    names = [s["name"] for s in ex.view.funnel["segments"]]
    assert sorted(names) == ["A", "B"]
    ex.select(1, segment="B")
    assert [r[1] for r in ex.view.sessions["rows"]] == ["u6"]
    ex.split(None)
    assert ex.view.funnel["segments"][0]["name"] is None


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"steps": ["A"]}, "at least 2 steps"),
        ({"steps": "A"}, "must be a list"),
        ({"steps": ["A", 3]}, "step 2 must be an event name"),
        ({"window": "0s"}, "longer than 0"),
        ({"window": "-1h"}, "longer than 0"),
        ({"window": "soon"}, "could not be read"),
        ({"window": 3600}, "must be a duration"),
        ({"order": "sequential"}, "'ordered', 'strict', 'unordered'; got 'sequential'"),
        ({"unit": "person"}, "must be one of 'user', 'session'"),
        ({"attribution": "first"}, "got 'first'"),
        ({"attribution": "step:9"}, "N between 1 and 3"),
        ({"exclusions": [Exclusion("X", 2, 5)]}, "1 <= from_step < to_step <= 3"),
        ({"exclusions": [Exclusion("X", 2, 2)]}, "from_step=2, to_step=2"),
        ({"exclusions": ["X"]}, "list of ux.Exclusion"),
        ({"exclusions": [Exclusion("B", 1, 3)]}, "same events as a funnel step"),
        ({"order": "unordered", "exclusions": [Exclusion("X", 1, 2)]}, "whole funnel"),
        ({"order": "unordered", "attribution": "step:2"}, "step:1"),
        ({"where": ["device"]}, "dict of"),
    ],
)
def test_bad_arguments(df: pd.DataFrame, kwargs: dict, match: str) -> None:
    kwargs = dict(kwargs)
    steps = kwargs.pop("steps", ["A", "B", "C"])
    with pytest.raises(UxlensError, match=match):
        Funnel(df, steps, **kwargs)


def test_unknown_step_lists_closest_names(df: pd.DataFrame) -> None:
    ev = events("signup_started@0 signup_done@1 invite_sent@2")
    with pytest.raises(UxlensError, match=r"Step 3 event 'invite_sen' .*'invite_sent'"):
        Funnel(ev, ["signup_started", "signup_done", "invite_sen"])


def test_misspelt_exclusion_is_an_error_absent_one_is_not(df: pd.DataFrame) -> None:
    Funnel(df, ["A", "B"], exclusions=[Exclusion("logout", 1, 2)])
    with pytest.raises(UxlensError, match="closest names"):
        Funnel(events("A@0 B@1 logout@2"), ["A", "B"], exclusions=[Exclusion("logut", 1, 2)])


def test_missing_columns(df: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match="Did you mean 'device'"):
        Funnel(df, ["A", "B"], breakdown="devise")
    with pytest.raises(SchemaError, match="plan"):
        Funnel(df, ["A", Step("B", where={"plan": "pro"})])
    with pytest.raises(SchemaError, match="url"):
        Funnel(df, ["A", Step("B", url="/x")])
    with pytest.raises(SchemaError, match="lacks required columns"):
        Funnel(df.drop(columns="user_id"), ["A", "B"])


def test_empty_and_wrong_events(df: pd.DataFrame) -> None:
    with pytest.raises(UxlensError, match="no events"):
        Funnel(df.iloc[0:0], ["A", "B"])
    with pytest.raises(UxlensError, match="must be an EventLog"):
        Funnel([{"event": "A"}], ["A", "B"])


def test_bad_step_objects() -> None:
    with pytest.raises(UxlensError, match="where"):
        Step("A", where="plan=pro")
    with pytest.raises(UxlensError, match="non-empty event name"):
        Step("")


def test_bad_method_arguments(f: Funnel) -> None:
    with pytest.raises(UxlensError, match="between 1 and 2"):
        f.dropped(3)
    with pytest.raises(UxlensError, match="between 1 and 2"):
        f.dropped(0)
    with pytest.raises(UxlensError, match="from_step < to_step"):
        f.time_to_convert(3, 1)
    with pytest.raises(UxlensError, match="needs a column"):
        f.compare()
    with pytest.raises(UxlensError, match="no segment 'C'"):
        f.compare(by="version", baseline="C")
    with pytest.raises(UxlensError, match="needs a funnel with a breakdown"):
        f.dropped(1, segment="A")
    with pytest.raises(UxlensError, match="'events', 'properties', 'both'"):
        f.correlations(kind="people")


def test_url_without_match_counts_zero(df: pd.DataFrame) -> None:
    ev = events("A@0 pageview@1{url=https://a.com/x}")
    assert Funnel(ev, ["A", Step("pageview", url="/nowhere")]).table()["count"].tolist() == [1, 0]


def test_raw_frame_anonymous_user_is_its_session() -> None:
    raw = pd.DataFrame(
        {
            "session_id": ["s1", "s1", "s2", "s2"],
            "user_id": [None, None, "u2", "u2"],
            "timestamp": pd.to_datetime([0, 1, 0, 5], unit="s", utc=True),
            "event": ["A", "B", "A", "C"],
        }
    )
    f = Funnel(raw, ["A", "B"])
    assert f.table()["count"].tolist() == [2, 1]
    assert f.units()["unit_id"].tolist() == ["s1", "u2"]
    assert f.dropped(1).ids == ["s2"]
