"""Comparing two heatmaps zone by zone, with corrected significance."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engine import heatmap as eng
from ..engine.backend import execute
from ..exceptions import UxlensError
from ..export import Exportable
from .core import Heatmap
from .kinds import _POINT_KINDS
from .zone_stats import adjust_pvalues, zone_test

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

__all__ = ["HeatmapComparison"]

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
