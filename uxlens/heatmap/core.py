"""Heatmaps: where users click, move, scroll, look and fight, on the page they saw.

:class:`Heatmap` is a thin, lazy front over the aggregates in
:mod:`uxlens.engine.heatmap` (Ibis expressions: DuckDB by default, PySpark or
another backend on request), the page renderer in :mod:`uxlens.render` and the
figures in :mod:`uxlens.plotting.heatmap`. Constructing one validates the
arguments; the first call that needs numbers computes and caches them.

Examples
--------
>>> import uxlens as ux
>>> from uxlens.heatmap import Heatmap
>>> h = Heatmap(ux.demo(), url="/onboarding/invite", background=None)
>>> g = h.grid(bin_px=40)
>>> bool(g["count"].sum() > 0), sorted(g["device"].unique())
(True, ['desktop', 'mobile', 'tablet'])
>>> int(h.skipped["events"].sum()) >= 0
True
"""

from __future__ import annotations

import base64
import functools
import html
import math
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engine import heatmap as eng
from ..engine.backend import as_table, execute
from ..exceptions import MissingDependencyError, UxlensError
from ..export import Exportable

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

    from ..eventlog import EventLog, SessionList

__all__ = ["Heatmap", "HeatmapComparison", "KINDS"]

#: Map kinds: what is counted.
KINDS: dict[str, str] = {
    "click": "clicks",
    "move": "cursor positions",
    "scroll": "share of sessions that reached each depth",
    "attention": "seconds the viewport spent over each band",
    "rage": "rage clicks",
    "dead": "dead clicks",
    "error": "clicks followed by an error",
}
_POINT_KINDS = ("click", "move", "rage", "dead", "error")
_FLAG_KINDS = ("rage", "dead", "error")
_BACKGROUNDS = ("auto", "snapshot", "wireframe")
#: ``screen=`` value for one map of every screen of the page, never split by screen.
ALL_SCREENS = "all"
#: A screen state is a *main* state of a page, drawn on its own panel by default, when it
#: holds at least this share of the page's events of the map's kind ...
SCREEN_MIN_SHARE = 0.10
#: ... and is among the most frequent this many.
SCREEN_MAX_PANELS = 4
_ALIGNS = ("fraction", "element")


class _hybrid:
    """``h.compare(other)`` on an instance and ``Heatmap.compare(a, b)`` on the class."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        functools.update_wrapper(self, func)

    def __get__(self, obj: Any, owner: type) -> Callable[..., Any]:
        if obj is None:
            return self.func
        return functools.partial(self.func, obj)


@dataclass
class _Shared:
    """State shared by a heatmap and the variants made with :meth:`Heatmap.with_`."""

    source: Any
    backend: Any
    log: EventLog | None
    table: Any
    cache: dict[Any, Any] = field(default_factory=dict)


def _as_shared(events: Any, backend: Any) -> _Shared:
    import ibis.expr.types as ir

    from ..eventlog import EventLog, engine_input

    if isinstance(events, _Shared):
        return events
    events = engine_input(events)  # a lazy log is aggregated in its backend
    if isinstance(events, EventLog):
        log = events
    elif isinstance(events, pd.DataFrame):
        frame = events
        if "seq" not in frame.columns:
            from ..events import validate

            frame = validate(frame, source="heatmap").events
        log = EventLog(frame)
    elif isinstance(events, ir.Table):
        log = None
    else:
        raise UxlensError(
            "Heatmap expects an EventLog, a canonical events DataFrame or an Ibis table; "
            f"got {type(events).__name__}. Fix: load data with ux.read_rrweb(...) or "
            "ux.read_events(...)."
        )
    table = as_table(log if log is not None else events, backend)
    return _Shared(events, backend, log, eng.ensure_columns(table))


def _screen_shared(shared: _Shared, backend: Any) -> _Shared:
    """``shared`` with a ``screen`` column, found from the recordings when missing (cached)."""
    if "screen" in shared.table.columns:
        return shared
    cached = shared.cache.get("screen_shared")
    if cached is not None:
        return cached
    log = shared.log
    if log is None or not log.recordings:
        raise UxlensError(
            "Heatmap(screen=...) needs a 'screen' column on the events or rrweb recordings to "
            "find the screens in; these events have neither. Fix: load the data with "
            "ux.read_rrweb(...) (recordings kept) or add a 'screen' column "
            "(uxlens.screens.add_screen_column(log))."
        )
    from ..screens import add_screen_column

    cached = shared.cache["screen_shared"] = _as_shared(add_screen_column(log), backend)
    return cached


def _screen_names(shared: _Shared) -> list[str]:
    """Distinct values of the ``screen`` column (cached on the shared state)."""
    if "screen_names" not in shared.cache:
        if shared.log is not None and "screen" in shared.log.events.columns:
            col = shared.log.events["screen"]
            values = pd.unique(col.dropna().astype(str))
        else:
            t = shared.table
            values = execute(t.filter(t.screen.notnull()).select("screen").distinct())[
                "screen"].astype(str).tolist()
        shared.cache["screen_names"] = sorted(str(v) for v in values)
    return shared.cache["screen_names"]


class Heatmap(Exportable):
    """A heatmap of one page (or a URL pattern), per device class.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog`, a canonical events DataFrame or an Ibis
        table of canonical events.
    url
        The page: an exact path or URL (``"/onboarding/invite"``), a ``*``
        wildcard (``"/project/*"``) or a regex (``"re:^/project/\\d+$"``).
    kind
        ``"click"``, ``"move"`` (cursor), ``"scroll"`` (share of sessions that
        reached each depth, with the average fold), ``"attention"`` (seconds
        the viewport spent over each band of the page), ``"rage"``,
        ``"dead"`` or ``"error"`` (clicks flagged by
        :func:`uxlens.friction.flag_clicks`).
    device
        ``"desktop"``, ``"tablet"``, ``"mobile"`` or a list; ``None`` keeps
        every device class, each on its own map (layouts differ).
    segment
        Which sessions: a dict ``{column: value or [values]}`` over event
        columns (``{"source": "paid", "is_returning": False}``), a
        :class:`~uxlens.SessionList` (e.g. ``Funnel.dropped(3)``, the users
        who dropped at step 3) or a list of session ids.
    version
        Shortcut for ``segment={"version": version}`` (A/B page versions).
    width
        Reference layout width in CSS px for every device shown; default: the
        most common viewport width of each device class.
    background
        ``"auto"`` (the page rebuilt from the recordings' DOM snapshot when
        recordings and Chromium are available, else a wireframe of element
        boxes), ``"snapshot"``, ``"wireframe"``, a path to a screenshot
        (PNG/JPEG, drawn at the reference width) or ``None``.
    bin_px
        Default bin size of :meth:`grid` and :meth:`plot`, in CSS px.
    align
        ``"fraction"``: x is the fraction of the viewport width (drawn on the
        reference width). ``"element"``: clicks on known targets keep their
        relative position inside the element, whose box comes from
        ``boxes`` or from rendering the snapshot at the sessions' widths.
    boxes
        Element boxes per layout width for ``align="element"``: columns
        ``device, viewport_w, target, left, top, width, height`` (document
        px); the reference-width rows give the layout drawn.
    friction
        Threshold overrides passed to :func:`uxlens.friction.flag_clicks`
        (e.g. ``{"preset": "posthog"}``).
    backend
        Ibis backend for in-memory data (see :func:`uxlens.connect`).
    screen
        Which screen states of the page (A/B variants, a modal open or
        closed, the views of a single-page app; see :mod:`uxlens.screens`):

        - ``None`` (default): when the page shows two or more *main* states
          (:meth:`main_screens`: each with at least 10 % of the page's events
          of this kind, at most 4), :meth:`plot` and the notebook view draw
          them side by side, each on its own page rendering with its own
          counts, because one map of them all paints clicks on buttons that
          were never there. The numbers (:meth:`grid`, :meth:`elements`,
          :meth:`summary`...) still cover the whole page; a page with one
          state, scroll and attention maps, and events without recordings
          (nor a ``screen`` column) get the single map.
        - ``"all"``: the single map of every state merged, never split.
        - a state's name (from ``log.screens()``, e.g.
          ``log.screens().for_url("/onboarding/invite")[0]``): only events
          shown on that screen count, and the background is rebuilt at the
          moment a recording showed it.

        Events get a ``screen`` column from
        :func:`uxlens.screens.add_screen_column` when they lack one (states
        are found once per EventLog and cached with it).

    Notes
    -----
    The background snapshot comes from a session of the heatmap's segment
    (version, segment filters, session list) when one has a snapshot of the
    page, so that a version-A map is drawn over the version-A page; the
    reference widths, fixed elements and element boxes stay page-wide so
    that segments remain comparable. :meth:`background_sources` says which
    recording each background was rebuilt from.

    Coordinates are normalised so that sessions with different viewports land
    on one layout: x as a fraction of the viewport width (or element-relative,
    see ``align``), y in document px. Clicks on fixed or sticky elements
    (detected from the DOM snapshot's inline styles and CSS, from the
    rendered page's computed styles, or from targets whose clicks keep the
    same viewport y while the scroll position varies) are placed in viewport
    coordinates, where those elements sit on the page image. Events that
    cannot be placed are counted in :attr:`skipped` with their reason.

    Examples
    --------
    >>> import uxlens as ux
    >>> log = ux.demo()
    >>> h = Heatmap(log, url="/onboarding/invite", kind="click", device="desktop",
    ...             background=None)
    >>> top = h.elements().iloc[0]
    >>> bool(top["clicks"] > 0 and 0 < top["share"] <= 1)
    True
    """

    def __init__(
        self,
        events: Any,
        *,
        url: str | Sequence[str],
        kind: str = "click",
        device: str | Sequence[str] | None = None,
        segment: Mapping[str, Any] | SessionList | Sequence[str] | None = None,
        version: Any = None,
        width: int | None = None,
        background: str | Path | None = "auto",
        bin_px: float = 20,
        align: str = "fraction",
        boxes: pd.DataFrame | None = None,
        friction: Mapping[str, Any] | None = None,
        backend: Any = None,
        screen: str | None = None,
    ) -> None:
        self.url = url
        self.kind = kind
        self.device = device
        self.segment = segment
        self.version = version
        self.width = width
        self.background = background
        self.bin_px = bin_px
        self.align = align
        self.boxes = boxes
        self.friction = dict(friction or {})
        self.backend = backend
        self.screen = screen
        self._validate()
        self._shared = _as_shared(events, backend)
        if screen is not None and screen != ALL_SCREENS:
            self._shared = _screen_shared(self._shared, backend)
            names = _screen_names(self._shared)
            if screen not in names:
                from ..exceptions import did_you_mean

                raise UxlensError(
                    f"Heatmap(screen={screen!r}): no such screen in these events."
                    f"{did_you_mean(screen, names)} Known screens: {names[:12]}. "
                    "Fix: pick a name from log.screens().table() or "
                    "log.screens().for_url(url)."
                )
        self._cache: dict[Any, Any] = {}

    # ----------------------------------------------------------- validation
    def _validate(self) -> None:
        if not isinstance(self.url, str) and not (
            isinstance(self.url, Sequence) and self.url and all(isinstance(u, str) for u in self.url)
        ):
            raise UxlensError(
                f"url must be a path, a '*' pattern or 're:<regex>' (or a list of them); "
                f"got {self.url!r}. Example: url='/onboarding/invite'."
            )
        if self.kind not in KINDS:
            from ..exceptions import did_you_mean

            raise UxlensError(
                f"kind={self.kind!r} is not a heatmap kind.{did_you_mean(self.kind, KINDS)} "
                f"Expected one of {list(KINDS)}."
            )
        if self.align not in _ALIGNS:
            raise UxlensError(f"align must be one of {list(_ALIGNS)}; got {self.align!r}.")
        if self.width is not None and (not isinstance(self.width, (int, np.integer)) or self.width <= 0):
            raise UxlensError(f"width must be a positive number of CSS px; got {self.width!r}.")
        if not (isinstance(self.bin_px, (int, float)) and self.bin_px > 0):
            raise UxlensError(f"bin_px must be a positive number of px; got {self.bin_px!r}.")
        bg = self.background
        if bg is not None and bg not in _BACKGROUNDS:
            if not isinstance(bg, (str, Path)) or not Path(bg).is_file():
                raise UxlensError(
                    f"background must be one of {list(_BACKGROUNDS)}, None or the path of an "
                    f"existing screenshot; got {bg!r}."
                )
        if self.screen is not None and (not isinstance(self.screen, str) or not self.screen):
            raise UxlensError(
                f"screen must be a screen name (a string from log.screens()); got {self.screen!r}."
            )
        if self.boxes is not None:
            need = {"device", "viewport_w", "target", "left", "top", "width", "height"}
            missing = need - set(self.boxes.columns)
            if missing:
                raise UxlensError(
                    f"boxes lacks columns {sorted(missing)}; expected {sorted(need)}."
                )

    def with_(self, **changes: Any) -> Heatmap:
        """A variant of this heatmap (other kind, device, segment...) sharing its data and caches.

        Examples
        --------
        >>> import uxlens as ux
        >>> h = Heatmap(ux.demo(), url="/onboarding/invite", background=None)
        >>> h.with_(kind="rage").kind
        'rage'
        """
        params = {
            "url": self.url, "kind": self.kind, "device": self.device, "segment": self.segment,
            "version": self.version, "width": self.width, "background": self.background,
            "bin_px": self.bin_px, "align": self.align, "boxes": self.boxes,
            "friction": self.friction, "backend": self.backend, "screen": self.screen,
        }
        unknown = set(changes) - set(params)
        if unknown:
            raise UxlensError(f"with_() got unknown parameters {sorted(unknown)}.")
        params.update(changes)
        return Heatmap(self._shared, **params)

    @classmethod
    def by_screen(cls, events: Any, *, url: str | Sequence[str], top: int = 3,
                  **params: Any) -> list[Heatmap]:
        """One heatmap per main screen state of a URL, most visited first.

        A URL often shows several screens (A/B variants, a modal open or
        closed); mixing them paints clicks on buttons that were never there.
        This returns a heatmap for each of the ``top`` states with the most
        sessions on the page, each drawn over its own snapshot; plot them side
        by side with :meth:`plot_screens`.

        Parameters
        ----------
        events
            An :class:`~uxlens.EventLog` with recordings (or events with a
            ``screen`` column).
        url
            The page, as for :class:`Heatmap`.
        top
            How many states (by distinct sessions on the page).
        **params
            Other :class:`Heatmap` parameters (``kind``, ``device``...).

        Examples
        --------
        >>> import uxlens as ux
        >>> maps = Heatmap.by_screen(ux.demo(), url="/onboarding/invite", background=None)
        >>> [m.screen for m in maps]  # the two A/B versions of the page
        ['Invite your teammates — Add comma-separated emails', \
'Invite your teammates — use comma-separated emails']
        """
        if "screen" in params:
            raise UxlensError("by_screen() picks the screens itself; do not pass screen=.")
        if not isinstance(top, (int, np.integer)) or top < 1:
            raise UxlensError(f"top must be a positive integer; got {top!r}.")
        backend = params.get("backend")
        shared = _screen_shared(_as_shared(events, backend), backend)
        probe = cls(shared, url=url, **params)
        ev = probe._page(None)
        ev = ev.filter(ev.screen.notnull())
        counts = execute(ev.group_by("screen").agg(n=ev.session_id.nunique()))
        counts["screen"] = counts["screen"].astype(str)
        counts = counts.sort_values(["n", "screen"], ascending=[False, True], kind="stable")
        return [probe.with_(screen=name) for name in counts["screen"].head(int(top))]

    @staticmethod
    def plot_screens(heatmaps: Sequence[Heatmap], device: str | None = None, *,
                     bin_px: float | None = None, smooth: float | str | None = "auto",
                     hotspots: bool = True, title: str | None = None,
                     subtitle: str = "") -> go.Figure:
        """Heatmaps of several screens side by side: one panel per screen, for one device.

        ``device`` defaults to the device class with the most events across
        the maps. Each panel is drawn over its screen's own background and
        titled with the screen's name and its own count.

        Examples
        --------
        >>> import uxlens as ux
        >>> maps = Heatmap.by_screen(ux.demo(), url="/onboarding/invite", background=None)
        >>> fig = Heatmap.plot_screens(maps, "desktop")
        >>> len([t for t in fig.data if t.type == "heatmap"])
        2
        """
        from ..plotting import heatmap as plots

        maps = list(heatmaps)
        if not maps or not all(isinstance(h, Heatmap) for h in maps):
            raise UxlensError("plot_screens() needs a non-empty list of Heatmap objects "
                              "(e.g. Heatmap.by_screen(log, url=...)).")
        kind = maps[0].kind
        if kind not in _POINT_KINDS or any(h.kind != kind for h in maps):
            raise UxlensError(
                f"plot_screens() draws point maps of one kind; got {[h.kind for h in maps]}.")
        device = device or _busiest_device(maps)
        b = float(bin_px or maps[0].bin_px)
        sigma = b if smooth == "auto" else smooth
        grids, widths, backgrounds, spots = [], {}, {}, []
        for label, h in _screen_labels(maps).items():
            refs = h.reference_widths()
            if device not in refs:
                continue
            g = h.grid(b, smooth=sigma)
            g = g.loc[g["device"] == device]
            grids.append(g.assign(device=label))
            widths[label] = refs[device]
            backgrounds[label] = h.background_image(device)
            if hotspots and int(g["count"].sum()):
                hs = h.hotspots()
                spots.append(hs.loc[hs["device"] == device].assign(device=label))
        if not grids:
            raise UxlensError(f"plot_screens(): no {device!r} map in these heatmaps.")
        page = maps[0].url if isinstance(maps[0].url, str) else ", ".join(maps[0].url)
        return plots.heatmap_figure(
            pd.concat(grids, ignore_index=True), bin_px=b, widths=widths,
            backgrounds=backgrounds, hotspots=pd.concat(spots, ignore_index=True) if spots
            else None,
            title=title or f"{KINDS[kind].capitalize()} on {page} by screen · {device}",
            subtitle=subtitle, unit=KINDS[kind],
        )

    def main_screens(self, *, min_share: float = SCREEN_MIN_SHARE,
                     top: int = SCREEN_MAX_PANELS) -> list[str]:
        """The page's main screen states, drawn side by side by default; ``[]`` when one.

        A state is *main* when it holds at least ``min_share`` of the page's
        placeable events of this map's kind (after the device and segment
        filters); at most ``top`` of them, most events first. The answer is
        ``[]`` (one map) when fewer than two states qualify, when the map
        already picks a state (``screen=name``) or merges them
        (``screen="all"``), for scroll and attention maps, and for events
        without recordings nor a ``screen`` column. A page whose recordings
        show one state costs one look at the cached states, no event
        assignment.

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> Heatmap(log, url="/onboarding/invite", background=None).main_screens()
        ['Invite your teammates — use comma-separated emails', \
'Invite your teammates — Add comma-separated emails']
        >>> Heatmap(log, url="/signup", background=None).main_screens()
        []
        """
        if not (0 < min_share <= 1):
            raise UxlensError(f"min_share must be in (0, 1]; got {min_share!r}.")
        if not isinstance(top, (int, np.integer)) or top < 1:
            raise UxlensError(f"top must be a positive integer; got {top!r}.")
        if self.screen is not None or self.kind not in _POINT_KINDS:
            return []
        return self._cached(("main_screens", float(min_share), int(top)),
                            lambda: self._main_screens(float(min_share), int(top)))

    def _main_screens(self, min_share: float, top: int) -> list[str]:
        shared = self._shared
        if "screen" not in shared.table.columns:
            log = shared.log
            if log is None or not log.recordings:
                return []
            from ..screens import screen_states

            # cheap exit first: the states seen on these URLs, from the cached visits
            seg = screen_states(log).segments
            if seg.loc[seg["url"].isin(self.urls), "state"].nunique() < 2:
                return []
            shared = _screen_shared(shared, self.backend)
        probe = Heatmap(shared, url=self.url, kind=self.kind, device=self.device,
                        segment=self.segment, version=self.version, width=self.width,
                        background=None, bin_px=self.bin_px, align=self.align, boxes=self.boxes,
                        friction=self.friction, backend=self.backend, screen=ALL_SCREENS)
        pts = probe._valid()
        counts = execute(pts.group_by("screen").agg(n=pts.count()))
        total = float(counts["n"].sum())
        counts = counts.loc[counts["screen"].notna()].assign(
            screen=lambda c: c["screen"].astype(str))
        main = counts.loc[counts["n"] >= min_share * total] if total else counts.iloc[0:0]
        main = main.sort_values(["n", "screen"], ascending=[False, True], kind="stable")
        names = main["screen"].head(top).tolist()
        return names if len(names) >= 2 else []

    def screen_maps(self) -> list[Heatmap]:
        """One heatmap per main screen state (:meth:`main_screens`), sharing this one's data.

        Examples
        --------
        >>> import uxlens as ux
        >>> h = Heatmap(ux.demo(), url="/dashboard", background=None)
        >>> [m.screen for m in h.screen_maps()]  # the welcome modal open, then closed
        ["Your projects — modal: You're all set!", 'Your projects']
        """
        return [self.with_(screen=name) for name in self.main_screens()]

    # --------------------------------------------------------------- basics
    @property
    def log(self) -> EventLog | None:
        """The EventLog behind this heatmap (``None`` for an Ibis table source).

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> ux.Heatmap(log, url="/onboarding/invite").log is log
        True
        """
        return self._shared.log

    def _cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def _shared_cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        cache = self._shared.cache
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    @property
    def urls(self) -> list[str]:
        """The recorded URLs this heatmap's ``url`` pattern matches.

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.Heatmap(ux.demo(), url="/onboarding/*", background=None).urls
        ['https://app.acme-projects.example/onboarding/invite', \
        'https://app.acme-projects.example/onboarding/profile']
        """
        key = ("urls", self.url if isinstance(self.url, str) else tuple(self.url))
        return self._shared_cached(key, lambda: eng.matching_urls(self._shared.table, self.url))

    @property
    def _segment_filters(self) -> dict[str, Any]:
        filters: dict[str, Any] = {}
        if isinstance(self.segment, Mapping):
            filters.update(self.segment)
        if self.version is not None:
            filters["version"] = self.version
        if self._screen_name is not None:
            filters["screen"] = self._screen_name
        return filters

    @property
    def _screen_name(self) -> str | None:
        """The one screen state this map is restricted to (``None``: every state)."""
        return None if self.screen in (None, ALL_SCREENS) else self.screen

    @property
    def _segment_ids(self) -> list[str] | None:
        seg = self.segment
        if seg is None or isinstance(seg, Mapping):
            return None
        ids = getattr(seg, "ids", None)
        if ids is not None:
            return [str(i) for i in ids]
        if isinstance(seg, (str, bytes)) or not isinstance(seg, Sequence):
            raise UxlensError(
                "segment must be a dict of column filters, a SessionList or a list of session "
                f"ids; got {type(seg).__name__}."
            )
        return [str(i) for i in seg]

    def _devices(self) -> list[str] | None:
        if self.device is None:
            return None
        return [self.device] if isinstance(self.device, str) else [str(d) for d in self.device]

    def _page(self, events: Sequence[str] | None) -> Any:
        t = self._shared.table
        ev = eng.page_events(
            t, self.urls, events=events, segment=self._segment_filters,
            session_ids=self._segment_ids,
        )
        devices = self._devices()
        if devices is not None:
            ev = ev.filter(ev.device.isin(devices))
        return ev

    def _wide(self) -> Heatmap:
        """The same page without segment, version or device filters.

        The page's layout (reference widths, fixed elements, element boxes)
        is a property of the page, not of a segment: computing it page-wide
        keeps segments and versions on one layout, so they can be compared,
        and computes it once for all of them. A ``screen`` is kept: it is a
        layout of the page. The background image is the page-wide one unless
        the segment's own sessions show a different snapshot (see
        :meth:`background_sources`).
        """
        if self.segment is None and self.version is None and self.device is None:
            return self
        key = ("wide", tuple(self.urls), self.kind, self.width, str(self.background),
               self.align, id(self.boxes), tuple(sorted(self.friction.items())), self.screen)
        return self._shared_cached(
            key, lambda: self.with_(segment=None, version=None, device=None))

    # ---------------------------------------------------------------- flags
    def flags(self) -> pd.DataFrame:
        """Rage / dead / error flags of every click (from :func:`uxlens.friction.flag_clicks`).

        Examples
        --------
        >>> import uxlens as ux
        >>> flags = ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).flags()
        >>> list(flags.columns)
        ['session_id', 'seq', 'rage', 'dead', 'error']
        >>> int(flags["rage"].sum()), int(flags["error"].sum())
        (177, 31)
        """

        def compute() -> pd.DataFrame:
            try:
                from ..friction import flag_clicks
            except ImportError as exc:  # pragma: no cover - friction ships with uxlens
                raise MissingDependencyError(f"Friction flags are unavailable: {exc}") from exc
            source = self._shared.log if self._shared.log is not None else None
            if source is None:
                cols = ["session_id", "user_id", "seq", "timestamp", "event", "url", "x", "y",
                        "target"]
                t = self._shared.table
                sub = t.filter(t.session_id.isin(
                    self._page(None).select("session_id").distinct().session_id
                )).select([c for c in cols if c in t.columns])
                source = execute(sub)
            flags = flag_clicks(source, backend=self.backend, **self.friction)
            return flags[["session_id", "seq", "rage", "dead", "error"]].copy()

        key = ("flags", tuple(sorted(self.friction.items())))
        return self._shared_cached(key, compute)

    def _with_flags(self, ev: Any) -> Any:
        import ibis

        f = ibis.memtable(
            self.flags().rename(columns=lambda c: f"f_{c}").astype(
                {"f_session_id": str, "f_seq": "int64"}
            )
        )
        j = ev.left_join(f, [ev.session_id == f.f_session_id, ev.seq == f.f_seq])
        j = j.mutate(rage=j.f_rage, dead=j.f_dead, error=j.f_error)
        return j.drop([c for c in j.columns if c.startswith("f_")])

    # --------------------------------------------------------------- points
    def _points(self, *, flags: bool = False, kind: str | None = None) -> Any:
        """Page events of the kind with ``skip_reason`` (and flags if asked)."""
        kind = kind or self.kind
        if kind not in _POINT_KINDS:
            raise UxlensError(f"kind={kind!r} has no points; use grid() for its bands.")
        ev = self._page(eng.KIND_EVENTS[kind])
        if flags or kind in _FLAG_KINDS:
            ev = self._with_flags(ev)
            if kind in _FLAG_KINDS:
                ev = ev.filter(ev[kind].fill_null(False))
        return eng.with_skip_reason(ev)

    def _valid(self, **kw: Any) -> Any:
        p = self._points(**kw)
        return p.filter(p.skip_reason.isnull())

    def reference_widths(self) -> dict[str, int]:
        """Reference layout width per device class (``width`` or the most common viewport).

        Computed over every session of the page (not only the segment), so
        that segments and versions are drawn on the same layout.

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).reference_widths()
        {'desktop': 1440, 'mobile': 390, 'tablet': 820}
        """
        wide = self._wide()
        if wide is not self:
            devices = self._devices()
            return {d: w for d, w in wide.reference_widths().items()
                    if devices is None or d in devices}

        def compute() -> dict[str, int]:
            if self.kind in _POINT_KINDS:
                src = self._valid(kind="click" if self.kind in _FLAG_KINDS else self.kind)
            else:
                src = eng.with_skip_reason(self._page(None), coordinates=False)
                src = src.filter(src.skip_reason.isnull())
            widths = eng.reference_widths(src)
            if not widths:  # e.g. a move map without moves: fall back to any page event
                src = eng.with_skip_reason(self._page(None), coordinates=False)
                widths = eng.reference_widths(src.filter(src.skip_reason.isnull()))
            if self.width is not None:
                widths = {d: int(self.width) for d in widths}
            return widths

        return self._cached("ref_widths", compute)

    def _coords(self, *, flags: bool = False, ref_widths: Mapping[str, int] | None = None) -> Any:
        refs = dict(ref_widths or self.reference_widths())
        if not refs:
            return None
        fixed = self.fixed()
        boxes = self._alignment_boxes(refs) if self.align == "element" else None
        sel_rows = fixed.loc[fixed["kind"] == "selector"]
        targets = sorted({t for ts in sel_rows["targets"] for t in ts} | set(sel_rows["selector"]))
        return eng.plot_coords(
            self._valid(flags=flags), refs,
            fixed_targets=targets, fixed_prefixes=sorted(set(sel_rows["selector"])),
            fixed_boxes=fixed.loc[fixed["kind"] == "box"],
            boxes=boxes,
        )

    # ------------------------------------------------------------ fixed/sticky
    def fixed(self) -> pd.DataFrame:
        """Fixed and sticky elements found on the page, and how they were found.

        Columns: ``kind`` (``"selector"`` or ``"box"``), ``source``
        (``"snapshot css"``, ``"rendered"``, ``"clicks"``), ``device``,
        ``selector``, ``left, top, width, height`` (boxes: viewport px at the
        reference width) and ``targets`` (click targets inside the element:
        target paths stop at the nearest element with an id, so a link
        ``a#nav`` inside a fixed header is listed here).

        Examples
        --------
        The invite page's top bar and toast container are fixed (found in the
        snapshot's CSS), so clicks on them are placed in viewport coordinates:

        >>> import uxlens as ux
        >>> fixed = ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).fixed()
        >>> fixed[["kind", "source", "selector"]].values.tolist()
        [['selector', 'snapshot css', 'div#toast-root.toast-root'], \
        ['selector', 'snapshot css', 'header#topbar.topbar']]
        """
        wide = self._wide()
        if wide is not self:
            return wide.fixed()
        return self._cached("fixed", self._compute_fixed)

    def _compute_fixed(self) -> pd.DataFrame:
        rows: list[dict[str, Any]] = []
        if self.kind in _POINT_KINDS:
            for sel, targets in self._snapshot_fixed().items():
                rows.append({"kind": "selector", "source": "snapshot css", "selector": sel,
                             "targets": targets})
            pts = self._valid(kind="click" if self.kind in _FLAG_KINDS else self.kind)
            stats = eng.fixed_target_stats(pts.filter(pts.target.notnull()))
            known = {t for r in rows for t in r["targets"]}
            for r in stats.itertuples(index=False):
                if r.target in known or pd.isna(r.sd_scroll):
                    continue
                if r.sd_scroll >= 50 and r.sd_client <= min(30.0, 0.25 * r.sd_y):
                    rows.append({"kind": "selector", "source": "clicks", "selector": r.target,
                                 "targets": [r.target]})
        for device, info in self._renders().items():
            vw, vh = self.reference_widths().get(device, 0), self._viewport_heights().get(device, 0)
            for b in info.fixed.itertuples(index=False):
                # An element covering most of the viewport (an app shell, a modal backdrop)
                # says nothing about where fixed bars are; its clicks stay on the page.
                if vw and vh and b.width * b.height > 0.6 * vw * vh:
                    continue
                rows.append({"kind": "box", "source": "rendered", "device": device,
                             "selector": b.selector, "left": b.left, "top": b.top,
                             "width": b.width, "height": b.height, "targets": []})
        cols = ["kind", "source", "device", "selector", "left", "top", "width", "height",
                "targets"]
        return pd.DataFrame(rows, columns=cols)

    def _snapshot_fixed(self) -> dict[str, list[str]]:
        """Fixed/sticky elements of the page's DOM snapshots and the targets inside them."""
        from ..render import fixed_elements

        found: dict[str, set[str]] = {}
        for _device, (recording, at_ms) in self._snapshots(limit=3).items():
            for r in fixed_elements(recording, at_ms=at_ms).itertuples(index=False):
                found.setdefault(r.selector, set()).add(r.target)
        return {sel: sorted(t) for sel, t in sorted(found.items())}

    # ------------------------------------------------------------------ grid
    def grid(
        self, bin_px: float | None = None, smooth: float | None = None, *, sessions: bool = True
    ) -> pd.DataFrame:
        """The map's numbers as a tidy DataFrame.

        Parameters
        ----------
        bin_px
            Bin size in CSS px (default: the heatmap's ``bin_px``).
        smooth
            Gaussian sigma in px for the ``value`` column (``count`` stays exact).
        sessions
            Count the distinct sessions of each bin (point maps). Counting
            them costs about as much as the rest of the grid on millions of
            points; ``False`` leaves ``sessions`` empty.

        Returns
        -------
        DataFrame
            Point kinds: ``device, layer, x_bin, y_bin, x0, x1, y0, y1, x, y,
            x_frac, count, sessions, share, value`` (``x``/``y``: bin centre in
            px of the reference layout; ``layer`` is ``"page"`` or ``"fixed"``).
            ``scroll``: ``device, y, reached, sessions, share`` (share of
            sessions whose viewport bottom reached depth ``y``).
            ``attention``: ``device, y0, y1, seconds, share, seconds_per_session``.

        Examples
        --------
        >>> import uxlens as ux
        >>> g = Heatmap(ux.demo(), url="/onboarding/invite", background=None).grid(bin_px=50)
        >>> bool((g["share"].groupby(g["device"]).sum().round(9) == 1).all())
        True
        """
        b = float(bin_px or self.bin_px)
        if self.kind == "scroll":
            return self._cached(("scroll", b), lambda: self._scroll(b)[0])
        if self.kind == "attention":
            return self._cached(("attention", b), lambda: self._attention(b))
        return self._cached(("grid", b, smooth, sessions),
                            lambda: self._grid(b, smooth, sessions))

    def _grid(self, b: float, smooth: float | None, sessions: bool = True) -> pd.DataFrame:
        coords = self._coords()
        if coords is None:
            return eng.grid_frame(pd.DataFrame(), b, {})
        counts = execute(eng.grid_counts(coords, b, sessions=sessions))
        return eng.grid_frame(counts, b, self.reference_widths(), smooth=smooth)

    def _scroll(self, b: float) -> tuple[pd.DataFrame, pd.DataFrame]:
        ev = eng.with_skip_reason(self._page(None), coordinates=False)
        return eng.scroll_reach(ev.filter(ev.skip_reason.isnull()), b)

    def scroll_summary(self) -> pd.DataFrame:
        """Per device: sessions, average fold (viewport height), median page height and depth.

        Examples
        --------
        >>> import uxlens as ux
        >>> s = ux.Heatmap(ux.demo(), url="/pricing", kind="scroll", background=None).scroll_summary()
        >>> s[["device", "sessions"]].values.tolist()
        [['desktop', 79], ['mobile', 41], ['tablet', 12]]
        >>> bool((s["depth_median"] <= s["page_h"]).all())
        True
        """
        return self._cached(("scroll", float(self.bin_px), "summary"),
                            lambda: self._scroll(float(self.bin_px))[1])

    def _attention(self, b: float) -> pd.DataFrame:
        t = self._shared.table
        preds = eng.segment_predicate(t, self._segment_filters)
        on_page = self._page(None).select("session_id").distinct()
        states = t.filter(preds) if preds else t
        states = states.semi_join(on_page, states.session_id == on_page.session_id)
        states = states.filter(states.scroll_y.notnull() | (states.event == "pageview"))
        devices = self._devices()
        out = eng.attention_bands(states, self.urls, b)
        if devices is not None:
            out = out.loc[out["device"].isin(devices)].reset_index(drop=True)
        sessions = self._page_sessions()
        total = out.groupby("device")["seconds"].transform("sum")
        out["share"] = out["seconds"] / total
        out["seconds_per_session"] = out["seconds"] / out["device"].map(sessions).astype(float)
        return out

    def _page_sessions(self) -> dict[str, int]:
        """Sessions with any event on the page, per device (the rates' denominator)."""

        def compute() -> dict[str, int]:
            ev = self._page(None)
            ev = ev.filter(ev.device.notnull())
            out = execute(ev.group_by("device").agg(n=ev.session_id.nunique()))
            return {str(d): int(n) for d, n in zip(out["device"], out["n"])}

        return self._cached("page_sessions", compute)

    # --------------------------------------------------------------- skipped
    @property
    def skipped(self) -> pd.DataFrame:
        """Events that could not be placed, counted per page, device and reason.

        Reasons (see :data:`uxlens.engine.heatmap.SKIP_REASONS`): ``no_coordinates``,
        ``zero_viewport``, ``outside_page``, ``no_device`` and ``no_events``
        (a matched page with no events of this kind in the segment: ``events``
        is 0 and ``sessions`` counts the sessions that viewed it).

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).skipped.empty  # every click placed
        True
        """
        return self._cached("skipped", self._compute_skipped)

    def _compute_skipped(self) -> pd.DataFrame:

        if self.kind in _POINT_KINDS:
            parts = [eng.skipped_counts(self._points())]
            names = eng.KIND_EVENTS[self.kind]
        else:
            parts = [eng.skipped_counts(eng.with_skip_reason(self._page(None), coordinates=False))]
            names = None
        page = self._page(None)
        is_kind = page.event.isin(list(names)) if names else page.event.notnull()
        if self.kind in _FLAG_KINDS:
            flagged = self._with_flags(page)
            is_kind = is_kind & flagged[self.kind].fill_null(False)
            page = flagged
        per_url = execute(page.group_by("url").agg(
            n_kind=is_kind.cast("int64").sum(), sessions=page.session_id.nunique()))
        seen = set(per_url["url"].astype(str))
        empty = per_url.loc[per_url["n_kind"].fillna(0) == 0, ["url", "sessions"]]
        extra = [{"url": u, "device": None, "reason": "no_events", "events": 0, "sessions": 0}
                 for u in self.urls if u not in seen]
        parts.append(empty.assign(device=None, reason="no_events", events=0))
        parts.append(pd.DataFrame(extra, columns=["url", "device", "reason", "events", "sessions"]))
        out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
            len(p) for p in parts) else pd.DataFrame(
            columns=["url", "device", "reason", "events", "sessions"])
        out["detail"] = out["reason"].map(eng.SKIP_REASONS)
        out["events"] = out["events"].astype("int64")
        out["sessions"] = out["sessions"].astype("int64")
        cols = ["url", "device", "reason", "detail", "events", "sessions"]
        return out[cols].sort_values(["reason", "url"], kind="stable").reset_index(drop=True)

    # -------------------------------------------------------------- elements
    def elements(self) -> pd.DataFrame:
        """Clicks aggregated per target element (robust to moving layouts).

        Returns
        -------
        DataFrame
            One row per target selector, most clicked first: ``target, text,
            clicks, share`` (of the page's clicks), ``sessions`` (unique),
            ``rage, dead, error`` (flagged clicks) and ``first_click_share``
            (share of sessions whose first click on the page hit it). Clicks
            without coordinates still count: they hit their element.

        Examples
        --------
        >>> import uxlens as ux
        >>> el = Heatmap(ux.demo(), url="/onboarding/invite", background=None).elements()
        >>> round(float(el["first_click_share"].sum()), 6), round(float(el["share"].sum()), 6)
        (1.0, 1.0)
        """
        return self._cached("elements", self._compute_elements)

    def _compute_elements(self) -> pd.DataFrame:
        kind = self.kind if self.kind in _POINT_KINDS else "click"
        pts = self._points(flags=True, kind=kind)
        per, texts = eng.element_counts(pts)
        per["target"] = per["target"].astype(object)
        total = per["clicks"].sum()
        first_total = per["first"].sum()
        text = (texts.sort_values(["target", "n"], ascending=[True, False])
                .drop_duplicates("target").set_index("target")["target_text"])
        out = pd.DataFrame({
            "target": per["target"],
            "text": per["target"].map(text),
            "clicks": per["clicks"].astype("int64"),
            "share": per["clicks"] / total if total else np.nan,
            "sessions": per["sessions"].astype("int64"),
            "rage": per["rage"].astype("Int64"),
            "dead": per["dead"].astype("Int64"),
            "error": per["error"].astype("Int64"),
            "first_click_share": per["first"] / first_total if first_total else np.nan,
        })
        return out.sort_values(["clicks", "target"], ascending=[False, True],
                               na_position="last").reset_index(drop=True)

    # -------------------------------------------------------------- hotspots
    def hotspots(
        self, *, eps: float = 30.0, min_share: float = 0.02, min_clicks: int = 5
    ) -> pd.DataFrame:
        """Clusters of activity (DBSCAN) with their share and friction.

        Points are pooled in cells of ``eps / 3`` px and clustered per device
        with :class:`sklearn.cluster.DBSCAN` (``eps`` in px, cell counts as
        sample weights, a core needs ``max(min_clicks, min_share * points)``
        points within ``eps``).

        Returns
        -------
        DataFrame
            ``hotspot, device, x, y`` (weighted centre, px), ``x0, x1, y0, y1``
            (extent), ``clicks, share, sessions, rage, dead, error, friction``
            (share of the hotspot's clicks flagged rage, dead or error) and
            ``target`` (its most clicked element), biggest first.

        Examples
        --------
        The biggest hot spot of the invite page is the disabled "Send invites" button:

        >>> import uxlens as ux
        >>> spots = ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).hotspots()
        >>> top = spots.iloc[0]
        >>> top["device"], top["target"], int(top["clicks"]), int(top["sessions"])
        ('desktop', 'button#send-invites.btn.btn-primary.is-disabled', 174, 63)
        """
        key = ("hotspots", float(eps), float(min_share), int(min_clicks))
        return self._cached(key, lambda: self._hotspots(eps, min_share, min_clicks)[0])

    def _hotspots(
        self, eps: float, min_share: float, min_clicks: int
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        import ibis
        from sklearn.cluster import DBSCAN

        cols = ["hotspot", "device", "x", "y", "x0", "x1", "y0", "y1", "clicks", "share",
                "sessions", "rage", "dead", "error", "friction", "target"]
        empty = (pd.DataFrame(columns=cols), pd.DataFrame(columns=["device", "cx", "cy", "hotspot"]))
        if self.kind not in _POINT_KINDS:
            raise UxlensError(f"hotspots() needs a point map; this one is kind={self.kind!r}.")
        coords = self._coords(flags=True)
        if coords is None:
            return empty
        q = float(eps) / 3.0
        c = coords.mutate(
            cx=(coords.x_px / q).floor().cast("int64"), cy=(coords.y_px / q).floor().cast("int64"),
            flagged=(coords.rage.fill_null(False) | coords.dead.fill_null(False)
                     | coords.error.fill_null(False)),
        )
        cells = execute(c.group_by(["device", "cx", "cy"]).agg(
            n=c.count(), rage=c.rage.cast("int64").sum(), dead=c.dead.cast("int64").sum(),
            error=c.error.cast("int64").sum(), flagged=c.flagged.cast("int64").sum(),
        ))
        if cells.empty:
            return empty
        cells["device"] = cells["device"].astype(str)
        # Engines return groups in any order: sort so that labels are reproducible.
        cells = cells.sort_values(["device", "cy", "cx"]).reset_index(drop=True)
        labelled = []
        next_id = 0
        for _device, part in cells.groupby("device", sort=True):
            part = part.copy()
            total = float(part["n"].sum())
            min_samples = max(int(min_clicks), math.ceil(min_share * total))
            pts = np.c_[(part["cx"] + 0.5) * q, (part["cy"] + 0.5) * q]
            labels = DBSCAN(eps=eps, min_samples=min_samples).fit(
                pts, sample_weight=part["n"].to_numpy(dtype=float)).labels_
            part["label"] = np.where(labels >= 0, labels + next_id, -1)
            part["total"] = total
            next_id += int(labels.max()) + 1 if (labels >= 0).any() else 0
            labelled.append(part)
        cells = pd.concat(labelled, ignore_index=True)
        cells = cells.loc[cells["label"] >= 0]
        if cells.empty:
            return empty
        cells["xw"] = (cells["cx"] + 0.5) * q * cells["n"]
        cells["yw"] = (cells["cy"] + 0.5) * q * cells["n"]
        g = cells.groupby("label")
        hs = pd.DataFrame({
            "device": g["device"].first(),
            "x": g["xw"].sum() / g["n"].sum(), "y": g["yw"].sum() / g["n"].sum(),
            "x0": g["cx"].min() * q, "x1": (g["cx"].max() + 1) * q,
            "y0": g["cy"].min() * q, "y1": (g["cy"].max() + 1) * q,
            "clicks": g["n"].sum().astype("int64"),
            "share": g["n"].sum() / g["total"].first(),
            "rage": g["rage"].sum(), "dead": g["dead"].sum(), "error": g["error"].sum(),
            "friction": g["flagged"].sum() / g["n"].sum(),
        })
        member = ibis.memtable(cells[["device", "cx", "cy", "label"]].rename(
            columns={"device": "m_device", "cx": "m_cx", "cy": "m_cy"}))
        j = c.join(member, [c.device == member.m_device, c.cx == member.m_cx,
                            c.cy == member.m_cy])
        sess = execute(j.group_by("label").agg(sessions=j.session_id.nunique()))
        jt = j.filter(j.target.notnull())
        tops = execute(jt.group_by(["label", "target"]).agg(n=jt.count()))
        top = (tops.sort_values(["label", "n", "target"], ascending=[True, False, True])
               .drop_duplicates("label").set_index("label")["target"])
        hs["sessions"] = sess.set_index("label")["sessions"].reindex(hs.index).fillna(0)
        hs["sessions"] = hs["sessions"].astype("int64")
        hs["target"] = pd.Series(hs.index, index=hs.index).map(top)
        hs = hs.sort_values(["clicks", "device", "y", "x"], ascending=[False, True, True, True])
        order = {old: new for new, old in enumerate(hs.index)}
        hs = hs.reset_index(drop=True)
        hs.insert(0, "hotspot", np.arange(len(hs)))
        cells_out = cells[["device", "cx", "cy", "label"]].assign(
            hotspot=cells["label"].map(order)).drop(columns="label")
        cells_out.attrs["cell_px"] = q
        return hs[cols], cells_out

    # -------------------------------------------------------------- sessions
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

    # ------------------------------------------------------------ background
    def _snapshot_choice(self) -> dict[str, tuple[str, float]]:
        """Per device: ``(session_id, epoch ms)`` of the recording the page is rebuilt from.

        Candidates are the page's sessions with a recording (of the screen,
        when ``screen`` is set), closest viewport width to the reference
        first; sessions of this heatmap's segment come before the others so
        that a version or segment is drawn over its own page. The time is
        :func:`uxlens.render.page_snapshot_time` on the page's URLs, or with
        ``screen`` the first moment the session showed that screen
        (:meth:`uxlens.screens.Screens.moment`).
        """

        def compute() -> dict[str, tuple[str, float]]:
            from ..render import page_snapshot_time

            log = self._shared.log
            if log is None or not log.recordings:
                return {}
            wide = self._wide()
            refs = self.reference_widths()
            ev = wide._page(None)
            per = execute(ev.filter(ev.viewport_w.notnull()).group_by(
                ["device", "session_id"]).agg(w=ev.viewport_w.max()))
            per["session_id"] = per["session_id"].astype(str)
            preferred: set[str] | None = None
            if wide is not self:
                mine = self._page(None).select("session_id").distinct()
                preferred = set(execute(mine)["session_id"].astype(str))
            screens = None
            if self._screen_name is not None:
                from ..screens import screen_states

                screens = screen_states(log)
            out: dict[str, tuple[str, float]] = {}
            for device, ref in refs.items():
                cand = per.loc[per["device"].astype(str) == device].copy()
                cand = cand.loc[cand["session_id"].isin(log.recordings.keys())]
                cand["d"] = (cand["w"].astype(float) - ref).abs()
                cand["other"] = (~cand["session_id"].isin(preferred)) if preferred is not None \
                    else False
                order = cand.sort_values(["other", "d", "session_id"], kind="stable")
                for sid in order["session_id"].head(20):
                    if screens is not None:
                        hit = screens.moment(self._screen_name, sid)
                        at = hit[1] if hit is not None else None
                    else:
                        at = page_snapshot_time(log.recordings[sid], self.urls)
                    if at is not None:
                        out[device] = (sid, float(at))
                        break
            return out

        return self._cached("snapshot_choice", compute)

    def _snapshots(self, limit: int = 1) -> dict[str, tuple[list[dict[str, Any]], float]]:
        """Per device: a recording and the time to rebuild the page from (closest width)."""
        log = self._shared.log
        return {d: (log.recordings[sid], at) for d, (sid, at) in self._snapshot_choice().items()}

    def background_sources(self) -> pd.DataFrame:
        """Which recording each device's background snapshot is rebuilt from.

        Returns
        -------
        DataFrame
            ``device, session_id, taken_at`` (UTC time of the rebuilt DOM) and
            ``in_segment`` (the session belongs to this heatmap's segment;
            ``False`` means none of the segment's sessions had a snapshot).

        Examples
        --------
        >>> import uxlens as ux
        >>> h = Heatmap(ux.demo(), url="/onboarding/invite", version="A", device="desktop")
        >>> bool(h.background_sources()["in_segment"].all())
        True
        """

        def compute() -> pd.DataFrame:
            choice = self._snapshot_choice()
            rows = [{"device": d, "session_id": sid,
                     "taken_at": pd.Timestamp(int(at), unit="ms", tz="UTC")}
                    for d, (sid, at) in choice.items()]
            out = pd.DataFrame(rows, columns=["device", "session_id", "taken_at"])
            ids = set(out["session_id"])
            mine = self._page(None)
            mine = mine.filter(mine.session_id.isin(sorted(ids))).select("session_id").distinct()
            inside = set(execute(mine)["session_id"].astype(str)) if ids else set()
            out["in_segment"] = out["session_id"].isin(inside)
            return out

        return self._cached("background_sources", compute)

    def _own_background(self, device: str) -> bool:
        """Whether this (segment) heatmap draws another snapshot than the page-wide one."""
        wide = self._wide()
        if wide is self or self.background not in ("auto", "snapshot"):
            return False
        mine = self._snapshot_choice().get(device)
        return mine is not None and mine != wide._snapshot_choice().get(device)

    def _renders(self) -> dict[str, Any]:
        """Per device: the rendered snapshot (PNG, page height, fixed boxes, element boxes)."""
        if self.background not in ("auto", "snapshot"):
            return {}
        wide = self._wide()
        if wide is not self and not any(self._own_background(d) for d in self._snapshot_choice()):
            return wide._renders()

        def compute() -> dict[str, Any]:
            from ..render import browser_available, render_page, snapshot_html

            choice = self._snapshot_choice()
            snaps = self._snapshots()
            ok, why = browser_available()
            if not ok:
                if self.background == "snapshot":
                    raise MissingDependencyError(
                        f"background='snapshot' needs a headless Chromium: {why}"
                    )
                return {}
            heights = self._viewport_heights()
            selectors = wide._top_targets()
            out = {}
            for device, (rec, at) in snaps.items():
                width = self.reference_widths()[device]
                key = ("render", device, choice[device], width, heights.get(device),
                       tuple(selectors))

                def render(rec: Any = rec, at: float = at, width: int = width,
                           device: str = device) -> Any:
                    html_doc = snapshot_html(rec, at_ms=at, mask=True)
                    return render_page(html_doc, width, heights.get(device), selectors=selectors)

                out[device] = self._shared_cached(key, render)
            return out

        return self._cached("renders", compute)

    def _viewport_heights(self) -> dict[str, int]:
        wide = self._wide()
        if wide is not self:
            return wide._viewport_heights()
        ev = self._page(None)
        ev = ev.filter(ev.viewport_h.notnull() & (ev.viewport_h > 0))
        out = execute(ev.group_by("device").agg(h=ev.viewport_h.median()))
        return {str(d): int(h) for d, h in zip(out["device"], out["h"]) if pd.notna(h)}

    def _top_targets(self, n: int = 200) -> list[str]:
        if self.kind not in _POINT_KINDS:
            return []
        pts = self._valid(kind="click" if self.kind in _FLAG_KINDS else self.kind)
        pts = pts.filter(pts.target.notnull())
        top = execute(pts.group_by("target").agg(n=pts.count()).order_by(
            [lambda t: t.n.desc(), "target"]).limit(n))
        return top["target"].astype(str).tolist()

    def _alignment_boxes(self, refs: Mapping[str, int]) -> pd.DataFrame | None:
        if self.boxes is not None:
            return _with_reference_boxes(self.boxes, refs)
        wide = self._wide()
        if wide is not self:
            return wide._alignment_boxes(refs)

        def compute() -> pd.DataFrame | None:
            from ..render import render_page, snapshot_html

            renders = self._renders()
            if not renders:
                return None
            pts = self._valid(kind="click" if self.kind in _FLAG_KINDS else self.kind)
            widths = execute(pts.group_by(["device", "viewport_w"]).agg(n=pts.count()))
            rows = []
            snaps = self._snapshots()
            heights = self._viewport_heights()
            for device, ref in refs.items():
                if device not in renders or device not in snaps:
                    continue
                rec, at = snaps[device]
                html_doc = snapshot_html(rec, at_ms=at, mask=True)
                mine = widths.loc[widths["device"].astype(str) == device]
                top = mine.sort_values("n", ascending=False)["viewport_w"].astype(int).head(4)
                for w in sorted(set(top) | {ref}):
                    info = renders[device] if w == ref else render_page(
                        html_doc, int(w), heights.get(device), selectors=self._top_targets())
                    rows.append(info.boxes.assign(device=device, viewport_w=int(w)))
            if not rows:
                return None
            boxes = pd.concat(rows, ignore_index=True).rename(columns={"selector": "target"})
            return _with_reference_boxes(boxes, refs)

        return self._cached("align_boxes", compute)

    def background_image(self, device: str) -> dict[str, Any] | None:
        """The page image drawn under a device's map: ``{source, width, height, kind}``.

        ``source`` is a data URI (PNG for snapshots and screenshots, SVG for
        wireframes); ``width``/``height`` are in map px. ``None`` when the
        heatmap has ``background=None`` or nothing to draw.

        Examples
        --------
        >>> import uxlens as ux
        >>> h = ux.Heatmap(ux.demo(), url="/onboarding/invite", background="wireframe")
        >>> bg = h.background_image("desktop")
        >>> bg["kind"], bg["width"], bg["source"].startswith("data:image/svg+xml")
        ('wireframe', 1440, True)
        >>> ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).background_image("desktop")
        """
        wide = self._wide()
        if wide is not self and not (self._own_background(device)
                                     and device in self._renders()):
            return wide.background_image(device)
        return self._cached(("background", device), lambda: self._background(device))

    def _background(self, device: str) -> dict[str, Any] | None:
        from ..render import png_data_uri, svg_data_uri, wireframe

        refs = self.reference_widths()
        if self.background is None or device not in refs:
            return None
        width = refs[device]
        if self.background not in _BACKGROUNDS:
            data = Path(self.background).read_bytes()
            w, h = _image_size(data)
            kind = "jpeg" if data[:2] == b"\xff\xd8" else "png"
            uri = f"data:image/{kind};base64," + base64.b64encode(data).decode()
            return {"source": uri, "width": width, "height": h * width / w, "kind": "image"}
        if self.background in ("auto", "snapshot"):
            info = self._renders().get(device)
            if info is not None:
                return {"source": png_data_uri(info.png), "width": width,
                        "height": float(info.height), "kind": "snapshot"}
            if self.background == "snapshot":
                raise UxlensError(
                    f"background='snapshot': no DOM snapshot of {self.urls} for {device} in the "
                    "recordings. Fix: pass background='wireframe', a screenshot path or None."
                )
        boxes = self._wireframe_boxes(device)
        height = self._page_height(device, boxes)
        svg = wireframe(boxes, width, height)
        return {"source": svg_data_uri(svg), "width": width, "height": height,
                "kind": "wireframe"}

    def _wireframe_boxes(self, device: str) -> pd.DataFrame:
        """Element boxes estimated from where their clicks landed (padded extents)."""
        coords = self._coords(ref_widths=self.reference_widths()) if (
            self.kind in _POINT_KINDS) else None
        cols = ["target", "text", "left", "top", "width", "height", "clicks"]
        if coords is None:
            return pd.DataFrame(columns=cols)
        c = coords.filter((coords.device == device) & coords.target.notnull())
        ext = execute(c.group_by("target").agg(
            x0=c.x_px.quantile(0.02), x1=c.x_px.quantile(0.98),
            y0=c.y_px.quantile(0.02), y1=c.y_px.quantile(0.98), clicks=c.count(),
        ))
        pad = 6.0
        text = self.elements().set_index("target")["text"] if len(ext) else pd.Series(dtype=object)
        return pd.DataFrame({
            "target": ext["target"].astype(str),
            "text": ext["target"].map(text),
            "left": ext["x0"] - pad, "top": ext["y0"] - pad,
            "width": (ext["x1"] - ext["x0"]) + 2 * pad, "height": (ext["y1"] - ext["y0"]) + 2 * pad,
            "clicks": ext["clicks"],
        })[cols]

    def _page_height(self, device: str, boxes: pd.DataFrame | None = None) -> float:
        ev = self._page(None)
        ev = ev.filter(ev.device == device)
        agg = execute(ev.aggregate(
            page_h=ev.page_h.max(), y=ev.y.max(),
            bottom=(ev.scroll_y.fill_null(0.0) + ev.viewport_h.cast("float64")).max()))
        cands = [float(v) for v in agg.iloc[0].tolist() if v is not None and pd.notna(v)]
        if boxes is not None and len(boxes):
            cands.append(float((boxes["top"] + boxes["height"]).max()))
        return max(cands) if cands else 800.0

    # ----------------------------------------------------------------- plots
    def plot(
        self,
        device: str | None = None,
        *,
        bin_px: float | None = None,
        smooth: float | str | None = "auto",
        hotspots: bool = True,
        title: str | None = None,
    ) -> go.Figure:
        """The heatmap as a plotly figure: heat over the page image, one panel per device.

        Point maps are binned (never one marker per point): the heat is a
        grid of ``bin_px`` squares, Gaussian-smoothed by one bin unless
        ``smooth=None``; hovering a bin shows its count and sessions; the
        biggest hotspots are outlined and labelled with their share.
        Scroll maps shade the page by the share of sessions that reached each
        depth and draw the average fold; attention maps by seconds per band.

        When the page shows several main screen states (:meth:`main_screens`,
        with the default ``screen=None``), the figure has one panel per state
        instead, for one device (``device`` or the one with the most events),
        each over that state's own rendering and with its own counts
        (:meth:`plot_screens` of :meth:`screen_maps`); the title says so.

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> fig = Heatmap(log, url="/onboarding/invite", background=None).plot()
        >>> fig.layout.title.text.split("<br>")[0]
        'Clicks on /onboarding/invite · 2 screens side by side · desktop'
        >>> [a.text.split(" · ")[0] for a in fig.layout.annotations][:2]
        ['Invite your teammates — use comma-separated emails', \
'Invite your teammates — Add comma-separated emails']
        >>> merged = Heatmap(log, url="/onboarding/invite", background=None, screen="all").plot()
        >>> [a.text.split(" · ")[0] for a in merged.layout.annotations][:3]
        ['desktop', 'tablet', 'mobile']
        """
        from ..plotting import heatmap as plots

        maps = self.screen_maps()
        if maps:
            dev = self._split_device(maps, device)
            return Heatmap.plot_screens(
                maps, dev, bin_px=bin_px, smooth=smooth, hotspots=hotspots,
                title=title or self._split_title(maps, dev), subtitle=self._split_subtitle())
        b = float(bin_px or self.bin_px)
        devices = self._plot_devices(device)
        title = title or self._title()
        backgrounds = {d: self.background_image(d) for d in devices}
        if self.kind == "scroll":
            reach = self.grid(b)
            summary = self.scroll_summary()
            return plots.scroll_figure(reach.loc[reach["device"].isin(devices)], summary,
                                       backgrounds=backgrounds, title=title)
        if self.kind == "attention":
            bands = self.grid(b)
            return plots.attention_figure(bands.loc[bands["device"].isin(devices)],
                                          backgrounds=backgrounds, title=title)
        sigma = b if smooth == "auto" else smooth
        g = self.grid(b, smooth=sigma)
        g = g.loc[g["device"].isin(devices)]
        hs = self.hotspots() if hotspots and len(g) else None
        if hs is not None:
            hs = hs.loc[hs["device"].isin(devices)]
        return plots.heatmap_figure(
            g, bin_px=b, widths={d: self.reference_widths()[d] for d in devices},
            backgrounds=backgrounds, hotspots=hs, title=title, subtitle=self._subtitle(),
            unit=KINDS[self.kind],
        )

    def _split_device(self, maps: Sequence[Heatmap], device: str | None = None) -> str:
        """The device whose screens are drawn side by side: asked, filtered on, or busiest."""
        if device is not None:
            return device
        if isinstance(self.device, str):
            return self.device
        return _busiest_device(maps)

    def _split_title(self, maps: Sequence[Heatmap], device: str) -> str:
        return f"{self._title()} · {len(maps)} screens side by side · {device}"

    def _split_subtitle(self) -> str:
        return (f"each screen state with \u2265 {SCREEN_MIN_SHARE:.0%} of the page's "
                f"{KINDS[self.kind]} on its own rendering · screen='all' merges them, "
                "screen=<name> keeps one")

    def _plot_devices(self, device: str | None) -> list[str]:
        refs = self.reference_widths()
        order = [d for d in ("desktop", "tablet", "mobile") if d in refs] + sorted(
            d for d in refs if d not in ("desktop", "tablet", "mobile"))
        if device is not None:
            if device not in refs:
                raise UxlensError(
                    f"No {device!r} map on this heatmap; devices with data: {order}."
                )
            return [device]
        with_data = [d for d in order if d in self.summary()["devices"]]
        return with_data or order

    def _title(self) -> str:
        page = self.url if isinstance(self.url, str) else ", ".join(self.url)
        names = {"click": "Clicks", "move": "Cursor movement", "scroll": "Scroll depth",
                 "attention": "Attention", "rage": "Rage clicks", "dead": "Dead clicks",
                 "error": "Error clicks"}
        seg = []
        if self._screen_name is not None:
            seg.append(f"screen {self._screen_name}")
        if self.version is not None:
            seg.append(f"version {self.version}")
        if isinstance(self.segment, Mapping):
            seg += [f"{k}={v}" for k, v in self.segment.items()]
        elif self.segment is not None:
            seg.append(getattr(self.segment, "label", "") or "session segment")
        return f"{names[self.kind]} on {page}" + (f" · {', '.join(seg)}" if seg else "")

    def _subtitle(self) -> str:
        s = self.summary()
        skipped = s["skipped"]
        return (f"{s['events']:,} {KINDS[self.kind]} · {s['sessions']:,} sessions"
                + (f" · {skipped:,} not placed (see .skipped)" if skipped else ""))

    def summary(self) -> dict[str, Any]:
        """Key numbers: kind, pages, events placed, sessions, skipped, per-device counts.

        Examples
        --------
        >>> import uxlens as ux
        >>> s = ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).summary()
        >>> s["events"], s["sessions"], s["skipped"]
        (472, 124, 0)
        >>> s["devices"]["desktop"]
        {'events': 259, 'sessions': 67, 'width': 1440}
        """

        def compute() -> dict[str, Any]:
            per: dict[str, dict[str, Any]] = {}
            if self.kind in _POINT_KINDS:
                coords = self._coords()
                if coords is not None:
                    agg = execute(coords.group_by("device").agg(
                        events=coords.count(), sessions=coords.session_id.nunique()))
                    tot = execute(coords.aggregate(n=coords.session_id.nunique()))["n"].iloc[0]
                else:
                    agg, tot = pd.DataFrame(columns=["device", "events", "sessions"]), 0
            else:
                ev = eng.with_skip_reason(self._page(None), coordinates=False)
                ev = ev.filter(ev.skip_reason.isnull())
                agg = execute(ev.group_by("device").agg(
                    events=ev.count(), sessions=ev.session_id.nunique()))
                tot = execute(ev.aggregate(n=ev.session_id.nunique()))["n"].iloc[0]
            refs = self.reference_widths()
            for r in agg.itertuples(index=False):
                per[str(r.device)] = {"events": int(r.events), "sessions": int(r.sessions),
                                      "width": refs.get(str(r.device))}
            return {
                "kind": self.kind, "urls": self.urls,
                "events": int(sum(v["events"] for v in per.values())),
                "sessions": int(tot or 0),
                "skipped": int(self.skipped["events"].sum()),
                "devices": per,
            }

        return self._cached("summary", compute)

    def takeaway(self) -> str:
        """One sentence for a slide: the biggest hotspot or the fold reach.

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).takeaway()
        '67% of desktop clicks land in one zone on button#send-invites.btn.btn-primary.is-disabled \
        (63 sessions, 61% of them flagged as friction).'
        """
        if self.kind == "scroll":
            reach = self.grid()
            summ = self.scroll_summary()
            parts = []
            for r in summ.itertuples(index=False):
                sub = reach.loc[reach["device"] == r.device]
                half = sub.loc[sub["share"] >= 0.5, "y"].max()
                parts.append(f"half of {r.device} sessions scroll past {half:,.0f} px")
            return "; ".join(parts).capitalize() + "." if parts else ""
        if self.kind == "attention":
            return ""
        hs = self.hotspots()
        if hs.empty:
            return ""
        top = hs.iloc[0]
        where = f" on {top['target']}" if isinstance(top["target"], str) else ""
        fr = f", {top['friction']:.0%} of them flagged as friction" if top["friction"] > 0 else ""
        return (f"{top['share']:.0%} of {top['device']} {KINDS[self.kind]} land in one zone"
                f"{where} ({top['sessions']:,} sessions{fr}).")

    def describe(self) -> str:
        """Plain-text description (speaker notes of exports).

        Examples
        --------
        >>> import uxlens as ux
        >>> print(Heatmap(ux.demo(), url="/dashboard", background=None).describe())
        ... # doctest: +ELLIPSIS
        Clicks on /dashboard: ... clicks from ... sessions on 1 page(s); 0 events not placed. \
Drawn as 2 screens side by side: Your projects — modal: You're all set! (... clicks), \
Your projects (... clicks).
        """
        s = self.summary()
        text = (f"{self._title()}: {s['events']:,} {KINDS[self.kind]} from {s['sessions']:,} "
                f"sessions on {len(s['urls'])} page(s); {s['skipped']:,} events not placed.")
        try:
            maps = self.screen_maps()
        except UxlensError:
            maps = []
        if maps:
            parts = [f"{label} ({m.summary()['events']:,} {KINDS[self.kind]})"
                     for label, m in _screen_labels(maps).items()]
            text += f" Drawn as {len(maps)} screens side by side: {', '.join(parts)}."
        return text

    def explore(self) -> Any:
        """An interactive explorer: kind/device/segment/version selectors; click the map
        to list the sessions behind that point.

        Examples
        --------
        The explorer is an ipywidget driven by its selectors; they can be set from
        Python too:

        >>> import uxlens as ux
        >>> w = ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).explore()
        >>> w.device, w.kind
        ('desktop', 'click')
        >>> w.kind = "rage"
        >>> w.current().summary()["devices"]["desktop"]["events"]
        98
        """
        from ..widgets.heatmap_explorer import HeatmapExplorer

        return HeatmapExplorer(self)

    # ------------------------------------------------------------- compare
    @_hybrid
    def compare(self: Heatmap, other: Heatmap, **kwargs: Any) -> HeatmapComparison:
        """Difference map of two heatmaps with per-zone significance.

        Works as ``a.compare(b)`` or ``Heatmap.compare(a, b)``; see
        :class:`HeatmapComparison` for the parameters and the test.

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> a = Heatmap(log, url="/onboarding/invite", kind="rage", version="A", background=None)
        >>> cmp = Heatmap.compare(a, a.with_(version="B"))
        >>> bool(cmp.table()["significant"].any())
        True
        """
        return HeatmapComparison(self, other, **kwargs)

    # ---------------------------------------------------------------- repr
    def __repr__(self) -> str:
        dev = f", device={self.device!r}" if self.device else ""
        return f"<Heatmap kind={self.kind!r} url={self.url!r}{dev}>"

    def _repr_html_(self) -> str:
        from ..plotting.heatmap import heat_html

        s = self.summary()
        try:
            maps = self.screen_maps()
        except UxlensError:
            maps = []
        if maps:
            return self._split_html(maps, s)
        rows = "".join(
            f"<tr><td>{html.escape(d)}</td><td style='text-align:right'>{v['events']:,}</td>"
            f"<td style='text-align:right'>{v['sessions']:,}</td>"
            f"<td style='text-align:right'>{v['width'] or ''}</td></tr>"
            for d, v in s["devices"].items()
        )
        head = (
            "<div style='font-family:system-ui,sans-serif;font-size:13px'>"
            f"<b>{html.escape(self._title())}</b><br>"
            f"{s['events']:,} {html.escape(KINDS[self.kind])} · {s['sessions']:,} sessions · "
            f"{s['skipped']:,} not placed"
            "<table style='margin-top:4px'><tr><th>device</th><th>events</th><th>sessions</th>"
            f"<th>layout px</th></tr>{rows}</table></div>"
        )
        try:
            body = heat_html(self._preview_panels())
        except UxlensError as exc:
            body = f"<div style='color:#b42318'>{html.escape(str(exc))}</div>"
        hint = ("<div style='color:#667085;font-size:11px;margin-top:4px'>h.plot() for the "
                "interactive chart · h.explore() to click through to sessions · h.grid(), "
                "h.elements(), h.hotspots() for the numbers</div>")
        return head + body + hint

    def _split_html(self, maps: Sequence[Heatmap], s: Mapping[str, Any]) -> str:
        """Notebook view of a page with several main screens: one preview per screen."""
        from ..plotting.heatmap import heat_html

        device = self._split_device(maps)
        rows, panels = [], {}
        for label, m in _screen_labels(maps).items():
            per = m.summary()["devices"].get(device, {"events": 0, "sessions": 0})
            rows.append(f"<tr><td>{html.escape(label)}</td>"
                        f"<td style='text-align:right'>{per['events']:,}</td>"
                        f"<td style='text-align:right'>{per['sessions']:,}</td></tr>")
            try:
                if device in m.reference_widths():
                    panels[label] = m._preview_panels([device])[device]
            except UxlensError:
                continue
        head = (
            "<div style='font-family:system-ui,sans-serif;font-size:13px'>"
            f"<b>{html.escape(self._split_title(maps, device))}</b><br>"
            f"whole page: {s['events']:,} {html.escape(KINDS[self.kind])} · "
            f"{s['sessions']:,} sessions · {s['skipped']:,} not placed"
            f"<table style='margin-top:4px'><tr><th>screen</th><th>{html.escape(device)} "
            f"{html.escape(KINDS[self.kind])}</th><th>sessions</th></tr>{''.join(rows)}"
            "</table></div>"
        )
        body = heat_html(panels) if panels else ""
        hint = ("<div style='color:#667085;font-size:11px;margin-top:4px'>"
                f"{html.escape(self._split_subtitle())} · h.screen_maps() for one heatmap per "
                "screen · h.plot(device=...) for another device</div>")
        return head + body + hint

    def _preview_panels(self, devices: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        """Per device: the map as a dense array over the page, for static previews."""
        b = float(self.bin_px)
        panels: dict[str, dict[str, Any]] = {}
        refs = self.reference_widths()
        for device in devices if devices is not None else self._plot_devices(None):
            width = float(refs[device])
            bg = self.background_image(device)
            bg_h = float(bg["height"]) if bg else 0.0
            if self.kind in ("scroll", "attention"):
                g = self.grid(b)
                g = g.loc[g["device"] == device]
                col = "share" if self.kind == "scroll" else "seconds_per_session"
                top = g["y"] if self.kind == "scroll" else g["y0"]
                ny = int(top.max() // b) + 1 if len(g) else 1
                z = np.full((ny, 1), np.nan)
                z[(top // b).astype(int).to_numpy(), 0] = g[col].to_numpy()
                caption = f"{width:.0f} px"
            else:
                g = self.grid(b, smooth=b, sessions=False)
                g = g.loc[(g["device"] == device) & (g["x_bin"] >= 0) & (g["y_bin"] >= 0)]
                nx = max(1, int(np.ceil(width / b)))
                counted = g.loc[g["count"] > 0, "y_bin"]
                ny = max(int(counted.max()) + 1 if len(counted) else 1, int(np.ceil(bg_h / b)))
                g = g.loc[(g["x_bin"] < nx) & (g["y_bin"] < ny)]
                z = np.zeros((ny, nx))
                np.add.at(z, (g["y_bin"].to_numpy(int), g["x_bin"].to_numpy(int)),
                          g["value"].to_numpy(float))
                z[z <= z.max() * 1e-3] = np.nan
                caption = f"{width:.0f} px · {int(g['count'].sum()):,} {KINDS[self.kind]}"
            panels[device] = {"z": z, "width": width, "height": max(z.shape[0] * b, bg_h, 1.0),
                              "background": bg, "caption": caption, "zmin": 0.0}
        return panels


def _busiest_device(maps: Sequence[Heatmap]) -> str:
    """The device class with the most placed events across ``maps``."""
    totals: dict[str, int] = {}
    for h in maps:
        for d, v in h.summary()["devices"].items():
            totals[d] = totals.get(d, 0) + int(v["events"])
    if not totals:
        raise UxlensError("plot_screens(): these heatmaps have no placed events.")
    return max(sorted(totals), key=lambda d: totals[d])


def _screen_labels(maps: Sequence[Heatmap]) -> dict[str, Heatmap]:
    """Panel label (the screen's name, numbered when repeated) of each map."""
    out: dict[str, Heatmap] = {}
    for i, h in enumerate(maps):
        label = h._screen_name if h._screen_name is not None else h._title()
        out[label if label not in out else f"{label} ({i + 1})"] = h
    return out


def _with_reference_boxes(boxes: pd.DataFrame, refs: Mapping[str, int]) -> pd.DataFrame:
    """Attach each target's box at the device's reference width (``ref_*``)."""
    b = boxes.copy()
    b["device"] = b["device"].astype(str)
    b["viewport_w"] = b["viewport_w"].astype(int)
    ref_rows = b.loc[b["viewport_w"] == b["device"].map(lambda d: refs.get(d, -1))]
    ref = ref_rows.set_index(["device", "target"])[["left", "top", "width", "height"]]
    ref = ref[~ref.index.duplicated()].add_prefix("ref_")
    out = b.join(ref, on=["device", "target"], how="inner")
    return out.reset_index(drop=True)


def _image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    try:
        import io

        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return im.size
    except Exception as exc:
        raise UxlensError(
            "The background screenshot is not a PNG (and could not be read as another image "
            f"format: {exc}). Fix: save it as PNG."
        ) from exc


# ------------------------------------------------------------------- compare
_CORRECTIONS = ("holm", "bh", None)
_UNITS = ("session", "click")


class HeatmapComparison(Exportable):
    """Where two heatmaps differ, zone by zone, and whether it is more than noise.

    Parameters
    ----------
    a, b
        Heatmaps of the same kind (e.g. versions A and B, mobile vs desktop
        users, converters vs users who dropped). ``b`` is placed on ``a``'s
        reference layouts.
    zone_px
        Zones are ``zone_px`` squares of the map; each is tested.
    unit
        ``"session"``: the rate is the share of the page's sessions with at
        least one point in the zone, compared with a pooled two-proportion
        z-test. ``"click"``: the rate is points in the zone per session on the
        page, compared with a Welch z-test on per-session counts (sessions,
        not clicks, are the independent units, so bursts of clicks from one
        user do not pass for evidence).
    alpha
        Significance level after correction.
    correction
        ``"holm"`` (family-wise error over all zones, default), ``"bh"``
        (false discovery rate) or ``None``.
    min_sessions
        Zones with fewer sessions acting in them (both maps together) are
        not tested.

    Notes
    -----
    Denominators are the sessions with any event on the page in each
    segment and device, so rates are comparable when the two groups differ
    in size. The difference map (:meth:`grid`) shows
    ``rate_b - rate_a`` per bin; :meth:`plot` outlines only the zones that
    stay significant after correction, so noise is not painted as signal.

    Examples
    --------
    Version B removed the rage clicks on the invite page's "Send invites" button:

    >>> import uxlens as ux
    >>> rage = ux.Heatmap(ux.demo(), url="/onboarding/invite", kind="rage", background=None)
    >>> cmp = ux.Heatmap.compare(rage.with_(version="A"), rage.with_(version="B"))
    >>> zones = cmp.table()
    >>> int(zones["significant"].sum()), bool((zones.loc[zones["significant"], "rate_b"] == 0).all())
    (3, True)
    """

    def __init__(
        self,
        a: Heatmap,
        b: Heatmap,
        *,
        zone_px: float = 100.0,
        unit: str = "session",
        alpha: float = 0.05,
        correction: str | None = "holm",
        min_sessions: int = 5,
    ) -> None:
        if not isinstance(a, Heatmap) or not isinstance(b, Heatmap):
            raise UxlensError("compare() needs two Heatmap objects.")
        if a.kind != b.kind:
            raise UxlensError(
                f"Cannot compare a {a.kind!r} map with a {b.kind!r} map; use the same kind."
            )
        if a.kind not in _POINT_KINDS:
            raise UxlensError(f"compare() works on point maps, not kind={a.kind!r}.")
        if unit not in _UNITS:
            raise UxlensError(f"unit must be one of {list(_UNITS)}; got {unit!r}.")
        if correction not in _CORRECTIONS:
            raise UxlensError(f"correction must be one of {list(_CORRECTIONS)}; got {correction!r}.")
        if not 0 < alpha < 1:
            raise UxlensError(f"alpha must be between 0 and 1; got {alpha!r}.")
        self.a, self.b = a, b
        self.zone_px, self.unit, self.alpha = float(zone_px), unit, float(alpha)
        self.correction, self.min_sessions = correction, int(min_sessions)
        self._cache: dict[Any, Any] = {}

    def _refs(self) -> dict[str, int]:
        ra, rb = self.a.reference_widths(), self.b.reference_widths()
        return {d: w for d, w in ra.items() if d in rb}

    def _zones(self, h: Heatmap) -> pd.DataFrame:
        """Per zone: sessions acting in it, and sum / sum of squares of their points."""
        refs = self._refs()

        def compute() -> pd.DataFrame:
            coords = h._coords(ref_widths=refs) if refs else None
            cols = ["device", "zx", "zy", "s_in", "sum_n", "sum_n2"]
            if coords is None:
                return pd.DataFrame(columns=cols)
            z = eng.zone_session_counts(coords, self.zone_px)
            out = execute(z.group_by(["device", "zx", "zy"]).agg(
                s_in=z.count(), sum_n=z.n.sum(), sum_n2=(z.n * z.n).sum()))
            out["device"] = out["device"].astype(str)
            return out[cols]

        # Cached on the heatmap: comparing it again (other unit, alpha) reuses it.
        return h._cached(("zones", self.zone_px, tuple(sorted(refs.items()))), compute)

    def table(self) -> pd.DataFrame:
        """One row per zone: rates in a and b, difference, z, p, adjusted p, significant.

        Columns: ``device, x0, x1, y0, y1, sessions_a, sessions_b`` (page
        sessions), ``acting_a, acting_b`` (sessions with points in the zone),
        ``rate_a, rate_b, diff, z, p, p_adj, significant, tested``.

        Examples
        --------
        >>> import uxlens as ux
        >>> rage = ux.Heatmap(ux.demo(), url="/onboarding/invite", kind="rage", background=None)
        >>> top = ux.Heatmap.compare(rage.with_(version="A"), rage.with_(version="B")).table().iloc[0]
        >>> top["device"], float(top["x0"]), float(top["y0"]), int(top["acting_a"]), int(top["acting_b"])
        ('desktop', 800.0, 400.0, 12, 0)
        >>> bool(top["significant"]), round(float(top["p_adj"]), 5)
        (True, 0.00033)
        """
        if "table" not in self._cache:
            self._cache["table"] = self._table()
        return self._cache["table"]

    def _table(self) -> pd.DataFrame:
        za, zb = self._zones(self.a), self._zones(self.b)
        na, nb = self.a._page_sessions(), self.b._page_sessions()
        m = za.merge(zb, on=["device", "zx", "zy"], how="outer", suffixes=("_a", "_b"))
        m = m.loc[m["device"].isin(list(self._refs()))]
        for c in ("s_in_a", "s_in_b", "sum_n_a", "sum_n_b", "sum_n2_a", "sum_n2_b"):
            m[c] = m[c].fillna(0).astype(float)
        m["sessions_a"] = m["device"].map(na).fillna(0).astype(float)
        m["sessions_b"] = m["device"].map(nb).fillna(0).astype(float)
        stats = zone_test(m, unit=self.unit)
        m = pd.concat([m, stats], axis=1)
        m["tested"] = ((m["s_in_a"] + m["s_in_b"]) >= self.min_sessions) & m["z"].notna()
        m.loc[~m["tested"], "p"] = np.nan
        m["p_adj"] = adjust_pvalues(m["p"], self.correction)
        m["significant"] = m["tested"] & (m["p_adj"] < self.alpha)
        z = self.zone_px
        out = pd.DataFrame({
            "device": m["device"], "x0": m["zx"] * z, "x1": (m["zx"] + 1) * z,
            "y0": m["zy"] * z, "y1": (m["zy"] + 1) * z,
            "sessions_a": m["sessions_a"].astype("int64"),
            "sessions_b": m["sessions_b"].astype("int64"),
            "acting_a": m["s_in_a"].astype("int64"), "acting_b": m["s_in_b"].astype("int64"),
            "rate_a": m["rate_a"], "rate_b": m["rate_b"], "diff": m["rate_b"] - m["rate_a"],
            "z": m["z"], "p": m["p"], "p_adj": m["p_adj"],
            "significant": m["significant"].astype(bool), "tested": m["tested"].astype(bool),
        })
        return out.sort_values(["significant", "p"], ascending=[False, True],
                               na_position="last").reset_index(drop=True)

    def grid(self, bin_px: float | None = None) -> pd.DataFrame:
        """Fine difference map: per bin, points per page session in a and b and ``diff``.

        Examples
        --------
        >>> import uxlens as ux
        >>> rage = ux.Heatmap(ux.demo(), url="/onboarding/invite", kind="rage", background=None)
        >>> g = ux.Heatmap.compare(rage.with_(version="A"), rage.with_(version="B")).grid()
        >>> list(g.columns)
        ['device', 'x_bin', 'y_bin', 'x', 'y', 'rate_a', 'rate_b', 'diff']
        >>> bool((g["diff"] == g["rate_b"] - g["rate_a"]).all()), bool((g["rate_b"] == 0).all())
        (True, True)
        """
        b = float(bin_px or self.a.bin_px)
        key = ("grid", b)
        if key not in self._cache:
            refs = self._refs()
            parts = []
            for h, tag in ((self.a, "a"), (self.b, "b")):
                coords = h._coords(ref_widths=refs) if refs else None
                if coords is None:
                    continue
                g = eng.grid_frame(execute(eng.grid_counts(coords, b, sessions=False)), b, refs)
                n = g["device"].map(h._page_sessions()).astype(float)
                parts.append(g.assign(rate=g["count"] / n, which=tag)[
                    ["device", "layer", "x_bin", "y_bin", "x", "y", "rate", "which"]])
            if not parts:
                self._cache[key] = pd.DataFrame(
                    columns=["device", "x_bin", "y_bin", "x", "y", "rate_a", "rate_b", "diff"])
            else:
                long = pd.concat(parts, ignore_index=True)
                wide = long.pivot_table(index=["device", "x_bin", "y_bin", "x", "y"],
                                        columns="which", values="rate", aggfunc="sum",
                                        fill_value=0.0).reset_index()
                for c in ("a", "b"):
                    if c not in wide.columns:
                        wide[c] = 0.0
                wide = wide.rename(columns={"a": "rate_a", "b": "rate_b"})
                wide["diff"] = wide["rate_b"] - wide["rate_a"]
                wide.columns.name = None
                self._cache[key] = wide[["device", "x_bin", "y_bin", "x", "y", "rate_a",
                                         "rate_b", "diff"]]
        return self._cache[key]

    def plot(self, device: str | None = None, *, bin_px: float | None = None) -> go.Figure:
        """Diverging difference map (b minus a) with significant zones outlined.

        Examples
        --------
        >>> import uxlens as ux
        >>> rage = ux.Heatmap(ux.demo(), url="/onboarding/invite", kind="rage", background=None)
        >>> fig = ux.Heatmap.compare(rage.with_(version="A"), rage.with_(version="B")).plot("desktop")
        >>> type(fig).__name__
        'Figure'
        """
        from ..plotting import heatmap as plots

        b = float(bin_px or self.a.bin_px)
        devices = [d for d in self.a._plot_devices(device) if d in self._refs()]
        g = self.grid(b)
        return plots.difference_figure(
            g.loc[g["device"].isin(devices)], self.table().loc[lambda t: t["device"].isin(devices)],
            bin_px=b, widths={d: self._refs()[d] for d in devices},
            backgrounds={d: self.a.background_image(d) for d in devices},
            title=f"{self.b._title()} vs {self.a._title()}",
            subtitle=self._subtitle(),
        )

    def _subtitle(self) -> str:
        t = self.table()
        sig = int(t["significant"].sum())
        corr = {"holm": "Holm", "bh": "Benjamini-Hochberg", None: "no"}[self.correction]
        return (f"{sig} of {int(t['tested'].sum())} zones differ at α={self.alpha:g} "
                f"({corr} correction, unit={self.unit})")

    def takeaway(self) -> str:
        """One sentence: the strongest significant difference, or that there is none.

        Examples
        --------
        >>> import uxlens as ux
        >>> rage = ux.Heatmap(ux.demo(), url="/onboarding/invite", kind="rage", background=None)
        >>> ux.Heatmap.compare(rage.with_(version="A"), rage.with_(version="B")).takeaway()
        'desktop: zone (800, 400) changes from 0.35 to 0.00 of sessions (p=0.00033).'
        """
        t = self.table()
        sig = t.loc[t["significant"]]
        if sig.empty:
            return "No zone differs beyond noise."
        r = sig.iloc[0]
        unit = "of sessions" if self.unit == "session" else "points per session"
        return (f"{r['device']}: zone ({r['x0']:.0f}, {r['y0']:.0f}) changes from "
                f"{r['rate_a']:.2f} to {r['rate_b']:.2f} {unit} (p={r['p_adj']:.2g}).")

    def _repr_html_(self) -> str:
        from ..plotting.heatmap import heat_html
        from ..plotting.theme import DIVERGING

        head = (f"<div style='font-family:system-ui,sans-serif;font-size:13px'><b>Heatmap "
                f"comparison</b> · {html.escape(self._subtitle())}<br>"
                f"{html.escape(self.takeaway())}</div>")
        b = float(self.a.bin_px)
        g = self.grid(b)
        lim = float(g["diff"].abs().max()) if len(g) else 1.0
        panels = {}
        for device, width in self._refs().items():
            sub = g.loc[(g["device"] == device) & (g["x_bin"] >= 0) & (g["y_bin"] >= 0)]
            nx = max(1, int(np.ceil(width / b)))
            sub = sub.loc[sub["x_bin"] < nx]
            ny = int(sub["y_bin"].max()) + 1 if len(sub) else 1
            z = np.full((ny, nx), np.nan)
            z[sub["y_bin"].to_numpy(int), sub["x_bin"].to_numpy(int)] = sub["diff"].to_numpy()
            z[z == 0] = np.nan
            panels[device] = {"z": z, "width": float(width), "height": ny * b,
                              "background": self.a.background_image(device),
                              "colorscale": DIVERGING, "zmin": -lim, "zmax": lim,
                              "caption": "blue: less in b · red: more in b"}
        sig = self.table().loc[lambda t: t["significant"]].head(10)
        return head + heat_html(panels) + sig.to_html(index=False, border=0)


def zone_test(m: pd.DataFrame, *, unit: str) -> pd.DataFrame:
    """Per-zone rates, z statistic and two-sided p value (see :class:`HeatmapComparison`).

    ``m`` has per zone ``s_in_a, s_in_b`` (sessions acting in the zone),
    ``sum_n_*``, ``sum_n2_*`` (sum and sum of squares of per-session points
    in the zone) and ``sessions_a, sessions_b`` (page sessions).

    Examples
    --------
    >>> m = pd.DataFrame({"s_in_a": [10.0], "s_in_b": [30.0], "sessions_a": [100.0],
    ...                   "sessions_b": [100.0], "sum_n_a": [10.0], "sum_n_b": [30.0],
    ...                   "sum_n2_a": [10.0], "sum_n2_b": [30.0]})
    >>> r = zone_test(m, unit="session").iloc[0]
    >>> float(round(r["z"], 3)), float(round(r["p"], 5))
    (3.536, 0.00041)
    """
    from scipy.stats import norm

    from ..stats import two_proportion_ztest

    na, nb = m["sessions_a"].to_numpy(float), m["sessions_b"].to_numpy(float)
    if unit == "session":
        xa, xb = m["s_in_a"].to_numpy(float), m["s_in_b"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ra, rb = xa / na, xb / nb
        test = two_proportion_ztest(xb, nb, xa, na)
        z, p = np.atleast_1d(test.z).astype(float), np.atleast_1d(test.p_value).astype(float)
    else:
        sa, sb = m["sum_n_a"].to_numpy(float), m["sum_n_b"].to_numpy(float)
        qa, qb = m["sum_n2_a"].to_numpy(float), m["sum_n2_b"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ra, rb = sa / na, sb / nb
            va = (qa - na * ra**2) / (na - 1)
            vb = (qb - nb * rb**2) / (nb - 1)
            z = (rb - ra) / np.sqrt(va / na + vb / nb)
        z = np.where(np.isfinite(z), z, np.nan)
        p = np.where(np.isnan(z), np.nan, 2 * norm.sf(np.abs(z)))
    return pd.DataFrame({"rate_a": ra, "rate_b": rb, "z": z, "p": p}, index=m.index)


def adjust_pvalues(p: pd.Series, method: str | None) -> pd.Series:
    """Holm or Benjamini-Hochberg adjusted p values (NaN stays NaN: untested).

    Examples
    --------
    >>> adjust_pvalues(pd.Series([0.01, 0.04, None, 0.03]), "holm").round(3).tolist()
    [0.03, 0.06, nan, 0.06]
    >>> adjust_pvalues(pd.Series([0.01, 0.04, 0.03]), "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    out = pd.Series(np.nan, index=p.index, dtype=float)
    mask = p.notna()
    vals = p[mask].to_numpy(float)
    n = len(vals)
    if n == 0:
        return out
    if method is None:
        out[mask] = vals
        return out
    if method == "holm":
        from ..stats import holm

        out[mask] = holm(vals)
        return out
    order = np.argsort(vals, kind="stable")
    ranked = vals[order]
    adj = np.minimum(np.minimum.accumulate((ranked * n / np.arange(1, n + 1))[::-1])[::-1], 1.0)
    res = np.empty(n)
    res[order] = adj
    out[mask] = res
    return out

