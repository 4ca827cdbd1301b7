"""Hand-built event sequences for the friction tests."""

from __future__ import annotations

import pandas as pd

from uxlens.events import validate

T0 = pd.Timestamp("2024-05-01 10:00:00", tz="UTC")


def events(rows: list[dict], *, session: str = "s1") -> pd.DataFrame:
    """Validated events from dicts with ``t`` (ms after T0) and ``event`` keys."""
    out = []
    for r in rows:
        r = dict(r)
        r.setdefault("session_id", session)
        r.setdefault("user_id", "u-" + r["session_id"])
        r["timestamp"] = T0 + pd.Timedelta(milliseconds=r.pop("t"))
        out.append(r)
    return validate(pd.DataFrame(out), drop_duplicates=False).events


def clicks(times: list[int], xs: list[float] | None = None, *, y: float = 100.0,
           target: str = "button#go", url: str = "https://app.test/p", **extra) -> list[dict]:
    """Click rows at the given ms offsets (x defaults to 100 for all)."""
    xs = xs if xs is not None else [100.0] * len(times)
    return [dict(t=t, event="click", x=x, y=y, target=target, url=url, **extra)
            for t, x in zip(times, xs, strict=True)]
