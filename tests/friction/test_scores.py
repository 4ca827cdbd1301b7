"""Session scores: exact points, explanations that add up, reasons, page/element rates."""

from __future__ import annotations

import numpy as np
import pytest

from uxlens.eventlog import EventLog
from uxlens.exceptions import UxlensError
from uxlens.friction import DEFAULT_WEIGHTS, SIGNAL_KINDS, Friction

from ._build import clicks, events, random_mix

INVITE = "https://app.test/onboarding/invite"
HOME = "https://app.test/home"


def _rage_session(sid: str, n: int = 4, *, leave: bool = True) -> list[dict]:
    rows = [dict(t=0, event="pageview", url=INVITE, session_id=sid)]
    rows += [dict(r, session_id=sid) for r in clicks([1000 + 200 * i for i in range(n)],
                                                     target="button#send-invites", url=INVITE)]
    rows.append(dict(t=1000 + 200 * n + 50, event="mutation", url=INVITE, session_id=sid))
    if not leave:
        rows.append(dict(t=9000, event="pageview", url=HOME, session_id=sid))
    return rows


def _mixed_session(sid: str) -> list[dict]:
    """One rage burst (3 clicks), one dead click, one error click, one quick back."""
    return [dict(r, session_id=sid) for r in [
        dict(t=0, event="pageview", url=HOME),
        dict(t=500, event="click", x=10.0, y=10.0, target="button#a", url=HOME),
        dict(t=700, event="click", x=10.0, y=10.0, target="button#a", url=HOME),
        dict(t=900, event="click", x=10.0, y=10.0, target="button#a", url=HOME),
        dict(t=950, event="mutation", url=HOME),
        dict(t=6000, event="click", x=300.0, y=300.0, target="div#hero > img", url=HOME),
        dict(t=12_000, event="click", x=500.0, y=50.0, target="button#save", url=HOME),
        dict(t=12_400, event="network", status=500, method="POST", request_url="/api/save",
             url=HOME),
        dict(t=12_450, event="mutation", url=HOME),
        dict(t=14_000, event="pageview", url=INVITE),
        dict(t=16_000, event="pageview", url=HOME),
        dict(t=16_100, event="mutation", url=HOME),
    ]]


def test_a_rage_burst_scores_weight_times_clicks_over_min():
    f = Friction(events(_rage_session("a", 4) + _rage_session("b", 3)))
    sc = f.scores().set_index("session_id")
    assert sc.loc["a", "score"] == 3.0 * 4 / 3
    assert sc.loc["b", "score"] == 3.0
    assert sc.loc["a", "rage_click"] == 1 and sc.loc["a", "signals"] == 1


def test_mixed_session_points_by_kind():
    f = Friction(events(_mixed_session("m")))
    ex = f.explain("m")
    got = ex.groupby("kind")["points"].sum().to_dict()
    w = DEFAULT_WEIGHTS
    assert got == {"rage_click": w["rage_click"], "dead_click": w["dead_click"],
                   "error_click": w["error_click"], "quick_back": w["quick_back"],
                   "hesitation": 2 * w["hesitation"]}
    # the hesitations: 5.1 s before the dead click, 6 s before the error click
    assert ex["points"].sum() == f.scores().set_index("session_id").loc["m", "score"]
    assert "POST /api/save -> 500" in set(ex["evidence"])


def test_reason_names_the_top_contributions_and_leaving():
    f = Friction(events(_rage_session("a", 4) + _rage_session("b", 4, leave=False)))
    reasons = f.scores().set_index("session_id")["reason"]
    assert reasons["a"] == "4 rage clicks on #send-invites, then left"
    assert reasons["b"] == "4 rage clicks on #send-invites"


def test_sessions_without_signals_score_zero_and_are_listed():
    ev = events(_rage_session("a") + [dict(t=0, event="pageview", url=HOME, session_id="z")])
    sc = Friction(ev).scores()
    assert list(sc["session_id"]) == ["a", "z"]
    z = sc.set_index("session_id").loc["z"]
    assert z["score"] == 0.0 and z["reason"] == "no friction signals"
    assert all(z[k] == 0 for k in SIGNAL_KINDS)


def test_weights_change_points():
    ev = events(_mixed_session("m"))
    base = Friction(ev).scores()["score"].iloc[0]
    heavier = Friction(ev, weights={"dead_click": 4.0}).scores()["score"].iloc[0]
    assert heavier - base == 4.0 - DEFAULT_WEIGHTS["dead_click"]
    assert Friction(ev, weights={k: 0 for k in DEFAULT_WEIGHTS}).scores()["score"].iloc[0] == 0


@pytest.mark.parametrize("seed", range(6))
def test_explanations_sum_exactly_to_scores(seed):
    rng = np.random.default_rng(100 + seed)
    weights = {k: float(rng.uniform(0.05, 5.0)) for k in DEFAULT_WEIGHTS}
    f = Friction(random_mix(seed), weights=weights, rage_min_clicks=int(rng.integers(2, 5)))
    sc = f.scores().set_index("session_id")
    assert (sc["score"] > 0).any()
    for sid, row in sc.iterrows():
        ex = f.explain(sid)
        assert ex["points"].sum() == row["score"]                       # exact
        assert len(ex) == row["signals"] == row[list(SIGNAL_KINDS)].sum()
        np.testing.assert_allclose(ex["points"], ex["weight"] * ex["intensity"], atol=1 / 2048)


def test_by_element_and_by_page_rates_per_thousand():
    rows = []
    for s in range(4):
        sid = f"s{s}"
        rows.append(dict(t=0, event="pageview", url=HOME, session_id=sid))
        if s < 2:   # two of four sessions click the decoy: dead
            rows.append(dict(t=1000, event="click", x=1.0, y=1.0, target="div#hero > img",
                             url=HOME, session_id=sid))
        rows.append(dict(t=9000, event="mutation", url=HOME, session_id=sid))
        if s == 0:
            rows.append(dict(t=10_000, event="pageview", url=INVITE, session_id=sid))
    f = Friction(events(rows), hesitation_min_ms=60_000, hesitation_max_ms=70_000)
    el = f.by_element()
    assert el[["url", "element", "kind", "signals", "sessions", "page_sessions"]].values.tolist() \
        == [[HOME, "img", "dead_click", 2, 2, 4]]
    assert el["per_1000_sessions"].iloc[0] == 500.0
    assert el["per_1000_page_sessions"].iloc[0] == 500.0
    pg = f.by_page().set_index("url")
    assert pg.loc[HOME, "sessions_with_friction"] == 2 and pg.loc[HOME, "page_sessions"] == 4
    assert pg.loc[HOME, "per_1000_sessions"] == 500.0
    assert pg.loc[INVITE, "page_sessions"] == 1 and pg.loc[INVITE, "per_1000_sessions"] == 0.0
    assert pg.loc[HOME, "dead_click"] == 2


def test_signals_table_shape_and_severity():
    sig = Friction(events(_mixed_session("m") + _rage_session("a", 6))).signals()
    assert list(sig.columns) == ["session_id", "timestamp", "seq", "url", "element", "target",
                                 "kind", "count", "evidence", "points", "severity"]
    rage6 = sig.loc[(sig["session_id"] == "a") & (sig["kind"] == "rage_click")].iloc[0]
    assert rage6["count"] == 6 and rage6["points"] == 6.0 and rage6["severity"] == "high"
    assert set(sig.loc[sig["kind"] == "hesitation", "severity"]) == {"low"}
    assert sig.attrs["dead_mode"] == "mutation"


def test_friction_accepts_an_eventlog_and_validates_arguments():
    ev = events(_rage_session("a"))
    assert Friction(EventLog(ev)).scores()["score"].iloc[0] == 4.0
    with pytest.raises(UxlensError, match="Did you mean 'rage_click'"):
        Friction(ev, weights={"rage_clicks": 1.0})
    with pytest.raises(UxlensError, match="quick_back_max_ms"):
        Friction(ev, quick_back_max=5)
    with pytest.raises(UxlensError, match="No session"):
        Friction(ev).explain("nope")


def test_eventlog_min_friction_uses_these_scores():
    log = EventLog(events(_rage_session("a") + [dict(t=0, event="pageview", url=HOME,
                                                      session_id="z")]))
    assert log.sessions(min_friction=1.0).ids == ["a"]


def test_presets_flow_through_friction():
    # 3 clicks 1000 ms apart: rage by default (inclusive), not for PostHog (strict)
    rows = [dict(r, session_id="p") for r in clicks([0, 1000, 2000], target="img.x")]
    assert Friction(events(rows)).scores()["rage_click"].iloc[0] == 1
    assert Friction(events(rows), preset="posthog").scores()["rage_click"].iloc[0] == 0


def test_repr_html_and_figures():
    f = Friction(events(_mixed_session("m") + _rage_session("a")))
    html = f._repr_html_()
    assert "Friction" in html and "rage clicks" in html and "then left" in html
    time_fig = f.plot("time")
    assert {t.name for t in time_fig.data} == {"rage click", "dead click", "error click",
                                               "quick back", "hesitation"}
    assert sum(sum(t.y) for t in time_fig.data) == len(f.signals())
    pages = f.plot("pages")
    assert set(pages.data[0].y) == {"/home", "/onboarding/invite"}
    elements = f.plot("elements")
    assert "#send-invites · /onboarding/invite" in set(elements.data[0].y) | {
        y for t in elements.data for y in t.y}
    with pytest.raises(UxlensError):
        f.plot("pie")


@pytest.mark.parametrize("kind", list(SIGNAL_KINDS))
def test_vector_phrases_match_the_scalar_ones(kind):
    from uxlens.friction.text import _phrase, _phrase_vector

    n = np.array([1, 2, 5])
    where = np.array(["#send-invites", "/pricing", "img.x"], dtype=object)
    assert list(_phrase_vector(kind, n, where)) == [
        _phrase(kind, int(c), w) for c, w in zip(n, where)]
