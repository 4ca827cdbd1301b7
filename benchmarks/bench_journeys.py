"""Journeys benchmark: 10M events → page journeys, transitions, step matrix, top paths.

Compares, in one process and on the same data (``benchmarks/_common.py``'s
synthetic canonical events; journeys are the pageview URLs of each session):

- **uxlens**: ``Journeys(log, session_gap=None, collapse_repeats=False)`` on a
  fresh object (nothing cached), then ``.transitions()``, ``.step_matrix(10)``
  and ``.paths(20)``. These settings give retentioneering's semantics (one
  path per session, every event a step); the default settings (30-minute gap,
  repeats collapsed) are timed too.
- **retentioneering** (``pip install retentioneering``; skipped with a message
  if it does not import) on the pageview rows only (event = URL path, path =
  session): ``Eventstream(...)`` then ``transition_graph_data()`` (the
  transition graph's matrix) and ``step_matrix_data(max_steps=10)``. The
  script checks that its transition probabilities equal uxlens's.
- **uxlens on the same rows**: the pageview rows only, as retentioneering
  gets them (the main figure above makes uxlens select them from all events).
- **hand-written DuckDB LAG/LEAD** query: the transition counts only (a lower
  bound for any engine).

Prints times and ratios (target: uxlens transitions + step matrix + top paths
at least 5x faster than retentioneering's transition graph alone).

Usage: ``python benchmarks/bench_journeys.py [n_events]`` (default 10,000,000).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_times, machine, peak_rss_gib
from bench_funnel import load

os.environ.setdefault("RETENTIONEERING_NO_TRACK", "1")  # no analytics calls from the baseline

REPEAT = 2


def timed(fn):
    """Best wall time of REPEAT calls (CPU time, every thread, is printed by ``cpu``)."""
    wall, cpu, out = best_times(fn, repeat=REPEAT)
    CPU[fn] = cpu
    return wall, out


CPU: dict = {}


def main(n_events: int) -> None:
    from uxlens.eventlog import EventLog
    from uxlens.journeys import EXIT, Journeys

    print(machine(), flush=True)
    df = load(n_events)
    t0 = time.perf_counter()
    log = EventLog(df)
    print(f"{len(df):,} events loaded; EventLog built in {time.perf_counter() - t0:.2f} s", flush=True)

    def run_uxlens(**kw):
        j = Journeys(log, node="url", max_steps=10, **kw)
        return j, j.transitions(), j.step_matrix(10), j.paths(20)

    ux_fn = lambda: run_uxlens(session_gap=None, collapse_repeats=False)  # noqa: E731
    ux_s, (j, trans, matrix, paths) = timed(ux_fn)
    print(f"uxlens transitions + step matrix + top paths (retentioneering semantics): {ux_s:.2f} s "
          f"(CPU {CPU[ux_fn]:.2f} s) "
          f"({len(j.steps_):,} steps, {len(j.journeys_):,} journeys)", flush=True)
    ux_def_s, _ = timed(lambda: run_uxlens())
    print(f"uxlens, default settings (30 min gap, repeats collapsed): {ux_def_s:.2f} s", flush=True)
    print(paths.head(3).to_string(), flush=True)

    # The same pageview rows, node = URL path, in uxlens's step order.
    views = df.loc[df["event"].astype(str).isin(["pageview", "$pageview"]) & df["url"].notna(),
                   ["session_id", "timestamp", "url", "seq"]]
    views = views.assign(event=views["url"].astype(str).str.replace(r"^https?://[^/]+", "", regex=True))
    views = views.sort_values(["session_id", "timestamp", "seq"], kind="stable")

    # The same rows retentioneering gets (pageviews only), so neither side filters.
    view_log = EventLog(df.loc[views.index].reset_index(drop=True))
    same_fn = lambda: (lambda j: (j.transitions(), j.step_matrix(10), j.paths(20)))(  # noqa: E731
        Journeys(view_log, node="url", max_steps=10, session_gap=None, collapse_repeats=False))
    same_s, _ = timed(same_fn)
    print(f"uxlens on the same {len(view_log):,} pageview rows retentioneering gets: {same_s:.2f} s "
          f"(CPU {CPU[same_fn]:.2f} s)", flush=True)

    con = duckdb.connect()
    con.register("views", views[["session_id", "timestamp", "seq", "event"]])
    sql = """
        SELECT event AS node, coalesce(nxt, '(exit)') AS next, count(*) AS n FROM (
          SELECT event, LEAD(event) OVER (PARTITION BY session_id ORDER BY timestamp, seq) AS nxt
          FROM views) GROUP BY ALL
    """
    duck_s, duck = timed(lambda: con.execute(sql).df())
    check = trans.set_index(["node", "next"])["count"].sort_index()
    mine = duck.set_index(["node", "next"])["n"].sort_index()
    assert check.to_dict() == mine.to_dict(), "DuckDB LAG/LEAD counts differ from uxlens"
    print(f"DuckDB LAG/LEAD transition counts (hand SQL, same counts as uxlens): {duck_s:.2f} s", flush=True)

    try:
        from retentioneering import Eventstream
    except Exception as exc:
        print(f"retentioneering not available ({exc!r}); compared with DuckDB LAG/LEAD only.")
        print(f"ratio DuckDB / uxlens: {duck_s / ux_s:.2f}")
        return
    import retentioneering

    rows = pd.DataFrame({"session_id": views["session_id"].astype(str).to_numpy(),
                         "event": views["event"].to_numpy(),
                         "timestamp": views["timestamp"].dt.tz_localize(None).to_numpy()})
    t0 = time.perf_counter()
    es = Eventstream(rows, schema={"path_cols": ["session_id"]})
    es_s = time.perf_counter() - t0
    tg_fn = lambda: es.transition_graph_data()  # noqa: E731
    tg_s, tg = timed(tg_fn)
    sm_s, _ = timed(lambda: es.step_matrix_data(max_steps=10))
    print(f"retentioneering {retentioneering.__version__}: Eventstream {es_s:.2f} s, "
          f"transition graph {tg_s:.2f} s (CPU {CPU[tg_fn]:.2f} s), step matrix {sm_s:.2f} s", flush=True)

    ours = j.transitions(as_matrix=True)
    theirs = tg.drop(index="path_start", columns="path_start").rename(
        index={"path_end": EXIT}, columns={"path_end": EXIT})
    theirs = theirs.reindex(index=ours.index, columns=ours.columns).fillna(0.0)
    diff = float(np.abs(ours.to_numpy() - theirs.to_numpy()).max())
    print(f"transition probabilities, max |uxlens - retentioneering| = {diff:.2e}", flush=True)

    print(f"ratio retentioneering transition graph / uxlens (transitions + step matrix + paths): "
          f"{tg_s / ux_s:.2f}x (target >= 5)")
    print(f"CPU-time ratio (robust to other jobs on the machine): "
          f"{CPU[tg_fn] / CPU[ux_fn]:.2f}x")
    print(f"same input rows (pageviews only): {tg_s / same_s:.2f}x wall, "
          f"{CPU[tg_fn] / CPU[same_fn]:.2f}x CPU")
    print(f"ratio retentioneering (Eventstream + graph + step matrix) / uxlens: "
          f"{(es_s + tg_s + sm_s) / ux_s:.2f}x")
    print(f"ratio uxlens / DuckDB LAG/LEAD: {ux_s / duck_s:.2f}; peak RSS {peak_rss_gib():.2f} GiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
