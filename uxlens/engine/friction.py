"""Friction detectors written once as Ibis expressions (DuckDB, PySpark, ...).

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
from typing import TYPE_CHECKING

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
