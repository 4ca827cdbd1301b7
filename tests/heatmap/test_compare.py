"""Difference maps: real differences are flagged, noise is not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uxlens.eventlog import EventLog
from uxlens.exceptions import UxlensError
from uxlens.heatmap import Heatmap, HeatmapComparison, adjust_pvalues, zone_test

from ._build import PAGE, events

BTN = "button#send-invites"
HOT = [(220.0, 150.0), (720.0, 420.0), (1050.0, 620.0), (420.0, 1330.0)]


def _sessions(n: int, *, seed: int, rage_rate: dict[str, float] | None = None) -> pd.DataFrame:
    """Sessions clicking a few popular spots (often several times) plus scattered clicks."""
    rng = np.random.default_rng(seed)
    vp = dict(viewport_w=1440, viewport_h=800, scroll_y=0.0)
    rows = []
    for s in range(n):
        sid = f"s{s:04d}"
        version = "AB"[s % 2]
        rows.append(dict(session_id=sid, t=0, event="pageview", version=version, **vp))
        t = 0
        for _ in range(int(rng.integers(2, 9))):
            t += int(rng.integers(2000, 5000))
            if rng.random() < 0.6:
                x, y = HOT[int(rng.integers(len(HOT)))]
                x, y = x + rng.normal(0, 12), y + rng.normal(0, 12)
            else:
                x, y = rng.uniform(0, 1440), rng.uniform(0, 2000)
            for _ in range(1 + int(rng.poisson(0.7))):  # repeated clicks on the same spot
                t += int(rng.integers(300, 900))
                rows.append(dict(session_id=sid, t=t, event="click", x=float(x), y=float(y),
                                 target="div#spot", version=version, **vp))
            rows.append(dict(session_id=sid, t=t + 50, event="mutation", version=version))
        if rage_rate and rng.random() < rage_rate[version]:
            for _ in range(4):
                t += 250
                rows.append(dict(session_id=sid, t=t, event="click", x=1150.0 + rng.normal(0, 3),
                                 y=250.0 + rng.normal(0, 3), target=BTN, version=version, **vp))
    return events(rows)


def test_a_real_difference_is_flagged_where_it_is():
    ev = _sessions(300, seed=11, rage_rate={"A": 0.4, "B": 0.05})
    a = Heatmap(ev, url=PAGE, kind="rage", version="A", background=None)
    cmp = Heatmap.compare(a, a.with_(version="B"))
    assert isinstance(cmp, HeatmapComparison)
    t = cmp.table()
    sig = t.loc[t["significant"]]
    assert len(sig) >= 1
    top = sig.iloc[0]
    assert (top["x0"], top["y0"]) == (1100.0, 200.0)  # the zone holding the button
    assert top["diff"] < 0 and top["rate_a"] > 0.3 and top["rate_b"] < 0.12
    assert top["sessions_a"] == top["sessions_b"] == 150
    # Both calling forms give the same answer; the click unit agrees.
    assert a.compare(a.with_(version="B")).table()["significant"].sum() == len(sig)
    by_click = a.compare(a.with_(version="B"), unit="click").table()
    assert by_click.loc[by_click["significant"]].iloc[0][["x0", "y0"]].tolist() == [
        top["x0"], top["y0"]]
    fig = cmp.plot()
    assert sum(s.type == "rect" for s in fig.layout.shapes) == len(sig)
    assert "differ" in cmp.takeaway() or "changes" in cmp.takeaway()


def _false_positive_rates(n_seeds: int) -> dict[str, float]:
    """Share of random-halves comparisons that flag any zone, per unit."""
    ev = _sessions(240, seed=5)
    log = EventLog(ev)
    ids = np.array(sorted(ev["session_id"].unique()))
    base = Heatmap(log, url=PAGE, background=None)
    flagged = {"session": 0, "click": 0}
    for seed in range(n_seeds):
        rng = np.random.default_rng(1000 + seed)
        half = rng.permutation(ids)
        a = base.with_(segment=list(half[: len(ids) // 2]))
        b = base.with_(segment=list(half[len(ids) // 2:]))
        for unit in flagged:
            t = a.compare(b, unit=unit).table()
            assert t["tested"].sum() >= 10  # there is something to test
            flagged[unit] += bool(t["significant"].any())
    return {unit: n / n_seeds for unit, n in flagged.items()}


def test_identical_random_halves_are_not_flagged():
    # Family-wise error: at most alpha = 5 % of comparisons may flag any zone
    # (+ slack for 20 seeds).
    rates = _false_positive_rates(20)
    assert rates["session"] <= 0.10 and rates["click"] <= 0.10


@pytest.mark.slow
def test_identical_random_halves_false_positive_rate_over_many_seeds():
    rates = _false_positive_rates(100)
    assert rates["session"] <= 0.05 + 0.03 and rates["click"] <= 0.05 + 0.03


def test_the_zone_test_is_calibrated_under_the_null():
    # Uncorrected per-zone p-values: about alpha of them fall below alpha.
    rng = np.random.default_rng(0)
    n_zones, n = 20_000, 150
    rate = rng.uniform(0.05, 0.6, n_zones)
    counts_a = rng.poisson(1.5, (n_zones, n)) * (rng.random((n_zones, n)) < rate[:, None])
    counts_b = rng.poisson(1.5, (n_zones, n)) * (rng.random((n_zones, n)) < rate[:, None])
    m = pd.DataFrame({
        "s_in_a": (counts_a > 0).sum(1), "s_in_b": (counts_b > 0).sum(1),
        "sum_n_a": counts_a.sum(1), "sum_n_b": counts_b.sum(1),
        "sum_n2_a": (counts_a**2).sum(1), "sum_n2_b": (counts_b**2).sum(1),
        "sessions_a": n, "sessions_b": n,
    }).astype(float)
    for unit in ("session", "click"):
        p = zone_test(m, unit=unit)["p"]
        assert 0.035 <= (p < 0.05).mean() <= 0.065


def test_p_value_corrections():
    p = pd.Series([0.001, 0.02, np.nan, 0.04, 0.3])
    assert adjust_pvalues(p, "holm").round(4).tolist()[:2] == [0.004, 0.06]
    assert np.isnan(adjust_pvalues(p, "holm")[2])
    assert adjust_pvalues(p, "bh").round(4).tolist() == [0.004, 0.04, np.nan, 0.0533, 0.3] or \
        np.allclose(adjust_pvalues(p, "bh").dropna(), [0.004, 0.04, 0.053333, 0.3], atol=1e-4)
    assert adjust_pvalues(p, None).equals(p.astype(float))


def test_compare_refuses_mismatched_maps():
    ev = _sessions(20, seed=1)
    h = Heatmap(ev, url=PAGE, background=None)
    with pytest.raises(UxlensError, match="same kind"):
        h.compare(h.with_(kind="rage"))
    with pytest.raises(UxlensError, match="unit"):
        h.compare(h, unit="pixels")
    with pytest.raises(UxlensError, match="point maps"):
        h.with_(kind="scroll").compare(h.with_(kind="scroll"))
