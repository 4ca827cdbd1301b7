"""The canonical events table: column names, dtypes and the one ``validate()``.

Every reader (rrweb, PostHog, generic tables) produces rows in this schema and
passes them through :func:`validate`; nothing downstream knows which recorder
the data came from.

One row per event. Required columns: ``session_id``, ``user_id``,
``timestamp`` (``datetime64[ns, UTC]``), ``event``. Optional columns are typed
when present (see :data:`OPTIONAL_COLUMNS`). Any other column is an event
property and is carried through untouched.

``validate`` also adds ``seq``: the 0-based position of the event inside its
session after sorting by ``(session_id, timestamp)`` with the input order as
the stable tie-breaker. Engines use ``seq`` so that same-instant events are
always ordered the same way on every backend.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from ._memory import LARGE_ROWS, release_after_large, release_memory
from .exceptions import SchemaError, did_you_mean

__all__ = [
    "validate_owned",
    "session_codes",
    "event_mask",
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "CATEGORICAL_COLUMNS",
    "EVENT_NAMES",
    "REJECTED_COLUMNS",
    "ValidationResult",
    "validate",
    "empty_events",
    "empty_rejected",
    "make_rejected",
    "device_from_width",
    "split_url",
    "url_pattern",
    "to_utc",
]

STRING = "string"
#: Required columns and their dtypes.
REQUIRED_COLUMNS: dict[str, str] = {
    "session_id": STRING,
    "user_id": STRING,
    "timestamp": "datetime64[ns, UTC]",
    "event": "category",
}
#: Optional columns and their dtypes (typed when present).
OPTIONAL_COLUMNS: dict[str, str] = {
    "url": "category",
    "query": STRING,
    "x": "float64",
    "y": "float64",
    "viewport_w": "Int32",
    "viewport_h": "Int32",
    "page_h": "Int32",
    "scroll_y": "float64",
    "target": "category",
    "target_text": STRING,
    "device": "category",
    "source": "category",
    "is_returning": "boolean",
    "level": "category",
    "message": STRING,
    "method": "category",
    "status": "Int32",
    "duration_ms": "float64",
}
#: Low-cardinality strings stored as categoricals (dictionary-encoded in Arrow).
CATEGORICAL_COLUMNS = tuple(
    c for c, t in {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}.items() if t == "category"
)
#: Event names the readers emit. Analytics exports keep their own names.
EVENT_NAMES = (
    "pageview",
    "click",
    "dblclick",
    "mousemove",
    "scroll",
    "input",
    "resize",
    "touch",
    "focus",
    "blur",
    "selection",
    "mutation",
    "console",
    "network",
    "error",
)
#: Columns of every ``rejected`` table.
REJECTED_COLUMNS = ("source", "position", "reason", "excerpt")
#: Device classes by viewport width (CSS px), upper bounds exclusive.
DEVICE_BREAKPOINTS = ((768, "mobile"), (1024, "tablet"))
_EXCERPT_CHARS = 200
#: Below this many rows, whole-frame operations replace the column-by-column ones that
#: keep the memory peak of large loads down (their fixed cost dominates small reads).
_SMALL_ROWS = 50_000
_UTC_NS = pd.Series([], dtype="datetime64[ns, UTC]").dtype
_DUPLICATE_KEY = ("session_id", "timestamp", "event", "x", "y", "target", "url", "message")


def _is_utc_ns(dtype: Any) -> bool:
    """``dtype`` is ``datetime64[ns, UTC]`` with the very tz object pandas gives "UTC"."""
    return isinstance(dtype, pd.DatetimeTZDtype) and dtype == _UTC_NS and dtype.tz is _UTC_NS.tz


@dataclass(frozen=True)
class ValidationResult:
    """What :func:`validate` returns: the clean events and the rows it rejected.

    Examples
    --------
    >>> t0 = pd.Timestamp("2024-05-01", tz="UTC")
    >>> df = pd.DataFrame({"session_id": ["a", "a"], "user_id": "u", "event": "click",
    ...                    "timestamp": [t0, None]})
    >>> result = validate(df, source="df")
    >>> isinstance(result, ValidationResult), len(result.events)
    (True, 1)
    >>> result.rejected[["position", "reason"]].values.tolist()
    [[1, 'missing timestamp']]
    """

    events: pd.DataFrame
    rejected: pd.DataFrame


def require_instants(timestamps: pd.Series, *, allow_naive: bool = False) -> None:
    """Refuse a ``timestamp`` column that does not hold instants: naive datetimes (no time
    zone) and numbers (seconds? milliseconds?) would be read wrongly, so they raise a
    :class:`~uxlens.exceptions.SchemaError` that says how to load them. Zoned datetimes
    and text pass (text is parsed where it is used); so do naive datetimes with
    ``allow_naive``, for analyses that only compare times within a session.

    Examples
    --------
    >>> require_instants(pd.Series(pd.to_datetime(["2024-01-01"], utc=True)))
    >>> require_instants(pd.Series([1704067200000]))
    Traceback (most recent call last):
    ...
    uxlens.exceptions.SchemaError: Column 'timestamp' holds numbers (int64), not times: ...
    """
    dtype = timestamps.dtype
    naive = dtype.kind == "M" and getattr(dtype, "tz", None) is None and not allow_naive
    if not naive and dtype.kind not in "iuf":  # (nullable Int64 and Float64 too)
        return
    present = timestamps.dropna()  # an example for the message (only when refusing)
    example = present.iloc[0] if len(present) else None
    if naive:
        raise SchemaError(
            f"Column 'timestamp' holds naive times (no time zone), e.g. {str(example)!r}; "
            "uxlens needs UTC instants.\nFix: load the events with "
            "ux.read_events(df, assume_utc=True) (or tz='Europe/Paris', the zone they were "
            "recorded in), or set df['timestamp'] = df['timestamp'].dt.tz_localize('UTC')."
        )
    raise SchemaError(
        f"Column 'timestamp' holds numbers ({dtype}), not times: e.g. {example} could be "
        "seconds or milliseconds since 1970.\nFix: load the events with "
        "ux.read_events(df), which reads epoch seconds and milliseconds, or set "
        "df['timestamp'] = pd.to_datetime(df['timestamp'], unit='ms', utc=True)."
    )


def empty_rejected() -> pd.DataFrame:
    """An empty rejected-rows table with the standard columns.

    Examples
    --------
    >>> table = empty_rejected()
    >>> len(table), list(table.columns)
    (0, ['source', 'position', 'reason', 'excerpt'])
    """
    return make_rejected([])


def make_rejected(rows: list[tuple[Any, Any, str, Any]]) -> pd.DataFrame:
    """Build a rejected-rows table from ``(source, position, reason, raw)`` tuples.

    ``raw`` is shortened to an excerpt of at most 200 characters.

    Examples
    --------
    >>> make_rejected([("a.json", 3, "missing timestamp", {"type": 3})]).iloc[0]["excerpt"]
    "{'type': 3}"
    """
    if not rows:
        return _EMPTY_REJECTED.copy()
    positions = [p for _, p, _, _ in rows]
    reasons = [r for _, _, r, _ in rows]
    if all(type(p) is int for p in positions) and all(type(r) is str for r in reasons):
        # The common case, typed directly: no inference and four casts per call.
        return pd.DataFrame({
            "source": pd.array([str(s) for s, _, _, _ in rows], dtype="string"),
            "position": np.array(positions, dtype=object),
            "reason": pd.array(reasons, dtype="string"),
            "excerpt": pd.array([_excerpt(raw) for _, _, _, raw in rows], dtype="string"),
        })
    return _rejected_frame(rows)


def _rejected_frame(rows: list[tuple[Any, Any, str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(str(s), p, r, _excerpt(raw)) for s, p, r, raw in rows],
        columns=list(REJECTED_COLUMNS),
    )
    frame["source"] = frame["source"].astype("string")
    frame["position"] = frame["position"].astype("object")
    frame["reason"] = frame["reason"].astype("string")
    frame["excerpt"] = frame["excerpt"].astype("string")
    return frame


_EMPTY_REJECTED = _rejected_frame([])


def _excerpt(raw: Any) -> str:
    text = raw if isinstance(raw, str) else repr(raw)
    return text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 1] + "…"


def empty_events() -> pd.DataFrame:
    """An empty events table with the required columns, typed.

    Examples
    --------
    >>> ev = empty_events()
    >>> len(ev), {c: str(t) for c, t in ev.dtypes.items()}
    (0, {'session_id': 'string', 'user_id': 'string', 'timestamp': 'datetime64[ns, UTC]', \
    'event': 'category', 'seq': 'int64'})
    """
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in REQUIRED_COLUMNS})
    return validate(frame, source="empty").events


def device_from_width(width: Any) -> pd.Series:
    """Device class from viewport width: < 768 mobile, < 1024 tablet, else desktop.

    Examples
    --------
    >>> list(device_from_width(pd.Series([375, 800, 1440, None])))
    ['mobile', 'tablet', 'desktop', nan]
    """
    w = pd.to_numeric(pd.Series(width), errors="coerce")
    out = pd.Series(np.where(w.isna(), None, "desktop"), index=w.index, dtype=object)
    for bound, name in reversed(DEVICE_BREAKPOINTS):
        out[w < bound] = name
    return out.where(w.notna(), np.nan)


def split_url(url: str | None) -> tuple[str | None, str | None]:
    """Normalise a URL: drop the fragment, move the query into its own value.

    Examples
    --------
    >>> split_url("https://app.example.com/onboarding/invite?step=3#top")
    ('https://app.example.com/onboarding/invite', 'step=3')
    >>> split_url("/pricing")
    ('/pricing', None)
    """
    if url is None or (isinstance(url, float) and np.isnan(url)):
        return None, None
    url = str(url)
    parts = urlsplit(url)
    base = url.split("#", 1)[0].split("?", 1)[0]
    return base, (parts.query or None)


def _normalise_urls(frame: pd.DataFrame) -> None:
    # Split each distinct URL once; rows only carry category codes.
    raw = _as_category(frame["url"])
    parts = [split_url(u) for u in raw.cat.categories]
    codes = raw.array.codes
    base_codes, bases = pd.factorize(pd.Series([p[0] for p in parts], dtype=object), sort=True)
    lut = np.r_[base_codes, -1].astype(codes.dtype if codes.dtype.itemsize >= 4 else "int32")
    frame["url"] = pd.Categorical.from_codes(lut[codes], categories=pd.Index(list(bases)))
    queries = np.array([p[1] for p in parts] + [None], dtype=object)
    has_query = np.r_[[p[1] is not None for p in parts], False]
    if not has_query.any():
        return
    query = pd.Series(queries[codes], index=frame.index)  # code -1 (missing) picks None
    if "query" in frame.columns:
        frame["query"] = frame["query"].where(frame["query"].notna(), query)
    else:
        frame["query"] = query


def _check_columns(frame: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if not missing:
        return
    hints = "".join(
        f"\n  - {c!r} is missing.{did_you_mean(c, frame.columns)}" for c in missing
    )
    raise SchemaError(
        "The events table lacks required columns:"
        f"{hints}\nFound columns: {list(frame.columns)}.\n"
        "Fix: rename them, e.g. ux.read_events(df, columns={'your_name': 'session_id'})."
    )


def to_utc(values: pd.Series, *, assume_utc: bool) -> tuple[pd.Series, pd.Series]:
    """Parse timestamps to UTC; returns (parsed, reason-per-row for failures).

    Datetimes (naive only with ``assume_utc``), epoch numbers (seconds,
    milliseconds or microseconds, decided by magnitude) and ISO strings with
    an offset are accepted.

    Examples
    --------
    Epoch seconds and milliseconds are told apart by magnitude:

    >>> to_utc(pd.Series([1714550400]), assume_utc=False)[0][0]
    Timestamp('2024-05-01 08:00:00+0000', tz='UTC')
    >>> to_utc(pd.Series([1714550400000]), assume_utc=False)[0][0]
    Timestamp('2024-05-01 08:00:00+0000', tz='UTC')
    >>> parsed, reasons = to_utc(pd.Series(["2024-05-01T12:00:00+02:00", "not a time"]),
    ...                          assume_utc=False)
    >>> parsed[0], reasons.tolist()
    (Timestamp('2024-05-01 10:00:00+0000', tz='UTC'), [nan, 'unparseable timestamp'])
    """
    reasons = pd.Series(None, index=values.index, dtype=object)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        ts = values
        if getattr(ts.dt, "tz", None) is None:
            if not assume_utc:
                raise SchemaError(
                    "Column 'timestamp' holds naive datetimes (no time zone). uxlens "
                    "needs UTC instants.\nFix: localise them first, e.g. "
                    "df['timestamp'] = df['timestamp'].dt.tz_localize('Europe/Paris'), "
                    "or pass assume_utc=True if they are already UTC."
                )
            ts = ts.dt.tz_localize("UTC")
        missing = ts.isna().to_numpy()
        if missing.any():
            reasons[missing] = "missing timestamp"
        if _is_utc_ns(ts.dtype):  # what the conversion below makes: nothing to convert
            return ts, reasons
        return ts.dt.tz_convert("UTC").astype("datetime64[ns, UTC]"), reasons
    if values.dtype == object and values.notna().any():
        as_num = pd.to_numeric(values, errors="coerce")
        if as_num.notna().sum() == values.notna().sum():
            values = as_num
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    ):
        num = pd.to_numeric(values, errors="coerce").astype("float64")
        # Epoch numbers: seconds, milliseconds or microseconds, decided by magnitude.
        unit = "ms"
        finite = num[np.isfinite(num)]
        if len(finite):
            med = float(np.median(np.abs(finite)))
            unit = "s" if med < 1e11 else "ms" if med < 1e14 else "us"
        factor = {"s": 1e9, "ms": 1e6, "us": 1e3}[unit]
        in_range = (num * factor).abs() < 9.2e18  # datetime64[ns] spans years 1677-2262
        ts = pd.to_datetime(num.where(in_range), unit=unit, utc=True, errors="coerce")
        absent, failed = num.isna().to_numpy(), ts.isna().to_numpy()
        if failed.any():  # (missing numbers fail too)
            reasons[absent] = "missing timestamp"
            reasons[~absent & failed] = "timestamp out of range"
        return ts.astype("datetime64[ns, UTC]"), reasons
    text = values.astype(object)
    as_text = text.astype(str)
    missing = text.isna() | (as_text.str.strip() == "")
    has_zone = as_text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)\s*$", regex=True)
    del as_text  # not held while parsing
    parsed = pd.to_datetime(text.where(~missing), utc=True, errors="coerce", format="mixed")
    naive = ~missing & parsed.notna() & ~has_zone
    if naive.any() and not assume_utc:
        if naive.all():
            raise SchemaError(
                "Column 'timestamp' holds naive date strings (no time zone), e.g. "
                f"{text[naive].iloc[0]!r}. uxlens needs UTC instants.\nFix: pass "
                "assume_utc=True if they are UTC, or tz='Europe/Paris' to read_events, "
                "or add an offset such as '+00:00'."
            )
        reasons[naive] = "naive timestamp mixed with zoned timestamps"
    absent, failed = missing.to_numpy(), parsed.isna().to_numpy()
    if failed.any():  # (missing values fail too; these two sets never overlap the naive ones)
        reasons[absent] = "missing timestamp"
        reasons[~absent & failed] = "unparseable timestamp"
    return parsed.astype("datetime64[ns, UTC]"), reasons


def validate(
    events: pd.DataFrame,
    *,
    source: str = "events",
    assume_utc: bool = False,
    drop_duplicates: bool = True,
) -> ValidationResult:
    """Check and type an events table; return clean events and rejected rows.

    Parameters
    ----------
    events
        A DataFrame with at least the required columns.
    source
        Name used in the ``source`` column of rejected rows (file name, reader).
    assume_utc
        Treat naive timestamps as UTC instead of raising.
    drop_duplicates
        Reject exact duplicate events (same session, time, event, position,
        target, url and message) after the first.

    Returns
    -------
    ValidationResult
        ``events`` sorted by ``(session_id, timestamp)`` with a stable tie order,
        typed per the schema and with a ``seq`` column; ``rejected`` lists rows
        with a missing session id, unparseable or missing timestamps, empty
        event names, non-finite coordinates or duplicates.

    Raises
    ------
    SchemaError
        When a required column is missing or timestamps are naive.

    Examples
    --------
    >>> raw = pd.DataFrame({
    ...     "session_id": ["s1", "s1", "s2"], "user_id": ["u1", "u1", None],
    ...     "timestamp": ["2024-01-01T00:00:02Z", "2024-01-01T00:00:01Z", "bad"],
    ...     "event": ["click", "pageview", "click"]})
    >>> result = validate(raw)
    >>> list(result.events["event"]), list(result.rejected["reason"])
    (['pageview', 'click'], ['unparseable timestamp'])
    """
    return validate_owned([events], source=source, assume_utc=assume_utc,
                          drop_duplicates=drop_duplicates)


def validate_owned(
    holder: list[pd.DataFrame],
    *,
    source: str = "events",
    assume_utc: bool = False,
    drop_duplicates: bool = True,
    excerpts: list[Callable[[np.ndarray], list[Any]]] | None = None,
) -> ValidationResult:
    """:func:`validate` of the frame popped from ``holder``, for callers that give it up.

    With ``excerpts`` (a one-element list holding ``f(positions) -> raw rows``,
    also popped), the input frame is released as soon as the working copy
    exists and the excerpt function once the rejected rows are known, so a
    10-million-row input and its typed copy are not both kept whole while
    duplicates are dropped. Memory is only saved when the caller keeps no
    other reference to the frame or to what the function reads.

    Examples
    --------
    >>> raw = pd.DataFrame({"session_id": ["s1", "s1"], "user_id": "u", "event": "click",
    ...                     "timestamp": ["2024-01-01T00:00:01Z"] * 2})
    >>> holder = [raw]
    >>> del raw
    >>> result = validate_owned(holder, excerpts=[lambda pos: [{"row": int(p)} for p in pos]])
    >>> holder, len(result.events), list(result.rejected["excerpt"])
    ([], 1, ["{'row': 1}"])
    """
    events = holder.pop()
    if not isinstance(events, pd.DataFrame):
        raise SchemaError(
            f"Expected a pandas DataFrame of events, got {type(events).__name__}."
        )
    _check_columns(events)
    frame = events.reset_index(drop=True)
    if "seq" in frame.columns:
        frame = frame.drop(columns=["seq"])
    if excerpts:
        raw_rows = excerpts.pop()
        del events  # the working frame shares what it still needs
    else:
        def raw_rows(positions: np.ndarray, _events: pd.DataFrame = events) -> list[Any]:
            return _events.iloc[positions].to_dict("records")
        del events
    ts, reasons = to_utc(frame["timestamp"], assume_utc=assume_utc)  # a new Series: ours
    frame["timestamp"] = ts

    sid = _as_string(frame["session_id"])
    reasons[_blank(sid) & reasons.isna().to_numpy()] = "missing session_id"
    reasons[_blank(frame["event"]) & reasons.isna().to_numpy()] = "missing event name"

    frame["session_id"] = sid
    uid = _as_string(frame["user_id"])
    # Unknown users get the session as anonymous id (what analytics tools do).
    blank_uid = _blank(uid, strip=False)
    frame["user_id"] = uid.where(~blank_uid, sid) if blank_uid.any() else uid
    del ts, sid, uid, blank_uid  # the frame holds them: let _drop_rows release each column

    for col in ("x", "y", "scroll_y", "duration_ms"):
        if col in frame.columns and frame[col].dtype == np.float64:  # no copy: flag infinities
            values = frame[col].to_numpy()
            bad = np.isinf(values)
            if bad.any():
                reasons[bad & reasons.isna().to_numpy()] = f"non-numeric or infinite {col}"
        elif col in frame.columns:
            num = pd.to_numeric(frame[col], errors="coerce").astype("float64")
            bad = frame[col].notna() & ~np.isfinite(num.fillna(0.0)) | (
                frame[col].notna() & num.isna()
            )
            reasons[bad & reasons.isna()] = f"non-numeric or infinite {col}"
            frame[col] = num
    for col in ("viewport_w", "viewport_h", "page_h", "status"):
        if col in frame.columns and pd.api.types.is_integer_dtype(frame[col].dtype):
            values = frame[col]  # integers already: check the range, no float copy
            limit = np.iinfo(np.int32).max
            too_big = ((values > limit) | (values < -limit)).fillna(False).to_numpy(dtype=bool)
            if too_big.any():
                reasons[too_big & reasons.isna().to_numpy()] = f"{col} out of range"
                values = values.where(~too_big)
            frame[col] = values.astype("Int32")
        elif col in frame.columns:
            num = pd.to_numeric(frame[col], errors="coerce").astype("float64")
            too_big = num.abs() > np.iinfo(np.int32).max
            reasons[too_big & reasons.isna()] = f"{col} out of range"
            num = num.where(np.isfinite(num) & ~too_big)
            frame[col] = num.round().astype("Int32")

    values = num = None  # (the last checked column, held by the frame)
    if "url" in frame.columns:
        _normalise_urls(frame)
    if "device" not in frame.columns and "viewport_w" in frame.columns:
        frame["device"] = device_from_width(frame["viewport_w"]).values

    bad_rows = reasons.notna().to_numpy()
    rejected_parts = []
    if bad_rows.any():
        positions = np.flatnonzero(bad_rows)
        rejected_parts.append(_rejected_rows(raw_rows, positions, reasons.iloc[positions], source))
        handed = [frame]
        del frame
        frame = _drop_rows(handed, bad_rows)
    del reasons, bad_rows  # one object per row: not kept through the sort and the dedup

    codes = session_codes(frame["session_id"])
    if not _is_sorted(frame, codes):  # exports are often sorted already: skip a full copy
        if len(frame) < _SMALL_ROWS:  # one take, not a helper column and three frame copies
            frame = frame.take(_sort_order(frame))
        else:
            frame = frame.assign(_order=np.arange(len(frame)))
            frame = frame.sort_values(["session_id", "timestamp", "_order"], kind="stable")
            frame = frame.drop(columns="_order")
        codes = session_codes(frame["session_id"])
        if codes is None:  # sorted now, so equal ids are neighbours whatever their order
            codes = pd.factorize(frame["session_id"])[0]
    if drop_duplicates and len(frame) > 1:
        dup = _duplicates(frame, codes)
        if dup.any():
            positions = frame.index.to_numpy()[dup]  # row numbers of the input
            order = np.argsort(positions, kind="stable")  # rejected rows in input order
            positions = positions[order]
            rejected_parts.append(_rejected_rows(
                raw_rows, positions, pd.Series("duplicate event", index=positions), source))
            del raw_rows  # nothing else needs the raw rows: let them go before the copy
            handed = [frame]
            del frame
            frame = _drop_rows(handed, dup)
            codes = codes[~dup]
    frame = frame.reset_index(drop=True)
    frame["seq"] = seq_in_session(codes)
    release_after_large(len(frame))  # the raw rows are gone: return their memory first
    frame = _apply_dtypes(frame)
    rejected = (
        pd.concat(rejected_parts, ignore_index=True) if rejected_parts else empty_rejected()
    )
    return ValidationResult(frame, rejected)


def _as_string(values: pd.Series) -> pd.Series:
    """Values as the nullable ``string`` dtype (numbers become their text), without a
    round trip through Python objects when they are strings already."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is pd.NA:  # not "str" (NaN-valued)
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        return values.cat.rename_categories(cats.astype(str)).astype(STRING) if len(cats) else (
            values.astype(object).astype(STRING))
    return values.astype(STRING)


def _blank(values: pd.Series, *, strip: bool = True) -> np.ndarray:
    """Missing or empty (only whitespace, with ``strip``) values, as a boolean array."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = pd.Series(values.cat.categories.astype(str))
        blank = (cats.str.strip() if strip else cats) == ""
        return np.r_[blank.to_numpy(dtype=bool), True][values.array.codes]  # -1: missing
    text = _as_string(values)
    empty = (text.str.strip() if strip else text) == ""
    return text.isna().to_numpy() | empty.fillna(True).to_numpy(dtype=bool)


def _drop_rows(handed: list[pd.DataFrame], drop: np.ndarray) -> pd.DataFrame:
    """``frame.loc[~drop]`` of the frame popped from ``handed``, one column at a time, each
    source column released once copied (when nothing else holds it) and, for large
    frames, its memory returned to the system: the peak is the result plus one
    column, not two whole tables."""
    frame = handed.pop()
    rows = np.flatnonzero(~drop)
    if len(frame) < _SMALL_ROWS:  # a copy of a small frame costs less than per-column work
        return frame.take(rows)
    index = frame.index[rows]
    columns = {name: frame[name] for name in frame.columns}
    del frame
    out = {}
    large = len(rows) >= LARGE_ROWS
    for name in list(columns):
        # The column's values only: Series.take would take (and check) the index too.
        out[name] = pd.Series(columns.pop(name).array.take(rows), name=name, copy=False)
        if large:  # allocators keep a freed column for reuse: hand it back now
            release_memory()
    result = pd.DataFrame(out, copy=False)
    result.index = index
    return result


def session_codes(series: pd.Series) -> np.ndarray | None:
    """Codes that change where the session changes, or ``None`` if the ids are not sorted
    (or some are missing): one Arrow pass over neighbours, no hashing of every id.
    The codes are int32 (int64 from 2**31 rows on).

    Examples
    --------
    >>> session_codes(pd.Series(["a", "a", "b"], dtype="string")).tolist()
    [0, 0, 1]
    >>> session_codes(pd.Series(["b", "a"], dtype="string")) is None
    True
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(series)
    if n == 0:
        return np.zeros(0, dtype="int64")
    arr = getattr(series.array, "_pa_array", None)
    if arr is None:
        arr = pa.array(series.astype(str).to_numpy(dtype=object))
    if arr.null_count:
        return None
    if n > 1:  # Arrow compares chunked arrays chunk by chunk: no combined copy of the ids
        tail, head = arr.slice(1), arr.slice(0, n - 1)
        if pc.any(pc.less(tail, head)).as_py():
            return None
        change = pc.not_equal(tail, head).to_numpy(zero_copy_only=False)
    else:
        change = np.zeros(0, dtype=bool)
    out = np.zeros(n, dtype="int32" if n < 2**31 else "int64")  # a code per row: keep it small
    np.cumsum(change, out=out[1:])
    return out


def _sort_order(frame: pd.DataFrame) -> np.ndarray:
    """Row order by ``(session_id, timestamp, input order)``, as the stable sort of the
    columns gives it (ids and times present: rows without them are rejected before)."""
    ranks = pd.factorize(frame["session_id"], sort=True)[0]
    ticks = frame["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    return np.lexsort((np.arange(len(frame)), ticks, ranks))


def run_starts(values: np.ndarray) -> np.ndarray:
    """Positions where a run of equal neighbours starts (the first row of each session,
    for rows grouped by session).

    Examples
    --------
    >>> run_starts(np.array([0, 0, 1, 1, 1, 2])).tolist()
    [0, 2, 5]
    >>> run_starts(np.array([], dtype=int)).tolist()
    []
    """
    if not len(values):
        return np.zeros(0, dtype="int64")
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]])


def seq_in_session(codes: np.ndarray) -> np.ndarray:
    """Each row's position in its session, for rows grouped by session (``codes`` as
    :func:`session_codes`): a counter reset at every boundary, no hashing of the ids.

    Examples
    --------
    >>> seq_in_session(np.array([0, 0, 1, 1, 1, 2])).tolist()
    [0, 1, 0, 1, 2, 0]
    """
    n = len(codes)
    starts = run_starts(codes)
    return np.arange(n, dtype="int64") - np.repeat(starts, np.diff(np.r_[starts, n]))


def _is_sorted(frame: pd.DataFrame, codes: np.ndarray | None = None) -> bool:
    """Whether rows are in ``(session_id, timestamp)`` order (ties in input order).

    ``codes`` are the frame's :func:`session_codes` when already computed.
    """
    if len(frame) < 2:
        return True
    codes = session_codes(frame["session_id"]) if codes is None else codes
    if codes is None:
        return False
    ts = frame["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    same = codes[1:] == codes[:-1]
    return bool(np.all((ts[1:] >= ts[:-1]) | ~same))


def _duplicates(frame: pd.DataFrame, codes: np.ndarray) -> np.ndarray:
    """Rows equal to an earlier one on the duplicate key, in a frame sorted by
    ``(session_id, timestamp, input order)`` with session ``codes``: only rows sharing
    their session and instant with a neighbour can be duplicates, so just those are
    compared."""
    ts = frame["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    same = (ts[1:] == ts[:-1]) & (codes[1:] == codes[:-1])
    candidate = np.r_[same, False] | np.r_[False, same]
    dup = np.zeros(len(frame), dtype=bool)
    if candidate.any():
        key = [c for c in _DUPLICATE_KEY if c in frame.columns]
        dup[candidate] = frame.loc[candidate, key].duplicated(keep="first").to_numpy()
    return dup


def _rejected_rows(
    raw_rows: Callable[[np.ndarray], list[Any]], positions: np.ndarray, reasons: pd.Series,
    source: str,
) -> pd.DataFrame:
    """Rejected rows of the input at ``positions`` (one vectorised row lookup)."""
    raws = raw_rows(positions)
    return make_rejected(
        [(source, int(p), str(r), raw) for p, r, raw in zip(positions, reasons, raws)]
    )


def _apply_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    dtypes: Mapping[str, str] = {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}
    for col, dtype in dtypes.items():
        if col not in frame.columns or col == "timestamp":
            continue
        values = frame[col]
        if dtype == "category":
            typed = _as_category(values)
        elif dtype == STRING:
            typed = _as_string(values)
        elif values.dtype == dtype:  # typed already (Int32, float64, boolean): no copy
            continue
        else:
            typed = values.astype(dtype)
        if typed is not values:
            frame[col] = typed
    front = [c for c in REQUIRED_COLUMNS] + ["seq"]
    rest = [c for c in OPTIONAL_COLUMNS if c in frame.columns]
    props = [c for c in frame.columns if c not in front and c not in rest]
    order = front + rest + props
    return frame if list(frame.columns) == order else frame[order]


def event_mask(events: pd.Series, names: Iterable[str]) -> np.ndarray:
    """Rows whose value is one of ``names``, by category code when categorical (no string
    comparison per row).

    Examples
    --------
    >>> ev = pd.Series(["click", "pageview", None, "click"], dtype="category")
    >>> event_mask(ev, ["click", "scroll"]).tolist()
    [True, False, False, True]
    """
    names = list(names)
    if isinstance(events.dtype, pd.CategoricalDtype):
        return code_flags(events.cat.categories, names)[events.array.codes]
    return events.isin(names).to_numpy()


def code_flags(categories: pd.Index, values: Iterable[Any]) -> np.ndarray:
    """Per category code, whether its category is one of ``values``; one slot more, for
    code -1 (a missing value), which never is: index it with a categorical's codes.

    Examples
    --------
    >>> code_flags(pd.Index(["a", "b", "c"]), ["c", "x"]).tolist()
    [False, False, True, False]
    """
    flags = np.zeros(len(categories) + 1, dtype=bool)
    values = list(values)
    if values and len(categories):
        found = categories.get_indexer(values)
        flags[found[found >= 0]] = True
    return flags


def categories_in_use(values: pd.Series) -> np.ndarray:
    """Per category of a categorical, whether some row holds it.

    Examples
    --------
    >>> categories_in_use(pd.Series(["b", None], dtype=pd.CategoricalDtype(["a", "b"]))).tolist()
    [False, True]
    """
    cats = values.cat.categories
    return np.bincount(values.array.codes + 1, minlength=len(cats) + 1)[1:] > 0


def _as_category(values: pd.Series) -> pd.Series:
    """A categorical of the values present, categories sorted (as ``astype("category")``
    of the values gives), without a round trip through Python objects."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _used_categories_sorted(values)
    if values.dtype == object:
        missing = values.isna().to_numpy()
        if missing.any():  # (nothing to unify otherwise: skip the copy)
            values = values.where(~missing)  # pd.NA and None as one missing value
    return values.astype("category")


def _used_categories_sorted(values: pd.Series) -> pd.Series:
    """The categorical without its unused categories, the rest sorted (kept in their
    order when they do not sort: mixed types). One count of the codes and one lookup,
    where pandas' ``remove_unused_categories`` sorts every code (1.4 s at 10M rows for
    five columns, against 0.15 s)."""
    codes = values.array.codes
    cats = values.cat.categories
    used = categories_in_use(values)
    kept = cats[used] if not used.all() else cats
    try:
        kept, order = kept.sort_values(return_indexer=True)
    except TypeError:  # mixed types: keep their order
        order = np.arange(len(kept))
    if used.all() and (order == np.arange(len(order))).all():
        return values  # every category used, already sorted
    remap = np.full(len(cats) + 1, -1, dtype=np.int64)  # last slot: code -1 stays -1
    remap[np.flatnonzero(used)[order]] = np.arange(len(kept))
    dtype = pd.CategoricalDtype(kept, ordered=values.cat.ordered)
    new_codes = remap.astype(codes.dtype)[codes]
    return pd.Series(pd.Categorical.from_codes(new_codes, dtype=dtype, validate=False),
                     index=values.index, name=values.name, copy=False)


def url_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a URL filter: exact path/URL, ``*`` wildcards, or ``re:`` regex.

    A pattern without a scheme matches the URL's path, so ``"/onboarding/*"``
    matches ``"https://app.example.com/onboarding/invite"``.

    Examples
    --------
    >>> bool(url_pattern("/onboarding/*").search("https://a.com/onboarding/invite"))
    True
    >>> bool(url_pattern("/pricing").search("https://a.com/pricing/plans"))
    False
    >>> bool(url_pattern("re:/project/\\\\d+$").search("https://a.com/project/12"))
    True
    """
    if pattern.startswith("re:"):
        return re.compile(pattern[3:])
    body = ".*".join(re.escape(part) for part in pattern.split("*"))
    if "://" in pattern:
        return re.compile("^" + body + "$")
    return re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*)?" + body + "$")

