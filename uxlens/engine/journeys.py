"""Journey aggregates as Ibis expressions: node sequences, transitions, step matrix.

A *journey* is the ordered list of nodes (pages, events or screens) one session
went through, split where the unit was inactive for longer than a gap. Node
labels are computed by the caller on the *distinct* values only (cheap even for
100M events) and arrive as an integer ``node`` column; everything else here is
portable window functions and group-bys that run on DuckDB and PySpark alike.
"""

from __future__ import annotations

from typing import Any

__all__ = ["journey_steps_expr", "transitions_expr", "step_matrix_expr", "journey_count_expr"]


def journey_steps_expr(
    table: Any, *, unit: str = "session_id", gap_ms: int | None, collapse_repeats: bool
) -> Any:
    """One row per journey step: ``unit, journey, step, node, t_ms, next_node, dt_ms``.

    A ``session_id`` column of ``table`` (other than the unit) is carried along.

    ``table`` holds the node rows (``unit`` column, ``t_ms``, ``seq``, integer
    ``node``). A new journey starts at the unit's first row and after every gap
    longer than ``gap_ms``. With ``collapse_repeats`` a node equal to the
    previous node of the same journey is dropped (``/a /a /b`` → ``/a /b``).
    ``next_node`` is -1 on the journey's last step (the exit).
    """
    import ibis

    order = [table.t_ms, table.seq]
    w = ibis.window(group_by=table[unit], order_by=order)
    prev_t = table.t_ms.lag().over(w)
    new_journey = prev_t.isnull() | ((table.t_ms - prev_t) > gap_ms) if gap_ms else prev_t.isnull()
    t = table.mutate(_new=new_journey.cast("int64"))
    w = ibis.window(group_by=t[unit], order_by=[t.t_ms, t.seq], rows=(None, 0))
    t = t.mutate(journey=t._new.sum().over(w))
    if collapse_repeats:
        wj = ibis.window(group_by=[t[unit], t.journey], order_by=[t.t_ms, t.seq])
        t = t.mutate(_prev_node=t.node.lag().over(wj))
        t = t.filter(t._prev_node.isnull() | (t._prev_node != t.node))
    wj = ibis.window(group_by=[t[unit], t.journey], order_by=[t.t_ms, t.seq])
    t = t.mutate(
        step=ibis.row_number().over(wj) + 1,
        next_node=t.node.lead().over(wj),
        next_t=t.t_ms.lead().over(wj),
    )
    carried = [t.session_id] if "session_id" in t.columns and unit != "session_id" else []
    return t.select(
        t[unit],
        *carried,
        t.journey,
        t.step,
        t.node,
        t.t_ms,
        next_node=t.next_node.fill_null(-1),
        dt_ms=t.next_t - t.t_ms,
    )


def transitions_expr(steps: Any, *, exact_median: bool = True) -> Any:
    """Edge counts with mean and median seconds: ``node, next_node, count, mean_s, median_s``.

    The median is exact (``median``/``percentile`` with linear interpolation
    between the two middle values, like pandas); the exit edge has no time.
    ``exact_median=False`` uses the approximate median, for engines without an
    exact one (BigQuery).
    """
    dt_s = steps.dt_ms.cast("float64") / 1000.0
    return steps.group_by(["node", "next_node"]).aggregate(
        count=steps.count(),
        mean_s=dt_s.mean(),
        median_s=dt_s.median() if exact_median else dt_s.approx_median(),
    )


def step_matrix_expr(steps: Any, *, max_step: int) -> Any:
    """Journeys at each node per step number: ``step, node, count`` (steps ≤ max_step)."""
    s = steps.filter(steps.step <= max_step)
    return s.group_by(["step", "node"]).aggregate(count=s.count())


def journey_count_expr(steps: Any, *, unit: str = "unit") -> Any:
    """Number of journeys (rows at step 1) as a one-row table with ``n``."""
    first = steps.filter(steps.step == 1)
    return first.aggregate(n=first.count())
