"""The page-level detectors as documented functions.

Thrashed cursor, scroll friction, quick backs, abandoned forms, hesitations and
repeated edits; each returns the signal table of its kind (see
:mod:`uxlens.friction.signals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .clicks import _flag_clicks
from .params import _flat, resolve_params
from .runner import _Engine, _frame
from .signals import (
    _edit_signals,
    _form_signals,
    _hesitation_signals,
    _quick_back_signals,
    _scroll_signals,
    _thrash_signals,
)

__all__ = ["thrashed_cursor", "scroll_friction", "quick_backs", "form_abandonment", "hesitations",
           "repeated_edits"]


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
