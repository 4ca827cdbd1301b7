"""Click flags: rage, dead and error clicks, from one pass over every press."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..engine.friction import CLICK_EVENTS
from .params import _flat, resolve_params
from .runner import _dead_mode, _Engine, _frame

__all__ = ["flag_clicks", "rage_clicks", "dead_clicks", "error_clicks"]


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
    return _flagged("dead", events, preset, backend, params)


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
    return _flagged("error", events, preset, backend, params)


def _flagged(flag: str, events: Any, preset: str | None, backend: Any,
             params: Mapping[str, Any]) -> pd.DataFrame:
    """The presses with one flag (``"dead"`` or ``"error"``), ``attrs`` of the flags kept."""
    frame = _frame(events)
    p = resolve_params(preset, **_flat(flag, params))
    flags = _flag_clicks(frame, p, backend=backend)
    out = flags.loc[flags[flag], ["session_id", "seq", "timestamp", "url", "x", "y", "target"]]
    out = out.reset_index(drop=True)
    out.attrs = dict(flags.attrs)
    return out
