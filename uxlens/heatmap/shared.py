"""The data a heatmap and its variants share: events, backend table, caches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..engine import heatmap as eng
from ..engine.backend import as_table, execute
from ..exceptions import UxlensError

if TYPE_CHECKING:  # pragma: no cover
    from ..eventlog import EventLog

@dataclass
class _Shared:
    """State shared by a heatmap and the variants made with :meth:`Heatmap.with_`."""

    source: Any
    backend: Any
    log: EventLog | None
    table: Any
    cache: dict[Any, Any] = field(default_factory=dict)


def _as_shared(events: Any, backend: Any) -> _Shared:
    import ibis.expr.types as ir

    from ..eventlog import EventLog, engine_input

    if isinstance(events, _Shared):
        return events
    events = engine_input(events)  # a lazy log is aggregated in its backend
    if isinstance(events, EventLog):
        log = events
    elif isinstance(events, pd.DataFrame):
        frame = events
        if "seq" not in frame.columns:
            from ..events import validate

            frame = validate(frame, source="heatmap").events
        log = EventLog(frame)
    elif isinstance(events, ir.Table):
        log = None
    else:
        raise UxlensError(
            "Heatmap expects an EventLog, a canonical events DataFrame or an Ibis table; "
            f"got {type(events).__name__}. Fix: load data with ux.read_rrweb(...) or "
            "ux.read_events(...)."
        )
    table = as_table(log if log is not None else events, backend)
    return _Shared(events, backend, log, eng.ensure_columns(table))


def _screen_shared(shared: _Shared, backend: Any) -> _Shared:
    """``shared`` with a ``screen`` column, found from the recordings when missing (cached)."""
    if "screen" in shared.table.columns:
        return shared
    cached = shared.cache.get("screen_shared")
    if cached is not None:
        return cached
    log = shared.log
    if log is None or not log.recordings:
        raise UxlensError(
            "Heatmap(screen=...) needs a 'screen' column on the events or rrweb recordings to "
            "find the screens in; these events have neither. Fix: load the data with "
            "ux.read_rrweb(...) (recordings kept) or add a 'screen' column "
            "(uxlens.screens.add_screen_column(log))."
        )
    from ..screens import add_screen_column

    cached = shared.cache["screen_shared"] = _as_shared(add_screen_column(log), backend)
    return cached


def _screen_names(shared: _Shared) -> list[str]:
    """Distinct values of the ``screen`` column (cached on the shared state)."""
    if "screen_names" not in shared.cache:
        if shared.log is not None and "screen" in shared.log.events.columns:
            col = shared.log.events["screen"]
            values = pd.unique(col.dropna().astype(str))
        else:
            t = shared.table
            values = execute(t.filter(t.screen.notnull()).select("screen").distinct())[
                "screen"].astype(str).tolist()
        shared.cache["screen_names"] = sorted(str(v) for v in values)
    return shared.cache["screen_names"]
