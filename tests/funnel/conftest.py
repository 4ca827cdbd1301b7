"""Funnel test fixtures."""

from __future__ import annotations

import pytest

from ._build import engine_rows_only


@pytest.fixture(params=["frame", "engine"])
def rows_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test twice: funnels on in-memory frames take their rows from the frame
    (``uxlens.engine.funnel_frame``, the default) and from the query engine."""
    if request.param == "engine":
        engine_rows_only(monkeypatch)
    return request.param
