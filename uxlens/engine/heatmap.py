"""Heatmap aggregates written once as Ibis expressions over the canonical table.

Everything here takes an Ibis table of canonical events (with ``t_ms``, see
:func:`uxlens.engine.backend.as_table`) and returns Ibis expressions or small
pandas frames, so the same code runs on embedded DuckDB and on PySpark.
Only portable constructs are used: filters, ``CASE``, ``FLOOR``, ``GROUP BY``
with ``COUNT``/``COUNT DISTINCT``/``MIN``/``MAX``/``STDDEV``, ``LEAD`` over a
session window and joins with small in-memory tables.

Coordinates
-----------
Canonical ``x``/``y`` are document coordinates in CSS px. A heatmap puts
sessions with different viewport widths on one layout per device class:

* ``x_px = x / viewport_w * ref_w``: x as a fraction of the viewport, drawn on
  the reference layout width ``ref_w`` of the device class;
* when an element box table is given (``boxes``), a click on a known target is
  placed at the same relative position inside that element's box in the
  reference layout (``align="element"``), which follows reflowing layouts;
* ``y_px = y`` (document px), except for clicks on fixed or sticky elements
  (the ``"fixed"`` layer), which are placed in viewport coordinates
  ``y - scroll_y`` because those elements move with the viewport.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..events import url_pattern
from ..exceptions import SchemaError, UxlensError, did_you_mean
from .backend import execute

__all__ = [
    "KIND_EVENTS",
    "SKIP_REASONS",
    "ensure_columns",
    "matching_urls",
    "segment_predicate",
    "page_events",
    "with_skip_reason",
    "skipped_counts",
    "reference_widths",
    "plot_coords",
    "grid_counts",
    "grid_frame",
    "element_counts",
    "fixed_target_stats",
    "scroll_reach",
    "attention_bands",
    "zone_session_counts",
]

#: Canonical event names behind each point kind (scroll/attention use all events).
KIND_EVENTS: dict[str, tuple[str, ...]] = {
    "click": ("click",),
    "rage": ("click",),
    "dead": ("click",),
    "error": ("click",),
    "move": ("mousemove", "touch"),
}

#: Why an event did not make it onto the map (``Heatmap.skipped``).
SKIP_REASONS: dict[str, str] = {
    "no_coordinates": "event has no x/y coordinates",
    "zero_viewport": "zero-size or unknown viewport (cannot normalise)",
    "outside_page": "coordinates outside the page (x < 0, x > viewport width, y < 0 or y > page height)",
    "no_events": "page matched but has no events of this kind",
    "no_device": "unknown device class",
}

_OPTIONAL_TYPES: dict[str, str] = {
    "url": "string",
    "x": "float64",
    "y": "float64",
    "viewport_w": "int32",
    "viewport_h": "int32",
    "page_h": "int32",
    "scroll_y": "float64",
    "target": "string",
    "target_text": "string",
    "device": "string",
}


def ensure_columns(table: Any) -> Any:
    """Add the optional columns a heatmap reads as typed nulls when absent.

    Raises
    ------
    SchemaError
        When the table has no ``url`` column (a heatmap is always of a page).
    """
    import ibis

    if "url" not in table.columns:
        raise SchemaError(
            "A heatmap needs a 'url' column to select the page; the events have "
            f"{list(table.columns)}.{did_you_mean('url', table.columns)}\nFix: map your page "
            "column, e.g. ux.read_events(df, columns={'page': 'url'})."
        )
    missing = {
        c: ibis.null().cast(t) for c, t in _OPTIONAL_TYPES.items() if c not in table.columns
    }
    return table.mutate(**missing) if missing else table


def matching_urls(table: Any, pattern: str | Sequence[str]) -> list[str]:
    """Distinct URLs of the table matching a pattern (exact, ``*``, or ``re:``).

    The distinct URLs are few, so they are matched in Python with
    :func:`uxlens.events.url_pattern`; the page filter then becomes a portable
    ``url IN (...)``.

    Raises
    ------
    UxlensError
        When no URL matches, with the closest URLs as a hint.
    """
    patterns = [pattern] if isinstance(pattern, str) else list(pattern)
    urls = execute(table.select("url").distinct())["url"].dropna().astype(str).tolist()
    compiled = [url_pattern(p) for p in patterns]
    found = sorted(u for u in urls if any(c.search(u) for c in compiled))
    if not found:
        paths = sorted({_path(u) for u in urls})
        hint = did_you_mean(_path(patterns[0]), paths)
        shown = ", ".join(repr(p) for p in paths[:8]) + (" ..." if len(paths) > 8 else "")
        raise UxlensError(
            f"No page matches url={pattern!r}.{hint} Pages in these events: {shown or 'none'}.\n"
            "Fix: pass an exact path ('/onboarding/invite'), a wildcard ('/project/*') or a "
            "regex ('re:^/project/\\d+$')."
        )
    return found


def _path(url: str) -> str:
    if "://" in url:
        rest = url.split("://", 1)[1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return url


def segment_predicate(table: Any, segment: Mapping[str, Any] | None) -> list[Any]:
    """Ibis predicates for ``{column: value | [values] | None}`` filters.

    Raises
    ------
    UxlensError
        When a column does not exist (with a did-you-mean hint).
    """
    preds: list[Any] = []
    for column, wanted in (segment or {}).items():
        if column not in table.columns:
            raise UxlensError(
                f"segment filters on column {column!r}, which the events do not have."
                f"{did_you_mean(column, table.columns)} Columns: {list(table.columns)}."
            )
        col = table[column]
        if wanted is None:
            preds.append(col.isnull())
        elif isinstance(wanted, (list, tuple, set, frozenset)):
            preds.append(col.isin(list(wanted)))
        else:
            preds.append(col == wanted)
    return preds


def page_events(
    table: Any,
    urls: Sequence[str],
    *,
    events: Iterable[str] | None = None,
    segment: Mapping[str, Any] | None = None,
    session_ids: Sequence[str] | None = None,
) -> Any:
    """Events on the given pages, of the given names, in the segment.

    A list of session ids becomes a semi-join with a small in-memory table:
    an ``IN (...)`` list of thousands of literals is slow to compile and some
    engines cap its length.
    """
    import ibis

    preds = [table.url.isin(list(urls))]
    if events is not None:
        preds.append(table.event.isin(list(events)))
    preds += segment_predicate(table, segment)
    out = table.filter(preds)
    if session_ids is not None:
        ids = ibis.memtable(pd.DataFrame({"_sid": pd.Series(list(session_ids), dtype=str)}))
        out = out.semi_join(ids, out.session_id == ids._sid)
    return out


def with_skip_reason(expr: Any, *, coordinates: bool = True) -> Any:
    """Add ``skip_reason``: why a point cannot be placed (null when it can).

    With ``coordinates=False`` (scroll and attention maps) only the viewport
    is checked.
    """
    import ibis

    bad_vp = expr.viewport_w.isnull() | (expr.viewport_w <= 0)
    if coordinates:
        outside = (
            (expr.x < 0)
            | (expr.x > expr.viewport_w)
            | (expr.y < 0)
            | (expr.page_h.notnull() & (expr.page_h > 0) & (expr.y > expr.page_h))
        )
        reason = ibis.cases(
            (expr.x.isnull() | expr.y.isnull(), "no_coordinates"),
            (bad_vp, "zero_viewport"),
            (expr.device.isnull(), "no_device"),
            (outside, "outside_page"),
            else_=ibis.null().cast("string"),
        )
    else:
        reason = ibis.cases(
            (bad_vp | expr.viewport_h.isnull() | (expr.viewport_h <= 0), "zero_viewport"),
            (expr.device.isnull(), "no_device"),
            else_=ibis.null().cast("string"),
        )
    return expr.mutate(skip_reason=reason)


def skipped_counts(expr: Any) -> pd.DataFrame:
    """Counts of skipped events per page, device and reason (a pandas frame)."""
    bad = expr.filter(expr.skip_reason.notnull())
    out = execute(
        bad.group_by(["url", "device", "skip_reason"]).agg(
            events=bad.count(), sessions=bad.session_id.nunique()
        )
    )
    return out.rename(columns={"skip_reason": "reason"})


def reference_widths(expr: Any) -> dict[str, int]:
    """Most common viewport width per device class (ties: the wider one)."""
    counts = execute(
        expr.group_by(["device", "viewport_w"]).agg(n=expr.count())
    ).dropna(subset=["device", "viewport_w"])
    if counts.empty:
        return {}
    counts = counts.sort_values(["device", "n", "viewport_w"], ascending=[True, False, False])
    return {str(d): int(w) for d, w in counts.groupby("device").first()["viewport_w"].items()}


def plot_coords(
    expr: Any,
    ref_widths: Mapping[str, int],
    *,
    fixed_targets: Sequence[str] = (),
    fixed_prefixes: Sequence[str] = (),
    fixed_boxes: pd.DataFrame | None = None,
    boxes: pd.DataFrame | None = None,
) -> Any:
    """Add ``x_px``, ``y_px``, ``x_frac`` and ``layer`` to placeable points.

    Parameters
    ----------
    expr
        Points with ``skip_reason`` null (see :func:`with_skip_reason`).
    ref_widths
        Reference layout width per device class.
    fixed_targets
        Targets on fixed/sticky elements (the elements and their
        descendants): clicks on them go to the fixed layer.
    fixed_prefixes
        Selectors of fixed/sticky elements: targets under them
        (``selector > ...``) go to the fixed layer too.
    fixed_boxes
        Fixed/sticky element boxes in viewport coordinates with columns
        ``device, left, top, width, height`` (px at the reference width): a
        point whose viewport position falls inside one is on the fixed layer.
    boxes
        Element boxes for element-relative alignment with columns
        ``device, viewport_w, target, left, top, width, height, ref_left,
        ref_top, ref_width, ref_height`` (document px).
    """
    import ibis

    if not ref_widths:
        raise UxlensError("plot_coords needs at least one device reference width.")
    ref_w = ibis.cases(
        *[(expr.device == d, ibis.literal(float(w))) for d, w in ref_widths.items()],
        else_=ibis.null().cast("float64"),
    )
    scroll = expr.scroll_y.fill_null(0.0)
    client_y = expr.y - scroll
    fixed = expr.target.isin(list(fixed_targets)) if fixed_targets else ibis.literal(False)
    for sel in fixed_prefixes:
        fixed = fixed | expr.target.startswith(f"{sel} > ")
    if fixed_boxes is not None and len(fixed_boxes):
        frac = expr.x / expr.viewport_w
        for row in fixed_boxes.itertuples(index=False):
            w = float(ref_widths.get(str(row.device), 0) or 0)
            if w <= 0:
                continue
            fixed = fixed | (
                (expr.device == str(row.device))
                & (frac >= row.left / w)
                & (frac <= (row.left + row.width) / w)
                & (client_y >= row.top)
                & (client_y <= row.top + row.height)
            )
    fixed = fixed.fill_null(False)
    x_px = expr.x / expr.viewport_w * ref_w
    y_px = ibis.cases((fixed, client_y), else_=expr.y)
    out = expr.mutate(
        x_px=x_px, y_px=y_px, layer=ibis.cases((fixed, "fixed"), else_="page"),
        aligned=ibis.literal("fraction"),
    )
    if boxes is not None and len(boxes):
        b = ibis.memtable(
            boxes[[
                "device", "viewport_w", "target", "left", "top", "width", "height",
                "ref_left", "ref_top", "ref_width", "ref_height",
            ]].astype({"viewport_w": "int64", "device": str, "target": str})
            .rename(columns=lambda c: f"b_{c}")
        )
        j = out.left_join(
            b,
            [
                out.device == b.b_device,
                out.viewport_w.cast("int64") == b.b_viewport_w,
                out.target == b.b_target,
            ],
        )
        rel_x = (j.x - j.b_left) / j.b_width
        rel_y = (j.y - j.b_top) / j.b_height
        ok = (
            j.b_width.notnull() & (j.b_width > 0) & (j.b_height > 0)
            & (rel_x >= 0) & (rel_x <= 1) & (rel_y >= 0) & (rel_y <= 1) & (j.layer == "page")
        ).fill_null(False)
        j = j.mutate(
            x_px=ibis.cases((ok, j.b_ref_left + rel_x * j.b_ref_width), else_=j.x_px),
            y_px=ibis.cases((ok, j.b_ref_top + rel_y * j.b_ref_height), else_=j.y_px),
            aligned=ibis.cases((ok, "element"), else_=j.aligned),
        )
        out = j.drop([c for c in j.columns if c.startswith("b_")])
    return out.mutate(x_frac=out.x_px / ref_w)


def grid_counts(coords: Any, bin_px: float, *, sessions: bool = True) -> Any:
    """Points per ``bin_px`` square: ``device, layer, x_bin, y_bin, count[, sessions]``."""
    b = float(bin_px)
    binned = coords.mutate(
        x_bin=(coords.x_px / b).floor().cast("int64"),
        y_bin=(coords.y_px / b).floor().cast("int64"),
    )
    keys = ["device", "layer", "x_bin", "y_bin"]
    if not sessions:
        return binned.group_by(keys).agg(count=binned.count())
    # Two plain GROUP BYs beat COUNT(DISTINCT session_id) per bin (about 1.5x on DuckDB).
    per = binned.group_by([*keys, "session_id"]).agg(n=binned.count())
    return per.group_by(keys).agg(count=per.n.sum(), sessions=per.count())


def grid_frame(
    counts: pd.DataFrame,
    bin_px: float,
    ref_widths: Mapping[str, int],
    *,
    smooth: float | None = None,
) -> pd.DataFrame:
    """Tidy grid from :func:`grid_counts` output, optionally Gaussian-smoothed.

    Columns: ``device, layer, x_bin, y_bin, x0, x1, y0, y1, x, y, x_frac,
    count, sessions, share, value`` where ``share`` is the bin's share of the
    device's points and ``value`` is ``count`` or, with ``smooth=sigma`` (px),
    the Gaussian-smoothed count (total preserved per device and layer).

    Examples
    --------
    >>> counts = pd.DataFrame({"device": ["desktop"] * 2, "layer": ["page"] * 2,
    ...                        "x_bin": [0, 1], "y_bin": [0, 0], "count": [3, 1],
    ...                        "sessions": [2, 1]})
    >>> grid_frame(counts, 10, {"desktop": 100})[["x", "share"]].values.tolist()
    [[5.0, 0.75], [15.0, 0.25]]
    """
    cols = ["device", "layer", "x_bin", "y_bin", "x0", "x1", "y0", "y1", "x", "y",
            "x_frac", "count", "sessions", "share", "value"]
    if counts.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols}).astype(
            {"device": object, "layer": object, "x_bin": "int64", "y_bin": "int64",
             "count": "int64"}
        )
    g = counts.copy()
    g["device"] = g["device"].astype(str)
    g["layer"] = g["layer"].astype(str)
    g["x_bin"] = g["x_bin"].astype("int64")
    g["y_bin"] = g["y_bin"].astype("int64")
    g["count"] = g["count"].astype("int64")
    if "sessions" not in g.columns:
        g["sessions"] = pd.NA
    if smooth:
        g = _smooth(g, float(smooth) / float(bin_px))
    else:
        g["value"] = g["count"].astype(float)
    b = float(bin_px)
    g["x0"] = g["x_bin"] * b
    g["x1"] = g["x0"] + b
    g["y0"] = g["y_bin"] * b
    g["y1"] = g["y0"] + b
    g["x"] = g["x0"] + b / 2
    g["y"] = g["y0"] + b / 2
    g["x_frac"] = g["x"] / g["device"].map(lambda d: float(ref_widths.get(d, np.nan)))
    total = g.groupby("device")["count"].transform("sum")
    g["share"] = g["count"] / total
    g = g.sort_values(["device", "layer", "y_bin", "x_bin"]).reset_index(drop=True)
    return g[cols]


def _smooth(g: pd.DataFrame, sigma_bins: float) -> pd.DataFrame:
    from scipy.ndimage import gaussian_filter

    parts = []
    for (device, layer), part in g.groupby(["device", "layer"], sort=True):
        pad = int(np.ceil(3 * sigma_bins))
        x0, y0 = part["x_bin"].min() - pad, part["y_bin"].min() - pad
        nx = part["x_bin"].max() - x0 + 1 + pad
        ny = part["y_bin"].max() - y0 + 1 + pad
        dense = np.zeros((ny, nx))
        dense[part["y_bin"] - y0, part["x_bin"] - x0] = part["count"]
        smoothed = gaussian_filter(dense, sigma_bins, mode="constant")
        keep = smoothed > smoothed.max() * 1e-3
        keep[part["y_bin"] - y0, part["x_bin"] - x0] = True  # every counted bin stays
        yy, xx = np.nonzero(keep)
        frame = pd.DataFrame({"device": device, "layer": layer, "x_bin": xx + x0,
                              "y_bin": yy + y0, "value": smoothed[yy, xx]})
        frame = frame.merge(part.drop(columns=["device", "layer"]), how="left",
                            on=["x_bin", "y_bin"])
        frame["count"] = frame["count"].fillna(0).astype("int64")
        frame["sessions"] = frame["sessions"].fillna(0)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def element_counts(points: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per target: clicks, sessions, text, flags and first clicks (pandas).

    ``points`` are the page's click points (skip reasons included: a click
    without coordinates still hit its element) with boolean ``rage``,
    ``dead`` and ``error`` columns (null when unknown). ``first`` counts the
    sessions whose first click on the page was on the element.
    """
    ranked = points.mutate(
        _rank=points.seq.rank().over(group_by=points.session_id, order_by=points.seq)
    )
    per = ranked.group_by("target").agg(
        clicks=ranked.count(),
        sessions=ranked.session_id.nunique(),
        rage=ranked.rage.cast("int64").sum(),
        dead=ranked.dead.cast("int64").sum(),
        error=ranked.error.cast("int64").sum(),
        first=(ranked._rank == 0).cast("int64").sum(),
    )
    texts = ranked.filter(ranked.target_text.notnull())
    text = texts.group_by(["target", "target_text"]).agg(n=texts.count())
    return execute(per), execute(text)


def fixed_target_stats(points: Any, *, min_clicks: int = 3) -> pd.DataFrame:
    """Per target: spread of document y, viewport y and scroll (for fixed detection)."""
    p = points.mutate(client_y=points.y - points.scroll_y.fill_null(0.0))
    stats = p.group_by("target").agg(
        n=p.count(),
        sd_y=p.y.std(),
        sd_client=p.client_y.std(),
        sd_scroll=p.scroll_y.fill_null(0.0).std(),
    )
    return execute(stats.filter(stats.n >= min_clicks))


def scroll_reach(
    expr: Any, bin_px: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Share of sessions whose viewport bottom reached each depth, per device.

    A session's depth on the page is ``max(scroll_y + viewport_h)`` over its
    events there (``scroll_y`` null counts as 0: the top of the page).
    A session reached depth ``d`` when its depth is ``>= d``.

    Returns
    -------
    (reach, per_device)
        ``reach``: ``device, y, reached, sessions, share`` for
        ``y = 0, bin_px, 2*bin_px, ...`` up to the deepest session;
        ``per_device``: ``device, sessions, fold, page_h, depth_median``.
    """
    b = float(bin_px)
    ev = expr.mutate(bottom=expr.scroll_y.fill_null(0.0) + expr.viewport_h.cast("float64"))
    per_session = ev.group_by(["device", "session_id"]).agg(
        depth=ev.bottom.max(),
        fold=ev.viewport_h.cast("float64").mean(),
        page_h=ev.page_h.cast("float64").max(),
    )
    binned = per_session.mutate(k=(per_session.depth / b).floor().cast("int64"))
    hist = execute(binned.group_by(["device", "k"]).agg(n=binned.count()))
    summary = execute(
        per_session.group_by("device").agg(
            sessions=per_session.count(),
            fold=per_session.fold.mean(),
            page_h=per_session.page_h.median(),
            depth_median=per_session.depth.median(),
        )
    )
    rows = []
    for device, part in hist.groupby("device"):
        counts = np.zeros(int(part["k"].max()) + 1, dtype=np.int64)
        np.add.at(counts, part["k"].to_numpy(dtype=np.int64), part["n"].to_numpy())
        reached = counts[::-1].cumsum()[::-1]
        total = int(counts.sum())
        rows.append(pd.DataFrame({
            "device": str(device), "y": np.arange(len(counts)) * b,
            "reached": reached, "sessions": total, "share": reached / total,
        }))
    reach = (pd.concat(rows, ignore_index=True) if rows else
             pd.DataFrame(columns=["device", "y", "reached", "sessions", "share"]))
    summary["device"] = summary["device"].astype(str)
    return reach, summary.sort_values("device").reset_index(drop=True)


def attention_bands(
    states: Any, urls: Sequence[str], bin_px: float, *, max_gap_ms: int = 30_000
) -> pd.DataFrame:
    """Seconds the viewport spent over each horizontal band of the page.

    ``states`` are the segment's events that tell where the viewport was:
    rows with a known ``scroll_y`` plus page views (which start at the top).
    Each such event on the page opens an interval that lasts until the
    session's next state event (on any page), capped at ``max_gap_ms`` so that
    idle tabs do not dominate; during it the viewport covered
    ``[scroll_y, scroll_y + viewport_h)``. A band covered by the whole
    viewport for ``t`` seconds gets ``t``; a band partly inside gets
    ``t`` times the covered fraction of the band.

    Returns
    -------
    DataFrame
        ``device, y0, y1, seconds`` (bands with time only).
    """
    import ibis

    s = states.mutate(top=states.scroll_y.fill_null(0.0))
    w = ibis.window(group_by=s.session_id, order_by=[s.t_ms, s.seq])
    s = s.mutate(t_next=s.t_ms.lead().over(w))
    s = s.filter(
        s.url.isin(list(urls)) & s.viewport_h.notnull() & (s.viewport_h > 0)
        & s.device.notnull()
    )
    dur = ibis.least(s.t_next.fill_null(s.t_ms) - s.t_ms, max_gap_ms).cast("float64") / 1000.0
    s = s.mutate(dur_s=dur, bottom=s.top + s.viewport_h.cast("float64"))
    s = s.filter(s.dur_s > 0)
    deepest = execute(s.aggregate(m=s.bottom.max()))["m"].iloc[0]
    if deepest is None or pd.isna(deepest):
        return pd.DataFrame(columns=["device", "y0", "y1", "seconds"])
    b = float(bin_px)
    n = int(np.ceil(float(deepest) / b)) + 1
    bands = ibis.memtable(pd.DataFrame({"y0": np.arange(n) * b, "y1": np.arange(1, n + 1) * b}))
    j = s.join(bands, [bands.y0 < s.bottom, bands.y1 > s.top])
    overlap = ibis.least(j.bottom, j.y1) - ibis.greatest(j.top, j.y0)
    j = j.mutate(sec=j.dur_s * overlap / b)
    out = execute(j.group_by(["device", "y0", "y1"]).agg(seconds=j.sec.sum()))
    out["device"] = out["device"].astype(str)
    return out.sort_values(["device", "y0"]).reset_index(drop=True)


def zone_session_counts(coords: Any, zone_px: float) -> Any:
    """Per session and zone (``zone_px`` squares): points in the zone."""
    z = float(zone_px)
    zoned = coords.mutate(
        zx=(coords.x_px / z).floor().cast("int64"), zy=(coords.y_px / z).floor().cast("int64")
    )
    return zoned.group_by(["device", "session_id", "zx", "zy"]).agg(n=zoned.count())
