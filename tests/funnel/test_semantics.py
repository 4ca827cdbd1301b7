"""Every rule of reference/funnel-semantics.md, on hand-computed cases.

Each case lists units' timelines (``EVENT@seconds``) and the expected count at
every step, worked out by hand from the rules; comments give the reasoning.
Filler units (``z:``) only hold events that make a step name exist in the data
without entering the funnel (ordered funnels need a step-1 event).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uxlens.funnel import Exclusion, Funnel, Step

from ._build import events

# Every case on both row paths: from the frame and from the query engine.
pytestmark = pytest.mark.usefixtures("rows_path")

ABC = ["A", "B", "C"]


def counts(timelines: list[str], steps=ABC, **kw) -> list[int]:
    return Funnel(events(*timelines), steps, **kw).table()["count"].tolist()


def times(timelines: list[str], steps=ABC, **kw) -> pd.DataFrame:
    return Funnel(events(*timelines), steps, **kw).table()[["median_time_s", "mean_time_s"]]


# ----------------------------------------------------------------- counting
CASES = {
    # Units are scored by their furthest step; counts are "furthest >= k".
    "chain": (["A@0 B@1 C@2"], {}, [1, 1, 1]),
    "furthest_per_unit": (["A@0 B@1", "A@0", "A@0 B@1 C@2"], {}, [3, 2, 1]),
    # B before A does not count, C after A is out of order without B.
    "out_of_order": (["B@0 A@1 C@2"], {}, [1, 0, 0]),
    # Other events between steps are allowed in ordered funnels.
    "others_between": (["A@0 X@1 B@2 Y@3 C@4"], {}, [1, 1, 1]),
    # A unit without a step-1 event is not in the funnel at all.
    "no_step_one": (["B@0 C@1", "A@5"], {}, [1, 0, 0]),
    # --- window (from the step-1 event, boundary inclusive, elapsed time)
    "window_boundary_inclusive": (["A@0 B@600", "z: C@0"], {"window": "10min"}, [1, 1, 0]),
    "window_one_ms_past": (["A@0 B@600.001", "z: C@0"], {"window": "10min"}, [1, 0, 0]),
    # C is 12 min after A: step-to-step gaps (6 min) do not matter.
    "window_from_step_one": (["A@0 B@360 C@720"], {"window": "10min"}, [1, 1, 0]),
    # --- attempts
    # Furthest attempt: the first attempt reached B, the second only A.
    "repeated_step_one_furthest": (["A@0 B@1 A@2", "z: C@0"], {}, [1, 1, 0]),
    # The first attempt timed out (B 25 min after it), the retry at 20 min converts.
    "retry_after_timeout": (["A@0 A@1200 B@1500", "z: C@0"], {"window": "10min"}, [1, 1, 0]),
    # B at 12 min is outside the first attempt's window, inside the second's.
    "most_recent_attempt_advances": (["A@0 A@300 B@720", "z: C@0"], {"window": "10min"},
                                     [1, 1, 0]),
    # The attempt at step 2 started at 0; C at 11 min is past its window. The
    # attempt started at 8 min never reached B, so it cannot use C.
    "attempt_at_step_keeps_its_start": (["A@0 B@60 A@480 C@660"], {"window": "10min"},
                                        [1, 1, 0]),
    # --- one event fills one step
    "same_event_twice_one_event": (["A@0"], {"steps": ["A", "A"]}, [1, 0]),
    "same_event_twice_two_events": (["A@0 A@1"], {"steps": ["A", "A"]}, [1, 1]),
    "repeated_step_later": (["A@0 B@1", "A@0 B@1 A@2"], {"steps": ["A", "B", "A"]}, [2, 2, 1]),
    "three_times_two_events": (["A@0 A@1"], {"steps": ["A", "A", "A"]}, [1, 1, 0]),
    # Shared events take the state-machine path: check its window boundary too.
    "same_event_twice_boundary": (["A@0 A@600", "A@0 A@600.001"],
                                  {"steps": ["A", "A"], "window": "10min"}, [2, 1]),
    # --- same timestamp
    # Step 1 and step 2 at the same instant convert (applied in step order),
    # whatever their order in the input.
    "same_instant_converts": (["A@0 B@0", "z: C@0"], {}, [1, 1, 0]),
    "same_instant_input_reversed": (["B@0 A@0", "z: C@0"], {}, [1, 1, 0]),
    "same_instant_three_steps": (["C@5 B@5 A@5"], {}, [1, 1, 1]),
    # Identical events at one instant count once: two A at the same ms are one
    # event, so the [A, A] funnel does not convert.
    "identical_instant_count_once": (["A@0#s1 A@0#s2"], {"steps": ["A", "A"]}, [1, 0]),
    # Two B at the same instant: still one unit at step 2.
    "identical_step_two_twice": (["A@0 B@1 B@1", "z: C@0"], {}, [1, 1, 0]),
    # --- strict
    "strict_breaker": (["A@0 X@1 B@2", "z: C@0"], {"order": "strict"}, [1, 0, 0]),
    "strict_consecutive": (["A@0 B@1 C@2 X@3"], {"order": "strict"}, [1, 1, 1]),
    # A new step-1 event starts over after the break.
    "strict_restart": (["A@0 X@1 A@2 B@3", "z: C@0"], {"order": "strict"}, [1, 1, 0]),
    "strict_repeated_step_one": (["A@0 A@1 B@2", "z: C@0"], {"order": "strict"}, [1, 1, 0]),
    # C is a funnel event but not the next step: it breaks the chain too.
    "strict_wrong_step_breaks": (["A@0 C@1 B@2"], {"order": "strict"}, [1, 0, 0]),
    "strict_window": (["A@0 B@601", "z: C@0"], {"order": "strict", "window": "10min"},
                      [1, 0, 0]),
    "strict_window_boundary_inclusive": (["A@0 B@600", "z: C@0"],
                                         {"order": "strict", "window": "10min"}, [1, 1, 0]),
    # A different event at the same instant as B does not break (no strictness
    # inside a same-instant group).
    "strict_same_instant_other_event": (["A@0 X@1 B@1", "z: C@0"], {"order": "strict"},
                                        [1, 1, 0]),
    # --- unordered
    "unordered_any_order": (["C@0 A@1 B@2"], {"order": "unordered"}, [1, 1, 1]),
    # Units that never did step 1 still count at step 1.
    "unordered_without_step_one": (["B@0", "B@0 C@1", "z: A@0"], {"order": "unordered"},
                                   [3, 1, 0]),
    # C at 15 min: A (0) left the window, {B, C} = 2 steps.
    "unordered_sliding_window": (["A@0 B@480 C@900"], {"order": "unordered", "window": "10min"},
                                 [1, 1, 0]),
    "unordered_window_boundary": (["A@0 B@480 C@600"], {"order": "unordered", "window": "10min"},
                                  [1, 1, 1]),
    # One A fills one of the two A steps.
    "unordered_repeated_step_one_event": (["A@0 B@1"], {"order": "unordered",
                                                        "steps": ["A", "A", "B"]}, [1, 1, 0]),
    "unordered_repeated_step_two_events": (["A@0 A@1 B@2"], {"order": "unordered",
                                                             "steps": ["A", "A", "B"]},
                                           [1, 1, 1]),
    # --- unit
    "unit_user_across_sessions": (["A@0#s1 B@300#s2", "z: C@0"], {"window": "10min"},
                                  [1, 1, 0]),
    "unit_session_splits": (["A@0#s1 B@300#s2", "z: C@0"],
                            {"window": "10min", "unit": "session"}, [1, 0, 0]),
    "unit_session_counts_sessions": (["A@0#s1 A@0#s2 B@1#s2", "z: C@0"], {"unit": "session"},
                                     [2, 1, 0]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_counts(name: str) -> None:
    timelines, kw, expected = CASES[name]
    kw = dict(kw)
    steps = kw.pop("steps", ABC)
    assert counts(timelines, steps, **kw) == expected


# ------------------------------------------------------------------ exclusions
X12 = [Exclusion("X", from_step=1, to_step=2)]
X23 = [Exclusion("X", from_step=2, to_step=3)]
X13 = [Exclusion("X", from_step=1, to_step=3)]

EXCLUSION_CASES = {
    # The furthest attempt is excluded: the unit disappears from every step.
    "removes_unit_everywhere": (["A@0 X@1 B@2 C@3", "A@0"], X12, {}, [1, 0, 0]),
    # The step-j event does not have to happen.
    "step_j_not_needed": (["A@0 X@1", "A@0 B@1", "z: C@0"], X12, {}, [1, 1, 0]),
    # An exclusion event after the attempt's window does not count.
    "after_window_ignored": (["A@0 X@601", "z: B@0 C@0"], X12, {"window": "10min"}, [1, 0, 0]),
    # The window boundary is inclusive for exclusions as well.
    "at_window_boundary_counts": (["A@0 X@600", "z: B@0 C@0"], X12, {"window": "10min"},
                                  [0, 0, 0]),
    # After the attempt reached step j, the exclusion no longer applies.
    "after_step_j_ignored": (["A@0 B@1 X@2 C@3"], X12, {}, [1, 1, 1]),
    # Before reaching step i (2), an exclusion 2->3 does not apply.
    "before_step_i_ignored": (["A@0 X@1 B@2 C@3"], X23, {}, [1, 1, 1]),
    "between_i_and_j": (["A@0 B@1 X@2 C@3", "A@0 B@1"], X23, {}, [1, 1, 0]),
    "span_1_to_3": (["A@0 B@1 X@2 C@3", "A@0"], X13, {}, [1, 0, 0]),
    # A clean attempt reaching the same step saves the unit.
    "clean_attempt_saves": (["A@0 X@1 B@2 A@5 B@6", "z: C@0"], X12, {}, [1, 1, 0]),
    # A clean attempt reaching only a lower step does not save it.
    "clean_lower_attempt_does_not_save": (["A@0 B@1 X@2 A@5", "z: C@0"], X23, {}, [0, 0, 0]),
    # A clean attempt reaching further also decides the unit.
    "clean_further_attempt_wins": (["A@0 B@1 X@2 A@5 B@6 C@7"], X23, {}, [1, 1, 1]),
    # Exclusion at the same instant as the next step: no exclusions inside a
    # same-instant group of different events.
    "same_instant_exclusion_ignored": (["A@0 X@1 B@1", "z: C@0"], X12, {}, [1, 1, 0]),
    # Strict funnels apply exclusions too.
    "strict_exclusion": (["A@0 X@1", "A@0 B@1", "z: C@0"], X12, {"order": "strict"}, [1, 1, 0]),
    # Unordered: an exclusion resets progress but keeps what was reached,
    # and never removes the unit.
    "unordered_reset_keeps_recorded": (["A@0 B@1 X@2 C@3"], X13, {"order": "unordered"},
                                       [1, 1, 0]),
    "unordered_never_removes": (["A@0 X@1", "z: B@0 C@0"], X13, {"order": "unordered"},
                                [2, 1, 0]),
}


@pytest.mark.parametrize("name", list(EXCLUSION_CASES))
def test_exclusions(name: str) -> None:
    timelines, exclusions, kw, expected = EXCLUSION_CASES[name]
    assert counts(timelines, ABC, exclusions=exclusions, **kw) == expected


def test_unordered_exclusion_counts_filler_unit_correctly() -> None:
    # The z unit did B and C (2 distinct steps) and is counted like any other.
    f = Funnel(events("A@0 X@1", "z: B@0 C@0"), ABC, order="unordered", exclusions=X13)
    assert f.units().set_index("unit_id")["reached"].to_dict() == {"u1": 1, "z": 2}


# ---------------------------------------------------------------- step filters
def test_step_where_equality() -> None:
    ev = events("A@0 B@1{plan=pro}", "A@0 B@1{plan=free}", "A@0 B@1")
    f = Funnel(ev, ["A", Step("B", where={"plan": "pro"})])
    assert f.table()["count"].tolist() == [3, 1]


def test_step_where_list_and_missing() -> None:
    ev = events("A@0 B@1{plan=pro}", "A@0 B@1{plan=team}", "A@0 B@1{plan=free}", "A@0 B@1")
    assert Funnel(ev, ["A", Step("B", where={"plan": ["pro", "team"]})]).table()[
        "count"
    ].tolist() == [4, 2]
    assert Funnel(ev, ["A", Step("B", where={"plan": None})]).table()["count"].tolist() == [4, 1]


def test_step_url_pattern() -> None:
    ev = events(
        "A@0 pageview@1{url=https://app.example.com/onboarding/invite}",
        "A@0 pageview@1{url=https://app.example.com/pricing}",
        "A@0 pageview@1{url=https://app.example.com/onboarding/profile?x=1}",
    )
    f = Funnel(ev, ["A", Step("pageview", url="/onboarding/*")])
    assert f.table()["count"].tolist() == [3, 2]
    exact = Funnel(ev, ["A", Step("pageview", url="/pricing")])
    assert exact.table()["count"].tolist() == [3, 1]


def test_step_target_selector_matches_closest() -> None:
    ev = events(
        "A@0 click@1{target=body > div.modal > button#send.btn > span}",
        "A@0 click@1{target=body > div.modal > button#cancel.btn}",
        "A@0 click@1{target=body > button#send}",
    )
    assert Funnel(ev, ["A", Step("click", target="#send")]).table()["count"].tolist() == [3, 2]
    nested = Funnel(ev, ["A", Step("click", target="div.modal > button.btn")])
    assert nested.table()["count"].tolist() == [3, 2]


def test_global_where_removes_events_before_strict() -> None:
    # The desktop X would break the strict chain; the global filter removes it.
    ev = events("A@0{device=mobile} X@1{device=desktop} B@2{device=mobile}", "z: C@0{device=mobile}")
    assert counts(["A@0 X@1 B@2", "z: C@0"], order="strict") == [1, 0, 0]
    f = Funnel(ev, ABC, order="strict", where={"device": "mobile"})
    assert f.table()["count"].tolist() == [1, 1, 0]


# --------------------------------------------------------------- conversion times
def test_times_mean_and_median_across_units() -> None:
    t = times(["A@0 B@60", "A@0 B@180", "A@0 B@30"], ["A", "B"])
    assert np.isnan(t["median_time_s"].iloc[0])
    assert t["median_time_s"].iloc[1] == 60.0
    assert t["mean_time_s"].iloc[1] == 90.0


def test_times_from_latest_step_one_of_deciding_attempt() -> None:
    # B is 1 min after the latest A (the attempt that converted), not 3 min.
    t = times(["A@0 A@120 B@180"], ["A", "B"])
    assert t["median_time_s"].iloc[1] == 60.0


def test_times_from_first_attempt_to_reach_furthest() -> None:
    # Attempt 1 reaches B after 120 s; the later attempt (1 s) does not replace it.
    t = times(["A@0 B@120 A@300 B@301"], ["A", "B"])
    assert t["median_time_s"].iloc[1] == 120.0


def test_times_per_step_and_retry() -> None:
    f = Funnel(events("A@0 A@1200 B@1500 C@1530"), ABC, window="10min")
    t = f.table()
    assert t["median_time_s"].tolist()[1:] == [300.0, 30.0]
    at = f.units().iloc[0]
    assert at["step_1_at"] == pd.Timestamp("2024-03-04 09:20", tz="UTC")


def test_times_include_same_instant_zero() -> None:
    t = times(["A@0 B@0", "A@0 B@10"], ["A", "B"])
    assert t["mean_time_s"].iloc[1] == 5.0


def test_unordered_times_in_time_order() -> None:
    t = times(["C@0 A@60 B@180"], order="unordered")
    assert t["median_time_s"].tolist()[1:] == [60.0, 120.0]


def test_excluded_unit_gives_no_time() -> None:
    t = times(["A@0 X@1 B@5", "A@0 B@20"], ["A", "B"], exclusions=[Exclusion("X", 1, 2)])
    assert t["median_time_s"].iloc[1] == 20.0


# ------------------------------------------------------------------ breakdowns
def _blocks(f: Funnel) -> dict[str, list[int]]:
    t = f.table()
    col = f.breakdown
    return {v: g["count"].tolist() for v, g in t.groupby(col, sort=False)}


MIXED = "A@0{device=mobile} B@1{device=desktop}"


def test_breakdown_first_touch() -> None:
    f = Funnel(events(MIXED), ["A", "B"], breakdown="device")
    assert _blocks(f) == {"mobile": [1, 1]}


def test_breakdown_last_touch() -> None:
    f = Funnel(events(MIXED), ["A", "B"], breakdown="device", attribution="last_touch")
    assert _blocks(f) == {"desktop": [1, 1]}


def test_breakdown_last_touch_is_furthest_reached_step() -> None:
    ev = events("A@0{device=mobile} B@1{device=tablet} X@2{device=desktop}", "z: C@0{device=x}")
    f = Funnel(ev, ABC, breakdown="device", attribution="last_touch")
    assert _blocks(f) == {"tablet": [1, 1, 0]}


def test_breakdown_all_events_runs_per_value() -> None:
    # mobile events: A@0, B@3 -> converts; desktop events: B@1, A@2 -> step 1 only.
    ev = events("A@0{device=mobile} B@1{device=desktop} A@2{device=desktop} B@3{device=mobile}")
    f = Funnel(ev, ["A", "B"], breakdown="device", attribution="all_events")
    assert _blocks(f) == {"desktop": [1, 0], "mobile": [1, 1]}


def test_breakdown_step_n_unit_under_several_values() -> None:
    # Step-2 events carry y and z: the unit converts under both values; the
    # second unit has no step-2 event and falls in "(none)".
    ev = events("A@0{v=x} B@1{v=y} B@2{v=z}", "A@0{v=x}")
    f = Funnel(ev, ["A", "B"], breakdown="v", attribution="step:2")
    assert _blocks(f) == {"y": [1, 1], "z": [1, 1], "(none)": [1, 0]}


def test_breakdown_step_n_value_must_fill_that_step() -> None:
    # Under value y, only B@5 may fill step 2; it is outside the 1-minute window.
    ev = events("A@0{v=x} B@1{v=z} B@65{v=y}")
    f = Funnel(ev, ["A", "B"], window="1min", breakdown="v", attribution="step:2")
    assert _blocks(f) == {"z": [1, 1], "y": [1, 0]}


def test_breakdown_missing_value_is_none_group() -> None:
    ev = events("A@0{device=mobile} B@1", "A@0 B@1", "A@0{device=None}")
    f = Funnel(ev, ["A", "B"], breakdown="device")
    assert _blocks(f) == {"(none)": [2, 1], "mobile": [1, 1]}
    assert f.table()["device"].iloc[-1] == "(none)"


def test_breakdown_table_order_and_columns() -> None:
    ev = events("A@0{d=b} B@1{d=b}", "A@0{d=a}", "A@0{d=b}")
    t = Funnel(ev, ["A", "B"], breakdown="d").table()
    assert list(t.columns)[:3] == ["d", "step", "label"]
    assert t["d"].tolist() == ["b", "b", "a", "a"]
    assert t["conversion"].tolist() == [1.0, 0.5, 1.0, 0.0]


def test_unordered_step_one_attribution() -> None:
    # The first event kept must carry the value: under "p" the unit starts at B.
    ev = events("A@0{v=q} B@1{v=p} C@2{v=q}")
    f = Funnel(ev, ABC, order="unordered", breakdown="v", attribution="step:1")
    assert _blocks(f) == {"p": [1, 1, 0], "q": [1, 1, 1]}
