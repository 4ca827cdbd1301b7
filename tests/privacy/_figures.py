"""The "privacy & robustness" figures printed at the end of a test run (issue 12).

Everything is read from the test reports the terminal reporter collected, so it
works the same with and without pytest-xdist (``-n 2``): a worker's report
travels to the controller with its ``user_properties`` and the Hypothesis
statistics the Hypothesis plugin stores on it.

- Fuzzed inputs per reader: Hypothesis "N passing, M failing" test cases of
  every phase, summed over the fuzz tests listed in :data:`FUZZ_TESTS`.
- Hostile recordings: the files of ``tests/data/hostile`` and, per check, how
  many of them passed it (sanitised, read with nothing lost, replayed in
  Chromium with nothing executed or fetched), plus generated hostile pages.
- PII: the outputs ``test_pii_outputs.py`` scanned (``user_properties``
  ``("pii_scan", (output, planted, found))``) and the planted values found.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

HOSTILE_DIR = Path(__file__).resolve().parents[1] / "data" / "hostile"
#: Key under which the Hypothesis pytest plugin stores its statistics on a report.
HYPOTHESIS_STATS_KEY = "_hypothesis_stats"
#: (node id prefix, test name must contain, reader) for the fuzz tests.
FUZZ_TESTS = (
    ("tests/io/test_rrweb_fuzz.py::", "fuzz", "read_rrweb"),
    ("tests/privacy/test_policy_fuzz.py::", "rrweb", "read_rrweb"),
    ("tests/io/test_posthog.py::", "fuzz", "read_posthog"),
    ("tests/privacy/test_policy_fuzz.py::", "posthog", "read_posthog"),
    ("tests/io/test_clarity.py::", "fuzz", "read_clarity"),
    ("tests/privacy/test_read_events_fuzz.py::", "fuzz", "read_events"),
    ("tests/test_events.py::", "never_loses", "validate"),
    ("tests/privacy/test_validate_fuzz.py::", "fuzz", "validate"),
)
#: (node id prefix of a test parametrized by hostile file name, what passing it means).
HOSTILE_CHECKS = (
    ("tests/replay/test_sanitize.py::test_counts_of_every_neutralised_construct[",
     "sanitised (every construct neutralised)"),
    ("tests/privacy/test_reader_counts.py::test_hostile_files_lose_nothing[",
     "read, loaded + rejected == read"),
    ("tests/replay/test_player_browser.py::test_hostile_recording_runs_nothing_and_fetches_nothing[",
     "replayed in Chromium, nothing run or fetched"),
)
GENERATED_HOSTILE = "tests/replay/test_sanitize.py::test_generated_hostile_pages_come_out_clean"
PII_KEY = "pii_scan"

_COUNTS = re.compile(r"(\d+) passing(?: examples)?, (\d+) failing")
_printed = pytest.StashKey[bool]()


def hypothesis_cases(stats: str) -> int:
    """Test cases Hypothesis ran (passing + failing, every phase) from its statistics text.

    >>> hypothesis_cases("- during generate phase (1 s):\\n  - 150 passing, 2 failing, and "
    ...                  "20 invalid test cases\\n- during shrink phase:\\n  - 3 passing, 1 failing")
    156
    """
    return sum(int(p) + int(f) for p, f in _COUNTS.findall(stats))


def _reports(terminalreporter: Any) -> list[Any]:
    out = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "nodeid", None) is not None and hasattr(report, "when"):
                out.append(report)
    return out


def figures(reports: list[Any]) -> dict[str, Any]:
    """The numbers of the summary block, from test reports.

    >>> from types import SimpleNamespace as R
    >>> fig = figures([
    ...     R(nodeid="tests/io/test_rrweb_fuzz.py::test_fuzz_x", when="teardown", passed=True,
    ...       _hypothesis_stats="- 300 passing, 0 failing, and 9 invalid test cases"),
    ...     R(nodeid="tests/replay/test_sanitize.py::test_counts_of_every_neutralised_construct"
    ...       "[robustness.json]", when="call", passed=True),
    ...     R(nodeid="tests/privacy/test_reader_counts.py::test_hostile_files_lose_nothing"
    ...       "[robustness.json-True]", when="call", passed=False),
    ...     R(nodeid="tests/privacy/test_pii_outputs.py::test_t", when="call", passed=True,
    ...       user_properties=[("pii_scan", ("events table", 8, 0))]),
    ... ])
    >>> fig["fuzz"], fig["hostile"], fig["pii_outputs"]
    ({'read_rrweb': 300}, {'sanitised (every construct neutralised)': ['robustness.json']}, [('events table', 8, 0)])
    """
    fuzz: dict[str, int] = defaultdict(int)
    fuzz_tests: dict[str, int] = defaultdict(int)
    hostile: dict[str, set[str]] = defaultdict(set)
    generated = 0
    pii_outputs: list[tuple[str, int, int]] = []
    for r in reports:
        stats = r.__dict__.get(HYPOTHESIS_STATS_KEY)
        if stats and r.when == "teardown":
            for prefix, must, reader in FUZZ_TESTS:
                name = r.nodeid[len(prefix):]
                if r.nodeid.startswith(prefix) and must in name:
                    fuzz[reader] += hypothesis_cases(stats)
                    fuzz_tests[reader] += 1
                    break
            if r.nodeid.startswith(GENERATED_HOSTILE):
                generated += hypothesis_cases(stats)
        if r.when != "call" or not r.passed:
            continue
        for prefix, label in HOSTILE_CHECKS:
            if r.nodeid.startswith(prefix):
                hostile[label].add(r.nodeid[len(prefix):].split("-")[0].rstrip("]"))
        for key, value in getattr(r, "user_properties", ()):
            if key == PII_KEY:
                output, planted, found = value
                pii_outputs.append((str(output), int(planted), int(found)))
    return {
        "fuzz": dict(fuzz),
        "fuzz_tests": dict(fuzz_tests),
        "hostile_files": sorted(p.name for p in HOSTILE_DIR.glob("*.json")),
        "hostile": {label: sorted(names) for label, names in hostile.items()},
        "generated_hostile": generated,
        "pii_outputs": sorted(pii_outputs),
    }


def lines(fig: dict[str, Any]) -> list[str]:
    """The summary block as text lines."""
    out = ["fuzzed inputs (Hypothesis test cases; only UxlensError escapes, counts add up):"]
    if fig["fuzz"]:
        for reader in ("read_rrweb", "read_posthog", "read_clarity", "read_events", "validate"):
            if reader in fig["fuzz"]:
                out.append(f"  {reader:<13} {fig['fuzz'][reader]:>7,} in "
                           f"{fig['fuzz_tests'][reader]} test(s)")
    else:
        out.append("  none ran in this selection")
    n = len(fig["hostile_files"])
    out.append(f"hostile recordings: {n} files in tests/data/hostile")
    for _, label in HOSTILE_CHECKS:
        names = fig["hostile"].get(label, [])
        out.append(f"  {label}: {len(names)}/{n}" + ("" if names else " (not run here)"))
    if fig["generated_hostile"]:
        out.append(f"  generated hostile pages sanitised: {fig['generated_hostile']:,}")
    pii = fig["pii_outputs"]
    if pii:
        planted = max(p for _, p, _ in pii)
        found = sum(f for _, _, f in pii)
        out.append(f"PII found = {found} ({planted} planted values, {len(pii)} outputs scanned: "
                   + ", ".join(o for o, _, _ in pii) + ")")
    else:
        out.append("PII found: not run here (tests/privacy/test_pii_outputs.py)")
    return out


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """Print the block once (this hook may be registered by more than one conftest)."""
    if config.stash.get(_printed, False):
        return
    config.stash[_printed] = True
    if hasattr(config, "workerinput"):  # an xdist worker: the controller prints
        return
    fig = figures(_reports(terminalreporter))
    if not (fig["fuzz"] or fig["hostile"] or fig["pii_outputs"] or fig["generated_hostile"]):
        return
    terminalreporter.section("privacy & robustness")
    for line in lines(fig):
        terminalreporter.write_line(line)
