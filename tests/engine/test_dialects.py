"""Every engine aggregate compiles to each warehouse dialect, and the SQL parses back.

One test per (aggregate, dialect). The expressions are built by the engine
modules themselves (no copies here) over a small canonical table; the SQL comes
from :func:`uxlens.engine.sql.to_sql` and is parsed with sqlglot in the
dialect's own grammar. The parsed statement must select exactly the
expression's columns, in order, so a compiler that drops or renames a column
fails too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
import sqlglot

from uxlens.engine import friction, funnel, heatmap, journeys, sessions
from uxlens.engine.backend import as_table
from uxlens.engine.sql import DIALECTS, to_sql
from uxlens.exceptions import EngineError, UxlensError

WAREHOUSES = ("bigquery", "snowflake", "clickhouse", "postgres", "pyspark")
HOME = "https://app.example.com/"


@pytest.fixture(scope="module")
def table(random_events: Callable[..., pd.DataFrame]) -> Any:
    ev = random_events(6, seed=3)
    n = len(ev)
    ev["x"] = [float(10 * (i % 50)) for i in range(n)]
    ev["y"] = [float(15 * (i % 70)) for i in range(n)]
    ev["viewport_w"] = pd.array([1200 if i % 3 else 390 for i in range(n)], dtype="Int32")
    ev["target"] = pd.Categorical(["main > button#go" if i % 2 else "nav > a" for i in range(n)])
    ev["target_text"] = "Go"
    ev["duration_ms"] = 120.0
    return as_table(ev)


def _funnel_spec() -> funnel.FunnelSpec:
    return funnel.FunnelSpec(
        steps=(
            funnel.StepSpec("pageview", urls=(HOME,)),
            funnel.StepSpec("click", targets=("main > button#go",)),
            funnel.StepSpec("invite_sent", where=(("source", ("paid", "email")),)),
        ),
        window_ms=3_600_000,
        exclusions=((funnel.StepSpec("error"), 1, 2),),
        breakdown="device",
    )


def _coords(t: Any, **kwargs: Any) -> Any:
    h = heatmap.ensure_columns(t)
    points = heatmap.with_skip_reason(
        heatmap.page_events(h, [HOME], events=["click"], session_ids=["s000", "s001"])
    )
    placed = points.filter(points.skip_reason.isnull())
    return heatmap.plot_coords(placed, {"desktop": 1440, "mobile": 390}, **kwargs)


def _boxes() -> pd.DataFrame:
    return pd.DataFrame({
        "device": ["desktop"], "viewport_w": [1200], "target": ["main > button#go"],
        "left": [0.0], "top": [0.0], "width": [50.0], "height": [40.0],
        "ref_left": [10.0], "ref_top": [0.0], "ref_width": [60.0], "ref_height": [40.0],
    })


def _steps(t: Any) -> Any:
    import ibis

    names = ["click", "input", "invite_sent", "pageview", "scroll"]
    codes = ibis.memtable(pd.DataFrame({"ev": names, "node": range(len(names))}))
    nodes = t.join(codes, t.event == codes.ev).select("session_id", "t_ms", "seq", "node")
    return journeys.journey_steps_expr(nodes, gap_ms=1_800_000, collapse_repeats=True)


AGGREGATES: dict[str, Callable[[Any], Any]] = {
    "session_summary": lambda t: sessions.session_summary_expr(t),
    "funnel_rows": lambda t: funnel.funnel_rows_expr(t, _funnel_spec()),
    "funnel_rows_strict": lambda t: funnel.funnel_rows_expr(
        t, dataclasses.replace(_funnel_spec(), order="strict")
    ),
    "heatmap_skipped": lambda t: heatmap.with_skip_reason(
        heatmap.page_events(heatmap.ensure_columns(t), [HOME], events=["click"])
    ),
    "heatmap_grid": lambda t: heatmap.grid_counts(_coords(t, fixed_targets=["nav"]), 20),
    "heatmap_grid_elements": lambda t: heatmap.grid_counts(_coords(t, boxes=_boxes()), 20),
    "heatmap_zones": lambda t: heatmap.zone_session_counts(_coords(t), 100),
    "friction_click_flags": lambda t: friction.click_flags(
        t, friction.RageParams(window_ms=2000), friction.DeadParams(), friction.ErrorParams(),
        dead_mode="mutation",
    ),
    "friction_click_flags_fallback": lambda t: friction.click_flags(
        t, friction.RageParams(distance="manhattan", same_target=True), friction.DeadParams(),
        friction.ErrorParams(), dead_mode="fallback",
    ),
    "friction_quick_backs": lambda t: friction.quick_backs(t),
    "friction_thrash": lambda t: friction.thrash_reversals(
        t, window_ms=1000, min_speed_px_s=100.0, min_leg_px=10.0, max_gap_ms=500
    ),
    "friction_scroll_visits": lambda t: friction.scroll_visits(t),
    "friction_scroll_legs": lambda t: friction.scroll_legs(t),
    "friction_hesitations": lambda t: friction.hesitations(
        t, actions=("input", "scroll"), min_ms=1000, max_ms=10_000
    ),
    "journey_steps": _steps,
    "journey_transitions": lambda t: journeys.transitions_expr(_steps(t)),
    "journey_transitions_approx": lambda t: journeys.transitions_expr(_steps(t), exact_median=False),
    "journey_step_matrix": lambda t: journeys.step_matrix_expr(_steps(t), max_step=5),
}

#: (aggregate, dialect) pairs known not to be portable: reason (strict xfail).
NOT_PORTABLE: dict[tuple[str, str], str] = {
    ("journey_transitions", "bigquery"): "BigQuery has no exact MEDIAN aggregate; Journeys "
    "uses transitions_expr(exact_median=False) there",
}


def _cases() -> list[Any]:
    out = []
    for name in AGGREGATES:
        for dialect in WAREHOUSES:
            marks = []
            if (name, dialect) in NOT_PORTABLE:
                marks.append(pytest.mark.xfail(strict=True, reason=NOT_PORTABLE[name, dialect]))
            out.append(pytest.param(name, dialect, id=f"{name}-{dialect}", marks=marks))
    return out


@pytest.fixture(scope="module")
def built(table: Any) -> dict[str, Any]:
    """Expressions built once per module (cached per aggregate name)."""
    return {}


@pytest.mark.parametrize(("aggregate", "dialect"), _cases())
def test_aggregate_compiles_and_parses(
    table: Any, built: dict[str, Any], aggregate: str, dialect: str
) -> None:
    if aggregate not in built:
        built[aggregate] = AGGREGATES[aggregate](table)
    expr = built[aggregate]
    sql = to_sql(expr, dialect)
    try:
        parsed = sqlglot.parse_one(sql, read=DIALECTS[dialect])
    except sqlglot.errors.ParseError as exc:
        pytest.fail(
            f"{aggregate}: the {dialect} SQL from Ibis does not parse as "
            f"{DIALECTS[dialect]}: {exc}\n--- SQL ---\n{sql}"
        )
    selects = parsed.named_selects
    if "*" in selects:  # an outer SELECT * over a subquery: check the subquery's columns
        selects = parsed.find(sqlglot.exp.Subquery).this.named_selects
    assert selects == list(expr.columns), (
        f"{aggregate} on {dialect}: the SQL selects {selects}, the expression "
        f"has {list(expr.columns)}\n--- SQL ---\n{sql}"
    )


def test_every_other_dialect_compiles_the_summary(table: Any) -> None:
    expr = sessions.session_summary_expr(table)
    for dialect in ("duckdb", "trino", "databricks"):
        parsed = sqlglot.parse_one(to_sql(expr, dialect), read=DIALECTS[dialect])
        assert parsed.named_selects == list(expr.columns), dialect


def test_warehouse_sql_reads_the_named_table() -> None:
    import ibis

    events = ibis.table(
        {"session_id": "string", "user_id": "string", "timestamp": "timestamp('UTC')",
         "event": "string", "t_ms": "int64"},
        name="events",
    )
    parsed = sqlglot.parse_one(to_sql(sessions.session_summary_expr(events), "snowflake"),
                               read="snowflake")
    ctes = {c.alias for c in parsed.find_all(sqlglot.exp.CTE)}
    tables = {t.name for t in parsed.find_all(sqlglot.exp.Table)} - ctes
    assert tables == {"events"}


def test_unknown_dialect_names_the_known_ones(table: Any) -> None:
    with pytest.raises(UxlensError, match=r"Unknown SQL dialect 'snowflak'.*'snowflake'"):
        to_sql(table, "snowflak")


def test_missing_operation_raises_engine_error_naming_it_and_the_dialect(table: Any) -> None:
    # MySQL has no arg-min aggregate in Ibis 12; the session summary needs it
    # (first user id / url in event order).
    with pytest.raises(EngineError, match=r"(?s)ArgMin.*mysql|mysql.*ArgMin"):
        to_sql(sessions.session_summary_expr(table), "mysql")


@pytest.mark.parametrize("zone", ["UTC", None])
def test_t_ms_of_an_ibis_table_compiles_for_bigquery(zone):
    import ibis

    from uxlens.engine.backend import as_table
    from uxlens.engine.sessions import session_summary_expr

    dtype = "timestamp('UTC')" if zone else "timestamp"
    table = ibis.table(
        {"session_id": "string", "user_id": "string", "timestamp": dtype, "event": "string", "seq": "int64"},
        name="events",
    )
    sql = ibis.to_sql(session_summary_expr(as_table(table)), dialect="bigquery")
    assert "1970" in sql
