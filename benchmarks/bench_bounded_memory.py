"""Bounded memory: peak RSS of ``read_rrweb`` on a large directory of recordings.

Writes ``--mb`` MiB (default 2048) of JSON-lines recordings (the demo
generator's 100 sessions, copied under new session ids, one recording per
line, about 11 MiB per file) to a temporary directory, then reads it with the
defaults in a fresh subprocess and reports that process's peak resident memory
(``ru_maxrss``: interpreter, imports and read together), the read time, the
rows, and ``loaded + rejected == read``. The issue asks for a peak under
2 GiB at 2 GB. ``--single`` writes one JSON-lines file instead of a directory
(the "one 500 MB file" case: streamed line by line). Usage::

    python benchmarks/bench_bounded_memory.py [--mb 2048] [--single] [--dir PATH] [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import orjson

GiB = 2**30
CHILD = textwrap.dedent(
    """
    import resource, sys, time
    from uxlens.io.rrweb import read_rrweb
    t = time.perf_counter()
    log = read_rrweb(sys.argv[1], progress=False)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    c = log.counts
    print(peak, seconds, c["read"], c["loaded"], c["rejected"], len(log.events),
          int(log.events.memory_usage(deep=True).sum()), int(bool(log.meta.get("streamed"))))
    """
)


def write_recordings(out: Path, mib: float, *, single: bool) -> tuple[int, int]:
    """Write about ``mib`` MiB of JSON lines under ``out``; return (bytes, files)."""
    from uxlens.demo.generate import generate

    recs = generate(n_sessions=100, seed=11).recordings
    out.mkdir(parents=True, exist_ok=True)
    total = copies = 0
    sink = open(out / "all.jsonl", "wb") if single else None
    try:
        while total < mib * 2**20:
            chunk = b"\n".join(
                orjson.dumps({**r, "session_id": f"{r['session_id']}-copy{copies}"})
                for r in recs
            ) + b"\n"
            if sink is not None:
                sink.write(chunk)
            else:
                (out / f"part-{copies:04d}.jsonl").write_bytes(chunk)
            total += len(chunk)
            copies += 1
    finally:
        if sink is not None:
            sink.close()
    return total, 1 if single else copies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=2048, help="MiB of recordings to write")
    ap.add_argument("--single", action="store_true", help="one JSON-lines file")
    ap.add_argument("--dir", type=Path, default=None, help="where to write (default: a tmp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the written recordings")
    args = ap.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="uxlens-bounded-"))
    data = root / "recordings"
    try:
        size, files = write_recordings(data, args.mb, single=args.single)
        target = data / "all.jsonl" if args.single else data
        out = subprocess.run([sys.executable, "-c", CHILD, str(target)],
                             capture_output=True, text=True, check=True)
        peak, seconds, read, loaded, rejected, rows, table, streamed = out.stdout.split()
        peak_b = int(peak)
        print(f"input: {size / 2**20:,.0f} MiB in {files} file(s) ({size / 1e9:.2f} GB)")
        print(f"read_rrweb: {float(seconds):.0f} s, {int(rows):,} rows, "
              f"streamed={bool(int(streamed))}, table {int(table) / GiB:.2f} GiB (deep)")
        print(f"counts: read {int(read):,} = loaded {int(loaded):,} + rejected {int(rejected):,}"
              f" -> {'OK' if int(loaded) + int(rejected) == int(read) else 'MISMATCH'}")
        print(f"peak RSS of the reading process: {peak_b / GiB:.2f} GiB "
              f"({'under' if peak_b < 2 * GiB else 'OVER'} 2 GiB)")
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
