"""The `make demo` report states the story numbers the demo's own plan implies."""

from __future__ import annotations

import pandas as pd
import pytest
from _paths import SAMPLE

import uxlens as ux
from uxlens.report import demo_report


@pytest.mark.slow
def test_demo_report_states_the_drop_at_invite_by_version(tmp_path):
    plan = pd.read_csv(SAMPLE / "sessions.csv")
    reached = plan.loc[plan["reached_invite"].astype(bool)]
    # Per user: the furthest session decides (units are users in the report's funnel).
    users = reached.groupby(["user_id", "version"])["converted"].max().reset_index()
    expected = {
        v: 1 - g["converted"].astype(bool).mean() for v, g in users.groupby("version")
    }
    said: list[str] = []
    path = demo_report(ux.demo(), tmp_path, images=False, say=said.append)
    text = path.read_text()
    for version, drop in expected.items():
        assert f"Version {version}: {100 * drop:.1f} % of users who reached the invite page" in text
    assert "loaded + rejected == read" in text
    assert (tmp_path / "report.html").stat().st_size > 1_000_000  # plotly.js inlined, offline
    sessions = pd.read_csv(tmp_path / "sessions.csv")
    assert len(sessions) == len(plan)
    assert any(s.startswith("drop at invite by version") for s in said)
