"""scan_parquet: events in a directory of Parquet files give the in-memory results exactly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from uxlens.engine import funnel, heatmap, journeys
from uxlens.engine.backend import as_table, execute
from uxlens.engine.sessions import session_summary
from uxlens.engine.sql import scan_parquet
from uxlens.exceptions import SchemaError, UxlensError

HOME = "https://app.example.com/"


def _write_parts(events: pd.DataFrame, folder: Path, parts: int = 3) -> None:
    """Write events as ``parts`` files split by session (one in a sub-folder)."""
    ids = sorted(events["session_id"].astype(str).unique())
    chunks = [ids[i::parts] for i in range(parts)]
    (folder / "more").mkdir(parents=True, exist_ok=True)
    for i, chunk in enumerate(chunks):
        part = events[events["session_id"].astype(str).isin(chunk)]
        where = folder / "more" if i == parts - 1 else folder
        part.to_parquet(where / f"part-{i}.parquet", index=False)


@pytest.fixture(scope="module")
def events(random_events: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    ev = random_events(40, seed=7)
    n = len(ev)
    ev["x"] = [float((37 * i) % 1300) for i in range(n)]
    ev["y"] = [float((53 * i) % 2600) for i in range(n)]
    ev["viewport_w"] = pd.array([1280 if i % 4 else 390 for i in range(n)], dtype="Int32")
    return ev


@pytest.fixture(scope="module")
def folder(events: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("events")
    _write_parts(events, path)
    return path


@pytest.fixture(scope="module")
def scanned(folder: Path) -> Any:
    return scan_parquet(folder, memory_limit="256MB", threads=1)


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return frame.sort_values(by, kind="stable").reset_index(drop=True)


def test_session_summary_equals_in_memory(events: pd.DataFrame, scanned: Any) -> None:
    expected = session_summary(events)
    got = session_summary(scanned)
    assert len(got) == events["session_id"].nunique() == 40
    pd.testing.assert_frame_equal(got, expected)


def test_t_ms_is_epoch_milliseconds(events: pd.DataFrame, scanned: Any) -> None:
    got = _sorted(execute(scanned.select("session_id", "seq", "t_ms")), ["session_id", "seq"])
    want = events["timestamp"].astype("int64").to_numpy() // 1_000_000
    assert got["t_ms"].astype("int64").tolist() == want.tolist()


def _nodes(table: Any) -> Any:
    import ibis

    names = ["click", "input", "invite_sent", "pageview", "scroll", "touch"]
    codes = ibis.memtable(pd.DataFrame({"ev": names, "node": range(len(names))}))
    return table.join(codes, table.event == codes.ev).select("session_id", "t_ms", "seq", "node")


@pytest.mark.parametrize("gap_ms", [None, 5000])
def test_journey_transitions_equal_in_memory(
    events: pd.DataFrame, scanned: Any, gap_ms: int | None
) -> None:
    def run(table: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        steps = journeys.journey_steps_expr(
            _nodes(table), gap_ms=gap_ms, collapse_repeats=True
        )
        s = execute(steps)
        s = s.astype({c: "int64" for c in ("journey", "step", "node", "t_ms", "next_node")})
        trans = execute(journeys.transitions_expr(steps))
        trans = trans.astype({"node": "int64", "next_node": "int64", "count": "int64"})
        return (
            _sorted(s, ["session_id", "journey", "step"]),
            _sorted(trans, ["node", "next_node"]),
        )

    want_steps, want_trans = run(as_table(events))
    got_steps, got_trans = run(scanned)
    assert want_trans["count"].sum() == len(want_steps) > 0
    pd.testing.assert_frame_equal(got_steps, want_steps, check_dtype=False)
    pd.testing.assert_frame_equal(got_trans, want_trans, check_dtype=False)


def test_funnel_rows_and_heatmap_grid_equal_in_memory(events: pd.DataFrame, scanned: Any) -> None:
    spec = funnel.FunnelSpec(
        steps=(funnel.StepSpec("pageview", urls=(HOME,)), funnel.StepSpec("click")),
        window_ms=600_000,
        breakdown="source",
    )

    def rows(table: Any) -> pd.DataFrame:
        out = execute(funnel.funnel_rows_expr(table, spec))
        return _sorted(out.astype({"bd": str}), ["sid", "seq"])

    def grid(table: Any) -> pd.DataFrame:
        h = heatmap.ensure_columns(table)
        pts = heatmap.with_skip_reason(heatmap.page_events(h, [HOME], events=["click"]))
        coords = heatmap.plot_coords(
            pts.filter(pts.skip_reason.isnull()), {"desktop": 1280, "mobile": 390}
        )
        out = execute(heatmap.grid_counts(coords, 50))
        return _sorted(out.astype({"device": str}), ["device", "layer", "x_bin", "y_bin"])

    want_rows, got_rows = rows(as_table(events)), rows(scanned)
    assert len(want_rows) > 0
    pd.testing.assert_frame_equal(got_rows, want_rows, check_dtype=False)
    want_grid, got_grid = grid(as_table(events)), grid(scanned)
    assert want_grid["count"].sum() > 0
    pd.testing.assert_frame_equal(got_grid, want_grid, check_dtype=False)


def test_duckdb_settings_are_applied(scanned: Any) -> None:
    con = scanned._find_backend()
    limit = con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0]
    threads = con.raw_sql("SELECT current_setting('threads')").fetchone()[0]
    zone = con.raw_sql("SELECT current_setting('TimeZone')").fetchone()[0]
    assert (limit, int(threads), zone) == ("244.1 MiB", 1, "UTC")  # 256 MB = 244.1 MiB


def _frame(**overrides: Any) -> pd.DataFrame:
    frame = pd.DataFrame({
        "session_id": ["s1", "s1", "s2"],
        "user_id": ["u1", "u1", None],
        "timestamp": pd.to_datetime([0, 2500, 1000], unit="ms", utc=True),
        "event": ["pageview", "click", "pageview"],
    })
    for name, value in overrides.items():
        frame[name] = value
    return frame


def test_renames_and_fills_anonymous_users(tmp_path: Path) -> None:
    _frame().rename(columns={"timestamp": "ts", "event": "name"}).to_parquet(
        tmp_path / "a.parquet"
    )
    t = scan_parquet(tmp_path, columns={"ts": "timestamp", "name": "event"})
    got = _sorted(execute(t.select("session_id", "user_id", "event", "t_ms")), ["t_ms"])
    assert got.values.tolist() == [
        ["s1", "u1", "pageview", 0], ["s2", "s2", "pageview", 1000], ["s1", "u1", "click", 2500]
    ]
    assert str(t.schema()["timestamp"]).startswith("timestamp('UTC'")


def test_missing_required_column_is_a_schema_error_with_a_hint(tmp_path: Path) -> None:
    _frame().rename(columns={"event": "evnt"}).to_parquet(tmp_path / "a.parquet")
    with pytest.raises(SchemaError, match=r"(?s)'event' is missing\. Did you mean 'evnt'\?.*Fix"):
        scan_parquet(tmp_path)


def test_rename_of_an_absent_column_is_refused(tmp_path: Path) -> None:
    _frame().to_parquet(tmp_path / "a.parquet")
    with pytest.raises(SchemaError, match=r"renames \['tstamp'\]"):
        scan_parquet(tmp_path, columns={"tstamp": "timestamp"})


def test_directory_without_parquet_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    with pytest.raises(UxlensError, match=r"(?s)no Parquet files.*Fix"):
        scan_parquet(tmp_path)
    with pytest.raises(UxlensError, match="does not exist"):
        scan_parquet(tmp_path / "nowhere")


def test_naive_timestamps_are_refused_unless_assumed_utc(tmp_path: Path) -> None:
    frame = _frame()
    frame["timestamp"] = frame["timestamp"].dt.tz_localize(None)
    frame.to_parquet(tmp_path / "a.parquet")
    with pytest.raises(SchemaError, match=r"(?s)naive timestamps.*assume_utc=True"):
        scan_parquet(tmp_path)
    t = scan_parquet(tmp_path, assume_utc=True)
    assert sorted(execute(t.select("t_ms"))["t_ms"].tolist()) == [0, 1000, 2500]


def test_timestamp_that_is_not_a_timestamp_is_refused(tmp_path: Path) -> None:
    _frame(timestamp=["2024-01-01", "2024-01-01", "2024-01-02"]).to_parquet(tmp_path / "a.parquet")
    with pytest.raises(SchemaError, match=r"(?s)must be a timestamp.*VARCHAR.*Fix"):
        scan_parquet(tmp_path)


def _generator() -> Any:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_events.py"
    spec = importlib.util.spec_from_file_location("uxlens_bench_generate_events", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_dataset_is_chunked_and_scans_as_canonical(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    files = _generator().generate(30_000, tmp_path, chunk=10_000, row_group=4_000, seed=1)
    assert [f.name for f in files] == [f"part-0000{i}.parquet" for i in range(3)]
    assert [pq.ParquetFile(f).metadata.num_row_groups for f in files] == [3, 3, 3]
    t = scan_parquet(tmp_path, memory_limit="256MB", threads=1)
    summary = session_summary(t)
    # 10_000 // 20 sessions per chunk; session ids carry the chunk so none collide
    assert (len(summary), int(summary["events"].sum())) == (1500, 30_000)
    assert summary["session_id"].str.slice(0, 7).value_counts().to_dict() == {
        "c00000-": 500, "c00001-": 500, "c00002-": 500
    }


def test_files_with_different_columns_are_unioned_by_name(tmp_path: Path) -> None:
    _frame(url=["https://a.com/", None, "https://a.com/b"]).iloc[:2].to_parquet(
        tmp_path / "a.parquet"
    )
    _frame().iloc[2:].to_parquet(tmp_path / "b.parquet")  # no url column
    got = _sorted(execute(scan_parquet(tmp_path).select("session_id", "url", "t_ms")), ["t_ms"])
    assert got["url"].iloc[0] == "https://a.com/"
    assert got["session_id"].tolist() == ["s1", "s2", "s1"]
    assert got["url"].isna().tolist() == [False, True, True]
