"""The documentation site builds with warnings as errors and covers the public API."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import uxlens

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            pytest.skip(
                f"{module} is not installed: pip install mkdocs-material 'mkdocstrings[python]' "
                "to build the documentation site"
            )
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(ROOT / "mkdocs.yml"),
            "-d",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def _text(site: Path, page: str) -> str:
    path = site / page / "index.html"
    assert path.is_file(), f"missing page {page}"
    return path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_pages_exist(site: Path) -> None:
    for page in (
        "getting-started",
        "concepts/events",
        "concepts/sessions",
        "concepts/funnels",
        "concepts/friction",
        "concepts/privacy",
        "how-to/bring-your-own-data",
        "how-to/scale-out",
        "how-to/export-a-deck",
        "reference",
        "comparison",
    ):
        _text(site, page)
    assert (site / "index.html").is_file()


@pytest.mark.slow
def test_funnel_reference_and_semantics(site: Path) -> None:
    api = _text(site, "reference/funnel")
    assert 'id="uxlens.Funnel"' in api
    assert 'id="uxlens.Funnel.table"' in api
    assert "furthest attempt" in _text(site, "concepts/funnels").lower()


@pytest.mark.slow
def test_every_public_name_is_documented(site: Path) -> None:
    html = "".join(p.read_text(encoding="utf-8") for p in (site / "reference").rglob("*.html"))
    anchors = set(re.findall(r'id="uxlens\.([A-Za-z_]+)"', html))
    missing = sorted(set(uxlens.__all__) - {"__version__"} - anchors)
    assert not missing, f"names in uxlens.__all__ without an API reference entry: {missing}"


def _load_docs_module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rst_simple_table_becomes_markdown_table() -> None:
    pytest.importorskip("griffe")
    convert = _load_docs_module("griffe_rst_tables").rst_tables_to_markdown
    doc = "\n".join(
        [
            "Weights:",
            "",
            "    ====  ============",
            "    kind  points",
            "    ====  ============",
            "    rage  3.0 x clicks",
            "          / min_clicks",
            "    dead  ``1.5``",
            "    ====  ============",
            "",
            "After.",
        ]
    )
    assert convert(doc).split("\n") == [
        "Weights:",
        "",
        "",
        "    | kind | points |",
        "    |---|---|",
        "    | rage | 3.0 x clicks / min_clicks |",
        "    | dead | `1.5` |",
        "",
        "",
        "After.",
    ]
    assert convert("a == b\n=== not a table") == "a == b\n=== not a table"


def test_sphinx_roles_become_optional_autorefs() -> None:
    hook = _load_docs_module("hooks").on_page_content
    html = "see :class:<code>~uxlens.EventLog</code> and :func:<code>rage_clicks</code>."
    assert hook(html) == (
        'see <autoref identifier="uxlens.EventLog" optional><code>EventLog</code></autoref>'
        ' and <autoref identifier="uxlens.rage_clicks" optional><code>rage_clicks</code>'
        "</autoref>."
    )
