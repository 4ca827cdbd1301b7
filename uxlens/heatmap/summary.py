"""A heatmap in numbers and words: summary, takeaway, description."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..engine import heatmap as eng
from ..engine.backend import execute
from ..exceptions import UxlensError
from .kinds import _POINT_KINDS, KINDS
from .screen_maps import _screen_labels


class SummaryMixin:
    """Heatmap methods that summarise it (mixin of :class:`Heatmap`)."""

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
        >>> print(ux.Heatmap(ux.demo(), url="/dashboard", background=None).describe())
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
