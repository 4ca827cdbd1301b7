"""Heatmaps: where users click, move, scroll, look and fight, on the page they saw."""

from __future__ import annotations

from .core import KINDS, Heatmap, HeatmapComparison, adjust_pvalues, zone_test

__all__ = ["KINDS", "Heatmap", "HeatmapComparison", "adjust_pvalues", "zone_test"]
