"""The uxlens.heatmap package: its import surface and the API page of its mixins."""

from __future__ import annotations

import re
from pathlib import Path

import uxlens
import uxlens.heatmap as hm
from uxlens.heatmap.core import Heatmap

ROOT = Path(__file__).resolve().parents[2]


def test_public_names_resolve_to_one_object() -> None:
    assert hm.__all__ == [
        "ALL_SCREENS", "KINDS", "SCREEN_MAX_PANELS", "SCREEN_MIN_SHARE",
        "Heatmap", "HeatmapComparison", "adjust_pvalues", "zone_test",
    ]
    assert hm.Heatmap is uxlens.Heatmap is Heatmap
    assert hm.HeatmapComparison is uxlens.HeatmapComparison
    assert list(hm.KINDS) == ["click", "move", "scroll", "attention", "rage", "dead", "error"]
    assert (hm.ALL_SCREENS, hm.SCREEN_MIN_SHARE, hm.SCREEN_MAX_PANELS) == ("all", 0.10, 4)


def _mixin_members() -> list[str]:
    names: list[str] = []
    for klass in Heatmap.__mro__[1:]:
        if klass.__module__.startswith("uxlens.heatmap."):
            names += [n for n in vars(klass) if not n.startswith("_")]
    return names


def test_each_public_method_is_defined_once() -> None:
    own = [n for n in vars(Heatmap) if not n.startswith("_")]
    members = own + _mixin_members()
    assert len(members) == len(set(members))
    assert {"grid", "plot", "hotspots", "sessions_at", "compare", "with_"} <= set(members)


def test_api_page_lists_every_mixin_method() -> None:
    page = (ROOT / "docs" / "reference" / "heatmap.md").read_text(encoding="utf-8")
    block = page.split("inherited_members:", 1)[1].split(":::", 1)[0]
    listed = re.findall(r"^\s+- (\w+)\s*$", block, flags=re.MULTILINE)
    assert sorted(listed) == sorted(_mixin_members())
