"""Read any clickstream table into the canonical events schema.

:func:`read_events` accepts a pandas DataFrame, a pyarrow Table (or anything
with ``to_pandas()``, such as a polars DataFrame), a list of dicts, a path to a
CSV (``.csv``, ``.csv.gz``, ``.tsv``), Parquet (file or directory) or JSON
lines file, or an Ibis table (kept lazy in its backend). Source columns are
renamed to canonical names with ``columns={"ts": "timestamp"}``; misspelt or
missing names raise a :class:`~uxlens.SchemaError` that says what to pass.

The helpers here are shared with the other table-shaped readers
(:func:`uxlens.io.posthog.read_posthog`): file loading with per-row rejection,
time-zone handling, :func:`sessionize`, privacy masking of ids and text, and the
final hand-over to :func:`uxlens.events.validate`.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import hashlib
import io
import os
import re
import warnings
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from .._memory import release_after_large
from ..eventlog import EventLog
from ..events import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    _is_utc_ns,
    empty_events,
    empty_rejected,
    make_rejected,
    to_utc,
    validate_owned,
)
from ..exceptions import SchemaError, UxlensError, did_you_mean
from ..privacy import Privacy, mask_text, mask_url, may_hold_pii

__all__ = ["read_events", "sessionize", "map_distinct", "CANONICAL_COLUMNS"]

#: Every canonical column name (``seq`` is computed by ``validate``).
CANONICAL_COLUMNS: tuple[str, ...] = (*REQUIRED_COLUMNS, "seq", *OPTIONAL_COLUMNS)

#: Common source names for the required columns, used only for hints (never applied silently).
_ALIASES: dict[str, tuple[str, ...]] = {
    "session_id": ("session", "sid", "session_key", "visit_id", "visit", "$session_id"),
    "user_id": (
        "user",
        "uid",
        "distinct_id",
        "person_id",
        "visitor_id",
        "customer_id",
        "client_id",
        "anonymous_id",
        "account_id",
    ),
    "timestamp": (
        "ts",
        "time",
        "datetime",
        "date_time",
        "event_time",
        "event_timestamp",
        "created_at",
        "time_stamp",
        "ts_ms",
        "epoch_ms",
        "client_ts",
        "occurred_at",
    ),
    "event": ("event_name", "event_type", "action", "name", "type", "activity"),
}
_DEVICE_SYNONYMS = {
    "phone": "mobile",
    "smartphone": "mobile",
    "pc": "desktop",
    "computer": "desktop",
}
_ZONE_SUFFIX = re.compile(r"(?:[Zz]|[+-]\d\d(?::?\d\d)?|\s?(?:UTC|GMT|utc|gmt))\s*$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
_PARQUET_SUFFIXES = (".parquet", ".pq")


# --------------------------------------------------------------------------- loading
@dataclass
class Loaded:
    """A source turned into a DataFrame, with the rows that could not even be parsed.

    ``positions`` holds each frame row's 0-based record index in the source
    (CSV data row, JSON line or array item), so rejected rows can point back
    to it; ``bad`` holds ``(position, reason, raw)`` for records dropped while
    parsing (malformed CSV rows, invalid JSON lines).
    """

    frame: pd.DataFrame
    name: str
    positions: np.ndarray
    bad: list[tuple[int, str, Any]] = field(default_factory=list)

    @property
    def read(self) -> int:
        return len(self.frame) + len(self.bad)


def _suffixes(path: Path) -> tuple[str, bool]:
    """The data suffix of a path (``.csv`` for ``x.csv.gz``) and whether it is gzipped."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    return Path(name).suffix, gz


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def csv_header(path: Path) -> list[str]:
    """Column names of a CSV file (first line), without reading the rest."""
    with _open_text(path) as fh:
        delimiter = "\t" if _suffixes(path)[0] == ".tsv" else ","
        return next(csv.reader(fh, delimiter=delimiter), [])


def read_csv(path: Path, *, string_columns: Iterable[str] | bool = ()) -> Loaded:
    """Read a CSV with pyarrow; malformed rows become ``bad`` records, not an exception.

    ``string_columns`` are read as text (ids must not become floats); ``True``
    reads every column as text. A column that pyarrow's type inference got
    wrong further down the file (a stray word in a numeric column) makes the
    file be re-read as text, with numeric columns converted back where every
    value is a number, so one bad cell never stops a load.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = csv_header(path)
    if not header:
        raise UxlensError(f"{path} is empty: expected a CSV file with a header line.")
    wanted = set(header) if string_columns is True else set(string_columns or ())
    delimiter = "\t" if _suffixes(path)[0] == ".tsv" else ","

    def attempt(all_text: bool, threads: bool) -> tuple[Any, list[tuple[Any, str]]]:
        bad: list[tuple[Any, str]] = []

        def on_invalid(row: Any) -> str:
            bad.append((row.number, row.text))
            return "skip"

        types = {c: pa.string() for c in (header if all_text else wanted)}
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=threads),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True),
        )
        return table, bad

    all_text = string_columns is True
    try:
        table, bad = attempt(all_text, threads=True)
    except pa.ArrowInvalid as exc:
        if all_text or "CSV conversion error" not in str(exc):
            raise UxlensError(f"Could not parse {path} as CSV: {exc}") from exc
        all_text = True
        table, bad = attempt(True, threads=True)
    if bad:  # line numbers are only known single-threaded; rare, so read again
        table, bad = attempt(all_text, threads=False)
    frame = table.to_pandas()
    if all_text and string_columns is not True:
        for col in frame.columns:
            if col in wanted:
                continue
            num = pd.to_numeric(frame[col], errors="coerce")
            if frame[col].notna().sum() and num.notna().sum() == frame[col].notna().sum():
                frame[col] = num
    # Line 1 is the header; positions assume one line per record, which holds
    # unless a quoted field spans lines (the reason still names the true line).
    bad_records = [
        (
            (int(number) - 2) if number is not None else -1,
            f"malformed CSV row (line {number}: expected {len(header)} fields)",
            text,
        )
        for number, text in bad
    ]
    positions = _complement_positions(len(frame), [b[0] for b in bad_records])
    return Loaded(frame, path.name, positions, bad_records)


def _complement_positions(n_good: int, bad_positions: Sequence[int]) -> np.ndarray:
    """Positions of the good records once the bad ones are put back in order."""
    if not bad_positions:
        return np.arange(n_good)
    total = n_good + len(bad_positions)
    taken = np.zeros(total, dtype=bool)
    for p in bad_positions:
        if 0 <= p < total:
            taken[p] = True
    free = np.flatnonzero(~taken)
    return free[:n_good] if len(free) >= n_good else np.arange(n_good)


def read_json_records(path: Path) -> tuple[list[Any], list[int], list[tuple[int, str, Any]]]:
    """Records of a JSON-lines file, a JSON array, or ``{"results"|"events"|"data": [...]}``.

    Returns ``(records, positions, bad)``; a line that is not valid JSON is a
    bad record (``position, reason, raw line``), never an exception.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        data = fh.read()
    head = data.lstrip()[:1]
    if head in (b"[", b"{"):
        # A whole JSON document (array, API page, pretty-printed object)? A JSON-lines
        # file fails here at its second line, which costs little.
        try:
            items = _unwrap_records(orjson.loads(data))
        except orjson.JSONDecodeError as exc:
            if head == b"[":
                raise UxlensError(
                    f"{path.name} starts like a JSON array but is not valid JSON ({exc}). "
                    "Expected a JSON array of records or one JSON object per line."
                ) from exc
        else:
            if items is not None:
                return list(items), list(range(len(items))), []
    records: list[Any] = []
    positions: list[int] = []
    bad: list[tuple[int, str, Any]] = []
    position = 0
    for line_no, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(orjson.loads(line))
            positions.append(position)
        except orjson.JSONDecodeError as exc:
            bad.append(
                (position, f"invalid JSON (line {line_no}): {exc}", line.decode("utf-8", "replace"))
            )
        position += 1
    return records, positions, bad


def _unwrap_records(whole: Any) -> list[Any] | None:
    if isinstance(whole, list):
        return whole
    if isinstance(whole, dict):
        for key in ("results", "events", "data", "result"):
            if isinstance(whole.get(key), list):
                return whole[key]
        return [whole]
    return None


def _records_frame(records: list[Any], positions: list[int], name: str) -> Loaded:
    """A frame from JSON records; records that are not objects are bad records."""
    good, good_pos, bad = [], [], []
    for rec, pos in zip(records, positions):
        if isinstance(rec, dict):
            good.append(rec)
            good_pos.append(pos)
        else:
            bad.append((pos, f"record is not a JSON object (got {type(rec).__name__})", rec))
    frame = pd.DataFrame.from_records(good) if good else pd.DataFrame()
    return Loaded(frame, name, np.asarray(good_pos, dtype=np.int64), bad)


def _check_unique_columns(loaded: Loaded, reader: str) -> Loaded:
    cols = pd.Index(loaded.frame.columns)
    dup = sorted({str(c) for c in cols[cols.duplicated()]})
    if dup:
        raise SchemaError(
            f"{reader}: column names appear more than once in {loaded.name}: {dup}. "
            "Each column must have a unique name; rename the copies before reading."
        )
    return loaded


def load_source(
    source: Any,
    *,
    reader: str,
    string_columns: Callable[[list[str]], Iterable[str]] | bool = (),
) -> Loaded:
    """Turn a path, DataFrame, Arrow table, list of dicts... into a :class:`Loaded`.

    ``string_columns`` is called with the header of a CSV file and returns the
    columns to read as text (or is ``True`` for all of them). Duplicate column
    names raise a :class:`~uxlens.SchemaError`.
    """
    loaded = _load_source(source, reader=reader, string_columns=string_columns)
    return _check_unique_columns(loaded, reader)


def _load_source(
    source: Any, *, reader: str, string_columns: Callable[[list[str]], Iterable[str]] | bool = ()
) -> Loaded:
    if isinstance(source, pd.DataFrame):
        return Loaded(source.reset_index(drop=True), "DataFrame", np.arange(len(source)))
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(
                f"{reader}: no such file or directory: {str(path)!r}. Expected a path to a "
                ".csv, .csv.gz, .parquet or .jsonl file, or a DataFrame."
            )
        if path.is_dir():
            return _load_parquet(path)
        suffix, _ = _suffixes(path)
        if suffix in _PARQUET_SUFFIXES:
            return _load_parquet(path)
        if suffix in _JSON_SUFFIXES:
            records, positions, bad = read_json_records(path)
            loaded = _records_frame(records, positions, path.name)
            loaded.bad = sorted(bad + loaded.bad, key=lambda b: b[0])
            return loaded
        if suffix in _CSV_SUFFIXES or suffix == "":
            cols = string_columns
            if callable(cols):
                cols = list(cols(csv_header(path)))
            return read_csv(path, string_columns=cols)
        raise UxlensError(
            f"{reader} cannot read {path.name!r}: unknown file type {suffix!r}. Expected "
            ".csv, .tsv, .csv.gz, .parquet, .jsonl/.ndjson/.json (optionally .gz), "
            "or pass a DataFrame."
        )
    if isinstance(source, list):
        return _records_frame(source, list(range(len(source))), "records")
    if hasattr(source, "to_pandas"):
        frame = source.to_pandas()
        return Loaded(frame.reset_index(drop=True), type(source).__name__, np.arange(len(frame)))
    raise UxlensError(
        f"{reader} expected a DataFrame, a pyarrow Table, an Ibis table, a list of dicts or "
        f"a path to a .csv/.csv.gz/.parquet/.jsonl file; got {type(source).__name__}."
    )


def _load_parquet(path: Path) -> Loaded:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    # Free each Arrow column as it is converted: the table and the frame never coexist.
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    return Loaded(frame, path.name, np.arange(len(frame)))


def _is_ibis_table(source: Any) -> bool:
    return type(source).__module__.startswith("ibis.") and hasattr(source, "schema")


# --------------------------------------------------------------------------- columns
def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _candidates(target: str, columns: Sequence[str]) -> list[str]:
    """Source columns that probably hold ``target`` (misspelling or a common alias)."""
    aliases = {_norm(a) for a in (target, *_ALIASES.get(target, ()))}
    found = [c for c in columns if _norm(c) in aliases and c != target]
    hint = did_you_mean(target, [c for c in columns if c not in found])
    found += re.findall(r"'([^']*)'", hint)
    return list(dict.fromkeys(found))


def _misspelt_canonical(target: str) -> str:
    """A "Did you mean" hint when ``target`` looks like a typo of a canonical name.

    Stricter than a plain close match, so that deliberate names that extend a
    canonical one (``timestamp_text``, ``device_type``) stay event properties.
    """
    by_norm = {_norm(c): c for c in CANONICAL_COLUMNS}
    if _norm(target) in by_norm:
        return f" Did you mean {by_norm[_norm(target)]!r}?"
    close = difflib.get_close_matches(target, CANONICAL_COLUMNS, n=1, cutoff=0.85)
    return f" Did you mean {close[0]!r}?" if close else ""


def resolve_columns(
    source_columns: Sequence[str],
    columns: Mapping[str, str] | None,
    *,
    reader: str = "read_events",
) -> dict[str, str]:
    """Check a ``columns`` mapping against the source and return it as a dict.

    Raises :class:`~uxlens.SchemaError` for a key the source lacks, a target
    that looks like a misspelt canonical name, two keys with one target, or a
    target that would collide with a source column of that name.
    """
    if columns is None:
        return {}
    if not isinstance(columns, Mapping):
        raise UxlensError(
            f"{reader}: columns must map source names to canonical names, e.g. "
            f"columns={{'ts': 'timestamp'}}; got {type(columns).__name__}."
        )
    mapping = {str(k): str(v) for k, v in columns.items()}
    present = [str(c) for c in source_columns]
    for key, target in mapping.items():
        if key not in present:
            raise SchemaError(
                f"{reader}: columns maps {key!r} -> {target!r}, but the source has no column "
                f"{key!r}.{did_you_mean(key, present)}\nSource columns: {present}."
            )
        if target not in CANONICAL_COLUMNS:
            hint = _misspelt_canonical(target)
            if hint:
                raise SchemaError(
                    f"{reader}: columns maps {key!r} -> {target!r}, which is not a canonical "
                    f"column name.{hint}\nCanonical columns: {list(CANONICAL_COLUMNS)}. Any "
                    "other name is kept as an event property, so use it only on purpose."
                )
    targets: dict[str, list[str]] = {}
    for key, target in mapping.items():
        targets.setdefault(target, []).append(key)
    for target, keys in targets.items():
        if len(keys) > 1:
            raise SchemaError(
                f"{reader}: columns maps {keys} all to {target!r}; each target can come "
                "from one source column only."
            )
        if target in present and target not in mapping and keys[0] != target:
            raise SchemaError(
                f"{reader}: columns maps {keys[0]!r} -> {target!r}, but the source already "
                f"has a column {target!r}, which would be duplicated.\nFix: rename that one "
                f"too, e.g. columns={{{keys[0]!r}: {target!r}, {target!r}: "
                f"'{target}_source'}}, or drop it before reading."
            )
    return mapping


def check_required(
    columns: Sequence[str],
    *,
    reader: str,
    session_gap: Any = None,
    mapping: Mapping[str, str] | None = None,
) -> bool:
    """Raise a helpful :class:`~uxlens.SchemaError` when required columns are missing.

    Returns ``True`` when ``user_id`` is absent and no column looks like one,
    meaning users are anonymous (the session id stands in for the user).
    """
    present = list(columns)
    inverse = {v: k for k, v in (mapping or {}).items()}
    # Source columns already consumed by the mapping are not suggestions.
    free = [c for c in present if c not in inverse]
    lines: list[str] = []
    suggested: dict[str, str] = {}
    anonymous = False
    for col in REQUIRED_COLUMNS:
        if col in present:
            continue
        found = _candidates(col, free)
        if col == "user_id" and not found:
            anonymous = True
            continue
        if col == "session_id" and session_gap is not None:
            continue  # made by sessionize(); needs a user column, checked below
        hint = f" Did you mean {' or '.join(repr(f) for f in found)}?" if found else ""
        extra = ""
        if col == "session_id":
            extra = (
                " Or, if the table has no sessions, pass session_gap='30min' to start a new "
                "session after 30 minutes of inactivity per user."
            )
        lines.append(f"\n  - {col!r} is missing.{hint}{extra}")
        if found:
            suggested[found[0]] = col
    if session_gap is not None and "session_id" not in present and anonymous:
        lines.append(
            "\n  - 'user_id' is missing: session_gap splits each user's events into "
            "sessions, so it needs a user column."
        )
    if not lines:
        return anonymous
    fix = (
        f"\nFix: {reader}(..., columns={ {**(mapping or {}), **suggested} })."
        if suggested
        else f"\nFix: rename your columns with {reader}(..., columns={{'your_name': 'session_id'}})."
    )
    raise SchemaError(
        f"{reader}: the events table lacks required columns:{''.join(lines)}\n"
        f"Found columns: {present}.{fix}"
    )


# --------------------------------------------------------------------------- time
def _check_tz(tz: Any, assume_utc: bool, reader: str) -> Any:
    if tz is None:
        return None
    if assume_utc:
        raise UxlensError(
            f"{reader}: pass either tz= (the zone of naive timestamps) or assume_utc=True, "
            "not both."
        )
    if isinstance(tz, str):
        try:
            return zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            hint = did_you_mean(tz, sorted(zoneinfo.available_timezones()))
            raise UxlensError(
                f"{reader}: unknown time zone tz={tz!r}.{hint} Expected an IANA name such "
                "as 'Europe/Paris' or 'UTC'."
            ) from exc
    return tz


def _naive_error(example: Any, reader: str) -> SchemaError:
    return SchemaError(
        f"{reader}: column 'timestamp' holds naive times (no time zone), e.g. {str(example)!r}; "
        "uxlens needs instants.\nFix: pass tz='Europe/Paris' (or whatever zone the times were "
        f"recorded in) to {reader}, or assume_utc=True if they are already UTC."
    )


def parse_timestamps(
    values: pd.Series, *, tz: Any = None, assume_utc: bool = False, reader: str = "read_events"
) -> tuple[pd.Series, pd.Series]:
    """Timestamps to ``datetime64[ns, UTC]`` plus a rejection reason per row (or ``None``).

    Zoned values are converted to UTC; naive values are localised to ``tz``,
    taken as UTC with ``assume_utc``, or make a :class:`~uxlens.SchemaError`
    that names both options. Numbers are epoch seconds, ms or us (by
    magnitude). Local times that do not exist or are ambiguous at a DST change
    are rejected rather than guessed.
    """
    zone = _check_tz(tz, assume_utc, reader)
    index = values.index
    reasons = pd.Series(None, index=index, dtype=object)
    if pd.api.types.is_bool_dtype(values.dtype):
        raise SchemaError(f"{reader}: column 'timestamp' holds booleans; expected times.")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return to_utc(values, assume_utc=True)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        ts = _in_ns_range(values)
        if getattr(ts.dt, "tz", None) is None:
            if zone is None and not assume_utc:
                if ts.notna().any():
                    raise _naive_error(ts.dropna().iloc[0], reader)
            ts = _localise(ts, zone, reasons)
        reasons[values.isna()] = "missing timestamp"
        reasons[values.notna() & ts.isna() & reasons.isna()] = _OUT_OF_RANGE
        return ts.dt.tz_convert("UTC").astype("datetime64[ns, UTC]"), reasons
    text = values.astype(object)
    stripped = text.astype(str).str.strip()
    missing = text.isna() | (stripped == "")
    present = text[~missing]
    if len(present):
        sample = pd.to_numeric(present.iloc[:1000], errors="coerce")
        if sample.notna().mean() > 0.5:  # epoch numbers stored as text
            del stripped
            num = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
            ts, reasons = to_utc(num, assume_utc=True)
            reasons[~missing & num.isna()] = "unparseable timestamp"
            return ts, reasons
    strings = stripped[~missing] if missing.any() else stripped  # (no copy when none missing)
    del stripped  # not held while parsing
    # Arrow runs the regex vectorised (RE2) instead of once per value in Python.
    import pyarrow as pa
    import pyarrow.compute as pc

    hits = pc.match_substring_regex(
        pa.array(strings.to_numpy(dtype=object), pa.string()), _ZONE_SUFFIX.pattern
    )
    zoned = pd.Series(hits.to_numpy(zero_copy_only=False), index=strings.index, dtype=bool)
    out = None
    if len(strings) == len(index) and zoned.all():  # every value zoned (exports): no merging
        parsed = _to_datetime(strings, utc=True)
        if _is_utc_ns(parsed.dtype) and parsed.index.equals(index):
            out = parsed
    if out is None:
        out = pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
        if zoned.any():
            out[zoned[zoned].index] = _to_datetime(strings[zoned], utc=True)
    naive_text = strings[~zoned]
    if len(naive_text):
        naive = _to_datetime(naive_text, utc=False)
        if naive.notna().any():
            if zone is None and not assume_utc:
                if not zoned.any():
                    raise _naive_error(naive_text[naive.notna()].iloc[0], reader)
                reasons[naive[naive.notna()].index] = "naive timestamp mixed with zoned timestamps"
            else:
                local = _localise(naive, zone, reasons)
                out[local.index] = local.dt.tz_convert("UTC")
    if missing.any():
        reasons[missing] = "missing timestamp"
    failed = ~missing.to_numpy() & out.isna().to_numpy()
    if failed.any():
        reasons[failed & reasons.isna().to_numpy()] = "unparseable timestamp"
    return out, reasons


def _to_datetime(strings: pd.Series, *, utc: bool) -> pd.Series:
    """ISO 8601 first (fast, vectorised), then any other format for the leftovers."""
    parsed = pd.to_datetime(strings, utc=utc, errors="coerce", format="ISO8601")
    left = parsed.isna()
    if left.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                retry = pd.to_datetime(strings[left], utc=utc, errors="coerce", format="mixed")
            except (ValueError, TypeError):
                retry = pd.Series(pd.NaT, index=strings[left].index)
        parsed = parsed.astype(object)
        parsed[left] = retry
        parsed = pd.to_datetime(parsed, utc=utc, errors="coerce")
    if not utc and getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return _in_ns_range(parsed)


_OUT_OF_RANGE = "timestamp out of range (uxlens handles 1677-2262)"


def _in_ns_range(ts: pd.Series) -> pd.Series:
    """``ts`` in nanoseconds; instants outside 1677-2262 (the ns range) become NaT."""
    tz = getattr(ts.dt, "tz", None)
    unit = ts.dtype.unit if tz is not None else np.datetime_data(ts.dtype)[0]
    if unit == "ns":  # always in range
        return ts if tz is None else ts.astype(f"datetime64[ns, {tz}]")
    if unit in _NS_PER_UNIT:  # compare the UTC ticks with the range in that unit
        ticks = ts.to_numpy(dtype=f"datetime64[{unit}]").view("int64")
        lo, hi = _NS_RANGE[unit]
        ok = (ticks == np.iinfo(np.int64).min) | ((ticks >= lo) & (ticks <= hi))  # NaT or in range
    else:
        naive = ts.dt.tz_convert("UTC").dt.tz_localize(None) if tz is not None else ts
        ok = (naive.isna() | ((naive >= pd.Timestamp.min) & (naive <= pd.Timestamp.max))).to_numpy()
    if not ok.all():
        ts = ts.where(ok)
    return ts.astype(f"datetime64[ns, {tz}]" if tz is not None else "datetime64[ns]")


_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3}
#: The datetime64[ns] range (pd.Timestamp.min/max) in ticks of each coarser unit.
_NS_RANGE = {
    unit: (-(-pd.Timestamp.min.value // f), pd.Timestamp.max.value // f)
    for unit, f in _NS_PER_UNIT.items()
}


def _localise(naive: pd.Series, zone: Any, reasons: pd.Series) -> pd.Series:
    if zone is None:
        return naive.dt.tz_localize("UTC")
    local = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    dst = naive.notna() & local.isna()
    reasons[dst[dst].index] = f"ambiguous or nonexistent local time in {zone} (DST change)"
    return local


def _parse_gap(gap: Any, reader: str) -> pd.Timedelta:
    try:
        delta = pd.Timedelta(gap) if not isinstance(gap, (int, float)) else None
    except (ValueError, TypeError):
        delta = None
    if delta is None or pd.isna(delta) or delta <= pd.Timedelta(0):
        raise UxlensError(
            f"{reader}: session_gap must be a positive duration such as '30min', '1h' or "
            f"datetime.timedelta(minutes=30); got {gap!r}."
        )
    return delta


# --------------------------------------------------------------------------- sessions
def sessionize(
    frame: pd.DataFrame,
    gap: str | timedelta | pd.Timedelta = "30min",
    *,
    by: str = "user_id",
    time: str = "timestamp",
) -> pd.Series:
    """Split each user's events into sessions by inactivity.

    A new session starts at a user's first event and whenever more than
    ``gap`` has passed since that user's previous event (a gap exactly equal
    to ``gap`` continues the session). Sessions are numbered from 1 per user
    in time order and named ``"<user>-<n>"``. Ties keep the input order.

    Parameters
    ----------
    frame
        Events with a user column and a datetime column.
    gap
        Inactivity that closes a session: ``"30min"``, ``"1h"``, a timedelta.
    by
        Column identifying the user (``"distinct_id"`` for PostHog).
    time
        Column of datetimes (zoned or naive; only differences matter).

    Returns
    -------
    pandas.Series
        Session ids (``string`` dtype) aligned with ``frame.index``; ``<NA>``
        where the user or the time is missing.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "user_id": ["a", "a", "a", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:20",
    ...                                  "2024-01-01 11:00", "2024-01-01 10:05"], utc=True)})
    >>> list(sessionize(df, "30min"))
    ['a-1', 'a-1', 'a-2', 'b-1']
    """
    delta = _parse_gap(gap, "sessionize")
    for col in (by, time):
        if col not in frame.columns:
            raise SchemaError(
                f"sessionize needs a {col!r} column.{did_you_mean(col, frame.columns)} "
                f"Found columns: {list(frame.columns)}."
            )
    users = frame[by].astype(object)
    times = pd.to_datetime(frame[time], errors="coerce")
    ok = users.notna() & (users.astype(str).str.len() > 0) & times.notna()
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    if not ok.any():
        return out
    work = pd.DataFrame({"u": users[ok].astype(str), "t": times[ok], "o": np.arange(int(ok.sum()))})
    work = work.sort_values(["u", "t", "o"], kind="stable")
    first = work["u"].ne(work["u"].shift())
    new = first | (work["t"].diff() > delta)
    number = new.astype("int64").groupby(work["u"], sort=False).cumsum()
    out.loc[work.index] = (work["u"] + "-" + number.astype(str)).to_numpy()
    return out


# --------------------------------------------------------------------------- privacy
def mask_values(values: pd.Series, fn: Callable[[Any], Any] = mask_text) -> pd.Series:
    """Mask PII patterns in a text column (each distinct value masked once).

    ``fn`` is the masker, e.g. :meth:`uxlens.privacy.Privacy.text`.
    """
    return _map_unique(values, fn)


def mask_urls(values: pd.Series, fn: Callable[[Any], Any] = mask_url) -> pd.Series:
    """Mask sensitive query values and PII patterns in a URL column (see ``mask_url``)."""
    return _map_unique(values, fn)


def _map_unique(values: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    return map_distinct(values, lambda u: fn(u) if isinstance(u, str) else u, categorical=True)


def map_distinct(
    values: pd.Series, fn: Callable[[Any], Any], *, categorical: bool = False
) -> pd.Series:
    """Apply ``fn`` once per distinct non-missing value (object result; missing stays ``None``).

    Columns of events repeat a few values millions of times; factorising
    first makes per-value Python work cost per distinct value, not per row.
    ``categorical=True`` returns a categorical instead of objects: one code
    per row, no Python object per row (what 10-million-row columns need).

    Examples
    --------
    >>> map_distinct(pd.Series(["a", None, "a", "b"]), str.upper).tolist()
    ['A', None, 'A', 'B']
    >>> map_distinct(pd.Series(["a", None, "A"]), str.upper, categorical=True).tolist()
    ['A', nan, 'A']
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.array.codes, values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[: len(uniques)] = [fn(u) for u in uniques]
    mapped[-1] = None  # code -1: missing
    if not categorical:
        return pd.Series(mapped[codes], index=values.index, dtype=object)
    new_codes, new_uniques = pd.factorize(pd.Series(mapped[:-1], dtype=object), use_na_sentinel=True)
    lut = np.r_[new_codes, -1].astype("int64")
    out = pd.Categorical.from_codes(lut[codes], categories=pd.Index(list(new_uniques)))
    return pd.Series(out, index=values.index)


def pseudonymise_ids(values: pd.Series) -> tuple[pd.Series, int]:
    """Replace ids that contain PII (an email as a user id) by a stable ``anon-<hash>``.

    Distinct ids stay distinct, so users are still counted correctly; the
    hash is unsalted BLAKE2b, which hides the value from a casual reader but
    not from someone who can guess it. Returns the ids and how many distinct
    values were replaced.
    """
    mapping = {}
    uniques = np.asarray(pd.unique(values.dropna()), dtype=object)
    texts = [str(u) for u in uniques]
    maybe = may_hold_pii(texts)  # most ids hold no digits run, "@" or IBAN start: cleared at once
    for u, text in zip(uniques[maybe].tolist(), np.asarray(texts, dtype=object)[maybe].tolist()):
        if _UUID.match(text):  # random ids are not personal data, whatever digits they hold
            continue
        if mask_text(text) != text:
            mapping[u] = "anon-" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
    if not mapping:
        return values, 0
    return map_distinct(values, lambda v: mapping.get(v, v)), len(mapping)


# --------------------------------------------------------------------------- building
def ids_to_str(values: pd.Series) -> pd.Series:
    """Ids as text: ``7`` and ``7.0`` (an int column with gaps) both become ``"7"``."""
    raw = values
    if pd.api.types.is_string_dtype(raw.dtype) and raw.dtype != object:
        return raw
    if pd.api.types.is_integer_dtype(raw.dtype) and not isinstance(raw.dtype, pd.Int64Dtype):
        return raw.astype(str).astype(object)
    if pd.api.types.is_float_dtype(raw.dtype):
        finite = raw.dropna()
        if len(finite) and bool((finite == np.floor(finite)).all()):
            raw = raw.astype("Int64")
    return map_distinct(raw, lambda v: v if isinstance(v, str) else str(v))


def normalise_device(values: pd.Series) -> pd.Series:
    """Lower-case device names; ``phone``/``smartphone`` -> ``mobile``, ``pc`` -> ``desktop``.

    A categorical (a few names repeated millions of times), not one Python object per row.

    Examples
    --------
    >>> normalise_device(pd.Series(["Phone", None, " PC ", "tablet"])).tolist()
    ['mobile', nan, 'desktop', 'tablet']
    """

    def one(value: Any) -> str:
        text = str(value).strip().lower()
        return _DEVICE_SYNONYMS.get(text, text)

    return map_distinct(values, one, categorical=True)


def coordinate_warnings(events: pd.DataFrame) -> list[str]:
    """Warnings about negative document coordinates (kept as they are)."""
    if "x" not in events.columns or "y" not in events.columns:
        return []
    negative = (events["x"] < 0) | (events["y"] < 0)
    n = int(negative.sum())
    if not n:
        return []
    return [
        f"{n} events have a negative x or y. Document coordinates are normally >= 0; "
        "negative values usually mean the pointer was outside the page (a drag released "
        "past the edge). They are kept unchanged; filter with events[(events.x >= 0) & "
        "(events.y >= 0)] if a heatmap should ignore them."
    ]


def build_log(
    loaded: Loaded,
    frame: pd.DataFrame | list[pd.DataFrame],
    *,
    reader: str,
    tz: Any = None,
    assume_utc: bool = False,
    session_gap: Any = None,
    sessionize_by: str = "user_id",
    drop_duplicates: bool = True,
    extra_bad: Mapping[int, str] | None = None,
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    meta: dict[str, Any] | None = None,
) -> EventLog:
    """Parse times, fill sessions, validate, and count: the shared tail of table readers.

    ``frame`` holds canonical column names and one row per row of
    ``loaded.frame`` (same order); a one-element list hands it over (the
    caller keeps no reference, so memory can be released while validating).
    ``loaded.frame`` is released here. ``extra_bad`` maps frame row numbers to a
    reason the reader found (unparseable properties...). Rows without a
    session id are sessionised per ``sessionize_by`` when ``session_gap`` is
    given. ``prepare`` runs on the clean rows (UTC times, session ids) just
    before :func:`~uxlens.events.validate`.
    """
    meta = dict(meta or {})
    meta.setdefault("warnings", [])
    meta.setdefault("notes", [])
    if isinstance(frame, list):  # handed over by the caller, which keeps no reference
        frame = frame.pop()
    frame = frame.reset_index(drop=True)
    positions = np.asarray(loaded.positions, dtype=np.int64)
    ts, ts_reasons = parse_timestamps(
        frame["timestamp"], tz=tz, assume_utc=assume_utc, reader=reader
    )
    frame["timestamp"] = ts
    if extra_bad:  # the reader's reasons first
        reasons = pd.Series(None, index=frame.index, dtype=object)
        for i, reason in extra_bad.items():
            reasons[i] = reason
        reasons = reasons.where(reasons.notna(), ts_reasons)
    else:
        reasons = ts_reasons  # a new Series: ours to update
    if "is_returning" in frame.columns:
        # validate() casts to boolean and would raise on "s1" or 17: reject those rows.
        flags, flag_bad = _parse_flags(frame["is_returning"])
        frame["is_returning"] = flags
        reasons = reasons.where(reasons.notna() | ~flag_bad, _NOT_A_FLAG)

    for col in ("session_id", "user_id"):
        if col in frame.columns:
            values = frame[col]
            ids = ids_to_str(values)
            if ids is not values:  # (text ids already are)
                frame[col] = ids
    if session_gap is not None:
        delta = _parse_gap(session_gap, reader)
        if "session_id" not in frame.columns:
            frame["session_id"] = pd.Series(None, index=frame.index, dtype=object)
        sid = frame["session_id"]
        need = (sid.isna() | (sid.astype(str).str.strip() == "")) & reasons.isna()
        if need.any():
            filled = sessionize(frame.loc[need], delta, by=sessionize_by)
            frame.loc[need, "session_id"] = filled.astype(object).where(filled.notna(), None)
            orphan = need & frame["session_id"].isna()
            reasons[orphan] = f"missing session id and {sessionize_by} (cannot sessionise)"
            done = int((need & ~orphan).sum())
            meta["sessionised"] = {
                "rows": done,
                "sessions": int(filled.nunique()),
                "gap": str(session_gap),
                "by": sessionize_by,
            }
            meta["notes"].append(
                f"{done} events had no session id and were split into {filled.nunique()} "
                f"sessions per {sessionize_by} after {session_gap} of inactivity."
            )
    if "user_id" not in frame.columns:
        frame["user_id"] = frame["session_id"]
        meta["notes"].append("No user column: each session counts as its own anonymous user.")

    bad = reasons.notna()
    rejected_rows = [(loaded.name, int(p), r, raw) for p, r, raw in loaded.bad]
    source_rows = loaded.frame
    bad_idx = np.flatnonzero(bad.to_numpy())
    for i, raw in zip(bad_idx, _raw_rows(source_rows, bad_idx)):
        rejected_rows.append((loaded.name, int(positions[i]), reasons.iloc[i], raw))
    keep = np.flatnonzero(~bad.to_numpy())
    # No copy of the whole table when every row is usable (the common case).
    clean = frame if len(keep) == len(frame) else frame.iloc[keep].reset_index(drop=True)
    del frame
    if prepare is not None and len(clean):
        clean = prepare(clean)

    def raw_excerpts(pos: np.ndarray, _rows: pd.DataFrame = source_rows) -> list[Any]:
        return _raw_rows(_rows, keep[pos])  # validate's positions are rows of ``clean``

    # Hand the tables over: validate() drops them once it no longer needs them, so the
    # raw input and its typed copy are not both held whole (10M rows: ~1 GiB less).
    holder, excerpt_fn = [clean], [raw_excerpts]
    del clean, source_rows, raw_excerpts
    read = loaded.read
    loaded.frame = None
    result = validate_owned(holder, source=loaded.name, assume_utc=False,
                            drop_duplicates=drop_duplicates, excerpts=excerpt_fn)
    idx = keep[result.rejected["position"].to_numpy(dtype="int64")]
    for i, reason, excerpt in zip(idx, result.rejected["reason"], result.rejected["excerpt"]):
        rejected_rows.append((loaded.name, int(positions[i]), str(reason), str(excerpt)))
    rejected = (
        make_rejected(sorted(rejected_rows, key=lambda r: r[1]))
        if rejected_rows
        else empty_rejected()
    )
    events = result.events
    for message in coordinate_warnings(events):
        meta["warnings"].append(message)
        warnings.warn(message, UserWarning, stacklevel=3)
    if len(events) + len(rejected) != read:  # pragma: no cover - a bug, never bad input
        raise AssertionError(f"{reader}: counted {len(events)} + {len(rejected)} != {read}")
    return _released(EventLog(events, rejected=rejected, read=read, meta=meta))


def _released(log: EventLog) -> EventLog:
    """``log``, after giving the load's freed buffers back to the system when it was large.

    Decoding and validating frees about as much as the log keeps (10M events:
    ~0.45 GiB left in Arrow's pool after a Parquet load); every later step of the
    notebook would otherwise stack on top of it.
    """
    release_after_large(len(log.events))
    return log


_NOT_A_FLAG = "is_returning is not a boolean (expected true/false, 1/0, yes/no)"
_FLAG_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _parse_flags(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Booleans from bools, 0/1 numbers and true/false/yes/no words; plus which were neither."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean"), pd.Series(False, index=values.index)

    def one(v: Any) -> Any:
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, float, np.integer, np.floating)) and v in (0, 1):
            return bool(v)
        if isinstance(v, str):
            return _FLAG_WORDS.get(v.strip().lower(), _NOT_A_FLAG)
        return _NOT_A_FLAG

    parsed = map_distinct(values, one)
    bad = parsed.map(lambda v: v is _NOT_A_FLAG).astype(bool)
    flags = parsed.where(~bad, None).astype("boolean")
    return flags, bad


def _raw_rows(frame: pd.DataFrame, rows: np.ndarray) -> list[dict[str, Any]]:
    """The input rows at these positions as dicts without NaN cells (one lookup)."""
    records = frame.iloc[np.asarray(rows, dtype="int64")].to_dict("records") if len(rows) else []
    return [
        {k: v for k, v in row.items() if not (isinstance(v, float) and np.isnan(v))}
        for row in records
    ]


# --------------------------------------------------------------------------- read_events
def read_events(
    source: Any,
    *,
    columns: Mapping[str, str] | None = None,
    tz: Any = None,
    assume_utc: bool = False,
    event_map: Mapping[str, str] | None = None,
    session_gap: str | timedelta | None = None,
    source_name: str | None = None,
    drop_duplicates: bool = True,
    mask: bool | Privacy = True,
) -> EventLog:
    """Read a clickstream table (DataFrame, CSV, Parquet, JSON lines, Arrow, Ibis).

    Parameters
    ----------
    source
        A pandas DataFrame; a pyarrow Table or anything with ``to_pandas()``
        (polars); a list of dicts; a path to ``.csv``/``.tsv`` (optionally
        ``.gz``), ``.parquet`` (a file or a directory of them) or
        ``.jsonl``/``.ndjson``/``.json`` (lines or an array); or an Ibis table.
        An Ibis table is not materialised: its columns are checked and renamed
        and the table is returned lazily in ``log.meta["ibis_table"]`` (the
        events frame is then empty and ``read`` is 0).
    columns
        Rename source columns to canonical names, ``{"ts": "timestamp",
        "uid": "user_id"}``. A key the source lacks, or a target that looks
        like a misspelt canonical name (``"sesion_id"``), raises
        :class:`~uxlens.SchemaError` with a suggestion. Columns that are not
        mapped keep their names; non-canonical ones are event properties.
    tz
        Time zone of naive timestamps (``"Europe/Paris"``); zoned timestamps
        are converted to UTC whatever ``tz`` says. Local times that are
        ambiguous or skipped by a DST change are rejected, not guessed.
    assume_utc
        Treat naive timestamps as UTC. Without ``tz`` or ``assume_utc``, naive
        timestamps raise a :class:`~uxlens.SchemaError` naming both options.
        Numeric timestamps are epoch seconds, milliseconds or microseconds,
        decided by magnitude.
    event_map
        Rename event values, e.g. ``{"add_to_cart": "cart_add"}``; others are kept.
    session_gap
        Inactivity that starts a new session (``"30min"``), used when the
        table has no ``session_id`` column, or for rows whose session id is
        empty. Sessions are cut per user and named ``"<user_id>-<n>"`` (see
        :func:`sessionize`). Without a session column or ``session_gap``, a
        :class:`~uxlens.SchemaError` suggests it.
    source_name
        Name shown in the ``source`` column of rejected rows (default: the file
        name, or ``"DataFrame"``).
    drop_duplicates
        Reject exact duplicate events after the first (same session, time,
        event, position, target, url, message), as :func:`~uxlens.events.validate` does.
    mask
        Privacy (on by default): mask email/phone/card/IBAN patterns in
        ``target_text`` (:func:`uxlens.privacy.mask_text`), sensitive query
        values in ``url`` (:func:`uxlens.privacy.mask_url`), and replace user
        ids that contain personal data (an email used as id) by a stable
        ``anon-<hash>`` (see :func:`pseudonymise_ids`). ``mask=False`` keeps
        values as they are (``Privacy.none()``); a
        :class:`uxlens.privacy.Privacy` chooses what is masked and adds custom
        regexes (applied to ``target_text`` and ``message`` too). The policy used
        is stored in ``log.meta["privacy"]``.

    Returns
    -------
    EventLog
        Canonical events; ``rejected`` lists unusable rows (``source,
        position, reason, excerpt``; ``position`` is the 0-based row in the
        source) and ``counts`` satisfies ``loaded + rejected == read``, with
        ``read`` the number of input rows. ``meta`` records the options, notes
        (e.g. sessionisation) and ``warnings`` (e.g. negative coordinates,
        which are kept unchanged and also emitted as a ``UserWarning``).
        A table without a user column gets ``user_id = session_id``
        (anonymous users), noted in ``meta["notes"]``.

    Raises
    ------
    SchemaError
        Missing or misspelt required columns, naive timestamps without ``tz``
        or ``assume_utc``, a bad ``columns`` mapping.
    UxlensError
        An unreadable file type or bad arguments.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "sid": ["s1", "s1", "s2"], "uid": ["u1", "u1", "u2"],
    ...     "ts": [1704103200000, 1704103205000, 1704103210000],
    ...     "event": ["pageview", "click", "pageview"]})
    >>> log = read_events(df, columns={"sid": "session_id", "uid": "user_id", "ts": "timestamp"})
    >>> log.counts
    {'read': 3, 'loaded': 3, 'rejected': 0}
    >>> str(log.events["timestamp"].iloc[1])
    '2024-01-01 10:00:05+00:00'
    >>> read_events(df, columns={"sid": "sesion_id"})
    Traceback (most recent call last):
    ...
    uxlens.exceptions.SchemaError: read_events: columns maps 'sid' -> 'sesion_id', which is not a canonical column name. Did you mean 'session_id'?
    ...
    """
    reader = "read_events"
    privacy = Privacy.coerce(mask)
    if _is_ibis_table(source):
        return _read_ibis(
            source,
            columns=columns,
            event_map=event_map,
            session_gap=session_gap,
            tz=tz,
            assume_utc=assume_utc,
            source_name=source_name,
        )
    _check_tz(tz, assume_utc, reader)
    if session_gap is not None:
        _parse_gap(session_gap, reader)
    plain = not (columns or event_map or session_gap is not None or tz is not None)
    if plain and isinstance(source, (str, os.PathLike)):
        stamped = _read_stamped_parquet(Path(source), privacy, source_name)
        if stamped is not None:
            return stamped

    def text_columns(header: list[str]) -> list[str]:
        mapping = dict(columns or {})
        wanted = {"session_id", "user_id", "event"}
        return [c for c in header if mapping.get(c, c) in wanted]

    loaded = load_source(source, reader=reader, string_columns=text_columns)
    if source_name is not None:
        loaded.name = str(source_name)
    if len(loaded.frame.columns) == 0 and loaded.bad:  # every record was unreadable
        loaded.frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in REQUIRED_COLUMNS})
        columns = None
    mapping = resolve_columns(loaded.frame.columns, columns, reader=reader)
    frame = loaded.frame.rename(columns=mapping)
    check_required(frame.columns, reader=reader, session_gap=session_gap, mapping=mapping)
    # No .copy(): pandas' copy-on-write keeps loaded.frame (the raw rows) unchanged.
    if event_map:
        frame["event"] = _map_values(frame["event"], event_map)
    if "device" in frame.columns:
        frame["device"] = normalise_device(frame["device"])
    meta: dict[str, Any] = {
        "reader": reader,
        "source": loaded.name,
        "columns": mapping,
        "event_map": dict(event_map or {}),
        "tz": str(tz) if tz is not None else None,
        "assume_utc": assume_utc,
        "session_gap": str(session_gap) if session_gap is not None else None,
    }
    meta["privacy"] = privacy
    if not privacy.is_none:
        frame = _mask_frame(frame, meta, privacy=privacy)
    handed = [frame]
    del frame  # build_log owns it now (see validate_owned)
    return build_log(
        loaded,
        handed,
        reader=reader,
        tz=tz,
        assume_utc=assume_utc,
        session_gap=session_gap,
        drop_duplicates=drop_duplicates,
        meta=meta,
    )


def _parquet_stamp(path: Path) -> dict[str, Any] | None:
    """The ``EventLog.to_parquet`` stamp of a Parquet file, or ``None``."""
    import json

    import pyarrow.parquet as pq

    from ..eventlog import PARQUET_FORMAT

    if not path.is_file() or _suffixes(path)[0] not in _PARQUET_SUFFIXES:
        return None
    try:
        raw = (pq.read_schema(path).metadata or {}).get(b"uxlens")
        stamp = json.loads(raw) if raw else None
    except (OSError, ValueError):
        return None  # not readable as Parquet here: the normal path reports it
    if not isinstance(stamp, dict) or stamp.get("format") != PARQUET_FORMAT:
        return None
    return stamp


def _read_stamped_parquet(path: Path, privacy: Privacy, source_name: str | None) -> EventLog | None:
    """Events from a Parquet file written by ``EventLog.to_parquet``, checked not re-validated.

    ``None`` (validate as usual) when the file has no stamp, was masked with a
    different policy than ``privacy`` asks for, or fails a check (types,
    required values, order): a stamped file changed by another tool is
    validated like any other.
    """
    import pyarrow.parquet as pq

    from ..events import REQUIRED_COLUMNS, _is_sorted

    stamp = _parquet_stamp(path)
    if stamp is None:
        return None
    if not privacy.is_none and not (stamp.get("privacy_default") and privacy == Privacy.default()):
        return None  # mask with the policy asked for
    table = pq.read_table(path)
    names = set(table.column_names)
    if not set(REQUIRED_COLUMNS) | {"seq"} <= names:
        return None
    ts_type = table.schema.field("timestamp").type
    if getattr(ts_type, "tz", None) not in ("UTC", "+00:00") or any(
        table.column(c).null_count for c in ("session_id", "user_id", "timestamp", "event")
    ):
        return None
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    if not _is_sorted(frame) or str(frame["timestamp"].dtype) != "datetime64[ns, UTC]":
        return None
    meta = {
        "reader": "read_events",
        "source": source_name or path.name,
        "trusted": f"uxlens Parquet (format {stamp['format']}, written by uxlens "
                   f"{stamp.get('uxlens')}): checked, not validated again",
        "privacy": privacy if privacy.is_none else Privacy.default(),
        "warnings": [],
        "notes": [f"Originally read {stamp.get('read')} records from "
                  f"{stamp.get('source') or 'the source'}, rejected {stamp.get('rejected')}."],
    }
    return _released(EventLog(frame, read=len(frame), meta=meta))


def _map_values(values: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    return map_distinct(values, lambda v: mapping.get(v, v) if isinstance(v, str) else v)


def _mask_frame(
    frame: pd.DataFrame,
    meta: dict[str, Any],
    id_columns: Sequence[str] = ("user_id",),
    *,
    privacy: Privacy | None = None,
) -> pd.DataFrame:
    privacy = Privacy.default() if privacy is None else privacy
    masked: dict[str, Any] = {}
    if privacy.masks_text:
        for col in ("target_text", "message"):
            if col in frame.columns:
                frame[col] = mask_values(frame[col], privacy.text)
                masked[col] = "pii patterns"
    if "url" in frame.columns and (privacy.mask_urls or privacy.masks_text):
        frame["url"] = mask_urls(frame["url"], privacy.url)
        masked["url"] = "sensitive query values and pii patterns"
    for col in id_columns if privacy.pseudonymise_ids else ():
        if col in frame.columns:
            frame[col], n = pseudonymise_ids(ids_to_str(frame[col]))
            if n:
                masked[col] = f"{n} ids pseudonymised"
    meta["mask"] = masked
    return frame


def _read_ibis(
    table: Any,
    *,
    columns: Mapping[str, str] | None,
    event_map: Mapping[str, str] | None,
    session_gap: Any,
    tz: Any,
    assume_utc: bool,
    source_name: str | None,
) -> EventLog:
    """Check and rename an Ibis table's columns; keep it lazy in ``meta["ibis_table"]``."""
    reader = "read_events"
    mapping = resolve_columns(table.columns, columns, reader=reader)
    if mapping:
        table = table.rename({v: k for k, v in mapping.items()})
    if session_gap is not None and "session_id" not in table.columns:
        raise UxlensError(
            f"{reader}: session_gap is not supported for Ibis tables yet (it would "
            "materialise the table). Add a session_id column in the backend first."
        )
    check_required(table.columns, reader=reader, mapping=mapping)
    if "user_id" not in table.columns:
        table = table.mutate(user_id=table.session_id)
    if event_map:
        table = table.mutate(event=table.event.substitute(dict(event_map)))
    meta = {
        "reader": reader,
        "source": source_name or "ibis",
        "ibis_table": table,
        "materialised": False,
        "columns": mapping,
        "tz": str(tz) if tz is not None else None,
        "assume_utc": assume_utc,
        "warnings": [],
        "notes": ["Ibis table kept in its backend (log.is_lazy): Funnel, Heatmap, Journeys and "
                  "log.sessions() run there; log.filter(...).collect() brings rows into memory."],
    }
    return EventLog(empty_events(), read=0, meta=meta)
