"""Pages that show several screen states: one heatmap per main state, side by side."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engine.backend import execute
from ..exceptions import UxlensError
from .kinds import _POINT_KINDS, ALL_SCREENS, KINDS, SCREEN_MAX_PANELS, SCREEN_MIN_SHARE
from .shared import _as_shared, _screen_shared

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

    from .core import Heatmap


class ScreenMapsMixin:
    """Heatmap methods for the screen states of a page (mixin of :class:`Heatmap`)."""

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
        >>> maps = ux.Heatmap.by_screen(ux.demo(), url="/onboarding/invite", background=None)
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
        >>> maps = ux.Heatmap.by_screen(ux.demo(), url="/onboarding/invite", background=None)
        >>> fig = ux.Heatmap.plot_screens(maps, "desktop")
        >>> len([t for t in fig.data if t.type == "heatmap"])
        2
        """
        from ..plotting import heatmap as plots

        maps = list(heatmaps)
        if not maps or not all(isinstance(h, ScreenMapsMixin) for h in maps):
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
        >>> ux.Heatmap(log, url="/onboarding/invite", background=None).main_screens()
        ['Invite your teammates — use comma-separated emails', \
'Invite your teammates — Add comma-separated emails']
        >>> ux.Heatmap(log, url="/signup", background=None).main_screens()
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
        probe = type(self)(
            shared, url=self.url, kind=self.kind, device=self.device, segment=self.segment,
            version=self.version, width=self.width, background=None, bin_px=self.bin_px,
            align=self.align, boxes=self.boxes, friction=self.friction, backend=self.backend,
            screen=ALL_SCREENS)
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
        >>> h = ux.Heatmap(ux.demo(), url="/dashboard", background=None)
        >>> [m.screen for m in h.screen_maps()]  # the welcome modal open, then closed
        ["Your projects — modal: You're all set!", 'Your projects']
        """
        return [self.with_(screen=name) for name in self.main_screens()]

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
