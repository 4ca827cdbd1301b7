"""Tiny event tables for hand-computed funnel cases.

``events("A@0 B@60", "u2: A@0")`` builds canonical events: each argument is one
unit's timeline, tokens are ``EVENT@SECONDS`` (seconds after 2024-03-04 09:00 UTC,
fractions allowed: ``B@600.001`` is 1 ms after ten minutes). A prefix ``u2:``
names the user (default ``u1``, ``u2``... by position); ``EVENT@S#s9`` puts
the event in session ``s9`` (default ``<user>-s``); ``EVENT@S{k=v,k2=v2}`` adds
properties.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

import uxlens.funnel as funnel_module
from uxlens.events import validate

T0 = pd.Timestamp("2024-03-04 09:00", tz="UTC")
_TOKEN = re.compile(
    r"^(?P<ev>[^@]+)@(?P<t>-?[\d.]+)(?:#(?P<sid>[\w-]+))?(?:\{(?P<props>[^}]*)\})?$"
)


def _value(text: str) -> Any:
    if text == "None":
        return None
    return text


def rows(*timelines: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, line in enumerate(timelines, start=1):
        user = f"u{i}"
        if ":" in line.split("@")[0]:
            user, line = (p.strip() for p in line.split(":", 1))
        for tok in re.findall(r"[^\s@]+@-?[\d.]+(?:#[\w-]+)?(?:\{[^}]*\})?", line):
            m = _TOKEN.match(tok)
            assert m, f"bad token {tok!r}"
            rec: dict[str, Any] = {
                "user_id": user,
                "session_id": m.group("sid") or f"{user}-s",
                "timestamp": T0 + pd.Timedelta(milliseconds=round(float(m.group("t")) * 1000)),
                "event": m.group("ev"),
            }
            if m.group("props"):
                for pair in m.group("props").split(","):
                    k, v = pair.split("=", 1)
                    rec[k.strip()] = _value(v.strip())
            out.append(rec)
    return out


def events(*timelines: str) -> pd.DataFrame:
    """Canonical events (duplicates kept: same-instant twins are part of the cases)."""
    return validate(pd.DataFrame(rows(*timelines)), drop_duplicates=False).events


def engine_rows_only(monkeypatch: Any) -> None:
    """Funnels on in-memory frames take their rows from the query engine, not the frame."""
    monkeypatch.setattr(funnel_module, "frame_rows", lambda *args, **kwargs: None)
