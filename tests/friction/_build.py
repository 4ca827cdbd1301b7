"""Hand-built event sequences for the friction tests."""

from __future__ import annotations

import numpy as np
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


def random_mix(seed: int, n_sessions: int = 12) -> pd.DataFrame:
    """Seeded sessions dense in clicks, answers, errors, scrolls, inputs and page changes."""
    rng = np.random.default_rng(seed)
    rows = []
    pages = ["https://app.test/home", "https://app.test/onboarding/invite",
             "https://app.test/pricing"]
    kinds = ["click", "click", "click", "touch", "dblclick", "mutation", "pageview", "console",
             "network", "mousemove", "mousemove", "scroll", "input", "selection"]
    for s in range(n_sessions):
        t = 0
        for _ in range(int(rng.integers(5, 60))):
            t += int(rng.choice([0, 5, 50, 150, 400, 900, 1000, 2600, 4000, 12_000]))
            kind = str(rng.choice(kinds))
            row = dict(t=t, event=kind, session_id=f"r{s}", url=str(rng.choice(pages)),
                       viewport_h=800)
            if kind in ("click", "touch", "dblclick"):
                row.update(x=float(rng.integers(0, 60)), y=float(rng.integers(0, 60)),
                           target=str(rng.choice(["button#go", "img.hero", "div.card > span",
                                                  "nav > a.home"])))
            elif kind == "mousemove":
                row.update(x=float(rng.integers(0, 500)), y=1.0)
            elif kind == "scroll":
                row.update(scroll_y=float(rng.integers(0, 3000)))
            elif kind == "console":
                row.update(level=str(rng.choice(["log", "error"])), message="m")
            elif kind == "network":
                row.update(status=int(rng.choice([200, 404, 500, 0])))
            elif kind == "input":
                row.update(target=str(rng.choice(["input#a", "input#b"])),
                           value="*" * int(rng.integers(0, 4)))
            rows.append(row)
    return events(rows)


def planted_mix(seed: int, n_sessions: int = 40) -> pd.DataFrame:
    """:func:`random_mix` plus a session with scroll U-turns, excess scrolling, a thrash,
    a rage burst on a dead image and an error click."""
    planted = [dict(t=0, event="pageview", url="u", session_id="planted", page_h=1000)]
    planted += [dict(t=100 * (i + 1), event="scroll", scroll_y=y, url="u", session_id="planted")
                for i, y in enumerate([0.0, 500.0, 900.0, 300.0, 1500.0, 0.0])]
    planted += [dict(t=2000 + 40 * i, event="mousemove", x=100.0 + 200 * (i % 2), y=5.0,
                     url="u", session_id="planted") for i in range(12)]
    planted += [dict(t=5000 + 150 * i, event="click", x=40.0, y=40.0, target="img.decoy",
                     url="u", session_id="planted") for i in range(4)]
    planted += [dict(t=9000, event="click", x=9.0, y=9.0, target="button#save", url="u",
                     session_id="planted"),
                dict(t=9400, event="network", status=500, duration_ms=300.0, url="u",
                     session_id="planted")]
    both = pd.concat([random_mix(seed, n_sessions), events(planted)], ignore_index=True)
    return validate(both.drop(columns="seq"), drop_duplicates=False).events


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns with None for missing, plain index: for engine-to-engine comparisons."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or str(out[c].dtype) in ("string", "str", "category"):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out.reset_index(drop=True)
