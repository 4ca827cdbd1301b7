"""Journey figures: Sankey of flows by step, with exits."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .theme import COLORS, SEGMENTS, base_layout

__all__ = ["sankey_figure"]

_EXIT = "(exit)"


def sankey_figure(links: pd.DataFrame, *, title: str, total: int) -> go.Figure:
    """Sankey from ``step, node, next, count`` rows; nodes are ``(step, node)`` pairs.

    Exits are drawn in the drop colour at the step where journeys end.

    Examples
    --------
    >>> links = pd.DataFrame({"step": [1, 1], "node": ["/", "/"], "next": ["/signup", "(exit)"],
    ...                       "count": [6, 4]})
    >>> fig = sankey_figure(links, title="t", total=10)
    >>> list(fig.data[0].node.label)
    ['/', '/signup', '(exit)']
    """
    keys: dict[tuple[int, str], int] = {}

    def key(step: int, node: str) -> int:
        k = (step, node)
        if k not in keys:
            keys[k] = len(keys)
        return keys[k]

    sources, targets, values = [], [], []
    for step, node, nxt, count in links[["step", "node", "next", "count"]].itertuples(index=False):
        sources.append(key(int(step), str(node)))
        targets.append(key(int(step) + 1, str(nxt)))
        values.append(int(count))
    names = sorted(pd.unique(pd.Series([n for _, n in keys if n != _EXIT])))
    colours = [c for c in SEGMENTS if c.upper() != COLORS["drop"].upper()]  # red means exit
    palette = {n: colours[i % len(colours)] for i, n in enumerate(names)}
    labels = [n for _, n in keys]
    colors = [COLORS["drop"] if n == _EXIT else palette[n] for n in labels]
    link_colors = [
        "rgba(224,49,49,0.35)" if labels[t] == _EXIT else "rgba(59,91,219,0.22)" for t in targets
    ]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": labels, "color": colors, "pad": 14, "thickness": 14,
                  "line": {"width": 0}},
            link={"source": sources, "target": targets, "value": values, "color": link_colors,
                  "hovertemplate": "%{source.label} → %{target.label}<br>%{value} journeys<extra></extra>"},
        )
    )
    fig.update_layout(**base_layout(title, f"{total:,} journeys · red = exits"), height=480)
    return fig
