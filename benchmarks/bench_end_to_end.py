"""End-to-end on 10 million events: load Parquet, sessions, funnel, click heatmap, friction, journeys.

What a notebook does with a week of events, in one fresh process, timed stage by
stage (wall and CPU seconds, every thread) with the process's peak resident
memory after each stage:

1. ``load``: ``ux.read_events("events.parquet")`` (read, validate, privacy
   masks; the EventLog every later stage shares). With ``--trusted`` the input
   is the same events stored once by ``log.to_parquet(...)`` (stamped as
   validated): ``read_events`` checks types, required values and order
   instead of validating every row again (the store-once, reload-often path);
2. ``sessions``: ``log.sessions()`` (the session summary, one row per session);
3. ``funnel``: a 5-step ordered funnel with a 1 h window, ``Funnel(...).table()``;
4. ``heatmap``: the click grid of the busiest page, ``Heatmap(...).grid()``;
5. ``friction``: every detector and the session scores, ``Friction(log).scores()``;
6. ``journeys``: page journeys, ``transitions()``, ``step_matrix(10)``, ``paths(20)``.

Target (issue 10): the whole chain under 30 s and under 3 GiB peak RSS.
Peak memory is that of this process (generation of the input runs in a child
process, so it is not counted); ``python -m benchmarks`` runs this script in
its own subprocess for that reason.

Run from the repository root::

    python benchmarks/bench_end_to_end.py                   # 10M events
    python benchmarks/bench_end_to_end.py --events 1000000
    python benchmarks/bench_end_to_end.py --json out.json   # machine-readable stages
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import cached_parquet, machine, peak_rss_gib

TARGET_S = 30.0
TARGET_GIB = 3.0
STEPS = ["signup_started", "signup_done", "profile_saved", "invite_sent", "dashboard_viewed"]
PAGE = "https://app.example.com/pricing"


def _cpu_s() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def run(path: str | Path, *, trusted: bool = False) -> list[dict[str, Any]]:
    """Run the six stages on the Parquet file at ``path``; one dict per stage."""

    import uxlens as ux

    stages: list[dict[str, Any]] = []
    state: dict[str, Any] = {}

    def stage(name: str, fn: Callable[[], str]) -> None:
        w0, c0 = time.perf_counter(), _cpu_s()
        detail = fn()
        wall, cpu = time.perf_counter() - w0, _cpu_s() - c0
        row = {"stage": name, "wall_s": wall, "cpu_s": cpu, "peak_rss_gib": peak_rss_gib(),
               "detail": detail}
        stages.append(row)
        print(f"  {name:<10} {wall:7.2f} s wall {cpu:7.2f} s CPU  peak RSS "
              f"{row['peak_rss_gib']:.2f} GiB  {detail}", flush=True)

    def load() -> str:
        state["log"] = ux.read_events(str(path))
        if trusted:
            assert "trusted" in state["log"].meta, "expected a file stamped by EventLog.to_parquet"
            return f"{len(state['log']):,} events (uxlens-stamped Parquet: checked, not re-validated)"
        c = state['log'].counts
        return f"{c['loaded']:,} events loaded, {c['rejected']:,} rejected (duplicates)"

    def sessions() -> str:
        return f"{len(state['log'].sessions()):,} sessions"

    def funnel() -> str:
        table = ux.Funnel(state["log"], STEPS, window="1h").table()
        return "counts " + "/".join(str(int(c)) for c in table["count"])

    def heatmap() -> str:
        grid = ux.Heatmap(state["log"], url=PAGE, kind="click", background=None).grid()
        return f"{int(grid['count'].sum()):,} clicks in {len(grid):,} cells"

    def friction() -> str:
        scores = ux.Friction(state["log"]).scores()
        return f"{len(scores):,} sessions scored"

    def journeys() -> str:
        j = ux.Journeys(state["log"], node="url", max_steps=10)
        trans, _, paths = j.transitions(), j.step_matrix(10), j.paths(20)
        return f"{len(trans):,} transitions, {len(paths)} top paths"

    for name, fn in [("load", load), ("sessions", sessions), ("funnel", funnel),
                     ("heatmap", heatmap), ("friction", friction), ("journeys", journeys)]:
        stage(name, fn)
    return stages


def _stamp(src: str, dst: str) -> None:
    import uxlens as ux

    ux.read_events(src).to_parquet(dst)


def stamped_copy(path: Path) -> Path:
    """``read_events(path).to_parquet(...)`` once, in a child process (its memory not counted)."""
    import multiprocessing as mp

    out = path.with_name(path.stem + ".uxlens.parquet")
    if not out.exists():
        print(f"writing the stamped copy {out.name} (child process) ...", flush=True)
        proc = mp.get_context("spawn").Process(target=_stamp, args=(str(path), str(out)))
        proc.start()
        proc.join()
        if proc.exitcode != 0:
            raise SystemExit(f"stamped copy failed (exit code {proc.exitcode})")
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=lambda s: int(s.replace("_", "")), default=10_000_000)
    parser.add_argument("--data", default=None, help="a Parquet file (default: generated, cached)")
    parser.add_argument("--json", default=None, help="write the stages and totals here")
    parser.add_argument("--trusted", action="store_true",
                        help="load the events as written by EventLog.to_parquet (stamped: "
                             "checked, not validated again); the stamped copy is made once")
    args = parser.parse_args(argv)
    path = Path(args.data) if args.data else cached_parquet(args.events)
    if args.trusted:
        path = stamped_copy(path)
    print(f"machine: {machine()}")
    print(f"end-to-end on {path} ({path.stat().st_size / 2**20:.0f} MiB)", flush=True)
    w0, c0 = time.perf_counter(), _cpu_s()
    stages = run(path, trusted=args.trusted)
    total, cpu = time.perf_counter() - w0, _cpu_s() - c0
    peak = peak_rss_gib()
    slowest = max(stages, key=lambda r: r["wall_s"])
    ok = total < TARGET_S and peak < TARGET_GIB
    print(f"total {total:.2f} s wall ({cpu:.2f} s CPU), peak RSS {peak:.2f} GiB; target < "
          f"{TARGET_S:g} s and < {TARGET_GIB:g} GiB: {'met' if ok else 'NOT met'}; slowest stage "
          f"{slowest['stage']} ({slowest['wall_s'] / total:.0%} of the wall time)", flush=True)
    result = {"events": args.events, "trusted": args.trusted, "stages": stages, "wall_s": total, "cpu_s": cpu,
              "peak_rss_gib": peak, "met": ok}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
