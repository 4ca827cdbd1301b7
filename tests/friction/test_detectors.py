"""Click detectors at and just past every threshold, hand-built."""

from __future__ import annotations

import pandas as pd
import pytest

from uxlens.eventlog import EventLog
from uxlens.exceptions import UxlensError
from uxlens.friction import (
    PRESETS,
    Friction,
    dead_clicks,
    error_clicks,
    flag_clicks,
    form_abandonment,
    hesitations,
    quick_backs,
    rage_clicks,
    repeated_edits,
    resolve_params,
    scroll_friction,
    thrashed_cursor,
)

from ._build import clicks, events, normalise, planted_mix


# ----------------------------------------------------------------------------- rage
@pytest.mark.parametrize(("n", "expected"), [(2, 0), (3, 1), (4, 1)])
def test_rage_needs_three_presses(n, expected):
    ev = events(clicks([i * 300 for i in range(n)]))
    bursts = rage_clicks(ev)
    assert len(bursts) == expected
    if expected:
        assert bursts["clicks"].iloc[0] == n


@pytest.mark.parametrize(("gap", "rage"), [(999, True), (1000, True), (1001, False)])
def test_rage_interval_boundary_is_inclusive(gap, rage):
    flags = flag_clicks(events(clicks([0, gap, 2 * gap])))
    assert list(flags["rage"]) == [rage] * 3


@pytest.mark.parametrize(("dx", "rage"), [(29.0, True), (30.0, True), (31.0, False)])
def test_rage_distance_boundary_is_inclusive(dx, rage):
    flags = flag_clicks(events(clicks([0, 200, 400], [100.0, 100.0 + dx, 100.0 + 2 * dx])))
    assert list(flags["rage"]) == [rage] * 3


def test_rage_distance_is_euclidean_by_default():
    # (18, 24) is exactly 30 px away: linked; Manhattan 42 would not be
    rows = [dict(t=0, event="click", x=100.0, y=100.0), dict(t=100, event="click", x=118.0, y=124.0),
            dict(t=200, event="click", x=136.0, y=148.0)]
    assert flag_clicks(events(rows))["rage"].all()
    assert not flag_clicks(events(rows), rage_distance="manhattan")["rage"].any()


def test_rage_chain_is_consecutive_and_bursts_are_numbered():
    # burst A: 3 clicks; a far click breaks the chain; burst B: 4 clicks
    times = [0, 500, 1000, 1200, 1400, 1600, 1800, 2000]
    xs = [10.0, 10, 10, 500, 10, 10, 10, 10]
    flags = flag_clicks(events(clicks(times, xs)))
    assert list(flags["rage"]) == [True, True, True, False, True, True, True, True]
    assert list(flags["rage_burst"]) == [0, 0, 0, -1, 1, 1, 1, 1]
    assert list(flags["burst_size"]) == [3, 3, 3, 1, 4, 4, 4, 4]


def test_rage_chain_spans_non_click_events_but_not_sessions_or_pages():
    rows = clicks([0, 300]) + [dict(t=350, event="mousemove", x=100.0, y=100.0)] + clicks([600])
    assert flag_clicks(events(rows))["rage"].all()
    two = pd.concat([events(clicks([0, 300]), session="a"), events(clicks([600]), session="b")])
    assert not flag_clicks(two)["rage"].any()
    pages = clicks([0, 300]) + clicks([600], url="https://app.test/other")
    assert not flag_clicks(events(pages))["rage"].any()


def test_rage_bursts_get_ids_unique_across_sessions():
    both = pd.concat([events(clicks([0, 100, 200]), session="a"),
                      events(clicks([0, 100, 200]), session="b")], ignore_index=True)
    flags = flag_clicks(both)
    assert flags.groupby("session_id")["rage_burst"].unique().map(list).to_dict() == {
        "a": [0], "b": [1]}


def test_dblclick_rows_are_not_presses():
    rows = clicks([0, 120]) + [dict(t=121, event="dblclick", x=100.0, y=100.0, target="button#go",
                                    url="https://app.test/p")]
    flags = flag_clicks(events(rows))
    assert list(flags["press"]) == [True, True, False]
    assert not flags["rage"].any()


def test_touch_followed_by_synthetic_click_is_one_press():
    rows = []
    for t in (0, 400, 800):
        rows.append(dict(t=t, event="touch", x=50.0, y=50.0, target="div.card", url="u"))
        rows.append(dict(t=t + 5, event="click", x=50.0, y=50.0, target="div.card", url="u"))
    flags = flag_clicks(events(rows))
    assert list(flags["press"]) == [False, True] * 3
    assert list(flags.loc[flags["press"], "burst_size"]) == [3, 3, 3]
    # touch alone (no synthetic click) counts
    touches = [dict(t=t, event="touch", x=50.0, y=50.0, url="u") for t in (0, 400, 800)]
    assert flag_clicks(events(touches))["rage"].all()


@pytest.mark.parametrize(
    ("preset", "times", "xs", "expected"),
    [
        ("posthog", [0, 999, 1998], [0.0, 29.0, 58.0], True),
        ("posthog", [0, 1000, 2000], [0.0, 0.0, 0.0], False),   # strict <
        ("posthog", [0, 100, 200], [0.0, 15.0, 30.0], True),
        ("posthog", [0, 100, 200], [0.0, 30.0, 60.0], False),   # |dx|+|dy| < 30
        ("datadog", [0, 500, 1000], [0.0, 100.0, 200.0], True),  # 100 px
        ("datadog", [0, 600, 1200], [0.0, 0.0, 0.0], False),    # 3 clicks must fit 1 s
        ("amplitude", [0, 300, 600], [0.0, 0.0, 0.0], False),   # needs 4
        ("amplitude", [0, 300, 600, 900], [0.0, 500.0, 0.0, 500.0], True),  # no distance
        ("amplitude", [0, 300, 600, 1001], [0.0, 0.0, 0.0, 0.0], False),   # 4 in 1000 ms
        ("openreplay", [0, 299, 598], [0.0, 0.0, 0.0], True),
        ("openreplay", [0, 300, 600], [0.0, 0.0, 0.0], False),
    ],
)
def test_rage_presets(preset, times, xs, expected):
    flags = flag_clicks(events(clicks(times, xs)), preset=preset)
    assert flags["rage"].all() == expected and flags["rage"].any() == expected


def test_datadog_and_openreplay_need_same_target():
    rows = clicks([0, 100], target="button#a") + clicks([200], target="button#b")
    assert flag_clicks(events(rows))["rage"].all()
    assert not flag_clicks(events(rows), preset="datadog")["rage"].any()


# ----------------------------------------------------------------------------- dead
@pytest.mark.parametrize(("delay", "dead"), [(2499, False), (2500, False), (2501, True)])
@pytest.mark.parametrize("answer", ["mutation", "pageview", "scroll", "selection"])
def test_dead_click_answer_window(answer, delay, dead):
    rows = [dict(t=0, event="click", x=5.0, y=5.0, target="div#app > img.decoy", url="u"),
            dict(t=delay, event=answer, url="u"),
            dict(t=60_000, event="mutation", url="u")]
    flags = flag_clicks(events(rows))
    assert flags.attrs["dead_mode"] == "mutation"
    assert bool(flags["dead"].iloc[0]) is dead


@pytest.mark.parametrize(
    ("target", "eligible"),
    [
        ("div#app > img.decoy", True),
        ("html > body > div.card > span", True),
        ("div#app > a.nav > span", False),
        ("form > button#send.primary", False),
        ("input[type=text]", False),
        ("div[role=button]", False),
        ("label", False),
        ("div#app > textarea", False),
        ("div.anchor", True),      # 'a' must be a whole tag, not a prefix
        ("div#btn-like", True),
    ],
)
def test_dead_click_targets(target, eligible):
    rows = [dict(t=0, event="click", x=5.0, y=5.0, target=target),
            dict(t=9000, event="mutation")]
    assert bool(flag_clicks(events(rows))["dead"].iloc[0]) is eligible


def test_is_interactive_column_wins_over_the_selector():
    rows = [dict(t=0, event="click", target="div.fancy-control", is_interactive=True),
            dict(t=100, event="click", target="button#x", is_interactive=False),
            dict(t=200, event="click", target="button#y", is_interactive=None),
            dict(t=9000, event="mutation")]
    assert list(flag_clicks(events(rows))["dead"]) == [False, True, False]


def test_dead_click_fallback_mode_without_mutations():
    rows = [dict(t=0, event="click", target="img.decoy"),
            dict(t=100, event="mousemove", x=1.0, y=1.0),   # pointer events never answer
            dict(t=2600, event="custom_thing"),
            dict(t=5000, event="click", target="img.decoy"),
            dict(t=7500, event="invite_sent")]
    flags = flag_clicks(events(rows))
    assert flags.attrs["dead_mode"] == "fallback"
    assert list(flags["dead"]) == [True, False]
    forced = flag_clicks(events(rows), dead_mode="mutation")
    assert forced.attrs["dead_mode"] == "mutation" and forced["dead"].all()


def test_dead_clicks_in_a_rage_burst_are_each_dead():
    rows = clicks([0, 200, 400], target="img.decoy") + [dict(t=9000, event="mutation")]
    flags = flag_clicks(events(rows))
    assert flags["rage"].all() and flags["dead"].all()


def test_dead_click_presets():
    rows = [dict(t=0, event="click", target="img.decoy"), dict(t=150, event="scroll"),
            dict(t=9000, event="mutation")]
    assert not flag_clicks(events(rows))["dead"].any()          # 2500 ms for scroll
    assert flag_clicks(events(rows), preset="posthog")["dead"].all()   # scroll 100 ms
    assert flag_clicks(events(rows), preset="datadog")["dead"].all()   # 100 ms
    # amplitude only watches clickable elements
    assert not flag_clicks(events(rows), preset="amplitude")["dead"].any()
    btn = [dict(t=0, event="click", target="button#go"), dict(t=9000, event="mutation")]
    assert flag_clicks(events(btn), preset="amplitude")["dead"].all()
    assert flag_clicks(events(btn), preset="datadog")["dead"].all()     # buttons can be dead
    link = [dict(t=0, event="click", target="nav > a.home"), dict(t=9000, event="mutation")]
    assert not flag_clicks(events(link), preset="datadog")["dead"].any()
    # openreplay: 1234 ms
    late = [dict(t=0, event="click", target="img.x"), dict(t=1235, event="mutation")]
    assert flag_clicks(events(late), preset="openreplay")["dead"].all()
    assert not flag_clicks(events(late))["dead"].any()


# ----------------------------------------------------------------------------- error
@pytest.mark.parametrize(("delay", "error"), [(0, True), (1000, True), (1001, False)])
@pytest.mark.parametrize(
    "bad",
    [dict(event="console", level="error", message="boom"),
     dict(event="network", status=500, method="POST"),
     dict(event="network", status=0, method="GET"),
     dict(event="error", message="TypeError")],
)
def test_error_click_window(bad, delay, error):
    rows = [dict(t=0, event="click", target="button#save"), dict(t=delay, **bad)]
    assert bool(flag_clicks(events(rows))["error"].iloc[0]) is error


@pytest.mark.parametrize(
    "harmless",
    [dict(event="console", level="warn", message="meh"), dict(event="network", status=399),
     dict(event="network", status=None)],
)
def test_non_errors_do_not_make_error_clicks(harmless):
    rows = [dict(t=0, event="click", target="button#save"), dict(t=10, **harmless)]
    assert not flag_clicks(events(rows))["error"].any()


def test_error_before_the_click_does_not_count():
    rows = [dict(t=0, event="console", level="error"), dict(t=0, event="click", target="b")]
    assert not flag_clicks(events(rows))["error"].any()


def test_error_click_datadog_window():
    rows = [dict(t=0, event="click", target="button#save"),
            dict(t=5000, event="network", status=502)]
    assert not error_clicks(events(rows)).shape[0]
    assert error_clicks(events(rows), preset="datadog").shape[0] == 1
    assert error_clicks(events(rows), window_ms=5000).shape[0] == 1


# ----------------------------------------------------------------------------- plumbing
def test_flag_clicks_columns_and_eventlog_input():
    ev = events(clicks([0, 100, 200]) + [dict(t=300, event="pageview", url="u")])
    flags = flag_clicks(EventLog(ev))
    assert list(flags.columns) == [
        "session_id", "seq", "timestamp", "event", "url", "x", "y", "target", "press", "rage",
        "dead", "error", "rage_burst", "burst_size"]
    assert str(flags["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert list(flags["seq"]) == [0, 1, 2]
    assert flags.attrs["params"]["rage"]["min_clicks"] == 3


def test_no_clicks_gives_an_empty_typed_table():
    flags = flag_clicks(events([dict(t=0, event="pageview", url="u")]))
    assert flags.empty and flags["rage"].dtype == bool and "rage_burst" in flags


def test_unvalidated_dataframe_is_validated():
    raw = pd.DataFrame({"session_id": ["s", "s", "s"], "user_id": "u", "event": "click",
                        "timestamp": ["2024-01-01T00:00:00.400Z", "2024-01-01T00:00:00Z",
                                      "2024-01-01T00:00:00.200Z"], "x": 1.0, "y": 1.0})
    assert flag_clicks(raw)["rage"].all()


def test_bad_parameters_raise_with_hints():
    with pytest.raises(UxlensError, match="Did you mean 'rage_min_clicks'"):
        flag_clicks(events(clicks([0])), rage_min_click=4)
    with pytest.raises(UxlensError, match="Unknown friction preset"):
        flag_clicks(events(clicks([0])), preset="hotjar")
    with pytest.raises(UxlensError, match="min_clicks must be >= 2"):
        rage_clicks(events(clicks([0])), min_clicks=1)
    with pytest.raises(UxlensError, match="targets"):
        dead_clicks(events(clicks([0])), targets="buttons")


def test_presets_only_name_known_parameters():
    for name in PRESETS:
        resolve_params(name)   # builds every detector: raises on a bad key


# ----------------------------------------------------------------------------- thrash
def _wiggle(n_moves: int, *, step_ms: int = 50, dx: float = 100.0, t0: int = 0) -> list[dict]:
    """Mousemoves alternating between x=100 and x=100+dx: n_moves moves, n_moves-1 reversals."""
    return [dict(t=t0 + i * step_ms, event="mousemove", x=100.0 + dx * (i % 2), y=300.0,
                 url="u") for i in range(n_moves + 1)]


@pytest.mark.parametrize(("moves", "found"), [(5, False), (6, True)])
def test_thrash_needs_more_than_four_reversals(moves, found):
    # 5 moves = 4 reversals (not thrash); 6 moves = 5 reversals
    out = thrashed_cursor(events(_wiggle(moves)))
    assert len(out) == int(found)
    if found:
        assert out["reversals"].iloc[0] == 5 and out["kind"].iloc[0] == "thrashed_cursor"


@pytest.mark.parametrize(("step", "found"), [(250, True), (251, False)])
def test_thrash_reversals_must_fit_the_window(step, found):
    # 5 reversals happen over 4 steps: 4 * 250 = 1000 ms (inclusive) vs 1004 ms
    assert len(thrashed_cursor(events(_wiggle(6, step_ms=step)))) == int(found)


def test_thrash_ignores_slow_and_tiny_moves():
    slow = _wiggle(10, step_ms=100, dx=20.0)      # 200 px/s < 300 px/s
    assert thrashed_cursor(events(slow)).empty
    assert len(thrashed_cursor(events(slow), min_speed_px_s=150)) == 1
    tiny = _wiggle(10, step_ms=1, dx=1.0)         # 1 px legs below min_leg_px=2
    assert thrashed_cursor(events(tiny)).empty


def test_thrash_episodes_merge_and_split():
    rows = _wiggle(12) + _wiggle(12, t0=10_000)
    out = thrashed_cursor(events(rows))
    assert list(out["reversals"]) == [11, 11]
    assert list(out["duration_ms"]) == [500, 500]


# ----------------------------------------------------------------------------- scroll
def _scrolls(ys: list[float], *, step: int = 200, page_h: int | None = None) -> list[dict]:
    rows = [dict(t=0, event="pageview", url="u", page_h=page_h, viewport_h=800)]
    rows += [dict(t=(i + 1) * step, event="scroll", scroll_y=y, url="u", page_h=page_h,
                  viewport_h=800) for i, y in enumerate(ys)]
    return rows


@pytest.mark.parametrize(("back", "found"), [(199, False), (200, True)])
def test_scroll_uturn_return_ratio(back, found):
    out = scroll_friction(events(_scrolls([0, 200, 400, 400 - back])))
    assert (out["kind"] == "scroll_uturn").sum() == int(found)


@pytest.mark.parametrize(("down", "found"), [(399, False), (400, True)])
def test_scroll_uturn_min_leg(down, found):
    out = scroll_friction(events(_scrolls([0, down, 0])))
    assert (out["kind"] == "scroll_uturn").sum() == int(found)


def test_scroll_uturn_pause_and_direction():
    late = _scrolls([0, 500]) + [dict(t=3401, event="scroll", scroll_y=100.0, url="u")]
    assert scroll_friction(events(late)).empty                     # 3001 ms after the leg
    ok = _scrolls([0, 500]) + [dict(t=3400, event="scroll", scroll_y=100.0, url="u")]
    assert len(scroll_friction(events(ok))) == 1
    up_then_down = _scrolls([1000, 500, 1000])
    assert scroll_friction(events(up_then_down)).empty


@pytest.mark.parametrize(("travel_to", "found"), [(2999, False), (3000, True)])
def test_excessive_scroll_in_page_heights(travel_to, found):
    # travel: down 1500, up 1500 = 3000 px on a 1000 px page with page_h known
    ys = [0.0, 1500.0, 1500.0 - (travel_to - 1500.0)]
    out = scroll_friction(events(_scrolls(ys, step=5000, page_h=1000)))
    assert (out["kind"] == "excessive_scroll").sum() == int(found)


def test_scroll_state_resets_on_a_new_page():
    rows = _scrolls([0, 900]) + [dict(t=500, event="pageview", url="v"),
                                 dict(t=600, event="scroll", scroll_y=0.0, url="v")]
    assert scroll_friction(events(rows)).empty


# ----------------------------------------------------------------------------- quick back
@pytest.mark.parametrize(("dwell", "found"), [(9999, True), (10_000, True), (10_001, False)])
def test_quick_back_boundary(dwell, found):
    rows = [dict(t=0, event="pageview", url="https://a.test/"),
            dict(t=1000, event="pageview", url="https://a.test/pricing"),
            dict(t=1000 + dwell, event="pageview", url="https://a.test/")]
    out = quick_backs(events(rows))
    assert len(out) == int(found)
    if found:
        assert out["url"].iloc[0] == "https://a.test/pricing"
        assert out["from_url"].iloc[0] == "https://a.test/"


def test_quick_back_needs_a_return_to_the_same_page():
    rows = [dict(t=0, event="pageview", url="/a"), dict(t=1000, event="pageview", url="/b"),
            dict(t=2000, event="pageview", url="/c")]
    assert quick_backs(events(rows)).empty
    reload = [dict(t=0, event="pageview", url="/a"), dict(t=1000, event="pageview", url="/a"),
              dict(t=2000, event="pageview", url="/a")]
    assert quick_backs(events(reload)).empty
    assert len(quick_backs(events(rows[:2] + [dict(t=3000, event="pageview", url="/a")]),
                           max_ms=2000)) == 1


# ----------------------------------------------------------------------------- forms
def _form(after: list[dict]) -> pd.DataFrame:
    rows = [dict(t=0, event="pageview", url="u"),
            dict(t=1000, event="input", target="input#email", value="****", url="u"),
            dict(t=2000, event="input", target="input#name", value="***", url="u")]
    return events(rows + after)


def test_form_abandoned_when_nothing_follows():
    out = form_abandonment(_form([]))
    assert list(out["element"]) == ["#name"] and list(out["fields"]) == [2]


@pytest.mark.parametrize(
    "after",
    [
        [dict(t=3000, event="submit", url="u")],
        [dict(t=3000, event="click", target="form > button.primary", url="u"),
         dict(t=3100, event="mutation", url="u")],
        [dict(t=3000, event="click", target="input[type=submit]", url="u"),
         dict(t=3050, event="mutation", url="u")],
        [dict(t=3000, event="pageview", url="u/next")],
    ],
)
def test_form_submitted_or_navigated_is_not_abandoned(after):
    assert form_abandonment(_form(after)).empty


def test_form_abandoned_after_rage_on_the_submit_button():
    after = [dict(t=3000 + i * 200, event="click", target="button#send-invites", x=5.0, y=5.0,
                  url="u") for i in range(4)] + [dict(t=9000, event="mutation", url="u")]
    out = form_abandonment(_form(after))
    assert len(out) == 1 and "4 rage clicks" in out["evidence"].iloc[0]


def test_form_click_elsewhere_is_not_a_submit():
    after = [dict(t=3000, event="click", target="div.help", url="u"),
             dict(t=3100, event="mutation", url="u")]
    assert len(form_abandonment(_form(after))) == 1


# ----------------------------------------------------------------------------- hesitation
@pytest.mark.parametrize(("idle", "found"), [(2999, False), (3000, True), (29_999, True),
                                             (30_000, False)])
def test_hesitation_window(idle, found):
    rows = [dict(t=0, event="pageview", url="u"),
            dict(t=idle // 2, event="mousemove", x=1.0, y=1.0),   # hovering does not reset
            dict(t=idle, event="click", target="button#plan", url="u")]
    assert len(hesitations(events(rows))) == int(found)


def test_hesitation_is_reset_by_actions():
    rows = [dict(t=0, event="pageview", url="u"), dict(t=2000, event="scroll", scroll_y=5.0),
            dict(t=4000, event="click", target="button#plan", url="u")]
    assert hesitations(events(rows)).empty


# ----------------------------------------------------------------------------- re-edits
@pytest.mark.parametrize(("visits", "found"), [(2, False), (3, True)])
def test_repeated_edit_visits(visits, found):
    rows = []
    for i in range(visits):
        rows.append(dict(t=i * 2000, event="input", target="input#email", value="*" * (i + 1)))
        rows.append(dict(t=i * 2000 + 1000, event="input", target=f"input#f{i}", value="*"))
    out = repeated_edits(events(rows))
    assert list(out["element"]) == (["#email"] if found else [])


@pytest.mark.parametrize(("clears", "found"), [(1, False), (2, True)])
def test_repeated_edit_clears(clears, found):
    values = ["***"] + ["", "****"] * clears
    rows = [dict(t=i * 100, event="input", target="textarea#emails", value=v)
            for i, v in enumerate(values)]
    out = repeated_edits(events(rows))
    assert len(out) == int(found)
    if found:
        assert out["clears"].iloc[0] == clears


# ----------------------------------------------------------------------------- engines
@pytest.mark.parametrize("preset", [None, "posthog", "datadog", "amplitude", "openreplay"])
@pytest.mark.parametrize("seed", [1, 2])
def test_numpy_and_ibis_duckdb_engines_agree(seed, preset):
    """The in-memory numpy passes and the Ibis expressions give the same signals."""
    import ibis

    ev = planted_mix(seed)
    fast = Friction(ev, preset=preset, thrash_min_speed_px_s=1.0)
    ibis_ = Friction(ev, preset=preset, thrash_min_speed_px_s=1.0,
                     backend=ibis.duckdb.connect())
    pd.testing.assert_frame_equal(normalise(fast.flags()), normalise(ibis_.flags()),
                                  check_dtype=False)
    a, b = fast.signals(), ibis_.signals()
    assert set(a["kind"]) >= {"rage_click", "dead_click", "error_click", "quick_back",
                              "scroll_uturn", "excessive_scroll", "thrashed_cursor"}
    pd.testing.assert_frame_equal(normalise(a), normalise(b), check_dtype=False)
    pd.testing.assert_frame_equal(fast.features(), ibis_.features(), check_dtype=False)
    pd.testing.assert_frame_equal(
        fast._page_sessions().sort_values(["session_id", "url"]).reset_index(drop=True),
        ibis_._page_sessions().sort_values(["session_id", "url"]).reset_index(drop=True),
        check_dtype=False)


def test_unsorted_input_is_sorted_first():
    ev = planted_mix(3, n_sessions=10)
    shuffled = ev.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(normalise(flag_clicks(shuffled)), normalise(flag_clicks(ev)))


def test_engine_output_frames_work_like_validated_ones():
    """What a heatmap hands over after an engine query: plain dtypes, other units, any order."""
    ev = planted_mix(4, n_sessions=12)
    raw = ev.assign(
        timestamp=ev["timestamp"].astype("datetime64[us, UTC]"),
        session_id=ev["session_id"].astype(object), event=ev["event"].astype(object),
        url=ev["url"].astype(object), target=ev["target"].astype(object),
    ).sample(frac=1.0, random_state=1)
    got = flag_clicks(raw)
    want = flag_clicks(ev)
    pd.testing.assert_frame_equal(normalise(got), normalise(want), check_dtype=False)
    naive = raw.assign(timestamp=raw["timestamp"].dt.tz_localize(None))
    pd.testing.assert_frame_equal(normalise(flag_clicks(naive)[["seq", "rage", "dead", "error"]]),
                                  normalise(want[["seq", "rage", "dead", "error"]]))
