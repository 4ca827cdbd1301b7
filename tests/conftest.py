"""Shared test fixtures.

- ``canonical_events``: build validated canonical events from compact tuples.
- ``random_events``: a seeded multi-session events table full of edge cases
  (same-millisecond ties, gaps of exactly the 5 s threshold and 1 ms either
  side, unknown page heights, console errors, failed requests, rows without
  url, mixed devices, anonymous users), for property and cross-backend tests.
- ``spark`` / ``spark_backend``: one local SparkSession (and its Ibis backend)
  for the whole test run, skipped only when pyspark or Java is missing. Mark
  Spark tests ``@pytest.mark.spark`` and ``@pytest.mark.xdist_group("spark")``
  so that ``pytest -n 2 --dist loadgroup`` runs them in one worker, which
  starts Spark once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.privacy._figures import pytest_terminal_summary  # noqa: F401 - prints the privacy figures
from uxlens.events import validate

#: Time origin of ``canonical_events`` rows: a ``t`` of 0 is this instant.
BASE_TIME = pd.Timestamp("2024-01-01T00:00:00Z")


def _build_events(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[str] = ("session_id", "t", "event"),
    **constant: Any,
) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(columns))
    for name, value in constant.items():
        frame[name] = value
    if "t" in frame.columns:
        # Integer milliseconds after BASE_TIME: exact, unlike float seconds.
        offsets = pd.to_timedelta(frame.pop("t").astype("int64"), unit="ms")
        frame["timestamp"] = BASE_TIME + offsets
    if "user_id" not in frame.columns:
        frame["user_id"] = None
    result = validate(frame, source="test", drop_duplicates=False)
    if len(result.rejected):
        raise AssertionError(f"test rows were rejected:\n{result.rejected}")
    return result.events


@pytest.fixture
def canonical_events() -> Callable[..., pd.DataFrame]:
    """Factory: ``canonical_events(rows, columns=("session_id", "t", "event"), **constant)``.

    ``rows`` are tuples in the order of ``columns``; ``t`` is integer
    milliseconds after :data:`BASE_TIME` (or give a ``timestamp`` column).
    Keyword arguments add constant columns (``user_id="u1"``). Missing
    ``user_id`` means anonymous. Returns ``validate(...).events`` (typed, with
    ``seq``) and fails the test if any row is rejected. Example::

        ev = canonical_events([("s1", 0, "pageview", "/a"), ("s1", 4999, "click", None)],
                              columns=("session_id", "t", "event", "url"), user_id="u1")
    """
    return _build_events


def make_random_events(n_sessions: int = 60, *, seed: int = 0) -> pd.DataFrame:
    """A seeded multi-session canonical table with many edge cases (see module doc)."""
    rng = np.random.default_rng(seed)
    names = np.array(
        ["pageview", "click", "mousemove", "scroll", "input", "dblclick", "touch", "focus",
         "console", "network", "error", "mutation", "selection", "$pageview", "invite_sent"]
    )
    weights = np.array([6, 10, 18, 10, 6, 2, 3, 3, 6, 8, 2, 10, 2, 2, 2], dtype=float)
    gap_choices = np.array([0, 1, 250, 1200, 4999, 5000, 5001, 12000, 60000])
    gap_weights = np.array([8, 2, 20, 30, 8, 8, 8, 10, 6], dtype=float)
    urls = ["https://app.example.com/", "https://app.example.com/signup",
            "https://app.example.com/pricing", "https://app.example.com/onboarding/invite"]
    rows = []
    for s in range(n_sessions):
        n = int(rng.integers(1, 80))
        t = int(rng.integers(0, 3_600_000))
        device = rng.choice(["desktop", "mobile", "tablet", None], p=[0.5, 0.3, 0.1, 0.1])
        user = None if rng.random() < 0.2 else f"u{int(rng.integers(0, 25))}"
        source = rng.choice(["paid", "organic", "email"])
        version = rng.choice(["A", "B"])
        returning = bool(rng.random() < 0.4)
        url = rng.choice(urls)
        for i in range(n):
            if i:
                t += int(rng.choice(gap_choices, p=gap_weights / gap_weights.sum()))
            event = str(rng.choice(names, p=weights / weights.sum()))
            if event in ("pageview", "$pageview"):
                url = rng.choice(urls)
            page_h = None if url.endswith("pricing") else 2400
            rows.append({
                "session_id": f"s{s:03d}",
                "user_id": user if (i or rng.random() < 0.7) else None,
                "timestamp": BASE_TIME + pd.Timedelta(milliseconds=t),
                "event": event,
                "url": None if rng.random() < 0.08 else url,
                "viewport_h": 800 if rng.random() < 0.95 else None,
                "page_h": page_h if rng.random() < 0.9 else 0,
                "scroll_y": float(rng.integers(0, 2000)) if event in ("scroll", "click") else None,
                "device": device if rng.random() < 0.85 else rng.choice(["desktop", "mobile"]),
                "level": rng.choice(["log", "warn", "error"]) if event == "console" else None,
                "status": (rng.choice([200, 200, 404, 500, 0, -1]) if event == "network" else -1),
                "source": source,
                "version": None if i == 0 and rng.random() < 0.5 else version,
                "is_returning": returning,
            })
    frame = pd.DataFrame(rows)
    frame["status"] = frame["status"].where(frame["status"] >= 0)
    result = validate(frame, source="random", drop_duplicates=False)
    assert result.rejected.empty
    return result.events


@pytest.fixture(scope="session")
def random_events() -> Callable[..., pd.DataFrame]:
    """Factory: ``random_events(n_sessions=60, seed=0)`` -> canonical events (cached)."""
    cache: dict[tuple[int, int], pd.DataFrame] = {}

    def build(n_sessions: int = 60, seed: int = 0) -> pd.DataFrame:
        key = (n_sessions, seed)
        if key not in cache:
            cache[key] = make_random_events(n_sessions, seed=seed)
        return cache[key].copy()

    return build


@pytest.fixture(scope="session")
def spark():
    """A local SparkSession shared by the whole run; skips if pyspark or Java is missing."""
    from uxlens.engine._spark import local_spark, spark_available

    ok, why = spark_available()
    if not ok:
        pytest.skip(f"Spark tests need PySpark and Java: {why}")
    session = local_spark("uxlens-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_backend(spark):
    """``ibis.pyspark.connect(spark)`` for the shared session."""
    import ibis

    return ibis.pyspark.connect(spark)
