"""The demo report behind ``make demo``: load, analyse, and write what was found to ``out/``.

Run it as ``python -m uxlens demo --out out``. It walks the onboarding story
end to end on the bundled demo (or on recordings you point it at): sessions,
the funnel and its drop at "invite teammates", A vs B, the heatmap of the
invite page, friction, journeys, and a slide deck.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .eventlog import EventLog

__all__ = ["demo_report", "ONBOARDING_STEPS"]

#: The demo's onboarding funnel (custom events the demo app sends).
ONBOARDING_STEPS = ["signup_started", "signup_done", "profile_done", "invite_sent", "onboarding_done"]


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def demo_report(log: EventLog, out: str | Path, *, images: bool = True, say: Callable[[str], Any] = print) -> Path:
    """Analyse ``log`` the way the onboarding story does and write a report folder.

    Writes ``report.md`` (the findings in words), ``report.html`` (interactive
    charts), ``sessions.csv``, ``funnel.csv``, PNG charts and ``review.pptx``
    (when ``images``). Returns the path of ``report.md``.
    """
    from . import export
    from .friction import Friction
    from .funnel import Funnel
    from .heatmap import Heatmap
    from .journeys import Journeys

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    lines: list[str] = ["# uxlens demo report", ""]
    counts = log.counts
    sessions = log.sessions().frame
    sessions.to_csv(out / "sessions.csv", index=False)
    lines += [
        "## Data",
        f"- {counts['read']:,} raw records read, {counts['loaded']:,} loaded, "
        f"{counts['rejected']:,} rejected (loaded + rejected == read).",
        f"- {len(log.events):,} canonical events, {len(sessions):,} sessions, "
        f"{log.events['user_id'].nunique():,} users.",
        f"- Devices: {', '.join(f'{k} {v}' for k, v in sessions['device'].value_counts().items())}.",
        f"- Median session {sessions['duration_s'].median():.0f} s, median active time "
        f"{sessions['active_s'].median():.0f} s.",
        "",
    ]
    say(f"loaded {len(log.events):,} events from {len(sessions):,} sessions")

    steps = [s for s in ONBOARDING_STEPS if s in set(log.events["event"].astype(str))]
    figures: list[Any] = []
    deck = export.Deck(title="Onboarding review", subtitle="uxlens demo")
    if len(steps) >= 2:
        funnel = Funnel(log, steps, window="1h", unit="user")
        table = funnel.table()
        table.to_csv(out / "funnel.csv", index=False)
        worst = table.iloc[1:].sort_values("step_conversion").iloc[0]
        lines += ["## Funnel", "", table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False), "",
                  f"- Biggest drop: {_pct(1 - worst['step_conversion'])} of users lost before "
                  f"**{worst['label']}**.", ""]
        figures.append(funnel)
        deck.add(funnel, title="Where users drop")
        if "version" in log.events.columns and "invite_sent" in steps:
            k = steps.index("invite_sent") + 1
            split = Funnel(log, steps, window="1h", unit="user", breakdown="version").table()
            at_invite = split.loc[split["step"] == k].set_index("version")
            drops = {v: 1 - r["step_conversion"] for v, r in at_invite.iterrows()}
            cmp = funnel.compare(by="version", from_step=k - 1, to_step=k)
            lines += ["### Drop at the invite step, by page version", ""]
            lines += [f"- Version {v}: {_pct(d)} of users who reached the invite page did not "
                      "send invites." for v, d in drops.items()]
            if {"A", "B"} <= set(drops) and drops["A"] > 0:
                lines.append(f"- B cuts the drop by {_pct(1 - drops['B'] / drops['A'])} (relative); "
                             f"two-proportion test p = {cmp['p_value'].iloc[0]:.3f}"
                             + (" (significant)." if cmp["significant"].any() else
                                " (not significant at this sample size: try ux.demo(n_sessions=2000)).")
                             )
            lines += ["", cmp.to_string(index=False), ""]
            say("drop at invite by version: " + ", ".join(f"{v} {_pct(d)}" for v, d in drops.items()))
        say(f"funnel: biggest drop before {worst['label']} ({_pct(1 - worst['step_conversion'])})")

    invite_urls = [u for u in log.events["url"].dropna().astype(str).unique() if "invite" in u]
    if invite_urls:
        page = urlsplit(invite_urls[0]).path
        for kind in ("click", "rage"):
            heat = Heatmap(log, url=page, kind=kind, device="desktop")
            figures.append(heat)
            deck.add(heat, title=f"{kind.title()} map of the invite page (desktop)")
            top = heat.elements().head(3)
            if len(top):
                lines += [f"## {kind.title()} heatmap of {invite_urls[0]}", "",
                          top.to_string(index=False), ""]
        say("heatmaps of the invite page done")

    friction = Friction(log)
    scores = friction.scores().sort_values("score", ascending=False)
    lines += ["## Friction", "", "Sessions with the most friction:", "",
              scores.head(5).to_string(index=False), ""]
    insights = friction.insights(top=5)
    if len(insights):
        lines += ["Insights:", ""] + [f"- {t}" for t in insights["text"].astype(str)] + [""]
    say(f"friction: {int((scores['score'] > 0).sum())} sessions with friction signals")

    journeys = Journeys(log, goal="*dashboard*")
    lines += ["## Journeys", "", journeys.paths(top=5).to_string(index=False), ""]
    loops = journeys.loops().head(3)
    if len(loops):
        lines += ["Loops:", "", loops.drop(columns="nodes").to_string(index=False), ""]
    figures.append(journeys)

    export.to_html([*figures], out / "report.html", title="uxlens demo report")
    if images:
        for i, item in enumerate(figures):
            export.to_image(item, out / f"chart_{i + 1}.png", width=1200, height=675, scale=1)
        deck.save(out / "review.pptx")
        lines += ["## Files", "", "- report.html, review.pptx, chart_*.png, sessions.csv, funnel.csv", ""]
    lines.append(f"_Made in {time.perf_counter() - t0:.1f} s._")
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    say(f"wrote {path}")
    return path


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True

