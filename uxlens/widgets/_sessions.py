"""What every explorer widget shares: the session table it sends and the replay it opens.

An explorer (funnel, journeys) lists the sessions behind a click as a small
JSON table (at most :data:`MAX_ROWS` rows, the total shown) and opens one of
them in a replay player below itself. :class:`SessionsPanel` holds that
behaviour once; an explorer mixes it in and says where the events come from
(:meth:`SessionsPanel._replay_log`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MAX_ROWS", "SESSION_COLUMNS", "SessionsPanel", "json_value", "sessions_payload"]

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


def sessions_payload(sessions: Any, *, label: str | None = None) -> dict[str, Any]:
    """The front end's session table for a :class:`~uxlens.SessionList`.

    Examples
    --------
    >>> import uxlens as ux
    >>> p = sessions_payload(ux.demo().sessions(device="tablet"))
    >>> p["columns"][0], p["total"] == len(ux.demo().sessions(device="tablet")), len(p["rows"]) <= MAX_ROWS
    ('session_id', True, True)
    """
    frame = sessions.frame
    cols = [c for c in SESSION_COLUMNS if c in frame.columns]
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
