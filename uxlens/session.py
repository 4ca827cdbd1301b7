"""Session: one recorded visit, its events, summary and (later) replay."""

from __future__ import annotations

import html
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from .eventlog import EventLog

__all__ = ["Session"]

_TIMELINE_COLUMNS = (
    "timestamp", "t_s", "event", "url", "target", "target_text", "x", "y", "scroll_y",
    "level", "message", "status",
)


class Session:
    """One session of an :class:`~uxlens.EventLog`.

    Examples
    --------
    >>> import uxlens as ux
    >>> log = ux.demo()
    >>> s = log.session(log.session_ids[0])
    >>> s.summary()["session_id"] == s.session_id
    True
    """

    def __init__(self, log: EventLog, session_id: str) -> None:
        self.log = log
        self.session_id = str(session_id)

    @cached_property
    def events(self) -> pd.DataFrame:
        """This session's canonical events, in order."""
        ev = self.log.events
        return ev.loc[ev["session_id"] == self.session_id].reset_index(drop=True)

    @property
    def recording(self) -> list[dict[str, Any]]:
        """The raw rrweb events of this session (empty for table-only sources)."""
        return self.log.recordings.get(self.session_id, [])

    def summary(self) -> pd.Series:
        """The session's row of ``EventLog.sessions()``."""
        table = self.log.sessions().frame
        return table.loc[table["session_id"] == self.session_id].iloc[0]

    def timeline(self) -> pd.DataFrame:
        """Tidy table of the session's events with seconds since start (``t_s``)."""
        ev = self.events
        out = ev.assign(t_s=(ev["timestamp"] - ev["timestamp"].min()).dt.total_seconds())
        cols = [c for c in _TIMELINE_COLUMNS if c in out.columns]
        return out[cols]

    def pages(self) -> pd.DataFrame:
        """Pages visited in order with entry time and time on page (seconds)."""
        ev = self.events
        views = ev.loc[ev["event"].astype(str).isin(["pageview", "$pageview"]), ["timestamp", "url"]]
        views = views.reset_index(drop=True)
        end = ev["timestamp"].max()
        nxt = views["timestamp"].shift(-1).fillna(end)
        return views.assign(seconds=(nxt - views["timestamp"]).dt.total_seconds())

    def __repr__(self) -> str:
        return f"<Session {self.session_id}: {len(self.events)} events>"

    def _repr_html_(self) -> str:
        s = self.summary()
        fields = [
            ("user", s.get("user_id")),
            ("device", s.get("device")),
            ("duration", f"{s.get('duration_s', 0):.0f} s"),
            ("active", f"{s.get('active_s', 0):.0f} s"),
            ("pages", s.get("pages")),
            ("clicks", s.get("clicks")),
            ("errors", s.get("errors")),
        ]
        cells = "".join(
            f"<div><div style='color:#667085;font-size:11px'>{k}</div>"
            f"<div style='font-weight:600'>{html.escape(str(v))}</div></div>"
            for k, v in fields
        )
        return (
            "<div style='font-family:system-ui,sans-serif;border:1px solid #E9ECEF;"
            "border-radius:8px;padding:10px;display:inline-block'>"
            f"<div style='font-weight:600;margin-bottom:6px'>Session {html.escape(self.session_id)}</div>"
            f"<div style='display:flex;gap:18px'>{cells}</div></div>"
        )
