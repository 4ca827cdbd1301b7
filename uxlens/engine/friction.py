"""Friction detectors as Ibis expressions (DuckDB, PySpark, ...) and as numpy passes.

Two engines give the same rows (the tests compare them on DuckDB and PySpark):

- **Ibis expressions** (:func:`click_flags`, :func:`quick_backs`,
  :func:`thrash_reversals`, :func:`scroll_visits`, :func:`scroll_legs`,
  :func:`hesitations`) for any backend: tables too large for memory, or
  living in a warehouse.
- **numpy passes** (``np_*`` over a :class:`Frame`) for an in-memory pandas
  table, which validation leaves sorted by ``(session_id, seq)``: every
  detector is then a linear scan with ``searchsorted``/``reduceat``, about ten
  times faster than shipping the table to an engine and sorting each subset
  again (10 million events in about 3 s on 2 cores, see
  ``benchmarks/bench_friction.py``).

Every expression here uses only portable constructs: filters, ``LAG``/``LEAD``,
``MIN``/``COUNT``/``SUM`` window functions over ``(session_id ORDER BY seq)``,
and one equi-join. Time is measured with the integer ``t_ms`` column that
:func:`uxlens.engine.backend.as_table` adds, so interval arithmetic is the same
on every backend. The parameter objects (:class:`RageParams`,
:class:`DeadParams`, :class:`ErrorParams`) and their meaning are documented in
:mod:`uxlens.friction`, which is the public front of these expressions.

Same-instant events are ordered by ``seq`` (the stable order that
:func:`uxlens.events.validate` assigns), so "after the click" means "later in
``seq``", including events stamped with the same millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

__all__ = [
    "CLICK_EVENTS",
    "POINTER_EVENTS",
    "INTERACTIVE_PATTERN",
    "TEXT_INPUT_PATTERN",
    "BUTTONLIKE_INPUT_PATTERN",
    "DISABLED_PATTERN",
    "RageParams",
    "DeadParams",
    "ErrorParams",
    "click_flags",
    "quick_backs",
    "thrash_reversals",
    "scroll_legs",
    "scroll_visits",
    "hesitations",
    "count_events",
    "Frame",
    "np_click_flags",
    "np_quick_backs",
    "np_thrash_reversals",
    "np_scroll_visits",
    "np_scroll_legs",
    "np_hesitations",
    "error_rows",
]

#: Events that count as a press on the page.
CLICK_EVENTS = ("click", "dblclick", "touch")
#: Pointer events: never a page "response" to a click.
POINTER_EVENTS = ("click", "dblclick", "touch", "mousemove", "mousedown", "mouseup", "touchmove")

# Selector-path regexes. A path looks like ``html > body > div#app > button#send.primary``;
# a component starts at the beginning or after a space/``>`` and begins with its tag.
# No look-arounds: the same pattern must compile in RE2 (DuckDB) and java.util.regex (Spark).
_START = r"(^|[ >])"
_END = r"([.#\[: >]|$)"
#: A component that is a link or a form control, or carries an interactive role/attribute.
INTERACTIVE_PATTERN = (
    _START + r"(a|button|input|select|textarea|label|summary|option)" + _END
    + r"|\[role=[\"']?(button|link|checkbox|radio|switch|tab|menuitem|option)"
    + r"|\[(href|onclick|contenteditable)"
)
#: Datadog's dead-click exclusions, approximated on a selector path: text inputs,
#: textarea, select, canvas, links and their descendants, contenteditable.
TEXT_INPUT_PATTERN = _START + r"(input|textarea|select|canvas|a)" + _END + r"|\[contenteditable"
#: Inputs that behave like buttons (excluded from :data:`TEXT_INPUT_PATTERN`).
BUTTONLIKE_INPUT_PATTERN = r"input[^ >]*\[type=[\"']?(checkbox|radio|button|submit|reset|range)"
#: A disabled control (attribute, ARIA state or the usual class names) cannot answer a click.
DISABLED_PATTERN = (
    r"\[disabled|\[aria-disabled=[\"']?true|\.(is-)?disabled([.#\[: >]|$)"
)


@dataclass(frozen=True)
class RageParams:
    """Thresholds of the rage-click detector (see :func:`uxlens.friction.rage_clicks`)."""

    min_clicks: int = 3
    max_interval_ms: int = 1000
    max_distance_px: float | None = 30.0
    distance: str = "euclidean"
    inclusive: bool = True
    same_target: bool = False
    same_url: bool = True
    window_ms: int | None = None
    touch_merge_ms: int = 800


@dataclass(frozen=True)
class DeadParams:
    """Thresholds of the dead-click detector (see :func:`uxlens.friction.dead_clicks`)."""

    window_ms: int = 2500
    responses: tuple[str, ...] = ("mutation", "pageview", "scroll", "selection")
    response_windows: dict[str, int] = field(default_factory=dict)
    targets: str = "non_interactive"
    mode: str = "auto"

    def windows(self) -> dict[str, int]:
        """Window (ms) per response event."""
        return {e: int(self.response_windows.get(e, self.window_ms)) for e in self.responses}


@dataclass(frozen=True)
class ErrorParams:
    """Thresholds of the error-click detector (see :func:`uxlens.friction.error_clicks`)."""

    window_ms: int = 1000
    min_status: int = 400
    status_zero_failed: bool = True
    console_levels: tuple[str, ...] = ("error",)
    error_events: tuple[str, ...] = ("error",)


def _cmp_le(value: ir.Value, limit: float, inclusive: bool) -> ir.BooleanValue:
    return value <= limit if inclusive else value < limit


def count_events(t: ir.Table, name: str) -> ir.IntegerScalar:
    """Number of rows of event ``name`` (a scalar expression)."""
    return t.filter(t.event == name).count()


def _eligible(t: ir.Table, targets: str) -> ir.BooleanValue:
    import ibis

    if "target" in t.columns:
        target = t.target.cast("string")
        interactive = target.re_search(INTERACTIVE_PATTERN).fill_null(False)
        texty = target.re_search(TEXT_INPUT_PATTERN).fill_null(False) & ~target.re_search(
            BUTTONLIKE_INPUT_PATTERN
        ).fill_null(False)
        disabled = target.re_search(DISABLED_PATTERN).fill_null(False)
    else:
        interactive = ibis.literal(False)
        texty = ibis.literal(False)
        disabled = ibis.literal(False)
    # the reader's knowledge of the live DOM beats the selector text
    for col in ("target_is_control", "is_interactive"):
        if col in t.columns:
            interactive = t[col].cast("boolean").fill_null(interactive)
    if targets == "non_interactive":
        return ~interactive | disabled
    if targets == "interactive":
        return interactive
    if targets == "not_text_input":
        return ~texty
    return ibis.literal(True)  # "any"


def click_flags(
    t: ir.Table,
    rage: RageParams,
    dead: DeadParams,
    error: ErrorParams,
    *,
    dead_mode: str,
) -> ir.Table:
    """One row per click-like event with its rage / dead / error flags.

    Parameters
    ----------
    t
        Engine table from :func:`uxlens.engine.backend.as_table` (needs
        ``session_id, seq, t_ms, event``; uses ``x, y, url, target, level,
        status, is_interactive`` when present).
    rage, dead, error
        Detector thresholds.
    dead_mode
        ``"mutation"``: the page's answers are the events in
        ``dead.responses``; ``"fallback"``: any following non-pointer event.

    Returns
    -------
    ibis.expr.types.Table
        Columns ``session_id, seq, timestamp, t_ms, event, url, x, y, target,
        press, burst, burst_size, rage, dead, error``; ``burst`` numbers the
        consecutive-press chains within a session (0-based).
    """
    import ibis

    cols = set(t.columns)
    keep = [c for c in ("session_id", "seq", "timestamp", "t_ms", "event", "url", "x", "y",
                        "target", "is_interactive") if c in cols]
    clicks = t.filter(t.event.isin(CLICK_EVENTS)).select(*keep)
    for c in ("url", "target"):
        if c not in clicks.columns:
            clicks = clicks.mutate(**{c: ibis.null("string")})
    for c in ("x", "y"):
        if c not in clicks.columns:
            clicks = clicks.mutate(**{c: ibis.null("float64")})
    w = ibis.window(group_by=clicks.session_id, order_by=clicks.seq)
    # A touch followed by the browser's synthetic click is one press, not two;
    # a dblclick row repeats the two clicks before it.
    synthetic = (clicks.event.lead().over(w) == "click") & (
        clicks.t_ms.lead().over(w) - clicks.t_ms <= rage.touch_merge_ms
    )
    clicks = clicks.mutate(
        press=ibis.cases(
            (clicks.event == "click", True),
            (clicks.event == "touch", ~synthetic.fill_null(False)),
            else_=False,
        )
    )

    presses = clicks.filter(clicks.press)
    wp = ibis.window(group_by=presses.session_id, order_by=presses.seq)
    gap = presses.t_ms - presses.t_ms.lag().over(wp)
    link = _cmp_le(gap, rage.max_interval_ms, rage.inclusive)
    if rage.max_distance_px is not None:
        dx = presses.x - presses.x.lag().over(wp)
        dy = presses.y - presses.y.lag().over(wp)
        if rage.distance == "manhattan":
            dist = dx.abs() + dy.abs()
            link &= _cmp_le(dist, rage.max_distance_px, rage.inclusive)
        else:
            # compare squared distances: no sqrt, exact on integers
            link &= _cmp_le(dx * dx + dy * dy, float(rage.max_distance_px) ** 2, rage.inclusive)
    if rage.same_url:
        link &= presses.url.cast("string").fill_null("") == presses.url.lag().over(wp).cast(
            "string"
        ).fill_null("")
    if rage.same_target:
        link &= presses.target.cast("string") == presses.target.lag().over(wp).cast("string")
    presses = presses.mutate(brk=ibis.ifelse(link.fill_null(False), 0, 1))
    presses = presses.mutate(
        burst=presses.brk.sum().over(
            ibis.cumulative_window(group_by=presses.session_id, order_by=presses.seq)
        ) - 1
    )
    wb = ibis.window(group_by=[presses.session_id, presses.burst])
    presses = presses.mutate(burst_size=presses.seq.count().over(wb))
    is_rage = presses.burst_size >= rage.min_clicks
    if rage.window_ms is not None:
        k = max(int(rage.min_clicks) - 1, 0)
        wbo = ibis.window(group_by=[presses.session_id, presses.burst], order_by=presses.seq)
        span = presses.t_ms.lead(k).over(wbo) - presses.t_ms
        presses = presses.mutate(_ok=ibis.ifelse(_cmp_le(span, rage.window_ms, True), 1, 0))
        presses = presses.mutate(_okb=presses._ok.fill_null(0).max().over(wb))
        is_rage &= presses._okb == 1
    presses = presses.mutate(rage=is_rage).select("session_id", "seq", "burst", "burst_size",
                                                  "rage")

    # Dead and error clicks: the next "answer" of each kind after every press.
    windows = dead.windows()
    error_cond = ibis.literal(False)
    if "level" in cols and error.console_levels:
        error_cond |= (t.event == "console") & t.level.cast("string").isin(
            list(error.console_levels)
        )
    if error.error_events:
        error_cond |= t.event.isin(list(error.error_events))
    if "status" in cols:
        failed = t.status >= error.min_status
        if error.status_zero_failed:
            failed |= t.status == 0
        error_cond |= (t.event == "network") & failed.fill_null(False)
    # a request fails when its response arrives: start + duration
    if "duration_ms" in cols:
        error_t = t.t_ms + ibis.ifelse(
            t.event == "network", t.duration_ms.fill_null(0).round().cast("int64"), 0
        )
    else:
        error_t = t.t_ms
    if dead_mode == "fallback":
        answer_cond = ~t.event.isin(POINTER_EVENTS)
        answer_groups: dict[int, ir.BooleanValue] = {int(dead.window_ms): answer_cond}
    else:
        answer_cond = t.event.isin(list(windows))
        answer_groups = {}
        for name, ms in windows.items():
            cond = t.event == name
            answer_groups[ms] = answer_groups[ms] | cond if ms in answer_groups else cond
    eligible = _eligible(t, dead.targets)
    sub = t.filter(t.event.isin(CLICK_EVENTS) | answer_cond | error_cond).select(
        "session_id",
        "seq",
        "t_ms",
        is_click=t.event.isin(CLICK_EVENTS),
        eligible=eligible,
        is_error=error_cond,
        error_t=error_t,
        **{f"_a{ms}": ibis.ifelse(cond, 1, 0) for ms, cond in answer_groups.items()},
    )
    following = ibis.window(group_by=sub.session_id, order_by=sub.seq, rows=(1, None))
    nexts = {
        f"_n{ms}": ibis.ifelse(sub[f"_a{ms}"] == 1, sub.t_ms, ibis.null("int64"))
        .min()
        .over(following)
        for ms in answer_groups
    }
    nexts["_nerr"] = ibis.ifelse(sub.is_error, sub.error_t, ibis.null("int64")).min().over(
        following
    )
    sub = sub.mutate(**nexts)
    answered = ibis.literal(False)
    for ms in answer_groups:
        answered |= (sub[f"_n{ms}"] - sub.t_ms <= ms).fill_null(False)
    sub = sub.filter(sub.is_click).select(
        "session_id",
        "seq",
        dead_=sub.eligible.fill_null(True) & ~answered,
        error_=(sub._nerr - sub.t_ms <= error.window_ms).fill_null(False),
    )

    cols_out = [c for c in ("session_id", "seq", "timestamp", "t_ms", "event", "url", "x", "y",
                            "target") if c in clicks.columns]
    out = clicks.left_join(presses, ["session_id", "seq"], rname="{name}_p")
    out = out.select(*cols_out, "press", "burst", "burst_size", "rage")
    out = out.left_join(sub, ["session_id", "seq"], rname="{name}_d")
    return out.select(
        *cols_out,
        press=out.press,
        burst=out.burst.fill_null(-1),
        burst_size=out.burst_size.fill_null(0),
        rage=out.rage.fill_null(False),
        dead=out.press & out.dead_.fill_null(False),
        error=out.press & out.error_.fill_null(False),
    ).order_by("session_id", "seq")


def quick_backs(t: ir.Table, *, max_ms: int = 10_000, inclusive: bool = True) -> ir.Table:
    """Pages left and returned from within ``max_ms`` (A → B → A).

    One row per visit of B: ``session_id, seq`` (of B's pageview), ``url``
    (B), ``from_url`` (A), ``t_ms`` (the return to A) and ``dwell_ms`` (time
    on B before coming back). Consecutive pageviews of the same URL (reloads) count
    as separate visits.
    """
    import ibis

    pv = t.filter((t.event == "pageview") & t.url.notnull()).select(
        "session_id", "seq", "t_ms", url=t.url.cast("string")
    )
    w = ibis.window(group_by=pv.session_id, order_by=pv.seq)
    pv = pv.mutate(
        from_url=pv.url.lag().over(w),
        back_url=pv.url.lead().over(w),
        dwell_ms=pv.t_ms.lead().over(w) - pv.t_ms,
    )
    hit = (
        pv.from_url.notnull()
        & (pv.back_url == pv.from_url)
        & (pv.url != pv.from_url)
        & _cmp_le(pv.dwell_ms, max_ms, inclusive)
    )
    return pv.filter(hit).select(
        "session_id", "seq", "url", "from_url", "dwell_ms", t_ms=pv.t_ms + pv.dwell_ms
    )


def thrash_reversals(
    t: ir.Table,
    *,
    window_ms: int,
    min_speed_px_s: float,
    min_leg_px: float,
    max_gap_ms: int,
) -> ir.Table:
    """Horizontal direction reversals of the cursor, with a trailing count.

    A *move* is the step between two consecutive ``mousemove`` rows of a
    session that is at least ``min_leg_px`` wide, at least ``min_speed_px_s``
    fast and at most ``max_gap_ms`` after the previous sample. A *reversal* is
    a move whose horizontal direction is opposite to the previous move's,
    at most ``window_ms`` after it. Returns one row per reversal:
    ``session_id, seq, t_ms, url, x, n`` where ``n`` counts the reversals of
    the session in ``[t_ms - window_ms, t_ms]``.
    """
    import ibis

    cols = ["session_id", "seq", "t_ms", "x"] + (["url"] if "url" in t.columns else [])
    m = t.filter((t.event == "mousemove") & t.x.notnull()).select(*cols)
    if "url" not in m.columns:
        m = m.mutate(url=ibis.null("string"))
    w = ibis.window(group_by=m.session_id, order_by=m.seq)
    dx = m.x - m.x.lag().over(w)
    dt = m.t_ms - m.t_ms.lag().over(w)
    # speed test without division: |dx| * 1000 >= speed * max(dt, 1)
    dt1 = ibis.greatest(dt, 1)
    fast = (dx.abs() >= min_leg_px) & (dx.abs() * 1000 >= dt1 * float(min_speed_px_s)) & (
        dt <= max_gap_ms
    )
    m = m.mutate(dir=ibis.ifelse(dx > 0, 1, -1), fast=fast.fill_null(False))
    moves = m.filter(m.fast)
    w2 = ibis.window(group_by=moves.session_id, order_by=moves.seq)
    # window values are materialised before filtering: Spark cannot filter on them directly
    moves = moves.mutate(prev_dir=moves.dir.lag().over(w2), prev_t=moves.t_ms.lag().over(w2))
    rev = (moves.dir != moves.prev_dir) & (moves.t_ms - moves.prev_t <= window_ms)
    revs = moves.filter(rev.fill_null(False))
    trailing = ibis.range_window(
        preceding=window_ms, following=0, group_by=revs.session_id, order_by=revs.t_ms
    )
    return revs.select(
        "session_id", "seq", "t_ms", url=revs.url.cast("string"), x=revs.x,
        n=revs.seq.count().over(trailing),
    )


def _scroll_rows(t: ir.Table) -> ir.Table:
    import ibis

    cols = set(t.columns)
    keep = ["session_id", "seq", "t_ms", "event", "scroll_y"]
    keep += [c for c in ("url", "page_h", "viewport_h") if c in cols]
    sub = t.filter((t.event == "pageview") | ((t.event == "scroll") & t.scroll_y.notnull()))
    sub = sub.select(*keep)
    for c, typ in (("url", "string"), ("page_h", "int32"), ("viewport_h", "int32")):
        if c not in sub.columns:
            sub = sub.mutate(**{c: ibis.null(typ)})
    cum = ibis.cumulative_window(group_by=sub.session_id, order_by=sub.seq)
    sub = sub.mutate(visit=ibis.ifelse(sub.event == "pageview", 1, 0).sum().over(cum))
    # page and viewport heights may sit on the pageview row only: spread them over the visit
    wv = ibis.window(group_by=[sub.session_id, sub.visit])
    sub = sub.mutate(page_h=sub.page_h.max().over(wv), viewport_h=sub.viewport_h.max().over(wv))
    s = sub.filter(sub.event == "scroll")
    w = ibis.window(group_by=[s.session_id, s.visit], order_by=s.seq)
    return s.mutate(dy=s.scroll_y - s.scroll_y.lag().over(w))


def scroll_visits(t: ir.Table) -> ir.Table:
    """Scroll travel per page visit (``visit`` = pageviews so far in the session).

    Columns ``session_id, visit, url, t_ms`` (last scroll), ``travel`` (sum of
    ``|dy|``), ``max_y``, ``page_h``, ``viewport_h``, ``scrolls``.
    """
    s = _scroll_rows(t)
    return s.group_by(["session_id", "visit"]).aggregate(
        url=s.url.cast("string").max(),
        t_ms=s.t_ms.max(),
        seq=s.seq.min(),
        travel=s.dy.abs().sum(),
        max_y=s.scroll_y.max(),
        page_h=s.page_h.max(),
        viewport_h=s.viewport_h.max(),
        scrolls=s.seq.count(),
    )


def scroll_legs(t: ir.Table) -> ir.Table:
    """Scroll legs: maximal runs of same-direction scroll steps in one page visit.

    Columns ``session_id, visit, leg, url, start_ms, end_ms, seq, travel``
    (signed px, > 0 = down), ``prev_travel``, ``prev_end_ms`` (the leg before
    in the same visit, or null).
    """
    import ibis

    s = _scroll_rows(t)
    s = s.filter(s.dy.notnull() & (s.dy != 0))
    w = ibis.window(group_by=[s.session_id, s.visit], order_by=s.seq)
    sign = ibis.ifelse(s.dy > 0, 1, -1)
    s = s.mutate(sign=sign)
    s = s.mutate(brk=ibis.ifelse(s.sign == s.sign.lag().over(w), 0, 1))
    cum = ibis.cumulative_window(group_by=[s.session_id, s.visit], order_by=s.seq)
    s = s.mutate(leg=s.brk.sum().over(cum))
    legs = s.group_by(["session_id", "visit", "leg"]).aggregate(
        url=s.url.cast("string").max(),
        start_ms=s.t_ms.min(),
        end_ms=s.t_ms.max(),
        seq=s.seq.min(),
        travel=s.dy.sum(),
    )
    wl = ibis.window(group_by=[legs.session_id, legs.visit], order_by=legs.leg)
    # the reversal starts when the previous leg's last step ends
    return legs.mutate(
        prev_travel=legs.travel.lag().over(wl),
        prev_end_ms=legs.end_ms.lag().over(wl),
    )


def hesitations(
    t: ir.Table, *, actions: tuple[str, ...], min_ms: int, max_ms: int
) -> ir.Table:
    """Presses preceded by a long pause without any action.

    ``actions`` are the events that end a pause (cursor movement does not).
    Returns ``session_id, seq, t_ms, url, target, idle_ms`` for every
    ``click``/``touch`` whose previous action in the session is between
    ``min_ms`` (inclusive) and ``max_ms`` (exclusive) earlier.
    """
    import ibis

    cols = set(t.columns)
    keep = ["session_id", "seq", "t_ms", "event"] + [c for c in ("url", "target") if c in cols]
    sub = t.filter(t.event.isin(list(set(actions) | {"click", "touch"}))).select(*keep)
    for c in ("url", "target"):
        if c not in sub.columns:
            sub = sub.mutate(**{c: ibis.null("string")})
    w = ibis.window(group_by=sub.session_id, order_by=sub.seq)
    sub = sub.mutate(idle_ms=sub.t_ms - sub.t_ms.lag().over(w))
    hit = sub.event.isin(["click", "touch"]) & (sub.idle_ms >= min_ms) & (sub.idle_ms < max_ms)
    return sub.filter(hit.fill_null(False)).select(
        "session_id", "seq", "t_ms", url=sub.url.cast("string"),
        target=sub.target.cast("string"), idle_ms=sub.idle_ms,
    )


# =============================================================================== in memory
# The same detectors as vectorised numpy passes over a pandas events table that is
# sorted by (session_id, seq), as every validated table is. They give the results
# of the Ibis expressions above, row for row (the tests check it on DuckDB and
# PySpark), without shipping the table to an engine: on one machine a linear scan
# beats sorting each subset again. Positions (row numbers) replace ``seq`` for
# "before/after", which is the same order inside a session.


class Frame:
    """Read-only numpy views of a canonical events table sorted by (session_id, seq)."""

    def __init__(self, frame: Any, *, sid: Any = None) -> None:
        import numpy as np
        import pandas as pd

        from ..events import session_codes

        self.frame = frame
        self.n = len(frame)
        if sid is None:  # (an EventLog passes the codes it has computed already)
            sid = session_codes(frame["session_id"])
        seq = frame["seq"].to_numpy(dtype="int64")
        ok = sid is not None and (
            self.n < 2 or bool(np.all((sid[1:] != sid[:-1]) | (seq[1:] > seq[:-1])))
        )
        if not ok:
            order = np.lexsort((seq, frame["session_id"].astype(str).to_numpy()))
            self.frame = frame = frame.iloc[order].reset_index(drop=True)
            sid = session_codes(frame["session_id"])
            seq = frame["seq"].to_numpy(dtype="int64")
        self.sid = sid
        self.seq = seq
        ts = pd.DatetimeIndex(frame["timestamp"])
        if ts.tz is None:   # engines may hand back naive UTC
            ts = ts.tz_localize("UTC")
        # floor to ms, as the engine's t_ms column
        self.t = ts.as_unit("ns").asi8 // 1_000_000
        ev = frame["event"]
        if isinstance(ev.dtype, pd.CategoricalDtype):
            self.ev = ev.array.codes
            self.ev_names = [str(c) for c in ev.cat.categories]
        else:
            codes, uniques = pd.factorize(ev.astype(str))
            self.ev, self.ev_names = codes, [str(u) for u in uniques]
        self._cache: dict[str, Any] = {}

    # ------------------------------------------------------------------ columns
    def has(self, col: str) -> bool:
        return col in self.frame.columns

    def mask(self, *names: str) -> Any:
        """Rows whose event is one of ``names``."""
        import numpy as np

        codes = [i for i, e in enumerate(self.ev_names) if e in set(names)]
        if not codes:
            return np.zeros(self.n, dtype=bool)
        if len(codes) == 1:
            return self.ev == codes[0]
        lut = np.zeros(len(self.ev_names) + 1, dtype=bool)   # code -1 (missing) -> last
        lut[codes] = True
        return lut[self.ev]

    def num(self, col: str) -> Any:
        """A numeric column as float64 (NaN for missing or absent)."""
        import numpy as np

        key = "num:" + col
        if key not in self._cache:
            if col not in self.frame.columns:  # a read-only view of one NaN: no n floats
                self._cache[key] = np.broadcast_to(np.float64(np.nan), (self.n,))
            else:
                s = self.frame[col]
                if s.dtype == np.float64:
                    self._cache[key] = s.to_numpy()
                else:
                    self._cache[key] = s.to_numpy(dtype="float64", na_value=np.nan)
        return self._cache[key]

    def num_at(self, col: str, rows: Any) -> Any:
        """A numeric column at ``rows`` only, as float64 (NaN for missing or absent)."""
        import numpy as np

        if col not in self.frame.columns:
            return np.full(len(rows), np.nan)
        if "num:" + col in self._cache:
            return self._cache["num:" + col][rows]
        arr = self.frame[col].array.take(np.asarray(rows, dtype="int64"))
        return np.asarray(arr.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")

    def in_codes(self, col: str, rows: Any, values: Any) -> Any:
        """Whether ``col`` at ``rows`` is one of ``values`` (string-like columns)."""
        import numpy as np

        codes, cats = self.codes(col)
        lut = np.zeros(len(cats) + 1, dtype=bool)
        wanted = set(values)
        lut[[i for i, v in enumerate(cats) if v in wanted]] = True
        return lut[codes[rows]]

    def codes(self, col: str) -> tuple[Any, list[Any]]:
        """Integer codes (-1 = missing) and categories of a string-like column.

        The codes keep the column's own integer width (int8 for a few categories):
        widen them before arithmetic that could overflow.
        """
        import numpy as np
        import pandas as pd

        key = "codes:" + col
        if key not in self._cache:
            if col not in self.frame.columns:  # a read-only view of one -1: no n codes
                self._cache[key] = (np.broadcast_to(np.int8(-1), (self.n,)), [])
            else:
                s = self.frame[col]
                if isinstance(s.dtype, pd.CategoricalDtype):  # the column's own codes, no copy
                    self._cache[key] = (s.array.codes,
                                        [str(c) for c in s.cat.categories])
                else:
                    c, u = pd.factorize(s.astype(object).where(s.notna(), None))
                    self._cache[key] = (c.astype("int32"), [str(x) for x in u])
        return self._cache[key]

    def flag(self, col: str) -> Any:
        """A nullable boolean column as int8: 1 true, 0 false, -1 missing."""
        import numpy as np

        s = self.frame[col].astype("boolean")
        out = np.where(s.fillna(False).to_numpy(dtype=bool), 1, 0).astype("int8")
        out[s.isna().to_numpy()] = -1
        return out

    def strings(self, col: str, rows: Any) -> Any:
        """Values of a column at ``rows``, keeping its array type (categorical, Arrow, object)."""
        import numpy as np

        if col not in self.frame.columns:
            return np.full(len(rows), None, dtype=object)
        return self.frame[col].array.take(np.asarray(rows, dtype="int64"))

    def same_prev(self, rows: Any) -> Any:
        """For positions ``rows`` (ascending), whether the previous one is in the same session."""
        import numpy as np

        out = np.zeros(len(rows), dtype=bool)
        if len(rows) > 1:
            out[1:] = self.sid[rows[1:]] == self.sid[rows[:-1]]
        return out

    def timestamps(self, rows: Any) -> Any:
        return self.frame["timestamp"].take(rows).reset_index(drop=True)


def _le(values: Any, limit: float, inclusive: bool) -> Any:
    return values <= limit if inclusive else values < limit


def _next_in(positions: Any, rows: Any) -> Any:
    """Index in ``positions`` (ascending) of the first entry after each of ``rows`` (or len)."""
    import numpy as np

    return np.searchsorted(positions, rows, side="right")


def np_click_flags(
    fr: Frame, rage: RageParams, dead: DeadParams, error: ErrorParams, *, dead_mode: str
) -> Any:
    """:func:`click_flags` on a :class:`Frame`; same columns (``burst`` is global here)."""
    import re

    import numpy as np
    import pandas as pd

    c = np.flatnonzero(fr.mask(*CLICK_EVENTS))
    ev_c = np.asarray(fr.ev_names, dtype=object)[fr.ev[c]] if len(c) else np.zeros(0, object)
    t = fr.t[c]
    sid = fr.sid[c]
    nxt_same = np.zeros(len(c), dtype=bool)
    nxt_same[:-1] = sid[1:] == sid[:-1]
    synthetic = np.zeros(len(c), dtype=bool)
    synthetic[:-1] = nxt_same[:-1] & (ev_c[1:] == "click") & (t[1:] - t[:-1]
                                                               <= rage.touch_merge_ms)
    press = (ev_c == "click") | ((ev_c == "touch") & ~synthetic)

    p = c[press]
    tp, sp = fr.t[p], fr.sid[p]
    link = fr.same_prev(p)
    gap = np.zeros(len(p), dtype="int64")
    gap[1:] = tp[1:] - tp[:-1]
    link &= _le(gap, rage.max_interval_ms, rage.inclusive)
    x, y = fr.num("x")[p], fr.num("y")[p]
    if rage.max_distance_px is not None:
        dx = np.full(len(p), np.nan)
        dy = np.full(len(p), np.nan)
        dx[1:], dy[1:] = x[1:] - x[:-1], y[1:] - y[:-1]
        with np.errstate(invalid="ignore"):
            if rage.distance == "manhattan":
                close = _le(np.abs(dx) + np.abs(dy), rage.max_distance_px, rage.inclusive)
            else:
                close = _le(dx * dx + dy * dy, float(rage.max_distance_px) ** 2, rage.inclusive)
        link &= close
    if rage.same_url:
        u = fr.codes("url")[0][p]
        same = np.zeros(len(p), dtype=bool)
        same[1:] = u[1:] == u[:-1]   # -1 == -1: both missing counts as the same page
        link &= same
    if rage.same_target:
        g = fr.codes("target")[0][p]
        same = np.zeros(len(p), dtype=bool)
        same[1:] = (g[1:] == g[:-1]) & (g[1:] >= 0)
        link &= same
    burst = np.cumsum(~link) - 1
    size = np.bincount(burst, minlength=int(burst[-1]) + 1 if len(burst) else 0)
    is_rage = size[burst] >= rage.min_clicks if len(p) else np.zeros(0, dtype=bool)
    if rage.window_ms is not None and len(p):
        k = max(int(rage.min_clicks) - 1, 0)
        ok = np.zeros(len(p), dtype=bool)
        if k < len(p):
            ok[: len(p) - k] = (burst[k:] == burst[: len(p) - k]) & (
                tp[k:] - tp[: len(p) - k] <= rage.window_ms)
        burst_ok = np.bincount(burst, weights=ok, minlength=len(size)) > 0
        is_rage &= burst_ok[burst]

    # dead: the next answer of each window group after the press, in the same session
    if dead_mode == "fallback":
        groups = {int(dead.window_ms): ~fr.mask(*POINTER_EVENTS)}
    else:
        groups = {}
        for name, ms in dead.windows().items():
            m = fr.mask(name)
            groups[ms] = groups[ms] | m if ms in groups else m
    answered = np.zeros(len(p), dtype=bool)
    for ms, m in groups.items():
        a = np.flatnonzero(m)
        j = _next_in(a, p)
        has = j < len(a)
        jj = np.where(has, j, 0)
        if len(a):
            answered |= has & (fr.sid[a[jj]] == sp) & (fr.t[a[jj]] - tp <= ms)
    tcodes, tcats = fr.codes("target")
    interactive_cat = np.array([bool(re.search(INTERACTIVE_PATTERN, s)) for s in tcats] + [False])
    texty_cat = np.array([bool(re.search(TEXT_INPUT_PATTERN, s))
                          and not re.search(BUTTONLIKE_INPUT_PATTERN, s) for s in tcats]
                         + [False])
    disabled_cat = np.array([bool(re.search(DISABLED_PATTERN, s)) for s in tcats] + [False])
    tc = tcodes[p]   # -1 indexes the trailing False
    interactive = interactive_cat[tc]
    for col in ("target_is_control", "is_interactive"):
        if fr.has(col):
            known = fr.flag(col)[p]
            interactive = np.where(known >= 0, known == 1, interactive)
    if dead.targets == "non_interactive":
        eligible = ~interactive | disabled_cat[tc]
    elif dead.targets == "interactive":
        eligible = interactive
    elif dead.targets == "not_text_input":
        eligible = ~texty_cat[tc]
    else:
        eligible = np.ones(len(p), dtype=bool)
    is_dead = eligible & ~answered

    # error: the earliest failure time among later error rows of the session
    e, end = error_rows(fr, error)
    is_error = np.zeros(len(p), dtype=bool)
    if len(e):
        # suffix minimum per session: offsets make later sessions (earlier in the
        # reversed scan) never leak their smaller values into earlier sessions
        se = fr.sid[e]
        t0 = int(min(end.min(), fr.t.min()))
        span = np.int64(int(end.max()) - t0 + 1)
        offset = (se.max() - se).astype("int64") * span
        rev = (end - t0 - offset)[::-1]
        sufmin = (np.minimum.accumulate(rev)[::-1] + offset) + t0
        j = _next_in(e, p)
        has = j < len(e)
        jj = np.where(has, j, 0)
        is_error = has & (se[jj] == sp) & (sufmin[jj] - tp <= error.window_ms)

    out = pd.DataFrame({
        "session_id": fr.strings("session_id", c),
        "seq": fr.seq[c],
        "timestamp": fr.timestamps(c),
        "t_ms": fr.t[c],
        "event": pd.Categorical.from_codes(fr.ev[c], categories=fr.ev_names),
        "url": fr.strings("url", c),
        "x": fr.num("x")[c],
        "y": fr.num("y")[c],
        "target": fr.strings("target", c),
        "press": press,
    })
    burst_all = np.full(len(c), -1, dtype="int64")
    size_all = np.zeros(len(c), dtype="int64")
    rage_all = np.zeros(len(c), dtype=bool)
    dead_all = np.zeros(len(c), dtype=bool)
    error_all = np.zeros(len(c), dtype=bool)
    burst_all[press] = burst
    size_all[press] = size[burst] if len(p) else 0
    rage_all[press] = is_rage
    dead_all[press] = is_dead
    error_all[press] = is_error
    out["burst"] = burst_all
    out["burst_size"] = size_all
    out["rage"] = rage_all
    out["dead"] = dead_all
    out["error"] = error_all
    return out


def error_rows(fr: Frame, error: ErrorParams) -> tuple[Any, Any]:
    """Positions of the rows that are errors, and when each failed (ms).

    Console rows at ``error.console_levels``, ``error.error_events`` rows and
    failed network rows; a request fails at its start plus ``duration_ms``
    (rounded half away from zero, as SQL's ``ROUND``).
    """
    import numpy as np

    key = ("error_rows", error.min_status, error.status_zero_failed, error.console_levels,
           error.error_events)
    if key in fr._cache:
        return fr._cache[key]
    parts = []
    if fr.has("level") and error.console_levels:
        con = np.flatnonzero(fr.mask("console"))
        parts.append(con[fr.in_codes("level", con, error.console_levels)])
    if error.error_events:
        parts.append(np.flatnonzero(fr.mask(*error.error_events)))
    net = np.flatnonzero(fr.mask("network"))
    failed_net = np.zeros(0, dtype="int64")
    if fr.has("status") and len(net):
        st = fr.num_at("status", net)
        with np.errstate(invalid="ignore"):
            failed = st >= error.min_status
            if error.status_zero_failed:
                failed |= st == 0
        failed_net = net[failed]
        parts.append(failed_net)
    e = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype="int64")
    end = fr.t[e].copy()
    if fr.has("duration_ms") and len(failed_net):
        is_net = np.isin(e, failed_net, assume_unique=True)
        d = fr.num_at("duration_ms", e[is_net])
        d = np.where(np.isnan(d), 0.0, d)
        end[is_net] += (np.sign(d) * np.floor(np.abs(d) + 0.5)).astype("int64")
    fr._cache[key] = (e, end)
    return e, end


def np_quick_backs(fr: Frame, *, max_ms: int, inclusive: bool) -> Any:
    """:func:`quick_backs` on a :class:`Frame`."""
    import numpy as np
    import pandas as pd

    u_all, cats = fr.codes("url")
    pv = np.flatnonzero(fr.mask("pageview") & (u_all >= 0))
    u, t = u_all[pv], fr.t[pv]
    same_prev = fr.same_prev(pv)
    same_next = np.zeros(len(pv), dtype=bool)
    same_next[:-1] = same_prev[1:]
    hit = np.zeros(len(pv), dtype=bool)
    if len(pv) > 2:
        mid = slice(1, len(pv) - 1)
        dwell = t[2:] - t[1:-1]
        hit[mid] = (same_prev[1:-1] & same_next[1:-1] & (u[2:] == u[:-2]) & (u[1:-1] != u[:-2])
                    & _le(dwell, max_ms, inclusive))
    i = np.flatnonzero(hit)
    catarr = np.asarray(cats, dtype=object)
    return pd.DataFrame({
        "session_id": fr.strings("session_id", pv[i]), "seq": fr.seq[pv[i]],
        "url": catarr[u[i]] if len(i) else np.zeros(0, object),
        "from_url": catarr[u[i - 1]] if len(i) else np.zeros(0, object),
        "dwell_ms": t[i + 1] - t[i] if len(i) else np.zeros(0, "int64"),
        "t_ms": t[i + 1] if len(i) else np.zeros(0, "int64"),
    })


def np_thrash_reversals(fr: Frame, *, window_ms: int, min_speed_px_s: float, min_leg_px: float,
                        max_gap_ms: int) -> Any:
    """:func:`thrash_reversals` on a :class:`Frame`."""
    import numpy as np
    import pandas as pd

    x_all = fr.num("x")
    m = np.flatnonzero(fr.mask("mousemove") & ~np.isnan(x_all))
    x, t = x_all[m], fr.t[m]
    same = fr.same_prev(m)
    dx = np.zeros(len(m))
    dt = np.zeros(len(m), dtype="int64")
    dx[1:], dt[1:] = x[1:] - x[:-1], t[1:] - t[:-1]
    fast = same & (np.abs(dx) >= min_leg_px) & (
        np.abs(dx) * 1000 >= np.maximum(dt, 1) * float(min_speed_px_s)) & (dt <= max_gap_ms)
    mv = m[fast]
    d = np.where(dx[fast] > 0, 1, -1)
    tm = t[fast]
    rev = fr.same_prev(mv)
    rev[1:] &= (d[1:] != d[:-1]) & (tm[1:] - tm[:-1] <= window_ms)
    r = mv[rev]
    tr = fr.t[r]
    # trailing count within [t - window, t] in the session, ties included
    span = np.int64(int(tr.max() - tr.min()) + window_ms + 1 if len(tr) else 1)
    key = fr.sid[r] * span + (tr - (tr.min() if len(tr) else 0))
    n = np.searchsorted(key, key, side="right") - np.searchsorted(key, key - window_ms, "left")
    return pd.DataFrame({
        "session_id": fr.strings("session_id", r), "seq": fr.seq[r], "t_ms": tr,
        "url": fr.strings("url", r), "x": x_all[r], "n": n.astype("int64"),
    })


def _np_scroll_rows(fr: Frame) -> dict[str, Any]:
    if "scroll_rows" not in fr._cache:
        fr._cache["scroll_rows"] = _np_scroll_rows_uncached(fr)
    return fr._cache["scroll_rows"]


def _np_scroll_rows_uncached(fr: Frame) -> dict[str, Any]:
    import numpy as np

    sy_all = fr.num("scroll_y")
    is_pv = fr.mask("pageview")
    rows = np.flatnonzero(is_pv | (fr.mask("scroll") & ~np.isnan(sy_all)))
    pv = is_pv[rows]
    visit_global = np.cumsum(pv)
    sid = fr.sid[rows]
    new_group = ~fr.same_prev(rows) | pv
    group = np.cumsum(new_group) - 1
    # visit number inside the session (pageviews so far), as the Ibis expression counts it
    first_of_session = ~fr.same_prev(rows)
    base = np.maximum.accumulate(np.where(first_of_session, visit_global - pv, 0))
    visit = visit_global - base
    ngroups = int(group[-1]) + 1 if len(group) else 0
    gstarts = np.flatnonzero(new_group)
    with np.errstate(invalid="ignore"):
        page_h = np.fmax.reduceat(fr.num_at("page_h", rows), gstarts) if ngroups else (
            np.zeros(0))
        vh = np.fmax.reduceat(fr.num_at("viewport_h", rows), gstarts) if ngroups else (
            np.zeros(0))
    sc = ~pv
    s_rows, s_group = rows[sc], group[sc]
    sy = sy_all[s_rows]
    same_group = np.zeros(len(s_rows), dtype=bool)
    same_group[1:] = s_group[1:] == s_group[:-1]
    dy = np.full(len(s_rows), np.nan)
    dy[1:] = sy[1:] - sy[:-1]
    dy[~same_group] = np.nan
    return {"rows": s_rows, "group": s_group, "visit": visit[sc], "sid": sid[sc], "sy": sy,
            "dy": dy, "page_h": page_h, "vh": vh, "ngroups": ngroups}


def _max_string(fr: Frame, col: str, rows: Any, starts: Any) -> Any:
    """SQL ``MAX(col)`` over the runs of ``rows`` that begin at ``starts`` (None if all null)."""
    import numpy as np

    codes, cats = fr.codes(col)
    if not cats:
        return np.full(len(starts), None, dtype=object)
    order = np.argsort(np.asarray(cats, dtype=object))
    rank = np.empty(len(cats), dtype="int64")
    rank[order] = np.arange(len(cats))
    c = codes[rows]
    r = np.where(c >= 0, rank[np.maximum(c, 0)], -1)
    best = np.maximum.reduceat(r, starts)
    ordered = np.asarray(cats, dtype=object)[order]
    return np.where(best >= 0, ordered[np.maximum(best, 0)], None)


def np_scroll_visits(fr: Frame) -> Any:
    """:func:`scroll_visits` on a :class:`Frame`."""
    import numpy as np
    import pandas as pd

    from ..events import run_starts

    s = _np_scroll_rows(fr)
    rows, g = s["rows"], s["group"]
    if not len(rows):
        return pd.DataFrame(columns=["session_id", "visit", "url", "t_ms", "seq", "travel",
                                     "max_y", "page_h", "viewport_h", "scrolls"])
    starts = run_starts(g)
    ends = np.r_[starts[1:], len(rows)] - 1
    gid = g[starts]
    travel = np.add.reduceat(np.nan_to_num(np.abs(s["dy"])), starts)
    max_y = np.maximum.reduceat(s["sy"], starts)
    url = _max_string(fr, "url", rows, starts)
    return pd.DataFrame({
        "session_id": fr.strings("session_id", rows[starts]), "visit": s["visit"][starts],
        "url": url, "t_ms": fr.t[rows[ends]], "seq": fr.seq[rows[starts]], "travel": travel,
        "max_y": max_y, "page_h": s["page_h"][gid], "viewport_h": s["vh"][gid],
        "scrolls": (ends - starts + 1).astype("int64"),
    })


def np_scroll_legs(fr: Frame) -> Any:
    """:func:`scroll_legs` on a :class:`Frame`."""
    import numpy as np
    import pandas as pd

    s = _np_scroll_rows(fr)
    keep = ~np.isnan(s["dy"]) & (s["dy"] != 0)
    rows, g, dy, visit = s["rows"][keep], s["group"][keep], s["dy"][keep], s["visit"][keep]
    cols = ["session_id", "visit", "leg", "url", "start_ms", "end_ms", "seq", "travel",
            "prev_travel", "prev_end_ms"]
    if not len(rows):
        return pd.DataFrame(columns=cols)
    sign = np.where(dy > 0, 1, -1)
    new = np.r_[True, (g[1:] != g[:-1]) | (sign[1:] != sign[:-1])]
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], len(rows)] - 1
    travel = np.add.reduceat(dy, starts)
    same_group = np.r_[False, g[starts[1:]] == g[starts[:-1]]]
    prev_travel = np.where(same_group, np.r_[np.nan, travel[:-1]], np.nan)
    t = fr.t[rows]
    end_ms = t[ends]
    prev_end = np.where(same_group, np.r_[0, end_ms[:-1]], 0)
    leg_no = np.cumsum(new)
    group_first_leg = np.maximum.accumulate(np.where(~same_group, leg_no[starts], 0))
    url = _max_string(fr, "url", rows, starts)
    out = pd.DataFrame({
        "session_id": fr.strings("session_id", rows[starts]), "visit": visit[starts],
        "leg": leg_no[starts] - group_first_leg + 1, "url": url, "start_ms": t[starts],
        "end_ms": end_ms, "seq": fr.seq[rows[starts]], "travel": travel,
        "prev_travel": prev_travel,
        "prev_end_ms": pd.array(np.where(same_group, prev_end, 0), dtype="Int64"),
    })
    out.loc[~same_group, "prev_end_ms"] = pd.NA
    return out


def np_hesitations(fr: Frame, *, actions: tuple[str, ...], min_ms: int, max_ms: int) -> Any:
    """:func:`hesitations` on a :class:`Frame`."""
    import numpy as np
    import pandas as pd

    rows = np.flatnonzero(fr.mask(*(set(actions) | {"click", "touch"})))
    same = fr.same_prev(rows)
    t = fr.t[rows]
    idle = np.zeros(len(rows), dtype="int64")
    idle[1:] = t[1:] - t[:-1]
    pressed = fr.mask("click", "touch")[rows]
    hit = same & pressed & (idle >= min_ms) & (idle < max_ms)
    r = rows[hit]
    return pd.DataFrame({
        "session_id": fr.strings("session_id", r), "seq": fr.seq[r], "t_ms": fr.t[r],
        "url": fr.strings("url", r), "target": fr.strings("target", r), "idle_ms": idle[hit],
    })
