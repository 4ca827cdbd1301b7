"""Screen states on the onboarding demo, checked against the generator's ground truth.

The generator writes one ``screen_state`` row per screen entered (each page
load, the welcome modal opening and closing; ``detail`` is the true screen,
e.g. ``invite:A`` / ``invite:B`` / ``dashboard:welcome-modal``), and a state
lasts until the session's next row.
"""

from __future__ import annotations

import struct

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from uxlens.eventlog import EventLog
from uxlens.journeys import Journeys
from uxlens.screens import screen_states

INVITE = "https://app.acme-projects.example/onboarding/invite"
DASHBOARD = "https://app.acme-projects.example/dashboard"
MODAL = "Your projects \u2014 modal: You're all set!"


@pytest.fixture(scope="module")
def log():
    from uxlens.datasets import demo

    return demo()


@pytest.fixture(scope="module")
def screens(log):
    return screen_states(log)


@pytest.fixture(scope="module")
def truth(log):
    gt = log.meta["ground_truth"]
    return gt.loc[gt["kind"] == "screen_state"].reset_index(drop=True)


def _purity(true: pd.Series, found: pd.Series) -> tuple[float, float]:
    """(per-found-state majority purity, per-true-state majority coverage)."""
    ct = pd.crosstab(true, found)
    n = ct.to_numpy().sum()
    return ct.max(axis=0).sum() / n, ct.max(axis=1).sum() / n


def test_states_match_the_planted_screens(screens, truth):
    assert sorted(screens.names) == sorted([
        "Plan projects your team actually finishes",
        "Simple pricing for teams of every size",
        "Terms of service",
        "Create your account",
        "Tell us about your team",
        "Invite your teammates \u2014 use comma-separated emails",
        "Invite your teammates \u2014 Add comma-separated emails",
        "Your projects",
        MODAL,
    ])
    found = screens.assign(truth[["session_id", "timestamp"]]).astype(object)
    assert found.notna().all()
    purity, coverage = _purity(truth["detail"], found)
    ari = adjusted_rand_score(truth["detail"], found)
    assert purity >= 0.9 and coverage >= 0.9 and ari >= 0.9
    # one visit per planted screen entered
    assert len(screens.segments) == len(truth)


def test_precision_and_recall_of_every_planted_screen(screens, truth):
    """Each found state stands for the true screen most of its visits show (a one-to-one
    map is required); precision and recall are then computed per true screen."""
    from sklearn.metrics import precision_recall_fscore_support

    found = screens.assign(truth[["session_id", "timestamp"]]).astype(str)
    ct = pd.crosstab(found, truth["detail"])
    stands_for = ct.idxmax(axis=1)
    assert stands_for.is_unique and len(stands_for) == truth["detail"].nunique()
    predicted = found.map(stands_for)
    labels = sorted(truth["detail"].unique())
    precision, recall, _, support = precision_recall_fscore_support(
        truth["detail"], predicted, labels=labels, zero_division=0)
    assert support.sum() == len(truth)
    assert precision.min() >= 0.9 and recall.min() >= 0.9, dict(zip(labels, zip(
        precision.round(3), recall.round(3), strict=True), strict=True))


def test_invite_versions_and_modal_are_separated_where_urls_merge_them(screens, truth):
    found = screens.assign(truth[["session_id", "timestamp"]]).astype(str)
    invite = truth["url"] == "/onboarding/invite"
    ct = pd.crosstab(truth.loc[invite, "detail"], found[invite])
    assert ct.shape == (2, 2)
    assert ct.loc["invite:A", "Invite your teammates \u2014 use comma-separated emails"] == 60
    assert ct.loc["invite:B", "Invite your teammates \u2014 Add comma-separated emails"] == 67
    # grouping by URL alone puts both versions in one node: purity 67 / 127
    url_purity, _ = _purity(truth.loc[invite, "detail"], truth.loc[invite, "url"])
    assert url_purity == pytest.approx(67 / 127)
    dash = truth["url"] == "/dashboard"
    ct = pd.crosstab(truth.loc[dash, "detail"], found[dash])
    assert ct.loc["dashboard:welcome-modal", MODAL] == 109
    assert ct.loc["dashboard", "Your projects"] == 218
    assert ct.to_numpy().sum() == 109 + 218
    # one URL node for the dashboard would hold both: purity 218 / 327
    url_purity, _ = _purity(truth.loc[dash, "detail"], truth.loc[dash, "url"])
    assert url_purity == pytest.approx(218 / 327)


def test_every_event_gets_the_screen_that_was_on_screen(log, screens, truth):
    ours = screens.assign(log).astype(object)
    assert ours.notna().all()  # every demo event follows its session's first snapshot
    ev = log.events[["session_id", "timestamp"]].astype({"session_id": object})
    ev = ev.assign(ours=ours.to_numpy(), pos=np.arange(len(ev)))
    gt = truth[["session_id", "timestamp", "detail"]].astype({"session_id": object})
    gt["timestamp"] = gt["timestamp"].astype(ev["timestamp"].dtype)
    merged = pd.merge_asof(ev.sort_values("timestamp"), gt.sort_values("timestamp"),
                           on="timestamp", by="session_id")
    assert merged["detail"].notna().all()
    purity, coverage = _purity(merged["detail"], merged["ours"])
    assert purity >= 0.9 and coverage >= 0.9
    assert adjusted_rand_score(merged["detail"], merged["ours"]) >= 0.9


def test_table_counts_and_representatives(log, screens, truth):
    table = screens.table().set_index("screen")
    counts = truth["detail"].value_counts()
    assert table.loc[MODAL, "visits"] == counts["dashboard:welcome-modal"]
    assert table.loc[MODAL, "sessions"] == truth.loc[
        truth["detail"] == "dashboard:welcome-modal", "session_id"].nunique()
    assert table.loc[MODAL, "url"] == DASHBOARD
    assert table["visits"].sum() == len(truth)
    sid, t = table.loc[MODAL, "representative"]
    # the representative instant is inside a planted modal-open stretch of that session
    rows = truth[truth["session_id"] == sid].sort_values("timestamp")
    active = rows[rows["timestamp"] <= t].iloc[-1]
    assert active["detail"] == "dashboard:welcome-modal"
    assert (table["time_spent_s"] > 0).all()
    assert screen_states(log) is screens  # cached in log.meta["screens"]


def test_journeys_by_screen_follow_the_true_screens(log, screens, truth):
    frame = screens.with_screen(log)
    j = Journeys(EventLog(frame), node="screen")
    trans = j.transitions()
    pair = trans[(trans["node"] == "Your projects") & (trans["next"] == MODAL)]
    assert len(pair) == 1
    # the same journeys built from the ground-truth labels, renamed to our names
    found = screens.assign(truth[["session_id", "timestamp"]]).astype(str)
    rename = pd.crosstab(truth["detail"], found).idxmax(axis=1).to_dict()
    gt = truth[["session_id", "timestamp", "detail"]].astype({"session_id": object})
    gt["timestamp"] = gt["timestamp"].astype(frame["timestamp"].dtype)

    def true_screen(ev: pd.DataFrame) -> pd.Series:
        left = ev[["session_id", "timestamp"]].astype({"session_id": object})
        left = left.assign(pos=np.arange(len(ev))).sort_values("timestamp")
        m = pd.merge_asof(left, gt.sort_values("timestamp"), on="timestamp", by="session_id")
        out = pd.Series(m["detail"].map(rename).to_numpy(), index=m["pos"].to_numpy())
        return pd.Series(out.sort_index().to_numpy(), index=ev.index)

    expected = Journeys(EventLog(frame), node=true_screen).transitions()
    cols = ["node", "next", "count"]
    pd.testing.assert_frame_equal(
        trans[cols].sort_values(cols[:2]).reset_index(drop=True),
        expected[cols].sort_values(cols[:2]).reset_index(drop=True),
    )


@pytest.mark.browser
def test_representative_image_is_a_png_of_the_viewport(screens):
    from uxlens.render import browser_available

    ok, why = browser_available()
    if not ok:
        pytest.skip(why)
    row = screens.states.set_index("screen").loc[MODAL]
    png = screens.image(MODAL)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (int(row["width"]), int(row["height"]))
    assert screens.image(MODAL) is png  # cached
    assert "data:image/png;base64," in screens._repr_html_()
    html = screens.snapshot_html(MODAL)
    assert 'id="welcome-dialog"' in html
