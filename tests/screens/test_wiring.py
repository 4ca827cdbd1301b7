"""Screens wired into heatmaps and funnels, checked on the demo and on hand-built events.

The demo's invite page has two A/B versions that come out as two screen
states; the dashboard has a welcome modal (open / closed). Expected numbers
are computed independently from ``log.with_screens().events`` with pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uxlens.exceptions import UxlensError
from uxlens.funnel import SCREEN_ENTERED, Funnel, Step
from uxlens.heatmap import Heatmap
from uxlens.screens import screen_states

INVITE = "/onboarding/invite"


@pytest.fixture(scope="module")
def log():
    from uxlens.datasets import demo

    return demo()


@pytest.fixture(scope="module")
def events(log):
    return log.with_screens().events


@pytest.fixture(scope="module")
def invite_states(log, events):
    """{version: screen name} of the invite page, found from the data (not hard-coded)."""
    names = log.screens().for_url(INVITE)
    assert len(names) == 2
    page = events[events["url"].astype(str).str.endswith(INVITE) & events["screen"].notna()]
    pairs = page.groupby(["version", "screen"], observed=True).size().reset_index()
    # each version shows exactly one of the two states
    assert sorted(pairs["screen"].astype(str)) == sorted(names)
    assert pairs["version"].is_unique
    return dict(zip(pairs["version"].astype(str), pairs["screen"].astype(str), strict=True))


@pytest.fixture(scope="module")
def modal(log):
    found = [n for n in log.screens().for_url("/dashboard") if "modal" in n]
    assert len(found) == 1
    return found[0]


def _versions(events: pd.DataFrame) -> pd.Series:
    return events.groupby("session_id", observed=True)["version"].first().astype(str)


# --------------------------------------------------------------------------- heatmap
def test_screen_heatmap_counts_exactly_the_version_clicks(log, events, invite_states):
    for version, screen in invite_states.items():
        by_screen = Heatmap(log, url=INVITE, screen=screen, background=None)
        by_version = Heatmap(log, url=INVITE, version=version, background=None)
        cols = ["target", "clicks", "sessions", "rage", "dead", "error"]
        pd.testing.assert_frame_equal(by_screen.elements()[cols], by_version.elements()[cols])
        # independent count: click events of that version on the page
        page = events[events["url"].astype(str).str.endswith(INVITE)]
        expected = int(((page["event"] == "click") & (page["version"] == version)).sum())
        assert int(by_screen.elements()["clicks"].sum()) == expected > 0
        g1, g2 = by_screen.grid(bin_px=40), by_version.grid(bin_px=40)
        assert int(g1["count"].sum()) == int(g2["count"].sum())


def test_screen_column_added_from_recordings(log, invite_states):
    assert "screen" not in log.events.columns
    h = Heatmap(log, url=INVITE, screen=invite_states["A"], background=None)
    assert "screen" in h._shared.table.columns
    # with_() keeps the screen and shares the screen-augmented data
    other = h.with_(screen=invite_states["B"], kind="rage")
    assert other.screen == invite_states["B"] and other._shared is h._shared
    assert "screen" in h._title()


def test_screen_background_comes_from_a_session_showing_it(log, invite_states):
    screens = screen_states(log)
    for version, screen in invite_states.items():
        h = Heatmap(log, url=INVITE, screen=screen)
        src = h.background_sources()
        assert set(src["device"]) == {"desktop", "tablet", "mobile"}
        versions = _versions(log.events)
        assert (versions[src["session_id"]] == version).all()
        seg = screens.segments
        for row in src.itertuples(index=False):
            mine = seg[(seg["session_id"] == row.session_id) & (seg["screen"] == screen)]
            # rebuilt at the session's first visit to that screen
            assert int(row.taken_at.value // 1_000_000) == int(mine["taken_ms"].iloc[0])


def test_version_default_background_comes_from_that_version(log):
    versions = _versions(log.events)
    wide = Heatmap(log, url=INVITE).background_sources()
    for version in ("A", "B"):
        src = Heatmap(log, url=INVITE, version=version).background_sources()
        assert src["in_segment"].all()
        assert (versions[src["session_id"]] == version).all()
    # page-wide choice is unchanged: closest width, then session id, over all sessions
    assert wide["in_segment"].all()
    mixed = set(versions[wide["session_id"]])
    b_only = Heatmap(log, url=INVITE, version="B").background_sources()
    a_only = Heatmap(log, url=INVITE, version="A").background_sources()
    assert set(a_only["session_id"]).isdisjoint(b_only["session_id"])
    assert mixed <= {"A", "B"}


def test_segment_without_snapshot_falls_back_to_page_sessions(log):
    # a session list with a session that never visited the page
    other = log.events.loc[~log.events["url"].astype(str).str.endswith(INVITE), "session_id"]
    visited = set(log.events.loc[log.events["url"].astype(str).str.endswith(INVITE),
                                 "session_id"].astype(str))
    outside = sorted(set(other.astype(str)) - visited)[:3]
    h = Heatmap(log, url=INVITE, segment=outside, background=None)
    src = h.background_sources()
    assert not src["in_segment"].any()
    assert set(src["session_id"]) <= visited


def test_by_screen_splits_the_page_into_its_states(log, events, invite_states):
    maps = Heatmap.by_screen(log, url=INVITE, background=None)
    assert sorted(m.screen for m in maps) == sorted(invite_states.values())
    page = events[events["url"].astype(str).str.endswith(INVITE)]
    per_screen = page.groupby("screen", observed=True)["session_id"].nunique()
    assert [m.screen for m in maps] == per_screen.sort_values(ascending=False).index.tolist()
    total = Heatmap(log, url=INVITE, background=None).elements()["clicks"].sum()
    no_screen = int(((page["event"] == "click") & page["screen"].isna()).sum())
    assert sum(int(m.elements()["clicks"].sum()) for m in maps) == int(total) - no_screen
    assert [m.screen for m in Heatmap.by_screen(log, url=INVITE, top=1,
                                                background=None)] == [maps[0].screen]


def test_plot_screens_one_panel_per_screen(log):
    maps = Heatmap.by_screen(log, url=INVITE, background=None, device="desktop")
    fig = Heatmap.plot_screens(maps)
    titles = [a.text for a in fig.layout.annotations]
    for m in maps:
        n = int(m.grid()["count"].sum())
        assert any(t.startswith(m.screen) and f"{n:,} clicks" in t for t in titles)


def test_unknown_screen_lists_the_closest_names(log, invite_states):
    typo = invite_states["A"].replace("comma-separated", "comma separated")
    with pytest.raises(UxlensError) as err:
        Heatmap(log, url=INVITE, screen=typo, background=None)
    assert "Did you mean" in str(err.value) and invite_states["A"] in str(err.value)
    with pytest.raises(UxlensError, match="screen must be a screen name"):
        Heatmap(log, url=INVITE, screen=3, background=None)


def test_screen_heatmap_needs_recordings_or_column(canonical_events):
    ev = canonical_events([("s1", 0, "click", "/x")], columns=("session_id", "t", "event", "url"),
                          user_id="u1")
    with pytest.raises(UxlensError, match="recordings"):
        Heatmap(ev, url="/x", screen="a", background=None)
    # a screen column given by the user is enough
    ev["screen"] = "a"
    assert Heatmap(ev, url="/x", screen="a", background=None).screen == "a"
    with pytest.raises(UxlensError, match="Did you mean 'a'"):
        Heatmap(ev, url="/x", screen="A", background=None)


# --------------------------------------------------------------------------- funnel
def _visit_starts(events: pd.DataFrame, screen: str) -> pd.DataFrame:
    """(user_id, t) of each visit to ``screen``: events whose previous event differs."""
    ev = events.sort_values(["session_id", "seq"], kind="stable")
    scr = ev["screen"].astype(object)
    prev = scr.groupby(ev["session_id"].astype(str)).shift(1)
    start = (scr == screen) & ((prev != screen) | prev.isna())
    return ev.loc[start, ["user_id", "timestamp"]]


def test_funnel_screen_steps_count_the_users_who_saw_them(log, events, modal):
    saw_modal = events.loc[events["screen"] == modal, "user_id"].nunique()
    f = Funnel(log, [Step(screen=modal), Step(screen="Your projects")])
    table = f.table()
    assert table["label"].tolist() == [f"entered {modal}", "entered Your projects"]
    assert int(table["count"].iloc[0]) == saw_modal > 0
    # step 2: a visit to "Your projects" at or after a modal visit, within 14 days
    a = _visit_starts(events, modal).rename(columns={"timestamp": "t1"})
    b = _visit_starts(events, "Your projects").rename(columns={"timestamp": "t2"})
    pairs = a.merge(b, on="user_id")
    ok = (pairs["t2"] >= pairs["t1"]) & (pairs["t2"] - pairs["t1"] <= pd.Timedelta("14D"))
    assert int(table["count"].iloc[1]) == pairs.loc[ok, "user_id"].nunique()


def test_funnel_event_on_screen(log, events, modal):
    f = Funnel(log, ["signup_started", Step("click", screen=modal)])
    clicked = events.loc[(events["event"] == "click") & (events["screen"] == modal)]
    started = events.loc[events["event"] == "signup_started", ["user_id", "timestamp"]]
    pairs = started.merge(clicked[["user_id", "timestamp"]], on="user_id", suffixes=("1", "2"))
    ok = (pairs["timestamp2"] >= pairs["timestamp1"]) & (
        pairs["timestamp2"] - pairs["timestamp1"] <= pd.Timedelta("14D"))
    assert int(f.table()["count"].iloc[1]) == pairs.loc[ok, "user_id"].nunique() > 0
    # the drill-down log is the real one: no synthetic rows in replays
    assert SCREEN_ENTERED not in set(f.dropped(1).log.events["event"].astype(str))


def test_funnel_entered_screen_hand_computed(canonical_events):
    # u1: a, b, a (re-enters a after b); u2: b then a; u3: a only; u4: never on a screen
    rows = [
        ("s1", 0, "click", "u1", "a"), ("s1", 10, "click", "u1", "a"),
        ("s1", 20, "click", "u1", "b"), ("s1", 30, "scroll", "u1", "a"),
        ("s2", 0, "click", "u2", "b"), ("s2", 5, "click", "u2", "a"),
        ("s3", 0, "click", "u3", "a"),
        ("s4", 0, "click", "u4", None),
    ]
    ev = canonical_events(rows, columns=("session_id", "t", "event", "user_id", "screen"))
    f = Funnel(ev, [Step(screen="a"), Step(screen="b")], window="1h")
    assert f.table()["count"].tolist() == [3, 1]
    g = Funnel(ev, [Step(screen="b"), Step(screen="a")], window="1h")
    assert g.table()["count"].tolist() == [2, 2]
    # "a -> b -> a" needs two visits to a: only u1 has them
    h = Funnel(ev, [Step(screen="a"), Step(screen="b"), Step(screen="a")], window="1h")
    assert h.table()["count"].tolist() == [3, 1, 1]
    # strict: the entry rows sit at their visit's first event, which does not break the chain
    s = Funnel(ev, [Step(screen="a"), Step("click", screen="b")], window="1h", order="strict")
    assert s.table()["count"].tolist() == [3, 0]
    # the entry row copies the visit's first event: a click on b entered b
    c = Funnel(ev, [Step("click", screen="a"), Step(screen="b")], window="1h")
    assert c.table()["count"].tolist() == [3, 1]


def test_step_screen_arguments():
    s = Step(screen="a", where={"plan": "pro"})
    assert s.where == {"plan": "pro", "screen": "a"} and s.entered
    assert s.label == "entered a (plan=pro)"
    assert repr(s) == "Step(screen='a', where={'plan': 'pro'})"
    t = Step("click", screen="a")
    assert t.where == {"screen": "a"} and not t.entered and t.event == "click"
    assert Step(screen="a") == Step(screen="a") != Step("click", screen="a")
    with pytest.raises(UxlensError, match="neither"):
        Step()
    with pytest.raises(UxlensError, match="conflicts"):
        Step("click", screen="a", where={"screen": "b"})
    with pytest.raises(UxlensError, match="screen name"):
        Step(screen="")


def test_funnel_unknown_screen_and_missing_column(log, modal, canonical_events):
    typo = modal.replace("all set", "all sett")
    with pytest.raises(UxlensError) as err:
        Funnel(log, ["signup_started", Step(screen=typo)])
    assert "Did you mean" in str(err.value) and modal in str(err.value)
    ev = canonical_events([("s1", 0, "click"), ("s1", 5, "scroll")], user_id="u1")
    with pytest.raises(UxlensError, match="recordings"):
        Funnel(ev, ["click", Step(screen="a")])


def test_funnel_breakdown_by_screen_adds_the_column(log, events):
    f = Funnel(log, ["click", "scroll"], breakdown="screen", window="1h")
    t = f.table()
    step1 = t.loc[t["step"] == 1].set_index("screen")["count"].astype(int)
    # first touch: a user counts under the screen of their first click
    clicks = events.loc[events["event"] == "click"].sort_values(["timestamp", "session_id", "seq"])
    first = clicks.drop_duplicates("user_id")
    expected = first["screen"].astype(object).fillna("(none)").value_counts()
    assert step1.sort_index().to_dict() == expected.astype(int).sort_index().to_dict()


# --------------------------------------------------------------------------- browser
@pytest.mark.browser
@pytest.mark.slow
def test_version_background_image_is_its_own_snapshot(log):
    from uxlens.render import browser_available

    ok, why = browser_available()
    if not ok:
        pytest.skip(why)
    a = Heatmap(log, url=INVITE, version="A", device="desktop")
    b = a.with_(version="B")
    img_a, img_b = a.background_image("desktop"), b.background_image("desktop")
    assert img_a["kind"] == img_b["kind"] == "snapshot"
    assert img_a["source"] != img_b["source"]
    assert np.isclose(img_a["width"], img_b["width"])


def test_screen_entry_rows_are_not_correlates(log):
    f = Funnel(log, ["signup_started", Step(screen="Tell us about your team"), "onboarding_done"])
    names = set(f.correlations(kind="events")["name"])
    assert SCREEN_ENTERED not in names and "signup_done" in names
