"""Journey aggregates on in-memory arrays: the embedded engine's fast path.

The Ibis expressions in :mod:`uxlens.engine.journeys` run the same
computations on any backend (PySpark, warehouses). For events already in this
process, sorting and windowing them again in an engine is most of the cost;
canonical events are stored sorted by ``(session_id, timestamp, seq)``, so a
journey is a contiguous block of rows and every window function becomes an
array shift. This module computes journeys, transitions (with exact medians),
step matrices and path counts with NumPy in a few linear passes, giving the
same numbers as the engine (tests compare them on random logs).

>>> import numpy as np
>>> steps = journey_steps(unit=np.array([0, 0, 0, 1]), t_ms=np.array([0, 10, 20, 5]),
...                       seq=np.arange(4), node=np.array([0, 0, 1, 1]), gap_ms=None,
...                       collapse_repeats=True)
>>> steps.node.tolist(), steps.next_node.tolist(), steps.step.tolist()
([0, 1, 1], [1, -1, -1], [1, 2, 1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["JourneySteps", "journey_steps", "transition_table", "step_counts", "path_groups"]


@dataclass(frozen=True)
class JourneySteps:
    """One entry per journey step, journeys contiguous and in step order.

    Attributes
    ----------
    unit, journey, step, node, next_node, t_ms, dt_ms
        Per step: unit code, global journey index (0..n_journeys-1), step
        number (1-based), node code, next node code (-1 = exit), time (epoch
        ms) and milliseconds to the next step (NaN on the exit).
    starts
        Index of each journey's first step (length ``n_journeys``).
    journey_in_unit
        Per journey: its 1-based number within its unit (``unit#k`` ids).
    session
        Per step: the session code carried along (the unit when not given).
    """

    unit: np.ndarray
    journey: np.ndarray
    step: np.ndarray
    node: np.ndarray
    next_node: np.ndarray
    t_ms: np.ndarray
    dt_ms: np.ndarray
    starts: np.ndarray
    journey_in_unit: np.ndarray
    session: np.ndarray

    @property
    def n_journeys(self) -> int:
        """Number of journeys."""
        return len(self.starts)

    @property
    def lengths(self) -> np.ndarray:
        """Steps per journey."""
        return np.diff(np.r_[self.starts, len(self.node)])


def _ordered(unit: np.ndarray, t_ms: np.ndarray, seq: np.ndarray) -> np.ndarray | None:
    """``None`` when rows already form contiguous units in (t_ms, seq) order, else the order."""
    n = len(unit)
    if n < 2:
        return None
    same = unit[1:] == unit[:-1]
    dt = t_ms[1:] - t_ms[:-1]
    in_order = (dt > 0) | ((dt == 0) & (seq[1:] > seq[:-1]))
    if bool(np.all(in_order | ~same)):
        if bool(np.all(unit[1:] >= unit[:-1])):  # sorted codes: every unit is one block
            return None
        firsts = unit[np.flatnonzero(np.r_[True, ~same])]
        if len(np.unique(firsts)) == len(firsts):  # no unit has two blocks
            return None
    return np.lexsort((seq, t_ms, unit))


def journey_steps(
    *,
    unit: np.ndarray,
    t_ms: np.ndarray,
    seq: np.ndarray,
    node: np.ndarray,
    gap_ms: int | None,
    collapse_repeats: bool,
    session: np.ndarray | None = None,
) -> JourneySteps:
    """Split node rows into journeys: the array twin of ``journey_steps_expr``.

    Parameters
    ----------
    unit, t_ms, seq, node
        Integer arrays, one entry per node row: unit code (session or user),
        epoch milliseconds, position in session, node code (>= 0).
    gap_ms
        A new journey starts after more than this many milliseconds without a
        row of the unit; ``None`` never splits.
    collapse_repeats
        Drop a row whose node equals the previous row's in the same journey.
    session
        Optional per-row session codes, carried along (sorted and filtered
        with the rows).

    Returns
    -------
    JourneySteps

    Examples
    --------
    >>> import numpy as np
    >>> s = journey_steps(unit=np.zeros(3, int), t_ms=np.array([0, 1000, 9000]),
    ...                   seq=np.arange(3), node=np.array([2, 0, 1]), gap_ms=5000,
    ...                   collapse_repeats=False)
    >>> s.journey.tolist(), s.journey_in_unit.tolist(), s.dt_ms.tolist()
    ([0, 0, 1], [1, 2], [1000.0, nan, nan])
    """
    unit, t_ms, seq, node = (np.asarray(a, dtype="int64") for a in (unit, t_ms, seq, node))
    session = unit if session is None else np.asarray(session, dtype="int64")
    order = _ordered(unit, t_ms, seq)
    if order is not None:
        unit, t_ms, seq, node, session = (a[order] for a in (unit, t_ms, seq, node, session))
    n = len(unit)
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = unit[1:] != unit[:-1]
        if gap_ms is not None:
            new[1:] |= (t_ms[1:] - t_ms[:-1]) > gap_ms
    if collapse_repeats and n > 1:
        keep = new.copy()
        keep[1:] |= node[1:] != node[:-1]
        unit, t_ms, node, new, session = (a[keep] for a in (unit, t_ms, node, new, session))
        n = len(unit)
    journey = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    step = np.arange(n) - starts[journey] + 1
    last = np.ones(n, dtype=bool)
    if n > 1:
        last[:-1] = new[1:]
    next_node = np.full(n, -1, dtype="int64")
    dt_ms = np.full(n, np.nan)
    inner = np.flatnonzero(~last)
    next_node[inner] = node[inner + 1]
    dt_ms[inner] = t_ms[inner + 1] - t_ms[inner]
    journey_unit = unit[starts]
    first_of_unit = np.ones(len(starts), dtype=bool)
    first_of_unit[1:] = journey_unit[1:] != journey_unit[:-1]
    idx = np.arange(len(starts))
    journey_in_unit = idx - np.maximum.accumulate(np.where(first_of_unit, idx, 0)) + 1
    return JourneySteps(
        unit, journey, step, node, next_node, t_ms, dt_ms, starts, journey_in_unit, session
    )


def transition_table(steps: JourneySteps) -> dict[str, np.ndarray]:
    """Edge counts with mean and exact median milliseconds.

    Returns arrays ``node, next_node, count, mean_ms, median_ms`` (one entry
    per edge, NaN times on exit edges). The median of an even group is the
    mean of its two middle values, as in pandas and the engine.

    Examples
    --------
    >>> import numpy as np
    >>> s = journey_steps(unit=np.array([0, 0, 1, 1, 2, 2]), t_ms=np.array([0, 4, 0, 10, 0, 30]),
    ...                   seq=np.zeros(6, int) + np.arange(6), node=np.array([0, 1] * 3),
    ...                   gap_ms=None, collapse_repeats=True)
    >>> t = transition_table(s)
    >>> t["count"].tolist(), t["median_ms"].tolist()
    ([3, 3], [10.0, nan])
    """
    width = int(max(steps.node.max(initial=0), steps.next_node.max(initial=-1))) + 2
    code = steps.node * width + (steps.next_node + 1)
    if width * width <= 4 * len(code) + 1024:  # few nodes: count by direct addressing
        counts_all = np.bincount(code, minlength=width * width)
        edges = np.flatnonzero(counts_all)
        counts = counts_all[edges]
        rank = np.zeros(width * width, dtype="int64")
        rank[edges] = np.arange(len(edges))
        inverse = rank[code]
    else:
        edges, inverse, counts = np.unique(code, return_inverse=True, return_counts=True)
    timed = ~np.isnan(steps.dt_ms)
    g = inverse[timed]
    v = steps.dt_ms[timed].astype("int64")
    total = np.bincount(g, weights=v, minlength=len(edges))
    n_timed = np.bincount(g, minlength=len(edges))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_timed > 0, total / np.maximum(n_timed, 1), np.nan)
    median = np.full(len(edges), np.nan)
    if len(v):
        lo_v, span = int(v.min()), int(v.max() - v.min()) + 1
        if span * len(edges) < 2**62:  # one int64 key: sort by (edge, time) in one pass
            key = np.sort(g * span + (v - lo_v))
            g, v = key // span, key % span + lo_v
        else:
            order = np.lexsort((v, g))
            g, v = g[order], v[order]
        lo = np.searchsorted(g, np.arange(len(edges)), side="left")
        has = n_timed > 0
        a = v[np.minimum(lo + (n_timed - 1) // 2, len(v) - 1)]
        b = v[np.minimum(lo + n_timed // 2, len(v) - 1)]
        median[has] = ((a + b) / 2.0)[has]
    return {
        "node": edges // width,
        "next_node": edges % width - 1,
        "count": counts.astype("int64"),
        "mean_ms": mean,
        "median_ms": median,
    }


def step_counts(steps: JourneySteps, *, max_step: int, n_nodes: int) -> np.ndarray:
    """Journeys at each node per step: an ``(n_nodes, max_step)`` count matrix.

    Examples
    --------
    >>> import numpy as np
    >>> s = journey_steps(unit=np.array([0, 0, 1]), t_ms=np.array([0, 1, 0]), seq=np.arange(3),
    ...                   node=np.array([0, 1, 1]), gap_ms=None, collapse_repeats=True)
    >>> step_counts(s, max_step=2, n_nodes=2).tolist()
    [[1, 0], [1, 1]]
    """
    keep = steps.step <= max_step
    code = steps.node[keep] * max_step + (steps.step[keep] - 1)
    return np.bincount(code, minlength=n_nodes * max_step).reshape(n_nodes, max_step)


def path_groups(
    steps: JourneySteps, *, max_steps: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group journeys by their first ``max_steps`` nodes, exactly.

    Returns ``(group, representative, counts)``: per journey its group
    number, and per group one member journey and the number of journeys.
    Paths are hashed with random 64-bit weights, then every journey is
    compared with its group's representative; a hash collision (never seen
    in practice) falls back to an exact row sort. ``weights`` replaces the
    random hash weights (tests use it to force collisions).

    Examples
    --------
    >>> import numpy as np
    >>> s = journey_steps(unit=np.array([0, 0, 1, 1, 2]), t_ms=np.array([0, 1, 0, 1, 0]),
    ...                   seq=np.arange(5), node=np.array([0, 1, 0, 1, 0]), gap_ms=None,
    ...                   collapse_repeats=True)
    >>> group, rep, counts = path_groups(s, max_steps=5)
    >>> bool(group[0] == group[1] != group[2]), counts[group].tolist()
    (True, [2, 2, 1])
    """
    if weights is None:
        weights = np.random.default_rng(20240501).integers(1, 2**63, size=max_steps, dtype=np.uint64)
    keep = steps.step <= max_steps
    node, step, journey = steps.node[keep], steps.step[keep], steps.journey[keep]
    with np.errstate(over="ignore"):
        terms = (node + 1).astype(np.uint64) * weights[step - 1]
    lengths = np.minimum(steps.lengths, max_steps)  # kept steps are a prefix of each journey
    kept_starts = np.r_[0, np.cumsum(lengths)[:-1]] if len(lengths) else lengths
    h = np.add.reduceat(terms, kept_starts) if len(terms) else terms
    group, first, counts = _factorize(h)
    # Exact check: same length and the same node at every kept step as the representative.
    rep = first[group]
    same = bool(np.array_equal(lengths, lengths[rep]))
    if same:
        same = bool(np.array_equal(node, steps.node[steps.starts[rep[journey]] + step - 1]))
    if not same:  # a hash collision: exact, slower
        _, first, group, counts = np.unique(
            padded_paths(steps, max_steps=max_steps), axis=0,
            return_index=True, return_inverse=True, return_counts=True,
        )
        group = group.reshape(-1)
    return group, first, counts


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group codes (in order of first appearance), first member and size of each group.

    A hash table (pandas) instead of a sort: linear time.
    """
    import pandas as pd

    group, _ = pd.factorize(values)
    group = group.astype("int64", copy=False)
    running = np.maximum.accumulate(group) if len(group) else group
    first = np.flatnonzero(np.r_[True, running[1:] > running[:-1]]) if len(group) else group
    return group, first, np.bincount(group, minlength=len(first))


def padded_paths(steps: JourneySteps, *, max_steps: int) -> np.ndarray:
    """``(n_journeys, max_steps)`` node codes of each journey's first steps, -1 padded."""
    out = np.full((steps.n_journeys, max_steps), -1, dtype="int64")
    keep = steps.step <= max_steps
    out[steps.journey[keep], steps.step[keep] - 1] = steps.node[keep]
    return out
