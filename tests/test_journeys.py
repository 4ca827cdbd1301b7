"""Journeys on hand-built sessions: exact paths, transitions, step matrices, loops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uxlens.eventlog import EventLog
from uxlens.events import validate
from uxlens.exceptions import UxlensError
from uxlens.journeys import EXIT, Journeys

T0 = pd.Timestamp("2024-03-01T10:00:00Z")


def _log() -> EventLog:
    rows = []

    def visit(sid, uid, seconds, path, event="pageview"):
        rows.append((sid, uid, T0 + pd.Timedelta(seconds=seconds), event, f"https://acme.io{path}"))

    # s1: reload of /signup collapses; a 31-minute gap starts a second journey.
    for s, p in [(0, "/"), (10, "/signup"), (20, "/signup"), (30, "/pricing"), (40, "/signup")]:
        visit("s1", "u1", s, p)
    rows.append(("s1", "u1", T0 + pd.Timedelta(seconds=42), "click", "https://acme.io/signup"))
    visit("s1", "u1", 40 + 31 * 60, "/")
    # s2: back and forth between / and /pricing.
    for s, p in [(0, "/"), (3, "/pricing"), (6, "/"), (9, "/pricing")]:
        visit("s2", "u2", s, p)
    # s3: converts.
    for s, p in [(0, "/"), (5, "/signup"), (65, "/dashboard")]:
        visit("s3", "u3", s, p)
    frame = pd.DataFrame(rows, columns=["session_id", "user_id", "timestamp", "event", "url"])
    return EventLog(validate(frame).events)


@pytest.fixture(scope="module")
def journeys() -> Journeys:
    return Journeys(_log(), goal="/dashboard")


def test_journeys_split_at_gap_and_collapse_repeats(journeys):
    j = journeys.journeys_.set_index("journey_id")
    assert j.loc["s1#1", "nodes"] == ("/", "/signup", "/pricing", "/signup")
    assert j.loc["s1#2", "nodes"] == ("/",)
    assert j.loc["s2#1", "nodes"] == ("/", "/pricing", "/", "/pricing")
    assert j.loc["s3#1", "nodes"] == ("/", "/signup", "/dashboard")
    assert len(j) == 4
    assert j["converted"].tolist() == [0.0, 0.0, 0.0, 1.0]


def test_no_collapse_keeps_the_reload():
    j = Journeys(_log(), collapse_repeats=False).journeys_.set_index("journey_id")
    assert j.loc["s1#1", "nodes"] == ("/", "/signup", "/signup", "/pricing", "/signup")


def test_user_unit_without_gap_is_one_journey_per_user():
    j = Journeys(_log(), unit="user", session_gap=None).journeys_.set_index("journey_id")
    assert j.loc["u1#1", "nodes"] == ("/", "/signup", "/pricing", "/signup", "/")
    assert j.loc["u1#1", "session_id"] == "s1"


def test_transitions_exact(journeys):
    t = journeys.transitions().set_index(["node", "next"])
    assert t.loc[("/", "/signup"), "count"] == 2
    assert t.loc[("/", "/pricing"), "count"] == 2
    assert t.loc[("/", EXIT), "count"] == 1
    assert t.loc[("/", "/signup"), "probability"] == pytest.approx(0.4)
    assert t.loc[("/", EXIT), "probability"] == pytest.approx(0.2)
    assert t.loc[("/signup", "/dashboard"), "probability"] == pytest.approx(1 / 3)
    assert t.loc[("/", "/signup"), "median_s"] == pytest.approx(7.5)  # 10 s (s1) and 5 s (s3)
    assert t.loc[("/signup", "/dashboard"), "mean_s"] == pytest.approx(60.0)
    assert t["count"].sum() == 12  # 4 + 1 + 4 + 3 steps, each with one outgoing edge
    sums = t.groupby(level="node")["probability"].sum()
    assert np.allclose(sums, 1.0)


def test_step_matrix_exact(journeys):
    m = journeys.step_matrix(steps=4)
    assert m.loc["/", 1] == 1.0
    assert m.loc["/signup", 2] == 0.5 and m.loc["/pricing", 2] == 0.25 and m.loc[EXIT, 2] == 0.25
    assert m.loc["/dashboard", 3] == 0.25 and m.loc[EXIT, 3] == 0.25
    assert m.loc[EXIT, 4] == 0.5
    assert np.allclose(m.sum(axis=0), 1.0)
    assert m.index[-1] == EXIT
    # By share at step 1, ties (0 for all but "/") by node name, "(exit)" last.
    assert m.index.tolist() == ["/", "/dashboard", "/pricing", "/signup", EXIT]


def test_paths_share_and_conversion(journeys):
    p = journeys.paths()
    assert len(p) == 4 and p["journeys"].tolist() == [1, 1, 1, 1]
    assert p["path"].tolist() == sorted(p["path"])  # ties by path text
    assert p["share"].tolist() == [0.25] * 4
    conv = p.set_index("path")["conversion"]
    assert conv["/ → /signup → /dashboard"] == 1.0
    assert conv["/ → /pricing → / → /pricing"] == 0.0


def test_loops_found_with_frequencies(journeys):
    loops = journeys.loops().set_index("loop")
    assert loops.loc["/ ⇄ /pricing", "occurrences"] == 2
    assert loops.loc["/ ⇄ /pricing", "journeys"] == 1
    assert loops.loc["/pricing ⇄ /signup", "occurrences"] == 1
    assert loops.loc["/ ⇄ /pricing", "exit_after"] == 1.0
    assert set(journeys.sessions(loop=("/pricing", "/")).ids) == {"s2"}


def test_dropoffs_exact(journeys):
    d = journeys.dropoffs(min_visits=1).set_index("node")
    assert "/dashboard" not in d.index  # the goal is not a drop-off
    assert d.loc["/", "visits"] == 5 and d.loc["/", "exits"] == 1
    assert d.loc["/", "baseline"] == pytest.approx(2 / 6)
    assert d.loc["/signup", "exit_rate"] == pytest.approx(1 / 3)
    assert d.loc["/signup", "lift"] == pytest.approx((1 / 3) / 0.25)


def test_sessions_links(journeys):
    assert set(journeys.sessions(node="/dashboard").ids) == {"s3"}
    assert set(journeys.sessions(edge=("/", "/pricing")).ids) == {"s2"}
    with pytest.raises(UxlensError, match="Did you mean '/signup'"):
        journeys.sessions(node="/sigup")


def test_patterns_group_dynamic_urls():
    frame = pd.DataFrame(
        {
            "session_id": ["a", "a", "b"],
            "user_id": ["u", "u", "v"],
            "timestamp": [T0, T0 + pd.Timedelta("1s"), T0],
            "event": ["pageview"] * 3,
            "url": ["https://x.io/project/12", "https://x.io/project/99/settings", "https://x.io/project/7"],
        }
    )
    j = Journeys(EventLog(validate(frame).events), patterns=["/project/*/settings", "/project/*"])
    assert j.journeys_.set_index("journey_id").loc["a#1", "nodes"] == ("/project/*", "/project/*/settings")
    assert j.transitions().set_index(["node", "next"]).loc[("/project/*", EXIT), "count"] == 1


def test_event_nodes_skip_passive_rows():
    j = Journeys(_log(), node="event", session_gap=None)
    assert j.journeys_.set_index("journey_id").loc["s1#1", "nodes"] == ("pageview", "click", "pageview")


def test_sankey_has_exit_nodes(journeys):
    fig = journeys.sankey(steps=3, min_share=0)
    labels = list(fig.data[0].node.label)
    assert EXIT in labels and "/dashboard" in labels
    assert sum(fig.data[0].link.value) == 10  # steps 1..3: 4 + 3 + 3 journeys still going


def test_clusters_partition_journeys(journeys):
    table = journeys.clusters(k=2)
    assert table["journeys"].sum() == 4
    assert len(journeys.cluster_labels_) == 4


def test_bad_arguments():
    with pytest.raises(UxlensError, match="unit must be"):
        Journeys(_log(), unit="team")
    with pytest.raises(UxlensError, match="session_gap must be positive"):
        Journeys(_log(), session_gap="0s")


def test_screen_nodes_are_found_from_recordings():
    import uxlens as ux

    j = Journeys(ux.demo(), node="screen")
    nodes = set(j.steps_["node"])
    assert "Invite your teammates — use comma-separated emails" in nodes  # version A
    assert "Invite your teammates — Add comma-separated emails" in nodes  # version B
    assert "screen" in j.log.events.columns


def test_screen_nodes_need_a_column_or_recordings():
    with pytest.raises(UxlensError, match="node='screen' needs"):
        Journeys(_log(), node="screen").paths()


# ------------------------------------------------------------------ new API
def test_transitions_as_matrix_exact(journeys):
    m = journeys.transitions(as_matrix=True)
    assert list(m.index) == list(m.columns) == ["/", "/dashboard", "/pricing", "/signup", EXIT]
    assert m.loc["/", "/signup"] == pytest.approx(0.4) and m.loc["/", EXIT] == pytest.approx(0.2)
    assert m.loc["/pricing", "/"] == pytest.approx(1 / 3) and m.loc["/", "/"] == 0.0
    assert (m.loc[EXIT] == 0).all()
    assert np.allclose(m.drop(index=EXIT).sum(axis=1), 1.0)


def test_compare_step_matrix_exact(journeys):
    # A: s1 (journeys / /signup /pricing /signup and /), B: s2 (/ /pricing / /pricing).
    d = journeys.compare_step_matrix(["s1"], journeys.sessions(node="/dashboard").ids + ["s2"], steps=3)
    a = journeys._step_matrix_of(journeys.steps_.query("session_id == 's1'"), 3)
    assert a.loc["/signup", 2] == 0.5 and a.loc[EXIT, 2] == 0.5
    # B = s2 + s3: step 2 is /pricing (s2) and /signup (s3); step 3 is / and /dashboard.
    assert d.loc["/signup", 2] == pytest.approx(0.5 - 0.5)
    assert d.loc["/pricing", 2] == pytest.approx(0.0 - 0.5)
    assert d.loc[EXIT, 2] == pytest.approx(0.5 - 0.0)
    assert d.loc["/dashboard", 3] == pytest.approx(0.0 - 0.5)
    assert np.allclose(d.sum(axis=0), 0.0)
    with pytest.raises(UxlensError, match="no journeys"):
        journeys.compare_step_matrix(["nope"], ["s1"])


# ------------------------------------------------------------------ demo data
def _demo_journeys_by_hand(events: pd.DataFrame) -> list[tuple[str, tuple]]:
    """Page journeys computed without uxlens.journeys: split at 30 min gaps, repeats collapsed."""
    gap = pd.Timedelta("30min")
    views = events.loc[events["event"].astype(str) == "pageview", ["session_id", "timestamp", "seq", "url"]]
    views = views.sort_values(["session_id", "timestamp", "seq"])
    out = []
    for sid, g in views.groupby("session_id", sort=True):
        journey: list[str] = []
        last_t = None
        for t, url in zip(g["timestamp"], g["url"].astype(str)):
            page = url.split("://", 1)[-1].split("/", 1)
            page = "/" + page[1].split("?")[0] if len(page) > 1 else "/"
            if last_t is not None and t - last_t > gap:
                out.append((sid, tuple(journey)))
                journey = []
            if not journey or journey[-1] != page:
                journey.append(page)
            last_t = t
        out.append((sid, tuple(journey)))
    return out


def test_demo_top_loops_and_exits_after_the_invite_page():
    import uxlens as ux

    log = ux.demo()
    by_hand = _demo_journeys_by_hand(log.events)
    j = Journeys(log, goal="/dashboard")
    assert len(j.journeys_) == len(by_hand)

    # Loops A ⇄ B (a page revisited two steps later), counted by hand.
    pairs: dict[tuple, set] = {}
    for k, (_, nodes) in enumerate(by_hand):
        for i in range(len(nodes) - 2):
            if nodes[i] == nodes[i + 2]:
                pairs.setdefault(tuple(sorted(nodes[i : i + 2])), set()).add(k)
    expected = sorted(((len(v), k) for k, v in pairs.items()), reverse=True)
    loops = j.loops()
    top = [(int(r.journeys), r.nodes) for r in loops.itertuples() if len(r.nodes) == 2]
    assert top[:2] == expected[:2]
    assert loops.iloc[0]["nodes"] == expected[0][1]

    # Exits after the invite page: visits and journeys ending there, by hand.
    invite = "/onboarding/invite"
    visits = sum(nodes.count(invite) for _, nodes in by_hand)
    exits = sum(nodes[-1] == invite for _, nodes in by_hand)
    d = j.dropoffs(min_visits=10).set_index("node")
    assert (d.loc[invite, "visits"], d.loc[invite, "exits"]) == (visits, exits)
    assert d.loc[invite, "exit_rate"] == pytest.approx(exits / visits)
    t = j.transitions().set_index(["node", "next"])
    assert t.loc[(invite, EXIT), "count"] == exits
    # The planted story: version A's invite page loses more people than version B's.
    version = log.events.groupby("session_id", observed=True)["version"].first().astype(str)
    rate = {}
    for v in ("A", "B"):
        mine = [nodes for sid, nodes in by_hand if version[sid] == v]
        rate[v] = sum(p[-1] == invite for p in mine) / sum(p.count(invite) for p in mine)
        sub = Journeys(log.events.loc[log.events["version"].astype(str) == v], goal="/dashboard")
        got = sub.transitions().set_index(["node", "next"])["probability"]
        assert got[(invite, EXIT)] == pytest.approx(rate[v])
    assert rate["A"] > rate["B"]


def test_sankey_keeps_red_for_exits(journeys):
    from uxlens.plotting.theme import COLORS

    node = journeys.sankey(steps=3, min_share=0).data[0].node
    for label, colour in zip(node.label, node.color):
        assert (colour == COLORS["drop"]) == (label == EXIT)


def test_sankey_to_an_end_node_shows_the_moves_before_its_first_visit(journeys):
    # Journeys reaching /signup: s1#1 (/ → /signup → /pricing → /signup) and s3#1 (/ → /signup → ...).
    links, n = journeys._flow_links(start=None, end="/signup", steps=2, min_share=0)
    assert n == 2
    assert links.to_dict("records") == [{"step": 2, "node": "/", "next": "/signup", "count": 2}]
    # Journeys reaching /dashboard: only s3 (/ → /signup → /dashboard): both moves, aligned at the end.
    links, n = journeys._flow_links(start=None, end="/dashboard", steps=3, min_share=0)
    assert n == 1
    assert links[["step", "node", "next"]].values.tolist() == [
        [2, "/", "/signup"], [3, "/signup", "/dashboard"]]
    fig = journeys.sankey(start="/", end="/dashboard", steps=3, min_share=0)
    assert fig.layout.title.text.startswith("Journeys from / to /dashboard")
    assert "(exit)" not in fig.data[0].node.label


def test_sankey_to_an_end_no_journey_reaches_after_the_start_is_empty(journeys):
    # /dashboard is never visited after /pricing: no flows, no journeys, and no error
    links, n = journeys._flow_links(start="/pricing", end="/dashboard", steps=3, min_share=0)
    assert n == 0 and links.empty and list(links.columns) == ["step", "node", "next", "count"]
    fig = journeys.sankey(start="/pricing", end="/dashboard", steps=3, min_share=0)
    assert list(fig.data[0].link.value) == []


def test_rows_cached_on_the_log_follow_a_new_events_table():
    from uxlens.eventlog import EventLog

    log = _log()
    before = Journeys(log).transitions()
    assert before.equals(Journeys(log).transitions())  # second run reads the log's cache
    fewer = log.events.loc[log.events["session_id"] != "s1"].reset_index(drop=True)
    log.events = fewer
    after = Journeys(log).transitions()
    pd.testing.assert_frame_equal(after, Journeys(EventLog(fewer)).transitions())
    assert not after.equals(before)


def test_clusters_report_the_friction_of_their_sessions():
    import uxlens as ux
    from uxlens.friction import Friction

    j = Journeys(ux.demo(), goal="/dashboard")
    table = j.clusters(k=3).set_index("cluster")
    scores = Friction(j.log).scores().set_index("session_id")["score"]
    session_of = j.journeys_.set_index("journey_id")["session_id"]
    for cluster, ids in j.cluster_labels_.groupby(j.cluster_labels_).groups.items():
        want = scores.reindex(session_of.loc[ids].to_numpy()).mean()
        assert table.loc[cluster, "friction"] == pytest.approx(want)
    # Journeys that never leave the landing page carry less friction than the rest.
    assert table["friction"].max() > table["friction"].min()


def test_frame_without_seq_orders_ties_by_position():
    events = _log().events
    plain = events.drop(columns=["seq"])
    pd.testing.assert_frame_equal(Journeys(plain).transitions(), Journeys(events).transitions())
    assert Journeys(plain).paths()["journeys"].sum() == 4


@pytest.mark.parametrize("steps", [0, -1, 2.5, True, "3"])
def test_step_matrix_steps_must_be_a_positive_whole_number(journeys, steps):
    with pytest.raises(UxlensError, match=r"step_matrix\(steps=...\) must be a whole number >= 1"):
        journeys.step_matrix(steps)


def test_unreadable_session_gap_says_what_to_pass():
    with pytest.raises(UxlensError, match=r"session_gap could not be read: 'banana'.*'30min'"):
        Journeys(_log(), session_gap="banana")
