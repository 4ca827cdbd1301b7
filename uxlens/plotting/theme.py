"""One place for uxlens's look: colours, fonts and the plotly template.

Every figure builder in :mod:`uxlens.plotting` starts from :func:`base_layout`
or applies the ``"uxlens"`` template, so charts in a notebook, an image export
and a slide deck look like one product.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

__all__ = ["COLORS", "SEQUENTIAL", "DIVERGING", "FONT", "TEMPLATE", "base_layout", "apply"]

#: Brand and semantic colours (colour-blind friendly pairs: blue/orange).
COLORS: dict[str, str] = {
    "primary": "#3B5BDB",
    "primary_light": "#A5B4FC",
    "accent": "#F08C00",
    "drop": "#E03131",
    "good": "#2F9E44",
    "neutral": "#868E96",
    "ink": "#1F2933",
    "muted": "#667085",
    "grid": "#E9ECEF",
    "background": "#FFFFFF",
}
#: Categorical palette for segments (device, version, source...).
SEGMENTS: list[str] = ["#3B5BDB", "#F08C00", "#2F9E44", "#AE3EC9", "#1098AD", "#E03131", "#5C940D"]
#: Heat scale: transparent-ish blue through yellow to red, readable over a page image.
SEQUENTIAL: list[list[Any]] = [
    [0.0, "rgba(59,91,219,0.0)"],
    [0.15, "rgba(59,91,219,0.45)"],
    [0.4, "rgba(32,201,151,0.6)"],
    [0.65, "rgba(252,196,25,0.75)"],
    [1.0, "rgba(224,49,49,0.9)"],
]
#: Diverging scale for difference maps (less ← 0 → more).
DIVERGING: list[list[Any]] = [
    [0.0, "#1C7ED6"],
    [0.5, "#F8F9FA"],
    [1.0, "#E03131"],
]
FONT = "Inter, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT, "size": 13, "color": COLORS["ink"]},
        title={"font": {"size": 18, "color": COLORS["ink"]}, "x": 0.02, "xanchor": "left"},
        paper_bgcolor=COLORS["background"],
        plot_bgcolor=COLORS["background"],
        colorway=SEGMENTS,
        margin={"l": 60, "r": 30, "t": 70, "b": 50},
        xaxis={"gridcolor": COLORS["grid"], "zerolinecolor": COLORS["grid"], "linecolor": COLORS["grid"]},
        yaxis={"gridcolor": COLORS["grid"], "zerolinecolor": COLORS["grid"], "linecolor": COLORS["grid"]},
        legend={"bgcolor": "rgba(255,255,255,0.8)", "borderwidth": 0},
        hoverlabel={"font": {"family": FONT}},
    )
)
pio.templates["uxlens"] = TEMPLATE


def base_layout(title: str | None = None, subtitle: str | None = None, **extra: Any) -> dict[str, Any]:
    """Layout keywords shared by every uxlens figure.

    Examples
    --------
    >>> base_layout("Onboarding funnel", "A vs B")["title"]["text"]
    'Onboarding funnel<br><sup>A vs B</sup>'
    """
    text = title or ""
    if subtitle:
        text = f"{text}<br><sup>{subtitle}</sup>"
    layout: dict[str, Any] = {"template": TEMPLATE}
    if text:
        layout["title"] = {"text": text}
    layout.update(extra)
    return layout


def apply(fig: go.Figure, title: str | None = None, subtitle: str | None = None) -> go.Figure:
    """Apply the uxlens template (and an optional title) to a figure in place."""
    fig.update_layout(**base_layout(title, subtitle))
    return fig
