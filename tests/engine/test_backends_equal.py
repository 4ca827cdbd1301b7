"""The same analyses give the same numbers on every backend, on the demo and on real data.

Backends: embedded DuckDB on the in-memory events (the reference), DuckDB over a
directory of Parquet files (:func:`uxlens.engine.sql.scan_parquet`, memory
limit set) and PySpark local mode (marked ``spark``). Data: the committed
onboarding demo (rrweb recordings) and the real tables in ``../shared/data``
(retentioneering's e-commerce clickstream, the iWeb QoE mouse clicks).

Aggregates: the session summary, an ordered funnel (the three most frequent
event names of the data set), the click heatmap grid of the busiest page (data
sets with coordinates), the journey transitions over event names, and the
friction detectors (Ibis on DuckDB and on PySpark against the in-memory numpy
path; friction needs the events in memory, so not over Parquet).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests._paths import shared
from uxlens.engine import journeys as jeng
from uxlens.engine.backend import as_table, execute
from uxlens.engine.sessions import session_summary
from uxlens.engine.sql import scan_parquet
from uxlens.eventlog import EventLog
from uxlens.events import validate
from uxlens.exceptions import EngineError
from uxlens.friction import Friction
from uxlens.funnel import Funnel
from uxlens.heatmap import Heatmap
from uxlens.journeys import Journeys

DATASETS = ("demo", "ecom", "iweb")


def _load(name: str) -> pd.DataFrame:
    if name == "demo":
        import uxlens as ux

        return ux.demo().events
    from uxlens.io.table import read_events

    if name == "ecom":
        path = shared("retentioneering_ecom", "ecom_shared.csv.gz")
        cols = {"platform": "device", "acquisition_channel": "source"}
        return read_events(path, columns=cols, assume_utc=True).events
    path = shared("iweb_qoe_clicks", "iweb_mouse_events_shared.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 13 negative coordinates, kept
        events = read_events(path, columns={"subject": "user_id"}).events
    # The clicks are mouseup events: name them clicks so the heatmap and friction see
    # them; the page is the study's map or satellite view (no url in the data).
    return events.assign(
        event=events["event"].astype(str).replace({"mouseup": "click"}),
        url="https://iweb.example/" + events["app_view"].astype(str),
    )


@pytest.fixture(scope="module", params=DATASETS)
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    events = _load(request.param)
    folder = tmp_path_factory.mktemp(f"parquet-{request.param}")
    ids = sorted(events["session_id"].astype(str).unique())
    for i in range(3):  # three files, split by session
        part = events[events["session_id"].astype(str).isin(ids[i::3])]
        part.to_parquet(folder / f"part-{i}.parquet", index=False)
    steps = events["event"].astype(str).value_counts().index[:3].tolist()
    clicks = events[events["event"].astype(str).eq("click")]
    page = None
    placeable = all(c in events.columns for c in ("x", "url", "viewport_w"))
    if placeable and clicks["url"].notna().any():
        page = str(clicks["url"].value_counts().index[0])
    return {"name": request.param, "events": events, "folder": folder, "steps": steps,
            "page": page}


@pytest.fixture(scope="module")
def scanned(data: dict) -> Any:
    return scan_parquet(data["folder"], memory_limit="512MB", threads=1)


def _summary(events: Any, backend: Any = None) -> pd.DataFrame:
    out = session_summary(events, backend=backend)
    return out.sort_values("session_id", kind="stable").reset_index(drop=True)


def _funnel(events: Any, data: dict, backend: Any = None) -> pd.DataFrame:
    return Funnel(events, data["steps"], window="1h", backend=backend).table()


def _grid(events: Any, data: dict, backend: Any = None) -> pd.DataFrame:
    grid = Heatmap(events, url=data["page"], kind="click", background=None,
                   backend=backend).grid()
    keys = [c for c in ("device", "layer", "x_bin", "y_bin", "x", "y") if c in grid.columns]
    grid = grid.astype({"device": str}) if "device" in grid.columns else grid
    return grid.sort_values(keys, kind="stable").reset_index(drop=True)


def _transitions(table: Any, names: list[str]) -> pd.DataFrame:
    """Journey transitions between event names (engine expressions), sorted."""
    import ibis

    codes = ibis.memtable(pd.DataFrame({"ev": names, "node": range(len(names))}))
    nodes = table.join(codes, table.event == codes.ev).select("session_id", "t_ms", "seq", "node")
    steps = jeng.journey_steps_expr(nodes, gap_ms=1_800_000, collapse_repeats=True)
    out = execute(jeng.transitions_expr(steps))
    out = out[["node", "next_node", "count"]].astype("int64")
    return out.sort_values(["node", "next_node"]).reset_index(drop=True)


def _names(events: pd.DataFrame) -> list[str]:
    return sorted(events["event"].astype(str).unique())


def _signals(events: pd.DataFrame, backend: Any = None) -> pd.DataFrame:
    sig = Friction(events, backend=backend).signals()
    keys = [c for c in ("session_id", "kind", "seq", "start_seq", "t_start") if c in sig.columns]
    sig = sig.sort_values(keys, kind="stable").reset_index(drop=True)
    # Missing text is None on one path and NaN on the other: compare values, not sentinels.
    text = [c for c in sig.columns if not pd.api.types.is_numeric_dtype(sig[c])
            and not pd.api.types.is_datetime64_any_dtype(sig[c])]
    return sig.astype({c: object for c in text}).fillna({c: "<missing>" for c in text})


# ----------------------------------------------------------- DuckDB over Parquet
def test_parquet_session_summary_equals_in_memory(data: dict, scanned: Any) -> None:
    want = _summary(data["events"])
    assert len(want) == data["events"]["session_id"].nunique() > 10
    pd.testing.assert_frame_equal(_summary(scanned), want, check_exact=True)


def test_parquet_funnel_equals_in_memory(data: dict, scanned: Any) -> None:
    want = _funnel(data["events"], data)
    assert want["count"].iloc[0] > 0
    pd.testing.assert_frame_equal(_funnel(scanned, data), want)


def test_parquet_click_grid_equals_in_memory(data: dict, scanned: Any) -> None:
    if data["page"] is None:
        pytest.skip(f"{data['name']} has no clicks with coordinates, urls and viewports")
    want = _grid(data["events"], data)
    assert want["count"].sum() > 0
    pd.testing.assert_frame_equal(_grid(scanned, data), want, check_dtype=False)


def test_parquet_journey_transitions_equal_in_memory(data: dict, scanned: Any) -> None:
    names = _names(data["events"])
    want = _transitions(as_table(data["events"]), names)
    assert want["count"].sum() > 0
    pd.testing.assert_frame_equal(_transitions(scanned, names), want)


def test_friction_on_duckdb_ibis_equals_in_memory(data: dict) -> None:
    import ibis

    want = _signals(data["events"])
    got = _signals(data["events"], backend=ibis.duckdb.connect())
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


# ----------------------------------------------------------------------- PySpark
@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_spark_equals_duckdb(data: dict, spark_backend: Any) -> None:
    events = data["events"]
    pd.testing.assert_frame_equal(_summary(events, spark_backend), _summary(events),
                                  check_exact=True)
    pd.testing.assert_frame_equal(_funnel(events, data, spark_backend), _funnel(events, data))
    if data["page"] is not None:
        pd.testing.assert_frame_equal(_grid(events, data, spark_backend), _grid(events, data),
                                      check_dtype=False)
    names = _names(events)
    pd.testing.assert_frame_equal(
        _transitions(as_table(events, backend=spark_backend), names),
        _transitions(as_table(events), names),
    )
    pd.testing.assert_frame_equal(_signals(events, spark_backend), _signals(events),
                                  check_dtype=False)


def test_datasets_are_not_trivial(data: dict) -> None:
    ev = data["events"]
    # Exact sizes from each source (SOURCES.md / the demo's README).
    sizes = {"iweb": (9502, 375)}
    if data["name"] in sizes:
        assert (len(ev), ev["session_id"].nunique()) == sizes[data["name"]]
    assert isinstance(data["folder"], Path) and len(list(data["folder"].glob("*.parquet"))) == 3


# ------------------------------------------------- a backend lacking an operation
def test_backend_lacking_an_operation_names_it_and_the_backend() -> None:
    # SQLite (through Ibis) has no MEDIAN: the journey transitions need it for the
    # median time between steps. The error must say so, never return numbers.
    import ibis

    rows = pd.DataFrame({
        "session_id": ["s1"] * 3 + ["s2"] * 2, "user_id": ["u1"] * 3 + ["u2"] * 2,
        "timestamp": pd.to_datetime([0, 1000, 3000, 0, 500], unit="ms", utc=True),
        "event": ["pageview"] * 5,
        "url": ["https://a.com/", "https://a.com/b", "https://a.com/c", "https://a.com/",
                "https://a.com/c"],
    })
    log = EventLog(validate(rows).events)
    assert len(Journeys(log).transitions()) == 4  # on DuckDB: / -> b, b -> c, / -> c, c -> exit
    with pytest.raises(EngineError, match=r"(?s)sqlite backend lacks the operation 'Median'.*Fix"):
        Journeys(log, backend=ibis.sqlite.connect()).transitions()


def test_engine_error_on_a_table_living_in_the_backend() -> None:
    import ibis

    con = ibis.sqlite.connect()
    raw = pd.DataFrame({"session_id": ["s1", "s1"], "t_ms": [0, 1500], "seq": [0, 1],
                        "node": [0, 1]})
    table = con.create_table("nodes", raw)
    steps = jeng.journey_steps_expr(table, gap_ms=None, collapse_repeats=True)
    with pytest.raises(EngineError, match=r"sqlite backend lacks the operation 'Median'"):
        execute(jeng.transitions_expr(steps))
