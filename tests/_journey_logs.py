"""Random event logs for journey tests: several pages, ties, gaps that split journeys."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from uxlens.eventlog import EventLog
from uxlens.events import validate

PAGES = ("/", "/pricing", "/signup", "/project/1", "/project/2", "/invite", "/dashboard")


def random_journey_log(
    seed: int,
    *,
    n_sessions: int = 120,
    n_users: int = 30,
    max_events: int = 15,
    events: Sequence[str] = ("pageview",),
    pages: Sequence[str] = PAGES,
) -> EventLog:
    """Sessions of 1..max_events events: mostly seconds apart, some exact ties, some 40-min gaps."""
    rng = np.random.default_rng(seed)
    rows = []
    t0 = pd.Timestamp("2024-05-01T00:00:00Z")
    for s in range(n_sessions):
        t = t0 + pd.Timedelta(minutes=int(rng.integers(0, 5_000)))
        for _ in range(int(rng.integers(1, max_events))):
            t += pd.Timedelta(milliseconds=float(
                rng.choice([0, 1, 3_000, 20_000, 2_400_000], p=[0.1, 0.1, 0.4, 0.3, 0.1])))
            rows.append((f"s{s}", f"u{s % n_users}", t, str(rng.choice(list(events))),
                         "https://acme.io" + str(rng.choice(list(pages)))))
    frame = pd.DataFrame(rows, columns=["session_id", "user_id", "timestamp", "event", "url"])
    return EventLog(validate(frame, drop_duplicates=False).events)
