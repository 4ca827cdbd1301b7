"""Where points land: reference widths, fixed and sticky elements, element boxes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..engine import heatmap as eng
from ..engine.backend import execute
from .kinds import _FLAG_KINDS, _POINT_KINDS


class LayoutMixin:
    """Heatmap methods for the page layout points are placed on (mixin of :class:`Heatmap`)."""

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
