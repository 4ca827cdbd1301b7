"""Funnel figures: step bars with drop-off, time to convert, segment comparison.

Pure builders: a tidy DataFrame in, a ``plotly.graph_objects.Figure`` out (or,
for :func:`funnel_html`, an HTML string). Colours and fonts come from
:mod:`uxlens.plotting.theme`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .theme import COLORS, FONT, SEGMENTS, base_layout

__all__ = ["funnel_figure", "time_to_convert_figure", "compare_figure", "funnel_html"]

#: Funnel-specific shades (semantic colours come from the theme).
DROP_FILL = "rgba(224,49,49,0.18)"
DROP_LINE = "rgba(224,49,49,0.55)"


def _pct(value: float) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.1%}"


def _seconds(value: float) -> str:
    if value is None or pd.isna(value):
        return "–"
    if value < 60:
        return f"{value:.1f} s"
    if value < 3600:
        return f"{value / 60:.1f} min"
    if value < 86400:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} d"


def _ticks(table: pd.DataFrame) -> list[str]:
    steps = table.drop_duplicates("step")
    return [f"{int(s)}. {lab}" for s, lab in zip(steps["step"], steps["label"])]


def funnel_figure(
    table: pd.DataFrame,
    *,
    breakdown: str | None = None,
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Vertical step bars: units reaching each step, with the drop-off stacked on top.

    Parameters
    ----------
    table
        :meth:`uxlens.Funnel.table` output.
    breakdown
        Name of the breakdown column in ``table`` (grouped bars, one colour per value).
    title, subtitle
        Figure title.

    Examples
    --------
    >>> t = pd.DataFrame({"step": [1, 2], "label": ["a", "b"], "count": [10, 4],
    ...     "conversion": [1.0, 0.4], "step_conversion": [1.0, 0.4], "dropped": [6, 4],
    ...     "median_time_s": [np.nan, 3.0], "mean_time_s": [np.nan, 4.0]})
    >>> fig = funnel_figure(t)
    >>> [tr.name for tr in fig.data]
    ['reached', 'dropped']
    >>> [int(v) for v in fig.data[1].y]
    [0, 6]
    """
    fig = go.Figure()
    ticks = _ticks(table)
    groups: list[tuple[str | None, pd.DataFrame]]
    if breakdown and breakdown in table.columns:
        groups = [(str(v), g) for v, g in table.groupby(breakdown, sort=False)]
    else:
        groups = [(None, table)]
    for i, (name, g) in enumerate(groups):
        counts = g["count"].to_numpy()
        lost = np.concatenate([[0], counts[:-1] - counts[1:]])
        colour = COLORS["primary"] if name is None else SEGMENTS[i % len(SEGMENTS)]
        text = [f"{c:,}<br>{_pct(v)}" for c, v in zip(counts, g["conversion"])]
        custom = np.column_stack(
            [
                g["conversion"].map(_pct),
                g["step_conversion"].map(_pct),
                g["median_time_s"].map(_seconds),
                lost,
            ]
        )
        fig.add_bar(
            x=ticks,
            y=counts,
            name=name or "reached",
            legendgroup=name or "reached",
            offsetgroup=name or "all",
            marker={"color": colour},
            text=text,
            textposition="inside",
            insidetextanchor="end",
            textfont={"color": "white"},
            customdata=custom,
            hovertemplate=(
                "<b>%{x}</b><br>%{y:,} units<br>conversion %{customdata[0]} from step 1"
                "<br>%{customdata[1]} of the previous step<br>median time from previous "
                "step: %{customdata[2]}<extra>" + (name or "") + "</extra>"
            ),
        )
        fig.add_bar(
            x=ticks,
            y=lost,
            name="dropped" if name is None else f"{name} dropped",
            legendgroup=name or "reached",
            offsetgroup=name or "all",
            base=counts,
            showlegend=name is None,
            marker={"color": DROP_FILL, "line": {"color": DROP_LINE, "width": 1}},
            text=[f"−{v:,}" if v else "" for v in lost],
            textposition="inside",
            textfont={"color": COLORS["drop"]},
            hovertemplate="<b>%{x}</b><br>%{y:,} units dropped before this step<extra></extra>",
        )
    fig.update_layout(
        **base_layout(title, subtitle),
        barmode="group" if len(groups) > 1 else "overlay",
        bargap=0.25,
        yaxis_title="units",
        legend={"orientation": "h", "y": -0.15},
        hovermode="closest",
        # Labels that do not fit a (thin) bar are hidden rather than shrunk or rotated.
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    fig.update_traces(textangle=0)
    return fig


def time_to_convert_figure(
    table: pd.DataFrame, seconds: Sequence[float] | None = None, *, title: str | None = None
) -> go.Figure:
    """Histogram of conversion times with the median marked.

    Examples
    --------
    >>> t = pd.DataFrame({"bin_start_s": [0.0, 10.0], "bin_end_s": [10.0, 20.0],
    ...     "units": [3, 1], "share": [0.75, 0.25]})
    >>> fig = time_to_convert_figure(t, [1.0, 2.0, 3.0, 15.0])
    >>> [int(v) for v in fig.data[0].y]
    [3, 1]
    """
    mids = (table["bin_start_s"] + table["bin_end_s"]) / 2
    widths = table["bin_end_s"] - table["bin_start_s"]
    labels = [f"{_seconds(a)} – {_seconds(b)}" for a, b in zip(table["bin_start_s"], table["bin_end_s"])]
    fig = go.Figure(
        go.Bar(
            x=mids,
            y=table["units"],
            width=widths * 0.95,
            marker={"color": COLORS["primary"]},
            customdata=np.column_stack([labels, table["share"].map(_pct)]),
            hovertemplate="%{customdata[0]}<br>%{y:,} units (%{customdata[1]})<extra></extra>",
            name="units",
        )
    )
    subtitle = None
    if seconds is not None and len(seconds):
        median = float(np.median(seconds))
        fig.add_vline(
            x=median, line={"color": COLORS["accent"], "dash": "dash"},
            annotation_text=f"median {_seconds(median)}", annotation_position="top right",
        )
        subtitle = f"{len(seconds):,} units · mean {_seconds(float(np.mean(seconds)))}"
    fig.update_layout(
        **base_layout(title, subtitle), xaxis_title="seconds", yaxis_title="units", bargap=0.05
    )
    return fig


def compare_figure(table: pd.DataFrame, by: str, *, title: str | None = None) -> go.Figure:
    """Conversion per segment with confidence intervals; significant ones highlighted.

    Examples
    --------
    >>> t = pd.DataFrame({"version": ["A", "B"], "conversion": [0.6, 0.8],
    ...     "ci_low": [0.5, 0.7], "ci_high": [0.7, 0.9], "count": [100, 100],
    ...     "significant": [True, True], "p_adjusted": [0.01, 0.01]})
    >>> [round(v, 2) for v in compare_figure(t, "version").data[0].error_x.array]
    [0.1, 0.1]
    """
    colour = np.where(table["significant"], COLORS["accent"], COLORS["neutral"])
    fig = go.Figure(
        go.Scatter(
            x=table["conversion"],
            y=table[by].astype(str),
            mode="markers",
            marker={"size": 12, "color": colour},
            error_x={
                "type": "data",
                "array": (table["ci_high"] - table["conversion"]).tolist(),
                "arrayminus": (table["conversion"] - table["ci_low"]).tolist(),
                "color": COLORS["muted"],
            },
            customdata=np.column_stack([table["count"], table["p_adjusted"]]),
            hovertemplate=(
                "<b>%{y}</b><br>conversion %{x:.1%}<br>%{customdata[0]:,} units"
                "<br>adjusted p = %{customdata[1]:.3g}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        **base_layout(title or f"Conversion by {by}", "orange: significantly different"),
        xaxis={"tickformat": ".0%", "title": "conversion"},
        yaxis={"autorange": "reversed"},
    )
    return fig


def funnel_html(table: pd.DataFrame, *, breakdown: str | None = None, width_px: int = 560) -> str:
    """The funnel as plain HTML/CSS bars (for notebook reprs).

    Renders offline, in untrusted notebooks and in static HTML exports, because
    it needs no JavaScript (``Funnel.plot()`` gives the interactive plotly
    figure). Each bar shows the units reaching the step; the lost part is a
    hatched red extension.

    Examples
    --------
    >>> t = pd.DataFrame({"step": [1, 2], "label": ["a", "b"], "count": [10, 4],
    ...     "conversion": [1.0, 0.4]})
    >>> "40.0%" in funnel_html(t)
    True
    """
    rows = []
    groups = (
        [(str(v), g) for v, g in table.groupby(breakdown, sort=False)]
        if breakdown and breakdown in table.columns
        else [(None, table)]
    )
    top = max(int(table["count"].max()) if len(table) else 0, 1)
    for i, (name, g) in enumerate(groups):
        colour = COLORS["primary"] if name is None else SEGMENTS[i % len(SEGMENTS)]
        if name is not None:
            rows.append(
                f"<div style='margin:6px 0 2px;font-weight:600;color:{colour}'>"
                f"{html.escape(str(breakdown))} = {html.escape(name)}</div>"
            )
        prev = None
        for step, label, count, conv in zip(g["step"], g["label"], g["count"], g["conversion"]):
            w = count / top * width_px
            lost = (prev - count) / top * width_px if prev is not None else 0
            rows.append(
                "<div style='display:flex;align-items:center;gap:8px;margin:2px 0'>"
                f"<div style='width:170px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap'"
                f" title='{html.escape(str(label))}'>{int(step)}. {html.escape(str(label))}</div>"
                f"<div style='display:flex;width:{width_px}px'>"
                f"<div style='width:{w:.1f}px;height:16px;background:{colour};border-radius:2px'></div>"
                f"<div style='width:{lost:.1f}px;height:16px;background:repeating-linear-gradient("
                f"45deg,{DROP_FILL},{DROP_FILL} 3px,rgba(255,255,255,0) 3px,rgba(255,255,255,0) 6px);"
                f"border:1px solid {DROP_LINE if lost else 'transparent'};box-sizing:border-box'></div>"
                "</div>"
                f"<div style='width:120px;text-align:right;font-variant-numeric:tabular-nums'>"
                f"{int(count):,} · {_pct(conv)}</div></div>"
            )
            prev = count
    return (
        f"<div style='font-family:{html.escape(FONT)};font-size:12px;color:{COLORS['ink']};"
        f"margin:4px 0 10px'>{''.join(rows)}</div>"
    )
