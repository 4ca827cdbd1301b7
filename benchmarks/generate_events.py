"""Write an N-event canonical events dataset as Parquet files, chunk by chunk.

Usage::

    python benchmarks/generate_events.py --events 100_000_000 --out benchmarks/data/events

Each chunk (``--chunk`` events, default 2M) is one call of
:func:`benchmarks._common.synthetic_events` with its own seed, so the data look
like the other benchmarks' (same event mix, sessions, devices, pages), and is
written as one file ``part-NNNNN.parquet`` in row groups of ``--row-group``
rows; then it is freed. Peak memory is that of one chunk (about 0.3 GiB for
2M events), whatever N is. Sessions never span chunks (their ids carry the
chunk number, ``c0003-s0000042``); users do: every chunk draws from the same
``N // 50`` user ids, so a user has sessions in several files, as in real
exports. ``benchmarks/data`` is git-ignored.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import peak_rss_gib, synthetic_events


def _chunk_table(n: int, chunk: int, *, users: int, seed: int) -> pa.Table:
    frame = synthetic_events(n, n_sessions=max(1, n // 20), n_users=users, seed=seed)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    del frame
    ids = table.column("session_id").cast(pa.string())
    prefixed = pc.binary_join_element_wise(f"c{chunk:05d}-", ids, "")
    return table.set_column(table.schema.get_field_index("session_id"), "session_id", prefixed)


def generate(
    events: int,
    out: str | Path,
    *,
    chunk: int = 2_000_000,
    row_group: int = 500_000,
    seed: int = 0,
    overwrite: bool = False,
) -> list[Path]:
    """Write ``events`` canonical events under ``out``; return the files written."""
    out = Path(out)
    if out.exists() and any(out.glob("*.parquet")):
        if not overwrite:
            raise SystemExit(f"{out} already holds Parquet files; pass --overwrite to replace them.")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    users = max(1, events // 50)
    files = []
    written = 0
    start = time.perf_counter()
    for i in range(0, (events + chunk - 1) // chunk):
        n = min(chunk, events - written)
        table = _chunk_table(n, i, users=users, seed=seed * 1_000_003 + i)
        path = out / f"part-{i:05d}.parquet"
        pq.write_table(table, path, row_group_size=row_group, compression="zstd")
        written += n
        files.append(path)
        del table
        print(
            f"\r{written:,} / {events:,} events, {time.perf_counter() - start:.0f} s, "
            f"peak RSS {peak_rss_gib():.2f} GiB",
            end="", flush=True,
        )
    print()
    return files


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=lambda s: int(s.replace("_", "")), default=10_000_000)
    parser.add_argument("--out", default="benchmarks/data/events")
    parser.add_argument("--chunk", type=lambda s: int(s.replace("_", "")), default=2_000_000)
    parser.add_argument("--row-group", type=lambda s: int(s.replace("_", "")), default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    files = generate(
        args.events, args.out, chunk=args.chunk, row_group=args.row_group, seed=args.seed,
        overwrite=args.overwrite,
    )
    size = sum(f.stat().st_size for f in files) / 2**30
    print(f"{len(files)} files, {size:.2f} GiB in {args.out}; peak RSS {peak_rss_gib():.2f} GiB")


if __name__ == "__main__":
    main()
