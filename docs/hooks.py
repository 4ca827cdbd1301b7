"""MkDocs hook: turn Sphinx roles left in numpydoc docstrings into cross-references.

uxlens docstrings use Sphinx roles (``:class:`~uxlens.EventLog```), which the numpy
docstring parser of mkdocstrings renders literally as ``:class:<code>~uxlens.EventLog</code>``.
This hook rewrites them into optional autorefs: a link when the object is documented on
the site, plain code otherwise (never a warning).
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj):<code>(~?)([\w.]+)</code>")


def _replace(match: re.Match[str]) -> str:
    tilde, target = match.group(1), match.group(2)
    title = target.rsplit(".", 1)[-1] if tilde else target
    identifier = target if "." in target else f"uxlens.{target}"
    return f'<autoref identifier="{identifier}" optional><code>{title}</code></autoref>'


def on_page_content(html: str, **kwargs: Any) -> str:
    return _ROLE.sub(_replace, html)
