"""The engine layer's adapter: turn events into an Ibis table and run expressions.

Aggregates in :mod:`uxlens.engine` are written once as Ibis expressions over the
canonical events table. They run on embedded DuckDB by default (no server,
nothing to start), or on any Ibis backend the user passes to :func:`connect`
(PySpark, BigQuery, Snowflake, ClickHouse, Postgres...).

Engine tables carry one derived column beside the canonical ones: ``t_ms``,
the event time as integer epoch milliseconds. Interval arithmetic differs
between SQL dialects; integer milliseconds do not, so every expression
measures time with ``t_ms``.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from ..events import require_instants
from ..exceptions import EngineError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

__all__ = [
    "connect", "get_backend", "as_table", "execute", "execute_arrow", "to_arrow", "engine_error",
    "EPOCH",
]

_state: dict[str, Any] = {"backend": None}
_names = itertools.count()
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


def connect(backend: Any = None, **kwargs: Any) -> BaseBackend:
    """Choose the engine uxlens runs aggregates on, and return it.

    Parameters
    ----------
    backend
        ``None`` for a fresh embedded DuckDB, an Ibis backend object
        (``ibis.pyspark.connect(spark)``, ``ibis.bigquery.connect(...)``), a
        ``pyspark.sql.SparkSession``, or a connection URL understood by
        ``ibis.connect`` (``"duckdb://events.ddb"``, ``"postgres://..."``).
    **kwargs
        Passed to ``ibis.connect`` when ``backend`` is a URL.

    Examples
    --------
    >>> import uxlens as ux
    >>> con = ux.connect()          # embedded DuckDB, the default
    >>> con.name
    'duckdb'
    """
    import ibis

    if backend is None:
        con = ibis.duckdb.connect()
        # DuckDB's allocator keeps a finished query's memory until its next allocation;
        # background threads hand it back to the system within about a second (10M
        # events: ~0.5 GiB after a session summary), as DuckDB's docs advise.
        con.raw_sql("SET allocator_background_threads = true")
    elif isinstance(backend, str):
        try:
            con = ibis.connect(backend, **kwargs)
        except Exception as exc:
            raise EngineError(
                f"Could not connect to {backend!r}: {exc}.\nExpected an Ibis URL such "
                "as 'duckdb://path.ddb' or 'postgres://user@host/db'."
            ) from exc
    elif type(backend).__name__ == "SparkSession":
        con = ibis.pyspark.connect(backend)
    elif hasattr(backend, "execute") and hasattr(backend, "name"):
        con = backend
    else:
        raise EngineError(
            f"connect() expected None, a URL string, an Ibis backend or a SparkSession; "
            f"got {type(backend).__name__}."
        )
    _state["backend"] = con
    return con


def get_backend(backend: Any = None) -> BaseBackend:
    """The backend to use: the one given, else the one set by :func:`connect`.

    Examples
    --------
    >>> from uxlens.engine.backend import get_backend
    >>> get_backend().name  # embedded DuckDB unless ux.connect() chose another engine
    'duckdb'
    >>> get_backend() is get_backend()
    True
    """
    if backend is not None:
        if hasattr(backend, "execute") and hasattr(backend, "name"):
            return backend
        return connect(backend)
    if _state["backend"] is None:
        connect()
    return _state["backend"]


def to_arrow(events: pd.DataFrame) -> pa.Table:
    """Canonical events as an Arrow table with ``t_ms`` added.

    Categorical columns become dictionary-encoded Arrow columns, which DuckDB
    reads without copying strings; nullable pandas dtypes become Arrow nulls.

    Examples
    --------
    >>> import uxlens as ux
    >>> from uxlens.engine.backend import to_arrow
    >>> table = to_arrow(ux.demo().events)
    >>> table.num_rows, str(table.schema.field("t_ms").type)
    (62501, 'int64')
    >>> str(table.schema.field("event").type).startswith("dictionary")
    True
    """
    if "timestamp" not in events.columns:
        raise SchemaError("Expected a 'timestamp' column to build the engine table.")
    ts = events["timestamp"]
    require_instants(ts)
    frame = events.copy(deep=False)
    ns = ts.astype("datetime64[ns, UTC]")
    t_ms = pd.Series(ns.astype("int64") // 1_000_000, index=ns.index).astype("Int64")
    frame["t_ms"] = t_ms.mask(ns.isna())  # a missing time stays missing, not -9e15
    return pa.Table.from_pandas(frame, preserve_index=False)


def as_table(events: Any, backend: Any = None) -> ir.Table:
    """An Ibis table over events, with ``t_ms``, on the chosen backend.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog`, a canonical pandas DataFrame, a pyarrow
        Table or an Ibis table (used as it is; ``t_ms`` is derived if missing).
    backend
        Backend for in-memory data; defaults to :func:`get_backend`.

    Examples
    --------
    >>> import uxlens as ux
    >>> from uxlens.engine.backend import as_table, execute
    >>> t = as_table(ux.demo())
    >>> "t_ms" in t.columns
    True
    >>> int(execute(t.filter(t.event == "invite_sent").agg(n=t.session_id.nunique()))["n"].iloc[0])
    85
    """
    import ibis
    import ibis.expr.types as ir

    if isinstance(events, ir.Table):
        if "t_ms" in events.columns:
            return events
        # The epoch literal carries the column's time zone: mixing zoned and naive
        # timestamps does not compile on some dialects (BigQuery).
        zone = getattr(events.timestamp.type(), "timezone", None)
        epoch = ibis.timestamp("1970-01-01 00:00:00", timezone=zone)
        return events.mutate(t_ms=events.timestamp.delta(epoch, unit="millisecond"))
    frame = getattr(events, "events", events)
    if callable(getattr(events, "arrow", None)) and isinstance(frame, pd.DataFrame):
        arrow = events.arrow()  # an EventLog caches its Arrow copy
    elif isinstance(frame, pd.DataFrame):
        arrow = to_arrow(frame)
    elif isinstance(frame, pa.Table):
        arrow = frame if "t_ms" in frame.column_names else to_arrow(frame.to_pandas())
    else:
        raise EngineError(
            "Expected an EventLog, a pandas DataFrame, a pyarrow Table or an Ibis "
            f"table of events; got {type(events).__name__}."
        )
    con = get_backend(backend)
    if con.name == "duckdb":
        return ibis.memtable(arrow)
    name = f"uxlens_events_{next(_names)}"
    if con.name == "pyspark":
        # create_table(temp=True) raises NotImplementedError on PySpark, and
        # temp=False writes a managed Parquet table to disk: register a
        # temporary view over the in-memory data instead.
        return con.create_view(name, ibis.memtable(arrow), overwrite=True)
    try:
        return con.create_table(name, arrow.to_pandas(), temp=True)
    except TypeError:
        return con.create_table(name, arrow.to_pandas())


def _backend_of(expr: ir.Expr, backend: Any = None) -> BaseBackend:
    """Where an expression runs: its own backend, else the given/default one."""
    try:
        return expr._find_backend(use_default=False)
    except Exception:  # memtable-only expressions have no backend
        return get_backend(backend)


def execute(expr: ir.Expr, backend: Any = None) -> pd.DataFrame:
    """Run an Ibis expression and return a pandas DataFrame.

    Tables built by :func:`as_table` from in-memory data run on the default
    backend; tables that came from a backend run there.

    Examples
    --------
    >>> import uxlens as ux
    >>> from uxlens.engine.backend import as_table, execute
    >>> t = as_table(ux.demo())
    >>> steps = t.filter(t.event.isin(["signup_done", "invite_sent"]))
    >>> execute(steps.group_by("event").agg(sessions=steps.session_id.nunique()).order_by("event"))
             event  sessions
    0  invite_sent        85
    1  signup_done       143
    """
    con = _backend_of(expr, backend)
    try:
        return con.execute(expr)
    except Exception as exc:
        raise engine_error(con, exc) from exc


def execute_arrow(expr: ir.Expr, backend: Any = None) -> pa.Table:
    """Run an Ibis expression and fetch the result as Arrow.

    Faster than :func:`execute` for large results: Ibis's pandas conversion
    turns every column holding a null into Python objects.

    Examples
    --------
    >>> import uxlens as ux
    >>> from uxlens.engine.backend import as_table, execute_arrow
    >>> t = as_table(ux.demo())
    >>> result = execute_arrow(t.filter(t.event == "invite_sent").select("session_id"))
    >>> type(result).__name__, result.num_rows
    ('Table', 85)
    """
    con = _backend_of(expr, backend)
    try:
        return con.to_pyarrow(expr)
    except Exception as exc:
        raise engine_error(con, exc) from exc


def small_table(frame: pd.DataFrame, like: Any) -> ir.Table:
    """A small in-memory table on the same backend as the table ``like`` (for joins).

    Examples
    --------
    >>> import ibis, pandas as pd
    >>> t = ibis.memtable(pd.DataFrame({"k": [1, 2]}))
    >>> lut = small_table(pd.DataFrame({"k": [2], "v": ["two"]}), like=t)
    >>> execute(t.join(lut, "k"))["v"].tolist()
    ['two']
    """
    import ibis

    try:
        con = like._find_backend(use_default=False)
    except Exception:
        con = None
    if con is None or con.name == "duckdb":
        return ibis.memtable(frame)
    name = f"uxlens_small_{next(_names)}"
    if con.name == "pyspark":
        # As in as_table: PySpark has no temporary tables, but views.
        return con.create_view(name, ibis.memtable(frame), overwrite=True)
    try:
        return con.create_table(name, frame, temp=True, overwrite=True)
    except TypeError:
        return con.create_table(name, frame, overwrite=True)



def engine_error(con: Any, exc: Exception, what: str = "a uxlens query") -> EngineError:
    """The :class:`EngineError` for ``exc`` raised by backend ``con`` while running ``what``.

    When the backend lacks an operation (Ibis cannot compile it there), the
    message names the operation and the backend, and says where to run instead.

    Examples
    --------
    >>> from ibis.common.exceptions import OperationNotDefinedError
    >>> class Con:
    ...     name = "sqlite"
    >>> err = OperationNotDefinedError("Compilation rule for 'Median' operation is not defined")
    >>> print(engine_error(Con(), err, "the journey transitions"))  # doctest: +ELLIPSIS
    The sqlite backend lacks the operation 'Median', used by the journey transitions...
    """
    from ibis.common.exceptions import OperationNotDefinedError, UnsupportedOperationError

    name = getattr(con, "name", type(con).__name__)
    if isinstance(exc, (OperationNotDefinedError, UnsupportedOperationError)):
        found = re.search(r"'(\w+)'", str(exc))
        op = found.group(1) if found else type(exc).__name__
        return EngineError(
            f"The {name} backend lacks the operation {op!r}, used by {what} "
            f"(Ibis: {exc}).\nFix: run it on embedded DuckDB (backend=None, the default) or "
            "PySpark, or on a warehouse that has the operation (uxlens.to_sql shows the SQL)."
        )
    return EngineError(f"The {name} engine failed to run {what}: {type(exc).__name__}: {exc}")
