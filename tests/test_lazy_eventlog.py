"""A lazy EventLog (read_events of an Ibis table) gives the numbers of the in-memory log, or a clear error."""

from __future__ import annotations

import pandas as pd
import pytest

import uxlens as ux
from uxlens.exceptions import UxlensError


@pytest.fixture(scope="module")
def lazy(tmp_path_factory):
    path = tmp_path_factory.mktemp("lazy") / "events.parquet"
    ux.demo().events.to_parquet(path)
    return ux.read_events(ux.scan_parquet(path, memory_limit="1GB"))


def test_counts_and_repr_come_from_the_backend(lazy):
    mem = ux.demo()
    assert lazy.is_lazy and not mem.is_lazy
    assert len(lazy) == len(mem.events)
    assert lazy.counts == {"read": len(mem.events), "loaded": len(mem.events), "rejected": 0}
    assert "lazy Ibis table on duckdb" in repr(lazy)
    assert lazy.session_ids == sorted(mem.session_ids)


def test_sessions_funnel_heatmap_equal_in_memory(lazy):
    mem = ux.demo()
    cols = ["session_id", "events", "pageviews", "clicks", "inputs", "device"]
    for kw in ({}, {"page": "/onboarding/invite", "device": "mobile"}):
        a = lazy.sessions(**kw).frame[cols].sort_values("session_id").reset_index(drop=True)
        b = mem.sessions(**kw).frame[cols].sort_values("session_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, check_categorical=False)
        assert len(a) > 30
    steps = ["signup_started", "signup_done", "invite_sent"]
    pd.testing.assert_frame_equal(ux.Funnel(lazy, steps).table(), ux.Funnel(mem, steps).table())
    url = "/onboarding/invite"
    ga = ux.Heatmap(lazy, url=url, screen="all").grid()
    gb = ux.Heatmap(mem, url=url, screen="all").grid()
    assert int(ga["count"].sum()) == int(gb["count"].sum()) > 100


def test_a_session_and_a_filtered_subset_come_into_memory(lazy):
    mem = ux.demo()
    sid = mem.session_ids[3]
    one = lazy.session(sid)
    assert len(one.events) == int((mem.events["session_id"] == sid).sum())
    tablets = lazy.filter(lambda t: t.device == "tablet")
    assert tablets.is_lazy
    got = tablets.collect()
    assert not got.is_lazy
    assert len(got) == int((mem.events["device"] == "tablet").sum())


def test_what_needs_memory_says_so(lazy):
    with pytest.raises(UxlensError, match="lazy"):
        lazy.events  # noqa: B018
    with pytest.raises(UxlensError, match="lazy"):
        ux.Friction(lazy).scores()
    with pytest.raises(UxlensError, match="min_friction needs events in memory"):
        lazy.sessions(min_friction=1)
    with pytest.raises(UxlensError, match="function of its Ibis table"):
        lazy.filter(pd.Series([True]))
    with pytest.raises(UxlensError, match="No session"):
        lazy.session("nope")
