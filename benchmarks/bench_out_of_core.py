"""Funnel, click-heatmap grid and session summary over Parquet larger than memory.

Usage::

    python benchmarks/generate_events.py --events 100_000_000 --out benchmarks/data/events
    python benchmarks/bench_out_of_core.py --data benchmarks/data/events --memory-limit 3GB

Every operation reads the Parquet directory through
:func:`uxlens.engine.sql.scan_parquet` (DuckDB, streaming, ``memory_limit``
set, spilling to a temp folder) and runs the same uxlens code as on a
DataFrame: ``Funnel(table, ...).table()``, ``Heatmap(table, ...).grid()`` and
the session summary. The summary has one row per session (5M at 100M events),
so by default it streams to a Parquet file (``--summary parquet``); with
``--summary pandas`` it comes back as a DataFrame, as ``session_summary`` gives
it in a notebook. Prints the time of each operation and the process's peak
resident memory (DuckDB runs in-process, so it is included) after each.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine, peak_rss_gib


def _cpu_s() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


TIMINGS: list[dict[str, Any]] = []


def _timed(name: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn``; print wall time, CPU time (all threads) and peak RSS so far.

    CPU time is printed beside wall time because on a shared machine the wall
    time also measures the other processes.
    """
    start, cpu = time.perf_counter(), _cpu_s()
    result = fn()
    took, used = time.perf_counter() - start, _cpu_s() - cpu
    TIMINGS.append({"stage": name, "wall_s": took, "cpu_s": used, "peak_rss_gib": peak_rss_gib()})
    print(
        f"{name:<28} {took:8.2f} s wall {used:8.2f} s CPU   peak RSS so far "
        f"{peak_rss_gib():5.2f} GiB",
        flush=True,
    )
    return result


def run(data: str, *, memory_limit: str, threads: int | None, summary: str) -> dict[str, Any]:
    """Run the three operations once; return their results (small frames)."""
    from uxlens.engine.sessions import session_summary, session_summary_expr
    from uxlens.engine.sql import scan_parquet
    from uxlens.funnel import Funnel, Step
    from uxlens.heatmap import Heatmap

    table = _timed(
        "open (scan_parquet)",
        lambda: scan_parquet(data, memory_limit=memory_limit, threads=threads),
    )
    n = int(_timed("count events", lambda: table.count().execute()))
    print(f"  {n:,} events", flush=True)
    out: dict[str, Any] = {"events": n}

    funnel = Funnel(
        table,
        steps=[Step("pageview", url="/signup"), "signup_started", "signup_done"],
        window="1h",
    )
    out["funnel"] = _timed("funnel (3 steps, 1h)", funnel.table)
    print(out["funnel"].to_string(max_cols=8), flush=True)

    heat = Heatmap(table, url="/pricing", kind="click", background=None)
    grid = _timed("click heatmap grid", heat.grid)
    out["grid_points"] = int(grid["count"].sum()) if "count" in grid else len(grid)
    print(f"  {len(grid):,} cells, {out['grid_points']:,} clicks", flush=True)

    if summary == "pandas":
        frame = _timed("session summary (pandas)", lambda: session_summary(table))
        out["sessions"] = len(frame)
        del frame
    else:
        con = table._find_backend()
        target = Path(tempfile.mkdtemp(prefix="uxlens-bench-")) / "sessions.parquet"
        _timed(
            "session summary (parquet)",
            lambda: con.to_parquet(session_summary_expr(table), target),
        )
        out["sessions"] = int(
            con.raw_sql(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]
        )
    print(f"  {out['sessions']:,} sessions", flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="benchmarks/data/events")
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--summary", choices=("parquet", "pandas"), default="parquet")
    parser.add_argument("--generate", type=lambda s: int(s.replace("_", "")), default=None,
                        help="write this many events to --data first if it holds no Parquet")
    parser.add_argument("--json", default=None, help="write result rows (benchmark suite) here")
    args = parser.parse_args(argv)
    if args.generate and not any(Path(args.data).glob("**/*.parquet")):
        from benchmarks.generate_events import generate

        generate(args.generate, args.data)
    if not any(Path(args.data).glob("**/*.parquet")):
        raise SystemExit(
            f"No Parquet files under {args.data}. Generate them first:\n"
            f"  python benchmarks/generate_events.py --events 10_000_000 --out {args.data}"
        )
    print(machine())
    print(f"data {args.data}, DuckDB memory_limit {args.memory_limit}, threads "
          f"{args.threads or 'all'}, summary -> {args.summary}")
    start = time.perf_counter()
    out = run(args.data, memory_limit=args.memory_limit, threads=args.threads,
              summary=args.summary)
    total = time.perf_counter() - start
    print(f"total {total:.2f} s wall, {_cpu_s():.2f} s CPU, peak RSS {peak_rss_gib():.2f} GiB")
    if args.json:
        import json

        rows = []
        notes = {"funnel": "3 steps, 1 h", "click heatmap grid": f"{out['grid_points']:,} clicks",
                 "session summary": f"{out['sessions']:,} sessions to {args.summary}"}
        for t in TIMINGS:
            key = next((k for k in notes if t["stage"].startswith(k)), None)
            if key is None:
                continue
            rows.append({
                "operation": f"out-of-core {key.replace('click heatmap grid', 'heatmap')}",
                "events": out["events"], "uxlens_s": t["wall_s"], "uxlens_cpu_s": t["cpu_s"],
                "baseline": "-", "baseline_s": None, "baseline_cpu_s": None, "ratio": None,
                "ratio_cpu": None, "target": "peak < 4 GiB", "met": t["peak_rss_gib"] < 4,
                "peak_rss_gib": t["peak_rss_gib"],
                "note": f"{notes[key]}; DuckDB over Parquet, memory_limit {args.memory_limit}; "
                        "peak RSS of the process so far",
            })
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
