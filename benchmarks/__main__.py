"""The benchmark suite: ``python -m benchmarks`` (or ``make bench``).

Generates the synthetic events once (1M and 10M events, cached as Parquet under
``benchmarks/data/``, git-ignored), runs every uxlens operation against its
baselines (each operation in its own subprocess, so that its peak memory is its
own; uxlens and the baselines share that process and its data), prints one
table and writes it with the machine to ``benchmarks/RESULTS.md``. Raw rows are
kept in ``benchmarks/results.json``, so that ``--only`` refreshes some rows and
keeps the others.

Baselines: hand-written DuckDB SQL (sessions, funnel, journeys counts),
ClickHouse ``windowFunnel`` through chdb, ``numpy.histogram2d`` on pre-filtered
arrays, retentioneering's transition graph, plain pandas (rage clicks). chdb
and retentioneering are optional: ``pip install chdb retentioneering`` (they
are in the uxlens benchmark environment); without them their rows are skipped.

Usage::

    python -m benchmarks                      # 1M and 10M events, every operation
    python -m benchmarks --quick              # 1M only
    python -m benchmarks --only funnel --only heatmap
    python -m benchmarks --only out_of_core   # 100M events in Parquet (minutes; not in the default run)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import DATA_DIR, machine_info
from benchmarks.suite import OPERATIONS

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS_MD = HERE / "RESULTS.md"
RESULTS_JSON = HERE / "results.json"
SIZES = (1_000_000, 10_000_000)
OUT_OF_CORE_EVENTS = 100_000_000
COLUMNS = ("operation", "events", "uxlens", "baseline", "baseline time", "ratio", "ratio (CPU)",
           "target", "pass", "peak RSS")


def _fmt_n(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"


def _fmt_s(v: float | None) -> str:
    return "-" if v is None else (f"{v:.3f} s" if v < 10 else f"{v:.1f} s")


def cells(r: dict[str, Any]) -> list[str]:
    """The printed cells of one result row."""
    ratio = "-" if r.get("ratio") is None else f"{r['ratio']:.2f}"
    ratio_cpu = "-" if r.get("ratio_cpu") is None else f"{r['ratio_cpu']:.2f}"
    verdict = {True: "pass", False: "FAIL", None: "-"}[r.get("met")]
    return [r["operation"], _fmt_n(r["events"]), _fmt_s(r["uxlens_s"]), r["baseline"],
            _fmt_s(r.get("baseline_s")), ratio, ratio_cpu, r["target"], verdict,
            f"{r['peak_rss_gib']:.2f} GiB"]


def table_text(rows: list[dict[str, Any]]) -> str:
    """A plain-text table for the terminal."""
    body = [list(COLUMNS)] + [cells(r) for r in rows]
    widths = [max(len(line[i]) for line in body) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)) for line in body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def table_markdown(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table (with the notes)."""
    head = list(COLUMNS) + ["when", "load avg", "notes"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        line = cells(r) + [r.get("when", ""), r.get("load", ""),
                           r.get("note", "").replace("|", "/")]
        out.append("| " + " | ".join(line) + " |")
    return "\n".join(out)


def _order(r: dict[str, Any]) -> tuple:
    names = list(OPERATIONS) + ["out_of_core"]
    base = r["operation"].split(" ")[0].replace("-", "_")
    return (names.index(base) if base in names else len(names), r["events"])


def write_results(rows: list[dict[str, Any]], machine: dict[str, str]) -> None:
    """Write RESULTS.md (and results.json) from ``rows``."""
    RESULTS_JSON.write_text(json.dumps({"machine": machine, "rows": rows}, indent=1) + "\n")
    mach = "\n".join(f"- {k}: {v}" for k, v in machine.items())
    RESULTS_MD.write_text(
        "# uxlens benchmark results\n\n"
        "Written by `python -m benchmarks` (`make bench`); do not edit by hand. "
        "How the numbers are taken: `benchmarks/README.md`.\n\n"
        "Times are the best of the interleaved runs, in wall seconds; `ratio` is "
        "uxlens time / baseline time (lower is better; the journeys target, 5x faster than "
        "retentioneering, is a ratio <= 0.2); `ratio (CPU)` is the same in CPU seconds "
        "(every thread), steadier when other jobs share the machine. Peak RSS is the "
        "operation's process right after uxlens's first run (events in memory + uxlens), "
        "or the whole process for end-to-end and out-of-core. `load avg` is the machine's "
        "1-minute load average when the operation started and ended (2 cores: above 2, other "
        "jobs were competing and wall times are inflated; read the CPU ratios).\n\n"
        f"## Machine\n\n{mach}\n\n## Results\n\n{table_markdown(rows)}\n"
        + _missed(rows)
    )


def _missed(rows: list[dict[str, Any]]) -> str:
    """A list of the rows whose target was not met (empty string if none)."""
    missed = [r for r in rows if r.get("met") is False]
    if not missed:
        return "\nEvery target was met.\n"
    lines = [f"- {r['operation']}, {_fmt_n(r['events'])}: {r['target']}; got "
             + (f"ratio {r['ratio']:.2f} (CPU {r['ratio_cpu']:.2f})"
                if r.get("ratio") is not None and r.get("abs_max") is None
                else f"{_fmt_s(r['uxlens_s'])} ({r['uxlens_cpu_s']:.1f} CPU-s), "
                     f"{r['peak_rss_gib']:.2f} GiB")
             + f" (load avg {r.get('load', '?')})" for r in missed]
    return "\n## Targets not met\n\n" + "\n".join(lines) + "\n"


def _run_child(args: list[str], log: Path) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.json"
        with log.open("w") as fh:
            proc = subprocess.run([sys.executable, *args, "--json", str(out)], cwd=REPO,
                                  stdout=fh, stderr=subprocess.STDOUT)
        if proc.returncode != 0 or not out.exists():
            tail = "\n".join(log.read_text().splitlines()[-15:])
            print(f"  FAILED (exit {proc.returncode}); log {log}:\n{tail}", flush=True)
            return []
        return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M events only")
    parser.add_argument("--only", action="append", default=[],
                        choices=list(OPERATIONS) + ["out_of_core"],
                        help="run only this operation (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--events", type=lambda s: int(s.replace("_", "")), action="append",
                        default=[], help="event counts (default 1M and 10M)")
    parser.add_argument("--memory-limit", default="2GB",
                        help="DuckDB memory limit for out_of_core (default 2GB)")
    parser.add_argument("--rewrite", action="store_true",
                        help="only rewrite RESULTS.md from results.json (no runs)")
    args = parser.parse_args(argv)
    if args.rewrite:
        saved = json.loads(RESULTS_JSON.read_text())
        write_results(sorted(saved["rows"], key=_order), saved["machine"])
        print(f"rewrote {RESULTS_MD.relative_to(REPO)}")
        return []
    sizes = args.events or ([SIZES[0]] if args.quick else list(SIZES))
    ops = args.only or list(OPERATIONS)
    machine = machine_info()
    print("machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()), flush=True)
    logs = DATA_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime()) + " UTC"

    fresh: list[dict[str, Any]] = []
    jobs: list[tuple[str, int, list[str]]] = []
    for n in sizes:
        for op in ops:
            if op == "out_of_core":
                continue
            jobs.append((op, n, ["-m", "benchmarks.suite", op, "--events", str(n),
                                 "--repeat", str(args.repeat)]))
    if "out_of_core" in ops:
        jobs.append(("out_of_core", OUT_OF_CORE_EVENTS,
                     ["-m", "benchmarks.bench_out_of_core", "--generate",
                      str(OUT_OF_CORE_EVENTS), "--data", str(DATA_DIR / "events_100M"),
                      "--memory-limit", args.memory_limit]))
    for op, n, child in jobs:
        t0 = time.perf_counter()
        print(f"{op} on {_fmt_n(n)} events ...", end=" ", flush=True)
        load_start = os.getloadavg()[0]
        rows = _run_child(child, logs / f"{op}_{n}.log")
        for r in rows:
            r["when"] = when
            r["load"] = f"{load_start:.1f} -> {os.getloadavg()[0]:.1f}"
        fresh.extend(rows)
        print(f"{time.perf_counter() - t0:.0f} s", flush=True)

    keep: list[dict[str, Any]] = []
    if RESULTS_JSON.exists():
        done = {(r["operation"].split(" ")[0], r["events"]) for r in fresh}
        old = json.loads(RESULTS_JSON.read_text()).get("rows", [])
        keep = [r for r in old if (r["operation"].split(" ")[0], r["events"]) not in done]
    rows = sorted(keep + fresh, key=_order)
    print()
    print(table_text(fresh))
    write_results(rows, machine)
    print(f"\nwrote {RESULTS_MD.relative_to(REPO)} ({len(rows)} rows; logs in {logs})")
    return fresh


if __name__ == "__main__":
    main()
