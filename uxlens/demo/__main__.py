"""Generate the onboarding demo from the command line.

``python -m uxlens.demo --n 300 --seed 7 --out data-samples/onboarding``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .generate import generate


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate, write, print a short summary."""
    parser = argparse.ArgumentParser(prog="python -m uxlens.demo",
                                     description="Generate the uxlens onboarding demo data.")
    parser.add_argument("--n", type=int, default=300, help="number of sessions (default 300)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    data = generate(n_sessions=args.n, seed=args.seed, path=args.out)
    story = data.manifest["story"]
    size = (args.out / "recordings.jsonl.gz").stat().st_size / 1e6
    print(f"wrote {args.n} sessions ({data.manifest['counts']['rrweb_events']:,} rrweb events, "
          f"{size:.2f} MB gzip) to {args.out} in {time.perf_counter() - t0:.1f} s")
    print(f"drop at invite: A {story['A']['drop_rate']:.1%} of {story['A']['reached_invite']}, "
          f"B {story['B']['drop_rate']:.1%} of {story['B']['reached_invite']}, "
          f"relative reduction {story['relative_reduction']:.1%}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
