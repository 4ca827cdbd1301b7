"""Clicks per element and hot spots (DBSCAN clusters of activity)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..engine import heatmap as eng
from ..engine.backend import execute
from ..exceptions import UxlensError
from .kinds import _POINT_KINDS


class ElementsMixin:
    """Heatmap methods for elements and hot spots (mixin of :class:`Heatmap`)."""

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
        >>> el = ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).elements()
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
