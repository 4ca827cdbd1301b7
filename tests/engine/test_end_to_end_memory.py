"""Issue 10's memory target, scaled down so that CI can afford it.

The target is the 10M-event end-to-end chain (load Parquet, sessions, funnel,
click heatmap, friction, journeys) under 3 GiB peak. At 10M events it measures
2.5-2.6 GiB (``benchmarks/RESULTS.md``); peak memory grows linearly with the
events, about 0.26 GiB per million plus the interpreter and libraries. This test
runs the same benchmark script on 4M events in a fresh process and holds it to
the line that 3 GiB at 10M implies: 0.2 GiB + 0.28 GiB per million events
(1.32 GiB at 4M; measured 1.20 GiB). Before the allocator releases (Arrow's
pool after a load, glibc per column when rows are dropped, DuckDB's background
purge) the same run peaked at 1.38 GiB, over the line.

Memory, unlike wall time, does not depend on how busy the shared machine is.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 4_000_000
BASE_GIB, PER_MILLION_GIB = 0.2, 0.28


def _write(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks._common import _write_parquet

    _write_parquet(EVENTS, 0, path)


@pytest.mark.slow
def test_end_to_end_peak_memory_scales_under_the_3_gib_line(tmp_path: Path) -> None:
    data = tmp_path / "events.parquet"
    child = mp.get_context("spawn").Process(target=_write, args=(str(data),))
    child.start()
    child.join()
    assert child.exitcode == 0
    out = tmp_path / "result.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_end_to_end.py"), "--data", str(data),
         "--events", str(EVENTS), "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text())
    stages = {s["stage"]: s for s in result["stages"]}
    assert list(stages) == ["load", "sessions", "funnel", "heatmap", "friction", "journeys"]
    assert stages["friction"]["detail"] == f"{EVENTS // 20:,} sessions scored"
    limit = BASE_GIB + PER_MILLION_GIB * EVENTS / 1e6
    assert result["peak_rss_gib"] < limit, (
        f"peak {result['peak_rss_gib']:.2f} GiB over {limit:.2f} GiB at {EVENTS:,} events "
        f"(the 10M target of 3 GiB, scaled): {[(k, round(v['peak_rss_gib'], 2)) for k, v in stages.items()]}"
    )


def test_the_default_duckdb_returns_freed_memory_in_the_background() -> None:
    import ibis

    import uxlens as ux
    from uxlens.engine import backend

    previous = backend._state["backend"]
    try:
        con = ux.connect()
        setting = con.raw_sql("SELECT current_setting('allocator_background_threads')")
        assert setting.fetchall() == [(True,)]
        # a connection the user made keeps the user's settings
        own = ibis.duckdb.connect()
        assert ux.connect(own) is own
        setting = own.raw_sql("SELECT current_setting('allocator_background_threads')")
        assert setting.fetchall() == [(False,)]
    finally:
        backend._state["backend"] = previous
