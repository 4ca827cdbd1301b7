"""One operation of the benchmark suite, uxlens against its baselines, in one process.

``python -m benchmarks`` runs each operation in its own subprocess through this
module, so that peak memory belongs to one operation only::

    python -m benchmarks.suite funnel --events 10000000 --repeat 3 --json out.json

Every operation loads the cached synthetic events
(:func:`benchmarks._common.cached_parquet`), runs uxlens once (warm-up; the
process's peak RSS is taken right after it, so that it counts the events in
memory and uxlens, not the baselines), checks that uxlens and the baselines
agree, then times them interleaved, best of ``--repeat`` (load from other jobs
on the machine hits them alike). Times are wall seconds; CPU seconds (every
thread of the process) are recorded too and are the steadier number on a
shared machine. Rows: see :func:`row`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import best_times, cached_parquet, peak_rss_gib

os.environ.setdefault("RETENTIONEERING_NO_TRACK", "1")  # no analytics calls from the baseline

#: Operation name -> one-line description (the order of the printed table).
OPERATIONS: dict[str, str] = {
    "sessions": "session summary, all sessions",
    "funnel": "5-step ordered funnel, 1 h window",
    "heatmap": "click grid of one page",
    "friction": "all friction detectors, all sessions",
    "journeys": "page transitions + step matrix + top 20 paths",
    "end_to_end": "load Parquet, sessions, funnel, heatmap, friction, journeys",
}
FUNNEL_STEPS = ["signup_started", "signup_done", "profile_saved", "invite_sent",
                "dashboard_viewed"]


def row(operation: str, n: int, *, uxlens: tuple[float, float], baseline: str = "-",
        base: tuple[float, float] | None = None, target: str = "-", ratio_max: float | None = None,
        abs_max: float | None = None, peak: float | None = None, note: str = "") -> dict[str, Any]:
    """One line of the results table.

    ``uxlens`` and ``base`` are (wall, CPU) seconds. ``ratio`` is uxlens time /
    baseline time (lower is better). The target is met when the wall ratio is
    at most ``ratio_max`` and/or the uxlens wall time is under ``abs_max``.
    """
    ratio = ratio_cpu = None
    if base is not None and base[0] > 0:
        ratio, ratio_cpu = uxlens[0] / base[0], uxlens[1] / base[1]
    met = None
    if ratio_max is not None and ratio is not None:
        met = ratio <= ratio_max
    if abs_max is not None:
        met = (met is not False) and uxlens[0] < abs_max
    return {
        "operation": operation, "events": n, "uxlens_s": uxlens[0], "uxlens_cpu_s": uxlens[1],
        "baseline": baseline, "baseline_s": None if base is None else base[0],
        "baseline_cpu_s": None if base is None else base[1], "ratio": ratio,
        "ratio_cpu": ratio_cpu, "target": target, "met": met, "abs_max": abs_max,
        "peak_rss_gib": peak_rss_gib() if peak is None else peak, "note": note,
    }


def race(runners: dict[str, Callable[[], Any]], repeat: int) -> dict[str, tuple[float, float]]:
    """Best (wall, CPU) of ``repeat`` interleaved rounds of every runner."""
    best = {k: (float("inf"), float("inf")) for k in runners}
    for _ in range(repeat):
        for name, fn in runners.items():
            wall, cpu, _ = best_times(fn, 1)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def load(n: int) -> pd.DataFrame:
    """The cached synthetic events (``benchmarks/_common.py``) as a canonical DataFrame."""
    return pd.read_parquet(cached_parquet(n))


# ------------------------------------------------------------------ operations
def op_sessions(events: pd.DataFrame, repeat: int) -> list[dict[str, Any]]:
    import duckdb

    from benchmarks.bench_sessions import HAND_SQL, _same
    from uxlens.engine.backend import to_arrow
    from uxlens.engine.sessions import session_summary

    n = len(events)
    ux = session_summary(events)
    peak = peak_rss_gib()
    con = duckdb.connect()
    con.register("ev", to_arrow(events))
    sql = HAND_SQL.format(threshold=5000)
    _same(ux, con.sql(sql).df())  # the race only means something if both agree
    del ux
    t = race({"uxlens": lambda: session_summary(events), "sql": lambda: con.sql(sql).df()},
             repeat)
    return [row("sessions", n, uxlens=t["uxlens"], baseline="DuckDB hand SQL", base=t["sql"],
                target="<= 1.5x", ratio_max=1.5, peak=peak,
                note="uxlens from pandas (incl. pandas -> Arrow); SQL on Arrow -> pandas")]


def op_funnel(events: pd.DataFrame, repeat: int) -> list[dict[str, Any]]:
    import duckdb

    from benchmarks.bench_funnel import WINDOW_MS, chdb_sql, hand_sql
    from uxlens.engine.backend import get_backend
    from uxlens.funnel import Funnel

    n = len(events)
    ux = Funnel(events, FUNNEL_STEPS, window="1h").table()
    peak = peak_rss_gib()
    con = duckdb.connect()
    con.register("ev", events)
    sql = hand_sql(FUNNEL_STEPS, WINDOW_MS)
    hand = con.sql(sql).df()
    assert ux["count"].tolist() == hand["count"].astype(int).tolist(), (ux, hand)
    for col in ("median_time_s", "mean_time_s"):
        np.testing.assert_allclose(ux[col].to_numpy(float), hand[col].to_numpy(float), rtol=1e-9)
    # An event-only funnel on a frame takes its rows from the frame; the same funnel
    # through the query engine (a backend given) is reported beside it.
    engine = get_backend()
    via_engine = Funnel(events, FUNNEL_STEPS, window="1h", backend=engine).table()
    pd.testing.assert_frame_equal(via_engine, ux)
    runners: dict[str, Callable[[], Any]] = {
        "uxlens": lambda: Funnel(events, FUNNEL_STEPS, window="1h").table(),
        "sql": lambda: con.sql(sql).df(),
        "engine": lambda: Funnel(events, FUNNEL_STEPS, window="1h", backend=engine).table(),
    }
    note = "tables identical"
    try:
        import chdb
    except ImportError:
        chdb = None
        note += "; chdb not installed (pip install chdb): windowFunnel skipped"
    if chdb is not None:
        ch_query = chdb_sql(FUNNEL_STEPS, WINDOW_MS)

        def run_chdb() -> pd.DataFrame:
            df = events  # noqa: F841 - read by Python(df) from the caller's frame
            return chdb.query(ch_query, "DataFrame")

        levels = run_chdb()
        runners["chdb"] = run_chdb
        lv = dict(zip(levels["level"].astype(int), levels["n"].astype(int)))
        ch_counts = [sum(v for k, v in lv.items() if k >= s) for s in range(1, 6)]
        same = ch_counts == ux["count"].tolist()
        note += (f"; windowFunnel counts {'identical' if same else 'differ (strict_increase drops same-ms steps)'} "
                 f"({'/'.join(map(str, ch_counts))}; level only, no times)")
    t = race(runners, repeat)
    rows = [row("funnel", n, uxlens=t["uxlens"], baseline="DuckDB hand SQL", base=t["sql"],
                target="<= 1.5x", ratio_max=1.5, peak=peak, note=note),
            row("funnel via the engine", n, uxlens=t["engine"], baseline="DuckDB hand SQL",
                base=t["sql"], target="report", peak=peak,
                note="the same funnel with backend= given: rows from the DuckDB query")]
    if chdb is not None:
        rows.append(row("funnel", n, uxlens=t["uxlens"], baseline="ClickHouse windowFunnel (chdb)",
                        base=t["chdb"], target="report", peak=peak))
    return rows


def op_heatmap(events: pd.DataFrame, repeat: int) -> list[dict[str, Any]]:
    from benchmarks.bench_heatmap import BIN, floor_arrays, histogram, to_one_page
    from uxlens.eventlog import EventLog
    from uxlens.heatmap import Heatmap

    n = len(events)
    rows = []
    busiest = str(events.loc[events["event"] == "click", "url"].value_counts().index[0])
    mixed = events.copy()
    for name, frame, page in [("one page", to_one_page(events, seed=0), "/onboarding/invite"),
                              ("mixed", mixed, busiest)]:
        h = Heatmap(EventLog(frame), url=page, background=None, bin_px=BIN)
        refs = h.reference_widths()
        h.fixed()  # the page layout: computed once per page, shared by every later map
        placed = int(h._grid(BIN, None, False)["count"].sum())
        peak = peak_rss_gib()
        arrays = floor_arrays(frame, h.urls[0], refs)
        if placed != histogram(arrays):
            raise AssertionError(f"grid has {placed} points, histogram {histogram(arrays)}")
        t = race({"uxlens": lambda h=h: h._grid(BIN, None, False),
                  "floor": lambda arrays=arrays: histogram(arrays)}, repeat)
        one = name == "one page"
        rows.append(row(f"heatmap ({name})", n, uxlens=t["uxlens"],
                        baseline="numpy histogram2d (pre-filtered)", base=t["floor"],
                        target="<= 3x" if one else "report", ratio_max=3 if one else None,
                        peak=peak, note=f"{placed:,} clicks on the page"
                        + ("" if one else "; the scan of every row dominates a small histogram")))
        del h, frame
    return rows


def op_friction(events: pd.DataFrame, repeat: int) -> list[dict[str, Any]]:
    from benchmarks.bench_friction import pandas_rage, plant_bursts
    from uxlens.friction import Friction, flag_clicks

    n = len(events)
    events = plant_bursts(events)
    sig = Friction(events).signals()
    peak = peak_rss_gib()
    flags = flag_clicks(events)
    base = pandas_rage(events)
    mine = flags.loc[flags["press"]]
    mine = pd.Series(mine["rage"].to_numpy(),
                     index=pd.MultiIndex.from_arrays([mine["session_id"], mine["seq"]]))
    pr = events.loc[base.index, ["session_id", "seq"]]
    theirs = pd.Series(base.to_numpy(), index=pd.MultiIndex.from_frame(pr))
    joined = pd.concat([mine.rename("ux"), theirs.rename("pd")], axis=1, join="inner")
    assert len(joined) == len(mine) == len(theirs), (len(joined), len(mine), len(theirs))
    assert (joined["ux"] == joined["pd"]).all(), "pandas baseline and uxlens disagree"
    rage = int(joined["ux"].sum())
    del flags, base, joined, mine, theirs
    t = race({"uxlens": lambda: Friction(events).signals(),
              "flags": lambda: flag_clicks(events),
              "pandas": lambda: pandas_rage(events)}, repeat)
    big = n >= 10_000_000
    return [
        row("friction (all detectors)", n, uxlens=t["uxlens"], baseline="plain pandas rage clicks",
            base=t["pandas"], target="< 5 s at 10M", abs_max=5.0 if big else None, peak=peak,
            note=f"{len(sig):,} signals; rage presses identical to pandas ({rage:,})"),
        row("friction (rage/dead/error flags)", n, uxlens=t["flags"],
            baseline="plain pandas rage clicks", base=t["pandas"], target="report", peak=peak),
    ]


def op_journeys(events: pd.DataFrame, repeat: int) -> list[dict[str, Any]]:
    import duckdb

    from uxlens.eventlog import EventLog
    from uxlens.journeys import EXIT, Journeys

    n = len(events)
    log = EventLog(events)

    def run_uxlens() -> Any:
        j = Journeys(log, node="url", max_steps=10, session_gap=None, collapse_repeats=False)
        return j, j.transitions(), j.step_matrix(10), j.paths(20)

    j, trans, _, _ = run_uxlens()
    peak = peak_rss_gib()
    views = events.loc[events["event"].astype(str).isin(["pageview", "$pageview"])
                       & events["url"].notna(), ["session_id", "timestamp", "url", "seq"]]
    views = views.assign(event=views["url"].astype(str).str.replace(r"^https?://[^/]+", "",
                                                                     regex=True))
    views = views.sort_values(["session_id", "timestamp", "seq"], kind="stable")
    con = duckdb.connect()
    con.register("views", views[["session_id", "timestamp", "seq", "event"]])
    sql = """
        SELECT event AS node, coalesce(nxt, '(exit)') AS next, count(*) AS n FROM (
          SELECT event, LEAD(event) OVER (PARTITION BY session_id ORDER BY timestamp, seq) AS nxt
          FROM views) GROUP BY ALL
    """
    duck = con.execute(sql).df()
    check = trans.set_index(["node", "next"])["count"].sort_index()
    assert check.to_dict() == duck.set_index(["node", "next"])["n"].sort_index().to_dict()
    runners: dict[str, Callable[[], Any]] = {"uxlens": run_uxlens,
                                             "duckdb": lambda: con.execute(sql).df()}
    note = (f"{len(j.steps_):,} steps; retentioneering semantics (no gap split, repeats kept); "
            "both warm: the log's node rows are cached as retentioneering's Eventstream is built "
            "once, neither timed")
    try:
        import retentioneering
        from retentioneering import Eventstream
    except Exception as exc:
        Eventstream = None
        note += f"; retentioneering unavailable ({type(exc).__name__})"
    if Eventstream is not None:
        rows_ = pd.DataFrame({"session_id": views["session_id"].astype(str).to_numpy(),
                              "event": views["event"].to_numpy(),
                              "timestamp": views["timestamp"].dt.tz_localize(None).to_numpy()})
        es = Eventstream(rows_, schema={"path_cols": ["session_id"]})
        tg = es.transition_graph_data()
        ours = j.transitions(as_matrix=True)
        theirs = tg.drop(index="path_start", columns="path_start").rename(
            index={"path_end": EXIT}, columns={"path_end": EXIT})
        theirs = theirs.reindex(index=ours.index, columns=ours.columns).fillna(0.0)
        diff = float(np.abs(ours.to_numpy() - theirs.to_numpy()).max())
        note += (f"; retentioneering {retentioneering.__version__} transition probabilities "
                 f"equal (max diff {diff:.1e})")
        runners["ret"] = lambda: es.transition_graph_data()
    del views
    t = race(runners, repeat)
    rows = []
    if "ret" in t:
        rows.append(row("journeys", n, uxlens=t["uxlens"],
                        baseline="retentioneering transition graph", base=t["ret"],
                        target="<= 0.2x (5x faster)", ratio_max=0.2, peak=peak, note=note))
    rows.append(row("journeys", n, uxlens=t["uxlens"], baseline="DuckDB hand SQL (LEAD, counts)",
                    base=t["duckdb"], target="report", peak=peak))
    return rows


def op_end_to_end(n: int) -> list[dict[str, Any]]:
    """bench_end_to_end in fresh subprocesses (their peak RSS is the whole chain's).

    Two rows: loading with ``read_events`` (validation), and loading the same
    events as stored by ``EventLog.to_parquet`` (stamped: checked, not re-validated).
    """
    import subprocess
    import tempfile

    cached_parquet(n)
    rows = []
    for trusted in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "e2e.json"
            cmd = [sys.executable, "-m", "benchmarks.bench_end_to_end", "--events", str(n),
                   "--json", str(out)] + (["--trusted"] if trusted else [])
            subprocess.run(cmd, check=True, cwd=Path(__file__).resolve().parents[1])
            res = json.loads(out.read_text())
        stages = ", ".join(f"{s['stage']} {s['wall_s']:.1f}" for s in res["stages"])
        peaks = ", ".join(f"{s['stage']} {s['peak_rss_gib']:.2f}" for s in res["stages"])
        name = "end-to-end (uxlens-stamped Parquet)" if trusted else "end-to-end (read_events)"
        r = row(name, n, uxlens=(res["wall_s"], res["cpu_s"]), target="< 30 s, < 3 GiB",
                peak=res["peak_rss_gib"],
                note=f"stages wall s: {stages}; peak RSS GiB after: {peaks}")
        r["met"] = bool(res["wall_s"] < 30 and res["peak_rss_gib"] < 3)
        rows.append(r)
    return rows


def run_operation(name: str, n: int, repeat: int) -> list[dict[str, Any]]:
    """Run one operation (a key of :data:`OPERATIONS`) on ``n`` events."""
    if name == "end_to_end":
        return op_end_to_end(n)
    fn = globals().get(f"op_{name}")
    if fn is None:
        raise SystemExit(f"unknown operation {name!r}; expected one of {list(OPERATIONS)}")
    t0 = time.perf_counter()
    events = load(n)
    print(f"{name}: loaded {len(events):,} events in {time.perf_counter() - t0:.1f} s", flush=True)
    return fn(events, repeat)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("operation", choices=list(OPERATIONS))
    parser.add_argument("--events", type=lambda s: int(s.replace("_", "")), default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    rows = run_operation(args.operation, args.events, args.repeat)
    for r in rows:
        print(json.dumps(r), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return rows


if __name__ == "__main__":
    main()
