"""Funnels: how many units get through a sequence of steps, and who drops where.

``Funnel`` is a thin, lazy object: constructing it checks the arguments; the
first call that needs numbers (``table()``, ``plot()``, ``dropped()``...) runs the
engine once and caches the per-unit results. The counting itself lives in
:mod:`uxlens.engine.funnel`; the figures in :mod:`uxlens.plotting.funnel`; the
statistics in :mod:`uxlens.stats`.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .engine import funnel as _eng
from .engine.backend import get_backend
from .engine.funnel_frame import frame_rows
from .events import categories_in_use, event_mask
from .exceptions import SchemaError, UxlensError, did_you_mean
from .export import Exportable

__all__ = ["Funnel", "Step", "Exclusion", "TimeToConvert"]

ORDERS = ("ordered", "strict", "unordered")
UNITS = ("user", "session")
ATTRIBUTIONS = ("first_touch", "last_touch", "all_events", "step:N")
NONE_LABEL = _eng.NONE_LABEL
_STRUCTURAL = {
    "session_id", "user_id", "timestamp", "event", "seq", "t_ms", "x", "y", "scroll_y",
    "viewport_w", "viewport_h", "page_h", "query", "target_text", "message", "duration_ms",
    "status", "method", "level", "url", "target", "request_url", "window_id",
}


#: Event name of the rows a funnel adds for ``Step(screen=...)`` without an event:
#: one per visit to a screen, at the visit's first event.
SCREEN_ENTERED = "$uxlens_screen_entered"


# --------------------------------------------------------------------------- steps
class Step:
    """One funnel step: an event name plus optional filters.

    Parameters
    ----------
    event
        Event name as it appears in the ``event`` column (``"signup_done"``,
        ``"click"``, ``"$pageview"``). ``None`` with ``screen``: the user
        entered that screen (see ``screen``).
    screen
        A screen state (a name from ``log.screens()``): the step's event must
        happen on that screen (it is merged into ``where`` as
        ``{"screen": screen}``). Without ``event`` the step is "entered the
        screen": it matches the first event of each visit to the screen, a
        visit being a run of consecutive events of the session (in ``seq``
        order) on that screen. The funnel adds a ``screen`` column from the
        recordings (:func:`uxlens.screens.add_screen_column`) when the events
        have none.
    where
        Equality filters on event columns: ``{"plan": "pro"}``; a list means
        "any of", ``None`` means "missing".
    url
        URL pattern of the page the event happened on: an exact path
        (``"/onboarding/invite"``), ``*`` wildcards (``"/project/*"``) or
        ``"re:<regex>"``.
    target
        CSS selector of the element acted on, matched like ``closest()``:
        ``"#send-invites"`` matches clicks on that button and on its children.
    label
        Name shown in tables and charts (default: the event and its filters).

    Examples
    --------
    >>> Step("click", target="#send-invites").label
    'click #send-invites'
    >>> Step("signup_done", where={"plan": "pro"}, label="Signed up (pro)").label
    'Signed up (pro)'
    >>> Step(screen="Your projects").label
    'entered Your projects'
    """

    def __init__(
        self,
        event: str | None = None,
        *,
        screen: str | None = None,
        where: Mapping[str, Any] | None = None,
        url: str | None = None,
        target: str | None = None,
        label: str | None = None,
    ) -> None:
        if screen is not None and (not isinstance(screen, str) or not screen):
            raise UxlensError(
                f"Step(screen=...) must be a screen name from log.screens(); got {screen!r}."
            )
        if event is None and screen is None:
            raise UxlensError(
                "Step needs an event name (Step('signup_done')) or a screen "
                "(Step(screen='Your projects'): the user entered that screen); got neither."
            )
        if event is not None and (not isinstance(event, str) or not event):
            raise UxlensError(
                f"Step(event=...) must be a non-empty event name; got {event!r}."
            )
        if where is not None and not isinstance(where, Mapping):
            raise UxlensError(
                "Step(where=...) must be a dict of {column: value}; "
                f"got {type(where).__name__}."
            )
        for name, value in (("url", url), ("target", target), ("label", label)):
            if value is not None and not isinstance(value, str):
                raise UxlensError(f"Step({name}=...) must be a string; got {value!r}.")
        if screen is not None:
            if where and "screen" in where and where["screen"] != screen:
                raise UxlensError(
                    f"Step(screen={screen!r}) conflicts with where={{'screen': "
                    f"{where['screen']!r}}}; give the screen once."
                )
            where = {**dict(where or {}), "screen": screen}
        self.screen = screen
        self.entered = event is None
        self.event = event if event is not None else SCREEN_ENTERED
        self.where = dict(where) if where else None
        self.url = url
        self.target = target
        self._label = label

    @property
    def label(self) -> str:
        """The step's display name.

        Examples
        --------
        >>> Step("pageview", url="/onboarding/invite").label
        'pageview /onboarding/invite'
        """
        if self._label:
            return self._label
        if self.entered:
            parts = [f"entered {self.screen}"]
            if self.url:
                parts.append(self.url)
            rest = {k: v for k, v in (self.where or {}).items() if k != "screen"}
            if rest:
                parts.append("(" + ", ".join(f"{k}={v}" for k, v in rest.items()) + ")")
            return " ".join(parts)
        parts = [self.event]
        if self.url:
            parts.append(self.url)
        if self.target:
            parts.append(self.target)
        if self.where:
            parts.append("(" + ", ".join(f"{k}={v}" for k, v in self.where.items()) + ")")
        return " ".join(parts)

    def _key(self) -> tuple[Any, ...]:
        return (self.event, _eng.mapping_items(self.where), self.url, self.target)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Step) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        if self.entered:
            args = [f"screen={self.screen!r}"]
            rest = {k: v for k, v in (self.where or {}).items() if k != "screen"}
            if rest:
                args.append(f"where={rest!r}")
            for name in ("url", "target"):
                if getattr(self, name) is not None:
                    args.append(f"{name}={getattr(self, name)!r}")
            if self._label:
                args.append(f"label={self._label!r}")
            return f"Step({', '.join(args)})"
        args = [repr(self.event)]
        for name in ("where", "url", "target"):
            if getattr(self, name) is not None:
                args.append(f"{name}={getattr(self, name)!r}")
        if self._label:
            args.append(f"label={self._label!r}")
        return f"Step({', '.join(args)})"


class Exclusion:
    """An event that, between two steps, removes the unit from the funnel.

    Parameters
    ----------
    event
        Event name, or a :class:`Step` for an event with filters.
    from_step, to_step
        1-based steps, ``from_step < to_step``; ``to_step=None`` means the last
        step. Unordered funnels only accept exclusions over the whole funnel.

    Examples
    --------
    >>> Exclusion("logout", from_step=1, to_step=2)
    Exclusion('logout', from_step=1, to_step=2)
    """

    def __init__(self, event: str | Step, from_step: int = 1, to_step: int | None = None) -> None:
        self.step = event if isinstance(event, Step) else Step(event)
        self.event = self.step.event
        self.from_step = from_step
        self.to_step = to_step

    def __repr__(self) -> str:
        ev = repr(self.event) if self.step == Step(self.event) else repr(self.step)
        return f"Exclusion({ev}, from_step={self.from_step!r}, to_step={self.to_step!r})"


# --------------------------------------------------------------------- validation
def _window_ms(window: Any) -> int:
    hint = "Pass a string such as '30min', '1h', '14D' or a pandas.Timedelta."
    if isinstance(window, bool) or not isinstance(
        window, (str, pd.Timedelta, _dt.timedelta, np.timedelta64)
    ):
        raise UxlensError(f"Funnel(window=...) must be a duration; got {window!r}. {hint}")
    try:
        td = pd.Timedelta(window)
    except (ValueError, TypeError) as exc:
        raise UxlensError(f"Funnel(window=...) could not be read: {window!r}. {hint}") from exc
    if td is pd.NaT or pd.isna(td):
        raise UxlensError(f"Funnel(window=...) must be a duration; got {window!r}. {hint}")
    ms = td // pd.Timedelta(1, "ms")
    if ms <= 0:
        raise UxlensError(
            f"Funnel(window=...) must be longer than 0 (at least 1 ms); got {window!r}. {hint}"
        )
    return int(ms)


def _choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise UxlensError(
            f"Funnel({name}=...) must be one of {options}; got {value!r}."
            f"{did_you_mean(str(value), allowed)}"
        )
    return str(value)


def _as_step(step: Any, position: int) -> Step:
    if isinstance(step, Step):
        return step
    if isinstance(step, str) and step:
        return Step(step)
    raise UxlensError(
        f"Funnel(steps=...): step {position} must be an event name or ux.Step(...); "
        f"got {step!r}."
    )


def _close_names(value: str, names: Sequence[str]) -> list[str]:
    close = difflib.get_close_matches(value, list(names), n=3, cutoff=0.5)
    lowered = [n for n in names if n.lower() == value.lower() and n not in close]
    return lowered + close


def _check_columns(columns: Sequence[str], wanted: Mapping[str, str]) -> None:
    for column, where in wanted.items():
        if column not in columns:
            raise SchemaError(
                f"{where} uses column {column!r}, which the events do not have."
                f"{did_you_mean(column, columns)} Columns: {list(columns)}."
            )


@dataclass(frozen=True)
class _Data:
    log: Any
    frame: pd.DataFrame | None
    table: Any


# ------------------------------------------------------------------------- funnel
class Funnel(Exportable):
    """A conversion funnel over events, counted with PostHog's rules.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog`, a canonical pandas DataFrame or an Ibis
        table of events.
    steps
        At least two steps: event names or :class:`Step` objects.
    window
        Conversion window, from the step-1 event of an attempt to every later
        step (``"30min"``, ``"1h"``, ``"14D"``, a Timedelta). Default 14 days.
    order
        ``"ordered"`` (steps in order, other events allowed between them),
        ``"strict"`` (no other event of the unit between steps) or
        ``"unordered"`` (all steps in any order inside the window).
    unit
        Count ``"user"`` (default) or ``"session"``.
    exclusions
        :class:`Exclusion` objects.
    breakdown
        Column to split the funnel by (``"device"``, ``"version"``...).
    attribution
        How a unit gets its breakdown value: ``"first_touch"`` (its first step-1
        event), ``"last_touch"`` (the event of the furthest step it reached),
        ``"all_events"`` (the funnel runs once per value, on that value's events
        only) or ``"step:N"`` (the step-N event must carry the value; a unit can
        count under several values). Missing values form the ``"(none)"`` group.
    where
        Global equality filters applied to every event before counting
        (``{"device": "mobile"}``).
    backend
        Engine for in-memory data (see :func:`uxlens.connect`). Without one (and
        with the embedded DuckDB as the default engine), a funnel over in-memory
        events whose steps and exclusions are matched by event, URL and target
        only (no ``where``; ordered or unordered) reads its rows from the frame,
        with no query (same rows, faster); given one, or another default engine
        such as Spark, every funnel runs on that engine.

    Notes
    -----
    The rules, identical to PostHog's funnels:

    * **Furthest attempt.** A unit is scored by its furthest step over all its
      attempts; the count at step k is the number of units whose furthest step is
      at least k, so counts never increase down the funnel.
    * **Window.** Measured from an attempt's step-1 event to each later step
      (not step to step), in elapsed milliseconds, boundary inclusive
      (``t_k - t_1 <= window``).
    * **Attempts.** Every step-1 event starts a new attempt. For each step k the
      most recently started attempt that has reached k is kept; a step-(k+1)
      event advances it if it is inside that attempt's window. So a retry can
      convert after an earlier attempt timed out, and times are measured from the
      latest step-1 event that led to the conversion.
    * **One event, one step.** An event fills at most one step of an attempt: a
      funnel with the same event twice needs two such events. Other events
      between steps are allowed (not for strict); steps out of order do not count.
    * **Same instant.** Identical events at one instant count once; different
      events at the same instant are applied in step order (step 1 and step 2
      at the same millisecond convert), and within such a group exclusions and
      strictness are not applied.
    * **Exclusions** ``i -> j``: an exclusion event after an attempt reached step
      i and before it reached j, inside its window, marks that attempt excluded
      (step j need not happen; an exclusion after the window does not count). If
      the unit's furthest attempt is excluded and no clean attempt reaches the
      same step, the unit disappears from every step, step 1 included.
    * **Strict.** Every event of the unit counts: an event that is not the
      attempt's next step breaks the chain; a new step-1 event starts over.
    * **Unordered.** The count at step k is the number of units that did k
      distinct steps in any order inside one window (sliding over the unit's
      funnel events, from the oldest kept event); a unit that never did step 1
      still counts at step 1. Exclusions must span the whole funnel; an
      exclusion event resets progress but keeps what was already reached and
      never removes the unit.
    * **Conversion times.** Step time = ``t_k - t_(k-1)`` in the attempt that
      decided the unit (for unordered: the first moment its furthest count was
      reached, steps in time order); tables report mean and median in seconds.
      Zero durations (same-instant steps) are included.

    The module :mod:`uxlens.engine.funnel` explains how this is computed.

    Examples
    --------
    >>> import pandas as pd
    >>> import uxlens as ux
    >>> from uxlens.funnel import Funnel
    >>> df = pd.DataFrame({
    ...     "session_id": ["s1", "s1", "s1", "s2", "s2"],
    ...     "user_id": ["u1", "u1", "u1", "u2", "u2"],
    ...     "timestamp": pd.to_datetime([0, 60, 120, 0, 30], unit="s", utc=True),
    ...     "event": ["signup_started", "signup_done", "invite_sent",
    ...               "signup_started", "signup_done"]})
    >>> f = Funnel(df, ["signup_started", "signup_done", "invite_sent"], window="1h")
    >>> f.table()[["step", "label", "count", "conversion"]]
       step           label  count  conversion
    0     1  signup_started      2         1.0
    1     2     signup_done      2         1.0
    2     3     invite_sent      1         0.5
    """

    def __init__(
        self,
        events: Any,
        steps: Sequence[str | Step],
        *,
        window: Any = "14D",
        order: str = "ordered",
        unit: str = "user",
        exclusions: Sequence[Exclusion] | None = None,
        breakdown: str | None = None,
        attribution: str = "first_touch",
        where: Mapping[str, Any] | None = None,
        backend: Any = None,
    ) -> None:
        self.events = events
        self.steps = steps
        self.window = window
        self.order = order
        self.unit = unit
        self.exclusions = exclusions
        self.breakdown = breakdown
        self.attribution = attribution
        self.where = where
        self.backend = backend
        self._cache: dict[str, Any] = {}
        self._validate()

    # ------------------------------------------------------------- validation
    def _validate(self) -> None:
        """Check every argument once; store the normalised forms privately."""
        if isinstance(self.steps, (str, Step)) or not isinstance(self.steps, Sequence):
            raise UxlensError(
                "Funnel(steps=...) must be a list of at least two event names or "
                f"ux.Step objects; got {self.steps!r}."
            )
        steps = [_as_step(s, i + 1) for i, s in enumerate(self.steps)]
        if len(steps) < 2:
            raise UxlensError(
                f"A funnel needs at least 2 steps; got {len(steps)} ({[s.label for s in steps]}). "
                "Add the step users should reach next, e.g. "
                "Funnel(log, ['signup_started', 'signup_done'])."
            )
        if len(steps) > 30:
            raise UxlensError(f"A funnel has at most 30 steps; got {len(steps)}.")
        self._steps = steps
        n = len(steps)
        self._window_ms = _window_ms(self.window)
        _choice("order", self.order, ORDERS)
        _choice("unit", self.unit, UNITS)
        attribution = self.attribution
        if not isinstance(attribution, str) or not (
            attribution in ATTRIBUTIONS[:3] or attribution.startswith("step:")
        ):
            raise UxlensError(
                "Funnel(attribution=...) must be one of 'first_touch', 'last_touch', "
                f"'all_events' or 'step:N' (N a step number 1..{n}); got {attribution!r}."
            )
        if attribution.startswith("step:"):
            raw = attribution.split(":", 1)[1]
            if not raw.isdigit() or not 1 <= int(raw) <= n:
                raise UxlensError(
                    f"Funnel(attribution='step:N') needs N between 1 and {n}; "
                    f"got {attribution!r}."
                )
            if self.order == "unordered" and int(raw) != 1:
                raise UxlensError(
                    "Unordered funnels only support attribution='step:1' (steps have no "
                    f"order to point at); got {attribution!r}."
                )
        exclusions = list(self.exclusions or [])
        normalised = []
        for ex in exclusions:
            if not isinstance(ex, Exclusion):
                raise UxlensError(
                    "Funnel(exclusions=...) must be a list of ux.Exclusion(event, "
                    f"from_step, to_step); got {ex!r}."
                )
            i = ex.from_step
            j = n if ex.to_step is None else ex.to_step
            if not (isinstance(i, (int, np.integer)) and isinstance(j, (int, np.integer))):
                raise UxlensError(f"{ex!r}: from_step and to_step must be integers.")
            if not 1 <= i < j <= n:
                raise UxlensError(
                    f"{ex!r}: steps must satisfy 1 <= from_step < to_step <= {n} "
                    f"(this funnel has {n} steps); got from_step={i}, to_step={j}."
                )
            if self.order == "unordered" and (i, j) != (1, n):
                raise UxlensError(
                    f"{ex!r}: unordered funnels only accept exclusions over the whole "
                    f"funnel (from_step=1, to_step={n})."
                )
            if ex.step in steps:
                raise UxlensError(
                    f"{ex!r}: the exclusion matches the same events as a funnel step "
                    f"({ex.step.label!r}); an event cannot both advance and exclude."
                )
            normalised.append((ex.step, int(i), int(j)))
        self._exclusions = normalised
        if self.where is not None and not isinstance(self.where, Mapping):
            raise UxlensError(
                f"Funnel(where=...) must be a dict of {{column: value}}; got {self.where!r}."
            )
        if self.breakdown is not None and not isinstance(self.breakdown, str):
            raise UxlensError(
                f"Funnel(breakdown=...) must be a column name; got {self.breakdown!r}."
            )
        self._data = self._resolve_events(self.events)
        self._data = self._with_screens(self._data, steps, normalised)
        columns = self._columns()
        wanted: dict[str, str] = {}
        for k, s in enumerate(steps, start=1):
            for c in s.where or {}:
                wanted[c] = f"Step {k} ({s.label}) where="
            if s.url:
                wanted["url"] = f"Step {k} ({s.label}) url="
            if s.target:
                wanted["target"] = f"Step {k} ({s.label}) target="
        for s, _, _ in normalised:
            for c in s.where or {}:
                wanted[c] = f"Exclusion {s.label!r} where="
        for c in self.where or {}:
            wanted[c] = "Funnel(where=...)"
        if self.breakdown is not None:
            wanted[self.breakdown] = "Funnel(breakdown=...)"
        _check_columns(columns, wanted)
        self._check_event_names()

    def _with_screens(self, data: _Data, steps: list[Step],
                      exclusions: list[tuple[Step, int, int]]) -> _Data:
        """Add the ``screen`` column and the screen-entry rows the steps need.

        The column comes from the recordings when the events lack it
        (:func:`uxlens.screens.add_screen_column`). For steps that are
        "entered screen X" (``Step(screen=X)`` without an event), one row
        named :data:`SCREEN_ENTERED` is added per visit: a copy of the visit's
        first event (same time, session, ``seq`` and columns), so that the
        engine's rules apply to it as to any event.
        """
        from .eventlog import EventLog

        all_steps = steps + [s for s, _, _ in exclusions]
        uses = any("screen" in (s.where or {}) for s in all_steps) or "screen" in (
            self.where or {}) or self.breakdown == "screen"
        if not uses:
            return data
        has_column = "screen" in (data.frame.columns if data.frame is not None
                                  else data.table.columns)
        if not has_column:
            log = data.log
            if not isinstance(log, EventLog) or not log.recordings:
                raise UxlensError(
                    "Funnel steps with screen=... need a 'screen' column or an EventLog with "
                    "rrweb recordings to find the screens in; these events have neither. Fix: "
                    "pass the EventLog from ux.read_rrweb(...) or add a 'screen' column "
                    "(uxlens.screens.add_screen_column(log))."
                )
            from .screens import add_screen_column

            log = add_screen_column(log)
            data = _Data(log=log, frame=log.events, table=None)
        wanted = [s for s in all_steps if s.screen is not None]
        if wanted:
            if data.frame is not None:
                known = sorted(str(v) for v in pd.unique(data.frame["screen"].dropna().astype(str)))
            else:
                known = [str(v) for v in _eng.distinct_values(data.table, "screen", self.backend)]
            for s in wanted:
                if s.screen not in known:
                    raise UxlensError(
                        f"Step {s.label!r}: no screen named {s.screen!r} in the events."
                        f"{did_you_mean(s.screen, known)} Known screens: {known[:12]}. "
                        "Fix: pick a name from log.screens().table()."
                    )
        if not any(s.entered for s in all_steps):
            return data
        if data.frame is None:
            raise UxlensError(
                "Step(screen=...) without an event (entered the screen) needs in-memory "
                "events (an EventLog or DataFrame); on an Ibis table give the event too, "
                "e.g. Step('click', screen=...)."
            )
        return _Data(log=data.log, frame=_screen_entries(data.frame), table=None)

    @staticmethod
    def _resolve_events(events: Any) -> _Data:
        from .eventlog import EventLog, engine_input

        events = engine_input(events)  # a lazy log counts in its backend
        if isinstance(events, EventLog):
            return _Data(log=events, frame=events.events, table=None)
        if isinstance(events, pd.DataFrame):
            missing = [c for c in ("session_id", "user_id", "timestamp", "event")
                       if c not in events.columns]
            if missing:
                raise SchemaError(
                    f"Funnel(events=...) lacks required columns {missing}."
                    f"{did_you_mean(missing[0], events.columns)} "
                    "Fix: load the data with ux.read_events(df, columns={...}) or "
                    "uxlens.events.validate(df)."
                )
            return _Data(log=None, frame=events, table=None)
        try:
            import ibis.expr.types as ir
        except ImportError:  # pragma: no cover - ibis is a dependency
            ir = None
        if ir is not None and isinstance(events, ir.Table):
            return _Data(log=None, frame=None, table=events)
        raise UxlensError(
            "Funnel(events=...) must be an EventLog, a pandas DataFrame of canonical "
            f"events or an Ibis table; got {type(events).__name__}."
        )

    def _columns(self) -> list[str]:
        if self._data.frame is not None:
            return list(self._data.frame.columns)
        return list(self._data.table.columns)

    def _event_counts(self) -> pd.Series:
        """Events per name (cached): used for name checks and hints."""
        if "event_counts" not in self._cache:
            if self._data.frame is not None:
                ev = self._data.frame["event"]
                if isinstance(ev.dtype, pd.CategoricalDtype):
                    codes = ev.array.codes
                    n = np.bincount(codes.astype(np.int64) + 1, minlength=len(ev.cat.categories) + 1)
                    counts = pd.Series(n[1:], index=ev.cat.categories.astype(str))
                    counts = counts[counts > 0].sort_values(ascending=False, kind="stable")
                else:
                    counts = ev.value_counts()
                    counts.index = counts.index.astype(str)
            else:
                from .engine.backend import execute

                t = self._data.table
                agg = execute(t.group_by("event").aggregate(n=t.count()), self.backend)
                counts = agg.set_index("event")["n"].sort_values(ascending=False)
                counts.index = counts.index.astype(str)
            self._cache["event_counts"] = counts
        return self._cache["event_counts"]

    def _names_occur(self, names: set[str]) -> bool:
        """Whether every name occurs in the frame's categorical ``event`` column, found
        without counting every event: each name's code is searched chunk by chunk and
        a frequent name is found in the first chunk. False when unsure (not categorical,
        not in memory): the caller then counts."""
        frame = self._data.frame
        if frame is None or not isinstance(frame["event"].dtype, pd.CategoricalDtype):
            return False
        ev = frame["event"]
        wanted = ev.cat.categories.get_indexer(sorted(names))
        if (wanted < 0).any():
            return False
        codes = ev.array.codes
        chunk = 1 << 16
        for code in wanted.tolist():
            if not any((codes[a:a + chunk] == code).any() for a in range(0, len(codes), chunk)):
                return False
        return True

    def _check_event_names(self) -> None:
        if "event_counts" not in self._cache and self._names_occur(
            {s.event for s in self._steps} | {s.event for s, _, _ in self._exclusions}
        ):
            return  # every name occurs: nothing to report, no need to count them all
        counts = self._event_counts()
        if counts.sum() == 0:
            raise UxlensError(
                "Funnel(events=...) has no events: there is nothing to count. "
                "Check the reader's .rejected table or the filters used to build it."
            )
        present = list(counts.index)
        known = set(present)
        for k, s in enumerate(self._steps, start=1):
            if s.event not in known:
                close = _close_names(s.event, present)
                hint = f" Closest names: {close}." if close else ""
                raise UxlensError(
                    f"Step {k} event {s.event!r} does not occur in the events.{hint} "
                    f"Most frequent events: {present[:12]}."
                )
        for s, _, _ in self._exclusions:
            if s.event not in known:
                close = _close_names(s.event, present)
                if close and s.event not in close:
                    raise UxlensError(
                        f"Exclusion event {s.event!r} does not occur in the events; "
                        f"closest names: {close}. (An exclusion event that never happens "
                        "is allowed; a misspelt one is most likely a mistake.)"
                    )

    # -------------------------------------------------------------- plumbing
    def _needed_columns(self, extra: Sequence[str] = ()) -> list[str]:
        cols = ["session_id", "user_id", "timestamp", "event", "seq"]
        for s in self._steps + [e[0] for e in self._exclusions]:
            cols += list(s.where or {})
            if s.url:
                cols.append("url")
            if s.target:
                cols.append("target")
        cols += list(self.where or {})
        if self.breakdown:
            cols.append(self.breakdown)
        cols += list(extra)
        present = set(self._columns())
        out: list[str] = []
        for c in cols:
            if c in present and c not in out:
                out.append(c)
        return out

    def _table(
        self,
        extra: Sequence[str] = (),
        *,
        events: Sequence[str] | None = None,
        positions: bool = False,
    ) -> Any:
        """The Ibis table the engine runs on (built once per set of columns).

        For an in-memory DataFrame only the needed columns are handed to the
        engine, and with ``events`` only the rows of those event names (a
        lookup on categorical codes costs far less than converting every
        event). With ``positions`` the rows carry their position in the frame
        (``_pos``) in place of the session id, which the engine then need not
        move (see :func:`uxlens.engine.funnel.fetch_rows`).
        """
        from .engine.backend import as_table

        if self._data.table is not None:
            return as_table(self._data.table)
        cols = list(self._needed_columns(extra))
        if (
            positions
            and self.unit == "user"
            and not self._uses_column("session_id")
            and not self._data.frame["user_id"].hasnans  # anonymous rows need their session
            and not self._data.frame["session_id"].hasnans  # rows without one are left out
        ):
            cols.remove("session_id")
        names = tuple(sorted(events)) if events is not None else None
        key = ("table", tuple(cols), names, positions)
        if key not in self._cache:
            frame = self._data.frame
            log = self._data.log
            if (names is None and log is not None and hasattr(log, "arrow")
                    and frame is log.events):
                # The whole log: reuse the EventLog's cached Arrow table (no copy).
                arrow = log.arrow().select([*cols, "t_ms"])
                if positions:
                    arrow = arrow.append_column("_pos", _arrow_range(len(frame)))
                self._cache[key] = as_table(arrow, self.backend)
                return self._cache[key]
            if names is not None:
                mask = event_mask(frame["event"], names)
                sub = frame.loc[mask, cols]
                pos = np.flatnonzero(mask)
            else:
                sub = frame[cols]
                pos = np.arange(len(frame))
            if positions:
                sub = sub.assign(_pos=pos.astype(np.int64))
            self._cache[key] = as_table(sub, self.backend)
        return self._cache[key]

    def _uses_column(self, column: str) -> bool:
        steps = self._steps + [e[0] for e in self._exclusions]
        used = {c for s in steps for c in (s.where or {})} | set(self.where or {})
        return column in used or column == self.breakdown

    def _session_ids(self) -> Any:
        """The frame's ``session_id`` column as an Arrow array (zero-copy when possible)."""
        import pyarrow as pa

        if "session_ids" not in self._cache:
            col = self._data.frame["session_id"]
            self._cache["session_ids"] = pa.Table.from_pandas(
                col.to_frame(), preserve_index=False
            ).column(0)
        return self._cache["session_ids"]

    def _resolved(self, step: Step) -> _eng.StepSpec:
        urls = targets = None
        if step.url:
            urls = _eng.resolve_patterns(self._distinct("url"), step.url, "url")
        if step.target:
            targets = _eng.resolve_patterns(self._distinct("target"), step.target, "target")
        return _eng.StepSpec(step.event, _eng.mapping_items(step.where), urls, targets)

    def _distinct(self, column: str) -> list[Any]:
        key = ("distinct", column)
        if key not in self._cache:
            if self._data.frame is not None:
                col = self._data.frame[column]
                if isinstance(col.dtype, pd.CategoricalDtype):
                    self._cache[key] = [str(v) for v in col.cat.categories[categories_in_use(col)]]
                else:
                    values = pd.unique(col.dropna().astype(str))
                    self._cache[key] = [str(v) for v in values]
            else:
                self._cache[key] = [
                    str(v) for v in _eng.distinct_values(self._table(), column, self.backend)
                ]
        return self._cache[key]

    @property
    def _spec(self) -> _eng.FunnelSpec:
        if "spec" not in self._cache:
            self._cache["spec"] = _eng.FunnelSpec(
                steps=tuple(self._resolved(s) for s in self._steps),
                window_ms=self._window_ms,
                order=self.order,
                unit=self.unit,
                exclusions=tuple((self._resolved(s), i, j) for s, i, j in self._exclusions),
                breakdown=self.breakdown,
                attribution=self.attribution,
                where=_eng.mapping_items(self.where),
            )
        return self._cache["spec"]

    def _scores(self) -> tuple[_eng.Rows, _eng.Scores]:
        if "scores" not in self._cache:
            spec = self._spec
            names = None
            if self.order != "strict":
                names = [s.event for s in self._steps] + [e[0].event for e in self._exclusions]
            in_memory = self._data.frame is not None
            rows = None
            if in_memory and self.backend is None and get_backend(None).name == "duckdb":
                # The common funnel on a frame needs no query engine (same rows; tested),
                # unless an engine was chosen: given here, or made the default (Spark).
                rows = frame_rows(self._data.frame, spec, self._session_ids)
            if rows is None:
                table = self._table(events=names, positions=in_memory)
                expr = _eng.funnel_rows_expr(table, spec)
                rows = _eng.fetch_rows(
                    expr,
                    breakdown=spec.breakdown is not None,
                    backend=self.backend,
                    session_ids=self._session_ids if in_memory else None,
                )
            self._cache["scores"] = (rows, _eng.score(rows, spec))
        return self._cache["scores"]

    def _with(self, **changes: Any) -> Funnel:
        """A sibling funnel on the same data with some arguments changed (cached)."""
        key = ("sibling", tuple(sorted(changes.items(), key=lambda kv: kv[0])))
        if key not in self._cache:
            params = {
                "window": self.window, "order": self.order, "unit": self.unit,
                "exclusions": self.exclusions, "breakdown": self.breakdown,
                "attribution": self.attribution, "where": self.where, "backend": self.backend,
            }
            params.update(changes)
            sib = Funnel.__new__(Funnel)
            sib.events, sib.steps = self.events, self.steps
            for name, value in params.items():
                setattr(sib, name, value)
            sib._cache = {k: v for k, v in self._cache.items() if k == "event_counts"}
            sib._validate()
            for k, v in self._cache.items():
                if isinstance(k, tuple) and k[0] in ("table", "distinct"):
                    sib._cache[k] = v
            self._cache[key] = sib
        return self._cache[key]

    @property
    def labels(self) -> list[str]:
        """Step labels, in order.

        Examples
        --------
        >>> import uxlens as ux
        >>> f = ux.Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> f.labels
        ['signup_started', 'signup_done', 'profile_done']
        """
        return [s.label for s in self._steps]

    @property
    def n_steps(self) -> int:
        """Number of steps.

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"]).n_steps
        3
        """
        return len(self._steps)

    def _step_arg(self, step: Any, name: str, *, allow_last: bool = True) -> int:
        n = self.n_steps
        top = n if allow_last else n - 1
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= top:
            raise UxlensError(
                f"{name} must be a step number between 1 and {top} (this funnel has {n} "
                f"steps: {self.labels}); got {step!r}."
            )
        return int(step)

    # --------------------------------------------------------------- results
    def units(self) -> pd.DataFrame:
        """One row per unit in the funnel: how far it got and when.

        Returns
        -------
        pandas.DataFrame
            ``unit_id``, the breakdown column (when set), ``reached`` (furthest
            step, >= 1), and ``step_1_at`` ... ``step_n_at``: UTC times at which
            the deciding attempt reached each step (NaT beyond ``reached``).
            Units whose furthest attempt was excluded are not listed. With
            ``all_events`` / ``step:N`` attribution a unit has one row per value.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.funnel import Funnel
        >>> f = Funnel(ux.demo(), ["signup_started", "signup_done"], window="1h")
        >>> bool((f.units()["reached"] >= 1).all())
        True
        """
        if "units" not in self._cache:
            rows, sc = self._scores()
            keep = sc.reached > 0
            frame = pd.DataFrame({"unit_id": rows.unit_labels(sc.unit_code[keep]).astype(str)})
            if self.breakdown:
                frame[self.breakdown] = self._value_labels(rows, sc.value_code[keep])
            frame["reached"] = sc.reached[keep]
            times = sc.times[keep]
            for k in range(self.n_steps):
                col = times[:, k]
                frame[f"step_{k + 1}_at"] = pd.to_datetime(
                    np.where(col == _eng._NA, np.iinfo(np.int64).min, col * 1_000_000), utc=True
                ) if len(col) else pd.Series([], dtype="datetime64[ns, UTC]")
            sort = ["unit_id"] + ([self.breakdown] if self.breakdown else [])
            self._cache["units"] = frame.sort_values(sort, kind="stable").reset_index(drop=True)
        return self._cache["units"].copy()

    @staticmethod
    def _value_labels(rows: _eng.Rows, codes: np.ndarray) -> np.ndarray:
        labels = np.append(rows.values.astype(object), NONE_LABEL)
        return labels[codes].astype(str) if len(codes) else np.array([], dtype=str)

    def _segment_order(self, frame: pd.DataFrame) -> list[str]:
        counts = frame.groupby(self.breakdown, sort=True)["reached"].size()
        order = sorted(counts.index, key=lambda v: (v == NONE_LABEL, -counts[v], str(v)))
        return [str(v) for v in order]

    def table(self) -> pd.DataFrame:
        """The funnel table: one row per step (per breakdown value).

        Returns
        -------
        pandas.DataFrame
            ``step`` (1-based), ``label``, ``count`` (units whose furthest step is
            at least this one), ``conversion`` (count / count at step 1),
            ``step_conversion`` (count / count at the previous step),
            ``dropped`` (units that reached this step and went no further: the
            size of :meth:`dropped`; 0 at the last step), ``median_time_s`` and ``mean_time_s``
            (seconds from the previous step, in the deciding attempt). With a
            breakdown, the breakdown column comes first, one block per value,
            largest first, ``"(none)"`` last.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.funnel import Funnel
        >>> f = Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> t = f.table()
        >>> list(t.columns)
        ['step', 'label', 'count', 'conversion', 'step_conversion', 'dropped', 'median_time_s', 'mean_time_s']
        >>> bool((t["count"].diff().dropna() <= 0).all())
        True
        """
        if "table" not in self._cache:
            units = self._unit_frame()
            if self.breakdown:
                blocks = []
                for value in self._segment_order(units):
                    block = self._block(units[units[self.breakdown] == value])
                    block.insert(0, self.breakdown, value)
                    blocks.append(block)
                out = pd.concat(blocks, ignore_index=True) if blocks else self._block(units)
                if not blocks:
                    out.insert(0, self.breakdown, pd.Series([], dtype=object))
            else:
                out = self._block(units)
            self._cache["table"] = out
        return self._cache["table"].copy()

    def _unit_frame(self) -> pd.DataFrame:
        """units() with step times as int64 ms columns ``t1..tn`` (internal)."""
        if "unit_frame" not in self._cache:
            rows, sc = self._scores()
            keep = sc.reached > 0
            frame = pd.DataFrame({"unit_code": sc.unit_code[keep], "reached": sc.reached[keep]})
            if self.breakdown:
                frame[self.breakdown] = self._value_labels(rows, sc.value_code[keep])
            times = sc.times[keep].astype(np.float64)
            times[sc.times[keep] == _eng._NA] = np.nan
            for k in range(self.n_steps):
                frame[f"t{k + 1}"] = times[:, k]
            frame["row_index"] = np.flatnonzero(keep)
            self._cache["unit_frame"] = frame
        return self._cache["unit_frame"]

    def _block(self, units: pd.DataFrame) -> pd.DataFrame:
        n = self.n_steps
        reached = units["reached"].to_numpy()
        counts = np.array([(reached >= k).sum() for k in range(1, n + 1)], dtype=np.int64)
        with np.errstate(divide="ignore", invalid="ignore"):
            conversion = counts / counts[0] if counts[0] else np.full(n, np.nan)
            prev = np.concatenate([[counts[0]], counts[:-1]])
            step_conv = np.where(prev > 0, counts / np.where(prev > 0, prev, 1), np.nan)
        # Units that reached this step and not the next; nobody drops at the last step.
        dropped = counts - np.concatenate([counts[1:], counts[-1:]])
        medians, means = [np.nan], [np.nan]
        for k in range(2, n + 1):
            sel = reached >= k
            d = (units[f"t{k}"].to_numpy()[sel] - units[f"t{k - 1}"].to_numpy()[sel]) / 1000.0
            medians.append(float(np.median(d)) if len(d) else np.nan)
            means.append(float(np.mean(d)) if len(d) else np.nan)
        return pd.DataFrame(
            {
                "step": np.arange(1, n + 1),
                "label": self.labels,
                "count": counts,
                "conversion": conversion.astype(float),
                "step_conversion": step_conv.astype(float),
                "dropped": dropped,
                "median_time_s": medians,
                "mean_time_s": means,
            }
        )

    # ------------------------------------------------------------ drill-down
    def _log(self) -> Any:
        from .eventlog import EventLog

        if self._data.log is not None:
            return self._data.log
        if "log" not in self._cache:
            if self._data.frame is not None:
                self._cache["log"] = EventLog(self._data.frame)
            else:
                self._cache["log"] = None
        return self._cache["log"]

    def _session_list(self, mask: np.ndarray, units: pd.DataFrame, label: str) -> Any:
        from .eventlog import SessionList

        rows, sc = self._scores()
        chosen = units[mask]
        fills = sc.fills[chosen["row_index"].to_numpy()]
        reached = chosen["reached"].to_numpy()
        filled = np.arange(self.n_steps)[None, :] < reached[:, None]
        unit_codes = np.broadcast_to(chosen["unit_code"].to_numpy()[:, None], fills.shape)[filled]
        link = pd.DataFrame(
            {
                "unit_id": rows.unit_labels(unit_codes),
                "session_id": rows.session_labels(rows.sid_code[fills[filled]]),
            }
        ).drop_duplicates()
        link = link.astype({"unit_id": str, "session_id": str})
        log = self._log()
        if log is None:
            log = self._log_for_sessions(link["session_id"].unique().tolist())
        summary = log.sessions().frame
        frame = link.merge(summary.astype({"session_id": str}), on="session_id", how="inner")
        if "start" in frame.columns:
            frame = frame.sort_values(["unit_id", "start"], kind="stable")
        cols = ["session_id", "unit_id"] + [c for c in frame.columns if c not in ("session_id", "unit_id")]
        if "user_id" in cols and self.unit == "user":
            cols.remove("user_id")
            frame = frame.drop(columns="user_id")
        return SessionList(frame[cols].reset_index(drop=True), log, label=label)

    def _log_for_sessions(self, session_ids: list[str]) -> Any:
        """An EventLog of these sessions, read from the Ibis table (no DataFrame)."""
        from .engine.backend import execute
        from .eventlog import EventLog
        from .events import validate

        t = self._data.table
        if not session_ids:
            frame = execute(t.limit(0), self.backend)
        else:
            frame = execute(t.filter(t.session_id.isin(session_ids)), self.backend)
        frame = frame.drop(columns=[c for c in ("t_ms",) if c in frame.columns])
        return EventLog(validate(frame, source="funnel").events)

    def dropped(self, step: int, *, segment: str | None = None) -> Any:
        """Units that reached ``step`` but not ``step + 1``, as their sessions.

        Parameters
        ----------
        step
            1-based step, 1 .. n-1.
        segment
            With a breakdown, only units of this value.

        Returns
        -------
        SessionList
            The sessions in which these units' deciding attempts happened
            (session summary columns plus ``unit_id``); index it or call
            ``.replay()`` on a session to watch where they left.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.funnel import Funnel
        >>> f = Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> left = f.dropped(2)
        >>> left.label
        'dropped after step 2 (signup_done)'
        """
        k = self._step_arg(step, "dropped(step)", allow_last=False)
        units = self._segment_units(segment)
        mask = (units["reached"] == k).to_numpy()
        return self._session_list(mask, units, f"dropped after step {k} ({self.labels[k - 1]})")

    def converted(self, step: int | None = None, *, segment: str | None = None) -> Any:
        """Units that reached ``step`` (default: the last step), as their sessions.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.funnel import Funnel
        >>> f = Funnel(ux.demo(), ["signup_started", "signup_done"])
        >>> f.converted().label
        'converted to step 2 (signup_done)'
        """
        k = self._step_arg(self.n_steps if step is None else step, "converted(step)")
        units = self._segment_units(segment)
        mask = (units["reached"] >= k).to_numpy()
        return self._session_list(mask, units, f"converted to step {k} ({self.labels[k - 1]})")

    def _segment_units(self, segment: str | None) -> pd.DataFrame:
        units = self._unit_frame()
        if segment is None:
            return units
        if not self.breakdown:
            raise UxlensError(
                "segment=... needs a funnel with a breakdown, e.g. "
                "Funnel(log, steps, breakdown='device')."
            )
        values = sorted(units[self.breakdown].unique().tolist())
        if str(segment) not in values:
            raise UxlensError(
                f"No segment {segment!r} in breakdown {self.breakdown!r}."
                f"{did_you_mean(str(segment), values)} Values: {values}."
            )
        return units[units[self.breakdown] == str(segment)]

    # ------------------------------------------------------------- analyses
    def time_to_convert(
        self,
        from_step: int = 1,
        to_step: int | None = None,
        *,
        bins: int | Sequence[float] = 20,
        segment: str | None = None,
    ) -> TimeToConvert:
        """Distribution of the time from ``from_step`` to ``to_step``.

        Times come from each unit's deciding attempt, for units that reached
        ``to_step``.

        Returns
        -------
        TimeToConvert
            ``.table`` (``bin_start_s``, ``bin_end_s``, ``units``, ``share``),
            ``.figure`` and ``.seconds`` (one value per unit); unpacks as
            ``table, figure = f.time_to_convert(1, 3)``.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.funnel import Funnel
        >>> f = Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> ttc = f.time_to_convert(1, 3)
        >>> int(ttc.table["units"].sum()) == int(f.table()["count"].iloc[2])
        True
        """
        a = self._step_arg(from_step, "time_to_convert(from_step)")
        b = self._step_arg(self.n_steps if to_step is None else to_step, "time_to_convert(to_step)")
        if a >= b:
            raise UxlensError(
                f"time_to_convert() needs from_step < to_step; got from_step={a}, to_step={b}."
            )
        units = self._segment_units(segment)
        sel = units["reached"] >= b
        seconds = ((units.loc[sel, f"t{b}"] - units.loc[sel, f"t{a}"]) / 1000.0).to_numpy()
        if isinstance(bins, (int, np.integer)):
            if bins < 1:
                raise UxlensError(f"time_to_convert(bins=...) must be >= 1; got {bins}.")
            hi = float(seconds.max()) if len(seconds) else 1.0
            edges = np.linspace(0.0, hi if hi > 0 else 1.0, int(bins) + 1)
        else:
            edges = np.asarray(list(bins), dtype=float)
            if len(edges) < 2 or np.any(np.diff(edges) <= 0):
                raise UxlensError("time_to_convert(bins=...) edges must increase.")
        counts, edges = np.histogram(seconds, bins=edges)
        total = counts.sum()
        table = pd.DataFrame(
            {
                "bin_start_s": edges[:-1],
                "bin_end_s": edges[1:],
                "units": counts.astype(np.int64),
                "share": counts / total if total else np.zeros(len(counts)),
            }
        )
        from .plotting.funnel import time_to_convert_figure

        title = f"Time to convert: {self.labels[a - 1]} → {self.labels[b - 1]}"
        fig = time_to_convert_figure(table, seconds, title=title)
        return TimeToConvert(table=table, figure=fig, seconds=seconds, from_step=a, to_step=b)

    def compare(
        self,
        by: str | None = None,
        *,
        from_step: int = 1,
        to_step: int | None = None,
        baseline: str | None = None,
        confidence: float = 0.95,
        alpha: float = 0.05,
    ) -> pd.DataFrame:
        """Conversion per segment, with intervals and significance.

        Parameters
        ----------
        by
            Column to split on (default: the funnel's breakdown). Units get their
            value with the funnel's attribution.
        from_step, to_step
            Conversion measured from ``from_step`` to ``to_step`` (default: the
            whole funnel). ``from_step=3, to_step=4`` compares one step's drop.
        baseline
            Compare every segment with this one; by default each segment is
            compared with all other units pooled ("the rest").
        confidence, alpha
            Interval coverage and the significance level (after Holm's
            correction over the segments tested).

        Returns
        -------
        pandas.DataFrame
            ``<by>``, ``count`` (units at ``from_step``), ``converted``,
            ``conversion`` with Wilson ``ci_low``/``ci_high``, ``diff`` (versus the
            rest or the baseline) with Newcombe ``diff_low``/``diff_high``,
            two-proportion z test ``p_value``, Holm ``p_adjusted`` and
            ``significant``. ``attrs["chi2"]`` holds the chi-square test of
            independence over all segments.

        Notes
        -----
        With ``all_events`` or ``step:N`` attribution a unit can count in several
        segments, so "the rest" may include some of a segment's own units.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.funnel import Funnel
        >>> f = Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> sorted(f.compare(by="version")["version"])
        ['A', 'B']
        """
        from . import stats

        column = by or self.breakdown
        if column is None:
            raise UxlensError(
                "compare() needs a column: compare(by='device'), or a funnel built "
                "with breakdown=...."
            )
        _check_columns(self._columns(), {column: "compare(by=...)"})
        a = self._step_arg(from_step, "compare(from_step)")
        b = self._step_arg(self.n_steps if to_step is None else to_step, "compare(to_step)")
        if a >= b:
            raise UxlensError(f"compare() needs from_step < to_step; got {a} and {b}.")
        sib = self if column == self.breakdown else self._with(breakdown=column)
        units = sib._unit_frame()
        order = sib._segment_order(units) if len(units) else []
        n = np.array([(units[column] == v).mul(units["reached"] >= a).sum() for v in order])
        x = np.array([(units[column] == v).mul(units["reached"] >= b).sum() for v in order])
        if baseline is not None:
            if str(baseline) not in order:
                raise UxlensError(
                    f"compare(baseline=...): no segment {baseline!r} in {column!r}."
                    f"{did_you_mean(str(baseline), order)} Segments: {order}."
                )
            i = order.index(str(baseline))
            rn, rx = np.full(len(order), n[i]), np.full(len(order), x[i])
        else:
            rn, rx = n.sum() - n, x.sum() - x
        low, high = stats.wilson_interval(x, n, confidence=confidence)
        test = stats.two_proportion_ztest(x, n, rx, rn)
        dlow, dhigh = stats.newcombe_interval(x, n, rx, rn, confidence=confidence)
        p = np.atleast_1d(np.asarray(test.p_value, dtype=float))
        if baseline is not None:
            p[order.index(str(baseline))] = np.nan
        adjusted = stats.holm(p)
        with np.errstate(divide="ignore", invalid="ignore"):
            conv = np.where(n > 0, x / np.where(n > 0, n, 1), np.nan)
        out = pd.DataFrame(
            {
                column: order,
                "count": n.astype(np.int64),
                "converted": x.astype(np.int64),
                "conversion": conv,
                "ci_low": np.atleast_1d(low),
                "ci_high": np.atleast_1d(high),
                "diff": np.atleast_1d(test.diff),
                "diff_low": np.atleast_1d(dlow),
                "diff_high": np.atleast_1d(dhigh),
                "p_value": p,
                "p_adjusted": adjusted,
                "significant": np.nan_to_num(adjusted, nan=1.0) < alpha,
            }
        )
        if baseline is not None:
            base = out[column] == str(baseline)
            out.loc[base, ["diff", "diff_low", "diff_high"]] = 0.0
        out.attrs["chi2"] = stats.chi_square(np.column_stack([x, n - x])) if len(order) else None
        out.attrs["from_step"], out.attrs["to_step"] = a, b
        out.attrs["reference"] = "baseline " + str(baseline) if baseline is not None else "rest"
        return out

    def correlations(
        self,
        *,
        kind: str = "events",
        columns: Sequence[str] | None = None,
        min_count: int = 5,
        exclude: Sequence[str] = (),
        alpha: float = 0.05,
    ) -> pd.DataFrame:
        """Events or properties that make conversion more or less likely.

        Like PostHog's correlation analysis: units that entered the funnel are
        split into successes (reached the last step) and failures. An event
        counts for a unit when it happened during the unit's deciding attempt
        (from its step-1 event to its last step, or to the end of the window
        for failures); a property counts with the unit's first-touch value.

        Parameters
        ----------
        kind
            ``"events"``, ``"properties"`` or ``"both"``.
        columns
            Property columns (default: low-cardinality non-structural columns
            such as ``device``, ``source``, ``is_returning``, ``version``).
        min_count
            Drop events/values seen by fewer units in total.
        exclude
            Event names to leave out (funnel step events are always left out).
        alpha
            Significance level after Holm's correction.

        Returns
        -------
        pandas.DataFrame
            ``kind``, ``name`` (event, or ``column=value``), ``success_count``,
            ``failure_count``, ``success_total``, ``failure_total``,
            ``odds_ratio`` (+1 smoothing in every cell), ``ci_low``,
            ``ci_high``, ``p_value``, ``correlation`` (``"success"`` when the
            odds ratio is above 1) and ``significant``; strongest first.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.funnel import Funnel
        >>> f = Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> c = f.correlations(kind="properties", columns=["version"])
        >>> set(c["name"]) <= {"version=A", "version=B"}
        True
        """
        from . import stats

        _choice("kind", kind, ("events", "properties", "both"))
        units = self._unit_frame()
        success = (units["reached"] >= self.n_steps).to_numpy()
        s_total, f_total = int(success.sum()), int((~success).sum())
        parts = []
        if kind in ("events", "both"):
            parts.append(self._event_correlations(units, success, exclude))
        if kind in ("properties", "both"):
            parts.append(self._property_correlations(success, columns))
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if frame.empty:
            frame = pd.DataFrame(columns=["kind", "name", "success_count", "failure_count"])
        frame = frame[frame["success_count"] + frame["failure_count"] >= min_count]
        a = frame["success_count"].to_numpy(dtype=float)
        b = frame["failure_count"].to_numpy(dtype=float)
        res = stats.odds_ratio(a, b, s_total - a, f_total - b)
        frame = frame.assign(
            success_total=s_total,
            failure_total=f_total,
            odds_ratio=np.atleast_1d(res.odds_ratio),
            ci_low=np.atleast_1d(res.low),
            ci_high=np.atleast_1d(res.high),
            p_value=np.atleast_1d(res.p_value),
        )
        frame["correlation"] = np.where(frame["odds_ratio"] > 1, "success", "failure")
        frame["significant"] = stats.holm(frame["p_value"].to_numpy()) < alpha
        strength = np.abs(np.log(frame["odds_ratio"].astype(float)))
        frame = frame.assign(_s=strength).sort_values(["_s", "name"], ascending=[False, True])
        return frame.drop(columns="_s").reset_index(drop=True)

    def _event_correlations(
        self, units: pd.DataFrame, success: np.ndarray, exclude: Sequence[str]
    ) -> pd.DataFrame:
        import ibis

        from .engine.backend import execute, small_table

        rows, _ = self._scores()
        t1 = units["t1"].to_numpy()
        last = units[f"t{self.n_steps}"].to_numpy()
        end = np.where(success, last, t1 + self._window_ms)
        spans = pd.DataFrame(
            {
                "su": rows.unit_labels(units["unit_code"].to_numpy()).astype(str),
                "s_start": t1.astype(np.int64),
                "s_end": end.astype(np.int64),
                "s_ok": success,
            }
        )
        if self.breakdown:
            spans = spans.drop_duplicates("su")
        table = self._table()
        if self.where:
            table = table.filter(*[_eng._equality(table, c, v) for c, v in _eng.mapping_items(self.where)])
        small = small_table(spans, like=table)
        unit_col = "user_id" if self.unit == "user" else "session_id"
        joined = table.join(small, table[unit_col].cast("string") == small.su)
        # the screen-entry rows are copies of real events: never a correlate
        step_names = {s.event for s in self._steps} | set(exclude) | {SCREEN_ENTERED}
        joined = joined.filter(
            joined.t_ms >= joined.s_start,
            joined.t_ms <= joined.s_end,
            ~joined.event.isin(sorted(step_names)),
        )
        agg = joined.group_by("event").aggregate(
            success_count=joined.su.nunique(where=joined.s_ok),
            failure_count=joined.su.nunique(where=~joined.s_ok),
        )
        out = execute(agg, self.backend)
        del ibis
        return pd.DataFrame(
            {
                "kind": "event",
                "name": out["event"].astype(str),
                "success_count": out["success_count"].astype(np.int64),
                "failure_count": out["failure_count"].astype(np.int64),
            }
        )

    def _property_columns(self) -> list[str]:
        if self._data.frame is not None:
            frame = self._data.frame
            cands = [c for c in frame.columns if c not in _STRUCTURAL]
            # A cheap look at a slice first: most columns are ruled out there.
            head = frame.iloc[:100_000]
            cands = [c for c in cands if head[c].nunique(dropna=True) <= 20]
            return [c for c in cands if 1 < frame[c].nunique(dropna=True) <= 20]
        from .engine.backend import execute

        t = self._data.table
        cands = [c for c in t.columns if c not in _STRUCTURAL]
        if not cands:
            return []
        counts = execute(t.aggregate(**{c: t[c].nunique() for c in cands}), self.backend)
        return [c for c in cands if 1 < int(counts[c].iloc[0]) <= 20]

    def _property_correlations(
        self, success_unused: np.ndarray, columns: Sequence[str] | None
    ) -> pd.DataFrame:
        cols = list(columns) if columns is not None else self._property_columns()
        _check_columns(self._columns(), {c: "correlations(columns=...)" for c in cols})
        out = []
        for column in cols:
            sib = self._with(breakdown=column, attribution="first_touch")
            units = sib._unit_frame()
            ok = units["reached"] >= self.n_steps
            grouped = units.assign(ok=ok).groupby(column)["ok"].agg(["sum", "size"])
            for value, r in grouped.iterrows():
                out.append(
                    {
                        "kind": "property",
                        "name": f"{column}={value}",
                        "success_count": int(r["sum"]),
                        "failure_count": int(r["size"] - r["sum"]),
                    }
                )
        return pd.DataFrame(out, columns=["kind", "name", "success_count", "failure_count"])

    # ---------------------------------------------------------------- display
    def plot(self, *, title: str | None = None) -> Any:
        """The funnel as a plotly figure: bars, conversion labels, drop-offs.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.funnel import Funnel
        >>> fig = Funnel(ux.demo(), ["signup_started", "signup_done"]).plot()
        >>> type(fig).__name__
        'Figure'
        """
        from .plotting.funnel import funnel_figure

        return funnel_figure(
            self.table(), breakdown=self.breakdown, title=title or self._title(),
            subtitle=self._subtitle(),
        )

    def plot_compare(self, by: str | None = None, **kwargs: Any) -> Any:
        """:meth:`compare` as a figure: conversion and interval per segment.

        Keyword arguments are those of :meth:`compare`; significant segments
        are highlighted.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.funnel import Funnel
        >>> f = Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> len(f.plot_compare(by="version").data[0].x)
        2
        """
        from .plotting.funnel import compare_figure

        table = self.compare(by=by, **kwargs)
        column = table.columns[0]
        a, b = table.attrs["from_step"], table.attrs["to_step"]
        title = f"Conversion {self.labels[a - 1]} → {self.labels[b - 1]} by {column}"
        return compare_figure(table, column, title=title)

    def explore(self) -> Any:
        """An interactive explorer widget (click a step to list who dropped there).

        Examples
        --------
        The widget is scriptable: selecting a step lists who dropped there (42
        sessions of the demo stop after the profile step, at "invite teammates").

        >>> import uxlens as ux
        >>> f = ux.Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done",
        ...                           "invite_sent", "onboarding_done"])
        >>> w = f.explore()
        >>> w.select(3)
        >>> w.view.sessions["total"]
        42
        """
        from .widgets.funnel_explorer import FunnelExplorer

        return FunnelExplorer(self)

    def _title(self) -> str:
        return "Funnel: " + " → ".join(self.labels)

    def _subtitle(self) -> str:
        td = pd.Timedelta(self._window_ms, "ms")
        unit = "users" if self.unit == "user" else "sessions"
        bits = [f"{self.order}", f"window {_fmt_td(td)}", f"counting {unit}"]
        if self._exclusions:
            bits.append(f"{len(self._exclusions)} exclusion(s)")
        if self.breakdown:
            bits.append(f"by {self.breakdown} ({self.attribution})")
        return " · ".join(bits)

    def __repr__(self) -> str:
        return f"<Funnel {len(self._steps)} steps: {' → '.join(self.labels)} ({self._subtitle()})>"

    def _repr_html_(self) -> str:
        """Notebook display: the bars (plain HTML/CSS) and the table.

        No JavaScript and no CDN: the output renders offline, in untrusted
        notebooks, in JupyterLab and in static HTML exports alike.
        ``f.plot()`` gives the interactive plotly figure.
        """
        from .plotting.funnel import funnel_html

        table = self.table()
        shown = table.copy()
        for col in ("conversion", "step_conversion"):
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
        for col in ("median_time_s", "mean_time_s"):
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else _fmt_seconds(v))
        return (
            "<div style='font-family:system-ui,sans-serif'>"
            f"<div style='font-weight:600;font-size:14px'>{html.escape(self._title())}</div>"
            f"<div style='color:#667085;font-size:12px;margin-bottom:8px'>"
            f"{html.escape(self._subtitle())}</div>"
            f"{funnel_html(table, breakdown=self.breakdown)}"
            f"{shown.to_html(index=False, border=0)}"
            "<div style='color:#667085;font-size:11px;margin-top:4px'>"
            "f.plot() for the interactive chart · f.dropped(step) for who left · "
            "f.explore() to click through</div></div>"
        )


def _arrow_range(n: int) -> Any:
    import pyarrow as pa

    return pa.array(np.arange(n, dtype=np.int64))


def _screen_entries(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus one :data:`SCREEN_ENTERED` row per visit to a screen.

    A visit is a run of consecutive events of a session (by ``seq``, else
    time) with the same non-missing ``screen``; its row copies the run's
    first event.

    Examples
    --------
    >>> df = pd.DataFrame({"session_id": ["s"] * 4, "seq": [0, 1, 2, 3],
    ...                    "event": ["click"] * 4, "screen": ["a", "a", "b", "a"]})
    >>> out = _screen_entries(df)
    >>> out.loc[out["event"] == SCREEN_ENTERED, ["seq", "screen"]].values.tolist()
    [[0, 'a'], [2, 'b'], [3, 'a']]
    """
    order_cols = ["session_id", "seq" if "seq" in frame.columns else "timestamp"]
    ordered = frame.sort_values(order_cols, kind="stable")
    sid = ordered["session_id"].astype(str).to_numpy()
    scr = ordered["screen"].astype(object).where(ordered["screen"].notna(), None).to_numpy()
    new_session = np.ones(len(sid), dtype=bool)
    new_session[1:] = sid[1:] != sid[:-1]
    changed = np.ones(len(scr), dtype=bool)
    changed[1:] = scr[1:] != scr[:-1]
    entry = (new_session | changed) & pd.notna(scr)
    rows = ordered.loc[entry].copy()
    events = frame["event"]
    if isinstance(events.dtype, pd.CategoricalDtype):
        if SCREEN_ENTERED not in events.cat.categories:
            events = events.cat.add_categories([SCREEN_ENTERED])
        frame = frame.assign(event=events)
        rows["event"] = pd.Categorical([SCREEN_ENTERED] * len(rows), dtype=events.dtype)
    else:
        rows["event"] = SCREEN_ENTERED
    return pd.concat([frame, rows], ignore_index=True)


def _fmt_td(td: pd.Timedelta) -> str:
    seconds = td.total_seconds()
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min"), (1, "s")):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _fmt_seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f} s"
    if value < 3600:
        return f"{value / 60:.1f} min"
    if value < 86400:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} d"


@dataclass
class TimeToConvert:
    """Result of :meth:`Funnel.time_to_convert`: histogram table, figure, raw seconds."""

    table: pd.DataFrame
    figure: Any
    seconds: np.ndarray
    from_step: int
    to_step: int

    @property
    def median_s(self) -> float:
        """Median time to convert, seconds."""
        return float(np.median(self.seconds)) if len(self.seconds) else float("nan")

    @property
    def mean_s(self) -> float:
        """Mean time to convert, seconds."""
        return float(np.mean(self.seconds)) if len(self.seconds) else float("nan")

    def __iter__(self) -> Any:
        return iter((self.table, self.figure))

    def _repr_html_(self) -> str:
        return (
            f"<div style='font-family:system-ui,sans-serif'><b>Time to convert</b> "
            f"step {self.from_step} → {self.to_step} · {len(self.seconds):,} units · "
            f"median {_fmt_seconds(self.median_s) if len(self.seconds) else '–'}</div>"
            + self.table.to_html(index=False, border=0)
        )
