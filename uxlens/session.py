"""Session: one recorded visit, its events, pages, friction, still frame and replay."""

from __future__ import annotations

import base64
import html
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .export import Exportable

if TYPE_CHECKING:  # pragma: no cover
    from .eventlog import EventLog
    from .widgets.replay import ReplayWidget

__all__ = ["Session", "page_segments"]

#: Timeline columns: (output name, canonical column), in order.
_TIMELINE_COLUMNS = (
    ("timestamp", "timestamp"),
    ("t_s", "t_s"),
    ("event", "event"),
    ("page", "url"),
    ("element", "target"),
    ("text", "target_text"),
    ("x", "x"),
    ("y", "y"),
    ("scroll_y", "scroll_y"),
    ("level", "level"),
    ("message", "message"),
    ("method", "method"),
    ("status", "status"),
    ("duration_ms", "duration_ms"),
)
_PAGEVIEWS = ("pageview", "$pageview")
_CLICKS = ("click", "dblclick", "touch")
_MS = pd.Timedelta(milliseconds=1)


def page_segments(events: pd.DataFrame) -> np.ndarray:
    """Page-view number of every event of one session (0-based, in row order).

    A new page starts at each ``pageview`` row; sessions without pageview
    rows (clickstream tables) start a new page whenever ``url`` changes.
    Rows before the first page keep number 0.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"event": ["click", "pageview", "click", "pageview"],
    ...                    "url": ["/a", "/a", "/a", "/b"]})
    >>> page_segments(ev).tolist()
    [0, 0, 0, 1]
    >>> page_segments(ev.assign(event="click")).tolist()
    [0, 0, 0, 1]
    """
    n = len(events)
    if not n:
        return np.zeros(0, dtype="int64")
    name = events["event"].astype(str).to_numpy()
    starts = np.isin(name, _PAGEVIEWS)
    if not starts.any():
        if "url" not in events:
            return np.zeros(n, dtype="int64")
        url = events["url"].astype(object).ffill()
        prev = url.shift()
        starts = (url.notna() & prev.notna() & (url != prev)).to_numpy(dtype=bool)
        return np.cumsum(starts).astype("int64")
    seg = np.cumsum(starts) - 1
    return np.maximum(seg, 0).astype("int64")


class Session(Exportable):
    """One session of an :class:`~uxlens.EventLog`.

    Get one with ``log.session(id)`` or by indexing a
    :class:`~uxlens.SessionList`. Tables are computed on first use and cached.

    Examples
    --------
    >>> import pandas as pd
    >>> from uxlens.io.table import read_events
    >>> t0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")
    >>> df = pd.DataFrame({"session_id": "s1", "user_id": "u1",
    ...     "timestamp": [t0 + pd.Timedelta(seconds=s) for s in (0, 2, 10)],
    ...     "event": ["pageview", "click", "pageview"], "url": ["/a", "/a", "/b"],
    ...     "x": [None, 120.0, None], "y": [None, 40.0, None]})
    >>> s = read_events(df).session("s1")
    >>> s
    <Session s1: 3 events>
    >>> s.pages()["page"].tolist()
    ['/a', '/b']
    """

    def __init__(self, log: EventLog, session_id: str) -> None:
        self.log = log
        self.session_id = str(session_id)

    # ------------------------------------------------------------------ data
    @cached_property
    def events(self) -> pd.DataFrame:
        """This session's canonical events, in order.

        Examples
        --------
        >>> import uxlens as ux
        >>> s = ux.demo().session("s-fb37ae7ad70d")
        >>> len(s.events), bool(s.events["seq"].is_monotonic_increasing)
        (441, True)
        >>> s.events["session_id"].unique().tolist()
        ['s-fb37ae7ad70d']
        """
        ev = self.log.events
        out = ev.loc[ev["session_id"] == self.session_id]
        if "seq" in out.columns:
            out = out.sort_values("seq", kind="stable")
        return out.reset_index(drop=True)

    @property
    def recording(self) -> list[dict[str, Any]]:
        """The raw rrweb events of this session (empty for table-only sources).

        Examples
        --------
        >>> import uxlens as ux
        >>> rec = ux.demo().session("s-fb37ae7ad70d").recording
        >>> len(rec), sorted({e["type"] for e in rec})
        (313, [2, 3, 4, 5, 6])
        """
        return self.log.recordings.get(self.session_id, [])

    def summary(self) -> pd.Series:
        """The session's row of ``EventLog.sessions()``.

        Examples
        --------
        >>> import uxlens as ux
        >>> row = ux.demo().session("s-fb37ae7ad70d").summary()
        >>> int(row["events"]), int(row["pageviews"]), float(row["duration_s"])
        (441, 6, 139.103)
        """
        table = self.log.sessions().frame
        return table.loc[table["session_id"] == self.session_id].iloc[0]

    @property
    def start(self) -> pd.Timestamp | None:
        """Time of the session's first event.

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.demo().session("s-fb37ae7ad70d").start
        Timestamp('2026-10-05 14:46:35.012000+0000', tz='UTC')
        """
        return self.events["timestamp"].min() if len(self.events) else None

    # -------------------------------------------------------------- friction
    @cached_property
    def _friction(self) -> Any:
        try:
            from .friction import Friction
        except ImportError:  # the friction layer is optional for the session view
            return None
        return Friction(self.events)

    def click_flags(self) -> pd.DataFrame:
        """Click-like events with their ``rage``/``dead``/``error`` flags.

        From :func:`uxlens.friction.flag_clicks` (one row per click, dblclick
        or touch, keyed by ``seq``); empty when the friction layer is missing.

        Examples
        --------
        The demo's most frustrated session hammers the disabled "Send invites" button:

        >>> import uxlens as ux
        >>> flags = ux.demo().session("s-fb37ae7ad70d").click_flags()
        >>> int(flags["rage"].sum()), int(flags["dead"].sum()), int(flags["error"].sum())
        (11, 10, 0)
        """
        if "_flags" not in self.__dict__:
            f = self._friction
            flags = f.flags() if f is not None and len(self.events) else None
            self.__dict__["_flags"] = flags if flags is not None else pd.DataFrame(
                {"seq": pd.Series(dtype="int64")}
            )
        return self.__dict__["_flags"]

    def friction(self) -> pd.DataFrame:
        """Friction signals of this session (rage, dead, error clicks, thrashing...).

        Returns
        -------
        pandas.DataFrame
            :meth:`uxlens.Friction.signals` restricted to this session:
            ``session_id, timestamp, seq, url, element, target, kind, count,
            evidence, points, severity``. Without the friction layer, the
            flagged clicks of :meth:`click_flags` as ``kind`` rows.

        Examples
        --------
        >>> import pandas as pd
        >>> from uxlens.io.table import read_events
        >>> t0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")
        >>> df = pd.DataFrame({"session_id": "s1", "user_id": "u1", "event": "click",
        ...     "timestamp": [t0 + pd.Timedelta(milliseconds=ms) for ms in (0, 300, 600)],
        ...     "x": 100.0, "y": 200.0, "target": "button#send", "url": "/invite"})
        >>> read_events(df).session("s1").friction()[["kind", "count"]]
                 kind  count
        0  rage_click      3
        """
        f = self._friction
        if f is not None:
            sig = f.signals()
            return sig.loc[sig["session_id"].astype(str) == self.session_id].reset_index(drop=True)
        flags = self.click_flags()
        rows = []
        for kind, col in (("rage_click", "rage"), ("dead_click", "dead"), ("error_click", "error")):
            if col in flags:
                hit = flags.loc[flags[col].astype(bool)]
                rows.append(hit.assign(kind=kind)[["session_id", "timestamp", "seq", "kind"]])
        if not rows:
            return pd.DataFrame(columns=["session_id", "timestamp", "seq", "kind"])
        return pd.concat(rows).sort_values(["timestamp", "seq"]).reset_index(drop=True)

    def friction_score(self) -> float | None:
        """This session's friction score (:meth:`uxlens.Friction.scores`), if available.

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.demo().session("s-fb37ae7ad70d").friction_score()
        17.0
        """
        f = self._friction
        if f is None or not len(self.events):
            return None
        scores = f.scores()
        row = scores.loc[scores["session_id"].astype(str) == self.session_id, "score"]
        return float(row.iat[0]) if len(row) else 0.0

    # -------------------------------------------------------------- tables
    def timeline(self) -> pd.DataFrame:
        """Tidy table of the session's events: time, page, element, friction flags.

        Returns
        -------
        pandas.DataFrame
            ``timestamp, t_s`` (seconds since the first event), ``event``,
            ``page`` (URL), ``element`` (target selector), ``text`` (masked
            target text), ``x, y, scroll_y``, console ``level, message``,
            network ``method, status, duration_ms`` (those present in the
            log), and, when the friction layer is available, booleans
            ``rage, dead, error_click`` on click rows.

        Examples
        --------
        >>> import pandas as pd
        >>> from uxlens.io.table import read_events
        >>> t0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")
        >>> df = pd.DataFrame({"session_id": "s1", "user_id": "u1",
        ...     "timestamp": [t0, t0 + pd.Timedelta("1.5s")], "event": ["pageview", "click"],
        ...     "url": "/invite", "target": [None, "button#send"]})
        >>> s = read_events(df).session("s1")
        >>> s.timeline()[["t_s", "event", "page", "element"]]
           t_s     event     page      element
        0  0.0  pageview  /invite          NaN
        1  1.5     click  /invite  button#send
        """
        ev = self.events
        t_s = (ev["timestamp"] - ev["timestamp"].min()).dt.total_seconds() if len(ev) else []
        src = ev.assign(t_s=t_s)
        out = pd.DataFrame(
            {name: src[col] for name, col in _TIMELINE_COLUMNS if col in src.columns}
        )
        if self._friction is not None and "seq" in ev.columns:
            flags = self.click_flags()
            if len(flags):
                by_seq = flags.set_index("seq")
                for name, col in (("rage", "rage"), ("dead", "dead"), ("error_click", "error")):
                    out[name] = ev["seq"].map(by_seq[col]).fillna(False).astype(bool)
            else:
                for name in ("rage", "dead", "error_click"):
                    out[name] = False
        return out

    def pages(self) -> pd.DataFrame:
        """Pages visited, in order, with time on page and what happened there.

        Returns
        -------
        pandas.DataFrame
            One row per page view: ``page`` (URL), ``start`` (timestamp),
            ``t_s`` (seconds since the session's first event), ``seconds``
            (until the next page or the session's last event), ``events``,
            ``clicks``, ``errors`` (console errors, uncaught errors and
            failed requests) and, with the friction layer, ``rage`` and
            ``dead`` (flagged presses). Page views come from ``pageview``
            rows, or from URL changes for sources without them.

        Examples
        --------
        >>> import pandas as pd
        >>> from uxlens.io.table import read_events
        >>> t0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")
        >>> df = pd.DataFrame({"session_id": "s1", "user_id": "u1",
        ...     "timestamp": [t0 + pd.Timedelta(seconds=s) for s in (0, 2, 10, 12)],
        ...     "event": ["pageview", "click", "pageview", "click"],
        ...     "url": ["/a", "/a", "/b", "/b"]})
        >>> read_events(df).session("s1").pages()[["page", "t_s", "seconds", "clicks"]]
          page   t_s  seconds  clicks
        0   /a   0.0     10.0       1
        1   /b  10.0      2.0       1
        """
        ev = self.events
        cols = ["page", "start", "t_s", "seconds", "events", "clicks", "errors"]
        if not len(ev):
            return pd.DataFrame(columns=cols)
        seg = page_segments(ev)
        name = ev["event"].astype(str)
        bad = name.eq("error")
        if "level" in ev:
            bad |= name.eq("console") & ev["level"].astype(str).eq("error")
        if "status" in ev:
            status = ev["status"].astype("Float64")
            bad |= name.eq("network") & ((status >= 400) | (status == 0)).fillna(False).astype(bool)
        frame = pd.DataFrame({
            "seg": seg,
            "timestamp": ev["timestamp"],
            "url": ev["url"].astype(object) if "url" in ev else None,
            "click": name.isin(_CLICKS).to_numpy(),
            "bad": bad.to_numpy(dtype=bool),
        })
        flags_present = self._friction is not None and "seq" in ev.columns
        if flags_present:
            flags = self.click_flags()
            by_seq = flags.set_index("seq") if len(flags) else None
            for col in ("rage", "dead"):
                frame[col] = (
                    ev["seq"].map(by_seq[col]).fillna(False).astype(bool).to_numpy()
                    if by_seq is not None else False
                )
            frame["click"] &= (
                ev["seq"].map(by_seq["press"]).fillna(True).astype(bool).to_numpy()
                if by_seq is not None else True
            )
        g = frame.groupby("seg", sort=True)
        first_url = g["url"].agg(lambda s: next((u for u in s if isinstance(u, str)), None))
        start = g["timestamp"].min()
        t0 = ev["timestamp"].min()
        end = start.shift(-1).fillna(ev["timestamp"].max())
        out = pd.DataFrame({
            "page": first_url.to_numpy(),
            "start": start.to_numpy(),
            "t_s": (start - t0).dt.total_seconds().to_numpy(),
            "seconds": (end - start).dt.total_seconds().to_numpy(),
            "events": g.size().to_numpy(),
            "clicks": g["click"].sum().astype("int64").to_numpy(),
            "errors": g["bad"].sum().astype("int64").to_numpy(),
        })
        out["start"] = pd.to_datetime(out["start"], utc=True)
        if flags_present:
            out["rage"] = g["rage"].sum().astype("int64").to_numpy()
            out["dead"] = g["dead"].sum().astype("int64").to_numpy()
        return out

    # -------------------------------------------------------------- replay
    def replay(
        self,
        speed: float = 1,
        skip_inactive: bool = True,
        mask: Any = True,
        start: float | pd.Timestamp | None = None,
        *,
        width: int = 0,
    ) -> ReplayWidget:
        """The inline replay player for this session.

        Parameters
        ----------
        speed
            1, 2, 4 or 8.
        skip_inactive
            Jump over idle spans (no interaction for more than 5 s).
        mask
            Mask typed values and personal data (default: the policy the log
            was read with, custom ``patterns`` included); a
            :class:`~uxlens.privacy.Privacy`, or ``False`` to opt out. Recorded
            scripts, handlers and outbound URLs are removed whatever ``mask`` says.
        start
            Seconds after the session's first event, or a timestamp.
        width
            Display width in px (0: fit the cell).

        Returns
        -------
        uxlens.widgets.replay.ReplayWidget

        Examples
        --------
        >>> import pandas as pd
        >>> from uxlens.io.table import read_events
        >>> t0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")
        >>> df = pd.DataFrame({"session_id": "s1", "user_id": "u1",
        ...     "timestamp": [t0, t0 + pd.Timedelta("2s")], "event": ["pageview", "click"],
        ...     "url": "/invite", "x": [None, 120.0], "y": [None, 40.0]})
        >>> player = read_events(df).session("s1").replay(speed=2, skip_inactive=False)
        >>> player.speed, player.skip_inactive, player.info["mode"]
        (2.0, False, 'wireframe')
        """
        from .widgets.replay import ReplayWidget

        return ReplayWidget(self, speed=speed, skip_inactive=skip_inactive, mask=mask,
                            start=start, width=width)

    def _at_ms(self, t: float | pd.Timestamp | None) -> float | None:
        if t is None:
            return None
        if isinstance(t, (pd.Timestamp, str)):
            ts = pd.Timestamp(t)
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        else:
            ts = self.start + pd.Timedelta(seconds=float(t))
        return float((ts - pd.Timestamp(0, tz="UTC")) // _MS)

    def frame(
        self,
        t: float | pd.Timestamp | None = None,
        *,
        mask: Any = True,
        width: int | None = None,
        height: int | None = None,
        full_page: bool = False,
    ) -> bytes:
        """PNG still frame of the recorded page at time ``t`` (headless Chromium).

        Uses :func:`uxlens.render.snapshot_html` (sanitised, masked) and
        :func:`uxlens.render.render_png`.

        Parameters
        ----------
        t
            Seconds after the session's first event, or a timestamp;
            ``None`` for the first snapshot.
        mask
            Mask typed values and personal data: ``True`` applies the policy
            the log was read with (see :func:`uxlens.privacy.output_policy`),
            a :class:`~uxlens.privacy.Privacy` its own choices, ``False``
            nothing.
        width, height
            Viewport in CSS px (default: the recorded viewport).
        full_page
            Capture the whole page, not only the viewport.

        Raises
        ------
        MissingDependencyError
            Without Playwright or a system Chromium.
        RecordingFormatError
            When the session has no DOM recording.

        Examples
        --------
        A session read from a plain events table has no DOM to draw:

        >>> import pandas as pd, uxlens as ux
        >>> t0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")
        >>> df = pd.DataFrame({"session_id": "s1", "user_id": "u1", "event": "pageview",
        ...                    "timestamp": [t0], "url": ["/a"]})
        >>> try:
        ...     ux.read_events(df).session("s1").frame()
        ... except ux.RecordingFormatError as err:
        ...     print(str(err).split(",")[0])
        The recording has no FullSnapshot (rrweb event type 2)

        With a recording (needs Chromium, so not run here):

        >>> png = ux.demo().session("s-fb37ae7ad70d").frame(t=30)  # doctest: +SKIP
        >>> png[1:4]  # doctest: +SKIP
        b'PNG'
        """
        from .privacy import output_policy
        from .render import render_png, snapshot_html

        policy = output_policy(mask, self.log)
        doc = snapshot_html(self.recording, at_ms=self._at_ms(t), mask=policy)
        w, h = self._viewport(t)
        return render_png(doc, int(width or w), int(height or h), full_page=full_page)

    def _viewport(self, t: float | pd.Timestamp | None) -> tuple[int, int]:
        at = self._at_ms(t)
        w, h = 1280, 800
        for e in self.recording:
            if not isinstance(e, dict) or e.get("type") != 4:
                continue
            ts = e.get("timestamp")
            if at is not None and isinstance(ts, (int, float)) and ts > at:
                break
            d = e.get("data") or {}
            if isinstance(d.get("width"), (int, float)) and isinstance(d.get("height"), (int, float)):
                w, h = int(d["width"]), int(d["height"])
        return max(min(w, 4096), 200), max(min(h, 4096), 200)

    def _still_time(self) -> float | pd.Timestamp | None:
        """When to take the card's still frame: the first friction signal, if any."""
        try:
            sig = self.friction()
        except Exception:
            return None
        if len(sig) and "timestamp" in sig:
            return pd.Timestamp(sig["timestamp"].min())
        return None

    def _still_png(self, max_width: int = 360) -> bytes | None:
        if "_still" in self.__dict__:
            return self.__dict__["_still"]
        png = None
        if self.recording:
            try:
                from .render import browser_available

                if browser_available()[0]:
                    png = self.frame(self._still_time())
            except Exception:
                png = None
        self.__dict__["_still"] = png
        return png

    # ---------------------------------------------------------------- repr
    def __repr__(self) -> str:
        return f"<Session {self.session_id}: {len(self.events)} events>"

    def _card_fields(self) -> list[tuple[str, Any]]:
        try:
            s = self.summary()
        except Exception:
            s = pd.Series(dtype=object)
        ev = self.events

        def get(key: str, default: Any = "–") -> Any:
            v = s.get(key, default)
            return default if v is None or (not isinstance(v, str) and pd.isna(v)) else v

        duration = get("duration_s", None)
        if duration is None and len(ev):
            duration = (ev["timestamp"].max() - ev["timestamp"].min()).total_seconds()
        active = get("active_s", None)
        try:
            pages = len(self.pages())
        except Exception:
            pages = get("pageviews")
        fields: list[tuple[str, Any]] = [
            ("user", get("user_id", ev["user_id"].iat[0] if len(ev) else "–")),
            ("device", get("device")),
            ("duration", f"{duration:.0f} s" if duration is not None else "–"),
            ("active", f"{active:.0f} s" if active is not None else "–"),
            ("pages", pages),
            ("clicks", get("clicks")),
            ("errors", get("errors")),
        ]
        try:
            score = self.friction_score()
            n = len(self.friction())
        except Exception:
            score, n = None, None
        if score is not None:
            fields.append(("friction", f"{score:.1f} ({n} signal{'s' if n != 1 else ''})"))
        return fields

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<div><div style='color:#667085;font-size:11px'>{html.escape(k)}</div>"
            f"<div style='font-weight:600'>{html.escape(str(v))}</div></div>"
            for k, v in self._card_fields()
        )
        png = self._still_png()
        image = ""
        if png:
            data = base64.b64encode(png).decode("ascii")
            image = (
                f"<img alt='still frame of session {html.escape(self.session_id)}' "
                f"src='data:image/png;base64,{data}' style='display:block;max-width:360px;"
                "margin-top:8px;border:1px solid #E9ECEF;border-radius:4px'>"
            )
        return (
            "<div style='font-family:system-ui,sans-serif;border:1px solid #E9ECEF;"
            "border-radius:8px;padding:10px;display:inline-block'>"
            f"<div style='font-weight:600;margin-bottom:6px'>Session "
            f"{html.escape(self.session_id)}</div>"
            f"<div style='display:flex;gap:18px;flex-wrap:wrap'>{cells}</div>{image}"
            "<div style='color:#667085;font-size:11px;margin-top:6px'>"
            "<code>.replay()</code> to watch · <code>.timeline()</code> · "
            "<code>.friction()</code></div></div>"
        )
