"""The friction package: its public surface and the API page of ``Friction``."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import yaml

import uxlens
import uxlens.friction as friction
from uxlens.export import Exportable
from uxlens.friction import Friction

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "friction.md"


def _public(cls: type) -> set[str]:
    return {n for n, v in vars(cls).items() if not n.startswith("_")
            and (inspect.isfunction(v) or isinstance(v, property))}


def _friction_options() -> dict:
    block = re.search(r"^::: uxlens\.Friction\n((?:[ \t]+.*\n)+)", PAGE.read_text("utf-8"), re.M)
    assert block, "docs/reference/friction.md has no '::: uxlens.Friction' block with options"
    return yaml.safe_load(block.group(1))["options"]


def test_every_public_name_is_importable_from_the_package() -> None:
    assert len(friction.__all__) == len(set(friction.__all__)) == 18
    for name in friction.__all__:
        assert getattr(friction, name) is not None, name
    for name in ("Friction", "flag_clicks", "thrashed_cursor", "DEFAULT_WEIGHTS", "PRESETS"):
        assert getattr(uxlens, name) is getattr(friction, name)


def test_the_api_page_lists_every_method_own_or_from_a_mixin() -> None:
    mixins = [c for c in Friction.__mro__[1:]
              if c.__module__.startswith("uxlens.friction.") and c is not Exportable]
    assert [c.__name__ for c in mixins] == [
        "FrictionInsights", "FrictionModels", "FrictionAggregates"]
    inherited = set().union(*(_public(c) for c in mixins))
    options = _friction_options()
    # mkdocstrings shows inherited members only when named: a new mixin method must be added
    assert set(options["inherited_members"]) == inherited
    assert sorted(options["members"]) == sorted(_public(Friction) | inherited)
