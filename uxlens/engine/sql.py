"""Engine expressions as SQL text, and events in Parquet files larger than memory.

:func:`to_sql` compiles any uxlens engine expression (session summary, funnel
rows, heatmap grid, friction detectors, journeys) to the SQL of a warehouse, so
the same aggregate can run where the events live. :func:`scan_parquet` opens a
directory of Parquet files through DuckDB with a memory limit and a spill
directory, so that those expressions stream over data larger than memory.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..exceptions import EngineError, MissingDependencyError, SchemaError, UxlensError, did_you_mean
from .backend import as_table

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

__all__ = ["DIALECTS", "REQUIRED_COLUMNS", "to_sql", "scan_parquet"]

#: SQL dialects :func:`to_sql` compiles to (Ibis compiler name -> sqlglot dialect).
DIALECTS: dict[str, str] = {
    "duckdb": "duckdb",
    "bigquery": "bigquery",
    "snowflake": "snowflake",
    "clickhouse": "clickhouse",
    "postgres": "postgres",
    "pyspark": "spark",
    "trino": "trino",
    "mysql": "mysql",
    "databricks": "databricks",
}
#: Columns every events Parquet dataset must have (after renaming).
REQUIRED_COLUMNS: tuple[str, ...] = ("session_id", "user_id", "timestamp", "event")
_NAIVE_TIMESTAMPS = ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATETIME")
_AWARE_TIMESTAMPS = ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")
_SPILL: list[str] = []


def to_sql(expr: ir.Expr, dialect: str = "duckdb", *, pretty: bool = True) -> str:
    """The SQL text of an engine expression in a warehouse dialect.

    Parameters
    ----------
    expr
        An Ibis expression, e.g. from
        :func:`uxlens.engine.sessions.session_summary_expr`.
    dialect
        One of :data:`DIALECTS`: ``"duckdb"``, ``"bigquery"``, ``"snowflake"``,
        ``"clickhouse"``, ``"postgres"``, ``"pyspark"`` (Spark SQL),
        ``"trino"``, ``"mysql"``, ``"databricks"``.
    pretty
        Indent the SQL.

    Returns
    -------
    str
        One SQL statement. In-memory tables (``ibis.memtable``) appear under
        their generated names; create them in the warehouse first, or build the
        expression on a table of the warehouse (``con.table("events")``).

    Raises
    ------
    UxlensError
        For an unknown dialect (with the list of known ones).
    EngineError
        When Ibis cannot express an operation of ``expr`` in ``dialect``; the
        message names the operation and the dialect.

    Examples
    --------
    >>> import ibis
    >>> from uxlens.engine.sessions import session_summary_expr
    >>> events = ibis.table({"session_id": "string", "user_id": "string",
    ...                      "timestamp": "timestamp('UTC')", "event": "string",
    ...                      "t_ms": "int64"}, name="events")
    >>> sql = to_sql(session_summary_expr(events), "bigquery")
    >>> "GROUP BY" in sql and "`events`" in sql
    True
    >>> to_sql(events, "oracel")
    Traceback (most recent call last):
    ...
    uxlens.exceptions.UxlensError: Unknown SQL dialect 'oracel'. ...
    """
    import ibis

    name = str(dialect).lower()
    if name not in DIALECTS:
        raise UxlensError(
            f"Unknown SQL dialect {dialect!r}. Expected one of {sorted(DIALECTS)}."
            f"{did_you_mean(name, DIALECTS)}\nFix: pass one of those names, e.g. "
            "to_sql(expr, 'bigquery')."
        )
    if name == "pyspark":
        # The PySpark compiler reads ``ibis.options.pyspark``, which Ibis registers
        # only when the backend is loaded through ``ibis.pyspark``.
        try:
            ibis.pyspark  # noqa: B018
        except (ImportError, AttributeError) as exc:
            raise MissingDependencyError(
                'to_sql(..., "pyspark") needs pyspark: pip install pyspark'
            ) from exc
    try:
        return str(ibis.to_sql(expr, dialect=name, pretty=pretty))
    except Exception as exc:
        raise EngineError(
            f"Ibis could not compile this expression to {name} SQL: "
            f"{type(exc).__name__}: {exc}.\nThe {name} dialect lacks an operation the "
            "expression uses; run it on DuckDB or PySpark instead."
        ) from exc


def _parquet_files(path: str | os.PathLike[str]) -> list[str]:
    text = os.fspath(path)
    if any(ch in text for ch in "*?["):
        files = sorted(glob.glob(text, recursive=True))
        where = f"the glob {text!r}"
    elif os.path.isdir(text):
        files = sorted(glob.glob(os.path.join(text, "**", "*.parquet"), recursive=True))
        where = f"the directory {text!r} (searched **/*.parquet)"
    elif os.path.isfile(text):
        files = [text]
        where = f"the file {text!r}"
    else:
        raise UxlensError(
            f"scan_parquet expected a Parquet file, a directory of Parquet files or a glob; "
            f"{text!r} does not exist.\nFix: check the path (current directory: {os.getcwd()})."
        )
    files = [f for f in files if os.path.isfile(f)]
    if not files:
        raise UxlensError(
            f"scan_parquet found no Parquet files in {where}.\nFix: point it at the folder "
            "the events were written to, or pass a glob such as 'events/*.parquet'."
        )
    return files


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def scan_parquet(
    path: str | os.PathLike[str],
    *,
    columns: Mapping[str, str] | None = None,
    assume_utc: bool = False,
    memory_limit: str = "4GB",
    threads: int | None = None,
    temp_directory: str | os.PathLike[str] | None = None,
) -> ir.Table:
    """Events in Parquet files as a lazy engine table over DuckDB, for data larger than memory.

    Nothing is loaded: DuckDB streams the files for each query, keeps within
    ``memory_limit`` and spills sorts, joins and windows to ``temp_directory``.
    Every engine expression (session summary, funnel rows, heatmap grid,
    friction detectors, journeys) runs on the returned table.

    Parameters
    ----------
    path
        A Parquet file, a directory (every ``*.parquet`` below it) or a glob.
        Files may have different column sets; missing columns read as null.
    columns
        Renames to the canonical names, ``{"their_name": "canonical_name"}``,
        e.g. ``{"ts": "timestamp", "page": "url"}``.
    assume_utc
        Read naive (time-zone-less) timestamps as UTC. Without it they are
        refused, because their time zone is unknown.
    memory_limit
        DuckDB's ``memory_limit`` (``"4GB"``, ``"512MB"``).
    threads
        DuckDB worker threads; default: DuckDB's (all cores).
    temp_directory
        Where DuckDB spills; default: one folder per process under the system
        temp dir, removed when the process exits.

    Returns
    -------
    ibis.expr.types.Table
        The canonical columns (``session_id``, ``user_id``, ``event`` and
        optional ones as strings, ``timestamp`` as a UTC timestamp, a null
        ``user_id`` replaced by the session id), the other columns unchanged,
        and ``t_ms`` from :func:`uxlens.engine.backend.as_table`. ``seq`` is
        kept when the files have it (write validated events to keep it).

    Raises
    ------
    UxlensError
        When the path has no Parquet files.
    SchemaError
        When a required column is missing or ``timestamp`` is not a
        timestamp (or is naive without ``assume_utc``).

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from uxlens.events import validate
    >>> from uxlens.engine.backend import execute
    >>> folder = tempfile.mkdtemp()
    >>> raw = pd.DataFrame({"session_id": ["s1", "s1"], "user_id": ["u1", "u1"],
    ...     "timestamp": pd.to_datetime([0, 1500], unit="ms", utc=True),
    ...     "event": ["pageview", "click"]})
    >>> validate(raw).events.to_parquet(os.path.join(folder, "part-0.parquet"))
    >>> events = scan_parquet(folder, memory_limit="256MB", threads=1)
    >>> execute(events.select("session_id", "event", "t_ms")).values.tolist()
    [['s1', 'pageview', 0], ['s1', 'click', 1500]]
    """
    import ibis

    files = _parquet_files(path)
    if temp_directory is None:
        # One spill folder per process (DuckDB deletes its spill files itself).
        if not _SPILL:
            _SPILL.append(tempfile.mkdtemp(prefix="uxlens-duckdb-"))
            atexit.register(shutil.rmtree, _SPILL[0], ignore_errors=True)
        temp_directory = _SPILL[0]
    Path(temp_directory).mkdir(parents=True, exist_ok=True)
    con = ibis.duckdb.connect()
    try:
        con.raw_sql(f"SET memory_limit = {_literal(str(memory_limit))}")
        con.raw_sql(f"SET temp_directory = {_literal(os.fspath(temp_directory))}")
        if threads is not None:
            con.raw_sql(f"SET threads = {int(threads)}")
        # t_ms and timestamps are read in UTC whatever the machine's zone.
        con.raw_sql("SET TimeZone = 'UTC'")
        # Streaming aggregates need not keep the files' row order.
        con.raw_sql("SET preserve_insertion_order = false")
    except Exception as exc:
        raise EngineError(
            f"DuckDB refused the settings memory_limit={memory_limit!r}, threads={threads!r}: "
            f"{exc}.\nFix: pass a size such as '4GB' and a positive number of threads."
        ) from exc

    source = (
        "read_parquet([" + ", ".join(_literal(f) for f in files) + "], union_by_name = true)"
    )
    try:
        described = con.raw_sql(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except Exception as exc:
        raise UxlensError(
            f"DuckDB could not read the Parquet files under {os.fspath(path)!r}: {exc}.\n"
            "Fix: check that every file is a complete Parquet file."
        ) from exc
    types = {str(row[0]): str(row[1]).upper() for row in described}
    renames = dict(columns or {})
    unknown = [c for c in renames if c not in types]
    if unknown:
        raise SchemaError(
            f"columns= renames {unknown}, which the Parquet files do not have."
            f"{did_you_mean(unknown[0], types)}\nFound columns: {list(types)}."
        )
    canonical = {renames.get(c, c): c for c in types}
    missing = [c for c in REQUIRED_COLUMNS if c not in canonical]
    if missing:
        hints = "".join(
            f"\n  - {c!r} is missing.{did_you_mean(c, canonical)}" for c in missing
        )
        raise SchemaError(
            f"Parquet events need the columns {list(REQUIRED_COLUMNS)}:{hints}\n"
            f"Found columns: {list(canonical)}.\nFix: rename yours with columns=, e.g. "
            "scan_parquet(path, columns={'ts': 'timestamp', 'name': 'event'})."
        )
    ts_source = canonical["timestamp"]
    ts_type = types[ts_source]
    if ts_type in _NAIVE_TIMESTAMPS:
        if not assume_utc:
            raise SchemaError(
                f"Column {ts_source!r} holds naive timestamps ({ts_type}, no time zone), "
                "expected UTC timestamps.\nFix: write the files with a UTC time zone "
                "(pandas: ts.dt.tz_localize('UTC')), or pass assume_utc=True if they are UTC."
            )
    elif not ts_type.startswith(_AWARE_TIMESTAMPS):
        raise SchemaError(
            f"Column {ts_source!r} must be a timestamp; the Parquet files store {ts_type}.\n"
            "Fix: convert it to a UTC timestamp when writing the files "
            "(pandas: pd.to_datetime(col, utc=True))."
        )

    select = []
    for name, src in canonical.items():
        col = _quote(src)
        if name == "timestamp":
            expr = f"CAST({col} AS TIMESTAMPTZ)"
        elif name == "user_id":
            expr = f"COALESCE(CAST({col} AS VARCHAR), CAST({_quote(canonical['session_id'])} AS VARCHAR))"
        elif name in ("session_id", "event"):
            expr = f"CAST({col} AS VARCHAR)"
        else:
            expr = col
        select.append(f"{expr} AS {_quote(name)}")
    view = f"uxlens_parquet_{abs(hash((tuple(files), tuple(select)))):x}"
    con.raw_sql(f"CREATE OR REPLACE VIEW {_quote(view)} AS SELECT {', '.join(select)} FROM {source}")
    return as_table(con.table(view))
