"""JourneysExplorer: click a node or a flow, see the sessions behind it, replay one.

Python decides what to show, JavaScript (``static/journeys_explorer.js``) only
renders and reports clicks. The widget is an ``ipywidgets.VBox`` of:

- ``view``: an anywidget with the step-by-step flows (a Sankey drawn in SVG:
  one column per step, exits in red), a step slider, a start-node selector,
  the table of sessions for the clicked node or link and a "Replay" button;
- ``output``: an ``ipywidgets.Output`` where the selected session's replay
  player appears (``Session.replay()``).

Everything the front end can do is also a method (:meth:`JourneysExplorer.select`,
:meth:`JourneysExplorer.set_steps`, :meth:`JourneysExplorer.set_start`,
:meth:`JourneysExplorer.replay`), so the widget is scriptable and testable
without a browser. Session tables are capped at :data:`MAX_ROWS` rows.
"""

from __future__ import annotations

import pathlib
from typing import Any

import anywidget
import ipywidgets
import traitlets

from ..plotting.theme import COLORS, SEGMENTS
from ._sessions import MAX_ROWS, SessionsPanel

__all__ = ["JourneysExplorer", "JourneysView", "MAX_ROWS"]

STATIC = pathlib.Path(__file__).parent / "static"
#: Start nodes offered in the selector (the most visited ones).
MAX_START_OPTIONS = 40


class JourneysView(anywidget.AnyWidget):
    """The front-end half of :class:`JourneysExplorer` (synced state only)."""

    _esm = STATIC / "journeys_explorer.js"
    _css = STATIC / "journeys_explorer.css"

    flow = traitlets.Dict().tag(sync=True)
    steps = traitlets.Int(5).tag(sync=True)
    max_steps = traitlets.Int(10).tag(sync=True)
    start = traitlets.Unicode("").tag(sync=True)
    start_options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    selected = traitlets.Dict().tag(sync=True)
    sessions = traitlets.Dict().tag(sync=True)
    selected_session = traitlets.Unicode("").tag(sync=True)
    replay_request = traitlets.Dict().tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)


class JourneysExplorer(SessionsPanel, ipywidgets.VBox):
    """Interactive journeys: flows by step, sessions behind a node or link, replay.

    Parameters
    ----------
    journeys
        A :class:`uxlens.Journeys`.
    steps
        Steps shown at first (the slider goes up to the Journeys' ``max_steps``).
    start
        Show journeys from their first visit of this node (``None``: from the start).
    min_share
        Links carrying less than this share of journeys are hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> from uxlens.events import validate
    >>> from uxlens.journeys import Journeys
    >>> df = pd.DataFrame({"session_id": ["s1", "s1", "s2"], "user_id": ["u1", "u1", "u2"],
    ...     "timestamp": pd.to_datetime([0, 5, 0], unit="s", utc=True),
    ...     "event": ["pageview"] * 3, "url": ["https://a.io/", "https://a.io/buy", "https://a.io/"]})
    >>> ex = JourneysExplorer(Journeys(validate(df).events))
    >>> ex.select(edge=("/", "(exit)"))
    >>> ex.view.sessions["total"], ex.view.sessions["rows"][0][0]
    (1, 's2')
    """

    def __init__(
        self, journeys: Any, *, steps: int = 5, start: str | None = None, min_share: float = 0.01
    ) -> None:
        self.journeys = journeys
        self.min_share = float(min_share)
        self.view = JourneysView()
        self.output = ipywidgets.Output()
        visits = journeys.steps_["node"].value_counts()
        self.view.start_options = [""] + [str(n) for n in visits.index[:MAX_START_OPTIONS]]
        self.view.max_steps = int(max(2, journeys.max_steps))
        self.view.steps = int(min(max(1, steps), self.view.max_steps))
        if start:
            journeys._check_node(start)
            if start not in self.view.start_options:
                self.view.start_options = self.view.start_options + [start]
        self.view.start = start or ""
        self._render()
        self.view.observe(self._on_layout, names=["steps", "start"])
        self.view.observe(self._on_select, names="selected")
        self.view.observe(self._on_replay, names="replay_request")
        super().__init__([self.view, self.output])

    # ------------------------------------------------------------------ state
    def _render(self) -> None:
        start = self.view.start or None
        links, n = self.journeys._flow_links(
            start=start, steps=int(self.view.steps), min_share=self.min_share
        )
        names = sorted({str(v) for v in links["node"]} | {str(v) for v in links["next"]} - {"(exit)"})
        palette = {name: SEGMENTS[i % len(SEGMENTS)] for i, name in enumerate(names)}
        palette["(exit)"] = COLORS["drop"]
        nodes: dict[tuple[int, str], int] = {}
        for step, node, _nxt, count in links[["step", "node", "next", "count"]].itertuples(index=False):
            nodes[(int(step), str(node))] = nodes.get((int(step), str(node)), 0) + int(count)
        incoming: dict[tuple[int, str], int] = {}
        for step, _node, nxt, count in links[["step", "node", "next", "count"]].itertuples(index=False):
            key = (int(step) + 1, str(nxt))
            incoming[key] = incoming.get(key, 0) + int(count)
        for key, count in incoming.items():
            if key not in nodes:  # exits and last-column nodes have no outgoing link
                nodes[key] = count
        self.view.flow = {
            "title": "Journeys" + (f" from {start}" if start else ""),
            "total": int(n),
            "nodes": [
                {"step": step, "node": node, "count": count, "color": palette.get(node, COLORS["muted"])}
                for (step, node), count in sorted(nodes.items())
            ],
            "links": [
                {"step": int(r.step), "node": str(r.node), "next": str(r.next), "count": int(r.count)}
                for r in links.itertuples(index=False)
            ],
            "colors": {"drop": COLORS["drop"], "muted": COLORS["muted"], "ink": COLORS["ink"]},
        }

    def set_steps(self, steps: int) -> None:
        """Show the first ``steps`` steps."""
        self.view.steps = int(min(max(1, steps), self.view.max_steps))

    def set_start(self, start: str | None) -> None:
        """Show journeys from their first visit of ``start`` (``None``: from the start)."""
        if start:
            self.journeys._check_node(start)
        self.view.start = start or ""

    def _on_layout(self, change: dict[str, Any]) -> None:
        self.view.selected = {}
        self.view.sessions = {}
        self.view.selected_session = ""
        self.view.message = ""
        self._render()

    def select(self, *, node: str | None = None, edge: tuple[str, str] | None = None) -> None:
        """List the sessions that visited ``node`` or moved along ``edge``."""
        if node is not None:
            self.view.selected = {"kind": "node", "node": str(node)}
        elif edge is not None:
            self.view.selected = {"kind": "edge", "node": str(edge[0]), "next": str(edge[1])}
        else:
            self.view.selected = {}

    def _on_select(self, change: dict[str, Any]) -> None:
        sel = change["new"] or {}
        kind = sel.get("kind")
        if kind not in ("node", "edge"):
            self.view.sessions = {}
            return
        try:
            if kind == "node":
                sessions = self.journeys.sessions(node=sel["node"])
            else:
                sessions = self.journeys.sessions(edge=(sel["node"], sel["next"]))
        except Exception as exc:
            self.view.message = f"Could not list sessions: {exc}"
            return
        self._show_sessions(sessions)

    def _replay_log(self) -> Any:
        return self.journeys.log
