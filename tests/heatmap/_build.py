"""Hand-built canonical events for heatmap tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from uxlens.events import validate

T0 = pd.Timestamp("2024-01-01T00:00:00Z")
PAGE = "https://app.example.com/onboarding/invite"


def events(rows: Iterable[Mapping[str, Any]], **constant: Any) -> pd.DataFrame:
    """Validate dict rows; ``t`` is integer ms after :data:`T0`; ``url`` defaults to PAGE."""
    frame = pd.DataFrame(list(rows))
    for k, v in constant.items():
        frame[k] = v
    if "t" in frame.columns:
        frame["timestamp"] = T0 + pd.to_timedelta(frame.pop("t").astype("int64"), unit="ms")
    if "user_id" not in frame.columns:
        frame["user_id"] = None
    if "url" not in frame.columns:
        frame["url"] = PAGE
    frame["url"] = frame["url"].fillna(PAGE)
    result = validate(frame, source="test", drop_duplicates=False)
    assert result.rejected.empty, result.rejected
    return result.events


def session(sid: str, width: int, clicks: Iterable[tuple], *, height: int = 800,
            t0: int = 0, page_h: int | None = 3000, **extra: Any) -> list[dict[str, Any]]:
    """A pageview then clicks ``(x, y[, scroll_y[, target]])`` one second apart."""
    rows = [dict(session_id=sid, t=t0, event="pageview", viewport_w=width, viewport_h=height,
                 scroll_y=0.0, page_h=page_h, **extra)]
    for i, c in enumerate(clicks, start=1):
        x, y = c[0], c[1]
        scroll = c[2] if len(c) > 2 else 0.0
        target = c[3] if len(c) > 3 else None
        rows.append(dict(session_id=sid, t=t0 + 1000 * i, event="click", x=x, y=y,
                         scroll_y=scroll, target=target, viewport_w=width, viewport_h=height,
                         page_h=page_h, **extra))
    return rows
