"""Where tests find the third-party data in ../shared/data (beside the repo in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_CANDIDATES = [
    Path(os.environ["UXLENS_SHARED_DATA"]) if os.environ.get("UXLENS_SHARED_DATA") else None,
    REPO.parent / "shared" / "data",
    Path("/work/shared/data"),
]
SHARED_DATA = next((p for p in _CANDIDATES if p is not None and p.is_dir()), REPO.parent / "shared" / "data")
SAMPLE = REPO / "data-samples" / "onboarding"


def shared(*parts: str) -> Path:
    """Path of a file under shared/data, skipping the test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path
