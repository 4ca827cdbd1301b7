"""The detectors find the friction the demo generator planted, and little else.

The demo (``uxlens.demo``) writes rrweb recordings plus a ground-truth table of
what it planted (rage clicks on the greyed-out ``#send-invites``, dead clicks on
the decoy video, error clicks where it injects failures, quick backs, abandoned
forms, a thrashed cursor). Here the recordings go through the real rrweb
reader and the detectors; a detection matches a truth row of the same kind in
the same session within a time tolerance, each truth row matched at most once.
"""

from __future__ import annotations

import pandas as pd
import pytest

from uxlens.friction import Friction, flag_clicks, rage_clicks

pytestmark = pytest.mark.slow

#: kind in the signals -> (kind in the ground truth, tolerance in ms)
KINDS = {
    "rage_click": ("rage_click", 50),
    "dead_click": ("dead_click", 50),
    "error_click": ("error_click", 50),
    "quick_back": ("quick_back", 50),
    "form_abandonment": ("form_abandoned", 50),
    "thrashed_cursor": ("thrashed_cursor", 1000),
}


@pytest.fixture(scope="module")
def demo():
    """(events, ground truth): the committed sample if present, else a seeded generation."""
    from uxlens.demo.generate import generate, sample_path
    from uxlens.io.rrweb import read_rrweb

    path = sample_path()
    if path is not None and (path / "recordings.jsonl.gz").exists():
        log = read_rrweb(path / "recordings.jsonl.gz")
        truth = pd.read_csv(path / "ground_truth.csv")
    else:
        data = generate(n_sessions=300, seed=7)
        log = read_rrweb(data.recordings)
        truth = data.ground_truth
    truth = truth.assign(timestamp=pd.to_datetime(truth["timestamp"], utc=True),
                         session_id=truth["session_id"].astype(str))
    return log, truth


def _match(found: pd.DataFrame, truth: pd.DataFrame, tol_ms: int) -> tuple[int, int, int]:
    """(true positives, detections, truth rows), greedy one-to-one in time order."""
    used: set[int] = set()
    tp = 0
    by_session = {s: g for s, g in truth.groupby("session_id")}
    for sid, ts in zip(found["session_id"].astype(str), found["timestamp"]):
        cand = by_session.get(sid)
        if cand is None:
            continue
        gap = (cand["timestamp"] - ts).abs() / pd.Timedelta(milliseconds=1)
        ok = cand.index[(gap <= tol_ms).to_numpy() & ~cand.index.isin(list(used))]
        if len(ok):
            used.add(ok[0])
            tp += 1
    return tp, len(found), len(truth)


@pytest.fixture(scope="module")
def detections(demo):
    log, _ = demo
    flags = flag_clicks(log)
    f = Friction(log)
    sig = f.signals()
    out = {
        # the click maps use flag_clicks: one row per press
        "dead_click": flags.loc[flags["dead"]],
        "error_click": flags.loc[flags["error"]],
        # one row per burst, timed at its first press
        "rage_click": rage_clicks(log).rename(columns={"start": "timestamp"}),
    }
    for kind in ("quick_back", "form_abandonment", "thrashed_cursor"):
        out[kind] = sig.loc[sig["kind"] == kind]
    return out, flags, f


@pytest.mark.parametrize("kind", list(KINDS))
def test_precision_and_recall_against_ground_truth(demo, detections, kind):
    _, truth = demo
    found = detections[0][kind]
    truth_kind, tol = KINDS[kind]
    expected = truth.loc[truth["kind"] == truth_kind]
    assert len(expected) >= 5, f"the demo planted too few {truth_kind} to measure"
    tp, n_found, n_truth = _match(found, expected, tol)
    precision, recall = tp / max(n_found, 1), tp / n_truth
    print(f"{kind}: {n_found} found, {n_truth} planted, precision {precision:.3f}, "
          f"recall {recall:.3f}")
    assert precision >= 0.9 and recall >= 0.9, (kind, precision, recall)


def test_dead_click_mode_uses_the_mutation_stream(detections):
    assert detections[1].attrs["dead_mode"] == "mutation"


def test_rage_on_the_disabled_button_is_the_story(demo, detections):
    _, _, f = detections
    el = f.by_element()
    rage = el.loc[el["kind"] == "rage_click"].iloc[0]
    assert rage["element"] == "#send-invites" and rage["url"].endswith("/onboarding/invite")
    top = f.scores().head(10)
    assert top["reason"].str.contains("rage clicks on #send-invites").sum() >= 5
    decoy = el.loc[(el["kind"] == "dead_click")].iloc[0]
    assert decoy["element"] == "#demo-video"
