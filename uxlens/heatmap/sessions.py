"""From a spot of the map to the sessions behind it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engine import heatmap as eng
from ..engine.backend import execute
from ..exceptions import UxlensError
from .kinds import _POINT_KINDS

if TYPE_CHECKING:  # pragma: no cover
    from ..eventlog import SessionList


class SessionsMixin:
    """Heatmap methods that list sessions (mixin of :class:`Heatmap`)."""

    def sessions_at(
        self, x: float, y: float, radius: float = 30.0, *, device: str | None = None
    ) -> SessionList:
        """Sessions with points within ``radius`` px of ``(x, y)`` on the map.

        ``x``/``y`` are in the map's px (reference layout, as in :meth:`grid`
        and :meth:`plot`). With several device maps, ``device`` picks one;
        ``None`` looks at every device's map at that position.

        Returns
        -------
        SessionList
            The session summaries plus ``events_here`` (points within the
            radius) and ``first_here`` (time of the first one), most first.

        Examples
        --------
        >>> import uxlens as ux
        >>> h = ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None)
        >>> near = h.sessions_at(886, 490, radius=40, device="desktop")  # the Send button
        >>> len(near), bool(near.frame["events_here"].is_monotonic_decreasing)
        (47, True)
        """
        if self.kind not in _POINT_KINDS:
            raise UxlensError(
                f"sessions_at() needs a point map; kind={self.kind!r} has bands. Use "
                "sessions_in_band(y0, y1) instead."
            )
        for name, value in (("x", x), ("y", y), ("radius", radius)):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise UxlensError(
                    f"sessions_at({name}=...) must be a number of px on the map; got {value!r}. "
                    "Example: h.sessions_at(886, 490, radius=40)."
                )
        if radius < 0:
            raise UxlensError(f"sessions_at(radius=...) must be >= 0 px; got {radius!r}.")
        coords = self._coords()
        label = f"{self.kind} within {radius:g} px of ({x:g}, {y:g})"
        if coords is None:
            return self._session_list(pd.DataFrame(columns=["session_id", "events_here"]), label)
        near = ((coords.x_px - x) ** 2 + (coords.y_px - y) ** 2) <= float(radius) ** 2
        sel = coords.filter(near)
        if device is not None:
            sel = sel.filter(sel.device == device)
        counts = execute(sel.group_by("session_id").agg(
            events_here=sel.count(), first_here=sel.timestamp.min()))
        return self._session_list(counts, label)

    def sessions_in(self, hotspot: int | pd.Series | Mapping[str, Any], **params: Any) -> SessionList:
        """Sessions with points in a hotspot (an id or a row of :meth:`hotspots`).

        ``params`` are the :meth:`hotspots` parameters used to find it.

        Examples
        --------
        >>> import uxlens as ux
        >>> h = ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None)
        >>> top = h.hotspots().iloc[0]
        >>> len(h.sessions_in(top)), int(top["sessions"])
        (63, 63)
        """
        import ibis

        hid = int(hotspot["hotspot"] if isinstance(hotspot, (pd.Series, Mapping)) else hotspot)
        eps = float(params.get("eps", 30.0))
        key = ("hotspot_cells", eps, float(params.get("min_share", 0.02)),
               int(params.get("min_clicks", 5)))
        hs, cells = self._cached(key, lambda: self._hotspots(
            eps, float(params.get("min_share", 0.02)), int(params.get("min_clicks", 5))))
        if hid not in set(hs["hotspot"]):
            raise UxlensError(
                f"No hotspot {hid}; this heatmap has hotspots {list(hs['hotspot'])}."
            )
        mine = cells.loc[cells["hotspot"] == hid, ["device", "cx", "cy"]].rename(
            columns=lambda col: f"m_{col}")
        coords = self._coords()
        q = eps / 3.0
        c = coords.mutate(cx=(coords.x_px / q).floor().cast("int64"),
                          cy=(coords.y_px / q).floor().cast("int64"))
        m = ibis.memtable(mine)
        j = c.join(m, [c.device == m.m_device, c.cx == m.m_cx, c.cy == m.m_cy])
        counts = execute(j.group_by("session_id").agg(
            events_here=j.count(), first_here=j.timestamp.min()))
        return self._session_list(counts, f"hotspot {hid} ({self.kind})")

    def sessions_in_band(self, y0: float, y1: float, *, device: str | None = None) -> SessionList:
        """Sessions whose viewport showed any of the page between ``y0`` and ``y1`` px.

        Examples
        --------
        Of the 79 desktop sessions on the pricing page, 21 saw its bottom (the page
        is 3,124 px high):

        >>> import uxlens as ux
        >>> h = ux.Heatmap(ux.demo(), url="/pricing", kind="scroll", background=None)
        >>> len(h.sessions_in_band(0, 100, device="desktop")), len(h.sessions_in_band(3000, 3100, device="desktop"))
        (79, 21)
        """
        ev = eng.with_skip_reason(self._page(None), coordinates=False)
        ev = ev.filter(ev.skip_reason.isnull())
        top = ev.scroll_y.fill_null(0.0)
        sel = ev.filter((top < y1) & (top + ev.viewport_h.cast("float64") > y0))
        if device is not None:
            sel = sel.filter(sel.device == device)
        counts = execute(sel.group_by("session_id").agg(
            events_here=sel.count(), first_here=sel.timestamp.min()))
        return self._session_list(counts, f"viewport over {y0:g}-{y1:g} px")

    def _session_list(self, counts: pd.DataFrame, label: str) -> SessionList:
        from ..eventlog import EventLog, SessionList

        counts = counts.copy()
        counts["session_id"] = counts["session_id"].astype(str)
        log = self._shared.log
        if log is None:
            t = self._shared.table
            ids = counts["session_id"].tolist()
            frame = execute(t.filter(t.session_id.isin(ids)).drop("t_ms"))
            from ..events import validate

            log = EventLog(validate(frame, source="heatmap").events)
        try:
            summary = log.sessions().frame
        except ImportError:  # pragma: no cover - session summaries ship with uxlens
            ev = log.events
            summary = ev.groupby("session_id", sort=False).agg(
                user_id=("user_id", "first"), events=("event", "size")).reset_index()
        summary = summary.assign(session_id=summary["session_id"].astype(str))
        frame = summary.merge(counts, on="session_id", how="inner")
        frame = frame.sort_values(["events_here", "session_id"], ascending=[False, True])
        return SessionList(frame.reset_index(drop=True), log, label=label)
