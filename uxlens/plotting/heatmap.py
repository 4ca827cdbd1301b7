"""Heatmap figures: heat over the page image, scroll depth with the fold, difference maps.

Pure builders: tidy DataFrames (from :class:`uxlens.heatmap.Heatmap`) in,
``plotly.graph_objects.Figure`` out. Heat is always drawn as a binned grid
(one ``go.Heatmap`` cell per bin), never one marker per event, so a map of a
million clicks is as light as a map of a hundred. The page image is a layout
image under the heat, in map px (y grows downwards, one px = one px).
"""

from __future__ import annotations

import base64
import html as _html
import math
import struct
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .theme import COLORS, DIVERGING, SEQUENTIAL, base_layout

__all__ = ["heatmap_figure", "scroll_figure", "attention_figure", "difference_figure",
           "heat_png", "heat_html"]

_MAX_CELLS = 400_000


def _axis_name(kind: str, i: int) -> str:
    return kind if i == 1 else f"{kind}{i}"


def _page_height(width: float, background: Mapping[str, Any] | None, *ys: float) -> float:
    cands = [float(y) for y in ys if y is not None and np.isfinite(y)]
    if background:
        cands.append(float(background["height"]))
    return max(cands) if cands else width


def _dense(frame: pd.DataFrame, value: str, nx: int, ny: int) -> np.ndarray:
    z = np.full((ny, nx), np.nan)
    if frame.empty:
        return z
    keep = (frame["x_bin"] >= 0) & (frame["x_bin"] < nx) & (frame["y_bin"] >= 0) & (
        frame["y_bin"] < ny)
    f = frame.loc[keep]
    sums = f.groupby(["y_bin", "x_bin"])[value].sum()
    yy = sums.index.get_level_values(0).to_numpy(int)
    xx = sums.index.get_level_values(1).to_numpy(int)
    z[yy, xx] = sums.to_numpy(float)
    return z


def _page_axes(fig: go.Figure, col: int, width: float, height: float,
               background: Mapping[str, Any] | None, *, x_title: str = "px") -> None:
    xa, ya = _axis_name("x", col), _axis_name("y", col)
    fig.update_xaxes(range=[0, width], showgrid=False, zeroline=False, title_text=x_title, nticks=5,
                     constrain="domain", row=1, col=col)
    fig.update_yaxes(range=[height, 0], showgrid=False, zeroline=False, scaleanchor=xa,
                     scaleratio=1, constrain="domain", row=1, col=col)
    if background:
        fig.add_layout_image(
            source=background["source"], xref=xa, yref=ya, x=0, y=0,
            sizex=float(background["width"]), sizey=float(background["height"]),
            xanchor="left", yanchor="top", sizing="stretch", layer="below",
            opacity=0.95 if background.get("kind") != "wireframe" else 1.0,
        )


def _panel_layout(widths: Mapping[str, float], heights: Mapping[str, float]
                  ) -> tuple[list[float], int, int]:
    """Column widths and figure size so that every device panel has the same px scale height.

    A panel's width share follows its page's aspect ratio: a wide desktop page
    gets more room than a narrow, tall mobile page, and all pages are drawn
    at about the same height.
    """
    aspects = [widths[d] / max(heights[d], 1.0) for d in widths] or [1.0]
    total = sum(aspects)
    fig_w = int(min(1500, max(700, 260 + 700 * total)))
    plot_w = fig_w - 140
    fig_h = int(max(460, min(1900, plot_w / total * 0.94 + 170)))
    return [a / total for a in aspects], fig_w, fig_h


def _band_layout(dims: Mapping[str, tuple[float, float]]) -> tuple[list[float], int, int]:
    """Column widths and size for (page, chart) panel pairs drawn at one height."""
    plot_h = 760.0
    cols: list[float] = []
    for w, h in dims.values():
        cols += [min(640.0, max(110.0, plot_h * w / max(h, 1.0))), 190.0]
    cols = cols or [1.0, 1.0]
    total = sum(cols)
    return [c / total for c in cols], int(min(1800, total * 1.12 + 140)), int(plot_h + 190)


def heatmap_figure(
    grid: pd.DataFrame,
    *,
    bin_px: float,
    widths: Mapping[str, int],
    backgrounds: Mapping[str, Mapping[str, Any] | None] | None = None,
    hotspots: pd.DataFrame | None = None,
    title: str = "",
    subtitle: str = "",
    unit: str = "clicks",
    max_hotspots: int = 5,
) -> go.Figure:
    """Heat over the page, one panel per device.

    Parameters
    ----------
    grid
        :meth:`Heatmap.grid` output (``device, x_bin, y_bin, count, sessions, value``).
    bin_px
        Bin size of ``grid``.
    widths
        Reference layout width per device (the panel's x range).
    backgrounds
        Per device ``{source, width, height, kind}`` (see
        :meth:`Heatmap.background_image`) or ``None``.
    hotspots
        :meth:`Heatmap.hotspots` rows to outline and label (biggest first).

    Examples
    --------
    >>> g = pd.DataFrame({"device": ["desktop"], "layer": ["page"], "x_bin": [2], "y_bin": [1],
    ...                   "count": [7], "sessions": [3], "value": [7.0]})
    >>> fig = heatmap_figure(g, bin_px=20, widths={"desktop": 200})
    >>> fig.data[0].type, int(np.nansum(fig.data[0].z))
    ('heatmap', 7)
    """
    backgrounds = backgrounds or {}
    devices = list(widths)
    heights: dict[str, float] = {}
    for d in devices:
        # Bins with points set the height; a smoothing halo past the last one does not.
        sub = grid.loc[(grid["device"] == d) & (grid["count"] > 0)]
        heights[d] = _page_height(widths[d], backgrounds.get(d),
                                  float((sub["y_bin"].max() + 1) * bin_px) if len(sub) else None)
    titles = []
    for d in devices:
        sub = grid.loc[grid["device"] == d]
        n = int(sub["count"].sum()) if len(sub) else 0
        titles.append(f"{d} · {widths[d]} px · {n:,} {unit}")
    shares, fig_w, fig_h = _panel_layout({d: float(widths[d]) for d in devices}, heights)
    fig = make_subplots(rows=1, cols=max(1, len(devices)), subplot_titles=titles or None,
                        column_widths=shares if devices else None, horizontal_spacing=0.05)
    zmax = max((float(np.nanmax(grid.loc[grid["device"] == d, "value"]))
                for d in devices if (grid["device"] == d).any()), default=1.0)
    for i, d in enumerate(devices, start=1):
        sub = grid.loc[grid["device"] == d]
        b = float(bin_px)
        nx = max(1, math.ceil(widths[d] / b))
        ny = max(1, math.ceil(heights[d] / b))
        if nx * ny > _MAX_CELLS:  # extremely long page: cut the drawing, not the data
            ny = _MAX_CELLS // nx
        z = _dense(sub, "value", nx, ny)
        counts = np.nan_to_num(_dense(sub, "count", nx, ny))
        sessions = np.nan_to_num(_dense(sub.assign(sessions=sub["sessions"].astype(float)),
                                        "sessions", nx, ny))
        z[z <= zmax * 1e-3] = np.nan
        fig.add_trace(go.Heatmap(
            z=z, x0=b / 2, dx=b, y0=b / 2, dy=b, colorscale=SEQUENTIAL, zmin=0, zmax=zmax,
            customdata=np.dstack([counts, sessions]), name=d, showscale=(i == 1),
            colorbar={"title": {"text": f"{unit}<br>per {b:g} px", "side": "top"}, "len": 0.6,
                      "thickness": 12},
            hovertemplate=("x %{x:.0f} px · y %{y:.0f} px<br>%{customdata[0]:,.0f} " + unit
                           + " · %{customdata[1]:,.0f} sessions<extra>" + d + "</extra>"),
        ), row=1, col=i)
        _page_axes(fig, i, widths[d], heights[d], backgrounds.get(d))
        if hotspots is not None and len(hotspots):
            _outline_hotspots(fig, i, hotspots.loc[hotspots["device"] == d].head(max_hotspots),
                              unit)
    fig.update_layout(**base_layout(title, subtitle), width=fig_w, height=fig_h,
                      showlegend=False, plot_bgcolor=COLORS["background"],
                      margin={"l": 50, "r": 30, "t": 110, "b": 40})
    return fig


def _outline_hotspots(fig: go.Figure, col: int, hs: pd.DataFrame, unit: str) -> None:
    xa, ya = _axis_name("x", col), _axis_name("y", col)
    for rank, r in enumerate(hs.itertuples(index=False), start=1):
        hot = float(r.friction) >= 0.2
        color = COLORS["drop"] if hot else COLORS["ink"]
        fig.add_shape(type="rect", xref=xa, yref=ya, x0=r.x0, x1=r.x1, y0=r.y0, y1=r.y1,
                      line={"color": color, "width": 1.5, "dash": "dot"})
        text = f"#{rank} {r.share:.0%} · {int(r.sessions):,} sessions"
        if hot:
            text += f" · {r.friction:.0%} friction"
        fig.add_annotation(x=r.x0, y=r.y0, xref=xa, yref=ya, text=text, showarrow=False,
                           xanchor="left", yanchor="bottom", font={"size": 11, "color": color},
                           bgcolor="rgba(255,255,255,0.85)")


def scroll_figure(
    reach: pd.DataFrame,
    summary: pd.DataFrame,
    *,
    backgrounds: Mapping[str, Mapping[str, Any] | None] | None = None,
    title: str = "",
) -> go.Figure:
    """Scroll depth: the page shaded by reach, and the reach curve with the fold line.

    ``reach`` is :meth:`Heatmap.grid` of a scroll map (``device, y, share``),
    ``summary`` is :meth:`Heatmap.scroll_summary` (``device, fold, ...``).
    Each device gets two panels sharing the depth axis: the page with bands
    coloured by the share of sessions that reached them, and the curve.

    Examples
    --------
    >>> reach = pd.DataFrame({"device": "mobile", "y": [0.0, 500.0, 1000.0],
    ...                       "reached": [4, 3, 1], "sessions": 4, "share": [1, 0.75, 0.25]})
    >>> summ = pd.DataFrame({"device": ["mobile"], "sessions": [4], "fold": [640.0],
    ...                      "page_h": [2000.0], "depth_median": [1000.0]})
    >>> fig = scroll_figure(reach, summ)
    >>> [t.type for t in fig.data]
    ['heatmap', 'scatter']
    """
    backgrounds = backgrounds or {}
    devices = [d for d in ("desktop", "tablet", "mobile") if d in set(reach["device"])] + sorted(
        set(reach["device"]) - {"desktop", "tablet", "mobile"})
    folds = dict(zip(summary["device"].astype(str), summary["fold"]))
    dims: dict[str, tuple[float, float]] = {}
    for d in devices:
        sub = reach.loc[reach["device"] == d]
        bg = backgrounds.get(d)
        width = float(bg["width"]) if bg else 1000.0
        step = float(sub["y"].sort_values().diff().dropna().min()) if len(sub) > 1 else 100.0
        dims[d] = (width, _page_height(width, bg, float(sub["y"].max() + step) if len(sub)
                                       else None))
    titles = []
    for d in devices:
        titles += [f"{d}: page", "reach"]
    shares, fig_w, fig_h = _band_layout(dims)
    fig = make_subplots(rows=1, cols=max(2, 2 * len(devices)), subplot_titles=titles or None,
                        column_widths=shares, horizontal_spacing=0.03)
    for i, d in enumerate(devices):
        sub = reach.loc[reach["device"] == d].sort_values("y")
        bg = backgrounds.get(d)
        width, height = dims[d]
        step = float(sub["y"].diff().dropna().min()) if len(sub) > 1 else 100.0
        page_col, chart_col = 2 * i + 1, 2 * i + 2
        fig.add_trace(go.Heatmap(
            z=sub["share"].to_numpy()[:, None], x0=width / 2, dx=width, y0=step / 2, dy=step,
            colorscale=SEQUENTIAL, zmin=0, zmax=1, showscale=(i == 0), opacity=0.55,
            colorbar={"title": {"text": "reached", "side": "top"}, "tickformat": ".0%",
                      "len": 0.6, "thickness": 12},
            customdata=sub[["reached", "sessions"]].to_numpy(),
            hovertemplate=("depth %{y:.0f} px<br>%{z:.0%} of sessions (%{customdata[0]:,} of "
                           "%{customdata[1]:,})<extra>" + d + "</extra>"),
        ), row=1, col=page_col)
        _page_axes(fig, page_col, width, height, bg)
        fig.add_trace(go.Scatter(
            x=sub["share"], y=sub["y"], mode="lines", line={"color": COLORS["primary"], "width": 2},
            name=d, hovertemplate="%{x:.0%} reach %{y:.0f} px<extra>" + d + "</extra>",
        ), row=1, col=chart_col)
        fig.update_xaxes(range=[0, 1.02], tickformat=".0%", row=1, col=chart_col)
        fig.update_yaxes(range=[height, 0], matches=_axis_name("y", page_col), row=1,
                         col=chart_col, showticklabels=False)
        fold = folds.get(d)
        for col in (page_col, chart_col):
            if fold is not None and np.isfinite(fold):
                fig.add_shape(type="line", xref=f"{_axis_name('x', col)} domain",
                              yref=_axis_name("y", col), x0=0, x1=1, y0=fold, y1=fold,
                              line={"color": COLORS["accent"], "width": 2, "dash": "dash"})
        if fold is not None and np.isfinite(fold):
            fig.add_annotation(x=1, xref=f"{_axis_name('x', chart_col)} domain", y=fold,
                               yref=_axis_name("y", chart_col), text=f"average fold {fold:,.0f} px",
                               showarrow=False, xanchor="right", yanchor="bottom",
                               font={"color": COLORS["accent"], "size": 11})
        for q in (0.75, 0.5, 0.25):
            deep = sub.loc[sub["share"] >= q, "y"]
            if len(deep):
                fig.add_annotation(x=q, y=float(deep.max()), xref=_axis_name("x", chart_col),
                                   yref=_axis_name("y", chart_col), text=f"{q:.0%}: {deep.max():,.0f} px",
                                   showarrow=True, arrowhead=0, ax=40, ay=0,
                                   font={"size": 10, "color": COLORS["muted"]})
    fig.update_layout(**base_layout(title, "share of sessions whose viewport reached each depth"),
                      width=fig_w, height=fig_h, showlegend=False,
                      margin={"l": 50, "r": 30, "t": 110, "b": 40})
    return fig


def attention_figure(
    bands: pd.DataFrame,
    *,
    backgrounds: Mapping[str, Mapping[str, Any] | None] | None = None,
    title: str = "",
) -> go.Figure:
    """Attention: page bands shaded by seconds in view, and seconds per session per band.

    Examples
    --------
    >>> bands = pd.DataFrame({"device": "desktop", "y0": [0.0, 100.0], "y1": [100.0, 200.0],
    ...                       "seconds": [30.0, 10.0], "share": [0.75, 0.25],
    ...                       "seconds_per_session": [15.0, 5.0]})
    >>> [t.type for t in attention_figure(bands).data]
    ['heatmap', 'bar']
    """
    backgrounds = backgrounds or {}
    devices = [d for d in ("desktop", "tablet", "mobile") if d in set(bands["device"])] + sorted(
        set(bands["device"]) - {"desktop", "tablet", "mobile"})
    titles = []
    dims: dict[str, tuple[float, float]] = {}
    for d in devices:
        titles += [f"{d}: page", "s / session"]
        sub = bands.loc[bands["device"] == d]
        bg = backgrounds.get(d)
        width = float(bg["width"]) if bg else 1000.0
        dims[d] = (width, _page_height(width, bg, float(sub["y1"].max()) if len(sub) else None))
    shares, fig_w, fig_h = _band_layout(dims)
    fig = make_subplots(rows=1, cols=max(2, 2 * len(devices)), subplot_titles=titles or None,
                        column_widths=shares, horizontal_spacing=0.03)
    zmax = float(bands["seconds_per_session"].max()) if len(bands) else 1.0
    for i, d in enumerate(devices):
        sub = bands.loc[bands["device"] == d].sort_values("y0")
        bg = backgrounds.get(d)
        width, height = dims[d]
        step = float((sub["y1"] - sub["y0"]).iloc[0]) if len(sub) else 100.0
        page_col, chart_col = 2 * i + 1, 2 * i + 2
        fig.add_trace(go.Heatmap(
            z=sub["seconds_per_session"].to_numpy()[:, None], x0=width / 2, dx=width,
            y0=float(sub["y0"].min()) + step / 2 if len(sub) else 0, dy=step,
            colorscale=SEQUENTIAL, zmin=0, zmax=zmax, showscale=(i == 0), opacity=0.55,
            colorbar={"title": {"text": "s / session", "side": "top"}, "len": 0.6,
                      "thickness": 12},
            hovertemplate="band at %{y:.0f} px<br>%{z:.1f} s per session<extra>" + d + "</extra>",
        ), row=1, col=page_col)
        _page_axes(fig, page_col, width, height, bg)
        fig.add_trace(go.Bar(
            x=sub["seconds_per_session"], y=(sub["y0"] + sub["y1"]) / 2, orientation="h",
            width=step * 0.9, marker={"color": COLORS["primary_light"]}, name=d,
            hovertemplate="%{x:.1f} s per session at %{y:.0f} px<extra>" + d + "</extra>",
        ), row=1, col=chart_col)
        fig.update_yaxes(range=[height, 0], matches=_axis_name("y", page_col), row=1,
                         col=chart_col, showticklabels=False)
    fig.update_layout(**base_layout(title, "seconds the viewport spent over each band"),
                      width=fig_w, height=fig_h, showlegend=False,
                      margin={"l": 50, "r": 30, "t": 110, "b": 40})
    return fig


def difference_figure(
    grid: pd.DataFrame,
    zones: pd.DataFrame,
    *,
    bin_px: float,
    widths: Mapping[str, int],
    backgrounds: Mapping[str, Mapping[str, Any] | None] | None = None,
    title: str = "",
    subtitle: str = "",
) -> go.Figure:
    """Difference map (b minus a, per page session) with significant zones outlined.

    ``grid`` is :meth:`HeatmapComparison.grid` (``device, x_bin, y_bin,
    rate_a, rate_b, diff``); ``zones`` is :meth:`HeatmapComparison.table`.
    Only zones with ``significant`` true get an outline and a label, so a
    difference that is noise stays a faint colour, not a claim.

    Examples
    --------
    >>> g = pd.DataFrame({"device": "desktop", "x_bin": [0, 1], "y_bin": [0, 0],
    ...                   "x": [10.0, 30.0], "y": [10.0, 10.0], "rate_a": [0.5, 0.1],
    ...                   "rate_b": [0.1, 0.1], "diff": [-0.4, 0.0]})
    >>> zones = pd.DataFrame({"device": ["desktop"], "x0": [0.0], "x1": [100.0], "y0": [0.0],
    ...                       "y1": [100.0], "rate_a": [0.6], "rate_b": [0.2], "diff": [-0.4],
    ...                       "p_adj": [0.001], "significant": [True]})
    >>> fig = difference_figure(g, zones, bin_px=20, widths={"desktop": 100})
    >>> len(fig.layout.shapes), fig.data[0].zmid
    (1, 0)
    """
    backgrounds = backgrounds or {}
    devices = list(widths)
    heights = {}
    for d in devices:
        sub = grid.loc[grid["device"] == d]
        heights[d] = _page_height(widths[d], backgrounds.get(d),
                                  float((sub["y_bin"].max() + 1) * bin_px) if len(sub) else None)
    shares, fig_w, fig_h = _panel_layout({d: float(widths[d]) for d in devices}, heights)
    fig = make_subplots(rows=1, cols=max(1, len(devices)),
                        subplot_titles=[f"{d} · {widths[d]} px" for d in devices] or None,
                        column_widths=shares if devices else None, horizontal_spacing=0.05)
    lim = float(grid["diff"].abs().max()) if len(grid) else 1.0
    lim = lim if lim > 0 else 1.0
    for i, d in enumerate(devices, start=1):
        sub = grid.loc[grid["device"] == d]
        b = float(bin_px)
        nx = max(1, math.ceil(widths[d] / b))
        ny = max(1, min(math.ceil(heights[d] / b), _MAX_CELLS // nx))
        z = _dense(sub, "diff", nx, ny)
        z[z == 0] = np.nan
        fig.add_trace(go.Heatmap(
            z=z, x0=b / 2, dx=b, y0=b / 2, dy=b, colorscale=DIVERGING, zmid=0, zmin=-lim,
            zmax=lim, showscale=(i == 1), opacity=0.8,
            colorbar={"title": {"text": "b − a<br>per session", "side": "top"}, "len": 0.6,
                      "thickness": 12},
            hovertemplate="x %{x:.0f} · y %{y:.0f}<br>b − a: %{z:+.3f} per session<extra>"
                          + d + "</extra>",
        ), row=1, col=i)
        bg = backgrounds.get(d)
        if bg is not None:
            bg = {**bg, "kind": "wireframe"}
        _page_axes(fig, i, widths[d], heights[d], bg)
        xa, ya = _axis_name("x", i), _axis_name("y", i)
        sig = zones.loc[(zones["device"] == d) & zones["significant"]]
        for k, r in enumerate(sig.itertuples(index=False)):
            color = COLORS["drop"] if r.diff > 0 else COLORS["primary"]
            fig.add_shape(type="rect", xref=xa, yref=ya, x0=r.x0, x1=r.x1, y0=r.y0, y1=r.y1,
                          line={"color": color, "width": 2})
            above = k % 2 == 0  # neighbouring zones: labels alternate above and below
            fig.add_annotation(x=(r.x0 + r.x1) / 2, y=r.y0 if above else r.y1, xref=xa, yref=ya,
                               showarrow=False, yanchor="bottom" if above else "top",
                               font={"size": 10, "color": color},
                               bgcolor="rgba(255,255,255,0.85)",
                               text=f"{r.rate_a:.2f} → {r.rate_b:.2f} (p={r.p_adj:.1g})")
    fig.update_layout(**base_layout(title, subtitle), width=fig_w, height=fig_h, showlegend=False,
                      margin={"l": 50, "r": 30, "t": 110, "b": 40})
    return fig


# ------------------------------------------------------------ static previews
def _rgba(color: str) -> tuple[float, float, float, float]:
    c = color.strip()
    if c.startswith("#") and len(c) == 7:
        return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16), 1.0
    inner = c[c.index("(") + 1 : c.rindex(")")].split(",")
    vals = [float(v) for v in inner]
    return vals[0], vals[1], vals[2], vals[3] if len(vals) > 3 else 1.0


def heat_png(z: np.ndarray, *, colorscale: list[list[Any]] | None = None,
             zmin: float | None = None, zmax: float | None = None) -> bytes:
    """An RGBA PNG with one pixel per bin, coloured by the scale (NaN = transparent).

    Pure numpy and zlib: the static preview of a map needs no browser.

    Examples
    --------
    >>> png = heat_png(np.array([[0.0, 1.0], [np.nan, 2.0]]))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", struct.unpack(">II", png[16:24])
    (True, (2, 2))
    """
    scale = colorscale or SEQUENTIAL
    z = np.asarray(z, dtype=float)
    lo = np.nanmin(z) if zmin is None and np.isfinite(z).any() else (zmin or 0.0)
    hi = np.nanmax(z) if zmax is None and np.isfinite(z).any() else (zmax or 1.0)
    t = np.clip((z - lo) / (hi - lo if hi > lo else 1.0), 0, 1)
    stops = np.array([float(st) for st, _ in scale])
    cols = np.array([_rgba(c) for _, c in scale])
    rgba = np.stack([np.interp(np.nan_to_num(t), stops, cols[:, k]) for k in range(4)], axis=-1)
    rgba[..., 3] *= 255
    rgba[~np.isfinite(z)] = 0
    pixels = rgba.round().astype(np.uint8)
    h, w = pixels.shape[:2]
    raw = b"".join(b"\x00" + pixels[r].tobytes() for r in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def heat_html(
    panels: Mapping[str, Mapping[str, Any]], *, panel_px: int = 320,
) -> str:
    """Static HTML preview: per panel, the page image with the heat PNG stretched over it.

    ``panels`` maps a label to ``{"z": 2-D array (rows top to bottom), "width",
    "height" (page px covered by z), "background": {source, ...} or None,
    "colorscale", "zmin", "zmax", "caption"}``. Used by ``_repr_html_`` so that
    a bare heatmap in a notebook shows the map without any JavaScript.
    """
    cells = []
    for label, p in panels.items():
        w, h = float(p["width"]), float(p["height"])
        shown_w = panel_px if w >= h * 0.6 else max(140, int(panel_px * w / (h * 0.6)))
        shown_h = int(shown_w * h / max(w, 1.0))
        bg = p.get("background")
        img = (f"<img src='{bg['source']}' style='position:absolute;left:0;top:0;width:100%;"
               f"height:{100 * float(bg['height']) / h:.2f}%'>" if bg else "")
        heat = base64.b64encode(heat_png(p["z"], colorscale=p.get("colorscale"),
                                         zmin=p.get("zmin"), zmax=p.get("zmax"))).decode()
        cells.append(
            "<figure style='margin:0 12px 0 0;display:inline-block;vertical-align:top'>"
            f"<div style='position:relative;width:{shown_w}px;height:{shown_h}px;"
            "border:1px solid #E9ECEF;background:#fff;overflow:hidden'>"
            f"{img}<img src='data:image/png;base64,{heat}' style='position:absolute;left:0;"
            "top:0;width:100%;height:100%'></div>"
            f"<figcaption style='font-size:11px;color:#667085'>{_html.escape(label)}"
            f"{' · ' + _html.escape(str(p['caption'])) if p.get('caption') else ''}"
            "</figcaption></figure>"
        )
    return "<div>" + "".join(cells) + "</div>"
