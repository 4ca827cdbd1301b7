"""SessionList: friction columns and sorting by friction, duration and errors.

The log is built by hand: "angry" clicks the same button four times in 600 ms
(one rage burst: 3.0 points x 4 clicks / 3 = 4.0), "broken" clicks Save and a
JS error follows 500 ms later (an error click: 2.5 points) plus a second
error, "calm" clicks once after a minute, "quiet" only views a page.
"""

from __future__ import annotations

import pandas as pd
import pytest

from uxlens.eventlog import SessionList
from uxlens.exceptions import UxlensError
from uxlens.io.table import read_events

T = pd.Timestamp("2024-05-01 10:00", tz="UTC")
ROWS = [
    ("calm", 0, "pageview", None, None, None, None),
    ("calm", 60_000, "click", 50.0, 60.0, "a#help", None),
    ("angry", 0, "pageview", None, None, None, None),
    ("angry", 1000, "click", 10.0, 20.0, "button#go", None),
    ("angry", 1200, "click", 10.0, 20.0, "button#go", None),
    ("angry", 1400, "click", 10.0, 20.0, "button#go", None),
    ("angry", 1600, "click", 10.0, 20.0, "button#go", None),
    ("broken", 0, "pageview", None, None, None, None),
    ("broken", 1500, "click", 300.0, 400.0, "button#save", None),
    ("broken", 2000, "error", None, None, None, "TypeError: x is undefined"),
    ("broken", 3000, "error", None, None, None, "TypeError: y is undefined"),
    ("broken", 5000, "pageview", None, None, None, None),
    ("quiet", 0, "pageview", None, None, None, None),
]


@pytest.fixture(scope="module")
def sessions() -> SessionList:
    df = pd.DataFrame(ROWS, columns=["session_id", "ms", "event", "x", "y", "target", "message"])
    df["timestamp"] = T + pd.to_timedelta(df.pop("ms"), unit="ms")
    df["user_id"] = "u"
    df["url"] = "/a"
    return read_events(df).sessions()


def test_summary_columns_the_sorts_use(sessions: SessionList) -> None:
    f = sessions.frame.set_index("session_id")
    assert f["duration_s"].to_dict() == {"angry": 1.6, "broken": 5.0, "calm": 60.0, "quiet": 0.0}
    assert f["errors"].to_dict() == {"angry": 0, "broken": 2, "calm": 0, "quiet": 0}


def test_with_friction_adds_score_and_reason_in_table_order(sessions: SessionList) -> None:
    out = sessions.with_friction()
    assert out.ids == sessions.ids == ["angry", "broken", "calm", "quiet"]
    assert out.frame[["session_id", "friction_score", "friction_reason"]].to_numpy().tolist() == [
        ["angry", 4.0, "4 rage clicks on #go, then left"],
        ["broken", 2.5, "1 error click on #save"],
        ["calm", 0.0, "no friction signals"],
        ["quiet", 0.0, "no friction signals"],
    ]
    assert str(out.frame["friction_score"].dtype) == "float64"
    assert "friction_score" not in sessions.frame  # the original list is unchanged
    assert list(out.frame.columns[:-2]) == list(sessions.frame.columns)


def test_with_friction_on_a_subset_and_with_weights(sessions: SessionList) -> None:
    sub = sessions.sort("duration").head(2)  # calm, broken
    out = sub.with_friction(weights={"error_click": 5.0})
    assert out.frame[["session_id", "friction_score"]].to_numpy().tolist() == [
        ["calm", 0.0], ["broken", 5.0]]


def test_sort_by_friction_computes_the_column(sessions: SessionList) -> None:
    by = sessions.sort("friction")
    assert by.ids == ["angry", "broken", "calm", "quiet"]  # ties keep table order
    assert by.frame["friction_score"].tolist() == [4.0, 2.5, 0.0, 0.0]
    assert sessions.sort("friction", ascending=True).ids == ["calm", "quiet", "broken", "angry"]
    assert sessions.with_friction().sort("friction_score", ascending=True).ids == [
        "calm", "quiet", "broken", "angry"]


def test_sort_by_duration_and_errors(sessions: SessionList) -> None:
    assert sessions.sort("duration").ids == ["calm", "broken", "angry", "quiet"]
    assert sessions.sort("duration_s", ascending=True).ids == ["quiet", "angry", "broken", "calm"]
    assert sessions.sort("errors").ids == ["broken", "angry", "calm", "quiet"]
    s = sessions.sort("errors")
    assert s[0].session_id == "broken" and s.log is sessions.log


def test_sort_by_an_unknown_column_says_what_exists(sessions: SessionList) -> None:
    with pytest.raises(UxlensError, match=r"Cannot sort sessions by 'erors'.*'errors'") as err:
        sessions.sort("erors")
    assert "friction" in str(err.value)
