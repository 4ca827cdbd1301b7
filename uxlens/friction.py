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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .engine.friction import (
    CLICK_EVENTS,
    DeadParams,
    ErrorParams,
    RageParams,
)
from .exceptions import SchemaError, UxlensError, did_you_mean

__all__ = [
    "PRESETS",
    "DEFAULT_WEIGHTS",
    "SIGNAL_KINDS",
    "flag_clicks",
    "rage_clicks",
    "dead_clicks",
    "error_clicks",
    "resolve_params",
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
                   "level", "status", "is_interactive")


def _frame(events: Any) -> pd.DataFrame:
    """The canonical DataFrame behind an EventLog / DataFrame (validated if needed)."""
    frame = getattr(events, "events", events)
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(
            "Expected an EventLog or a canonical events DataFrame, got "
            f"{type(events).__name__}. Fix: load data with ux.read_events(...) or ux.read_rrweb(...)."
        )
    if "seq" not in frame.columns:
        from .events import validate

        frame = validate(frame, source="friction").events
    for col in ("session_id", "timestamp", "event"):
        if col not in frame.columns:
            raise SchemaError(
                f"The events table has no {col!r} column.{did_you_mean(col, frame.columns)} "
                f"Found: {list(frame.columns)}."
            )
    return frame


def _event_str(frame: pd.DataFrame) -> pd.Series:
    return frame["event"].astype(str)


def _dead_mode(frame: pd.DataFrame, dead: DeadParams) -> str:
    if dead.mode != "auto":
        return dead.mode
    ev = frame["event"]
    if isinstance(ev.dtype, pd.CategoricalDtype):
        has = "mutation" in ev.cat.categories and bool((ev == "mutation").any())
    else:
        has = bool((ev.astype(str) == "mutation").any())
    return "mutation" if has else "fallback"


def _engine_table(frame: pd.DataFrame, backend: Any = None) -> Any:
    from .engine.backend import as_table

    cols = [c for c in _ENGINE_COLUMNS if c in frame.columns]
    sub = frame[cols]
    if "is_interactive" in sub.columns:
        sub = sub.assign(is_interactive=sub["is_interactive"].astype("boolean"))
    return as_table(sub, backend)


# --------------------------------------------------------------------------- clicks
_FLAG_COLUMNS = ["session_id", "seq", "timestamp", "event", "url", "x", "y", "target",
                 "press", "rage", "dead", "error", "rage_burst", "burst_size"]


def flag_clicks(
    events: Any, *, preset: str | None = None, backend: Any = None, **params: Any
) -> pd.DataFrame:
    """Every click-like event with its rage / dead / error flags.

    The one implementation behind the rage, dead and error heatmaps,
    :meth:`Friction.signals` and :func:`rage_clicks` & co. It runs as one
    Ibis query (embedded DuckDB unless ``backend`` is given).

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset
        Vendor thresholds: ``"posthog"``, ``"datadog"``, ``"amplitude"``,
        ``"openreplay"`` (see :func:`rage_clicks`, :func:`dead_clicks`,
        :func:`error_clicks`), or ``None`` for the uxlens defaults.
    backend
        Ibis backend to run on (see :func:`uxlens.connect`).
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


def _flag_clicks(frame: pd.DataFrame, p: Mapping[str, Any], *, backend: Any = None) -> pd.DataFrame:
    from .engine.backend import execute
    from .engine.friction import click_flags

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
        table = _engine_table(frame, backend)
        expr = click_flags(table, p["rage"], p["dead"], p["error"], dead_mode=mode)
        out = execute(expr, backend)
        out = _finish_flags(out)
    out.attrs["dead_mode"] = mode
    out.attrs["params"] = {k: dataclasses.asdict(p[k]) for k in ("rage", "dead", "error")}
    return out


def _finish_flags(out: pd.DataFrame) -> pd.DataFrame:
    out = out.sort_values(["session_id", "seq"], kind="stable").reset_index(drop=True)
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
        Ibis backend to run on.
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


def _mode(values: pd.Series) -> Any:
    counts = values.dropna().astype(str).value_counts()
    return counts.index[0] if len(counts) else None


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
        "target": g["target"].agg(_mode),
        "x": g["x"].mean(),
        "y": g["y"].mean(),
        "clicks": g.size().astype("int64"),
    }).reset_index()
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
    column from the reader wins when present) and no answer follows in the
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
        Ibis backend to run on.
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
    it in the same session within ``window_ms`` (1000, inclusive).

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
        Ibis backend to run on.
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
