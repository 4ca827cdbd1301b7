"""Heatmaps on the onboarding demo, checked against the generator's ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from uxlens.heatmap import Heatmap

INVITE = "/onboarding/invite"


@pytest.fixture(scope="module")
def log():
    from uxlens.datasets import demo

    return demo()


@pytest.fixture(scope="module")
def truth(log):
    return log.meta["ground_truth"]


def _precision_recall(found: set[str], planted: set[str]) -> tuple[float, float]:
    hit = len(found & planted)
    return hit / max(len(found), 1), hit / max(len(planted), 1)


def test_dbscan_finds_the_planted_rage_cluster_on_the_invite_page(log, truth):
    planted = truth.loc[truth["kind"] == "rage_click"]
    assert set(planted["element"]) == {"#send-invites"}
    h = Heatmap(log, url=INVITE, kind="rage", background=None)
    hs = h.hotspots()
    assert len(hs) and hs["target"].str.contains("#send-invites").all()
    assert hs["friction"].min() == 1.0
    found: set[str] = set()
    for hid in hs["hotspot"]:
        found |= set(h.sessions_in(hid).ids)
    precision, recall = _precision_recall(found, set(planted["session_id"]))
    assert precision >= 0.9 and recall >= 0.9
    # Per device, the biggest rage hotspot is where the planted bursts are.
    for device, part in planted.groupby("device"):
        top = hs.loc[hs["device"] == device].iloc[0]
        ids = set(h.sessions_in(top).ids)
        assert len(ids & set(part["session_id"])) / len(ids) >= 0.9
    # On the click map the button is the biggest hotspot, flagged as friction.
    top = Heatmap(log, url=INVITE, background=None, device="desktop").hotspots().iloc[0]
    assert "#send-invites" in top["target"] and top["friction"] >= 0.5


def test_rage_counts_per_element_match_the_planted_bursts(log, truth):
    planted = truth.loc[truth["kind"] == "rage_click"]
    planted_clicks = planted["detail"].str.extract(r"clicks=(\d+)")[0].astype(int).sum()
    el = Heatmap(log, url=INVITE, background=None).elements()
    button = el.loc[el["target"].str.contains("#send-invites")]
    assert button["rage"].sum() == pytest.approx(planted_clicks, rel=0.05)
    assert el.loc[~el["target"].str.contains("#send-invites"), "rage"].sum() == 0


def test_a_vs_b_difference_is_flagged_on_the_button(log, truth):
    a = Heatmap(log, url=INVITE, kind="rage", version="A", background=None)
    b = a.with_(version="B")
    cmp = Heatmap.compare(a, b)
    sig = cmp.table().loc[lambda t: t["significant"]]
    assert len(sig) and (sig["diff"] < 0).all()  # B has fewer rage clicks, nowhere more
    spots = a.hotspots()
    for device in ("desktop", "mobile"):
        x, y = spots.loc[spots["device"] == device, ["x", "y"]].iloc[0]
        zone = sig.loc[(sig["device"] == device) & (sig["x0"] - 50 <= x) & (x <= sig["x1"] + 50)
                       & (sig["y0"] - 50 <= y) & (y <= sig["y1"] + 50)]
        assert len(zone), device
    assert "→ 0.00" in cmp.takeaway() or "to 0.00" in cmp.takeaway()


def test_identical_random_halves_of_the_demo_are_not_flagged(log):
    base = Heatmap(log, url=INVITE, background=None)
    ids = np.array(sorted(base.sessions_at(0, 0, 1e9).ids))
    flagged = 0
    for seed in range(8):
        half = np.random.default_rng(seed).permutation(ids)
        a = base.with_(segment=list(half[: len(ids) // 2]))
        t = a.compare(base.with_(segment=list(half[len(ids) // 2:]))).table()
        flagged += bool(t["significant"].any())
    assert flagged <= 1


def test_the_dead_click_decoy_is_the_dead_hotspot_of_the_landing_page(log, truth):
    planted = truth.loc[(truth["kind"] == "dead_click") & (truth["element"] == "#demo-video")]
    h = Heatmap(log, url="/", kind="dead", background=None)
    hs = h.hotspots()
    decoy = hs.loc[hs["target"].str.contains("#demo-video")]
    assert len(decoy) and decoy.index[0] == 0  # the biggest dead zone
    found: set[str] = set()
    for hid in decoy["hotspot"]:
        found |= set(h.sessions_in(hid).ids)
    precision, recall = _precision_recall(found, set(planted["session_id"]))
    assert precision >= 0.9 and recall >= 0.8


def test_header_clicks_stay_on_the_fixed_header_while_scrolled(log):
    h = Heatmap(log, url="/", background=None)
    fixed = h.fixed()
    header = fixed.loc[fixed["selector"].str.startswith("header#topbar")]
    assert list(header["source"]) == ["snapshot css"]
    targets = set(header["targets"].iloc[0])
    ev = log.events
    clicks = ev.loc[(ev["event"] == "click") & ev["url"].astype(str).str.endswith("example/")
                    & ev["target"].astype(str).isin(targets) & (ev["scroll_y"] > 100)]
    assert len(clicks) >= 3  # header links clicked far down the page
    g = h.grid(bin_px=16)
    on_fixed = g.loc[g["layer"] == "fixed"]
    assert on_fixed["count"].sum() >= len(clicks)
    assert on_fixed["y1"].max() <= 80  # all drawn inside the header band, not down the page


def test_funnel_outcome_segment(log, truth):
    from uxlens.funnel import Funnel

    f = Funnel(log, ["signup_started", "signup_done", "profile_done", "invite_sent"],
               window="1h", unit="session")
    dropped = f.dropped(3)  # reached the invite page's step, never sent invites
    h = Heatmap(log, url=INVITE, background=None, segment=dropped)
    behind = set(h.sessions_at(0, 0, 1e9).ids)
    assert behind and behind <= set(dropped.ids)
    planted = set(truth.loc[truth["kind"] == "dropped_at_invite", "session_id"])
    assert len(behind & planted) / len(behind) >= 0.9
    assert h.summary()["sessions"] == len(behind)


@pytest.mark.parametrize("args", [("a", "b"), (None, 3), (True, 4), (10, 10, -1)])
def test_sessions_at_needs_px_numbers(log, args):
    from uxlens.exceptions import UxlensError

    h = Heatmap(log, url="/onboarding/invite", background=None)
    with pytest.raises(UxlensError, match=r"sessions_at\((x|y|radius)=...\) must be"):
        h.sessions_at(*args)
