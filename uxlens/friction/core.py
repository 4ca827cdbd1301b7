"""Friction: rage, dead and error clicks, thrashing, U-turns, quick backs... and scores.

Each detector is a documented function with thresholds you can change one by
one or all at once through a vendor preset (``preset="posthog" | "datadog" |
"amplitude" | "openreplay"``). :class:`Friction` runs them all, lists every
signal, scores every session with an explainable weighted sum, aggregates per
page and element, learns which signals predict non-conversion, and ranks
insights that link to the sessions behind them.

Detectors and their defaults (every number is a parameter):

=================  ==========================================================
kind               default rule
=================  ==========================================================
rage_click         >= 3 presses, each <= 1000 ms and <= 30 px from the previous
dead_click         press on a non-interactive element, no mutation, pageview,
                   scroll or selection <= 2500 ms after it
error_click        console error, uncaught error or failed request (status >=
                   400 or 0) <= 1000 ms after a press
thrashed_cursor    >= 5 horizontal direction reversals (> 4) within 1000 ms,
                   each leg >= 300 px/s
excessive_scroll   scroll travel on one page view >= 3 page heights
scroll_uturn       a scroll leg of >= 400 px reversed by >= 50 % of it within
                   3000 ms
quick_back         A -> B -> A with <= 10 s spent on B
form_abandonment   inputs typed on a page, then no submit on that page
hesitation         >= 3000 ms (and < 30 s) without any action before a press
repeated_edit      the same input edited in >= 3 separate visits, or cleared
                   and retyped >= 2 times
=================  ==========================================================

Boundaries are inclusive unless a preset says otherwise (PostHog and
OpenReplay compare with ``<``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..engine.friction import (
    CLICK_EVENTS,
    DISABLED_PATTERN,
    DeadParams,
    ErrorParams,
    RageParams,
)
from ..exceptions import SchemaError, UxlensError, did_you_mean
from ..export import Exportable

__all__ = [
    "PRESETS",
    "DEFAULT_WEIGHTS",
    "SIGNAL_KINDS",
    "SUBMIT_PATTERN",
    "flag_clicks",
    "rage_clicks",
    "dead_clicks",
    "error_clicks",
    "thrashed_cursor",
    "scroll_friction",
    "quick_backs",
    "form_abandonment",
    "hesitations",
    "repeated_edits",
    "short_selector",
    "resolve_params",
    "Friction",
    "OutcomeModel",
]


# --------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class ThrashParams:
    """Thresholds of :func:`thrashed_cursor`."""

    min_reversals: int = 5
    window_ms: int = 1000
    min_speed_px_s: float = 300.0
    min_leg_px: float = 2.0
    max_gap_ms: int = 500


@dataclass(frozen=True)
class ScrollParams:
    """Thresholds of :func:`scroll_friction`."""

    excessive_page_heights: float = 3.0
    min_leg_px: float = 400.0
    return_ratio: float = 0.5
    uturn_ms: int = 3000


@dataclass(frozen=True)
class QuickBackParams:
    """Thresholds of :func:`quick_backs`."""

    max_ms: int = 10_000
    inclusive: bool = True


@dataclass(frozen=True)
class FormParams:
    """Thresholds of :func:`form_abandonment`."""

    min_inputs: int = 1
    submit_events: tuple[str, ...] = ("submit",)
    submit_pattern: str = ""


@dataclass(frozen=True)
class HesitationParams:
    """Thresholds of :func:`hesitations`."""

    min_ms: int = 3000
    max_ms: int = 30_000
    actions: tuple[str, ...] = (
        "click", "dblclick", "touch", "input", "scroll", "pageview", "selection", "focus",
        "resize",
    )


@dataclass(frozen=True)
class EditParams:
    """Thresholds of :func:`repeated_edits`."""

    min_visits: int = 3
    min_clears: int = 2


_PARAM_CLASSES: dict[str, type] = {
    "rage": RageParams,
    "dead": DeadParams,
    "error": ErrorParams,
    "thrash": ThrashParams,
    "scroll": ScrollParams,
    "quick_back": QuickBackParams,
    "form": FormParams,
    "hesitation": HesitationParams,
    "edits": EditParams,
}

#: Vendor presets: thresholds those products publish or ship in their SDKs.
#: Sources are cited in :func:`rage_clicks`, :func:`dead_clicks`, :func:`error_clicks`.
#: Detectors a vendor has no published rule for keep the uxlens defaults.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "uxlens": {},
    "posthog": {
        "rage": {"min_clicks": 3, "max_interval_ms": 1000, "max_distance_px": 30.0,
                 "distance": "manhattan", "inclusive": False},
        "dead": {"window_ms": 2500, "response_windows": {"scroll": 100, "selection": 100}},
    },
    "datadog": {
        "rage": {"min_clicks": 3, "max_interval_ms": 1000, "max_distance_px": 100.0,
                 "distance": "euclidean", "same_target": True, "window_ms": 1000},
        "dead": {"window_ms": 100, "targets": "not_text_input",
                 "responses": ("mutation", "pageview", "network", "input", "scroll",
                               "selection")},
        "error": {"window_ms": 10_000},
    },
    "amplitude": {
        "rage": {"min_clicks": 4, "max_interval_ms": 1000, "window_ms": 1000,
                 "max_distance_px": None, "same_target": True},
        "dead": {"window_ms": 3000, "targets": "interactive"},
    },
    "openreplay": {
        "rage": {"min_clicks": 3, "max_interval_ms": 300, "inclusive": False,
                 "max_distance_px": None, "same_target": True},
        "dead": {"window_ms": 1234, "targets": "not_text_input",
                 "responses": ("mutation", "pageview", "input")},
    },
}

#: The signal kinds, in report order.
SIGNAL_KINDS: tuple[str, ...] = (
    "rage_click", "dead_click", "error_click", "thrashed_cursor", "excessive_scroll",
    "scroll_uturn", "quick_back", "form_abandonment", "hesitation", "repeated_edit",
)

#: Points per signal in the session score (rage clicks scale with the burst:
#: ``weight * clicks / min_clicks``). Published defaults; pass ``weights=`` to change.
DEFAULT_WEIGHTS: dict[str, float] = {
    "rage_click": 3.0,
    "error_click": 2.5,
    "dead_click": 1.5,
    "form_abandonment": 2.0,
    "quick_back": 1.5,
    "thrashed_cursor": 1.0,
    "scroll_uturn": 0.5,
    "excessive_scroll": 0.5,
    "repeated_edit": 0.75,
    "hesitation": 0.25,
}


def _check_preset(preset: str | None) -> str:
    name = "uxlens" if preset is None else str(preset).lower()
    if name not in PRESETS:
        raise UxlensError(
            f"Unknown friction preset {preset!r}.{did_you_mean(str(preset), PRESETS)} "
            f"Expected one of {sorted(PRESETS)} or None."
        )
    return name


def _build(
    detector: str, preset: str | None, overrides: Mapping[str, Any], *, prefix: str = ""
) -> Any:
    cls = _PARAM_CLASSES[detector]
    values = dict(PRESETS[_check_preset(preset)].get(detector, {}))
    names = [f.name for f in dataclasses.fields(cls)]
    for key, value in overrides.items():
        if key not in names:
            shown = [prefix + n for n in names]
            raise UxlensError(
                f"The {detector} detector has no parameter {prefix + key!r}."
                f"{did_you_mean(prefix + key, shown)} Parameters: {shown}."
            )
        values[key] = value
    for key in ("responses", "console_levels", "error_events", "actions", "submit_events"):
        if key in values and isinstance(values[key], str):
            values[key] = (values[key],)
        elif key in values:
            values[key] = tuple(values[key])
    params = cls(**values)
    _validate(detector, params)
    return params


def _validate(detector: str, p: Any) -> None:
    if detector == "rage":
        if int(p.min_clicks) < 2:
            raise UxlensError(f"rage min_clicks must be >= 2, got {p.min_clicks!r}.")
        if p.distance not in ("euclidean", "manhattan"):
            raise UxlensError(
                f"rage distance must be 'euclidean' or 'manhattan', got {p.distance!r}."
            )
    if detector == "dead" and p.targets not in (
        "non_interactive", "interactive", "not_text_input", "any"
    ):
        raise UxlensError(
            "dead targets must be one of 'non_interactive', 'interactive', "
            f"'not_text_input', 'any'; got {p.targets!r}."
        )
    if detector == "dead" and p.mode not in ("auto", "mutation", "fallback"):
        raise UxlensError(f"dead mode must be 'auto', 'mutation' or 'fallback', got {p.mode!r}.")
    for f in dataclasses.fields(p):
        value = getattr(p, f.name)
        if f.name.endswith("_ms") and value is not None and float(value) < 0:
            raise UxlensError(f"{detector} {f.name} must be >= 0 ms, got {value!r}.")


def resolve_params(preset: str | None = None, **params: Any) -> dict[str, Any]:
    """All detector thresholds for a preset, with flat overrides applied.

    Parameters
    ----------
    preset
        ``None`` (uxlens defaults), ``"posthog"``, ``"datadog"``,
        ``"amplitude"`` or ``"openreplay"``.
    **params
        ``<detector>_<parameter>=value``, e.g. ``rage_min_clicks=4``,
        ``dead_window_ms=3000``, ``quick_back_max_ms=5000``. Detectors:
        ``rage, dead, error, thrash, scroll, quick_back, form, hesitation, edits``.

    Returns
    -------
    dict
        Detector name -> frozen parameter object.

    Examples
    --------
    >>> p = resolve_params("posthog", rage_min_clicks=4)
    >>> p["rage"].min_clicks, p["rage"].distance, p["dead"].windows()["scroll"]
    (4, 'manhattan', 100)
    """
    _check_preset(preset)
    per: dict[str, dict[str, Any]] = {d: {} for d in _PARAM_CLASSES}
    for key, value in params.items():
        for det in sorted(_PARAM_CLASSES, key=len, reverse=True):
            if key.startswith(det + "_"):
                per[det][key[len(det) + 1:]] = value
                break
        else:
            flat = [f"{d}_{f.name}" for d, c in _PARAM_CLASSES.items()
                    for f in dataclasses.fields(c)]
            raise UxlensError(
                f"Unknown friction threshold {key!r}.{did_you_mean(key, flat)} Thresholds are "
                "named <detector>_<parameter>, e.g. rage_min_clicks=4, dead_window_ms=3000."
            )
    return {d: _build(d, preset, per[d], prefix=d + "_") for d in _PARAM_CLASSES}


# --------------------------------------------------------------------------- inputs
_ENGINE_COLUMNS = ("session_id", "seq", "timestamp", "event", "url", "x", "y", "target",
                   "level", "status", "duration_ms", "is_interactive", "target_is_control")


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


# --------------------------------------------------------------------------- clicks
_FLAG_COLUMNS = ["session_id", "seq", "timestamp", "event", "url", "x", "y", "target",
                 "press", "rage", "dead", "error", "rage_burst", "burst_size"]


def flag_clicks(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Every click-like event with its rage / dead / error flags.

    The one implementation behind the rage, dead and error heatmaps,
    :meth:`Friction.signals` and :func:`rage_clicks` & co.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset
        Vendor thresholds: ``"posthog"``, ``"datadog"``, ``"amplitude"``,
        ``"openreplay"`` (see :func:`rage_clicks`, :func:`dead_clicks`,
        :func:`error_clicks`), or ``None`` for the uxlens defaults.
    backend
        ``None`` (default): vectorised numpy passes over the in-memory table,
        which is sorted by session and ``seq``. An Ibis backend
        (``ux.connect(...)``, e.g. DuckDB or PySpark): the same detectors run
        there as Ibis expressions, with identical results (both are tested
        against each other).
    **params
        Threshold overrides named ``rage_*``, ``dead_*``, ``error_*``, e.g.
        ``rage_max_interval_ms=800``, ``dead_window_ms=3000``,
        ``error_window_ms=2000`` (see :func:`resolve_params`).

    Returns
    -------
    pandas.DataFrame
        One row per ``click``, ``dblclick`` or ``touch`` event, in session
        order: ``session_id, seq, timestamp, event, url, x, y, target`` and

        - ``press``: the row counts as one physical press. ``dblclick`` rows
          (which repeat the two clicks before them) and a ``touch`` followed
          within ``rage_touch_merge_ms`` by the browser's synthetic ``click``
          are not presses and carry no flags; count presses, not rows.
        - ``rage``, ``dead``, ``error``: booleans.
        - ``rage_burst``: id of the rage burst (unique in the result, in
          session/time order) or -1; ``burst_size``: presses in its chain.

        ``attrs["dead_mode"]`` says how dead clicks were decided:
        ``"mutation"`` (the table has DOM ``mutation`` rows: the page's
        answers are mutations, pageviews, scrolls and selections) or
        ``"fallback"`` (no mutation rows, e.g. an analytics export: any
        following non-pointer event answers the click). ``attrs["params"]``
        holds the thresholds used.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01 10:00:00", tz="UTC")
    >>> ms = pd.Timedelta(milliseconds=1)
    >>> events = pd.DataFrame({
    ...     "session_id": "s1", "user_id": "u1", "event": "click",
    ...     "timestamp": [t0, t0 + 400 * ms, t0 + 800 * ms, t0 + 5000 * ms],
    ...     "x": [100, 105, 110, 400], "y": 200.0,
    ...     "target": ["button#send-invites"] * 3 + ["img.hero"]})
    >>> flags = flag_clicks(events)
    >>> flags[["target", "rage", "dead", "rage_burst"]]
                    target   rage   dead  rage_burst
    0  button#send-invites   True  False           0
    1  button#send-invites   True  False           0
    2  button#send-invites   True  False           0
    3             img.hero  False   True          -1
    >>> flags.attrs["dead_mode"]
    'fallback'
    """
    frame = _frame(events)
    p = resolve_params(preset, **params)
    return _flag_clicks(frame, p, backend=backend)


class _Engine:
    """Runs a detector on numpy (pandas input, no backend) or as an Ibis expression."""

    def __init__(self, frame: pd.DataFrame, backend: Any = None) -> None:
        self.frame = frame
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

            self._fr = Frame(self.frame)
        return self._fr

    def run(self, name: str, *args: Any, **kwargs: Any) -> pd.DataFrame:
        from ..engine import friction as eng

        if self.in_memory:
            return getattr(eng, "np_" + name)(self.fr, *args, **kwargs)
        return _run(getattr(eng, name)(self.table, *args, **kwargs), self.backend)


def _flag_clicks(frame: pd.DataFrame, p: Mapping[str, Any], *, backend: Any = None,
                 engine: _Engine | None = None) -> pd.DataFrame:
    mode = _dead_mode(frame, p["dead"])
    ev = frame["event"]
    n_clicks = int(ev.isin(list(CLICK_EVENTS)).sum())
    if n_clicks == 0:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in _FLAG_COLUMNS})
        for c in ("press", "rage", "dead", "error"):
            out[c] = out[c].astype(bool)
        out["rage_burst"] = out["rage_burst"].astype("int64")
        out["burst_size"] = out["burst_size"].astype("int64")
    else:
        engine = engine or _Engine(frame, backend)
        out = engine.run("click_flags", p["rage"], p["dead"], p["error"], dead_mode=mode)
        out = _finish_flags(out)
    out.attrs["dead_mode"] = mode
    out.attrs["params"] = {k: dataclasses.asdict(p[k]) for k in ("rage", "dead", "error")}
    return out


def _finish_flags(out: pd.DataFrame) -> pd.DataFrame:
    # both engines return rows in (session_id, seq) order
    out = out.reset_index(drop=True)
    for c in ("url", "target"):
        if c not in out.columns:
            out[c] = None
    for c in ("x", "y"):
        if c not in out.columns:
            out[c] = np.nan
        out[c] = out[c].astype("float64")
    if "timestamp" in out.columns:
        out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True).astype(
            "datetime64[ns, UTC]"
        )
    else:
        out["timestamp"] = pd.to_datetime(out["t_ms"], unit="ms", utc=True)
    for c in ("press", "rage", "dead", "error"):
        out[c] = out[c].astype(bool)
    out["seq"] = out["seq"].astype("int64")
    out["session_id"] = out["session_id"].astype(str)
    rage = out["rage"].to_numpy()
    burst_ids = np.full(len(out), -1, dtype="int64")
    if rage.any():
        keys = out.loc[rage, ["session_id", "burst"]]
        # first-seen order == (session, time) order because rows are sorted
        burst_ids[rage] = keys.groupby(["session_id", "burst"], sort=False).ngroup().to_numpy()
    out["rage_burst"] = burst_ids
    out["burst_size"] = out["burst_size"].astype("int64")
    return out[_FLAG_COLUMNS]


def _flat(prefix: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{k}": v for k, v in params.items()}


def rage_clicks(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Rage clicks: bursts of presses close in time and space.

    A chain links consecutive presses of a session (other events in between
    do not break it) when each press is at most ``max_interval_ms`` after the
    previous one and at most ``max_distance_px`` from it (document
    coordinates) and on the same URL. A chain of at least ``min_clicks``
    presses is a rage burst; every press in it is a rage click.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset
        Vendor thresholds (each number checked in the vendor's own SDK code):

        - ``"posthog"``: posthog-js ``extensions/rageclick.ts``:
          ``DEFAULT_CLICK_COUNT = 3``, ``DEFAULT_TIMEOUT_MS = 1000``,
          ``DEFAULT_THRESHOLD_PX = 30``, each click compared with the previous
          one using Manhattan distance ``|dx| + |dy| < 30`` and ``dt < 1000``
          (strict).
        - ``"datadog"``: browser-sdk ``rum-core/src/domain/action``:
          ``clickChain.ts`` links clicks on the same target within
          ``MAX_DURATION_BETWEEN_CLICKS = 1 s`` and
          ``MAX_DISTANCE_BETWEEN_CLICKS = 100`` px (Euclidean), and
          ``computeFrustration.ts`` calls it rage when 3 consecutive clicks fit
          in one second (``MIN_CLICKS_PER_SECOND_TO_CONSIDER_RAGE = 3``). The
          public docs say "more than three times"; the code says 3. Datadog
          also cancels a chain that selects text or scrolls; uxlens does not.
        - ``"amplitude"``: ``@amplitude/analytics-core`` frustration
          interactions: ``DEFAULT_RAGE_CLICK_THRESHOLD = 4`` clicks within
          ``DEFAULT_RAGE_CLICK_WINDOW_MS = 1000`` on the same element (older
          autocapture plugin versions used 5 clicks in 3000 ms). No distance
          limit is published; none is applied.
        - ``"openreplay"``: backend ``handlers/web/clickRage.go``:
          ``MinClicksInARow = 3`` clicks on the same element with less than
          ``MaxTimeDiff = 300`` ms between consecutive clicks; no distance.
    backend
        ``None`` (in memory) or an Ibis backend (see :func:`flag_clicks`).
    **params
        ``min_clicks`` (3), ``max_interval_ms`` (1000), ``max_distance_px``
        (30.0; ``None`` = no limit), ``distance`` (``"euclidean"`` or
        ``"manhattan"``), ``inclusive`` (True: ``<=`` at both thresholds),
        ``same_target`` (False), ``same_url`` (True), ``window_ms`` (None;
        else ``min_clicks`` consecutive presses of the chain must also fit
        in this span), ``touch_merge_ms`` (800).

    Returns
    -------
    pandas.DataFrame
        One row per rage burst: ``session_id, rage_burst, start, end, url,
        target, x, y, clicks, duration_ms`` (``x``/``y`` are the mean
        position; ``target`` the most frequent one).

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01 10:00:00", tz="UTC")
    >>> ms = pd.Timedelta(milliseconds=1)
    >>> events = pd.DataFrame({
    ...     "session_id": "s1", "user_id": "u1", "event": "click",
    ...     "timestamp": [t0, t0 + 1000 * ms, t0 + 2000 * ms, t0 + 3001 * ms],
    ...     "x": [10.0, 10, 40, 40], "y": 10.0, "target": "button#go"})
    >>> rage_clicks(events)[["clicks", "duration_ms"]]
       clicks  duration_ms
    0       3       2000.0
    >>> len(rage_clicks(events, preset="posthog"))   # strict < 1000 ms
    0
    """
    frame = _frame(events)
    p = resolve_params(preset, **_flat("rage", params))
    flags = _flag_clicks(frame, p, backend=backend)
    return _bursts(flags)




def _modes(keys: pd.Series, values: pd.Series) -> pd.Series:
    """Most frequent non-missing value per key (ties: the smallest value), indexed by key."""
    both = pd.DataFrame({"k": keys.to_numpy(), "v": values.astype(object).to_numpy()})
    both = both.loc[both["v"].notna()]
    counts = both.groupby(["k", "v"], sort=True).size().reset_index(name="n")
    counts = counts.sort_values(["k", "n"], ascending=[True, False], kind="stable")
    return counts.drop_duplicates("k").set_index("k")["v"].reindex(pd.unique(keys))


def _bursts(flags: pd.DataFrame) -> pd.DataFrame:
    r = flags.loc[flags["rage"]]
    cols = ["session_id", "rage_burst", "start", "end", "url", "target", "x", "y", "clicks",
            "duration_ms"]
    if r.empty:
        return pd.DataFrame(columns=cols)
    g = r.groupby("rage_burst", sort=True)
    out = pd.DataFrame({
        "session_id": g["session_id"].first(),
        "start": g["timestamp"].min(),
        "end": g["timestamp"].max(),
        "url": g["url"].first(),
        "target": _modes(r["rage_burst"], r["target"]),
        "x": g["x"].mean(),
        "y": g["y"].mean(),
        "clicks": g.size().astype("int64"),
    }).rename_axis("rage_burst").reset_index()
    out["duration_ms"] = (out["end"] - out["start"]).dt.total_seconds() * 1000.0
    out.attrs = dict(flags.attrs)
    return out[cols]


def dead_clicks(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Dead clicks: presses the page did not answer.

    A press is dead when its target is eligible (by default: no component of
    its selector path is a link or form control - ``a, button, input,
    select, textarea, label, summary, option``, an interactive ``[role=...]``,
    ``[href]``, ``[onclick]`` or ``[contenteditable]``; an ``is_interactive``
    or the rrweb reader's ``target_is_control`` column wins when present; a
    disabled control - ``[disabled]``, ``[aria-disabled=true]``, class
    ``disabled`` or ``is-disabled`` - is eligible, since it cannot answer)
    and no answer follows in the
    same session within the window: a DOM ``mutation``, a ``pageview``, a
    ``scroll`` or a ``selection`` at most ``window_ms`` (2500, inclusive)
    after it. Tables without any ``mutation`` rows fall back to "no
    following non-pointer event of any kind within ``window_ms``" (see
    ``attrs["dead_mode"]``).

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset
        Vendor thresholds:

        - ``"posthog"``: posthog-js dead-clicks autocapture defaults:
          ``mutation_threshold_ms = 2500``, ``scroll_threshold_ms = 100``,
          ``selection_change_threshold_ms = 100``.
        - ``"datadog"``: browser-sdk ``computeFrustration.ts`` ``isDead``: no
          page activity (DOM mutation, request, navigation) within
          ``PAGE_ACTIVITY_VALIDATION_DELAY = 100`` ms, no input or scroll; any
          element is eligible except ``DEAD_CLICK_EXCLUDE_SELECTOR`` (text
          inputs, textarea, select, contenteditable, canvas, ``a[href]`` and
          descendants), approximated here from the selector path.
        - ``"amplitude"``: ``DEFAULT_DEAD_CLICK_WINDOW_MS = 3000``; Amplitude
          only watches clickable elements (links, buttons, button-like
          inputs, interactive roles), so ``targets="interactive"``.
        - ``"openreplay"``: backend ``handlers/web/deadClick.go``: no DOM
          change or input value change within ``ClickRelationTime = 1234`` ms;
          clicks on inputs are ignored.
    backend
        ``None`` (in memory) or an Ibis backend (see :func:`flag_clicks`).
    **params
        ``window_ms`` (2500), ``responses`` (events that answer a click;
        ``("mutation", "pageview", "scroll", "selection")``),
        ``response_windows`` (per-event windows overriding ``window_ms``),
        ``targets`` (``"non_interactive"``, ``"interactive"``,
        ``"not_text_input"`` or ``"any"``), ``mode`` (``"auto"``,
        ``"mutation"`` or ``"fallback"``).

    Returns
    -------
    pandas.DataFrame
        The dead presses: ``session_id, seq, timestamp, url, x, y, target``,
        ``attrs["dead_mode"]`` set.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01 10:00:00", tz="UTC")
    >>> ms = pd.Timedelta(milliseconds=1)
    >>> events = pd.DataFrame({
    ...     "session_id": "s1", "user_id": "u1",
    ...     "event": ["click", "mutation", "click", "mutation"],
    ...     "timestamp": [t0, t0 + 2499 * ms, t0 + 10_000 * ms, t0 + 12_501 * ms],
    ...     "x": 5.0, "y": 5.0, "target": "img.decoy"})
    >>> dead = dead_clicks(events)
    >>> list(dead["seq"]), dead.attrs["dead_mode"]
    ([2], 'mutation')
    """
    frame = _frame(events)
    p = resolve_params(preset, **_flat("dead", params))
    flags = _flag_clicks(frame, p, backend=backend)
    out = flags.loc[flags["dead"], ["session_id", "seq", "timestamp", "url", "x", "y", "target"]]
    out = out.reset_index(drop=True)
    out.attrs = dict(flags.attrs)
    return out


def error_clicks(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Error clicks: presses followed by an error.

    An error is a ``console`` row whose ``level`` is in ``console_levels``
    (``error``), an uncaught ``error`` event, or a ``network`` row that
    failed (``status >= min_status`` (400), or status 0 when
    ``status_zero_failed``). A press is an error click when an error follows
    it in the same session within ``window_ms`` (1000, inclusive). A request
    fails when its response arrives, so a network row counts at its start
    time plus ``duration_ms`` (when known).

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset
        ``"datadog"``: an error during the click action, which browser-sdk
        bounds by ``CLICK_ACTION_MAX_DURATION = 10 s`` (``window_ms=10000``).
        PostHog, Amplitude and OpenReplay publish no error-click rule; their
        presets keep the uxlens default.
    backend
        ``None`` (in memory) or an Ibis backend (see :func:`flag_clicks`).
    **params
        ``window_ms`` (1000), ``min_status`` (400), ``status_zero_failed``
        (True), ``console_levels`` (``("error",)``), ``error_events``
        (``("error",)``).

    Returns
    -------
    pandas.DataFrame
        The error presses: ``session_id, seq, timestamp, url, x, y, target``.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01 10:00:00", tz="UTC")
    >>> ms = pd.Timedelta(milliseconds=1)
    >>> events = pd.DataFrame({
    ...     "session_id": "s1", "user_id": "u1",
    ...     "event": ["click", "network", "click", "network"],
    ...     "timestamp": [t0, t0 + 1000 * ms, t0 + 5000 * ms, t0 + 6001 * ms],
    ...     "status": [None, 500, None, 503], "target": "button#save"})
    >>> list(error_clicks(events)["seq"])
    [0]
    """
    frame = _frame(events)
    p = resolve_params(preset, **_flat("error", params))
    flags = _flag_clicks(frame, p, backend=backend)
    out = flags.loc[flags["error"], ["session_id", "seq", "timestamp", "url", "x", "y", "target"]]
    out = out.reset_index(drop=True)
    out.attrs = dict(flags.attrs)
    return out


# --------------------------------------------------------------------------- helpers
_SIGNAL_COLUMNS = ["session_id", "timestamp", "seq", "url", "element", "target", "kind", "count",
                   "evidence"]
#: Default submit-like control, from a selector path: a submit input/button, or a
#: button / button-role element whose id or classes name a submitting action.
SUBMIT_PATTERN = (
    r"\[type=[\"']?(?:submit|image)"
    r"|(?:^|[ >])(?:button|a|[a-z-]*\[role=[\"']?button)[^ >]*"
    r"[#.][a-z0-9_-]*(?:submit|send|save|continue|next|confirm|done|finish|apply|create"
    r"|register|sign-?up|sign-?in|log-?in|checkout|pay|order|subscribe)"
    r"|(?:^|[ >])form(?:[.#\[:][^ >]*)? .*>\s*button(?:[.#\[:][^ >]*)?$"
)
#: Controls that leave a form without submitting it, even when they look like buttons.
NOT_SUBMIT_PATTERN = r"[#.][a-z0-9_-]*(?:skip|cancel|back|close|dismiss|later|prev)"


def short_selector(target: Any) -> Any:
    """A readable element name from a selector path: its last component, ``#id`` if it has one.

    Examples
    --------
    >>> short_selector("html > body > div#app > button#send-invites.primary")
    '#send-invites'
    >>> short_selector("div#app > main > img.decoy:nth-of-type(2)")
    'img.decoy:nth-of-type(2)'
    >>> short_selector(None) is None
    True
    """
    if target is None or (isinstance(target, float) and np.isnan(target)) or target is pd.NA:
        return None
    text = str(target).strip()
    last = text.replace(">", " ").split()[-1] if text else text
    if "#" in last:
        ident = last.split("#", 1)[1]
        for stop in ".[:":
            ident = ident.split(stop, 1)[0]
        return "#" + ident
    return last




def _short_many(values: pd.Series) -> pd.Series:
    obj = values.astype(object)
    uniques = pd.unique(obj[obj.notna()])
    mapping = {u: short_selector(u) for u in uniques}
    return obj.map(mapping).astype(object).where(obj.notna(), None)


def _page(url: Any) -> str:
    if url is None or (isinstance(url, float) and np.isnan(url)) or url is pd.NA:
        return "(no url)"
    text = str(url)
    if "://" in text:
        text = "/" + text.split("://", 1)[1].split("/", 1)[-1] if "/" in text.split("://", 1)[
            1] else "/"
    return text


def _where_codes(sig: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Where each signal happened, coded: its element for element kinds (when known),
    else its page (:func:`_page`). Codes and names; equal names share one code.

    Names are computed once per distinct element and URL, not once per signal.
    """
    ecode, enames = pd.factorize(sig["element"].astype(object), use_na_sentinel=True)
    ucode, unames = pd.factorize(sig["url"].astype(object), use_na_sentinel=True)
    names = np.array([str(e) for e in enames] + [_page(u) for u in unames] + ["(no url)"],
                     dtype=object)
    page = np.where(ucode >= 0, len(enames) + ucode, len(names) - 1)
    use_element = (ecode >= 0) & sig["kind"].isin(_ELEMENT_KINDS).to_numpy()
    code = np.where(use_element, ecode, page)
    canon, distinct = pd.factorize(names)  # an element and a page may read the same
    return canon[code], np.asarray(distinct, dtype=object)


def _ts(t_ms: Any) -> pd.Series:
    return pd.to_datetime(pd.Series(t_ms, dtype="int64"), unit="ms", utc=True).astype(
        "datetime64[ns, UTC]"
    )


def _empty_signals(extra: tuple[str, ...] = ()) -> pd.DataFrame:
    cols = _SIGNAL_COLUMNS + list(extra)
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out["timestamp"] = out["timestamp"].astype("datetime64[ns, UTC]")
    out["seq"] = out["seq"].astype("int64")
    out["count"] = out["count"].astype("int64")
    return out


def _signal_frame(kind: str, data: dict[str, Any], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    n = len(next(iter(data.values()))) if data else 0
    if n == 0:
        return _empty_signals(extra)
    # Series lose their index here (rows are positional) but keep their dtype (tz, NA)
    out = pd.DataFrame({k: (v.array if isinstance(v, pd.Series) else v) for k, v in data.items()})
    out["kind"] = kind
    for c in _SIGNAL_COLUMNS + list(extra):
        if c not in out.columns:
            out[c] = None
    out["session_id"] = out["session_id"].astype(str)
    out["seq"] = out["seq"].astype("int64")
    out["count"] = out["count"].astype("int64")
    out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True).astype("datetime64[ns, UTC]")
    out["url"] = out["url"].astype(object).where(out["url"].notna(), None)
    return out[_SIGNAL_COLUMNS + list(extra)].reset_index(drop=True)


def _run(expr: Any, backend: Any) -> pd.DataFrame:
    from ..engine.backend import execute

    return execute(expr, backend)


def _fmt_s(ms: float) -> str:
    return f"{ms / 1000:.1f} s"


# --------------------------------------------------------------------------- other detectors
def _thrash_signals(engine: _Engine, p: ThrashParams) -> pd.DataFrame:
    extra = ("reversals", "duration_ms")
    if "x" not in engine.frame.columns:
        return _empty_signals(extra)
    revs = engine.run("thrash_reversals", window_ms=p.window_ms, min_speed_px_s=p.min_speed_px_s,
                      min_leg_px=p.min_leg_px, max_gap_ms=p.max_gap_ms)
    hit = revs.loc[revs["n"] >= p.min_reversals].sort_values(["session_id", "t_ms", "seq"])
    if hit.empty:
        return _empty_signals(extra)
    sid = hit["session_id"].to_numpy()
    t = hit["t_ms"].to_numpy()
    new = np.ones(len(hit), dtype=bool)
    new[1:] = (sid[1:] != sid[:-1]) | (t[1:] - t[:-1] > p.window_ms)
    hit = hit.assign(episode=np.cumsum(new))
    g = hit.groupby("episode", sort=True)
    ep = pd.DataFrame({
        "session_id": g["session_id"].first(), "t1": g["t_ms"].max(), "t_flag": g["t_ms"].min(),
    }).reset_index()
    # the episode covers every reversal of the windows that crossed the threshold
    both = revs[["session_id", "seq", "t_ms", "url"]].merge(ep, on="session_id")
    inside = both.loc[(both["t_ms"] >= both["t_flag"] - p.window_ms)
                      & (both["t_ms"] <= both["t1"])]
    gi = inside.sort_values(["episode", "t_ms", "seq"]).groupby("episode", sort=True)
    ep = pd.DataFrame({
        "session_id": gi["session_id"].first(), "t0": gi["t_ms"].min(), "t1": gi["t_ms"].max(),
        "seq": gi["seq"].first(), "url": gi["url"].first(), "reversals": gi.size(),
    })
    return _signal_frame("thrashed_cursor", {
        "session_id": ep["session_id"], "timestamp": _ts(ep["t0"]),
        "seq": ep["seq"], "url": ep["url"], "count": ep["reversals"],
        "evidence": [f"{int(r)} horizontal direction reversals in {d / 1000:.2f} s"
                     for r, d in zip(ep["reversals"], ep["t1"] - ep["t0"])],
        "reversals": ep["reversals"].astype("int64"), "duration_ms": (ep["t1"] - ep["t0"]),
    }, extra)


def _scroll_signals(engine: _Engine, p: ScrollParams) -> pd.DataFrame:
    extra = ("travel_px",)
    if "scroll_y" not in engine.frame.columns:
        return _empty_signals(extra)
    visits = engine.run("scroll_visits")
    ref = visits["page_h"].astype("float64")
    explored = visits["max_y"].astype("float64") + visits["viewport_h"].astype("float64")
    ref = ref.where(ref.notna() & (ref > 0), explored)
    ratio = visits["travel"].astype("float64") / ref
    ex = visits.loc[(ratio >= p.excessive_page_heights).fillna(False)]
    r = ratio.loc[ex.index]
    excessive = _signal_frame("excessive_scroll", {
        "session_id": ex["session_id"], "timestamp": _ts(ex["t_ms"]),
        "seq": ex["seq"], "url": ex["url"], "count": np.ones(len(ex), dtype="int64"),
        "evidence": [f"scrolled {tr:,.0f} px, {rr:.1f}x the page height"
                     for tr, rr in zip(ex["travel"], r)],
        "travel_px": ex["travel"].astype("float64"),
    }, extra)
    legs = engine.run("scroll_legs")
    prev = legs["prev_travel"].astype("float64")
    cur = legs["travel"].astype("float64")
    gap = legs["start_ms"] - legs["prev_end_ms"]
    u = legs.loc[((prev >= p.min_leg_px) & (-cur >= p.return_ratio * prev)
                  & (gap <= p.uturn_ms)).fillna(False)]
    uturns = _signal_frame("scroll_uturn", {
        "session_id": u["session_id"], "timestamp": _ts(u["start_ms"]),
        "seq": u["seq"], "url": u["url"], "count": np.ones(len(u), dtype="int64"),
        "evidence": [f"scrolled down {a:,.0f} px, then back up {-b:,.0f} px"
                     for a, b in zip(u["prev_travel"], u["travel"])],
        "travel_px": u["travel"].astype("float64"),
    }, extra)
    return pd.concat([excessive, uturns], ignore_index=True)


def _quick_back_signals(engine: _Engine, p: QuickBackParams) -> pd.DataFrame:
    extra = ("from_url", "dwell_ms")
    if "url" not in engine.frame.columns:
        return _empty_signals(extra)
    qb = engine.run("quick_backs", max_ms=p.max_ms, inclusive=p.inclusive)
    return _signal_frame("quick_back", {
        "session_id": qb["session_id"], "timestamp": _ts(qb["t_ms"]),
        "seq": qb["seq"], "url": qb["url"], "count": np.ones(len(qb), dtype="int64"),
        "evidence": [f"left after {_fmt_s(d)}, back to {_page(f)}"
                     for d, f in zip(qb["dwell_ms"], qb["from_url"])],
        "from_url": qb["from_url"], "dwell_ms": qb["dwell_ms"],
    }, extra)


def _hesitation_signals(engine: _Engine, p: HesitationParams) -> pd.DataFrame:
    extra = ("idle_ms",)
    h = engine.run("hesitations", actions=p.actions, min_ms=p.min_ms, max_ms=p.max_ms)
    return _signal_frame("hesitation", {
        "session_id": h["session_id"], "timestamp": _ts(h["t_ms"]),
        "seq": h["seq"], "url": h["url"], "target": h["target"],
        "element": _short_many(h["target"]).to_numpy(),
        "count": np.ones(len(h), dtype="int64"),
        "evidence": (pd.Series(h["idle_ms"].to_numpy() / 1000, dtype="float64").round(1)
                     .astype(str) + " s without acting before the click").to_numpy(),
        "idle_ms": h["idle_ms"],
    }, extra)


def _form_signals(engine: _Engine, flags: pd.DataFrame, p: FormParams) -> pd.DataFrame:
    extra = ("inputs", "fields")
    fr = engine.fr
    typed = fr.mask("input").copy()
    if not typed.any():
        return _empty_signals(extra)
    tcodes, tcats = fr.codes("target")
    if fr.has("checked") and fr.has("target"):
        # ticking a box is not typing: drop inputs on targets ever seen checked
        toggles = np.unique(tcodes[typed & (fr.flag("checked") == 1)])
        if len(toggles):
            typed &= ~np.isin(tcodes, toggles[toggles >= 0])
    rows = np.flatnonzero(typed)
    if not len(rows):
        return _empty_signals(extra)
    ucodes, ucats = fr.codes("url")
    nu = np.int64(len(ucats) + 1)

    def key(pos: np.ndarray, url_pos: np.ndarray | None = None) -> np.ndarray:
        u = ucodes[pos if url_pos is None else url_pos].astype("int64") + 1
        return fr.sid[pos] * nu + u

    k = key(rows)
    groups, first_i, inv = np.unique(k, return_index=True, return_inverse=True)
    n_inputs = np.bincount(inv)
    last_i = np.zeros(len(groups), dtype="int64")
    np.maximum.at(last_i, inv, np.arange(len(rows)))
    first_pos, last_pos = rows[first_i], rows[last_i]
    nt = np.int64(len(tcats) + 1)
    pairs = np.unique(inv.astype("int64") * nt + tcodes[rows] + 1)
    fields = np.bincount(pairs // nt, weights=(pairs % nt) > 0, minlength=len(groups))

    # Submissions (key, position): a submit event, a working press on a submit control, or
    # a navigation straight after typing (Enter submits a form).
    clicks = np.flatnonzero(fr.mask(*CLICK_EVENTS))
    press = flags["press"].to_numpy(dtype=bool)
    yes = re.compile(p.submit_pattern or SUBMIT_PATTERN, re.IGNORECASE)
    no = re.compile(NOT_SUBMIT_PATTERN, re.IGNORECASE)
    grey = re.compile(DISABLED_PATTERN)
    submit_cat = np.array([bool(yes.search(t) and not no.search(t)) for t in tcats] + [False])
    grey_cat = np.array([bool(grey.search(t)) for t in tcats] + [False])
    tc = tcodes[clicks]
    tried = press & submit_cat[tc]
    bad = flags["rage"].to_numpy(dtype=bool) | flags["dead"].to_numpy(dtype=bool) | grey_cat[tc]
    sub_pos = [clicks[tried & ~bad]]
    sub_key = [key(sub_pos[0])]
    if p.submit_events:
        se = np.flatnonzero(fr.mask(*p.submit_events))
        sub_pos.append(se)
        sub_key.append(key(se))
    pv = np.flatnonzero(fr.mask("pageview"))
    seqs = np.concatenate([rows, pv, clicks[press]])
    kind = np.concatenate([np.zeros(len(rows), "int8"), np.ones(len(pv), "int8"),
                           np.full(int(press.sum()), 2, "int8")])
    order = np.argsort(seqs, kind="stable")
    seqs, kind = seqs[order], kind[order]
    enter = np.zeros(len(seqs), dtype=bool)
    if len(seqs) > 1:
        enter[1:] = ((kind[1:] == 1) & (kind[:-1] == 0) & (fr.sid[seqs[1:]] == fr.sid[seqs[:-1]])
                     & (ucodes[seqs[1:]] != ucodes[seqs[:-1]]))
    hit = np.flatnonzero(enter)
    sub_pos.append(seqs[hit])
    sub_key.append(key(seqs[hit - 1]))
    sk = np.concatenate(sub_key)
    sp = np.concatenate(sub_pos)
    # latest submission per key, then compare with the group's first input
    latest = np.full(len(groups), -1, dtype="int64")
    j = np.searchsorted(groups, sk)
    inside = j < len(groups)
    inside[inside] &= groups[j[inside]] == sk[inside]
    np.maximum.at(latest, j[inside], sp[inside])
    keep = (n_inputs >= p.min_inputs) & ~(latest > first_pos)
    rage_tries = np.zeros(len(groups), dtype="int64")
    rt = clicks[tried & flags["rage"].to_numpy(dtype=bool)]
    if len(rt):
        jr = np.searchsorted(groups, key(rt))
        ok = (jr < len(groups))
        ok[ok] &= groups[jr[ok]] == key(rt)[ok]
        np.add.at(rage_tries, jr[ok], 1)
    g = np.flatnonzero(keep)
    pos = last_pos[g]
    inputs_s = pd.Series(n_inputs[g]).astype(str)
    fields_s = pd.Series(fields[g].astype("int64")).astype(str)
    text = "typed " + inputs_s + " inputs in " + fields_s + " field(s), never submitted"
    rage_s = pd.Series(rage_tries[g])
    text = text.where(rage_s == 0, text + "; " + rage_s.astype(str)
                      + " rage clicks on the submit control")
    target = fr.strings("target", pos)
    return _signal_frame("form_abandonment", {
        "session_id": fr.strings("session_id", pos), "timestamp": fr.timestamps(pos),
        "seq": fr.seq[pos], "url": fr.strings("url", pos), "target": target,
        "element": _short_many(pd.Series(target, dtype=object)).to_numpy(),
        "count": np.ones(len(g), "int64"), "evidence": text.to_numpy(),
        "inputs": n_inputs[g].astype("int64"), "fields": fields[g].astype("int64"),
    }, extra)


def _edit_signals(frame: pd.DataFrame, p: EditParams) -> pd.DataFrame:
    extra = ("visits", "clears")
    ev = frame["event"]
    is_input = (ev == "input").to_numpy()
    if not is_input.any() or "target" not in frame:
        return _empty_signals(extra)
    cols = ["session_id", "seq", "timestamp", "target"] + [
        c for c in ("url", "value") if c in frame]
    inp = frame.loc[is_input, cols].reset_index(drop=True)
    inp = inp.loc[inp["target"].notna()].reset_index(drop=True)
    if inp.empty:
        return _empty_signals(extra)
    sid = inp["session_id"].astype(str).to_numpy()
    tgt = inp["target"].astype(str).to_numpy()
    start = np.ones(len(inp), dtype=bool)
    start[1:] = (sid[1:] != sid[:-1]) | (tgt[1:] != tgt[:-1])
    inp["visit_start"] = start
    if "value" in inp:
        length = inp["value"].astype(object).map(
            lambda v: len(v) if isinstance(v, str) else np.nan).astype("float64")
        prev = length.groupby([inp["session_id"], inp["target"]], observed=True,
                              sort=False).shift()
        inp["clear"] = ((length == 0) & (prev > 0)).to_numpy()
    else:
        inp["clear"] = False
    g = inp.groupby(["session_id", "target"], observed=True, sort=False)
    per = pd.DataFrame({
        "visits": g["visit_start"].sum(), "clears": g["clear"].sum(),
        "seq": g["seq"].max(), "timestamp": g["timestamp"].max(),
    })
    per["url"] = g["url"].last() if "url" in inp else None
    per = per.loc[(per["visits"] >= p.min_visits) | (per["clears"] >= p.min_clears)]
    per = per.reset_index()
    return _signal_frame("repeated_edit", {
        "session_id": per["session_id"], "timestamp": per["timestamp"],
        "seq": per["seq"], "url": per["url"], "target": per["target"].astype(object),
        "element": _short_many(per["target"]).to_numpy(),
        "count": per["visits"].astype("int64"),
        "evidence": [f"edited in {int(v)} separate visits, cleared {int(c)} times"
                     for v, c in zip(per["visits"], per["clears"])],
        "visits": per["visits"].astype("int64"), "clears": per["clears"].astype("int64"),
    }, extra)


def _click_signals(fr: Any, flags: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    parts = []
    bursts = _bursts(flags)
    if len(bursts):
        in_burst = flags.loc[flags["rage"]].groupby("rage_burst")
        first_seq = in_burst["seq"].min()
        dead_in = in_burst["dead"].sum().reindex(bursts["rage_burst"]).to_numpy()
        parts.append(_signal_frame("rage_click", {
            "session_id": bursts["session_id"], "timestamp": bursts["start"],
            "seq": bursts["rage_burst"].map(first_seq), "url": bursts["url"],
            "target": bursts["target"], "element": _short_many(bursts["target"]).to_numpy(),
            "count": bursts["clicks"],
            "evidence": [f"{c} clicks in {_fmt_s(d)}" + (", none answered" if n == c else (
                f", {n} unanswered" if n else "")) for c, d, n in
                         zip(bursts["clicks"], bursts["duration_ms"], dead_in)],
        }))
    # a dead press inside a rage burst is part of that burst's story, not a second signal
    dead = flags.loc[flags["dead"] & ~flags["rage"]]
    if len(dead):
        mode = flags.attrs.get("dead_mode", "mutation")
        w = p["dead"].window_ms
        what = "no DOM change, navigation, scroll or selection" if mode == "mutation" else (
            "no following event")
        parts.append(_signal_frame("dead_click", {
            "session_id": dead["session_id"], "timestamp": dead["timestamp"],
            "seq": dead["seq"], "url": dead["url"], "target": dead["target"],
            "element": _short_many(dead["target"]).to_numpy(),
            "count": np.ones(len(dead), "int64"),
            "evidence": f"{what} within {_fmt_s(w)}",
        }))
    err = flags.loc[flags["error"]]
    if len(err):
        parts.append(_signal_frame("error_click", {
            "session_id": err["session_id"], "timestamp": err["timestamp"],
            "seq": err["seq"], "url": err["url"], "target": err["target"],
            "element": _short_many(err["target"]).to_numpy(),
            "count": np.ones(len(err), "int64"),
            "evidence": _error_evidence(fr, err, p["error"]),
        }))
    return pd.concat(parts, ignore_index=True) if parts else _empty_signals()


def _error_evidence(fr: Any, err: pd.DataFrame, p: ErrorParams) -> list[str]:
    """What went wrong after each error click: the first error after it in its session."""
    from ..engine.friction import error_rows

    e, _ = error_rows(fr, p)
    default = f"error within {_fmt_s(p.window_ms)}"
    if not len(e) or not len(err):
        return [default] * len(err)
    # click rows: find their positions from (session, seq), both sorted in engine order
    sid_index = pd.Index(pd.Series(fr.strings("session_id", _firsts(fr))).astype(str))
    csid = sid_index.get_indexer(err["session_id"].astype(str))
    span = np.int64(int(fr.seq.max()) + 2)
    ckey = csid.astype("int64") * span + err["seq"].to_numpy(dtype="int64")
    ekey = fr.sid[e] * span + fr.seq[e]
    j = np.searchsorted(ekey, ckey, side="right")
    ok = j < len(e)
    jj = np.where(ok, j, 0)
    ok &= fr.sid[e[jj]] == csid
    rows = e[jj[ok]]
    ev_names = np.asarray(fr.ev_names + [""], dtype=object)[fr.ev[rows]]

    def col(name: str) -> pd.Series:
        if not fr.has(name):
            return pd.Series("", index=range(len(rows)), dtype=object)
        v = pd.Series(fr.frame[name].array.take(rows)).astype(object)
        return v.where(v.notna(), "").astype(str)

    request = (col("method") + " " + col("request_url")).str.strip()
    status = col("status")
    net_text = (request + " -> " + status).str.strip()
    msg_text = (pd.Series(ev_names, dtype=object) + ": " + col("message").str.slice(0, 80)
                ).str.rstrip(": ")
    text = np.where(ev_names == "network", net_text, msg_text)
    out = np.full(len(err), default, dtype=object)
    out[np.flatnonzero(ok)] = text
    return list(out)


def _firsts(fr: Any) -> np.ndarray:
    """Position of the first row of each session in an engine frame."""
    if not fr.n:
        return np.zeros(0, dtype="int64")
    return np.flatnonzero(np.r_[True, fr.sid[1:] != fr.sid[:-1]])


# --------------------------------------------------------------------------- public wrappers
def _detector(kind: str, events: Any, preset: str | None, backend: Any,
              prefix: str, params: Mapping[str, Any]) -> pd.DataFrame:
    frame = _frame(events)
    p = resolve_params(preset, **_flat(prefix, params))
    engine = _Engine(frame, backend)
    if kind == "thrash":
        return _thrash_signals(engine, p["thrash"])
    if kind == "scroll":
        return _scroll_signals(engine, p["scroll"])
    if kind == "quick_back":
        return _quick_back_signals(engine, p["quick_back"])
    if kind == "hesitation":
        return _hesitation_signals(engine, p["hesitation"])
    if kind == "form":
        return _form_signals(engine, _flag_clicks(frame, p, engine=engine), p["form"])
    return _edit_signals(frame, p["edits"])


_EXTRA_ENGINE_COLUMNS = ("scroll_y", "page_h", "viewport_h")


def _engine_table_full(frame: pd.DataFrame, backend: Any = None) -> Any:
    from ..engine.backend import as_table

    cols = [c for c in _ENGINE_COLUMNS + _EXTRA_ENGINE_COLUMNS if c in frame.columns]
    sub = frame[cols]
    for col in ("is_interactive", "target_is_control"):
        if col in sub.columns:
            sub = sub.assign(**{col: sub[col].astype("boolean")})
    return as_table(sub, backend)


def thrashed_cursor(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Thrashed cursor: the pointer shaken left and right.

    From ``mousemove`` rows: a *move* is the step between consecutive
    samples that is at least ``min_leg_px`` (2) wide, at least
    ``min_speed_px_s`` (300 px/s) fast and at most ``max_gap_ms`` (500)
    after the previous sample; a *reversal* is a move whose horizontal
    direction is opposite to the previous move (at most ``window_ms``
    earlier). A thrash episode is where at least ``min_reversals`` (5, i.e.
    "more than 4") reversals fall within ``window_ms`` (1000, inclusive);
    overlapping windows merge into one signal. No vendor publishes exact
    thresholds (Clarity and FullStory describe the signal only), so every
    preset keeps these.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset, backend
        As in :func:`flag_clicks`.
    **params
        ``min_reversals, window_ms, min_speed_px_s, min_leg_px, max_gap_ms``.

    Returns
    -------
    pandas.DataFrame
        One row per episode: the signal columns (``session_id, timestamp,
        seq, url, element, target, kind, count, evidence``) plus
        ``reversals`` and ``duration_ms``.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01", tz="UTC")
    >>> xs = [100, 200] * 4                       # 7 direction changes in 350 ms
    >>> events = pd.DataFrame({"session_id": "s", "user_id": "u", "event": "mousemove",
    ...     "timestamp": [t0 + pd.Timedelta(milliseconds=50 * i) for i in range(8)],
    ...     "x": xs, "y": 300.0})
    >>> thrashed_cursor(events)[["reversals", "evidence"]]
       reversals                             evidence
    0          6  6 horizontal direction reversals in 0.25 s
    """
    return _detector("thrash", events, preset, backend, "thrash", params)


def scroll_friction(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Excessive scrolling and scroll U-turns.

    A page visit runs from a ``pageview`` to the next one. *Excessive
    scrolling*: the visit's scroll travel (sum of ``|Δscroll_y|``) is at
    least ``excessive_page_heights`` (3) times the page height (``page_h``,
    else the explored height ``max(scroll_y) + viewport_h``). A *U-turn*: a
    downward scroll leg of at least ``min_leg_px`` (400) followed within
    ``uturn_ms`` (3000) by an upward leg covering at least ``return_ratio``
    (0.5) of it - the reader went looking and came back. Microsoft Clarity
    reports both signals without publishing thresholds; these are uxlens's.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset, backend
        As in :func:`flag_clicks`.
    **params
        ``excessive_page_heights, min_leg_px, return_ratio, uturn_ms``.

    Returns
    -------
    pandas.DataFrame
        Signal columns (kind ``excessive_scroll`` or ``scroll_uturn``) plus
        ``travel_px``.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01", tz="UTC")
    >>> ys = [0, 300, 600, 900, 600, 300]
    >>> events = pd.DataFrame({"session_id": "s", "user_id": "u",
    ...     "event": ["pageview"] + ["scroll"] * 6,
    ...     "timestamp": [t0 + pd.Timedelta(milliseconds=200 * i) for i in range(7)],
    ...     "scroll_y": [None] + ys, "url": "https://a.test/faq"})
    >>> scroll_friction(events)[["kind", "evidence"]]
               kind                                      evidence
    0  scroll_uturn  scrolled down 900 px, then back up 600 px
    """
    return _detector("scroll", events, preset, backend, "scroll", params)


def quick_backs(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Quick backs: a page left for another and returned to within ``max_ms``.

    For consecutive pageviews A → B → A of a session, B is a quick back when
    the return to A comes at most ``max_ms`` (10 000, inclusive) after
    arriving on B. The signal is reported on B (the page that failed the
    visitor), at the moment of the return. Clarity's "quick back" follows the same idea without
    publishing its threshold.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset, backend
        As in :func:`flag_clicks`.
    **params
        ``max_ms`` (10000), ``inclusive`` (True).

    Returns
    -------
    pandas.DataFrame
        Signal columns plus ``from_url`` (A) and ``dwell_ms`` (time on B).

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01", tz="UTC")
    >>> s = pd.Timedelta(seconds=1)
    >>> events = pd.DataFrame({"session_id": "s", "user_id": "u", "event": "pageview",
    ...     "timestamp": [t0, t0 + 5 * s, t0 + 15 * s, t0 + 40 * s],
    ...     "url": ["https://a.test/", "https://a.test/pricing", "https://a.test/",
    ...             "https://a.test/docs"]})
    >>> quick_backs(events)[["url", "dwell_ms"]]
                          url  dwell_ms
    0  https://a.test/pricing     10000
    """
    return _detector("quick_back", events, preset, backend, "quick_back", params)


def form_abandonment(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Forms typed into and never submitted.

    For each page (URL) of a session where the visitor typed at least
    ``min_inputs`` (1) ``input`` events (ticking a checkbox or radio - a
    target ever seen with ``checked`` true - is not typing), the form counts
    as submitted
    when, after the first input on that page, the session has an event named
    in ``submit_events`` (``("submit",)``) on that page, a working press on a
    submit-like control there (:data:`SUBMIT_PATTERN`: ``[type=submit]``, or
    a button inside a ``form`` (HTML's default submit button), or a button,
    link or ``[role=button]`` whose id or class names a submitting
    action - submit, send, save, continue, next, confirm, sign-up, checkout,
    ...; option buttons and skip, cancel, back, close, later controls are
    not), or a navigation straight
    after typing (no press in between: the Enter key submits a form).
    Otherwise the form was abandoned - including when the visitor clicked
    away ("Skip", a menu link) or left. A press that was itself a rage or
    dead click, or on a disabled control (:data:`DISABLED_PATTERN`), does not
    count as working (a greyed-out button): the evidence then says how many
    rage clicks the submit control took. A submit that
    got an error still counts as submitted (it is an error click).

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset, backend
        As in :func:`flag_clicks` (the click flags use the preset).
    **params
        ``min_inputs`` (1), ``submit_events``, ``submit_pattern`` (a regex
        over the target selector replacing :data:`SUBMIT_PATTERN`).

    Returns
    -------
    pandas.DataFrame
        Signal columns (at the last input) plus ``inputs`` and ``fields``.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01", tz="UTC")
    >>> s = pd.Timedelta(seconds=1)
    >>> events = pd.DataFrame({"session_id": ["a"] * 4 + ["b"] * 4, "user_id": "u",
    ...     "event": ["pageview", "input", "click", "mutation"] * 2,
    ...     "timestamp": [t0, t0 + s, t0 + 2 * s, t0 + 3 * s] * 2,
    ...     "target": [None, "input#email", "button#send", None,
    ...                None, "input#email", "a.skip", None],
    ...     "url": "https://a.test/invite"})
    >>> list(form_abandonment(events)["session_id"])
    ['b']
    """
    return _detector("form", events, preset, backend, "form", params)


def hesitations(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Long hesitations before a press.

    A ``click`` or ``touch`` is a hesitation when the previous *action* of
    the session (``actions``: clicks, inputs, scrolls, pageviews,
    selections, focus, resize) is at least ``min_ms`` (3000) and less than
    ``max_ms`` (30 000) earlier. Moving or hovering the cursor does not
    interrupt a hesitation (``mousemove`` is not an action); a pause of
    ``max_ms`` or more is treated as the visitor being away, not hesitating.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset, backend
        As in :func:`flag_clicks`.
    **params
        ``min_ms, max_ms, actions``.

    Returns
    -------
    pandas.DataFrame
        Signal columns plus ``idle_ms``.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01", tz="UTC")
    >>> ms = pd.Timedelta(milliseconds=1)
    >>> events = pd.DataFrame({"session_id": "s", "user_id": "u",
    ...     "event": ["pageview", "mousemove", "click", "click"],
    ...     "timestamp": [t0, t0 + 1000 * ms, t0 + 3000 * ms, t0 + 5999 * ms],
    ...     "x": 1.0, "y": 1.0, "target": "button#plan"})
    >>> list(hesitations(events)["idle_ms"])
    [3000]
    """
    return _detector("hesitation", events, preset, backend, "hesitation", params)


def repeated_edits(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Inputs edited again and again.

    Over a session's ``input`` rows, a *visit* to a field is a run of inputs
    on the same ``target`` (typing into another field ends it). A field is
    flagged when it has at least ``min_visits`` (3) visits, or when its
    (masked) ``value`` was cleared to empty and retyped at least
    ``min_clears`` (2) times.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset, backend
        As in :func:`flag_clicks`.
    **params
        ``min_visits, min_clears``.

    Returns
    -------
    pandas.DataFrame
        One row per (session, field): signal columns plus ``visits`` and
        ``clears``.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01", tz="UTC")
    >>> s = pd.Timedelta(seconds=1)
    >>> fields = ["input#email", "input#name", "input#email", "input#name", "input#email"]
    >>> events = pd.DataFrame({"session_id": "s", "user_id": "u", "event": "input",
    ...     "timestamp": [t0 + i * s for i in range(5)], "target": fields})
    >>> repeated_edits(events)[["element", "visits"]]
      element  visits
    0  #email       3
    """
    return _detector("edits", events, preset, backend, "edits", params)


# --------------------------------------------------------------------------- scores
_LABELS = {
    "rage_click": ("rage click", "rage clicks"),
    "dead_click": ("dead click", "dead clicks"),
    "error_click": ("error click", "error clicks"),
    "thrashed_cursor": ("thrashed cursor", "thrashed cursors"),
    "excessive_scroll": ("excessive scrolling", "excessive scrolling"),
    "scroll_uturn": ("scroll U-turn", "scroll U-turns"),
    "quick_back": ("quick back", "quick backs"),
    "form_abandonment": ("abandoned form", "abandoned forms"),
    "hesitation": ("long hesitation", "long hesitations"),
    "repeated_edit": ("repeatedly edited field", "repeatedly edited fields"),
}
_ELEMENT_KINDS = ("rage_click", "dead_click", "error_click", "hesitation", "repeated_edit",
                  "form_abandonment")
# 1/1024: points are dyadic, so their sums are exact in any order.
_POINT_QUANTUM = 1024.0


def _points(weight: float, intensity: np.ndarray) -> np.ndarray:
    return np.round(weight * np.asarray(intensity, dtype="float64") * _POINT_QUANTUM) / (
        _POINT_QUANTUM
    )


def _severity(points: pd.Series) -> pd.Series:
    return pd.Series(
        np.select([points >= 3.0, points >= 1.5], ["high", "medium"], "low"), index=points.index
    )


def _phrases(kind_codes: np.ndarray, n: np.ndarray, where: np.ndarray) -> np.ndarray:
    """:func:`_phrase` for arrays (kind codes index :data:`SIGNAL_KINDS`)."""
    out = np.empty(len(n), dtype=object)
    kinds = np.asarray(SIGNAL_KINDS, dtype=object)[kind_codes]
    for k in np.unique(kinds):
        m = kinds == k
        out[m] = [_phrase(str(k), int(c), str(w)) for c, w in zip(n[m], where[m])] if m.sum(
        ) < 2000 else _phrase_vector(str(k), n[m], where[m])
    return out


def _phrase_vector(kind: str, n: np.ndarray, where: np.ndarray) -> np.ndarray:
    one, many = _LABELS[kind]
    w = pd.Series(where, dtype=object).astype(str)
    ns = pd.Series(n).astype(str)
    times = pd.Series(np.where(n > 1, " (" + ns + "x)", ""), dtype=object)
    label = pd.Series(np.where(n == 1, one, many), dtype=object)
    if kind == "form_abandonment":
        out = "abandoned a form at " + w
    elif kind == "repeated_edit":
        out = "re-edited " + w + pd.Series(np.where(n > 1, " " + ns + " times", ""))
    elif kind in ("thrashed_cursor", "excessive_scroll"):
        out = one + " on " + w + times
    elif kind == "quick_back":
        out = "quick back from " + w + times
    elif kind == "hesitation":
        out = ns + " " + label + " before clicking " + w
    else:
        out = ns + " " + label + " on " + w
    return out.to_numpy(dtype=object)


def _phrase(kind: str, n: int, where: str) -> str:
    one, many = _LABELS[kind]
    if kind == "form_abandonment":
        return f"abandoned a form at {where}"
    if kind == "repeated_edit":
        return f"re-edited {where} {n} times" if n > 1 else f"re-edited {where}"
    if kind in ("thrashed_cursor", "excessive_scroll"):
        return f"{one} on {where}" + (f" ({n}x)" if n > 1 else "")
    if kind == "quick_back":
        return f"quick back from {where}" + (f" ({n}x)" if n > 1 else "")
    if kind == "hesitation":
        return f"{n} {one if n == 1 else many} before clicking {where}"
    return f"{n} {one if n == 1 else many} on {where}"


class Friction(Exportable):
    """Friction signals, session scores, page/element rates and insights.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset
        Vendor thresholds for the click detectors: ``"posthog"``,
        ``"datadog"``, ``"amplitude"``, ``"openreplay"`` or ``None`` (see
        :func:`rage_clicks`, :func:`dead_clicks`, :func:`error_clicks`).
    weights
        Points per signal kind, merged over :data:`DEFAULT_WEIGHTS`:

        ==================  ======
        kind                points
        ==================  ======
        rage_click          3.0 x clicks / min_clicks (a 3-click burst = 3.0)
        error_click         2.5
        form_abandonment    2.0
        dead_click          1.5
        quick_back          1.5
        thrashed_cursor     1.0
        repeated_edit       0.75
        scroll_uturn        0.5
        excessive_scroll    0.5
        hesitation          0.25
        ==================  ======

        Points are rounded to 1/1024 so that a session's contributions add
        up to its score exactly.
    backend
        ``None``: the detectors run in memory (numpy over the sorted table);
        an Ibis backend: they run there as Ibis expressions (see
        :func:`flag_clicks`).
    **thresholds
        Detector thresholds named ``<detector>_<parameter>`` (see
        :func:`resolve_params`), e.g. ``rage_min_clicks=4``,
        ``quick_back_max_ms=5000``.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01", tz="UTC")
    >>> ms = pd.Timedelta(milliseconds=1)
    >>> ev = pd.DataFrame({"session_id": ["a"] * 5 + ["b"], "user_id": "u",
    ...     "event": ["pageview", "click", "click", "click", "click", "pageview"],
    ...     "timestamp": [t0, t0 + 100 * ms, t0 + 300 * ms, t0 + 500 * ms, t0 + 700 * ms, t0],
    ...     "x": 50.0, "y": 50.0, "target": [None] + ["button#send-invites"] * 4 + [None],
    ...     "url": "https://app.test/onboarding/invite"})
    >>> f = Friction(ev)
    >>> f.scores()[["session_id", "score", "rage_click", "reason"]]
      session_id  score  rage_click                              reason
    0          a    4.0           1  4 rage clicks on #send-invites, then left
    1          b    0.0           0                   no friction signals
    >>> f.explain("a")[["kind", "element", "points"]]
             kind         element  points
    0  rage_click  #send-invites     4.0
    """

    def __init__(
        self,
        events: Any,
        *,
        preset: str | None = None,
        weights: Mapping[str, float] | None = None,
        backend: Any = None,
        **thresholds: Any,
    ) -> None:
        self.events = events
        self.preset = preset
        self.weights = weights
        self.backend = backend
        self.thresholds = thresholds
        self._params = resolve_params(preset, **thresholds)
        unknown = [k for k in (weights or {}) if k not in DEFAULT_WEIGHTS]
        if unknown:
            raise UxlensError(
                f"Unknown signal kind {unknown[0]!r} in weights."
                f"{did_you_mean(unknown[0], DEFAULT_WEIGHTS)} Kinds: {list(DEFAULT_WEIGHTS)}."
            )
        self._weights = {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in (weights or {}).items()}}
        self._cache: dict[str, Any] = {}

    # ------------------------------------------------------------------ plumbing
    @property
    def params(self) -> dict[str, Any]:
        """The thresholds in use, per detector.

        Examples
        --------
        >>> import uxlens as ux
        >>> p = ux.Friction(ux.demo(), rage_min_clicks=4).params
        >>> p["rage"].min_clicks, p["rage"].max_interval_ms
        (4, 1000)
        >>> sorted(p)
        ['dead', 'edits', 'error', 'form', 'hesitation', 'quick_back', 'rage', 'scroll', 'thrash']
        """
        return dict(self._params)

    @property
    def frame_(self) -> pd.DataFrame:
        """The events as a canonical DataFrame (validated first when given a raw table).

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> ux.Friction(log).frame_ is log.events
        True
        """
        if "frame" not in self._cache:
            self._cache["frame"] = _frame(self.events)
        return self._cache["frame"]

    @property
    def log_(self) -> Any:
        """The EventLog behind the events (built for DataFrame input).

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> ux.Friction(log).log_ is log
        True
        >>> ux.Friction(log.events).log_.counts["loaded"] == len(log.events)
        True
        """
        if "log" not in self._cache:
            from ..eventlog import EventLog

            ev = self.events
            self._cache["log"] = ev if isinstance(ev, EventLog) else EventLog(self.frame_)
        return self._cache["log"]

    def _engine(self) -> _Engine:
        if "engine" not in self._cache:
            self._cache["engine"] = _Engine(self.frame_, self.backend)
        return self._cache["engine"]

    def _table(self) -> Any:
        return self._engine().table

    def flags(self) -> pd.DataFrame:
        """Every click-like event with rage/dead/error flags (see :func:`flag_clicks`).

        Examples
        --------
        >>> import uxlens as ux
        >>> fl = ux.Friction(ux.demo()).flags()
        >>> int(fl["rage"].sum()), int(fl["dead"].sum()), int(fl["error"].sum())
        (177, 246, 31)
        """
        if "flags" not in self._cache:
            self._cache["flags"] = _flag_clicks(self.frame_, self._params,
                                                engine=self._engine())
        return self._cache["flags"]

    # ------------------------------------------------------------------ signals
    def signals(self) -> pd.DataFrame:
        """One row per detected signal.

        Returns
        -------
        pandas.DataFrame
            ``session_id, timestamp, seq, url, element, target, kind, count,
            evidence, points, severity``, sorted by session and time.
            ``element`` is a short name of ``target`` (``#id`` or the last
            selector component); page-level kinds (thrashed cursor, scrolls,
            quick back) have no element. ``count`` is the clicks of a rage
            burst, the reversals of a thrash, the visits of a re-edited
            field, else 1. ``points`` is the signal's share of the session
            score; ``severity`` is ``low`` (< 1.5 points), ``medium`` (< 3) or
            ``high``. A dead press inside a rage burst is not listed again as
            a dead click: the burst's evidence says how many of its presses
            went unanswered (:meth:`flags` still marks each press dead).

        Examples
        --------
        The demo plants 40 rage bursts on the invite page's send button and 31 error
        clicks; the detectors find exactly those:

        >>> import uxlens as ux
        >>> sig = ux.Friction(ux.demo()).signals()
        >>> counts = sig["kind"].value_counts()
        >>> int(counts["rage_click"]), int(counts["error_click"])
        (40, 31)
        >>> sig.loc[sig["kind"] == "rage_click", "element"].unique().tolist()
        ['#send-invites']
        """
        if "signals" in self._cache:
            return self._cache["signals"]
        frame, p, engine = self.frame_, self._params, self._engine()
        flags = self.flags()
        parts = [
            _click_signals(engine.fr, flags, p),
            _thrash_signals(engine, p["thrash"]),
            _scroll_signals(engine, p["scroll"]),
            _quick_back_signals(engine, p["quick_back"]),
            _form_signals(engine, flags, p["form"]),
            _hesitation_signals(engine, p["hesitation"]),
            _edit_signals(frame, p["edits"]),
        ]
        parts = [x[_SIGNAL_COLUMNS] for x in parts if len(x)]
        sig = pd.concat(parts, ignore_index=True) if parts else _empty_signals()
        intensity = np.ones(len(sig))
        rage = (sig["kind"] == "rage_click").to_numpy()
        intensity[rage] = sig.loc[rage, "count"].to_numpy() / float(p["rage"].min_clicks)
        weight = sig["kind"].map(self._weights).astype("float64").to_numpy()
        sig["points"] = _points(1.0, weight * intensity) if len(sig) else np.zeros(0)
        sig["severity"] = _severity(sig["points"])
        kcode = sig["kind"].map({k: i for i, k in enumerate(SIGNAL_KINDS)}).to_numpy()
        scode = self._session_index().get_indexer(sig["session_id"])
        tcode = pd.DatetimeIndex(sig["timestamp"]).asi8
        order = np.lexsort((kcode, sig["seq"].to_numpy(), tcode, scode))
        sig = sig.take(order).reset_index(drop=True)
        sig.attrs["dead_mode"] = flags.attrs.get("dead_mode")
        self._cache["signals"] = sig
        self._cache["signal_codes"] = (scode[order], kcode[order])
        return sig

    def _session_index(self) -> pd.Index:
        """Session ids in engine order (sorted); position = the session's code."""
        if "sids" not in self._cache:
            fr = self._engine().fr
            first = np.flatnonzero(np.r_[True, fr.sid[1:] != fr.sid[:-1]]) if fr.n else (
                np.zeros(0, dtype="int64"))
            names = pd.Series(fr.strings("session_id", first)).astype(str)
            self._cache["sids"] = pd.Index(names.to_numpy(dtype=object), name="session_id")
        return self._cache["sids"]

    def _session_ids(self) -> pd.Index:
        return self._session_index()

    def _exit_seq(self) -> np.ndarray:
        """Seq of each session's last pageview (-1 without one), by session code."""
        if "exit_seq" not in self._cache:
            fr = self._engine().fr
            out = np.full(len(self._session_index()), -1, dtype="int64")
            pv = np.flatnonzero(fr.mask("pageview"))
            np.maximum.at(out, fr.sid[pv], fr.seq[pv])
            self._cache["exit_seq"] = out
        return self._cache["exit_seq"]

    # ------------------------------------------------------------------ scores
    def scores(self) -> pd.DataFrame:
        """One row per session: score, per-kind counts and a readable reason.

        The score is the sum of the session's signal ``points`` (see
        ``weights``); :meth:`explain` lists the contributions.

        Returns
        -------
        pandas.DataFrame
            ``session_id, score, signals, <one count column per kind>,
            reason``, sorted by score (descending) then session id. Sessions
            without signals score 0 with reason ``"no friction signals"``.
            The reason names the two largest contributions (grouped by kind
            and element or page) and adds ", then left" when the largest one
            happened on the session's last page.

        Examples
        --------
        >>> import uxlens as ux
        >>> sc = ux.Friction(ux.demo()).scores()
        >>> len(sc), sc["score"].is_monotonic_decreasing
        (300, True)
        >>> sc.iloc[0]["reason"]
        '11 rage clicks on #send-invites; abandoned a form at #invite-emails'
        """
        if "scores" in self._cache:
            return self._cache["scores"]
        sig = self.signals()
        sids = self._session_index()
        scode, kcode = self._cache["signal_codes"]
        n, nk = len(sids), len(SIGNAL_KINDS)
        counts = np.bincount(scode * nk + kcode, minlength=n * nk).reshape(n, nk)
        out = pd.DataFrame(index=sids)
        # points are dyadic: this sum is exact, whatever the order
        out["score"] = np.bincount(scode, weights=sig["points"].to_numpy(), minlength=n)
        out["signals"] = counts.sum(axis=1).astype("int64")
        for i, k in enumerate(SIGNAL_KINDS):
            out[k] = counts[:, i].astype("int64")
        reason = np.full(n, "no friction signals", dtype=object)
        if len(sig):
            codes, text = self._reasons(sig, scode)
            reason[codes] = text
        out["reason"] = reason
        order = np.lexsort((np.arange(n), -out["score"].to_numpy()))
        out = out.reset_index().take(order).reset_index(drop=True)
        self._cache["scores"] = out
        return out

    def _reasons(self, sig: pd.DataFrame, scode: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Session codes and their reason text, from the two largest contributions."""
        wcode, wnames = _where_codes(sig)
        kcode = self._cache["signal_codes"][1]
        nw, nk = np.int64(len(wnames)), np.int64(len(SIGNAL_KINDS))
        key = (scode.astype("int64") * nk + kcode) * nw + wcode
        groups, inv = np.unique(key, return_inverse=True)
        points = np.bincount(inv, weights=sig["points"].to_numpy())
        rage = (sig["kind"] == "rage_click").to_numpy()
        n = np.bincount(inv, weights=np.where(rage, sig["count"].to_numpy(), 1)).astype("int64")
        last = np.full(len(groups), -1, dtype="int64")
        np.maximum.at(last, inv, sig["seq"].to_numpy())
        g_s, g_k, g_w = groups // (nk * nw), (groups // nw) % nk, groups % nw
        order = np.lexsort((last, -points, g_s))
        g_s, g_k, g_w, n, last = g_s[order], g_k[order], g_w[order], n[order], last[order]
        first = np.r_[True, g_s[1:] != g_s[:-1]]
        second = np.r_[False, first[:-1]] & ~first
        top = first | second  # only the two largest contributions are ever phrased
        phrase = np.full(len(g_s), None, dtype=object)
        phrase[top] = _phrases(g_k[top], n[top], np.asarray(wnames, dtype=object)[g_w[top]])
        text = phrase[first].astype(object)
        sess = g_s[first]
        idx2 = np.searchsorted(sess, g_s[second])
        extra = np.full(len(sess), "", dtype=object)
        extra[idx2] = "; " + phrase[second]
        text = text + extra
        top_kind = np.asarray(SIGNAL_KINDS, dtype=object)[g_k[first]]
        left = (last[first] > self._exit_seq()[sess]) & (top_kind != "form_abandonment")
        text = np.where(left, text + ", then left", text)
        return sess, text

    def explain(self, session_id: str) -> pd.DataFrame:
        """Each contribution to one session's score; ``points`` sums to the score exactly.

        Returns
        -------
        pandas.DataFrame
            ``kind, timestamp, url, element, evidence, weight, intensity,
            points`` (``points = weight x intensity``, rounded to 1/1024;
            intensity is ``clicks / min_clicks`` for rage bursts, else 1).

        Examples
        --------
        >>> import uxlens as ux
        >>> f = ux.Friction(ux.demo())
        >>> worst = f.scores().iloc[0]
        >>> contributions = f.explain(worst["session_id"])
        >>> float(contributions["points"].sum()), float(worst["score"])
        (17.0, 17.0)
        >>> contributions.loc[contributions["kind"] == "rage_click", "points"].tolist()
        [6.0, 5.0]
        """
        sid = str(session_id)
        if sid not in self._session_index():
            raise UxlensError(
                f"No session {session_id!r} in these events."
                f"{did_you_mean(sid, list(self._session_ids()[:5000]))}"
            )
        sig = self.signals()
        rows = sig.loc[sig["session_id"] == sid].reset_index(drop=True)
        weight = rows["kind"].map(self._weights).astype("float64")
        intensity = np.where(rows["kind"] == "rage_click",
                             rows["count"] / float(self._params["rage"].min_clicks), 1.0)
        return pd.DataFrame({
            "kind": rows["kind"], "timestamp": rows["timestamp"], "url": rows["url"],
            "element": rows["element"], "evidence": rows["evidence"], "weight": weight,
            "intensity": intensity.astype("float64"), "points": rows["points"],
        })

    # ------------------------------------------------------------------ aggregates
    def _page_sessions(self) -> pd.DataFrame:
        """Distinct (session_id, url) visits, from the engine."""
        if "visits" not in self._cache:
            if "url" not in self.frame_.columns:
                self._cache["visits"] = pd.DataFrame({"session_id": [], "url": []})
            elif self._engine().in_memory:
                fr = self._engine().fr
                codes, cats = fr.codes("url")
                rows = np.flatnonzero(codes >= 0)
                key = np.unique(fr.sid[rows] * np.int64(len(cats) + 1) + codes[rows])
                sid_code, url_code = key // (len(cats) + 1), key % (len(cats) + 1)
                first = np.flatnonzero(np.r_[True, fr.sid[1:] != fr.sid[:-1]]) if fr.n else (
                    np.zeros(0, dtype="int64"))
                names = fr.strings("session_id", first).astype(str)
                self._cache["visits"] = pd.DataFrame({
                    "session_id": names[sid_code],
                    "url": np.asarray(cats, dtype=object)[url_code]})
            else:
                t = self._table()
                q = t.filter(t.url.notnull()).select("session_id", url=t.url.cast("string"))
                self._cache["visits"] = _run(q.distinct(), self.backend)
        return self._cache["visits"]

    def by_element(self) -> pd.DataFrame:
        """Friction per (page, element, kind) for the element-level kinds.

        Returns
        -------
        pandas.DataFrame
            ``url, element, kind, signals, sessions, page_sessions,
            per_1000_sessions`` (sessions with the signal per 1,000 sessions
            overall), ``per_1000_page_sessions`` (per 1,000 sessions that
            visited the page), ``points``; sorted by points.

        Examples
        --------
        >>> import uxlens as ux
        >>> top = ux.Friction(ux.demo()).by_element().iloc[0]
        >>> top["element"], top["kind"], int(top["sessions"]), int(top["page_sessions"])
        ('#send-invites', 'rage_click', 30, 127)
        """
        sig = self.signals()
        sig = sig.loc[sig["kind"].isin(_ELEMENT_KINDS) & sig["element"].notna()]
        cols = ["url", "element", "kind", "signals", "sessions", "page_sessions",
                "per_1000_sessions", "per_1000_page_sessions", "points"]
        if sig.empty:
            return pd.DataFrame(columns=cols)
        url = sig["url"].astype(object).fillna("(no url)")
        g = sig.assign(url=url).groupby(["url", "element", "kind"], sort=False)
        out = pd.DataFrame({"signals": g.size(), "sessions": g["session_id"].nunique(),
                            "points": g["points"].sum()}).reset_index()
        visits = self._page_sessions()
        per_page = visits.groupby("url")["session_id"].nunique()
        n = max(len(self._session_ids()), 1)
        out["page_sessions"] = out["url"].map(per_page).fillna(0).astype("int64")
        out["per_1000_sessions"] = out["sessions"] / n * 1000.0
        out["per_1000_page_sessions"] = out["sessions"] / out["page_sessions"].where(
            out["page_sessions"] > 0) * 1000.0
        out = out.sort_values(["points", "sessions"], ascending=False, kind="stable")
        return out[cols].reset_index(drop=True)

    def by_page(self) -> pd.DataFrame:
        """Friction per page.

        Returns
        -------
        pandas.DataFrame
            ``url, page_sessions, sessions_with_friction, per_1000_sessions``
            (sessions with any signal on the page per 1,000 sessions that
            visited it), ``points``, ``points_per_session`` and one signal
            count column per kind; sorted by points.

        Examples
        --------
        >>> import uxlens as ux
        >>> pages = ux.Friction(ux.demo()).by_page()
        >>> pages.iloc[0]["url"]
        'https://app.acme-projects.example/onboarding/invite'
        >>> int(pages.iloc[0]["rage_click"]), int(pages["rage_click"].sum())
        (40, 40)
        """
        sig = self.signals()
        visits = self._page_sessions()
        per_page = visits.groupby("url")["session_id"].nunique()
        sig = sig.assign(url=sig["url"].astype(object).fillna("(no url)"))
        g = sig.groupby("url", sort=False)
        out = pd.DataFrame({"sessions_with_friction": g["session_id"].nunique(),
                            "points": g["points"].sum()})
        out = out.reindex(per_page.index.union(out.index)).fillna(0)
        out["page_sessions"] = per_page.reindex(out.index).fillna(0).astype("int64")
        counts = sig.groupby(["url", "kind"]).size().unstack(fill_value=0) if len(sig) else (
            pd.DataFrame(index=out.index))
        counts = counts.reindex(index=out.index, columns=list(SIGNAL_KINDS), fill_value=0)
        out["sessions_with_friction"] = out["sessions_with_friction"].astype("int64")
        denom = out["page_sessions"].where(out["page_sessions"] > 0)
        out["per_1000_sessions"] = out["sessions_with_friction"] / denom * 1000.0
        out["points_per_session"] = out["points"] / denom
        out = pd.concat([out, counts.astype("int64")], axis=1)
        out.index.name = "url"
        out = out.reset_index().sort_values(["points", "page_sessions"], ascending=False,
                                            kind="stable").reset_index(drop=True)
        cols = ["url", "page_sessions", "sessions_with_friction", "per_1000_sessions",
                "points", "points_per_session", *SIGNAL_KINDS]
        return out[cols]

    # ------------------------------------------------------------------ features and models
    def features(self) -> pd.DataFrame:
        """Per-session feature vectors: signal counts per kind, points, events, clicks, duration.

        Examples
        --------
        >>> import uxlens as ux
        >>> feats = ux.Friction(ux.demo()).features()
        >>> feats.shape
        (300, 14)
        >>> int(feats["rage_click"].sum()), feats.index.name
        (40, 'session_id')
        """
        if "features" in self._cache:
            return self._cache["features"]
        sc = self.scores().set_index("session_id")
        engine = self._engine()
        if engine.in_memory:
            fr = engine.fr
            starts = np.flatnonzero(np.r_[True, fr.sid[1:] != fr.sid[:-1]]) if fr.n else (
                np.zeros(0, dtype="int64"))
            ends = np.r_[starts[1:], fr.n] - 1
            clicks = np.add.reduceat(fr.mask(*CLICK_EVENTS).astype("int64"), starts) if fr.n \
                else np.zeros(0, dtype="int64")
            per = pd.DataFrame({
                "events": (ends - starts + 1).astype("int64"), "clicks": clicks,
                "duration_s": (fr.t[ends] - fr.t[starts]) / 1000.0,
            }, index=pd.Index(fr.strings("session_id", starts).astype(str), name="session_id"))
        else:
            t = engine.table
            per = _run(t.group_by("session_id").aggregate(
                events=t.count(),
                clicks=(t.event.isin(list(CLICK_EVENTS))).sum(),
                duration_s=(t.t_ms.max() - t.t_ms.min()) / 1000.0,
            ), self.backend).set_index("session_id")
            per.index = per.index.astype(str)
        out = sc[list(SIGNAL_KINDS) + ["score"]].join(per, how="left").fillna(0)
        out = out.loc[self._session_ids()]
        self._cache["features"] = out
        return out

    def fit_outcome(
        self,
        outcome: Any,
        *,
        model: str = "logistic",
        test_size: float = 0.3,
        seed: int = 0,
    ) -> OutcomeModel:
        """Learn which signals predict a bad outcome (e.g. not converting).

        Parameters
        ----------
        outcome
            What to predict, one boolean per session (True = the outcome
            happened): a ``Funnel`` (True = the session entered the funnel
            and did not complete it; sessions that never entered are
            left out), a boolean ``Series`` or ``dict`` keyed by session id,
            or the name of a boolean session-level column of the events.
        model
            ``"logistic"`` (standardised logistic regression: coefficients
            are log-odds per standard deviation of each feature) or
            ``"boosting"`` (gradient boosting, explained by permutation
            importance on the held-out split). Both report the coefficients
            of the logistic model.
        test_size, seed
            Held-out share (stratified) and random seed.

        Returns
        -------
        OutcomeModel
            ``coefficients`` (feature, coef, odds_ratio_per_sd, mean_if_true,
            mean_if_false), ``auc`` on the held-out split, ``importance``
            (boosting), ``predict(features)``.

        Examples
        --------
        Which friction predicts not finishing onboarding? Abandoning the invite form:

        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> funnel = ux.Funnel(log, ["signup_started", "signup_done", "profile_done",
        ...                          "invite_sent", "onboarding_done"])
        >>> model = ux.Friction(log).fit_outcome(funnel)
        >>> model.coefficients.iloc[0]["feature"], model.auc > 0.8
        ('form_abandonment', True)
        >>> model.n_train + model.n_test
        182
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if model not in ("logistic", "boosting"):
            raise UxlensError(f"model must be 'logistic' or 'boosting', got {model!r}.")
        y, target = self._outcome(outcome)
        feats = self.features()
        cols = [c for c in list(SIGNAL_KINDS) + ["events", "clicks", "duration_s"]
                if c in feats.columns and feats[c].std() > 0]
        X = feats.loc[y.index, cols].astype("float64")
        yv = y.astype(int).to_numpy()
        if len(np.unique(yv)) < 2 or min(np.bincount(yv)) < 4:
            raise UxlensError(
                f"fit_outcome needs both outcomes with at least 4 sessions each; got "
                f"{int(yv.sum())} with {target!r} and {int(len(yv) - yv.sum())} without."
            )
        X_tr, X_te, y_tr, y_te = train_test_split(X, yv, test_size=test_size, random_state=seed,
                                                  stratify=yv)
        logit = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        logit.fit(X_tr, y_tr)
        coef = logit[-1].coef_[0]
        coefs = pd.DataFrame({
            "feature": cols, "coef": coef, "odds_ratio_per_sd": np.exp(coef),
            "mean_if_true": X.loc[yv == 1].mean().to_numpy(),
            "mean_if_false": X.loc[yv == 0].mean().to_numpy(),
        }).sort_values("coef", key=np.abs, ascending=False).reset_index(drop=True)
        fitted: Any = logit
        importance = None
        if model == "boosting":
            from sklearn.ensemble import GradientBoostingClassifier
            from sklearn.inspection import permutation_importance

            fitted = GradientBoostingClassifier(random_state=seed).fit(X_tr, y_tr)
            imp = permutation_importance(fitted, X_te, y_te, scoring="roc_auc", n_repeats=10,
                                         random_state=seed)
            importance = pd.DataFrame({"feature": cols, "importance": imp.importances_mean,
                                       "std": imp.importances_std}).sort_values(
                "importance", ascending=False).reset_index(drop=True)
        auc = float(roc_auc_score(y_te, fitted.predict_proba(X_te)[:, 1])) if len(
            np.unique(y_te)) == 2 else float("nan")
        return OutcomeModel(target=target, kind=model, features=cols, coefficients=coefs,
                            auc=auc, n_train=len(y_tr), n_test=len(y_te), model=fitted,
                            importance=importance, positive_rate=float(yv.mean()))

    def _outcome(self, outcome: Any) -> tuple[pd.Series, str]:
        sids = self._session_ids()
        if isinstance(outcome, str):
            fr = self.frame_
            if outcome not in fr.columns:
                raise UxlensError(
                    f"No column {outcome!r} in the events to use as outcome."
                    f"{did_you_mean(outcome, fr.columns)}"
                )
            s = fr[["session_id", outcome]].dropna().groupby(
                fr["session_id"].astype(str))[outcome].max()
            return s.astype(bool).reindex(sids).dropna().astype(bool), outcome
        if isinstance(outcome, Mapping):
            outcome = pd.Series(outcome)
        if isinstance(outcome, pd.Series):
            s = outcome.copy()
            s.index = s.index.astype(str)
            s = s.reindex(sids).dropna()
            return s.astype(bool), str(outcome.name or "outcome")
        if hasattr(outcome, "steps") and (hasattr(outcome, "dropped") or hasattr(
                outcome, "table")):
            return _funnel_outcome(outcome, self.frame_, sids), "did not convert"
        raise UxlensError(
            "outcome must be a Funnel, a boolean Series/dict keyed by session id, or the "
            f"name of a boolean column; got {type(outcome).__name__}."
        )

    def anomalies(self, n: int = 20, *, seed: int = 0) -> pd.DataFrame:
        """The ``n`` most unusual sessions by IsolationForest on :meth:`features`.

        Returns
        -------
        pandas.DataFrame
            ``session_id, anomaly`` (higher = more unusual), ``top_feature``
            (the feature furthest above its median, in robust z units), then
            the features.

        Examples
        --------
        >>> import uxlens as ux
        >>> odd = ux.Friction(ux.demo()).anomalies(5)
        >>> len(odd), odd["anomaly"].is_monotonic_decreasing
        (5, True)
        >>> list(odd.columns[:3])
        ['session_id', 'anomaly', 'top_feature']
        """
        from sklearn.ensemble import IsolationForest

        feats = self.features()
        if len(feats) < 8:
            return pd.DataFrame(columns=["session_id", "anomaly", "top_feature"])
        X = np.log1p(feats.clip(lower=0).to_numpy(dtype="float64"))
        forest = IsolationForest(n_estimators=200, random_state=seed).fit(X)
        score = -forest.score_samples(X)
        med = np.median(X, axis=0)
        mad = np.median(np.abs(X - med), axis=0)
        scale = np.where(mad > 0, mad * 1.4826, np.maximum(X.std(axis=0), 1e-9))
        z = (X - med) / scale
        top = np.asarray(feats.columns)[np.argmax(z, axis=1)]
        out = feats.assign(anomaly=score, top_feature=top).reset_index()
        out = out.sort_values("anomaly", ascending=False, kind="stable").head(n)
        front = ["session_id", "anomaly", "top_feature"]
        return out[front + [c for c in out.columns if c not in front]].reset_index(drop=True)

    # ------------------------------------------------------------------ insights
    def insights(
        self,
        top: int = 10,
        *,
        outcome: Any = None,
        by: str | None = "device",
        min_sessions: int = 5,
        alpha: float = 0.05,
        anomalies: int = 20,
    ) -> pd.DataFrame:
        """Ranked findings worth a look, each linked to its sessions.

        For every element-level signal (rage, dead, error click, hesitation,
        re-edit, abandoned form) on a page, and for every page-level signal
        on a page, the rate is the share of the page's sessions that show it
        (overall and in each segment of ``by``). The site baseline of a kind
        is its rate over all (session, page) visits. A finding reports the
        lift (rate / baseline) and a two-proportion z-test of the page's
        sessions against all other visits, with Benjamini-Hochberg q-values
        across all findings. Findings are kept when significant (q <
        ``alpha``), above baseline and seen in at least ``min_sessions``
        sessions, and ranked by q-value then lift. The last row reports the
        sessions IsolationForest finds most unusual.

        Parameters
        ----------
        top
            Number of findings (plus the anomaly row).
        outcome
            Optional Funnel / boolean per session (see :meth:`fit_outcome`):
            adds the share of affected sessions with the outcome.
        by
            Session-level segment column (``"device"``), or None.
        min_sessions, alpha
            Thresholds for a finding.
        anomalies
            Number of unusual sessions in the anomaly row (0 = none).

        Returns
        -------
        pandas.DataFrame
            ``text, kind, url, element, segment, sessions_affected,
            page_sessions, rate, baseline, lift, p_value, q_value,
            outcome_rate, sessions`` (a :class:`~uxlens.SessionList`).

        Examples
        --------
        >>> import uxlens as ux
        >>> found = ux.Friction(ux.demo()).insights(3, anomalies=0)
        >>> rage = found.loc[found["kind"] == "rage_click"].iloc[0]
        >>> rage["element"], int(rage["sessions_affected"]), int(rage["page_sessions"])
        ('#send-invites', 30, 127)
        >>> len(rage["sessions"]), bool(rage["q_value"] < 0.05)
        (30, True)
        """
        from ..eventlog import SessionList

        sig = self.signals()
        visits = self._page_sessions()
        n_visits = max(len(visits), 1)
        seg = self._segments(by)
        y = self._outcome(outcome)[0] if outcome is not None else None
        rows: list[dict[str, Any]] = []
        if len(sig) and len(visits):
            s = sig.assign(url=sig["url"].astype(object), where=sig["element"].astype(object))
            s = s.loc[s["url"].notna()]
            page_level = ~s["kind"].isin(_ELEMENT_KINDS) | s["where"].isna()
            s.loc[page_level, "where"] = ""
            pairs = s[["session_id", "url", "kind", "where"]].drop_duplicates()
            kind_pairs = pairs[["session_id", "url", "kind"]].drop_duplicates()
            base_x = kind_pairs.groupby("kind").size()
            segments = [("all", None)] + ([(v, set(ids)) for v, ids in seg.items()] if seg else [])
            page_sids = visits.groupby("url")["session_id"].agg(set)
            grouped = pairs.groupby(["kind", "url", "where"])["session_id"].agg(set)
            for (kind, url, where), ids in grouped.items():
                n_kind = int(base_x.get(kind, 0))
                p0 = n_kind / n_visits
                visitors = page_sids.get(url, set())
                for seg_name, seg_ids in segments:
                    affected = ids if seg_ids is None else ids & seg_ids
                    exposed = visitors if seg_ids is None else visitors & seg_ids
                    x, n = len(affected), len(exposed)
                    if x < min_sessions or n == 0:
                        continue
                    rows.append(dict(kind=kind, url=url, element=where or None, segment=seg_name,
                                     sessions_affected=x, page_sessions=n, rate=x / n,
                                     baseline=p0, lift=(x / n) / p0 if p0 else np.nan,
                                     _rest_x=n_kind - x, _rest_n=n_visits - n, _ids=affected))
        table = pd.DataFrame(rows)
        if not table.empty:
            table["p_value"] = _two_proportion_p(
                table["sessions_affected"].to_numpy(), table["page_sessions"].to_numpy(),
                table["_rest_x"].to_numpy(), table["_rest_n"].to_numpy())
            table = table.drop(columns=["_rest_x", "_rest_n"])
        cols = ["text", "kind", "url", "element", "segment", "sessions_affected",
                "page_sessions", "rate", "baseline", "lift", "p_value", "q_value",
                "outcome_rate", "sessions"]
        if not table.empty:
            table["q_value"] = _bh(table["p_value"].to_numpy())
            table = table.loc[(table["q_value"] < alpha) & (table["lift"] > 1)]
            table = table.sort_values(["q_value", "lift", "sessions_affected"],
                                      ascending=[True, False, False], kind="stable")
            # one row per (kind, url, element): the strongest segment
            table = table.drop_duplicates(["kind", "url", "element"]).head(top)
        log = self.log_
        out_rows = []
        for r in table.to_dict("records") if not table.empty else []:
            ids = sorted(r.pop("_ids"))
            orate = float(y.reindex(ids).mean()) if y is not None and len(
                y.reindex(ids).dropna()) else np.nan
            r["outcome_rate"] = orate
            r["text"] = _insight_text(r)
            element = r["element"] if isinstance(r["element"], str) else None
            r["element"] = element
            r["sessions"] = SessionList(
                _summary_for(log, ids), log,
                label=f"{_LABELS[r['kind']][1]} on {element or _page(r['url'])}")
            out_rows.append(r)
        if anomalies:
            an = self.anomalies(anomalies)
            if len(an):
                ids = list(an["session_id"])
                feature = an["top_feature"].mode().iloc[0]
                out_rows.append(dict(
                    text=(f"{len(ids)} unusual sessions (IsolationForest on friction features); "
                          f"most stand out on {feature}"),
                    kind="anomaly", url=None, element=None, segment="all",
                    sessions_affected=len(ids), page_sessions=len(self._session_ids()),
                    rate=np.nan, baseline=np.nan, lift=np.nan, p_value=np.nan, q_value=np.nan,
                    outcome_rate=float(y.reindex(ids).mean()) if y is not None else np.nan,
                    sessions=SessionList(_summary_for(log, ids), log, label="unusual sessions"),
                ))
        return pd.DataFrame(out_rows, columns=cols)

    def _segments(self, by: str | None) -> dict[str, list[str]]:
        if by is None:
            return {}
        fr = self.frame_
        if by not in fr.columns:
            return {}
        first = fr[["session_id", by]].dropna().groupby(fr["session_id"].astype(str))[by].first()
        return {str(v): list(ids) for v, ids in first.groupby(first.astype(str)).groups.items()}

    # ------------------------------------------------------------------ figures
    def plot(self, kind: str = "time", **kwargs: Any) -> Any:
        """A figure: ``"time"`` (signals over time), ``"pages"`` or ``"elements"``.

        Examples
        --------
        >>> import uxlens as ux
        >>> fig = ux.Friction(ux.demo()).plot("elements")
        >>> type(fig).__name__
        'Figure'
        """
        from ..plotting import friction as fp

        if kind == "time":
            return fp.friction_over_time(self.signals(), **kwargs)
        if kind == "pages":
            return fp.friction_by_page(self.by_page(), **kwargs)
        if kind == "elements":
            return fp.top_elements(self.by_element(), **kwargs)
        raise UxlensError(f"plot kind must be 'time', 'pages' or 'elements', got {kind!r}.")

    def __repr__(self) -> str:
        preset = self.preset or "uxlens"
        return f"<Friction preset={preset!r} thresholds={self.thresholds!r}>"

    def _repr_html_(self) -> str:
        import html

        sig = self.signals()
        sc = self.scores()
        counts = sig["kind"].value_counts()
        items = "".join(
            f"<tr><td>{html.escape(_LABELS[k][1])}</td><td style='text-align:right'>"
            f"{int(counts.get(k, 0)):,}</td><td style='text-align:right'>"
            f"{self._weights[k]:g}</td></tr>" for k in SIGNAL_KINDS)
        worst = sc.loc[sc["score"] > 0].head(5)
        top = "".join(
            f"<tr><td>{html.escape(str(r.session_id))}</td><td style='text-align:right'>"
            f"{r.score:.2f}</td><td>{html.escape(str(r.reason))}</td></tr>"
            for r in worst.itertuples())
        n_with = int((sc["score"] > 0).sum())
        return (
            "<div style='font-family:system-ui,sans-serif;font-size:13px'>"
            f"<b>Friction</b> · preset {html.escape(str(self.preset or 'uxlens'))} · "
            f"{len(sig):,} signals in {n_with:,} of {len(sc):,} sessions · dead clicks by "
            f"{html.escape(str(sig.attrs.get('dead_mode')))}"
            "<div style='display:flex;gap:24px;margin-top:6px'>"
            "<table><tr><th>signal</th><th>count</th><th>weight</th></tr>" + items + "</table>"
            "<table><tr><th>session</th><th>score</th><th>reason</th></tr>" + top + "</table>"
            "</div></div>"
        )


def _insight_text(r: Mapping[str, Any]) -> str:
    label = _LABELS[r["kind"]][1]
    element = r.get("element")
    where = f" on {element}" if isinstance(element, str) and element else ""
    seg = "" if r["segment"] == "all" else f"{r['segment']} "
    text = (f"{label}{where} in {r['rate']:.0%} of {seg}sessions on {_page(r['url'])}, "
            f"{r['lift']:.1f}x the site baseline ({r['baseline']:.1%})")
    if r.get("outcome_rate") is not None and not np.isnan(r["outcome_rate"]):
        text += f"; {r['outcome_rate']:.0%} of those sessions did not convert"
    return text


def _summary_for(log: Any, ids: list[str]) -> pd.DataFrame:
    try:
        table = log._summary
        return table.loc[table["session_id"].astype(str).isin(set(ids))].reset_index(drop=True)
    except Exception:
        return pd.DataFrame({"session_id": ids})


def _two_proportion_p(x1: Any, n1: Any, x2: Any, n2: Any) -> np.ndarray:
    """Two-sided pooled two-proportion z-test p-values (1.0 where undefined)."""
    from ..stats import two_proportion_ztest

    p = np.atleast_1d(np.asarray(two_proportion_ztest(x1, n1, x2, n2).p_value, dtype="float64"))
    return np.where(np.isnan(p), 1.0, p)


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values."""
    p = np.asarray(p, dtype="float64")
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def _funnel_outcome(funnel: Any, frame: pd.DataFrame, sids: pd.Index) -> pd.Series:
    """True for sessions whose unit entered the funnel and did not complete it.

    With ``unit="user"`` every session of a user gets the user's outcome;
    sessions of units outside the funnel are left out.
    """
    try:
        units = funnel.units()
        n_steps = int(getattr(funnel, "n_steps", len(funnel.steps)))
    except Exception as exc:
        raise UxlensError(
            f"Could not read the units of this Funnel ({exc}). Expected a uxlens Funnel with "
            "units() -> unit_id, reached; or pass a boolean Series keyed by session id."
        ) from exc
    units = units.assign(unit_id=units["unit_id"].astype(str))
    bad = (units.groupby("unit_id")["reached"].max() < n_steps)
    if getattr(funnel, "unit", "user") == "session":
        per_session = bad
    else:
        link = frame[["session_id", "user_id"]].drop_duplicates()
        link = link.assign(session_id=link["session_id"].astype(str),
                           user_id=link["user_id"].astype(str))
        link = link.loc[link["user_id"].isin(bad.index)]
        per_session = pd.Series(link["user_id"].map(bad).to_numpy(),
                                index=link["session_id"].to_numpy())
        per_session = per_session.groupby(level=0).max()
    per_session.index.name = "session_id"
    return per_session.reindex(sids).dropna().astype(bool)


@dataclass
class OutcomeModel:
    """A model of an outcome from friction features (see :meth:`Friction.fit_outcome`).

    Examples
    --------
    >>> import uxlens as ux
    >>> log = ux.demo()
    >>> funnel = ux.Funnel(log, ["signup_started", "signup_done", "profile_done",
    ...                          "invite_sent", "onboarding_done"])
    >>> m = ux.Friction(log).fit_outcome(funnel)
    >>> m.target, m.kind, m.n_train, m.n_test
    ('did not convert', 'logistic', 127, 55)
    """

    target: str
    kind: str
    features: list[str]
    coefficients: pd.DataFrame
    auc: float
    n_train: int
    n_test: int
    model: Any
    importance: pd.DataFrame | None = None
    positive_rate: float = float("nan")

    def predict(self, features: pd.DataFrame) -> pd.Series:
        """Probability of the outcome for each row of :meth:`Friction.features`.

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> funnel = ux.Funnel(log, ["signup_started", "signup_done", "profile_done",
        ...                          "invite_sent", "onboarding_done"])
        >>> f = ux.Friction(log)
        >>> p = f.fit_outcome(funnel).predict(f.features())
        >>> len(p), bool(p.between(0, 1).all())
        (300, True)
        """
        proba = self.model.predict_proba(features[self.features].astype("float64"))[:, 1]
        return pd.Series(proba, index=features.index, name=f"p({self.target})")

    def __repr__(self) -> str:
        return (f"<OutcomeModel {self.kind}: predicts {self.target!r}, held-out AUC "
                f"{self.auc:.3f} (train {self.n_train}, test {self.n_test})>")

    def _repr_html_(self) -> str:
        import html

        head = (f"<b>OutcomeModel</b> · {html.escape(self.kind)} · predicts "
                f"<i>{html.escape(self.target)}</i> ({self.positive_rate:.0%} of sessions) · "
                f"held-out AUC <b>{self.auc:.3f}</b>")
        body = self.coefficients.round(3).to_html(index=False)
        if self.importance is not None:
            body += self.importance.round(4).to_html(index=False)
        return f"<div style='font-family:system-ui,sans-serif'>{head}{body}</div>"
