"""The :class:`Heatmap` class: parameters, validation, segments, events of the page, caches."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engine import heatmap as eng
from ..engine.backend import execute
from ..exceptions import MissingDependencyError, UxlensError
from ..export import Exportable
from .background import BackgroundMixin
from .elements import ElementsMixin
from .figure import FiguresMixin
from .grids import GridsMixin
from .kinds import _ALIGNS, _BACKGROUNDS, _FLAG_KINDS, _POINT_KINDS, ALL_SCREENS, KINDS
from .layout import LayoutMixin
from .screen_maps import ScreenMapsMixin
from .sessions import SessionsMixin
from .shared import _as_shared, _screen_names, _screen_shared
from .summary import SummaryMixin

if TYPE_CHECKING:  # pragma: no cover
    from ..eventlog import EventLog, SessionList
    from .compare import HeatmapComparison

__all__ = ["Heatmap"]


class _hybrid:
    """``h.compare(other)`` on an instance and ``Heatmap.compare(a, b)`` on the class."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        functools.update_wrapper(self, func)

    def __get__(self, obj: Any, owner: type) -> Callable[..., Any]:
        if obj is None:
            return self.func
        return functools.partial(self.func, obj)


# The mixins are listed last-first: the API page shows inherited methods from the last base
# to the first, so it reads screens, layout, grids ... summary, as the methods used to.
class Heatmap(SummaryMixin, FiguresMixin, BackgroundMixin, SessionsMixin, ElementsMixin,
              GridsMixin, LayoutMixin, ScreenMapsMixin, Exportable):
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
        from .compare import HeatmapComparison  # compare.py imports this module

        return HeatmapComparison(self, other, **kwargs)

    # ---------------------------------------------------------------- repr
    def __repr__(self) -> str:
        dev = f", device={self.device!r}" if self.device else ""
        return f"<Heatmap kind={self.kind!r} url={self.url!r}{dev}>"
