"""Friction figures: signals over time, friction by page, top elements.

Pure builders: a tidy DataFrame from :class:`uxlens.friction.Friction` in, a
``plotly.graph_objects.Figure`` out, styled by :mod:`uxlens.plotting.theme`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .theme import COLORS, SEGMENTS, base_layout

__all__ = ["KIND_COLORS", "friction_over_time", "friction_by_page", "top_elements"]

#: One colour per signal kind (the worst ones warm).
KIND_COLORS: dict[str, str] = {
    "rage_click": COLORS["drop"],
    "error_click": "#C2255C",
    "dead_click": COLORS["accent"],
    "form_abandonment": "#AE3EC9",
    "quick_back": COLORS["primary"],
    "thrashed_cursor": "#1098AD",
    "scroll_uturn": "#5C940D",
    "excessive_scroll": COLORS["good"],
    "repeated_edit": "#845EF7",
    "hesitation": COLORS["neutral"],
}
_LABEL = {k: k.replace("_", " ") for k in KIND_COLORS}


def _color(kind: str, i: int) -> str:
    return KIND_COLORS.get(kind, SEGMENTS[i % len(SEGMENTS)])


def _path(url: Any) -> str:
    text = str(url)
    if "://" in text:
        rest = text.split("://", 1)[1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return text


def friction_over_time(
    signals: pd.DataFrame, *, freq: str | None = None, title: str = "Friction over time"
) -> go.Figure:
    """Stacked bars of signals per period and kind.

    Parameters
    ----------
    signals
        :meth:`Friction.signals` output (``timestamp``, ``kind``).
    freq
        Period (pandas offset alias); default: hourly for spans under 3 days,
        else daily.

    Examples
    --------
    >>> import pandas as pd
    >>> sig = pd.DataFrame({"timestamp": pd.to_datetime(["2024-05-01", "2024-05-02"], utc=True),
    ...                     "kind": ["rage_click", "dead_click"]})
    >>> [t.name for t in friction_over_time(sig, freq="D").data]
    ['rage click', 'dead click']
    """
    fig = go.Figure()
    if len(signals):
        ts = signals["timestamp"]
        if freq is None:
            span = ts.max() - ts.min()
            freq = "h" if span < pd.Timedelta(days=3) else "D"
        period = ts.dt.tz_convert("UTC").dt.floor(freq)
        table = signals.assign(period=period).groupby(["period", "kind"]).size().unstack(
            fill_value=0)
        kinds = [k for k in KIND_COLORS if k in table.columns] + [
            k for k in table.columns if k not in KIND_COLORS]
        for i, k in enumerate(kinds):
            fig.add_bar(x=table.index, y=table[k], name=_LABEL.get(k, k),
                        marker_color=_color(k, i))
    fig.update_layout(**base_layout(title, "signals per period, by kind"), barmode="stack",
                      yaxis_title="signals", legend_title_text="")
    return fig


def friction_by_page(by_page: pd.DataFrame, *, top: int = 15,
                     title: str = "Friction by page") -> go.Figure:
    """Horizontal bars: sessions with friction per 1,000 sessions on each page.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"url": ["https://a.test/invite"], "per_1000_sessions": [310.0],
    ...                   "page_sessions": [100], "sessions_with_friction": [31]})
    >>> friction_by_page(t).data[0].y
    ('/invite',)
    """
    t = by_page.dropna(subset=["per_1000_sessions"]).sort_values(
        "per_1000_sessions", ascending=False).head(top).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=t["per_1000_sessions"], y=[_path(u) for u in t["url"]], orientation="h",
        marker_color=COLORS["drop"],
        customdata=t[["sessions_with_friction", "page_sessions"]].to_numpy(),
        hovertemplate="%{y}<br>%{x:.0f} per 1,000 sessions<br>"
                      "%{customdata[0]} of %{customdata[1]} sessions<extra></extra>",
    ))
    fig.update_layout(**base_layout(title, "sessions with any friction signal per 1,000 "
                                           "sessions that visited the page"),
                      xaxis_title="per 1,000 sessions", yaxis_title="")
    return fig


def top_elements(by_element: pd.DataFrame, *, top: int = 15,
                 title: str = "Top friction elements") -> go.Figure:
    """Horizontal bars of the elements with the most friction points, coloured by kind.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"url": ["https://a.test/invite"], "element": ["#send-invites"],
    ...                   "kind": ["rage_click"], "points": [12.0], "sessions": [4],
    ...                   "per_1000_page_sessions": [40.0]})
    >>> top_elements(t).data[0].y
    ('#send-invites · /invite',)
    """
    t = by_element.sort_values("points", ascending=False).head(top).iloc[::-1]
    fig = go.Figure()
    for i, kind in enumerate(pd.unique(t["kind"])):
        part = t.loc[t["kind"] == kind]
        fig.add_bar(
            x=part["points"], y=[f"{e} · {_path(u)}" for e, u in zip(part["element"], part["url"])],
            orientation="h", name=_LABEL.get(kind, kind), marker_color=_color(kind, i),
            customdata=part[["sessions", "per_1000_page_sessions"]].to_numpy(),
            hovertemplate="%{y}<br>%{x:.1f} points<br>%{customdata[0]} sessions, "
                          "%{customdata[1]:.0f} per 1,000 page sessions<extra></extra>",
        )
    fig.update_layout(**base_layout(title, "friction points by element and page"),
                      barmode="stack", xaxis_title="points", yaxis_title="",
                      legend_title_text="")
    return fig
