"""JourneysExplorer: click a node or a flow, see the sessions behind it, replay one.

Python decides what to show, JavaScript (``static/journeys_explorer.js``) only
renders and reports clicks. The widget is an ``ipywidgets.VBox`` of:

- ``view``: an anywidget with the step-by-step flows (a Sankey drawn in SVG:
  one column per step, exits in red), a step slider, a start-node selector
  (flows *from* a node), an end-node selector (flows *to* a node, as
  :meth:`uxlens.Journeys.sankey` with ``end=``; choosing one lists the sessions
  that reached it), the table of sessions for the clicked node or link and a
  "Replay" button;
- ``output``: an ``ipywidgets.Output`` where the selected session's replay
  player appears (``Session.replay()``).

Everything the front end can do is also a method (:meth:`JourneysExplorer.select`,
:meth:`JourneysExplorer.set_steps`, :meth:`JourneysExplorer.set_start`,
:meth:`JourneysExplorer.set_end`, :meth:`JourneysExplorer.replay`), so the
widget is scriptable and testable without a browser. Session tables are capped
at :data:`MAX_ROWS` rows.
"""

from __future__ import annotations

from typing import Any

import anywidget
import ipywidgets
import pandas as pd
import traitlets

from ..eventlog import SessionList
from ..exceptions import UxlensError
from ..plotting.theme import COLORS, SEGMENTS
from ._sessions import MAX_ROWS, SessionsPanel, front_end

__all__ = ["JourneysExplorer", "JourneysView", "MAX_ROWS"]

#: Start and end nodes offered in the selectors (the most visited ones).
MAX_START_OPTIONS = 40


class JourneysView(anywidget.AnyWidget):
    """The front-end half of :class:`JourneysExplorer` (synced state only)."""

    _esm, _css = front_end("journeys_explorer")

    flow = traitlets.Dict().tag(sync=True)
    steps = traitlets.Int(5).tag(sync=True)
    max_steps = traitlets.Int(10).tag(sync=True)
    start = traitlets.Unicode("").tag(sync=True)
    start_options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    #: Flows *to* this node ("" = no end node); choosing one lists the sessions that reached it.
    end = traitlets.Unicode("").tag(sync=True)
    end_options = traitlets.List(traitlets.Unicode()).tag(sync=True)
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
    end
        Show the journeys that reach this node, the ``steps`` moves that led to
        its first visit, and list their sessions (``None``: no end node).
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
    >>> ex.set_end("/buy")
    >>> ex.view.flow["title"], ex.view.sessions["label"], ex.view.sessions["rows"][0][0]
    ('Journeys to /buy', 'reached /buy', 's1')
    """

    def __init__(
        self, journeys: Any, *, steps: int = 5, start: str | None = None, end: str | None = None,
        min_share: float = 0.01,
    ) -> None:
        self.journeys = journeys
        self.min_share = float(min_share)
        self.view = JourneysView()
        self.output = ipywidgets.Output()
        visits = journeys.steps_["node"].value_counts()
        options = [""] + [str(n) for n in visits.index[:MAX_START_OPTIONS]]
        self.view.max_steps = int(max(2, journeys.max_steps))
        self.view.steps = int(min(max(1, steps), self.view.max_steps))
        for node in (start, end):
            if node:
                journeys._check_node(node)
        self.view.start_options = options + ([start] if start and start not in options else [])
        self.view.end_options = options + ([end] if end and end not in options else [])
        self.view.start = start or ""
        self.view.end = end or ""
        self._render()
        if end:
            self._show_sessions(self.reached())
        self.view.observe(self._on_layout, names=["steps", "start", "end"])
        self.view.observe(self._on_select, names="selected")
        self.view.observe(self._on_replay, names="replay_request")
        super().__init__([self.view, self.output])

    # ------------------------------------------------------------------ state
    def _render(self) -> None:
        start, end = self.view.start or None, self.view.end or None
        if end and start and self._end_visits().empty:
            # No journey reaches ``end`` after ``start``: nothing to draw (and Journeys'
            # flows would compare against an empty mapping).
            links, n = pd.DataFrame(columns=["step", "node", "next", "count"]), 0
        else:
            links, n = self.journeys._flow_links(
                start=start, end=end, steps=int(self.view.steps), min_share=self.min_share
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
            "title": "Journeys" + (f" from {start}" if start else "")
            + (f" to {end}" if end else ""),
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

    def set_end(self, end: str | None) -> None:
        """Show the flows to ``end`` and list the sessions that reached it (``None``: no end)."""
        if end:
            self.journeys._check_node(end)
        self.view.end = end or ""

    def reached(self) -> SessionList:
        """The sessions whose journeys reach the end node (after the start node, when one is set).

        They are the journeys the Sankey shows while an end node is chosen.

        Examples
        --------
        >>> import uxlens as ux
        >>> ex = ux.Journeys(ux.demo()).explore(steps=2)
        >>> ex.set_end("/onboarding/invite")
        >>> len(ex.reached()), ex.view.sessions["total"], ex.view.flow["total"]
        (127, 127, 127)
        """
        end, start = self.view.end, self.view.start
        if not end:
            raise UxlensError("No end node is chosen: call set_end(node) first.")
        listed = self.journeys.sessions(node=end)
        if not start:
            return SessionList(listed.frame, listed.log, label=f"reached {end}")
        keep = listed.frame["session_id"].isin(set(self._end_visits()["session_id"].astype(str)))
        return SessionList(listed.frame.loc[keep].reset_index(drop=True), listed.log,
                           label=f"reached {end} after {start}")

    def _end_visits(self) -> pd.DataFrame:
        """Step rows of the end node at or after its journey's first visit of the start node."""
        s = self.journeys.steps_
        first = s.loc[s["node"] == self.view.start].groupby("journey_id")["step"].min()
        hits = s.loc[s["node"] == self.view.end]
        return hits.loc[hits["step"] >= hits["journey_id"].map(first)]  # no start visit: NaN, out

    def _on_layout(self, change: dict[str, Any]) -> None:
        self.view.selected = {}
        self.view.sessions = {}
        self.view.selected_session = ""
        self.view.message = ""
        self._render()
        if self.view.end:
            self._show_sessions(self.reached())

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
