"""Funnel rows taken straight from an in-memory frame, without a query engine.

For the common funnel over a pandas frame (steps and exclusions named by event,
URL or target, no ``where`` filters, ordered or unordered) the rows the engine
would return are lookups on category codes and a take of a few columns at the
matching positions. Doing that with numpy and Arrow skips building and
compiling the query and moving the rows through the engine, which at 10M events
is most of a funnel's time. :func:`frame_rows` returns exactly the rows of
:func:`uxlens.engine.funnel.fetch_rows` (tested on generated logs), or ``None``
for funnels it does not cover, which then run on the engine.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from ..events import code_flags
from .funnel import FunnelSpec, Rows, _breakdown_codes, _encode, exclusion_bits, sorted_rows

__all__ = ["frame_rows", "supported"]

# Below this many events one thread does it all; above it the category lookup
# runs in two halves and the unit ids are encoded beside the numeric columns.
_PARALLEL_ROWS = 1_000_000


def supported(frame: pd.DataFrame, spec: FunnelSpec) -> bool:
    """Whether :func:`frame_rows` covers this funnel on this frame.

    It does when the frame's ``event`` column is categorical, ``timestamp`` is
    a zoned datetime column, and the funnel is not strict and matches every step and
    exclusion by event name, URL and target (categorical columns) alone: no ``where``.
    """
    if spec.order == "strict" or spec.where:
        return False
    specs = list(spec.steps) + [ex for ex, _, _ in spec.exclusions]
    if any(s.where for s in specs):
        return False
    needed = {"session_id", "timestamp", "event"} | ({"user_id"} if spec.unit == "user" else set())
    if spec.breakdown:
        needed.add(spec.breakdown)
    if not needed <= set(frame.columns):
        return False
    for column, attr in (("url", "urls"), ("target", "targets")):
        # URL and target steps: a lookup on the column's category codes.
        if any(getattr(s, attr) is not None for s in specs) and not (
            column in frame.columns and _text_categories(frame[column])
        ):
            return False
    ts_type = frame["timestamp"].dtype
    return isinstance(frame["event"].dtype, pd.CategoricalDtype) and (
        ts_type.kind == "M" and getattr(ts_type, "tz", None) is not None  # naive: the engine says
    )


def _text_categories(column: pd.Series) -> bool:
    """A categorical column whose categories are text (or that has none)."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return False
    cats = column.cat.categories
    return len(cats) == 0 or pd.api.types.is_string_dtype(cats)


def _in_values(column: pd.Series, pos: np.ndarray, values: tuple[str, ...]) -> np.ndarray:
    """Whether the categorical column's value at each position is one of ``values``
    (a missing value is not: as ``isin`` on an engine)."""
    return code_flags(column.cat.categories, values)[column.array.codes[pos]]


def _step_masks(
    frame: pd.DataFrame, pos: np.ndarray, row_codes: np.ndarray, bits: list[tuple[Any, int]]
) -> np.ndarray:
    """The OR of ``bit`` over the steps (or exclusions) each row matches: its event, and
    its URL and target when the step names them (engine: ``step_predicate``)."""
    categories = frame["event"].cat.categories
    by_event = np.zeros(len(categories) + 1, dtype=np.int64)  # steps named by event alone
    filtered = []
    for step, bit in bits:
        code = categories.get_indexer([step.event])[0]
        if code < 0:
            continue
        if step.urls is None and step.targets is None:
            by_event[code] |= bit
        else:
            filtered.append((step, code, bit))
    out = by_event[row_codes]  # one lookup for all of them
    for step, code, bit in filtered:
        match = row_codes == code
        for column, values in (("url", step.urls), ("target", step.targets)):
            if values is not None:
                match &= _in_values(frame[column], pos, values)
        np.bitwise_or(out, bit, out=out, where=match)
    return out


def _matches(codes: np.ndarray, flags: np.ndarray, pool: ThreadPoolExecutor | None) -> np.ndarray:
    """Positions of the rows whose code is flagged (see :func:`uxlens.events.code_flags`)."""
    flag = flags.view(np.uint8)

    def part(a: int, b: int) -> np.ndarray:
        return np.flatnonzero(flag[codes[a:b]]) + a

    if pool is None:
        return part(0, len(codes))
    half = len(codes) // 2
    first = pool.submit(part, 0, half)
    second = part(half, len(codes))
    return np.concatenate([first.result(), second])


def _take_arrow(column: pd.Series, pos: np.ndarray) -> Any:
    """The values at (sorted) positions as one Arrow array, taken chunk by chunk from an
    Arrow-backed column (Arrow's take of a chunked array first joins every chunk)."""
    import pyarrow as pa

    data = getattr(column.array, "_pa_array", None)
    if not isinstance(data, pa.ChunkedArray):
        return pa.array(column.take(pos), from_pandas=True)
    bounds = np.cumsum([0] + [len(c) for c in data.chunks])
    cuts = np.searchsorted(pos, bounds)
    parts = [
        chunk.take(pa.array(pos[cuts[i]:cuts[i + 1]] - bounds[i]))
        for i, chunk in enumerate(data.chunks)
        if cuts[i + 1] > cuts[i]
    ]
    if not parts:
        return pa.array([], type=data.type)
    return pa.concat_arrays(parts) if len(parts) > 1 else parts[0]


def _strings(values: Any) -> Any:
    """Arrow values as plain strings (dictionary-decoded), or None when not strings."""
    import pyarrow as pa

    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if pa.types.is_null(values.type):
        values = values.cast(pa.string())
    text = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
    return values if text else None


def _unit_ids(frame: pd.DataFrame, pos: np.ndarray, unit: str) -> Any:
    """The unit id of each row as Arrow strings (an anonymous user is its session), or
    None when the ids are not strings (the engine then casts them)."""
    import pyarrow.compute as pc

    ids = _strings(_take_arrow(frame["user_id" if unit == "user" else "session_id"], pos))
    if ids is not None and unit == "user" and ids.null_count:
        sessions = _strings(_take_arrow(frame["session_id"], pos))
        ids = None if sessions is None else pc.coalesce(ids, sessions.cast(ids.type))
    return ids


def _unit_codes(frame: pd.DataFrame, pos: np.ndarray, unit: str) -> tuple[np.ndarray, Any] | None:
    """Codes of the rows' unit ids into their distinct values (None: ids not strings)."""
    ids = _unit_ids(frame, pos, unit)
    return None if ids is None else _encode(ids)


def _merge_codes(
    first: tuple[np.ndarray, Any], second: tuple[np.ndarray, Any]
) -> tuple[np.ndarray, Any]:
    """One coding of two halves coded separately: the second half's values take the
    first half's codes where they occur there, new codes after them otherwise.

    Examples
    --------
    >>> import pyarrow as pa
    >>> codes, values = _merge_codes((np.array([0, 1]), pa.array(["a", "b"])),
    ...                              (np.array([0, 1, 0]), pa.array(["c", "a"])))
    >>> codes.tolist(), values.to_pylist()
    ([0, 1, 2, 0, 2], ['a', 'b', 'c'])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    codes1, values1 = first
    codes2, values2 = second
    found = pc.index_in(values2, value_set=values1)
    new = np.asarray(found.is_null(), dtype=bool)
    remap = np.asarray(found.fill_null(0), dtype=np.int64)
    remap[new] = len(values1) + np.arange(int(new.sum()))
    values = pa.concat_arrays([values1, values2.filter(pa.array(new))])
    return np.concatenate([codes1, np.where(codes2 >= 0, remap[codes2], -1)]), values


def _may_be_missing(column: pd.Series) -> bool:
    """False when an Arrow-backed column has no missing value (known without a scan)."""
    data = getattr(column.array, "_pa_array", None)
    return data is None or data.null_count > 0


def frame_rows(frame: pd.DataFrame, spec: FunnelSpec, session_ids: Any) -> Rows | None:
    """The funnel rows of an in-memory canonical frame, as :func:`fetch_rows` returns
    them from the engine with row positions for session ids (``sid_code``: the row's
    position in ``frame``; ``session_ids``: the frame's session ids, or a function
    returning them). None when :func:`supported` says no or the ids are not strings.

    Examples
    --------
    >>> import uxlens as ux
    >>> from uxlens.engine.funnel import FunnelSpec, StepSpec
    >>> events = ux.demo().events
    >>> spec = FunnelSpec((StepSpec("signup_started"), StepSpec("signup_done")), 3_600_000)
    >>> rows = frame_rows(events, spec, None)
    >>> int((rows.smask == 1).sum()) == int((events["event"] == "signup_started").sum())
    True
    """
    if not supported(frame, spec):
        return None
    events = frame["event"]
    categories = events.cat.categories
    wanted = code_flags(categories, [s.event for s in spec.steps]
                        + [ex.event for ex, _, _ in spec.exclusions])
    codes = events.array.codes
    pool = ThreadPoolExecutor(1) if len(frame) >= _PARALLEL_ROWS else None
    try:
        pos = _matches(codes, wanted, pool)
        # Rows without a time or a session cannot be placed in a funnel.
        times = frame["timestamp"].take(pos)
        valid = times.notna().to_numpy()
        if _may_be_missing(frame["session_id"]):
            valid = valid & frame["session_id"].take(pos).notna().to_numpy()
        row_codes = codes[pos]
        smask = _step_masks(frame, pos, row_codes,
                            [(s, 1 << k) for k, s in enumerate(spec.steps)])
        xmask = _step_masks(frame, pos, row_codes, [(ex, b) for ex, b in exclusion_bits(spec)])
        # A step's event on another URL or target is no funnel row.
        valid = valid & ((smask | xmask) != 0)
        if not valid.all():
            pos, times, smask, xmask = pos[valid], times[valid], smask[valid], xmask[valid]
        # Unit ids are strings: the other thread encodes the first half of them
        # while this one derives the numeric columns and encodes the second half.
        half = len(pos) // 2 if pool else 0
        first = pool.submit(_unit_codes, frame, pos[:half], spec.unit) if pool else None
        t = times.astype("datetime64[ns, UTC]").array.asi8 // 1_000_000
        if spec.breakdown:
            bd_code, values = _breakdown_codes(_take_arrow(frame[spec.breakdown], pos))
        else:
            bd_code, values = np.full(len(pos), -1, dtype=np.int64), np.array([], dtype=object)
        encoded = _unit_codes(frame, pos[half:], spec.unit)
        if first is not None:
            head = first.result()
            encoded = None if head is None or encoded is None else _merge_codes(head, encoded)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    if encoded is None:
        return None
    unit_code, units = encoded
    # Twins keep the smallest position: in a validated frame (sorted by session
    # and time) that is the first by session id and seq, as the engine keeps.
    return sorted_rows(
        unit_code, units, pos.astype(np.int64), session_ids, t, smask, xmask, None,
        bd_code, values, by_position=True,
    )
