"""The session summary: one row per session, written once as an Ibis expression.

:func:`session_summary_expr` builds the expression over an engine table (see
:func:`uxlens.engine.backend.as_table`); :func:`session_summary` runs it on
embedded DuckDB, PySpark or any Ibis backend and returns a typed pandas
DataFrame. ``EventLog.sessions()`` is built on it.

Columns and their definitions
-----------------------------
session_id, user_id
    ``user_id`` is the first non-anonymous user id of the session in event
    order (readers fill unknown users with the session id, which counts as
    anonymous), else the session id.
start, end
    First and last event time (UTC).
duration_s
    ``end - start`` in seconds (from ``t_ms``, so whole milliseconds).
active_s
    PostHog's definition (``rrweb-format.md`` section 10): take the session's
    *active* events in time order; every gap between two consecutive active
    events that is **strictly shorter** than the inactivity threshold
    (default 5 s) is active time, a gap equal to or longer than it is not.
    ``active_s`` is the sum of those gaps, so a session with one active event
    has ``active_s == 0``. Active events are all events except the passive
    ones in :data:`PASSIVE_EVENTS` (``console``, ``network``, ``error``,
    ``mutation``, ``selection``: things the page or the browser did, mirroring
    PostHog's active rrweb sources 1-7 and 12). Pageviews and custom events
    count as activity, so analytics tables without mouse events still get an
    active time.
events
    Number of rows of the session.
pageviews
    Events named ``pageview`` or ``$pageview``.
clicks
    Events named ``click``, ``dblclick`` or ``touch``.
inputs
    Events named ``input`` (key presses and field edits).
scroll_depth
    Max over the session of ``(scroll_y + viewport_h) / page_h``, clipped to
    ``[0, 1]``, over rows where all three are known and ``page_h > 0``; NaN when
    no row qualifies (e.g. page height unknown).
max_scroll_y
    Max ``scroll_y`` (px) of the session; NaN when unknown.
device
    The session's most common non-null ``device``; ties go to the device seen
    first. Null when the session has no device.
entry_url, exit_url
    ``url`` of the first and of the last event that has a url; null when no
    event has one.
pages
    Number of distinct urls.
errors
    ``error`` events + ``console`` events with ``level == "error"`` +
    ``network`` events with ``status >= 400`` or ``status == 0`` (a request
    that failed without a response). Network rows with an unknown status do
    not count.
source, is_returning, version (and any other name in ``properties``)
    Session-level properties, carried when the column exists: the first
    non-null value in event order.

Event order is ``seq``, the position in the session that
``uxlens.events.validate`` assigns after a stable sort by time, so "first" and
"last" are exact even for same-millisecond events. A table without ``seq`` gets
one from ``ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY t_ms)`` (ties then
fall in an engine-chosen order). Active time only needs the sorted times, which
ties do not change, so its window orders by ``t_ms`` alone.
Only portable constructs are used (filters, ``GROUP BY`` with
``MIN``/``MAX``/``COUNT``/``SUM``, ``LAG`` and ``ROW_NUMBER`` windows, left
joins on ``session_id``, arg-min/arg-max), so the same expression runs on
DuckDB, PySpark and the SQL warehouses Ibis compiles to.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..exceptions import SchemaError, UxlensError, did_you_mean
from .backend import _backend_of, as_table, execute_arrow

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

__all__ = [
    "PASSIVE_EVENTS",
    "PAGEVIEW_EVENTS",
    "CLICK_EVENTS",
    "INPUT_EVENTS",
    "SESSION_PROPERTIES",
    "SUMMARY_COLUMNS",
    "session_summary_expr",
    "session_summary",
]

#: Events that are not user activity (excluded from active time).
PASSIVE_EVENTS: tuple[str, ...] = ("console", "network", "error", "mutation", "selection")
#: Events counted as pageviews.
PAGEVIEW_EVENTS: tuple[str, ...] = ("pageview", "$pageview")
#: Events counted as clicks.
CLICK_EVENTS: tuple[str, ...] = ("click", "dblclick", "touch")
#: Events counted as inputs.
INPUT_EVENTS: tuple[str, ...] = ("input",)
#: Session-level properties carried into the summary when the column exists.
SESSION_PROPERTIES: tuple[str, ...] = ("source", "is_returning", "version")
#: The summary's columns, in order (session properties follow).
SUMMARY_COLUMNS: tuple[str, ...] = (
    "session_id",
    "user_id",
    "start",
    "end",
    "duration_s",
    "active_s",
    "events",
    "pageviews",
    "clicks",
    "inputs",
    "scroll_depth",
    "max_scroll_y",
    "device",
    "entry_url",
    "exit_url",
    "pages",
    "errors",
)
_COUNT_COLUMNS = ("events", "pageviews", "clicks", "inputs", "pages", "errors")
_FLOAT_COLUMNS = ("duration_s", "active_s", "scroll_depth", "max_scroll_y")
_REQUIRED = ("session_id", "user_id", "event", "timestamp", "t_ms")
_OPTIONAL_TYPES = {
    "url": "string",
    "device": "string",
    "level": "string",
    "status": "int32",
    "scroll_y": "float64",
    "viewport_h": "int32",
    "page_h": "int32",
}


def _inactivity_ms(value: Any) -> int:
    """The inactivity threshold in whole milliseconds (numbers are seconds)."""
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, numbers.Real):
            ms = float(value) * 1000.0
        elif isinstance(value, (str, dt.timedelta, np.timedelta64)):
            ms = pd.Timedelta(value).total_seconds() * 1000.0
        else:
            raise TypeError
    except (TypeError, ValueError):
        raise UxlensError(
            f"inactivity must be a duration such as '5s', '500ms', '1min', a "
            f"pandas/datetime timedelta or a number of seconds; got {value!r}."
        ) from None
    if not np.isfinite(ms) or ms <= 0:
        raise UxlensError(
            f"inactivity must be a positive duration (e.g. '5s'); got {value!r}."
        )
    return int(round(ms))


def _check_columns(columns: Iterable[str], required: Iterable[str] = _REQUIRED) -> None:
    columns = [str(c) for c in columns]
    missing = [c for c in required if c not in columns]
    if missing:
        hints = "".join(f"\n  - {c!r} is missing.{did_you_mean(c, columns)}" for c in missing)
        raise SchemaError(
            "session_summary needs a canonical events table:"
            f"{hints}\nFound columns: {columns}.\n"
            "Fix: load events with a uxlens reader (or uxlens.events.validate) and build "
            "the table with uxlens.engine.backend.as_table, which adds t_ms."
        )


def _with_defaults(table: ir.Table) -> ir.Table:
    """Add typed null columns for missing optional columns, ids as text, and ``seq`` if absent."""
    import ibis

    extra = {
        name: ibis.null(dtype) if name not in table.columns else table[name].cast(dtype)
        for name, dtype in _OPTIONAL_TYPES.items()
        # All-null columns arrive with the null type (e.g. an empty categorical).
        if name not in table.columns or table[name].type().is_null()
    }
    for name in ("session_id", "user_id"):  # ids are text (numbers from a raw frame too)
        if name in table.columns and not table[name].type().is_string():
            extra[name] = table[name].cast("string")
    if "seq" not in table.columns:
        window = ibis.window(group_by=table.session_id, order_by=table.t_ms)
        extra["seq"] = ibis.row_number().over(window).cast("int64")
    return table.mutate(**extra) if extra else table


def _arg(
    value: ir.Column, order: ir.Column, where: ir.BooleanColumn, *, last: bool, native: bool
) -> ir.Scalar:
    """``value`` at the smallest (largest if ``last``) ``order`` among rows where ``where``.

    Portable: Ibis's arg-min/arg-max (on DuckDB it compiles to
    ``FIRST(value ORDER BY order)``, an ordered aggregate that buffers and
    sorts every group's rows). ``native``: DuckDB's own ``ARG_MIN``/``ARG_MAX``,
    which keep one value per group while streaming; the same result when
    ``order`` has no ties within a group (``seq`` has none).
    """
    if not native:
        return value.argmax(order, where=where) if last else value.argmin(order, where=where)
    import ibis

    name = "arg_max" if last else "arg_min"

    def stub(arg: Any, val: Any) -> Any:  # pragma: no cover - never called (builtin)
        ...

    stub.__name__ = name
    fn = ibis.udf.agg.builtin(
        stub, name=name, signature=((value.type(), order.type()), value.type())
    )
    return fn(value, order, where=where)


def _first(
    value: ir.Column, order: ir.Column, *, last: bool = False, native: bool = False
) -> ir.Scalar:
    """First (or last) non-null ``value`` in ``order``; null if there is none."""
    return _arg(value, order, value.notnull(), last=last, native=native)


def session_summary_expr(
    table: ir.Table,
    *,
    inactivity_ms: int = 5000,
    passive_events: Iterable[str] = PASSIVE_EVENTS,
    properties: Iterable[str] = SESSION_PROPERTIES,
    duckdb_native: bool = False,
) -> ir.Table:
    """The session summary as an Ibis expression (one row per session).

    Parameters
    ----------
    table
        An engine table of canonical events with ``t_ms`` (from
        :func:`uxlens.engine.backend.as_table`).
    inactivity_ms
        Gaps between consecutive active events shorter than this many
        milliseconds count as active time.
    passive_events
        Event names that are not user activity.
    properties
        Session-level property columns to carry (first non-null value) when
        they exist in ``table``.
    duckdb_native
        Use DuckDB's native ``ARG_MIN``/``ARG_MAX`` for the first/last values
        (user id, entry and exit url, properties): same results, constant
        memory per session, so the summary streams over data larger than
        memory. Only for expressions run on DuckDB (:func:`session_summary`
        sets it there); leave it off for SQL compiled to other warehouses.

    Returns
    -------
    ibis.expr.types.Table
        The columns of :data:`SUMMARY_COLUMNS` and the properties found, not
        ordered (order it yourself; :func:`session_summary` sorts by start).
        See the module docstring for the definitions.

    Examples
    --------
    >>> import pandas as pd
    >>> from uxlens.events import validate
    >>> from uxlens.engine.backend import as_table, execute
    >>> raw = pd.DataFrame({
    ...     "session_id": ["s1"] * 3, "user_id": ["u1"] * 3,
    ...     "timestamp": pd.to_datetime([0, 3000, 20000], unit="ms", utc=True),
    ...     "event": ["pageview", "click", "click"]})
    >>> expr = session_summary_expr(as_table(validate(raw).events))
    >>> row = execute(expr).iloc[0]
    >>> float(row["duration_s"]), float(row["active_s"]), int(row["clicks"])
    (20.0, 3.0, 2)
    """
    import ibis

    if not isinstance(inactivity_ms, numbers.Integral) or inactivity_ms <= 0:
        raise UxlensError(
            f"inactivity_ms must be a positive integer number of milliseconds; "
            f"got {inactivity_ms!r}."
        )
    _check_columns(table.columns)
    t = _with_defaults(table)
    passive = sorted(set(passive_events))
    props = [p for p in dict.fromkeys(properties) if p in t.columns]
    untyped = {p: t[p].cast("string") for p in props if t[p].type().is_null()}
    t = t.mutate(**untyped) if untyped else t
    clashes = [p for p in props if p in SUMMARY_COLUMNS]
    if clashes:
        raise UxlensError(
            f"properties {clashes} clash with summary columns; pass other names."
        )

    event = t.event
    # Conditions are made non-null so that SUM/COUNT never see NULL on any backend.
    is_error = (
        (event == "error")
        | ((event == "console") & (t.level == "error").fill_null(False))
        | ((event == "network") & ((t.status >= 400) | (t.status == 0)).fill_null(False))
    )
    depth = ibis.ifelse(
        t.page_h > 0, (t.scroll_y + t.viewport_h.cast("float64")) / t.page_h, ibis.null("float64")
    )
    # Readers fill unknown users with the session id: those rows are anonymous.
    identified = t.user_id.notnull() & (t.user_id != t.session_id)
    aggs: dict[str, Any] = {
        "user_known": _arg(t.user_id, t.seq, identified, last=False, native=duckdb_native),
        "start": t.timestamp.min(),
        "end": t.timestamp.max(),
        "start_ms": t.t_ms.min(),
        "end_ms": t.t_ms.max(),
        "events": t.count(),
        "pageviews": t.count(where=event.isin(PAGEVIEW_EVENTS)),
        "clicks": t.count(where=event.isin(CLICK_EVENTS)),
        "inputs": t.count(where=event.isin(INPUT_EVENTS)),
        "raw_depth": depth.max(),
        "max_scroll_y": t.scroll_y.max(),
        "entry_url": _first(t.url, t.seq, native=duckdb_native),
        "exit_url": _first(t.url, t.seq, last=True, native=duckdb_native),
        "pages": t.url.nunique(),
        "errors": t.count(where=is_error),
    }
    for prop in props:
        aggs[prop] = _first(t[prop], t.seq, native=duckdb_native)
    main = t.group_by("session_id").aggregate(**aggs)

    # Active time: LAG over the active events only, so passive rows in between
    # neither split nor extend a segment. Ties in t_ms give zero gaps whatever
    # their order, so ordering by t_ms alone is exact (and cheaper).
    act = t.filter(~event.isin(passive)).select("session_id", "t_ms")
    gap = act.t_ms - act.t_ms.lag().over(group_by=act.session_id, order_by=act.t_ms)
    act = act.mutate(gap=ibis.ifelse(gap < inactivity_ms, gap, 0))
    active = act.group_by("session_id").aggregate(active_ms=act.gap.sum())

    # Device: the most frequent, ties to the one seen first.
    dev = t.filter(t.device.notnull())
    dev = dev.group_by(["session_id", "device"]).aggregate(n=dev.count(), first_seq=dev.seq.min())
    rank = ibis.row_number().over(
        group_by=dev.session_id, order_by=[dev.n.desc(), dev.first_seq.asc()]
    )
    dev = dev.mutate(rank=rank).filter(lambda d: d.rank == 0).select("session_id", "device")

    joined = main.left_join(active, "session_id").left_join(dev, "session_id")
    raw_depth = joined.raw_depth
    scroll_depth = ibis.ifelse(
        raw_depth > 1.0, 1.0, ibis.ifelse(raw_depth < 0.0, 0.0, raw_depth)
    )
    return joined.select(
        session_id=joined.session_id,
        user_id=joined.user_known.fill_null(joined.session_id),
        start=joined.start,
        end=joined.end,
        duration_s=(joined.end_ms - joined.start_ms).cast("float64") / 1000.0,
        active_s=joined.active_ms.fill_null(0).cast("float64") / 1000.0,
        events=joined.events,
        pageviews=joined.pageviews,
        clicks=joined.clicks,
        inputs=joined.inputs,
        scroll_depth=scroll_depth,
        max_scroll_y=joined.max_scroll_y,
        device=joined.device,
        entry_url=joined.entry_url,
        exit_url=joined.exit_url,
        pages=joined.pages,
        errors=joined.errors,
        **{p: joined[p] for p in props},
    )


def session_summary(
    events: Any,
    *,
    backend: Any = None,
    inactivity: Any = "5s",
    passive_events: Iterable[str] = PASSIVE_EVENTS,
    properties: Iterable[str] = SESSION_PROPERTIES,
) -> pd.DataFrame:
    """One row per session: duration, active time, counts, scroll, device, URLs, errors.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog`, a canonical events DataFrame or an Ibis
        table (with or without ``t_ms``).
    backend
        Where to run: ``None`` for the default engine (embedded DuckDB unless
        :func:`uxlens.connect` chose another), or an Ibis backend such as
        ``ibis.pyspark.connect(spark)``. An Ibis table runs on its own backend.
    inactivity
        Inactivity threshold: gaps between consecutive active events strictly
        shorter than this are active time. A string (``"5s"``, ``"500ms"``),
        a timedelta, or a number of seconds.
    passive_events
        Event names that are not user activity (default :data:`PASSIVE_EVENTS`).
    properties
        Session-level columns to carry when present (default
        :data:`SESSION_PROPERTIES`).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`SUMMARY_COLUMNS` then the properties found,
        sorted by ``start`` then ``session_id``. ``start``/``end`` are
        ``datetime64[ns, UTC]``; counts are ``int64``; ``duration_s``,
        ``active_s``, ``scroll_depth`` and ``max_scroll_y`` are ``float64``
        (NaN when unknown); ids, device and URLs are strings. Definitions are
        in the module docstring (:mod:`uxlens.engine.sessions`).

    Raises
    ------
    SchemaError
        When the events lack a required column.
    UxlensError
        When ``inactivity`` is not a positive duration.

    Examples
    --------
    >>> import pandas as pd
    >>> from uxlens.events import validate
    >>> raw = pd.DataFrame({
    ...     "session_id": ["s1", "s1", "s1", "s1", "s2"],
    ...     "user_id": ["u1", "u1", "u1", "u1", None],
    ...     "timestamp": pd.to_datetime([0, 2000, 4000, 30000, 1000], unit="ms", utc=True),
    ...     "event": ["pageview", "click", "console", "click", "pageview"],
    ...     "url": ["https://a.com/", None, None, "https://a.com/b", "https://a.com/"],
    ...     "level": [None, None, "error", None, None]})
    >>> summary = session_summary(validate(raw).events)
    >>> summary[["session_id", "user_id", "duration_s", "active_s", "clicks", "errors"]]
      session_id user_id  duration_s  active_s  clicks  errors
    0         s1      u1        30.0       2.0       2       1
    1         s2      s2         0.0       0.0       0       0
    >>> first = summary.iloc[0]
    >>> first["entry_url"], first["exit_url"], int(first["pages"])
    ('https://a.com/', 'https://a.com/b', 2)
    """
    import ibis.expr.types as ir

    threshold = _inactivity_ms(inactivity)
    if not isinstance(events, ir.Table):
        frame = getattr(events, "events", events)
        if isinstance(frame, pd.DataFrame):
            _check_columns(frame.columns, _REQUIRED[:-1])
    table = as_table(events, backend)
    native = getattr(_backend_of(table, backend), "name", None) == "duckdb"
    expr = session_summary_expr(
        table, inactivity_ms=threshold, passive_events=passive_events, properties=properties,
        duckdb_native=native,
    )
    ordered = expr.order_by([expr.start, expr.session_id])
    return _to_pandas(execute_arrow(ordered, backend), expr.schema())


def _to_pandas(result: pa.Table, schema: Any) -> pd.DataFrame:
    """The summary as pandas with stable dtypes, whatever the backend returned.

    Types follow the Ibis schema of the expression, not the Arrow result, so
    an all-null column (Arrow ``null`` type) still comes back as strings,
    booleans or numbers.
    """
    columns = {}
    for name in schema.names:
        col = result.column(name)
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        dtype = schema[name]
        if name in ("start", "end"):
            values = col.cast(pa.timestamp("ns", tz="UTC")).to_pandas()
        elif name in _COUNT_COLUMNS:
            values = col.fill_null(0).cast(pa.int64()).to_pandas()
        elif name in _FLOAT_COLUMNS or dtype.is_floating():
            values = col.cast(pa.float64()).to_pandas()
        elif dtype.is_string():
            values = pd.Series(
                pd.arrays.ArrowStringArray(col.cast(pa.large_string())),
                dtype=pd.StringDtype("pyarrow"),
            )
        elif dtype.is_boolean():
            values = col.cast(pa.bool_()).to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
        elif dtype.is_integer():
            values = col.cast(pa.int64()).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        else:
            values = col.to_pandas()
        columns[name] = pd.Series(values).reset_index(drop=True)
    return pd.DataFrame(columns, index=pd.RangeIndex(result.num_rows))
