"""EventLog: the canonical events, the raw recordings kept for replay, and what was rejected."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .events import empty_rejected, run_starts, url_pattern
from .exceptions import UxlensError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from .session import Session

__all__ = ["EventLog", "SessionList", "engine_input", "PARQUET_FORMAT"]

#: Version of the stamp :meth:`EventLog.to_parquet` writes (``b"uxlens"`` schema metadata).
PARQUET_FORMAT = 1


class EventLog:
    """Events from one or more recordings, in the canonical schema.

    Readers (:func:`uxlens.read_rrweb`, :func:`uxlens.read_events`,
    :func:`uxlens.read_posthog`, :func:`uxlens.read_clarity`, :func:`uxlens.demo`)
    return an EventLog. ``read_events`` of an Ibis table returns a *lazy* log whose
    events stay in their backend (:attr:`is_lazy`, :attr:`table`).

    Parameters
    ----------
    events
        Validated canonical events (see :mod:`uxlens.events`).
    recordings
        Raw rrweb events per session id, kept for replay and DOM analysis. A
        streaming read (large inputs, see :func:`uxlens.read_rrweb`) gives a
        mapping that re-reads a session's events from the files on access.
    rejected
        Rows the reader could not use: ``source, position, reason, excerpt``.
    read
        Number of raw records read (rrweb events, lines, rows); by
        construction ``loaded + rejected == read``.
    meta
        Free-form facts about the load (source paths, reader name, options).

    Examples
    --------
    >>> import uxlens as ux
    >>> log = ux.demo()
    >>> log.counts["loaded"] + log.counts["rejected"] == log.counts["read"]
    True
    """

    def __init__(
        self,
        events: pd.DataFrame,
        *,
        recordings: Mapping[str, list[dict[str, Any]]] | None = None,
        rejected: pd.DataFrame | None = None,
        read: int | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self._events = events
        # A streaming read's recordings are re-read from the files on access
        # (``is_lazy``): keep that mapping as it is instead of loading it all.
        self.recordings: dict[str, list[dict[str, Any]]] = (
            recordings if getattr(recordings, "is_lazy", False)  # type: ignore[assignment]
            else dict(recordings or {})
        )
        self.rejected = rejected if rejected is not None else empty_rejected()
        self._read = int(read) if read is not None else len(events) + len(self.rejected)
        self.meta: dict[str, Any] = dict(meta or {})

    # ------------------------------------------------------------------ basics
    @property
    def events(self) -> pd.DataFrame:
        """The canonical events (a pandas DataFrame).

        A lazy log (``read_events(ibis_table)``) has none here: its events stay
        in the backend, so this raises instead of looking empty.

        Examples
        --------
        >>> import uxlens as ux
        >>> ev = ux.demo().events
        >>> list(ev.columns[:5]), str(ev["timestamp"].dtype)
        (['session_id', 'user_id', 'timestamp', 'event', 'seq'], 'datetime64[ns, UTC]')
        """
        if self.is_lazy:
            raise UxlensError(
                "This EventLog is lazy: its events stay in the backend "
                f"({self._backend_name()}), so there is no in-memory events table. Pass the "
                "log (or log.table) to Funnel, Heatmap, Journeys or log.sessions(), which run "
                "there; or bring a subset into memory with log.filter(lambda t: ...).collect()."
            )
        return self._events

    @events.setter
    def events(self, value: pd.DataFrame) -> None:
        self._events = value

    @property
    def table(self) -> Any:
        """The Ibis table of a lazy log (``read_events(ibis_table)``), else ``None``.

        Examples
        --------
        >>> import uxlens as ux
        >>> lazy = ux.read_events(ux.demo().to_ibis())
        >>> ux.demo().table is None, int(lazy.table.count().execute()) == len(ux.demo().events)
        (True, True)
        """
        return self.meta.get("ibis_table") if self.is_lazy else None

    @property
    def is_lazy(self) -> bool:
        """True when the events stay in an Ibis backend (nothing loaded).

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.demo().is_lazy, ux.read_events(ux.demo().to_ibis()).is_lazy
        (False, True)
        """
        return self.meta.get("ibis_table") is not None and not self.meta.get("materialised", True)

    def _backend_name(self) -> str:
        try:
            return self.meta["ibis_table"]._find_backend(use_default=True).name
        except Exception:
            return "an Ibis backend"

    @cached_property
    def _lazy_count(self) -> int:
        t = self.table
        return int(t.count().execute())

    def collect(self) -> EventLog:
        """An in-memory EventLog of a lazy log's events (validated); ``self`` when in memory.

        Filter first (:meth:`filter` with a function of the Ibis table) when the
        table is large.

        Examples
        --------
        >>> import uxlens as ux
        >>> lazy = ux.read_events(ux.demo().to_ibis())
        >>> one = lazy.filter(lambda t: t.device == "tablet").collect()
        >>> len(one) == int((ux.demo().events["device"] == "tablet").sum())
        True
        """
        if not self.is_lazy:
            return self
        from .io.table import read_events

        frame = self.table.drop("t_ms") if "t_ms" in self.table.columns else self.table
        # Rows already in the backend are events, not raw records: identical rows stay.
        return read_events(frame.to_pandas(), source_name=str(self.meta.get("source", "ibis")),
                           drop_duplicates=False)

    @property
    def counts(self) -> dict[str, int]:
        """Raw records read, loaded and rejected; ``loaded + rejected == read``.

        Examples
        --------
        >>> import uxlens as ux
        >>> c = ux.demo().counts
        >>> c
        {'read': 52292, 'loaded': 52292, 'rejected': 0}
        >>> c["loaded"] + c["rejected"] == c["read"]
        True
        """
        if self.is_lazy:  # rows are checked by the backend's schema, none rejected here
            n = self._lazy_count
            return {"read": n, "loaded": n, "rejected": 0}
        rejected = len(self.rejected)
        return {"read": self._read, "loaded": self._read - rejected, "rejected": rejected}

    def __len__(self) -> int:
        return self._lazy_count if self.is_lazy else len(self._events)

    @property
    def session_ids(self) -> list[str]:
        """Session ids in first-seen (sorted) order.

        Examples
        --------
        >>> import uxlens as ux
        >>> ids = ux.demo().session_ids
        >>> len(ids), ids[:2], ids == sorted(ids)
        (300, ['s-02eebf242724', 's-05c2a0e96925'], True)
        """
        if self.is_lazy:
            t = self.table
            ids = t.select(session_id=t.session_id.cast("string")).distinct().order_by("session_id")
            return [str(v) for v in ids.to_pandas()["session_id"]]
        return list(pd.unique(self.events["session_id"]))

    def __repr__(self) -> str:
        if self.is_lazy:
            return f"<EventLog: lazy Ibis table on {self._backend_name()}, events stay there>"
        n_sessions = self.events["session_id"].nunique()
        return (
            f"<EventLog: {len(self.events):,} events, {n_sessions:,} sessions, "
            f"{len(self.rejected):,} rejected>"
        )

    def _repr_html_(self) -> str:
        if self.is_lazy:
            return f"<div style='font-family:system-ui,sans-serif'>{html.escape(repr(self))}</div>"
        ev = self.events
        n_sessions = ev["session_id"].nunique()
        span = ""
        if len(ev):
            span = f"{ev['timestamp'].min():%Y-%m-%d %H:%M} → {ev['timestamp'].max():%Y-%m-%d %H:%M} UTC"
        top = ev["event"].value_counts().head(8)
        rows = "".join(
            f"<tr><td>{html.escape(str(k))}</td><td style='text-align:right'>{v:,}</td></tr>"
            for k, v in top.items()
        )
        rejected = (
            f"<span style='color:#b42318'>{len(self.rejected):,} rejected rows "
            "(see <code>.rejected</code>)</span>"
            if len(self.rejected)
            else "no rejected rows"
        )
        return (
            "<div style='font-family:system-ui,sans-serif;font-size:13px'>"
            f"<b>EventLog</b> · {len(ev):,} events · {n_sessions:,} sessions · "
            f"{ev['user_id'].nunique():,} users<br><span style='color:#667085'>{span}</span>"
            f"<br>{rejected}<table style='margin-top:6px'>{rows}</table></div>"
        )

    # -------------------------------------------------------------- sessions
    @cached_property
    def _summary(self) -> pd.DataFrame:
        from .engine.sessions import session_summary

        return session_summary(self.table if self.is_lazy else self)

    def sessions(
        self,
        *,
        page: str | None = None,
        min_friction: float | None = None,
        **filters: Any,
    ) -> SessionList:
        """One row per session: the session summary, filtered.

        Parameters
        ----------
        page
            Keep sessions that viewed a URL matching this pattern (exact path,
            ``*`` wildcards, or ``"re:<regex>"``).
        min_friction
            Keep sessions whose friction score is at least this value.
        **filters
            Column of the summary = value (a scalar, a list of allowed values,
            or a predicate called on the column), e.g. ``device="mobile"``.

        Returns
        -------
        SessionList
            Columns: session_id, user_id, start, end, duration_s, active_s,
            events, pageviews, clicks, inputs, scroll_depth, device,
            entry_url, exit_url, errors (and any per-session property).

        Examples
        --------
        >>> import uxlens as ux
        >>> mobile = ux.demo().sessions(device="mobile")
        >>> set(mobile.frame["device"]) == {"mobile"}
        True
        """
        table = self._summary
        keep = pd.Series(True, index=table.index)
        if page is not None:
            keep &= table["session_id"].isin(self._sessions_on_page(page))
        if min_friction is not None and self.is_lazy:
            raise UxlensError(
                "min_friction needs events in memory (friction reads each session's event "
                "stream). Collect the sessions first: log.filter(lambda t: ...).collect()."
            )
        if min_friction is not None:
            from .friction import Friction

            scores = Friction(self).scores().set_index("session_id")["score"]
            keep &= table["session_id"].map(scores).fillna(0.0) >= min_friction
        for column, wanted in filters.items():
            if column not in table.columns:
                raise UxlensError(
                    f"sessions() has no column {column!r} to filter on."
                    f"{did_you_mean(column, table.columns)} Columns: {list(table.columns)}."
                )
            values = table[column]
            if callable(wanted):
                keep &= values.map(wanted).astype(bool)
            elif isinstance(wanted, (list, tuple, set, frozenset)):
                keep &= values.isin(list(wanted))
            else:
                keep &= values == wanted
        return SessionList(table.loc[keep].reset_index(drop=True), self)

    def _sessions_on_page(self, page: str) -> set[str]:
        """Ids of sessions with an event on a URL matching the pattern (distinct URLs matched once)."""
        pattern = url_pattern(page)
        if self.is_lazy:
            t = self.table
            t = t.filter(t.url.notnull())
            uniques = pd.Series(t.select(url=t.url.cast("string")).distinct().to_pandas()["url"])
            matching = [u for u in uniques.astype(str) if pattern.search(u)]
            hit = t.filter(t.url.cast("string").isin(matching))
            return set(hit.select(s=hit.session_id.cast("string")).distinct().to_pandas()["s"])
        urls = self.events.loc[self.events["url"].notna(), ["session_id", "url"]]
        uniques = pd.Series(urls["url"].astype(str).unique())
        matching = set(uniques[uniques.map(lambda u: bool(pattern.search(u)))])
        return set(urls.loc[urls["url"].astype(str).isin(matching), "session_id"])

    def session(self, session_id: str) -> Session:
        """The :class:`~uxlens.Session` with this id (a lazy log brings just it into memory).

        Examples
        --------
        >>> import uxlens as ux
        >>> s = ux.demo().session("s-fb37ae7ad70d")
        >>> s
        <Session s-fb37ae7ad70d: 441 events>
        >>> s.events["session_id"].unique().tolist()
        ['s-fb37ae7ad70d']
        """
        from .session import Session

        if self.is_lazy:
            one = self.filter(lambda t: t.session_id.cast("string") == str(session_id)).collect()
            if not len(one):
                raise UxlensError(f"No session {session_id!r} in this EventLog.")
            return Session(one, session_id)
        if session_id not in set(self.events["session_id"]):
            raise UxlensError(
                f"No session {session_id!r} in this EventLog."
                f"{did_you_mean(session_id, self.session_ids[:5000])}"
            )
        return Session(self, session_id)

    def screens(self, **params: Any) -> Any:
        """Screen states: the UI states users saw, from the DOM recordings.

        See :func:`uxlens.screens.screen_states` for the parameters.

        Examples
        --------
        The demo's recordings show nine distinct screens; the invite page has two
        (version A's and version B's heading):

        >>> import uxlens as ux
        >>> screens = ux.demo().screens()
        >>> len(screens.names)
        9
        >>> [n for n in screens.names if n.startswith("Invite")]
        ['Invite your teammates — Add comma-separated emails', 'Invite your teammates — use comma-separated emails']
        """
        from .screens import screen_states

        return screen_states(self, **params)

    def with_screens(self, **params: Any) -> EventLog:
        """A new EventLog whose events carry a ``screen`` column.

        Examples
        --------
        >>> import uxlens as ux
        >>> ev = ux.demo().with_screens().events
        >>> ev["screen"].nunique()
        9
        >>> bool(ev.loc[ev["event"] == "invite_sent", "screen"].str.startswith("Invite").all())
        True
        """
        from .screens import add_screen_column

        return add_screen_column(self, **params)

    def filter(self, mask: pd.Series | Callable[[pd.DataFrame], pd.Series]) -> EventLog:
        """A new EventLog with the events where ``mask`` is true (recordings kept).

        For a lazy log, ``mask`` is a function of the Ibis table returning a
        boolean column (e.g. ``lambda t: t.device == "mobile"``), and the result
        stays lazy.

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> mobile = log.filter(lambda ev: ev["device"] == "mobile")
        >>> len(mobile.session_ids), mobile.events["device"].unique().tolist()
        (107, ['mobile'])
        >>> mobile.recordings.keys() <= log.recordings.keys()
        True
        """
        if self.is_lazy:
            if not callable(mask):
                raise UxlensError(
                    "A lazy EventLog filters with a function of its Ibis table, e.g. "
                    "log.filter(lambda t: t.device == 'mobile')."
                )
            return EventLog(self._events, meta={**self.meta, "ibis_table": self.table.filter(mask(self.table))},
                            read=0)
        if callable(mask):
            mask = mask(self.events)
        events = self.events.loc[_row_mask(mask, self.events)].reset_index(drop=True)
        ids = set(events["session_id"])
        if getattr(self.recordings, "is_lazy", False):
            recordings: Any = self.recordings.subset(ids)  # type: ignore[attr-defined]
        else:
            recordings = {k: v for k, v in self.recordings.items() if k in ids}
        return EventLog(events, recordings=recordings, rejected=self.rejected.iloc[0:0],
                        read=len(events), meta=self.meta)

    def arrow(self) -> Any:
        """The events as an Arrow table with ``t_ms`` (built once, reused by every aggregate).

        Examples
        --------
        >>> import uxlens as ux
        >>> table = ux.demo().arrow()
        >>> table.num_rows, "t_ms" in table.column_names
        (62501, True)
        """
        from .engine.backend import to_arrow

        return self._derived("arrow", lambda: to_arrow(self.events))

    def _derived(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per events table (a new ``events`` starts afresh): what
        several analyses derive from the same events (session codes, node rows)."""
        store = getattr(self, "_derived_cache", None)
        if store is None or store[0] is not self.events:
            store = (self.events, {})
            self._derived_cache = store
        if key not in store[1]:
            store[1][key] = compute()
        return store[1][key]

    def _session_codes(self) -> Any:
        """Per-row session codes of the (sorted) events, computed once per events table:
        :func:`uxlens.events.session_codes`, or ``None`` if the ids are not sorted."""
        from .events import session_codes

        return self._derived("session_codes", lambda: session_codes(self.events["session_id"]))

    def _session_names(self) -> Any:
        """Session ids by :meth:`_session_codes` code (a Series), or ``None``."""

        def names() -> Any:
            codes = self._session_codes()
            return None if codes is None else self.events["session_id"].iloc[run_starts(codes)]

        return self._derived("session_names", names)

    def to_parquet(self, path: str | Any) -> Any:
        """Write the events to a Parquet file stamped as validated by uxlens.

        :func:`uxlens.read_events` reads a stamped file back without validating
        every row again (it checks types, required values and order, which is
        cheap): store a big load once, reload it in seconds. The stamp records
        the privacy policy the events were masked with; a reader asking for a
        different policy validates and masks again.

        Returns the path.

        Examples
        --------
        >>> import tempfile, pathlib, uxlens as ux
        >>> log = ux.demo()
        >>> path = log.to_parquet(pathlib.Path(tempfile.mkdtemp()) / "events.parquet")
        >>> again = ux.read_events(path)
        >>> schema = list(log.events.columns[:20])  # the canonical columns come back identical
        >>> again.events[schema].equals(log.events[schema]), again.meta["trusted"][:14]
        (True, 'uxlens Parquet')
        """
        import json
        from pathlib import Path

        import pyarrow as pa
        import pyarrow.parquet as pq

        from ._version import __version__
        from .privacy import Privacy

        policy = self.meta.get("privacy")
        stamp = {
            "format": PARQUET_FORMAT,
            "uxlens": __version__,
            "validated": True,
            "privacy_default": isinstance(policy, Privacy) and policy == Privacy.default(),
            "privacy": policy.describe() if isinstance(policy, Privacy) else "unknown",
            "read": self.counts["read"],
            "rejected": self.counts["rejected"],
            "source": str(self.meta.get("source", "")),
        }
        table = pa.Table.from_pandas(self.events, preserve_index=False)
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), b"uxlens": json.dumps(stamp).encode()}
        )
        path = Path(path)
        pq.write_table(table, path)
        return path

    def to_ibis(self, backend: Any = None) -> Any:
        """The events as an Ibis table (embedded DuckDB unless a backend is given).

        A lazy log returns its own table (with ``t_ms``).

        Examples
        --------
        >>> import uxlens as ux
        >>> t = ux.demo().to_ibis()
        >>> int(t.count().execute()), "t_ms" in t.columns
        (62501, True)
        >>> int(t.filter(t.event == "invite_sent").session_id.nunique().execute())
        85
        """
        from .engine.backend import as_table

        return as_table(self.table if self.is_lazy else self, backend)


def _row_mask(mask: Any, events: pd.DataFrame) -> np.ndarray:
    """``mask`` as one boolean per event (missing counts as False), or an error that says
    what ``filter`` expects."""
    if isinstance(mask, pd.Series) and not mask.index.equals(events.index):
        mask = mask.reindex(events.index)
    values = np.asarray(mask.fillna(False) if isinstance(mask, pd.Series) else mask)
    booleans = values.dtype.kind == "b" or (
        values.dtype.kind == "O" and bool(pd.Series(values.ravel()).isin([True, False]).all())
    )
    if values.shape != (len(events),) or not booleans:
        got = f"{type(mask).__name__} of shape {values.shape}, dtype {values.dtype}"
        raise UxlensError(
            f"filter(mask) needs one True/False per event ({len(events):,} events); got {got}. "
            "Fix: pass a condition on the events, e.g. log.filter(lambda ev: ev['device'] == "
            "'mobile')."
        )
    return values.astype(bool)


def engine_input(events: Any) -> Any:
    """What an aggregate should read: a lazy log's Ibis table, else ``events`` unchanged.

    Examples
    --------
    >>> import uxlens as ux
    >>> log = ux.demo()
    >>> engine_input(log) is log, engine_input(ux.read_events(log.to_ibis())) is not None
    (True, True)
    """
    if isinstance(events, EventLog) and events.is_lazy:
        return events.table
    return events


class SessionList:
    """A list of sessions (their summary rows) that links back to the EventLog.

    Returned by ``EventLog.sessions()``, ``Funnel.dropped()``,
    ``Heatmap.sessions_at()`` and friends. Index it to get a
    :class:`~uxlens.Session`, or use :attr:`frame` for the table.

    Examples
    --------
    >>> import uxlens as ux
    >>> sessions = ux.demo().sessions()
    >>> len(sessions), sessions[0].session_id == sessions.ids[0]
    (300, True)
    >>> sessions.frame.shape
    (300, 20)
    """

    def __init__(self, frame: pd.DataFrame, log: EventLog, *, label: str = "") -> None:
        self.frame = frame
        self.log = log
        self.label = label

    @property
    def ids(self) -> list[str]:
        """Session ids, in table order.

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.demo().sessions().head(2).ids
        ['s-923aece9debe', 's-784311422b0f']
        """
        return [str(s) for s in self.frame["session_id"]]

    def __len__(self) -> int:
        return len(self.frame)

    def __iter__(self) -> Iterator[Session]:
        return (self.log.session(s) for s in self.ids)

    def __getitem__(self, i: int | str) -> Session:
        if isinstance(i, str):
            return self.log.session(i)
        return self.log.session(self.ids[i])

    def to_frame(self) -> pd.DataFrame:
        """The summary table (a copy).

        Examples
        --------
        >>> import uxlens as ux
        >>> sessions = ux.demo().sessions()
        >>> table = sessions.to_frame()
        >>> table.shape, table is sessions.frame
        ((300, 20), False)
        """
        return self.frame.copy()

    def events(self) -> pd.DataFrame:
        """All events of these sessions.

        Examples
        --------
        >>> import uxlens as ux
        >>> few = ux.demo().sessions().head(2)
        >>> ev = few.events()
        >>> len(ev), sorted(ev["session_id"].unique()) == sorted(few.ids)
        (175, True)
        """
        ev = self.log.events
        return ev.loc[ev["session_id"].isin(self.ids)].reset_index(drop=True)

    def to_log(self) -> EventLog:
        """An EventLog restricted to these sessions.

        Examples
        --------
        >>> import uxlens as ux
        >>> few = ux.demo().sessions().head(2).to_log()
        >>> few.session_ids, len(few.events)
        (['s-784311422b0f', 's-923aece9debe'], 175)
        """
        return self.log.filter(self.log.events["session_id"].isin(self.ids))

    #: Short names accepted by :meth:`sort`.
    SORT_ALIASES = {"friction": "friction_score", "duration": "duration_s", "active": "active_s"}

    def with_friction(self, **options: Any) -> SessionList:
        """These sessions with their friction score and its reason.

        Adds ``friction_score`` (float, the sum of the session's signal points)
        and ``friction_reason`` (text) from
        ``uxlens.friction.Friction(self.log, **options).scores()``; sessions
        without signals score 0 with reason ``"no friction signals"``.

        Parameters
        ----------
        **options
            Passed to :class:`uxlens.friction.Friction` (``preset``,
            ``weights``, thresholds).

        Returns
        -------
        SessionList
            The same sessions, in the same order, with the two columns
            (recomputed if they were there already).

        Examples
        --------
        >>> import pandas as pd
        >>> from uxlens.io.table import read_events
        >>> t0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")
        >>> df = pd.DataFrame({"session_id": ["calm"] + ["angry"] * 4, "user_id": "u",
        ...     "timestamp": [t0] + [t0 + pd.Timedelta(milliseconds=ms) for ms in (0, 1000, 1200, 1400)],
        ...     "event": ["pageview", "pageview", "click", "click", "click"], "url": "/a",
        ...     "x": [None, None, 10.0, 10.0, 10.0], "y": [None, None, 20.0, 20.0, 20.0],
        ...     "target": [None, None, "button#go", "button#go", "button#go"]})
        >>> sessions = read_events(df).sessions().sort("friction")
        >>> sessions.frame[["session_id", "friction_score"]].to_numpy().tolist()
        [['angry', 3.0], ['calm', 0.0]]
        """
        from .friction import Friction

        scores = Friction(self.log, **options).scores()
        by_id = scores.set_index(scores["session_id"].astype(str))
        ids = self.frame["session_id"].astype(str)
        frame = self.frame.copy()
        frame["friction_score"] = ids.map(by_id["score"]).fillna(0.0).astype("float64").to_numpy()
        frame["friction_reason"] = (
            ids.map(by_id["reason"]).fillna("no friction signals").astype("string").to_numpy())
        return SessionList(frame, self.log, label=self.label)

    def sort(self, by: str, ascending: bool = False) -> SessionList:
        """Sessions sorted by a summary column (largest first by default).

        Parameters
        ----------
        by
            A column of :attr:`frame` (``"errors"``, ``"duration_s"``,
            ``"clicks"``...) or a short name: ``"friction"`` (the
            ``friction_score`` column, computed with :meth:`with_friction`
            when missing), ``"duration"``, ``"active"``.
        ascending
            Smallest first. Ties keep the current order.

        Returns
        -------
        SessionList

        Examples
        --------
        >>> import uxlens as ux
        >>> worst = ux.demo().sessions().sort("errors")
        >>> worst.frame["errors"].is_monotonic_decreasing, int(worst.frame["errors"].iloc[0])
        (True, 4)
        """
        column = self.SORT_ALIASES.get(by, by)
        source = self
        if column in ("friction_score", "friction_reason") and column not in self.frame:
            source = self.with_friction()
        if column not in source.frame:
            choices = [*source.frame.columns, *self.SORT_ALIASES]
            raise UxlensError(
                f"Cannot sort sessions by {by!r}: no such column.{did_you_mean(by, choices)} "
                f"Columns: {list(source.frame.columns)}; short names: "
                f"{list(self.SORT_ALIASES)}.")
        frame = source.frame.sort_values(column, ascending=ascending, kind="stable",
                                         na_position="last")
        return SessionList(frame.reset_index(drop=True), self.log, label=self.label)

    def replay(self, **kwargs: Any) -> Any:
        """A replay player with previous/next over these sessions (see ``Session.replay``).

        Examples
        --------
        The player is an ipywidget; it can be driven from Python too:

        >>> import uxlens as ux
        >>> player = ux.demo().sessions().head(3).replay()
        >>> player.index, player.session.session_id
        (0, 's-923aece9debe')
        >>> _ = player.next_session()
        >>> player.index, player.session.session_id
        (1, 's-784311422b0f')
        """
        from .widgets.replay import ReplayWidget

        if not len(self):
            raise UxlensError(f"No sessions to replay in {self!r}.")
        return ReplayWidget(list(self), **kwargs)

    def head(self, n: int = 5) -> SessionList:
        """The first ``n`` sessions.

        Examples
        --------
        >>> import uxlens as ux
        >>> first = ux.demo().sessions().head(3)
        >>> len(first), type(first).__name__
        (3, 'SessionList')
        """
        return SessionList(self.frame.head(n), self.log, label=self.label)

    def __repr__(self) -> str:
        label = f" {self.label}" if self.label else ""
        return f"<SessionList{label}: {len(self)} sessions>"

    def _repr_html_(self) -> str:
        label = f" · {html.escape(self.label)}" if self.label else ""
        head = f"<b>SessionList</b>{label} · {len(self):,} sessions"
        return f"<div style='font-family:system-ui,sans-serif'>{head}</div>" + (
            self.frame.head(20).to_html(index=False, max_cols=16)
        )
