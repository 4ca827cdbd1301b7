"""Shared helpers for uxlens benchmarks: a synthetic canonical events generator and timers.

The generator builds a canonical events table (the schema of ``uxlens.events``,
already sorted by ``(session_id, timestamp)`` with ``seq``) directly with numpy
and pyarrow, without going through ``validate()`` (which gives back the same
values and dtypes on it): 10 million rows take about 10 s to build, the table
holds 0.95 GiB and the process peaks at about 1.3 GiB RSS while building it.
Every later benchmark (funnels, heatmaps, friction, journeys) reuses it so that
numbers are comparable.

What a generated table looks like (defaults: 10M events, 500k sessions, 200k users):

- sessions: lengths are log-normal (median ~12, mean 20 events, long tail),
  start times uniform over one week starting 2024-03-04 UTC; each session has a
  user (200k users, so many users have several sessions), a device
  (desktop 55 %, mobile 35 %, tablet 10 %) with a matching viewport, a traffic
  ``source`` (organic, paid, email, direct, referral), ``is_returning`` and a
  ``version`` (A/B).
- timing: gaps between consecutive events are 80 % short (exponential, mean
  1.2 s), 15 % medium (uniform 2-9 s, around the 5 s inactivity threshold) and
  5 % long (exponential, mean 60 s); 4 % of gaps are exactly 0 (same-millisecond
  ties). Times are whole milliseconds.
- event mix (``EVENT_MIX``): mousemove 34 %, scroll 12 %, mutation 11 %,
  click 7 %, input 7 %, network 6 %, pageview 5 % (plus the first event of every
  session), focus/blur 4 %, touch 3 % (mobile-like), console 3 %, custom
  funnel events 3 % (signup_started, signup_done, invite_sent, ...), resize,
  dblclick, selection, error and ``$pageview`` make up the rest.
- ``url``: 60 pages (``https://app.example.com/<path>``); a pageview picks a page
  and the following events keep it; 1 % of events have no url. ``page_h`` is
  known for 50 of the 60 pages (NA on the others).
- coordinates: ``x``/``y`` (document px) on click, dblclick, touch and mousemove;
  ``scroll_y`` on scroll, click and mousemove; ``target`` (300 selectors) on
  click-like events; ``level`` on console (log/info/warn/error), ``status`` on
  network (200 mostly, 4xx/5xx 5 %, 0 1 %, NA 2 %).

Categoricals (``event``, ``url``, ``device``, ``target``, ``source``, ``level``)
are pandas categoricals, i.e. dictionary-encoded Arrow columns.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "EVENT_MIX",
    "synthetic_events",
    "best_of",
    "best_times",
    "peak_rss_gib",
    "report",
    "machine",
    "machine_info",
    "DATA_DIR",
    "cached_parquet",
]

#: Where generated datasets are cached (git-ignored).
DATA_DIR = Path(__file__).resolve().parent / "data"

#: Event name -> share of non-initial events (sums to 1).
EVENT_MIX: dict[str, float] = {
    "mousemove": 0.34,
    "scroll": 0.12,
    "mutation": 0.11,
    "click": 0.07,
    "input": 0.07,
    "network": 0.06,
    "pageview": 0.05,
    "focus": 0.02,
    "blur": 0.02,
    "touch": 0.03,
    "console": 0.03,
    "signup_started": 0.008,
    "signup_done": 0.006,
    "profile_saved": 0.005,
    "invite_sent": 0.004,
    "dashboard_viewed": 0.007,
    "resize": 0.005,
    "dblclick": 0.005,
    "selection": 0.01,
    "error": 0.003,
    "$pageview": 0.002,
}
_DEVICES = (("desktop", 0.55, 1440, 900), ("mobile", 0.35, 390, 844), ("tablet", 0.10, 820, 1180))
_SOURCES = (("organic", 0.35), ("paid", 0.25), ("email", 0.15), ("direct", 0.2), ("referral", 0.05))
_START = pd.Timestamp("2024-03-04", tz="UTC")


def _categorical(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=categories)


def _strings(prefix: str, ids: np.ndarray, width: int) -> pd.Series:
    """``prefix + zero-padded id`` as a pyarrow-backed string column, built per unique id."""
    uniques, inverse = np.unique(ids, return_inverse=True)
    labels = pa.array([f"{prefix}{i:0{width}d}" for i in uniques], type=pa.large_string())
    taken = labels.take(pa.array(inverse.astype(np.int64)))
    return pd.Series(pd.arrays.ArrowStringArray(taken), dtype=pd.StringDtype("pyarrow"))


def synthetic_events(
    n_events: int = 10_000_000,
    *,
    n_sessions: int | None = None,
    n_users: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """A canonical events table with ``n_events`` rows (see the module docstring).

    Parameters
    ----------
    n_events
        Exact number of rows.
    n_sessions
        Number of sessions; default ``n_events // 20``.
    n_users
        Number of distinct users; default ``n_events // 50``.
    seed
        Random seed: the same arguments always give the same table.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``(session_id, timestamp)``, with ``seq``; dtypes as
        ``uxlens.events.validate`` would give them. Built column by column,
        freeing temporaries, so that peak memory stays near twice the
        table's size (about 1 GiB for 10M rows).
    """
    rng = np.random.default_rng(seed)
    n = int(n_events)
    n_sessions = min(max(1, n_sessions or n // 20), n)
    n_users = max(1, n_users or n // 50)
    cols: dict[str, Any] = {}

    # Session lengths: log-normal, at least one event, summing to n exactly.
    raw = rng.lognormal(mean=2.5, sigma=0.9, size=n_sessions)
    sizes = np.maximum(1, np.floor(raw / raw.sum() * n)).astype(np.int64)
    diff = n - int(sizes.sum())
    while diff != 0:
        if diff > 0:
            np.add.at(sizes, rng.integers(0, n_sessions, diff), 1)
        else:
            big = np.flatnonzero(sizes > 1)
            sizes[rng.choice(big, min(-diff, len(big)), replace=False)] -= 1
        diff = n - int(sizes.sum())
    sess = np.repeat(np.arange(n_sessions, dtype=np.int32), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    is_first = np.zeros(n, dtype=bool)
    is_first[starts] = True
    cols["session_id"] = _strings("s", sess, 7)
    user = rng.integers(0, n_users, n_sessions)
    cols["user_id"] = _strings("u", user[sess], 7)

    # Times: whole ms, with same-ms ties and gaps around the inactivity threshold.
    gaps = rng.exponential(1200.0, n)
    kind = rng.random(n, dtype=np.float32)
    medium = kind >= 0.80
    gaps[medium] = rng.uniform(2000.0, 9000.0, int(medium.sum()))
    long = kind >= 0.95
    gaps[long] = rng.exponential(60000.0, int(long.sum()))
    del kind, medium, long
    gaps = gaps.astype(np.int64)
    gaps[rng.random(n, dtype=np.float32) < 0.04] = 0
    gaps[is_first] = 0
    np.cumsum(gaps, out=gaps)
    gaps -= np.repeat(gaps[starts], sizes)  # now: ms since the session's first event
    week_ms = 7 * 24 * 3600 * 1000
    gaps += (_START.value // 1_000_000 + rng.integers(0, week_ms, n_sessions))[sess]
    cols["timestamp"] = pd.Series(
        (gaps * 1_000_000).view("datetime64[ns]"), dtype="datetime64[ns]"
    ).dt.tz_localize("UTC")
    del gaps

    # Events: the first of each session is a pageview.
    names = list(EVENT_MIX)
    probs = np.array([EVENT_MIX[k] for k in names])
    ev_codes = rng.choice(len(names), size=n, p=probs / probs.sum()).astype(np.int8)
    ev_codes[is_first] = names.index("pageview")
    cols["event"] = _categorical(ev_codes, names)
    cols["seq"] = np.arange(n, dtype=np.int64) - np.repeat(starts, sizes)
    del is_first

    def _is(*wanted: str) -> np.ndarray:
        return np.isin(ev_codes, [names.index(w) for w in wanted])

    # URLs: a pageview picks a page, later events keep it (forward fill inside the
    # session; every session starts with a pageview, so the fill never crosses one).
    n_pages = 60
    page_paths = [f"https://app.example.com/p{i:02d}" for i in range(n_pages - 5)] + [
        "https://app.example.com/",
        "https://app.example.com/signup",
        "https://app.example.com/onboarding/profile",
        "https://app.example.com/onboarding/invite",
        "https://app.example.com/pricing",
    ]
    is_pv = _is("pageview")
    last_pv = np.where(is_pv, np.arange(n, dtype=np.int64), 0)
    np.maximum.accumulate(last_pv, out=last_pv)
    page = rng.integers(0, n_pages, n, dtype=np.int8)[last_pv]
    del last_pv
    no_url = (rng.random(n, dtype=np.float32) < 0.01) & ~is_pv
    cols["url"] = _categorical(np.where(no_url, -1, page), page_paths)
    del no_url, is_pv
    page_height = rng.integers(900, 6000, n_pages).astype(np.float32)
    page_height[rng.choice(n_pages, 10, replace=False)] = np.nan
    page_h = page_height[page]
    del page

    # Per-session device, viewport and properties.
    dev_idx = rng.choice(len(_DEVICES), size=n_sessions, p=[d[1] for d in _DEVICES])
    jitter = rng.integers(-20, 21, n_sessions) * (dev_idx != 0)
    vw = (np.array([d[2] for d in _DEVICES])[dev_idx] + jitter).astype(np.int32)
    vh = (np.array([d[3] for d in _DEVICES])[dev_idx] + rng.integers(-60, 61, n_sessions))
    vh = vh.astype(np.int32)
    src_idx = rng.choice(len(_SOURCES), size=n_sessions, p=[s[1] for s in _SOURCES])
    returning = rng.random(n_sessions) < 0.3
    version = (rng.random(n_sessions) < 0.5).astype(np.int8)

    # Scroll and coordinates (document px).
    vh_ev = vh[sess]
    max_scroll = np.maximum(np.nan_to_num(page_h, nan=3000.0) - vh_ev, 0.0).astype(np.float32)
    scroll_y = np.round(rng.random(n, dtype=np.float32) * max_scroll).astype(np.float64)
    del max_scroll
    scroll_y[~_is("scroll", "click", "mousemove")] = np.nan
    has_xy = _is("click", "dblclick", "touch", "mousemove")
    x = np.round(rng.random(n, dtype=np.float32) * vw[sess], 1).astype(np.float64)
    x[~has_xy] = np.nan
    y = np.round(rng.random(n, dtype=np.float32) * vh_ev, 1).astype(np.float64)
    y += np.nan_to_num(scroll_y)
    y[~has_xy] = np.nan
    del has_xy
    cols.update(x=x, y=y)
    cols["viewport_w"] = pd.array(vw[sess], dtype="Int32")
    cols["viewport_h"] = pd.array(vh_ev, dtype="Int32")
    del vh_ev
    page_h_int = pd.array(np.nan_to_num(page_h, nan=0).astype(np.int32), dtype="Int32")
    page_h_int[np.isnan(page_h)] = pd.NA
    cols["page_h"] = page_h_int
    del page_h
    cols["scroll_y"] = scroll_y

    clicky = _is("click", "dblclick", "touch")
    targets = [f"main > div.card:nth-of-type({i % 20}) > button.b{i}" for i in range(300)]
    target_codes = rng.integers(0, 300, n, dtype=np.int16)
    target_codes[~clicky] = -1
    cols["target"] = _categorical(target_codes, targets)
    del clicky, target_codes

    cols["device"] = _categorical(dev_idx[sess], [d[0] for d in _DEVICES])
    cols["source"] = _categorical(src_idx[sess], [s[0] for s in _SOURCES])
    cols["is_returning"] = pd.array(returning[sess], dtype="boolean")

    level_codes = rng.choice(4, n, p=[0.5, 0.2, 0.15, 0.15]).astype(np.int8)
    level_codes[~_is("console")] = -1
    cols["level"] = _categorical(level_codes, ["log", "info", "warn", "error"])
    del level_codes
    r = rng.random(n, dtype=np.float32)
    status = np.select([r < 0.02, r < 0.03, r < 0.055, r < 0.08], [-1, 0, 404, 500], 200)
    del r
    status = status.astype(np.int32)
    status[~_is("network")] = -1
    status_arr = pd.array(status, dtype="Int32")
    status_arr[status < 0] = pd.NA
    cols["status"] = status_arr
    del status
    cols["version"] = _categorical(version[sess], ["A", "B"])
    return pd.DataFrame(cols, copy=False)


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls of ``fn`` and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def best_times(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float, Any]:
    """Best wall time, best CPU time and the last result of ``repeat`` calls.

    CPU time is process-wide (``time.process_time``: every thread, DuckDB's
    included), so its ratios stay meaningful when other jobs share the cores
    and wall times are inflated.
    """
    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        result = None
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return wall, cpu, result


def peak_rss_gib() -> float:
    """Peak resident memory of this process so far, in GiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return peak * scale / 2**30


def report(name: str, uxlens_s: float, baseline_s: float, *, baseline: str = "baseline",
           target: float | None = None) -> float:
    """Print ``name: uxlens X s, <baseline> Y s, ratio Z`` (and the target); return the ratio."""
    ratio = uxlens_s / baseline_s if baseline_s > 0 else float("inf")
    verdict = ""
    if target is not None:
        verdict = f" (target <= {target:g}: {'met' if ratio <= target else 'NOT met'})"
    print(
        f"{name}: uxlens {uxlens_s:.3f} s, {baseline} {baseline_s:.3f} s, "
        f"ratio {ratio:.2f}{verdict}; peak RSS {peak_rss_gib():.2f} GiB",
        flush=True,
    )
    return ratio


def machine() -> str:
    """One line describing the machine (cores, memory, Python and library versions)."""
    import duckdb

    try:
        import ibis

        ibis_v = ibis.__version__
    except ImportError:  # pragma: no cover
        ibis_v = "-"
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {sys.version.split()[0]}, "
        f"pandas {pd.__version__}, pyarrow {pa.__version__}, duckdb {duckdb.__version__}, "
        f"ibis {ibis_v}"
    )


def _write_parquet(n_events: int, seed: int, path: str) -> None:
    tmp = path + ".tmp"
    synthetic_events(n_events, seed=seed).to_parquet(tmp, row_group_size=1_000_000)
    os.replace(tmp, path)


def cached_parquet(n_events: int, *, seed: int = 0) -> Path:
    """``synthetic_events(n_events, seed=seed)`` as one Parquet file, cached in :data:`DATA_DIR`.

    Generated once, in a child process (so that the caller's peak memory does
    not include the generator's), then reused by every benchmark.
    """
    import multiprocessing as mp

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"events_{n_events}_s{seed}.parquet"
    if not path.exists():
        print(f"generating {n_events:,} events into {path} (child process) ...", flush=True)
        proc = mp.get_context("spawn").Process(
            target=_write_parquet, args=(n_events, seed, str(path))
        )
        proc.start()
        proc.join()
        if proc.exitcode != 0:
            raise SystemExit(f"event generation failed (exit code {proc.exitcode})")
    return path


def machine_info() -> dict[str, str]:
    """The machine as a dict: CPU model, cores, RAM, OS, Python and library versions."""
    import platform

    import duckdb

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:  # pragma: no cover - not Linux
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {"pandas": pd.__version__, "numpy": np.__version__, "pyarrow": pa.__version__,
                "duckdb": duckdb.__version__}
    from importlib.metadata import PackageNotFoundError, version

    for name in ("ibis-framework", "uxlens", "chdb", "retentioneering", "pyspark"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{mem:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }
