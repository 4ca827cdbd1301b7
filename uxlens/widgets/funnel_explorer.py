"""FunnelExplorer: click a step, see who dropped there, replay one of them.

Python decides what to show, JavaScript (``static/funnel_explorer.js``) only
renders and reports clicks. The widget is an ``ipywidgets.VBox`` of:

- ``view``: an anywidget with the step bars (one group per segment when the
  funnel is split), a segment selector, the table of sessions for the clicked
  step and a "Replay" button;
- ``output``: an ``ipywidgets.Output`` where the selected session's replay
  player appears (``Session.replay()``), or a message when replay is not
  available.

Everything the front end can do is also a method (:meth:`FunnelExplorer.select`,
:meth:`FunnelExplorer.split`, :meth:`FunnelExplorer.replay`), so the widget is
scriptable and testable without a browser. Session tables are capped at
:data:`MAX_ROWS` rows (the total is shown) and travel as small JSON columns.
"""

from __future__ import annotations

from typing import Any

import anywidget
import ipywidgets
import pandas as pd
import traitlets

from ..plotting.theme import COLORS, SEGMENTS
from ._sessions import MAX_ROWS, SessionsPanel, front_end, json_value

__all__ = ["FunnelExplorer", "FunnelView", "MAX_ROWS"]


class FunnelView(anywidget.AnyWidget):
    """The front-end half of :class:`FunnelExplorer` (synced state only)."""

    _esm, _css = front_end("funnel_explorer")

    funnel = traitlets.Dict().tag(sync=True)
    split_options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    split_by = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Dict().tag(sync=True)
    sessions = traitlets.Dict().tag(sync=True)
    selected_session = traitlets.Unicode("").tag(sync=True)
    replay_request = traitlets.Dict().tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    #: "Add to deck" / "Save image": {action: "deck" | "image", path, nonce}.
    export_request = traitlets.Dict().tag(sync=True)
    export_path = traitlets.Unicode("funnel.png").tag(sync=True)


def _steps_payload(table: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for r in table.itertuples(index=False):
        out.append(
            {
                "step": int(r.step),
                "label": str(r.label),
                "count": int(r.count),
                "conversion": json_value(r.conversion),
                "step_conversion": json_value(r.step_conversion),
                "dropped": int(r.dropped),
                "median_time_s": json_value(r.median_time_s),
            }
        )
    return out


class FunnelExplorer(SessionsPanel, ipywidgets.VBox):
    """Interactive funnel: step bars, segment split, dropped sessions, replay.

    Parameters
    ----------
    funnel
        A :class:`uxlens.Funnel`.
    deck
        Where "Add to deck" puts the shown funnel (default
        :func:`uxlens.export.current_deck`). "Save image" writes a PNG to the
        path typed next to it (default ``funnel.png``).

    Examples
    --------
    >>> import pandas as pd
    >>> from uxlens.funnel import Funnel
    >>> df = pd.DataFrame({"session_id": ["s1", "s1", "s2"], "user_id": ["u1", "u1", "u2"],
    ...     "timestamp": pd.to_datetime([0, 5, 0], unit="s", utc=True),
    ...     "event": ["signup_started", "signup_done", "signup_started"]})
    >>> ex = FunnelExplorer(Funnel(df, ["signup_started", "signup_done"]))
    >>> ex.select(1)
    >>> ex.view.sessions["total"], ex.view.sessions["rows"][0][0]
    (1, 's2')
    """

    def __init__(self, funnel: Any, *, deck: Any = None) -> None:
        self.funnel = funnel
        self.deck = deck
        self.view = FunnelView()
        self.output = ipywidgets.Output()
        self._current = funnel
        self.view.split_options = [""] + [
            c for c in funnel._property_columns() if c != funnel.breakdown
        ] + ([funnel.breakdown] if funnel.breakdown else [])
        self.view.split_by = funnel.breakdown or ""
        self._render()
        self.view.observe(self._on_split, names="split_by")
        self.view.observe(self._on_select, names="selected")
        self.view.observe(self._on_replay, names="replay_request")
        self.view.observe(self._on_export, names="export_request")
        super().__init__([self.view, self.output])

    # ------------------------------------------------------------------ state
    def _render(self) -> None:
        f = self._current
        table = f.table()
        segments = []
        if f.breakdown:
            for i, (value, block) in enumerate(table.groupby(f.breakdown, sort=False)):
                segments.append(
                    {"name": str(value), "color": SEGMENTS[i % len(SEGMENTS)],
                     "steps": _steps_payload(block)}
                )
        else:
            segments.append({"name": None, "color": COLORS["primary"], "steps": _steps_payload(table)})
        self.view.funnel = {
            "title": f._title(),
            "subtitle": f._subtitle(),
            "breakdown": f.breakdown,
            "segments": segments,
            "n_steps": f.n_steps,
            "colors": {"drop": COLORS["drop"], "muted": COLORS["muted"], "ink": COLORS["ink"]},
        }

    def split(self, by: str | None) -> None:
        """Re-split the funnel by a column (``None`` or ``""``: no split)."""
        self.view.split_by = by or ""  # the observer re-splits when it changes
        if (by or None) != self._current.breakdown:
            self._apply_split(by or None)

    def _apply_split(self, by: str | None) -> None:
        f = self.funnel
        self._current = f if by == f.breakdown else f._with(breakdown=by)
        self.view.sessions = {}
        self.view.selected_session = ""
        self.view.message = ""
        self._render()

    def _on_split(self, change: dict[str, Any]) -> None:
        by = change["new"] or None
        if by != self._current.breakdown:
            self._apply_split(by)

    def select(self, step: int, segment: str | None = None) -> None:
        """Show the units that stopped at ``step`` (all converters for the last step)."""
        self.view.selected = {"step": int(step), "segment": segment}

    def _on_select(self, change: dict[str, Any]) -> None:
        sel = change["new"] or {}
        if "step" not in sel:
            return
        f = self._current
        step = int(sel["step"])
        segment = sel.get("segment") if f.breakdown else None
        try:
            if step < f.n_steps:
                sessions = f.dropped(step, segment=segment)
            else:
                sessions = f.converted(step, segment=segment)
        except Exception as exc:
            self.view.message = f"Could not list sessions: {exc}"
            return
        self._show_sessions(sessions, label=sessions.label + (f" · {segment}" if segment else ""))

    def _replay_log(self) -> Any:
        return super()._replay_log() or self._current._log()

    # ------------------------------------------------------------------ export
    def add_to_deck(self) -> str:
        """Add the funnel as shown (with its split) to the deck; return the status line."""
        self.view.export_request = {"action": "deck", "nonce": id(object())}
        return self.view.message

    def save_image(self, path: str | None = None) -> str:
        """Save the funnel as shown to a PNG (default: the path field); return the status."""
        self.view.export_request = {"action": "image", "path": path or self.view.export_path,
                                    "nonce": id(object())}
        return self.view.message

    def _on_export(self, change: dict[str, Any]) -> None:
        request = change["new"] or {}
        if not request.get("action"):
            return
        from ..export import export_action

        try:
            self.view.message = export_action(request, self._current, deck=self.deck,
                                              default_path=self.view.export_path or "funnel.png")
        except Exception as exc:
            self.view.message = f"Export failed: {exc}"
