"""Funnel test fixtures."""

from __future__ import annotations

import pytest

import uxlens.funnel as funnel_module


@pytest.fixture(params=["frame", "engine"])
def rows_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test twice: funnels on in-memory frames take their rows from the frame
    (``uxlens.engine.funnel_frame``, the default) and from the query engine."""
    if request.param == "engine":
        monkeypatch.setattr(funnel_module, "frame_rows", lambda *args, **kwargs: None)
    return request.param
