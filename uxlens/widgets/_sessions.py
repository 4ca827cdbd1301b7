"""What every explorer widget shares: the session table it sends and the replay it opens.

An explorer (funnel, journeys, heatmap) lists the sessions behind a click as a
small JSON table (:func:`sessions_payload`: at most :data:`MAX_ROWS` rows, the
total shown). The funnel and journeys explorers open one of them in a replay
player below themselves: :class:`SessionsPanel` holds that behaviour once; an
explorer mixes it in and says where the events come from
(:meth:`SessionsPanel._replay_log`).

The front end of that table is written once too, in ``static/_sessions.js``
and ``static/_sessions.css``: :func:`front_end` puts them in front of a
widget's own file to make its ``_esm`` and ``_css`` (anywidget takes one
module string per widget, and a notebook may be offline).
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MAX_ROWS", "SESSION_COLUMNS", "STATIC", "SessionsPanel", "front_end", "json_value",
    "sessions_payload",
]

#: The explorers' JavaScript and CSS files.
STATIC = pathlib.Path(__file__).parent / "static"

#: Most session rows sent to the front end for one selection.
MAX_ROWS = 200
#: Session-summary columns shown, in this order, when present.
SESSION_COLUMNS = (
    "session_id", "unit_id", "user_id", "start", "duration_s", "events", "pages", "clicks",
    "errors", "device", "entry_url", "exit_url",
)


def json_value(value: Any) -> Any:
    """A table cell as JSON: ISO times, plain numbers (3 decimals), ``None`` for missing.

    Examples
    --------
    >>> import pandas as pd
    >>> [json_value(v) for v in (pd.Timestamp("2024-01-01", tz="UTC"), 1.23456, float("nan"), "a")]
    ['2024-01-01T00:00:00+00:00', 1.235, None, 'a']
    """
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(float(value)) else round(float(value), 3)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def front_end(name: str) -> tuple[str, str]:
    """A widget's ``(_esm, _css)``: the shared session table's file, then the widget's own.

    ``static/_sessions.js`` defines ``h`` (DOM helper), ``cell`` and
    ``renderSessions(model, root, {hint, replay})``; the widget's file
    ``static/<name>.js`` uses them and ends with ``export default``.

    Examples
    --------
    >>> esm, css = front_end("journeys_explorer")
    >>> esm.startswith((STATIC / "_sessions.js").read_text())
    True
    >>> esm.rstrip().endswith("export default { render };")
    True
    >>> ".uxl-sessions-table" in css and ".uxl-jx-svg" in css
    True
    """

    def joined(ext: str) -> str:
        return "\n".join((STATIC / f"{part}{ext}").read_text(encoding="utf-8")
                         for part in ("_sessions", name))

    return joined(".js"), joined(".css")


def sessions_payload(
    sessions: Any, *, label: str | None = None, extra: Sequence[str] = ()
) -> dict[str, Any]:
    """The front end's session table for a :class:`~uxlens.SessionList`.

    Columns are :data:`SESSION_COLUMNS` that the list has; ``extra`` columns
    (e.g. the heatmap's ``events_here``) come right after ``session_id``.

    Examples
    --------
    >>> import uxlens as ux
    >>> p = sessions_payload(ux.demo().sessions(device="tablet"))
    >>> p["columns"][0], p["total"] == len(ux.demo().sessions(device="tablet")), len(p["rows"]) <= MAX_ROWS
    ('session_id', True, True)
    >>> sessions_payload(ux.demo().sessions(device="tablet"), extra=["pageviews"])["columns"][:3]
    ['session_id', 'pageviews', 'user_id']
    """
    frame = sessions.frame
    wanted = [SESSION_COLUMNS[0], *extra, *(c for c in SESSION_COLUMNS[1:] if c not in extra)]
    cols = [c for c in wanted if c in frame.columns]
    shown = frame[cols].head(MAX_ROWS)
    payload = {
        "label": sessions.label if label is None else label,
        "columns": cols,
        "rows": [[json_value(v) for v in row] for row in shown.itertuples(index=False)],
        "total": int(len(frame)),
    }
    if "unit_id" in frame.columns:
        payload["units"] = int(frame["unit_id"].nunique())
    return payload


class SessionsPanel:
    """Mixin: show a SessionList in ``self.view`` and replay one in ``self.output``.

    The host has ``view`` (an anywidget with ``sessions``, ``selected_session``,
    ``replay_request`` and ``message`` traits) and ``output`` (an
    ``ipywidgets.Output``), and observes ``replay_request`` with
    :meth:`_on_replay`.
    """

    view: Any
    output: Any

    def _show_sessions(self, sessions: Any, *, label: str | None = None) -> None:
        self.view.sessions = sessions_payload(sessions, label=label)
        self.view.selected_session = ""
        self.view.message = ""
        self._last_sessions = sessions

    def _replay_log(self) -> Any:
        """The EventLog sessions are replayed from (default: the listed sessions' log)."""
        return getattr(getattr(self, "_last_sessions", None), "log", None)

    def replay(self, session_id: str) -> Any:
        """Open the replay of one session below the explorer; return the last player opened."""
        self.view.replay_request = {"session_id": str(session_id), "nonce": id(object())}
        return getattr(self, "_last_player", None)

    def _on_replay(self, change: dict[str, Any]) -> None:
        sid = (change["new"] or {}).get("session_id")
        if not sid:
            return
        self.view.selected_session = sid
        log = self._replay_log()
        if log is None:
            self.view.message = "No events are loaded for replay."
            return
        try:
            player = log.session(sid).replay()
        except Exception as exc:  # shown in the widget: a notebook user sees why
            self.view.message = f"Cannot replay session {sid}: {exc}"
            return
        self._last_player = player
        self.view.message = f"Replaying session {sid} below."
        self.output.clear_output()
        with self.output:
            from IPython.display import display

            display(player)
