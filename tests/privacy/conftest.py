"""Prints the "privacy & robustness" figures at the end of the run (see ``_figures.py``).

pytest loads this conftest when tests/privacy is collected in the main process
(``pytest tests/privacy``, or without xdist). Under ``pytest -n 2`` over the
whole suite the controller collects nothing, so ``tests/conftest.py`` imports
the same hook; it prints once either way.
"""

from __future__ import annotations

from tests.privacy._figures import pytest_terminal_summary

__all__ = ["pytest_terminal_summary"]
