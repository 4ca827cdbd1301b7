"""Funnel counting: the engine selects and labels events, a per-unit state machine scores them.

The rules are PostHog's (``reference/funnel-semantics.md``), replayed exactly as
PostHog's own funnel code applies them, event by event, to each unit's events in
time order. They are written out on :class:`uxlens.funnel.Funnel`; this module
is how they are computed.

Algorithm
---------
1. **Engine (Ibis, any backend).** :func:`funnel_rows_expr` keeps the events that
   matter to the funnel and labels each with two bitmasks: ``smask`` (bit k-1 set
   when the event matches step k) and ``xmask`` (bit s-1 set when the event is an
   exclusion event covering the pair "reached s-1, not yet s"; an exclusion
   ``i -> j`` covers s = i+1 .. j). Non-strict funnels keep events matching any
   step or exclusion. Strict funnels keep, for the units that have a step-1
   event, the funnel events plus the first of every run of "breakers" (other
   events at an instant where nothing of the funnel happens; a run breaks a
   chain no more than one of them does): one semi-join and two window
   functions. This is the only pass over the full table: portable predicates
   (``=``, ``IN``, ``AND``/``OR``). URL and target patterns are first resolved to
   the list of matching distinct values (few), so the filter stays ``IN (...)``.
   The funnel-relevant rows are a small share of all events (about 3 % on the
   10M-event benchmark) and are fetched as Arrow. For an in-memory DataFrame,
   :class:`uxlens.Funnel` hands the engine only the needed columns of the rows
   of the step events (a lookup on categorical codes) and their row positions
   in place of session ids, which are only looked up for drill-downs.
2. **Local, exact.** Rows are sorted by (unit, time, step) with numpy (one
   argsort of a packed integer key), identical events at one instant (same
   unit, time, masks and breakdown value) are kept once, and each unit is
   scored:

   * :func:`ordered_fast` — ordered funnels without exclusions where every row
     matches exactly one step (the common case). With ``S_k(e)`` the start time of
     the most recently started attempt that has reached step k when event e is
     applied, PostHog's state machine gives ``S_1(e) = t_e`` on step-1 events and,
     on step-k events, ``S_k(e) = S`` where S is the last ``S_(k-1)`` value seen so
     far in the unit (events ordered by time, then step), kept only if
     ``t_e - S <= window``. The ``S_k`` values never decrease along a unit's
     events, so "the most recent attempt" is a forward fill: one vectorised numpy
     pass per step. The unit's furthest step is the largest k with some ``S_k``;
     the deciding attempt is the one of the first event reaching it, and its step
     times are the first events with ``S_j`` equal to its start. This equals the
     state machine below (a property test checks it on random data).
   * :func:`ordered_machine` — everything else ordered or strict (exclusions,
     steps that share events, strict chains): PostHog's state machine,
     transcribed rule for rule, one Python loop over the unit's relevant rows.
   * :func:`unordered_machine` — the sliding-window count of distinct steps.

Both backends hand the same rows to the same local code, so DuckDB and PySpark
give identical tables. Units are keyed by ``(unit, breakdown value)`` when the
attribution runs the funnel once per value (``all_events``, ``step:N``).

Why not all in SQL: the S_k forward fill above can be written with portable
window functions (one running ``MAX`` per step), and the classic join chain +
``MIN`` gives the same counts; measured on 10M events both cost about as much
as the whole uxlens pipeline does, and neither covers exclusions, strict
chains or same-instant groups. Moving the few relevant rows out once and
scoring them with numpy is faster and exact for every rule
(``benchmarks/bench_funnel.py``).

Where uxlens follows reference/funnel-semantics.md rather than a quirk of
PostHog's code: identical events at one instant count once even in a funnel
that repeats a step (PostHog's code lets two same-instant ``A`` fill ``A -> A``);
in unordered funnels the progress reached before an exclusion is always kept
(PostHog's code can lose it, and the unit with it); ``first_touch`` takes the
value of the unit's first step-1 event, missing values forming ``"(none)"``
(PostHog takes the earliest non-missing value); zero conversion times count
(PostHog's SQL leaves them out of the averages).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import EngineError

__all__ = [
    "NONE_LABEL",
    "StepSpec",
    "FunnelSpec",
    "Rows",
    "Scores",
    "selector_matches",
    "step_predicate",
    "funnel_rows_expr",
    "fetch_rows",
    "score",
    "ordered_fast",
    "ordered_machine",
    "unordered_machine",
]

#: Label of the group of units whose breakdown value is missing.
NONE_LABEL = "(none)"
_NA = np.iinfo(np.int64).min


# ----------------------------------------------------------------------------- specs
@dataclass(frozen=True)
class StepSpec:
    """What one step (or exclusion) matches, resolved against the data.

    ``where`` holds ``(column, value)`` equality filters (a tuple value means
    "any of", ``None`` means missing); ``urls`` / ``targets`` are the distinct
    values that matched the step's URL pattern / target selector, or ``None``
    when the step has no such filter.
    """

    event: str
    where: tuple[tuple[str, Any], ...] = ()
    urls: tuple[str, ...] | None = None
    targets: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FunnelSpec:
    """Everything the engine needs to count a funnel."""

    steps: tuple[StepSpec, ...]
    window_ms: int
    order: str = "ordered"
    unit: str = "user"
    exclusions: tuple[tuple[StepSpec, int, int], ...] = ()
    breakdown: str | None = None
    attribution: str = "first_touch"
    where: tuple[tuple[str, Any], ...] = ()

    @property
    def n(self) -> int:
        return len(self.steps)

    @property
    def attr_step(self) -> int | None:
        """N of a ``step:N`` attribution (1-based), else None."""
        if self.breakdown and self.attribution.startswith("step:"):
            return int(self.attribution.split(":", 1)[1])
        return None


# ----------------------------------------------------------------------- selectors
_COMPOUND = re.compile(r"^(?P<tag>[a-zA-Z][\w-]*|\*)?(?P<rest>(?:[#.][\w-]+)*)$")


def _parse_compound(text: str) -> tuple[str | None, str | None, frozenset[str]] | None:
    # Pseudo-classes and attribute selectors are ignored: paths carry tag#id.class only.
    text = re.sub(r"\[[^\]]*\]|:{1,2}[\w-]+(?:\([^)]*\))?", "", text.strip())
    m = _COMPOUND.match(text)
    if not m or not text:
        return None
    tag = m.group("tag")
    ident = None
    classes = []
    for kind, name in re.findall(r"([#.])([\w-]+)", m.group("rest")):
        if kind == "#":
            ident = name
        else:
            classes.append(name)
    return (None if tag in (None, "*") else tag.lower()), ident, frozenset(classes)


def _compound_matches(want: tuple[str | None, str | None, frozenset[str]], element: str) -> bool:
    got = _parse_compound(element)
    if got is None:
        return False
    tag, ident, classes = want
    return (
        (tag is None or tag == got[0])
        and (ident is None or ident == got[1])
        and classes <= got[2]
    )


def selector_matches(selector: str, path: str) -> bool:
    """Whether a target path is, or is inside, an element matching ``selector``.

    ``path`` is the canonical ``target`` column: a CSS-selector-like path such as
    ``"body > div.modal > button#send-invites.btn > span"``. ``selector`` is
    matched like the DOM's ``closest()``: the clicked element or one of its
    ancestors must match the selector's last compound (``tag#id.class``), and
    earlier compounds must match ancestors further up (``>`` = parent, a space
    = any ancestor). A selector with ``*`` wildcards is a pattern over the whole
    path; ``re:<regex>`` is a regular expression searched in the path.

    Examples
    --------
    >>> selector_matches("#send-invites", "body > div > button#send-invites.btn > span")
    True
    >>> selector_matches("button.primary", "body > button#send-invites.btn")
    False
    >>> selector_matches("div.modal > button", "body > div.modal.open > button#ok")
    True
    >>> selector_matches("re:#send", "body > button#send-invites")
    True
    """
    if selector.startswith("re:"):
        return re.search(selector[3:], path) is not None
    if "*" in selector and not re.search(r"(^|[\s>])\*([\s>#.]|$)", selector):
        body = ".*".join(re.escape(p) for p in selector.split("*"))
        return re.fullmatch(body, path) is not None
    if selector.strip() == path.strip():
        return True
    tokens = re.findall(r">|[^\s>]+", selector)
    compounds: list[tuple[str, tuple[str | None, str | None, frozenset[str]]]] = []
    combinator = " "
    for tok in tokens:
        if tok == ">":
            combinator = ">"
            continue
        parsed = _parse_compound(tok)
        if parsed is None:
            return False
        compounds.append((combinator, parsed))
        combinator = " "
    if not compounds:
        return False
    elements = [p.strip() for p in path.split(">") if p.strip()]
    return _match_chain(compounds, elements, len(compounds) - 1, len(elements) - 1, anchor=False)


def _match_chain(
    compounds: list[tuple[str, tuple[str | None, str | None, frozenset[str]]]],
    elements: list[str],
    ci: int,
    ei: int,
    *,
    anchor: bool,
) -> bool:
    """Match compounds[:ci+1] against elements[:ei+1], right to left (backtracking)."""
    if ci < 0:
        return True
    combinator, want = compounds[ci]
    lowest = ei if anchor else 0
    for j in range(ei, lowest - 1, -1):
        if _compound_matches(want, elements[j]) and _match_chain(
            compounds, elements, ci - 1, j - 1, anchor=(combinator == ">")
        ):
            return True
    return False


# ---------------------------------------------------------------------- expressions
def _equality(table: Any, column: str, value: Any) -> Any:
    col = table[column]
    if value is None:
        return col.isnull()
    if isinstance(value, tuple):
        return col.isin(list(value))
    return col == value


def step_predicate(table: Any, step: StepSpec) -> Any:
    """The Ibis boolean expression "this event matches ``step``"."""
    pred = table.event == step.event
    for column, value in step.where:
        pred = pred & _equality(table, column, value)
    if step.urls is not None:
        pred = pred & table.url.isin(list(step.urls)) if step.urls else pred & False
    if step.targets is not None:
        pred = pred & table.target.isin(list(step.targets)) if step.targets else pred & False
    return pred


def exclusion_bits(spec: FunnelSpec) -> list[tuple[StepSpec, int]]:
    """Each exclusion with its bitmask of covered pairs (bit s-1 for s in i+1..j)."""
    out = []
    for ex, i, j in spec.exclusions:
        bits = 0
        for s in range(i + 1, j + 1):
            bits |= 1 << (s - 1)
        out.append((ex, bits))
    return out


def funnel_rows_expr(table: Any, spec: FunnelSpec) -> Any:
    """Ibis expression of the funnel-relevant rows, labelled with step masks.

    Columns: ``u`` (unit id), ``sid`` (session id), ``t`` (epoch ms), ``seq``,
    ``smask``, ``xmask`` and, with a breakdown, ``bd`` (the raw value).
    """
    import ibis

    if spec.where:
        table = table.filter(*[_equality(table, c, v) for c, v in spec.where])
    # Rows without a time or a session cannot be placed in a funnel; an unknown
    # user is anonymous: its session stands for it (as in uxlens.events.validate).
    has_sessions = "session_id" in table.columns
    table = table.filter(table.t_ms.notnull())
    if has_sessions:
        table = table.filter(table.session_id.notnull())
    strict = spec.order == "strict"
    if not strict:
        names = sorted({s.event for s in spec.steps} | {ex.event for ex, _, _ in spec.exclusions})
        # The IN list first: engines turn it into a fast dictionary/ENUM filter.
        table = table.filter(table.event.isin(names))
        preds = [step_predicate(table, s) for s in spec.steps]
        preds += [step_predicate(table, ex) for ex, _, _ in spec.exclusions]
        table = table.filter(ibis.or_(*preds))
    zero = ibis.literal(0, type="int64")
    smask = zero
    for k, step in enumerate(spec.steps):
        smask = smask + ibis.ifelse(
            step_predicate(table, step), ibis.literal(1 << k, type="int64"), zero
        )
    xmask = zero
    bits = exclusion_bits(spec)
    for s in range(2, spec.n + 1):
        covering = [step_predicate(table, ex) for ex, b in bits if b >> (s - 1) & 1]
        if covering:
            xmask = xmask + ibis.ifelse(
                ibis.or_(*covering), ibis.literal(1 << (s - 1), type="int64"), zero
            )
    if spec.unit == "user":
        unit = table.user_id.cast("string")
        if has_sessions:
            unit = ibis.coalesce(unit, table.session_id.cast("string"))
    else:
        unit = table.session_id.cast("string")
    cols: dict[str, Any] = {
        "u": unit,
        # "_pos" (row position in an in-memory frame) stands in for the session
        # id when present: an integer is cheaper to fetch than a string.
        "sid": table["_pos"] if "_pos" in table.columns else table.session_id.cast("string"),
        "t": table.t_ms.cast("int64"),
        "seq": table.seq.cast("int64") if "seq" in table.columns else zero,
        "smask": smask,
        "xmask": xmask,
    }
    if spec.breakdown:
        cols["bd"] = table[spec.breakdown]
    labelled = table.select(**cols)
    if not strict:
        return labelled
    first = labelled.filter((labelled.smask % 2) == 1)
    units = first.select(uu=first.u).distinct()
    rows = labelled.semi_join(units, labelled.u == units.uu)
    return _strict_breakers(rows)


def _strict_breakers(rows: Any) -> Any:
    """Strict funnels: keep funnel rows and one row per run of chain breakers.

    Another event breaks a strict chain only when nothing of the funnel happens
    at the same instant (inside a same-instant group of different events
    strictness is not applied), and a run of such events in a row breaks it no
    more than one does. Keeping the first of each run leaves the result intact
    and spares moving every event of every unit out of the engine.
    """
    import ibis

    funnel = (rows.smask != 0) | (rows.xmask != 0)
    rows = rows.mutate(_f=ibis.ifelse(funnel, 1, 0))
    instant = ibis.window(group_by=[rows.u, rows.t])
    rows = rows.mutate(_instant=rows._f.max().over(instant))
    breaker = rows._instant == 0
    ordered = ibis.window(group_by=rows.u, order_by=[rows.t, rows._f, rows.sid, rows.seq])
    rows = rows.mutate(_b=ibis.ifelse(breaker, 1, 0))
    rows = rows.mutate(_prev=rows._b.lag().over(ordered))
    keep = (rows._b == 0) | rows._prev.isnull() | (rows._prev == 0)
    return rows.filter(keep).drop("_f", "_instant", "_b", "_prev")


# ------------------------------------------------------------------------ fetching
@dataclass
class Rows:
    """The funnel-relevant rows, fetched and sorted by (unit, time, step).

    ``unit_code`` / ``sid_code`` index ``units`` / ``sessions`` (Arrow string
    arrays, in first-seen order: cheap, and no result depends on it);
    ``bd_code`` indexes ``values`` (sorted breakdown labels; -1 when missing).
    """

    unit_code: np.ndarray
    sid_code: np.ndarray
    t: np.ndarray
    smask: np.ndarray
    xmask: np.ndarray
    bd_code: np.ndarray
    units: Any
    sessions: Any
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.t)

    @property
    def n_units(self) -> int:
        return len(self.units)

    def unit_labels(self, codes: np.ndarray) -> np.ndarray:
        """Unit ids (str) of unit codes."""
        return _take_labels(self.units, codes)

    def session_labels(self, codes: np.ndarray) -> np.ndarray:
        """Session ids (str) of session codes."""
        return _take_labels(self.sessions, codes)


def _take_labels(labels: Any, codes: np.ndarray) -> np.ndarray:
    import pyarrow as pa

    if callable(labels):  # resolved lazily: e.g. a frame's whole session_id column
        labels = labels()
    codes = np.asarray(codes, dtype=np.int64)
    if len(codes) == 0:
        return np.array([], dtype=object)
    taken = labels.take(pa.array(codes))
    if isinstance(taken, pa.ChunkedArray):
        taken = taken.combine_chunks()
    return np.asarray(taken.to_pylist(), dtype=object)


def _label(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _encode(column: Any) -> tuple[np.ndarray, Any]:
    """Codes of an Arrow string column into its distinct values (first-seen order)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    encoded = pc.dictionary_encode(column)
    codes = np.asarray(encoded.indices.fill_null(-1), dtype=np.int64)
    return codes, encoded.dictionary


def _breakdown_codes(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the sorted labels of a breakdown column (-1: missing).

    Labels are the values as text (whole floats without ``.0``, booleans as
    ``True``/``False``), computed once per distinct value.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    encoded = pc.dictionary_encode(column)
    raw_codes = np.asarray(encoded.indices.fill_null(-1), dtype=np.int64)
    labels = [_label(v) if v is not None else None for v in encoded.dictionary.to_pylist()]
    values = np.array(sorted({v for v in labels if v is not None}), dtype=object)
    lookup = {v: i for i, v in enumerate(values.tolist())}
    remap = np.array([lookup[v] if v is not None else -1 for v in labels] + [-1], dtype=np.int64)
    return remap[raw_codes], values


def _run_arrow(expr: Any, backend: Any = None) -> Any:
    from .backend import get_backend

    try:
        con = expr._find_backend(use_default=False)
    except Exception:  # memtable-only expressions have no backend
        con = get_backend(backend)
    try:
        return con.to_pyarrow(expr)
    except Exception as exc:
        raise EngineError(f"The {con.name} engine failed to run the funnel query: {exc}") from exc


def fetch_rows(
    expr: Any, *, breakdown: bool, backend: Any = None, session_ids: Any = None
) -> Rows:
    """Run :func:`funnel_rows_expr`, sort its rows locally and drop same-instant twins.

    Rows are sorted by unit, time, lowest matched step, masks and breakdown
    value; the engine's output order never matters. Rows identical for the
    funnel (same unit, instant, masks and value) are one event: the one kept is
    the first by (session id, ``seq``), so every backend keeps the same one.

    When the table carried row positions (``_pos``) instead of session ids,
    ``session_ids`` gives the frame's ``session_id`` column as an Arrow array
    (or a function returning it, called only if session ids are needed) and
    twins keep the first position (in a validated frame, sorted by session and
    time, that is the first by session id and ``seq``).
    """
    import pyarrow as pa

    arrow = _run_arrow(expr, backend)
    unit_code, units = _encode(arrow.column("u"))
    by_position = pa.types.is_integer(arrow.schema.field("sid").type)
    if by_position:
        sid_code = np.asarray(arrow.column("sid").combine_chunks(), dtype=np.int64)
        sessions = session_ids
    else:
        sid_code, sessions = _encode(arrow.column("sid"))

    def ints(name: str) -> np.ndarray:
        return np.asarray(arrow.column(name).combine_chunks().fill_null(0), dtype=np.int64)

    t, smask, xmask, seq = ints("t"), ints("smask"), ints("xmask"), ints("seq")
    if breakdown:
        bd_code, values = _breakdown_codes(arrow.column("bd"))
    else:
        bd_code, values = np.full(len(t), -1, dtype=np.int64), np.array([], dtype=object)
    return sorted_rows(
        unit_code, units, sid_code, sessions, t, smask, xmask, seq, bd_code, values,
        by_position=by_position,
    )


def sorted_rows(
    unit_code: np.ndarray,
    units: Any,
    sid_code: np.ndarray,
    sessions: Any,
    t: np.ndarray,
    smask: np.ndarray,
    xmask: np.ndarray,
    seq: np.ndarray | None,
    bd_code: np.ndarray,
    values: np.ndarray,
    *,
    by_position: bool,
) -> Rows:
    """:class:`Rows` from the funnel rows in any order (int64 arrays): sorted by unit,
    time, lowest matched step, masks and breakdown value, same-instant twins dropped
    (see :func:`fetch_rows`). With ``by_position`` ``sid_code`` holds frame positions
    and ``seq`` is not needed (None)."""
    sbits = int(smask.max()).bit_length() if len(smask) else 0
    step_key = (_lowest_bit(smask) << sbits) | smask
    # Rows with equal keys are twins, and which twin is kept does not depend on
    # their order: the unstable sort (several times faster) is exact here.
    order = _sort_order([unit_code, t, step_key, xmask, bd_code + 1], stable=False)

    def sort(column: np.ndarray) -> np.ndarray:
        """The column in row order (a constant column as it is: nothing to move)."""
        if len(column) and column[0] == column[-1] and not (column != column[0]).any():
            return column
        return column[order]

    unit_code, sid_code, t, smask = unit_code[order], sid_code[order], t[order], smask[order]
    xmask, bd_code = sort(xmask), sort(bd_code)
    if not by_position:
        seq = seq[order]
    keep = _first_of_twins(
        unit_code, t, smask, xmask, bd_code, sid_code, seq, None if by_position else sessions
    )
    if keep is not None:
        unit_code, sid_code, t = unit_code[keep], sid_code[keep], t[keep]
        smask, xmask, bd_code = smask[keep], xmask[keep], bd_code[keep]
    return Rows(
        unit_code=unit_code,
        sid_code=sid_code,
        t=t,
        smask=smask,
        xmask=xmask,
        bd_code=bd_code,
        units=units,
        sessions=sessions,
        values=values,
    )


def _sort_order(columns: list[np.ndarray], *, stable: bool = True) -> np.ndarray:
    """Row order sorting by several integer columns (most significant first).

    Packs the columns into one int64 key when their value ranges fit in 62
    bits (one argsort: far faster than ``np.lexsort``), else uses lexsort.
    Columns whose values are all equal are skipped. ``stable=False`` lets rows
    with equal keys come in any order (numpy's SIMD quicksort: several times
    faster than the stable sort).
    """
    n = len(columns[0]) if columns else 0
    parts = []
    for col in columns:
        if n == 0:
            break
        low = int(col.min())
        span = int(col.max()) - low
        if span:
            parts.append((col - low, span.bit_length()))
    if not parts:
        return np.arange(n)
    if sum(b for _, b in parts) <= 62:
        key = np.zeros(n, dtype=np.int64)
        for col, bits in parts:
            key = (key << bits) | col.astype(np.int64)
        return np.argsort(key, kind="stable" if stable else "quicksort")
    return np.lexsort([c for c, _ in reversed(parts)])


def _first_of_twins(
    unit_code: np.ndarray,
    t: np.ndarray,
    smask: np.ndarray,
    xmask: np.ndarray,
    bd_code: np.ndarray,
    sid_code: np.ndarray,
    seq: np.ndarray,
    sessions: Any,
) -> np.ndarray | None:
    """Rows to keep so that identical events at one instant count once (None: all).

    Among twins the first by (session id, seq) is kept; with ``sessions=None``
    the session codes are row positions and the smallest position is kept.
    """
    if len(t) < 2:
        return None
    same = (
        (unit_code[1:] == unit_code[:-1])
        & (t[1:] == t[:-1])
        & (smask[1:] == smask[:-1])
        & (xmask[1:] == xmask[:-1])
        & (bd_code[1:] == bd_code[:-1])
    )
    if not same.any():
        return None
    keep = np.concatenate([[True], ~same])
    # Runs of twins: keep the first by (session id, seq), whatever the engine order.
    starts = np.flatnonzero(keep)
    ends = np.concatenate([starts[1:], [len(t)]])
    for a, b in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist()):
        if sessions is None:
            best = int(np.argmin(sid_code[a:b]))
        else:
            names = _take_labels(sessions, sid_code[a:b])
            best = min(range(b - a), key=lambda i: (names[i], seq[a + i]))
        keep[a] = False
        keep[a + best] = True
    return keep


def _lowest_bit(mask: np.ndarray) -> np.ndarray:
    """1-based index of the lowest set bit (0 where no bit is set)."""
    low = np.zeros(len(mask), dtype=np.int64)
    nz = mask != 0
    iso = mask[nz] & -mask[nz]
    low[nz] = np.log2(iso.astype(np.float64)).astype(np.int64) + 1
    return low


def _one_bit(mask: np.ndarray) -> np.ndarray:
    """Where exactly one bit is set."""
    return (mask != 0) & (mask & (mask - 1) == 0)


# ------------------------------------------------------------------------- scoring
@dataclass
class Scores:
    """Per-key results of the funnel (a key is a unit, or a unit and a value).

    ``reached`` is the furthest step (0: the unit is not in the funnel: no step-1
    event, or its furthest attempt was excluded). ``times[:, k-1]`` is the epoch
    ms at which the deciding attempt reached step k (for unordered funnels: the
    k-th earliest of the events kept when the furthest count was first reached);
    ``fills[:, k-1]`` the row (in :class:`Rows` order) of that event, -1 beyond
    ``reached``.
    """

    unit_code: np.ndarray
    value_code: np.ndarray
    reached: np.ndarray
    times: np.ndarray
    fills: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)


def _groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) row of each run of equal keys (keys sorted)."""
    if len(key) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    change = np.flatnonzero(np.diff(key)) + 1
    starts = np.concatenate([[0], change]).astype(np.int64)
    ends = np.concatenate([change, [len(key)]]).astype(np.int64)
    return starts, ends


def _first_per_group(mask: np.ndarray, group_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups having a True row, and the first such row of each (rows sorted by group)."""
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return rows, rows
    g = group_of[rows]
    first = np.concatenate([[True], g[1:] != g[:-1]])
    return g[first], rows[first]


def ordered_fast(
    t: np.ndarray, step: np.ndarray, starts: np.ndarray, ends: np.ndarray, n: int, window_ms: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised ordered funnel for rows matching exactly one step each.

    Parameters
    ----------
    t, step
        Row times (ms) and 1-based step of each row, sorted by (key, t, step).
    starts, ends
        Row ranges of each key.
    n, window_ms
        Number of steps and the conversion window.

    Returns
    -------
    reached, times, fills
        Per key: furthest step, (keys x n) step times and filling rows (-1/NA beyond).

    Examples
    --------
    >>> t = np.array([0, 10, 20, 100, 200])
    >>> step = np.array([1, 2, 1, 3, 2])
    >>> reached, times, fills = ordered_fast(t, step, np.array([0]), np.array([5]), 3, 150)
    >>> reached.tolist(), times[0].tolist()
    ([3], [0, 10, 100])
    """
    rows = len(t)
    nkeys = len(starts)
    group_of = np.repeat(np.arange(nkeys), ends - starts)
    gstart = starts[group_of] if rows else np.zeros(0, dtype=np.int64)
    idx = np.arange(rows)
    s_prev = np.where(step == 1, t, _NA)
    s_levels = [s_prev]
    level = np.where(step == 1, 1, 0)
    for j in range(2, n + 1):
        valid = s_prev != _NA
        last = np.maximum.accumulate(np.where(valid, idx, -1)) if rows else idx
        inside = last >= gstart
        m = np.where(inside, s_prev[np.where(inside, last, 0)], _NA)
        ok = (step == j) & inside & (t - np.where(inside, m, 0) <= window_ms)
        s_j = np.where(ok, m, _NA)
        level = np.where(ok, j, level)
        s_levels.append(s_j)
        s_prev = s_j
    reached = np.zeros(nkeys, dtype=np.int64)
    if rows:
        reached = np.maximum.reduceat(level, starts) if nkeys else reached
    times = np.full((nkeys, n), _NA, dtype=np.int64)
    fills = np.full((nkeys, n), -1, dtype=np.int64)
    if not rows:
        return reached, times, fills
    k_row = reached[group_of]
    # The deciding attempt: the first row reaching the unit's furthest step.
    keys_d, rows_d = _first_per_group((level == k_row) & (k_row > 0), group_of)
    start = np.full(nkeys, _NA, dtype=np.int64)
    for k in range(1, n + 1):
        at_k = k_row[rows_d] == k
        start[keys_d[at_k]] = s_levels[k - 1][rows_d[at_k]]
    start_row = start[group_of]
    for j in range(1, n + 1):
        mask = (step == j) & (s_levels[j - 1] == start_row) & (k_row >= j) & (start_row != _NA)
        keys_j, rows_j = _first_per_group(mask, group_of)
        times[keys_j, j - 1] = t[rows_j]
        fills[keys_j, j - 1] = rows_j
    return reached, times, fills


def _plan(smask: int, xmask: int, n: int) -> tuple[tuple[int, bool], ...]:
    """PostHog's processing order of one event: exclusions n..2, then steps n..1."""
    plan = [(s, True) for s in range(n, 1, -1) if xmask >> (s - 1) & 1]
    plan += [(s, False) for s in range(n, 0, -1) if smask >> (s - 1) & 1]
    return tuple(plan)


def ordered_machine(
    t: np.ndarray,
    smask: np.ndarray,
    xmask: np.ndarray,
    bd: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    n: int,
    window_ms: int,
    *,
    strict: bool = False,
    attr_step: int | None = None,
    key_values: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PostHog's ordered/strict funnel state machine, one unit (key) at a time.

    Per unit, ``entered[k]`` is the most recently started attempt that has reached
    step k: its start time, whether it is excluded, its step times and rows. Events
    are taken in time order, grouped by identical timestamp:

    * a group of one event, or of events matching the same steps, is applied event
      by event; each event runs its exclusion pairs (s = n..2) then its steps
      (k = n..1, so that one event never fills two steps of one attempt);
    * a group of different events is split into (event, step) pairs applied in
      step order, without exclusions or strict resets, and an event cannot fill
      two steps of the same attempt.

    A step-k event advances ``entered[k-1]`` if it is within the window of that
    attempt's start (inclusive) and that attempt has not already reached k. An
    exclusion event for pair s marks ``entered[s-1]`` excluded (and the unit's
    furthest attempt, if it sits at step s-1 and the event is inside its window).
    Strict funnels clear every ``entered[k]`` the event did not just fill. The
    unit's result is its furthest attempt; an excluded furthest attempt (not
    replaced by a clean one reaching the same step) removes the unit.

    Returns
    -------
    reached, times, fills
        As :func:`ordered_fast`.
    """
    nkeys = len(starts)
    reached = np.zeros(nkeys, dtype=np.int64)
    times = np.full((nkeys, n), _NA, dtype=np.int64)
    fills = np.full((nkeys, n), -1, dtype=np.int64)
    tl = t.tolist()
    sl = smask.tolist()
    xl = xmask.tolist()
    bl = bd.tolist()
    plans: dict[tuple[int, int], tuple[tuple[int, bool], ...]] = {}
    single: dict[int, tuple[int, ...]] = {}
    full = (1 << n) - 1
    for key in range(nkeys):
        i, end = int(starts[key]), int(ends[key])
        kv = key_values[key] if key_values is not None else None
        entered: list[Any] = [None] * (n + 1)
        max_idx = 0
        max_att: Any = None
        while i < end:
            ti = tl[i]
            j = i + 1
            while j < end and tl[j] == ti:
                j += 1
            entered[0] = (ti, False, (), ())
            same = all(sl[r] == sl[i] and xl[r] == xl[i] for r in range(i + 1, j))
            if same:
                work = [(r, False) for r in range(i, j)]
            else:
                pairs = []
                for r in range(i, j):
                    steps = single.get(sl[r])
                    if steps is None:
                        steps = single[sl[r]] = tuple(
                            s for s in range(1, n + 1) if sl[r] >> (s - 1) & 1
                        )
                    pairs.extend((s, r) for s in steps)
                pairs.sort(key=lambda p: p[0])
                work = [(p, True) for p in pairs]
            for item, multi in work:
                if multi:
                    s_only, r = item
                    plan: tuple[tuple[int, bool], ...] = ((s_only, False),)
                else:
                    r = item
                    pk = (sl[r], xl[r])
                    plan = plans.get(pk)  # type: ignore[assignment]
                    if plan is None:
                        plan = plans[pk] = _plan(sl[r], xl[r], n)
                tr = tl[r]
                for s, excl in plan:
                    prev = entered[s - 1]
                    if prev is None or tr - prev[0] > window_ms:
                        continue
                    cur = entered[s]
                    if cur is not None and cur[0] == prev[0]:
                        continue
                    if excl:
                        if not prev[1]:
                            entered[s - 1] = (prev[0], True, prev[2], prev[3])
                            if (
                                max_idx == s - 1
                                and max_att is not None
                                and tr - max_att[0] <= window_ms
                            ):
                                max_att = (max_att[0], True, max_att[2], max_att[3])
                        continue
                    if attr_step == s and bl[r] != kv:
                        continue
                    if multi and r in prev[3]:
                        continue
                    new = (prev[0], prev[1], prev[2] + (tr,), prev[3] + (r,))
                    if not prev[1]:
                        entered[s] = new
                    if s > max_idx or (s == max_idx and max_att[1]):
                        max_idx, max_att = s, new
                if strict and not multi:
                    keep = sl[r] & full
                    for s in range(1, n + 1):
                        if not keep >> (s - 1) & 1:
                            entered[s] = None
            if entered[n] is not None:
                break
            i = j
        if max_att is None or max_att[1]:
            continue
        reached[key] = max_idx
        times[key, :max_idx] = max_att[2]
        fills[key, :max_idx] = max_att[3]
    return reached, times, fills


def unordered_machine(
    t: np.ndarray,
    smask: np.ndarray,
    xmask: np.ndarray,
    bd: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    n: int,
    window_ms: int,
    *,
    attr_first: bool = False,
    key_values: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unordered funnel: most distinct steps done inside one sliding window.

    Per unit, each step keeps a queue of its events inside the window. An event
    first drops the oldest kept events while the oldest is more than the window
    before it; an exclusion event then clears every queue (progress recorded so
    far is kept); a step event joins the queue of the step it matches whose
    latest kept event is oldest (an event fills one step only). The unit's count
    is the largest number of non-empty queues ever seen; its times are the
    kept events of that first moment, in time order. With ``attr_first`` (the
    ``step:1`` attribution) the first event kept into empty queues must carry
    the key's breakdown value.

    Returns
    -------
    reached, times, fills
        As :func:`ordered_fast` (times sorted ascending).
    """
    nkeys = len(starts)
    reached = np.zeros(nkeys, dtype=np.int64)
    times = np.full((nkeys, n), _NA, dtype=np.int64)
    fills = np.full((nkeys, n), -1, dtype=np.int64)
    tl = t.tolist()
    sl = smask.tolist()
    xl = xmask.tolist()
    bl = bd.tolist()
    step_lists: dict[int, tuple[int, ...]] = {}
    for key in range(nkeys):
        kv = key_values[key] if key_values is not None else None
        queues: list[deque[int]] = [deque() for _ in range(n)]
        num = 0
        best = 0
        best_rows: list[int] = []
        for r in range(int(starts[key]), int(ends[key])):
            tr = tl[r]
            while num:
                oldest, oldest_t = -1, 0
                for s in range(n):
                    if queues[s]:
                        ft = tl[queues[s][0]]
                        if oldest < 0 or ft < oldest_t:
                            oldest, oldest_t = s, ft
                if oldest_t + window_ms >= tr:
                    break
                queues[oldest].popleft()
                if not queues[oldest]:
                    num -= 1
            if sl[r] == 0:
                if xl[r]:
                    queues = [deque() for _ in range(n)]
                    num = 0
                continue
            steps = step_lists.get(sl[r])
            if steps is None:
                steps = step_lists[sl[r]] = tuple(s for s in range(n) if sl[r] >> s & 1)
            chosen, chosen_t = steps[0], None
            for s in steps:
                back = tl[queues[s][-1]] if queues[s] else None
                if back is None:
                    chosen, chosen_t = s, None
                    break
                if chosen_t is None or back < chosen_t:
                    chosen, chosen_t = s, back
            if attr_first and num == 0 and bl[r] != kv:
                continue
            if not queues[chosen]:
                num += 1
            queues[chosen].append(r)
            if num > best:
                best = num
                best_rows = sorted((q[0] for q in queues if q), key=lambda x: (tl[x], x))
                if best == n:
                    break
        reached[key] = best
        if best:
            times[key, :best] = [tl[x] for x in best_rows]
            fills[key, :best] = best_rows
    return reached, times, fills


def _expand_by_value(
    rows: Rows, spec: FunnelSpec
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row selection and keys for attributions that run once per breakdown value.

    Returns ``take`` (row indices, possibly repeated), ``key`` per taken row,
    and per key its unit code and value code.
    """
    attr = spec.attribution
    none_code = len(rows.values)  # "(none)" gets the code after the real values
    bd = np.where(rows.bd_code < 0, none_code, rows.bd_code)
    if attr == "all_events":
        pair = rows.unit_code * (none_code + 1) + bd
        key, uniq = pd.factorize(pair, sort=True)
        take = np.arange(len(rows))
        order = np.argsort(key, kind="stable")
        return take[order], key[order], uniq // (none_code + 1), uniq % (none_code + 1)
    step = spec.attr_step or 1
    if spec.order == "unordered":
        carriers = rows.smask != 0
    else:
        carriers = (rows.smask >> (step - 1) & 1) == 1
    pairs = pd.DataFrame({"u": rows.unit_code[carriers], "v": bd[carriers]}).drop_duplicates()
    all_units = np.unique(rows.unit_code)
    missing = np.setdiff1d(all_units, pairs["u"].to_numpy())
    pairs = pd.concat(
        [pairs, pd.DataFrame({"u": missing, "v": np.full(len(missing), none_code)})],
        ignore_index=True,
    ).sort_values(["u", "v"], kind="stable").reset_index(drop=True)
    starts_u, ends_u = _groups(rows.unit_code)
    pair_u = pairs["u"].to_numpy()
    # Unit codes are dense and sorted, so unit u's rows are starts_u[u]:ends_u[u].
    first = starts_u[pair_u]
    lengths = (ends_u - starts_u)[pair_u]
    total = int(lengths.sum())
    shift = first - np.concatenate([[0], np.cumsum(lengths)[:-1]])
    take = np.arange(total, dtype=np.int64) + np.repeat(shift, lengths)
    key = np.repeat(np.arange(len(pairs), dtype=np.int64), lengths)
    return take, key, pairs["u"].to_numpy(), pairs["v"].to_numpy()


def score(rows: Rows, spec: FunnelSpec) -> Scores:
    """Score every unit (or unit and breakdown value) of the fetched rows.

    ``value_code`` indexes ``rows.values``; ``len(rows.values)`` stands for
    :data:`NONE_LABEL`. With ``first_touch`` / ``last_touch`` it is the value
    attributed to the unit; without a breakdown it is -1.
    """
    n = spec.n
    none_code = len(rows.values)
    per_value = spec.breakdown is not None and (
        spec.attribution == "all_events" or spec.attr_step is not None
    )
    if per_value:
        take, key, key_unit, key_value = _expand_by_value(rows, spec)
        t, smask, xmask, bd_code = rows.t[take], rows.smask[take], rows.xmask[take], rows.bd_code[take]
    else:
        # Unit codes are dense (0..units-1) and every unit has rows; the rows are
        # scored as they are (read only: no copies).
        take = np.arange(len(rows))
        key = rows.unit_code
        key_unit = np.arange(rows.n_units)
        key_value = np.full(len(key_unit), -1)
        t, smask, xmask, bd_code = rows.t, rows.smask, rows.xmask, rows.bd_code
    bd = np.where(bd_code < 0, none_code, bd_code)
    starts, ends = _groups(key)
    attr_step = spec.attr_step
    fast_ok = (
        spec.order == "ordered"
        and not np.any(xmask)
        and bool(np.all(_one_bit(smask)))  # one step per row
    )
    if attr_step is not None and fast_ok:
        # A step:N row with another value cannot fill step N, and it fills nothing
        # else (one step per row here), so dropping it is exact.
        wrong = ((smask >> (attr_step - 1) & 1) == 1) & (bd != key_value[key])
        keep = ~wrong
        take, key, t, smask, bd = take[keep], key[keep], t[keep], smask[keep], bd[keep]
        starts, ends = _groups_full(key, len(key_unit))
    if fast_ok:
        step = _lowest_bit(smask)
        reached, times, fills = ordered_fast(t, step, starts, ends, n, spec.window_ms)
        method = "ordered_fast"
    elif spec.order == "unordered":
        reached, times, fills = unordered_machine(
            t, smask, xmask, bd, starts, ends, n, spec.window_ms,
            attr_first=attr_step is not None, key_values=key_value,
        )
        method = "unordered_machine"
    else:
        reached, times, fills = ordered_machine(
            t, smask, xmask, bd, starts, ends, n, spec.window_ms,
            strict=spec.order == "strict", attr_step=attr_step, key_values=key_value,
        )
        method = "ordered_machine"
    if per_value:  # fills index the taken rows: map them back to rows of `rows`
        fills = np.where(fills >= 0, take[np.maximum(fills, 0)] if len(take) else -1, -1)
    if spec.breakdown is not None and not per_value:
        key_value = _touch_values(rows, spec, key_unit, reached, fills, none_code)
    return Scores(
        unit_code=key_unit,
        value_code=key_value,
        reached=reached,
        times=times,
        fills=fills,
        extra={"method": method},
    )


def _groups_full(key: np.ndarray, nkeys: int) -> tuple[np.ndarray, np.ndarray]:
    """Start/end per key 0..nkeys-1 (empty ranges for keys without rows)."""
    counts = np.bincount(key, minlength=nkeys)
    ends = np.cumsum(counts)
    return ends - counts, ends


def _touch_values(
    rows: Rows,
    spec: FunnelSpec,
    key_unit: np.ndarray,
    reached: np.ndarray,
    fills: np.ndarray,
    none_code: int,
) -> np.ndarray:
    """first_touch: value of the unit's first step-1 event (first funnel event if
    it has none); last_touch: value of the event that filled its furthest step."""
    bd = np.where(rows.bd_code < 0, none_code, rows.bd_code)
    out = np.full(len(key_unit), none_code, dtype=np.int64)
    if spec.attribution == "last_touch":
        has = reached > 0
        last = fills[np.arange(len(key_unit)), np.maximum(reached - 1, 0)]
        out[has] = bd[last[has]]
        return out
    starts, _ = _groups(rows.unit_code)
    first_any = bd[starts] if len(starts) else out
    out[:] = first_any
    is1 = (rows.smask & 1) == 1
    units1, first1 = np.unique(rows.unit_code[is1], return_index=True)
    pos = np.searchsorted(key_unit, units1)
    out[pos] = bd[np.flatnonzero(is1)[first1]]
    return out


def default_rows_frame(rows: Rows) -> pd.DataFrame:
    """The fetched rows as a small DataFrame (for debugging and tests)."""
    return pd.DataFrame(
        {
            "unit": rows.unit_labels(rows.unit_code),
            "session_id": rows.session_labels(rows.sid_code),
            "t": rows.t,
            "smask": rows.smask,
            "xmask": rows.xmask,
        }
    )


def mapping_items(value: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    """Normalise a ``{column: value}`` filter into a hashable, ordered tuple."""
    out = []
    for column, wanted in (value or {}).items():
        if isinstance(wanted, (list, tuple, set, frozenset)):
            wanted = tuple(sorted(wanted, key=str)) if isinstance(wanted, (set, frozenset)) else tuple(wanted)
        out.append((str(column), wanted))
    return tuple(out)


def distinct_values(table: Any, column: str, backend: Any = None) -> list[Any]:
    """Distinct non-null values of one column (few: used to resolve patterns)."""
    arrow = _run_arrow(table.select(column).distinct(), backend)
    return [v for v in arrow.column(0).to_pylist() if v is not None]


def resolve_patterns(values: Sequence[str], pattern: str, kind: str) -> tuple[str, ...]:
    """Values matching a URL pattern (``kind="url"``) or a target selector."""
    from ..events import url_pattern

    if kind == "url":
        compiled = url_pattern(pattern)
        return tuple(sorted(v for v in values if compiled.search(str(v))))
    return tuple(sorted(v for v in values if selector_matches(pattern, str(v))))
