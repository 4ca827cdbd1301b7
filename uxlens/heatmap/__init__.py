"""Heatmaps: where users click, move, scroll, look and fight, on the page they saw.

:class:`Heatmap` is a thin, lazy front over the aggregates in
:mod:`uxlens.engine.heatmap` (Ibis expressions: DuckDB by default, PySpark or
another backend on request), the page renderer in :mod:`uxlens.render` and the
figures in :mod:`uxlens.plotting.heatmap`. Constructing one validates the
arguments; the first call that needs numbers computes and caches them.

The package has one module per job: ``core`` (the :class:`Heatmap` class:
parameters, segments, the page's events, caches), and the mixins it is made
of, ``screen_maps`` (pages with several screen states), ``layout``
(reference widths, fixed elements, element boxes), ``grids`` (grid, scroll
reach, attention, skipped events), ``elements`` (elements and hot spots),
``sessions`` (the sessions behind a spot), ``background`` (the page image),
``figure`` (plots and notebook views) and ``summary``; ``compare``
(:class:`HeatmapComparison`) with its tests in ``zone_stats``; ``kinds`` and
``shared`` hold the constants and the data a heatmap shares with its variants.

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
