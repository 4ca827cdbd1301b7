"""Drawing a heatmap: plotly figures, notebook previews and the explorer widget."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import UxlensError
from .kinds import KINDS

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go


class FiguresMixin:
    """Heatmap methods that draw it (mixin of :class:`Heatmap`)."""

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
        >>> fig = ux.Heatmap(log, url="/onboarding/invite", background=None).plot()
        >>> fig.layout.title.text.split("<br>")[0]
        'Clicks on /onboarding/invite · 2 screens side by side · desktop'
        >>> [a.text.split(" · ")[0] for a in fig.layout.annotations][:2]
        ['Invite your teammates — use comma-separated emails', \
'Invite your teammates — Add comma-separated emails']
        >>> merged = ux.Heatmap(log, url="/onboarding/invite", background=None, screen="all").plot()
        >>> [a.text.split(" · ")[0] for a in merged.layout.annotations][:3]
        ['desktop', 'tablet', 'mobile']
        """
        from ..plotting import heatmap as plots

        maps = self.screen_maps()
        if maps:
            dev = self._split_device(maps, device)
            return self.plot_screens(
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
