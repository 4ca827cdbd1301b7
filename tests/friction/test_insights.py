"""Insights, learned outcome models and anomalies on a planted data set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uxlens.eventlog import SessionList
from uxlens.exceptions import UxlensError
from uxlens.friction import Friction
from uxlens.funnel import Funnel

from ._build import events

INVITE = "https://app.test/onboarding/invite"
HOME = "https://app.test/home"


def _planted(seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """200 sessions on two pages; 40 of 100 mobile and 2 of 100 desktop rage on #send-invites.

    Returns the events and ``dropped`` (True = did not send invites): 80 % of the
    ragers drop, 20 % of the others.
    """
    rng = np.random.default_rng(seed)
    rows = []
    dropped = {}
    for s in range(200):
        sid = f"s{s:03d}"
        device = "mobile" if s < 100 else "desktop"
        rager = s < 40 or s in (100, 101)
        base = dict(session_id=sid, device=device)
        rows.append(dict(base, t=0, event="pageview", url=HOME))
        rows.append(dict(base, t=800, event="click", x=50.0, y=50.0, target="a.next", url=HOME))
        rows.append(dict(base, t=900, event="pageview", url=INVITE))
        rows.append(dict(base, t=1500, event="input", target="textarea#emails", url=INVITE,
                         value="****"))
        t = 2000
        if rager:
            for i in range(int(rng.integers(3, 6))):
                rows.append(dict(base, t=t + 250 * i, event="click", x=200.0, y=400.0,
                                 target="button#send-invites", url=INVITE))
            t += 2000
        drop = bool(rng.random() < (0.8 if rager else 0.2))
        dropped[sid] = drop
        if not drop:
            rows.append(dict(base, t=t, event="click", x=200.0, y=400.0,
                             target="button#send-invites", url=INVITE))
            rows.append(dict(base, t=t + 100, event="invite_sent", url=INVITE))
            rows.append(dict(base, t=t + 150, event="mutation", url=INVITE))
        if s == 150:   # one very odd session for the anomaly detector
            for i in range(30):
                rows.append(dict(base, t=t + 5000 + 40 * i, event="mousemove",
                                 x=100.0 + 300 * (i % 2), y=10.0, url=INVITE))
            rows.append(dict(base, t=t + 7000, event="click", x=1.0, y=1.0, target="img.logo",
                             url=INVITE))
        rows.append(dict(base, t=t + 400, event="mutation", url=INVITE))
    return events(rows), pd.Series(dropped, name="dropped")


@pytest.fixture(scope="module")
def planted():
    ev, dropped = _planted()
    return Friction(ev), ev, dropped


def test_top_insight_is_the_planted_rage_zone(planted):
    f, _, dropped = planted
    ins = f.insights(top=5, outcome=dropped)
    first = ins.iloc[0]
    assert (first["kind"], first["url"], first["element"], first["segment"]) == (
        "rage_click", INVITE, "#send-invites", "mobile")
    assert first["sessions_affected"] == 40 and first["page_sessions"] == 100
    assert first["rate"] == 0.4
    # baseline: 42 rage (session, page) pairs over 400 page visits
    assert first["baseline"] == 42 / 400
    assert first["lift"] == pytest.approx(0.4 / (42 / 400))
    assert first["q_value"] < 1e-6
    assert first["text"].startswith(
        "rage clicks on #send-invites in 40% of mobile sessions on /onboarding/invite, 3.8x")
    expected_drop = dropped[[f"s{i:03d}" for i in range(40)]].mean()
    assert first["outcome_rate"] == expected_drop
    assert f"{expected_drop:.0%} of those sessions did not convert" in first["text"]
    sessions = first["sessions"]
    assert isinstance(sessions, SessionList)
    assert sorted(sessions.ids) == [f"s{i:03d}" for i in range(40)]


def test_insights_keep_only_significant_excess(planted):
    f, _, _ = planted
    ins = f.insights(top=20, anomalies=0)
    assert (ins["q_value"] < 0.05).all() and (ins["lift"] > 1).all()
    assert "anomaly" not in set(ins["kind"])
    # one row per (kind, page, element)
    assert not ins.duplicated(["kind", "url", "element"]).any()


def test_anomaly_row_points_at_the_odd_session(planted):
    f, _, _ = planted
    an = f.anomalies(5)
    assert an["session_id"].iloc[0] == "s150"
    ins = f.insights(top=3, anomalies=5)
    last = ins.iloc[-1]
    assert last["kind"] == "anomaly" and "s150" in last["sessions"].ids


def test_fit_outcome_finds_that_rage_predicts_dropping(planted):
    f, _, dropped = planted
    m = f.fit_outcome(dropped)
    coefs = m.coefficients.set_index("feature")
    assert coefs.loc["rage_click", "coef"] > 0
    assert coefs["coef"].abs().idxmax() in {"rage_click", "clicks", "events",
                                            "form_abandonment"}
    assert coefs.loc["rage_click", "mean_if_true"] > coefs.loc["rage_click", "mean_if_false"]
    assert m.auc > 0.65 and m.n_test == 60 and m.n_train == 140
    assert m.target == "dropped"
    assert "AUC" in m._repr_html_()
    proba = m.predict(f.features())
    assert proba.between(0, 1).all() and len(proba) == 200


def test_fit_outcome_boosting_reports_permutation_importance(planted):
    f, _, dropped = planted
    m = f.fit_outcome(dropped, model="boosting")
    assert list(m.importance.columns) == ["feature", "importance", "std"]
    assert set(m.importance["feature"]) == set(m.features)
    assert 0 <= m.auc <= 1


def test_fit_outcome_from_a_funnel(planted):
    f, ev, dropped = planted
    funnel = Funnel(ev, ["pageview", "invite_sent"], unit="session")
    m = f.fit_outcome(funnel)
    assert m.target == "did not convert"
    y = f._outcome(funnel)[0]
    assert y.equals(dropped.reindex(y.index).astype(bool))


def test_fit_outcome_from_a_column_and_errors(planted):
    f, ev, dropped = planted
    ev2 = ev.assign(dropped=ev["session_id"].map(dropped))
    f2 = Friction(ev2)
    assert f2.fit_outcome("dropped").coefficients.equals(f.fit_outcome(dropped).coefficients)
    with pytest.raises(UxlensError, match="both outcomes"):
        f.fit_outcome(pd.Series(True, index=dropped.index))
    with pytest.raises(UxlensError, match="Did you mean 'dropped'"):
        f2.fit_outcome("droped")
    with pytest.raises(UxlensError, match="model must be"):
        f.fit_outcome(dropped, model="svm")
