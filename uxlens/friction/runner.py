"""The events table behind the detectors, and how a detector runs on it.

In memory (no backend) a detector is a numpy pass over
:class:`uxlens.engine.friction.Frame`; with an Ibis backend it is the Ibis
expression of the same name in :mod:`uxlens.engine.friction`, executed there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..engine.friction import DeadParams
from ..events import require_instants, run_starts
from ..exceptions import SchemaError, did_you_mean

_ENGINE_COLUMNS = ("session_id", "seq", "timestamp", "event", "url", "x", "y", "target",
                   "level", "status", "duration_ms", "is_interactive", "target_is_control")


_EXTRA_ENGINE_COLUMNS = ("scroll_y", "page_h", "viewport_h")


def _frame(events: Any) -> pd.DataFrame:
    """The canonical DataFrame behind an EventLog / DataFrame (validated if needed)."""
    frame = getattr(events, "events", events)
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(
            "Expected an EventLog or a canonical events DataFrame, got "
            f"{type(events).__name__}. Fix: load data with ux.read_events(...) or ux.read_rrweb(...)."
        )
    if "seq" not in frame.columns:
        from ..events import validate

        frame = validate(frame, source="friction").events
    for col in ("session_id", "timestamp", "event"):
        if col not in frame.columns:
            raise SchemaError(
                f"The events table has no {col!r} column.{did_you_mean(col, frame.columns)} "
                f"Found: {list(frame.columns)}."
            )
    # Friction compares times within a session only: naive times (e.g. an engine's
    # output) are fine, numbers are not.
    require_instants(frame["timestamp"], allow_naive=True)
    for col in ("session_id", "timestamp"):
        missing = int(frame[col].isna().sum())
        if missing:
            raise SchemaError(
                f"{missing:,} of {len(frame):,} events have no {col}: friction needs both a "
                "session and a time for every event.\nFix: load the events with "
                "ux.read_events(df), which sets such rows aside in log.rejected."
            )
    return frame


def _dead_mode(frame: pd.DataFrame, dead: DeadParams) -> str:
    if dead.mode != "auto":
        return dead.mode
    ev = frame["event"]
    if isinstance(ev.dtype, pd.CategoricalDtype):
        has = "mutation" in ev.cat.categories and bool((ev == "mutation").any())
    else:
        has = bool((ev.astype(str) == "mutation").any())
    return "mutation" if has else "fallback"


class _Engine:
    """Runs a detector on numpy (pandas input, no backend) or as an Ibis expression."""

    def __init__(self, frame: pd.DataFrame, backend: Any = None, *,
                 session_codes: Any = None) -> None:
        self.frame = frame
        self.session_codes = session_codes  # the frame's, when an EventLog has them already
        self.backend = backend
        self.in_memory = backend is None
        self._fr: Any = None
        self._table: Any = None

    @property
    def table(self) -> Any:
        if self._table is None:
            self._table = _engine_table_full(self.frame, self.backend)
        return self._table

    @property
    def fr(self) -> Any:
        if self._fr is None:
            from ..engine.friction import Frame

            self._fr = Frame(self.frame, sid=self.session_codes)
        return self._fr

    def run(self, name: str, *args: Any, **kwargs: Any) -> pd.DataFrame:
        from ..engine import friction as eng

        if self.in_memory:
            return getattr(eng, "np_" + name)(self.fr, *args, **kwargs)
        return _run(getattr(eng, name)(self.table, *args, **kwargs), self.backend)


def _engine_table_full(frame: pd.DataFrame, backend: Any = None) -> Any:
    from ..engine.backend import as_table

    cols = [c for c in _ENGINE_COLUMNS + _EXTRA_ENGINE_COLUMNS if c in frame.columns]
    sub = frame[cols]
    for col in ("is_interactive", "target_is_control"):
        if col in sub.columns:
            sub = sub.assign(**{col: sub[col].astype("boolean")})
    return as_table(sub, backend)


def _run(expr: Any, backend: Any) -> pd.DataFrame:
    from ..engine.backend import execute

    return execute(expr, backend)


def _firsts(fr: Any) -> np.ndarray:
    """Position of the first row of each session in an engine frame."""
    return run_starts(fr.sid)
