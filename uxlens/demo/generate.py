"""Generate the onboarding demo: rrweb recordings plus the ground truth planted in them.

:func:`generate` plans ``n_sessions`` sessions (users, devices, traffic
sources, new vs returning, page version A/B per user, how far each gets in
the onboarding funnel), plays each with :mod:`uxlens.demo.behaviour`, and
labels the friction facts found in what was recorded by the definitions in
DESIGN.md. Everything comes from ``seed``: the same seed gives byte-identical
files.

The drop at the invite step is drawn by stratified sampling: among the users
of a version who reach the invite page, ``floor(N * rate + U)`` drop (U
uniform), chosen at random. Version A's rate is 38 %, version B's 22 % lower
(29.6 %); the numbers measured in a sample vary with N and the rounding, but
stay close to those rates even at a few hundred sessions.

Examples
--------
>>> data = generate(n_sessions=20, seed=1)
>>> len(data.recordings), data.recordings[0]["events"][0]["data"]["tag"]
(20, 'identify')
>>> sorted(data.ground_truth["kind"].unique())[:3]
['console_error', 'converted', 'dead_click']
"""

from __future__ import annotations

import gzip
import io
import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from .._version import __version__
from ..exceptions import UxlensError
from . import app
from .behaviour import SessionPlan, Visitor
from .rrweb_writer import RecLog

__all__ = ["DemoData", "generate", "sample_path", "plan_sessions", "label", "STORY",
           "TRUTH_COLUMNS", "START"]

#: First instant of the demo week (UTC).
START = datetime(2026, 10, 5, tzinfo=timezone.utc)
_START_MS = int(START.timestamp() * 1000)
_DAY_MS = 86_400_000
#: The story's rates: drop at the invite step per version.
STORY = {"A": 0.38, "B": 0.38 * (1 - 0.22)}
TRUTH_COLUMNS = ["session_id", "user_id", "kind", "timestamp", "element", "url", "detail",
                 "device"]
_RECORDINGS = "recordings.jsonl.gz"
_TRUTH = "ground_truth.csv"
_SESSIONS = "sessions.csv"
_MANIFEST = "manifest.json"
_SOURCES = {"organic": 0.35, "paid": 0.30, "email": 0.20, "referral": 0.15}
_QUERIES = {
    "organic": "",
    "paid": "utm_source=google&utm_medium=cpc&utm_campaign=acme-onboarding",
    "email": "utm_source=newsletter&utm_medium=email&utm_campaign=oct-digest",
    "referral": "ref=partner-blog",
}
_P_START = {"organic": 0.62, "paid": 0.56, "email": 0.72, "referral": 0.70}
_DEVICES = {"desktop": 0.55, "tablet": 0.10, "mobile": 0.35}
_PLANS = {"free": 0.6, "team": 0.3, "business": 0.1}


@dataclass
class DemoData:
    """A generated demo: recordings, ground truth, one row per session, and a manifest."""

    recordings: list[dict[str, Any]]
    ground_truth: pd.DataFrame
    sessions: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    def write(self, path: str | Path) -> Path:
        """Write ``recordings.jsonl.gz``, ``ground_truth.csv``, ``sessions.csv``, ``manifest.json``.

        Byte-identical for the same seed and size (gzip without a timestamp,
        sorted JSON keys). Returns the folder.
        """
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
            for rec in self.recordings:
                gz.write(orjson.dumps(rec, option=orjson.OPT_SORT_KEYS) + b"\n")
        (folder / _RECORDINGS).write_bytes(buf.getvalue())
        truth = self.ground_truth.copy()
        truth["timestamp"] = _iso(truth["timestamp"])
        truth.to_csv(folder / _TRUTH, index=False, lineterminator="\n")
        sessions = self.sessions.copy()
        for col in ("start", "end"):
            sessions[col] = _iso(sessions[col])
        sessions.to_csv(folder / _SESSIONS, index=False, lineterminator="\n")
        (folder / _MANIFEST).write_text(json.dumps(self.manifest, indent=2, sort_keys=True)
                                        + "\n")
        return folder


def _iso(ts: pd.Series) -> pd.Series:
    return ts.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"


def sample_path() -> Path | None:
    """The committed 300-session sample (``data-samples/onboarding``), if this is a checkout.

    Returns ``None`` when uxlens runs from an installed package without the
    repository's ``data-samples`` folder.
    """
    folder = Path(__file__).resolve().parents[2] / "data-samples" / "onboarding"
    return folder if (folder / _RECORDINGS).exists() else None


# --------------------------------------------------------------------------- planning
def _pick(r: random.Random, weights: dict[str, float]) -> str:
    return r.choices(list(weights), weights=list(weights.values()))[0]


def _start_time(r: random.Random, day_lo: float = 0.0, day_hi: float = 7.0) -> int:
    day = int(r.uniform(day_lo, day_hi))
    if r.random() < 0.8:
        hour = r.gauss(14.0, 3.5) % 24
    else:
        hour = r.uniform(0, 24)
    return _START_MS + day * _DAY_MS + int(hour * 3_600_000) + r.randint(0, 999)


def _depth(r: random.Random, source: str, device: str, returning: bool) -> int:
    p_start = _P_START[source] * (0.9 if device == "mobile" else 1.0)
    p_start = min(0.9, p_start * (1.1 if returning else 1.0))
    if r.random() >= p_start:
        return 0
    if r.random() >= (0.85 if device == "desktop" else 0.8):
        return 1
    if r.random() >= 0.92:
        return 2
    return 3


def plan_sessions(n_sessions: int, seed: int) -> list[SessionPlan]:
    """Who visits, when, on what, and how far each gets (drop outcomes stratified).

    Examples
    --------
    >>> plans = plan_sessions(50, seed=3)
    >>> len(plans), len({p.session_id for p in plans})
    (50, 50)
    """
    r = random.Random(f"uxlens-demo-plan:{seed}")
    used: set[str] = set()

    def uid(prefix: str, bits: int) -> str:
        while True:
            value = f"{prefix}{r.getrandbits(bits):0{bits // 4}x}"
            if value not in used:
                used.add(value)
                return value

    raw: list[dict[str, Any]] = []
    while len(raw) < n_sessions:
        user = uid("u-", 40)
        version = "A" if r.random() < 0.5 else "B"
        device = _pick(r, _DEVICES)
        width, height = r.choice(app.VIEWPORTS[device])
        plan = _pick(r, _PLANS)
        if r.random() < 0.09 and len(raw) <= n_sessions - 2:
            # a visitor who browses first and comes back a day or two later
            t1 = _start_time(r, 0, 4.5)
            src1 = r.choice(["organic", "paid"])
            raw.append(dict(user=user, version=version, device=device, size=(width, height),
                            plan=plan, source=src1, returning=r.random() < 0.2, start=t1,
                            depth=0, browse_only=True))
            src2 = _pick(r, {"email": 0.5, "organic": 0.3, "referral": 0.2})
            t2 = min(t1 + int(r.uniform(3, 48) * 3_600_000), _START_MS + 7 * _DAY_MS - 900_000)
            raw.append(dict(user=user, version=version, device=device, size=(width, height),
                            plan=plan, source=src2, returning=True, start=t2,
                            depth=_depth(r, src2, device, True), browse_only=False))
            continue
        source = _pick(r, _SOURCES)
        returning = r.random() < (0.45 if source == "email" else 0.2)
        raw.append(dict(user=user, version=version, device=device, size=(width, height),
                        plan=plan, source=source, returning=returning,
                        start=_start_time(r), depth=_depth(r, source, device, returning),
                        browse_only=False))
    raw.sort(key=lambda x: (x["start"], x["user"]))
    reasons: dict[int, str] = {}
    for version, rate in STORY.items():
        reach = [i for i, x in enumerate(raw) if x["depth"] == 3 and x["version"] == version]
        k = int(math.floor(len(reach) * rate + r.random()))
        for i in r.sample(reach, k):
            reasons[i] = (r.choices(["spaces", "error", "other"], weights=[75, 10, 15])[0]
                          if version == "A" else
                          r.choices(["error", "other"], weights=[20, 80])[0])
    plans = []
    for i, x in enumerate(raw):
        sid = uid("s-", 48)
        entry = "pricing" if x["source"] == "paid" and r.random() < 0.25 else "landing"
        plans.append(SessionPlan(
            session_id=sid, user_id=x["user"], start_ms=x["start"], device=x["device"],
            width=x["size"][0], height=x["size"][1], source=x["source"],
            is_returning=x["returning"], version=x["version"], plan=x["plan"], entry=entry,
            entry_query=_QUERIES[x["source"]], depth=x["depth"], drop_reason=reasons.get(i, ""),
            seed=f"uxlens-demo:{seed}:{sid}", browse_only=x["browse_only"]))
    return plans


# --------------------------------------------------------------------------- labelling
def label(log: RecLog, session_id: str, user_id: str, device: str) -> list[dict[str, Any]]:
    """Friction facts in a recorded session, by DESIGN.md's definitions.

    * ``rage_click``: >= 3 clicks, each <= 1000 ms and <= 30 px (document
      coordinates) from the previous, on one page view; one row per burst.
    * ``dead_click``: a click on a non-link element with no DOM mutation,
      page load, scroll or selection in the 2500 ms after it (``detail``:
      ``decoy``, ``disabled``, ``stray`` or ``other``).
    * ``error_click``: a console error or failed request (status >= 400) in
      the 1000 ms after a click.
    * ``quick_back``: page P, then another page, then P again within 10 s of
      leaving P.
    * ``form_abandoned``: keys typed on a form page whose form was never
      submitted in the session.
    * ``console_error`` / ``failed_request``: every such event.
    """
    rows: list[dict[str, Any]] = []

    def row(kind: str, t: int, element: str, url: str, detail: str) -> None:
        rows.append({"session_id": session_id, "user_id": user_id, "kind": kind, "t": int(t),
                     "element": element, "url": url, "detail": detail, "device": device})

    clicks = log.clicks
    chain: list[Any] = []

    def flush() -> None:
        if len(chain) >= 3:
            elements = [c.element for c in chain]
            top = max(sorted(set(elements)), key=elements.count)
            row("rage_click", chain[0].t, "#" + top, chain[0].url, f"clicks={len(chain)}")

    for c in clicks:
        prev = chain[-1] if chain else None
        if prev is not None and c.visit == prev.visit and c.t - prev.t <= 1000 and \
                math.hypot(c.x - prev.x, c.y - prev.y) <= 30:
            chain.append(c)
        else:
            flush()
            chain = [c]
    flush()

    responses = sorted(log.mutations + log.scrolls + log.selections +
                       [t for t, _ in log.pageviews])
    import bisect

    for c in clicks:
        if c.is_link:
            continue
        i = bisect.bisect_right(responses, c.t)
        if i >= len(responses) or responses[i] > c.t + 2500:
            row("dead_click", c.t, "#" + c.element, c.url, c.note or "other")
    errors = sorted(log.errors)
    times = [e[0] for e in errors]
    for c in clicks:
        i = bisect.bisect_right(times, c.t)
        if i < len(times) and times[i] <= c.t + 1000:
            row("error_click", c.t, "#" + c.element, c.url, errors[i][2])
    pv = log.pageviews
    for a, b, c2 in zip(pv, pv[1:], pv[2:]):
        if a[1] == c2[1] and b[1] != a[1] and c2[0] - b[0] <= 10_000:
            row("quick_back", c2[0], "", a[1], f"via {b[1]}, {(c2[0] - b[0]) / 1000:.1f} s")
    for t, kind, desc, path in errors:
        row("console_error" if kind == "console" else "failed_request", t, "", path, desc)
    forms = {"/signup": ("signup-card", {"signup-submit"}),
             "/onboarding/profile": ("profile-card", {"profile-continue"}),
             "/onboarding/invite": ("invite-card", {"send-invites"})}
    for path, (form, submits) in forms.items():
        typed = [(t, el) for t, el, p, user in log.inputs
                 if p == path and user and el != "signup-terms"]
        if not typed:
            continue
        submitted = any(c.url == path and c.element in submits and c.note != "disabled"
                        for c in clicks)
        if not submitted:
            fields = ",".join(sorted({el for _, el in typed}))
            row("form_abandoned", typed[-1][0], "#" + form, path, fields)
    return rows


# --------------------------------------------------------------------------- generate
def _check_args(n_sessions: Any, seed: Any) -> None:
    if isinstance(n_sessions, bool) or not isinstance(n_sessions, int) or n_sessions < 1:
        raise UxlensError(
            f"n_sessions must be a positive integer, got {n_sessions!r}; "
            "pass e.g. generate(n_sessions=300).")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UxlensError(f"seed must be an integer, got {seed!r}; pass e.g. seed=7.")


def generate(n_sessions: int = 300, seed: int = 7, path: str | Path | None = None) -> DemoData:
    """Generate the onboarding demo: rrweb recordings and their ground truth.

    Parameters
    ----------
    n_sessions
        Number of sessions (recordings), spread over the week from 2026-10-05 UTC.
    seed
        Everything is derived from it; the same seed gives identical output.
    path
        When given, also write the files there (see :meth:`DemoData.write`).

    Returns
    -------
    DemoData
        ``recordings``: ``[{"session_id", "user_id", "events": [rrweb events]}]``;
        ``ground_truth``: one row per planted or defined fact (columns
        :data:`TRUTH_COLUMNS`, ``timestamp`` as UTC datetimes); ``sessions``:
        one row per session; ``manifest``: seed, sizes and the story numbers.

    Examples
    --------
    >>> data = generate(n_sessions=10, seed=2)
    >>> data.manifest["n_sessions"], int(data.ground_truth["kind"].eq("version").sum())
    (10, 10)
    """
    _check_args(n_sessions, seed)
    recordings: list[dict[str, Any]] = []
    truth: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    for plan in plan_sessions(n_sessions, seed):
        visitor = Visitor(plan).run()
        events = visitor.rec.finish()
        recordings.append({"session_id": plan.session_id, "user_id": plan.user_id,
                           "events": events})
        truth += visitor.rows
        truth += label(visitor.rec.log, plan.session_id, plan.user_id, plan.device)
        sessions.append(_session_row(plan, visitor, events))
    gt = pd.DataFrame(truth, columns=[*TRUTH_COLUMNS[:3], "t", *TRUTH_COLUMNS[4:]])
    gt.insert(3, "timestamp", pd.to_datetime(gt.pop("t"), unit="ms", utc=True).astype(
        "datetime64[ns, UTC]"))
    gt = gt.sort_values(["timestamp", "session_id", "kind", "element", "detail"],
                        kind="stable").reset_index(drop=True)
    sess = pd.DataFrame(sessions)
    for col in ("start", "end"):
        sess[col] = pd.to_datetime(sess[col], unit="ms", utc=True).astype("datetime64[ns, UTC]")
    data = DemoData(recordings, gt, sess)
    data.manifest = _manifest(data, n_sessions, seed)
    if path is not None:
        data.write(path)
    return data


_STEPS = ("landing", "signup_started", "signup_done", "profile_done", "invite_sent",
          "onboarding_done")


def _session_row(plan: SessionPlan, visitor: Visitor, events: list[dict[str, Any]]) -> dict:
    tags = {ev["data"]["tag"] for ev in events if ev["type"] == 5}
    furthest = "landing"
    for step in _STEPS[1:]:
        if step in tags:
            furthest = step
    return {
        "session_id": plan.session_id, "user_id": plan.user_id,
        "start": events[0]["timestamp"], "end": events[-1]["timestamp"],
        "duration_s": round((events[-1]["timestamp"] - events[0]["timestamp"]) / 1000, 3),
        "device": plan.device, "width": plan.width, "height": plan.height,
        "source": plan.source, "is_returning": plan.is_returning, "version": plan.version,
        "plan": plan.plan, "entry_url": app.BASE_URL + app.PAGES[plan.entry][0]
        + (f"?{plan.entry_query}" if plan.entry_query else ""),
        "furthest_step": furthest,
        "reached_invite": visitor.invite_seen_at is not None,
        "invite_sent": visitor.sent,
        "converted": visitor.sent and visitor.onboarding_done,
        "events": len(events),
    }


def story_numbers(sessions: pd.DataFrame) -> dict[str, Any]:
    """Drop at the invite step per version, from a sessions table.

    Examples
    --------
    >>> s = pd.DataFrame({"version": ["A", "A", "B", "B"], "reached_invite": [True] * 4,
    ...                   "invite_sent": [False, True, True, True]})
    >>> story_numbers(s)["A"]["drop_rate"], story_numbers(s)["relative_reduction"]
    (0.5, 1.0)
    """
    out: dict[str, Any] = {}
    for v in ("A", "B"):
        s = sessions[(sessions["version"] == v) & sessions["reached_invite"]]
        dropped = int((~s["invite_sent"].astype(bool)).sum())
        out[v] = {"reached_invite": int(len(s)), "invite_sent": int(len(s) - dropped),
                  "dropped": dropped,
                  "drop_rate": round(dropped / len(s), 4) if len(s) else None}
    exact = {v: out[v]["dropped"] / out[v]["reached_invite"] if out[v]["reached_invite"] else
             None for v in ("A", "B")}
    a, b = exact["A"], exact["B"]
    out["relative_reduction"] = round(1 - b / a, 4) if a and b is not None else None
    return out


def _manifest(data: DemoData, n_sessions: int, seed: int) -> dict[str, Any]:
    s = data.sessions
    gt = data.ground_truth
    return {
        "generator": "uxlens.demo.generate",
        "uxlens_version": __version__,
        "seed": seed,
        "n_sessions": n_sessions,
        "start": START.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "days": 7,
        "base_url": app.BASE_URL,
        "files": {"recordings": _RECORDINGS, "ground_truth": _TRUTH, "sessions": _SESSIONS},
        "counts": {
            "sessions": int(len(s)),
            "users": int(s["user_id"].nunique()),
            "rrweb_events": int(s["events"].sum()),
            "devices": {k: int(v) for k, v in sorted(s["device"].value_counts().items())},
            "versions": {k: int(v) for k, v in sorted(s["version"].value_counts().items())},
            "sources": {k: int(v) for k, v in sorted(s["source"].value_counts().items())},
            "returning": int(s["is_returning"].sum()),
            "furthest_step": {k: int(v) for k, v in sorted(
                s["furthest_step"].value_counts().items())},
            "ground_truth": {k: int(v) for k, v in sorted(gt["kind"].value_counts().items())},
        },
        "story": story_numbers(s),
    }
