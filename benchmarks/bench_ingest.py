"""rrweb ingest throughput vs bare ``orjson.loads`` of the same bytes.

Builds a synthetic ~50 MB JSON file (an array of recordings
``{"session_id", "events"}``) by repeating every shared rrweb recording in
``../shared/data/rrweb`` with a new session id and shifted timestamps, then
times, in the same process, best of ``--repeat`` runs:

- ``orjson.loads(data)`` (the floor: parsing only);
- ``uxlens.io.rrweb.read_rrweb(data)`` (parse + flatten + DOM mirror +
  selectors + masking + validate).

and prints the ratio ``bare_seconds / uxlens_seconds`` (the issue asks for at
least 0.40). Usage::

    python benchmarks/bench_ingest.py [--mb 50] [--repeat 3] [--jsonl]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import orjson

from uxlens.io.rrweb import read_rrweb

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = [REPO.parent / "shared" / "data" / "rrweb", Path("/work/shared/data/rrweb")]
DAY_MS = 86_400_000


def load_shared() -> list[tuple[str, list[dict]]]:
    """The shared recordings as (name, events) pairs."""
    folder = next((p for p in CANDIDATES if p.is_dir()), None)
    if folder is None:
        sys.exit("shared rrweb data not found (expected ../shared/data/rrweb)")
    out = []
    for path in sorted(folder.glob("*.json")):
        value = orjson.loads(path.read_bytes())
        if isinstance(value, dict):
            value = value["result"]["snapshots"]
        out.append((path.stem, value))
    return out


def build(target_bytes: int, *, jsonl: bool) -> bytes:
    """Repeat the shared recordings (new session ids, shifted times) up to ``target_bytes``."""
    recordings = load_shared()
    encoded = []
    size = 0
    copy = 0
    while size < target_bytes:
        for name, events in recordings:
            sid = f"{name}-{copy}"
            shifted = []
            for ev in events:
                ev = dict(ev, timestamp=ev["timestamp"] + copy * DAY_MS)
                if "sessionId" in ev:
                    ev["sessionId"] = sid
                shifted.append(ev)
            blob = orjson.dumps({"session_id": sid, "events": shifted})
            encoded.append(blob)
            size += len(blob) + 1
        copy += 1
    if jsonl:
        return b"\n".join(encoded) + b"\n"
    return b"[" + b",".join(encoded) + b"]"


def best_of(repeat: int, fn) -> float:
    """Best wall time of ``repeat`` calls (the result is dropped before the next call)."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
        del result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="synthetic file size in MB")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    parser.add_argument("--jsonl", action="store_true", help="one recording per line")
    args = parser.parse_args()

    data = build(int(args.mb * 1e6), jsonl=args.jsonl)
    mb = len(data) / 1e6

    if args.jsonl:
        lines = data.split(b"\n")

        def bare():
            return [orjson.loads(line) for line in lines if line]
    else:

        def bare():
            return orjson.loads(data)

    def ingest():
        return read_rrweb(data)

    t_bare = best_of(args.repeat, bare)
    t_ux = best_of(args.repeat, ingest)
    log = read_rrweb(data)
    print(f"synthetic file: {mb:.1f} MB, {log.counts['read']:,} rrweb events, "
          f"{len(log.events):,} canonical rows, {log.events['session_id'].nunique():,} sessions")
    print(f"bare orjson.loads : {t_bare:.3f} s  ({mb / t_bare:,.0f} MB/s)")
    print(f"uxlens read_rrweb : {t_ux:.3f} s  ({mb / t_ux:,.0f} MB/s)")
    print(f"ratio (bare / uxlens throughput share): {t_bare / t_ux:.2f}  (target >= 0.40)")


if __name__ == "__main__":
    main()
