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

from .compare import HeatmapComparison
from .core import Heatmap
from .kinds import ALL_SCREENS, KINDS, SCREEN_MAX_PANELS, SCREEN_MIN_SHARE
from .zone_stats import adjust_pvalues, zone_test

__all__ = [
    "ALL_SCREENS",
    "KINDS",
    "SCREEN_MAX_PANELS",
    "SCREEN_MIN_SHARE",
    "Heatmap",
    "HeatmapComparison",
    "adjust_pvalues",
    "zone_test",
]
