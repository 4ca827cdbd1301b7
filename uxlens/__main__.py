"""Command line: ``python -m uxlens demo --out out``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run a uxlens command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m uxlens", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="analyse the onboarding demo and write a report")
    demo.add_argument("--out", default="out", help="output folder (default: out)")
    demo.add_argument("--recordings", default=None,
                      help="rrweb recordings to analyse instead of the bundled demo")
    demo.add_argument("--no-images", action="store_true", help="skip PNG and PPTX export")
    args = parser.parse_args(argv)

    from . import demo as load_demo
    from . import read_rrweb
    from .exceptions import UxlensError
    from .report import demo_report

    try:
        log = read_rrweb(args.recordings) if args.recordings else load_demo()
        demo_report(log, args.out, images=not args.no_images)
    except UxlensError as exc:
        print(f"uxlens: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
