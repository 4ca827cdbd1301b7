"""The map's numbers: point grids, scroll reach, attention bands and skipped events."""

from __future__ import annotations

import pandas as pd

from ..engine import heatmap as eng
from ..engine.backend import execute
from .kinds import _FLAG_KINDS, _POINT_KINDS


class GridsMixin:
    """Heatmap methods that count the map (mixin of :class:`Heatmap`)."""

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
        >>> g = ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).grid(bin_px=50)
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
