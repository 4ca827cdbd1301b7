"""How simulated people use the Acme Projects app, and how the app answers.

A :class:`SessionPlan` says who the visitor is (device, source, version...)
and how far the onboarding will go; :class:`Visitor` then plays the session
with its own seeded :class:`random.Random`: reading pauses, mouse paths that
head for their targets (minimum-jerk curves sampled every ~50 ms), scrolling
before clicks below the fold, typing one key at a time, and the app's
answers (focus styles, validation hints, loading states, toasts, a welcome
modal, network calls and console errors) as rrweb mutations and plugin events
through :class:`~uxlens.demo.rrweb_writer.Recorder`.

The story lives here: on the invite page of version A many people type
space-separated emails, the greyed-out "Send invites" button stays disabled,
they click it, rage-click it and often leave; version B formats spaces into
commas as they type. Planted facts that are not derivable from definitions
(screen states, thrashed cursor, scroll-heavy visits, drop reasons) are
written as ground-truth rows while the session plays.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import app
from .rrweb_writer import Recorder

__all__ = ["SessionPlan", "Visitor", "simulate", "NAMES", "COMPANIES"]

FIRST = ("ana", "ben", "carla", "dev", "elif", "farah", "gus", "hana", "ivan", "jon", "kofi",
         "lena", "mateo", "nina", "omar", "priya", "quinn", "rosa", "sam", "tara", "umar", "vera",
         "wei", "xena", "yusuf", "zoe", "alex", "bruno", "chloe", "dmitri", "emma", "felix")
LAST = ("kowalski", "nguyen", "okafor", "schmidt", "garcia", "tanaka", "rossi", "haddad",
        "larsen", "moreau", "silva", "dubois", "novak", "patel", "jensen", "costa", "weber",
        "kim", "ali", "bauer", "fischer", "ivanova", "murphy", "santos")
NAMES = tuple(f"{f.title()} {last.title()}" for f in FIRST[:12] for last in LAST[:6])
COMPANIES = (("Northwind", "northwind.example"), ("Globex", "globex.example"),
             ("Initech", "initech.example"), ("Umbrella Labs", "umbrella-labs.example"),
             ("Hooli", "hooli.example"), ("Vandelay", "vandelay.example"),
             ("Stark Studio", "stark-studio.example"), ("Wayne Works", "wayneworks.example"),
             ("Tyrell Data", "tyrell.example"), ("Soylent Foods", "soylent.example"),
             ("Cyberdyne", "cyberdyne.example"), ("Oscorp", "oscorp.example"))
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[a-z]{2,}$")
INPUT_FIELDS = {"signup-name": "field-name", "signup-email": "field-email",
                "signup-password": "field-password", "profile-company": "field-company",
                "invite-emails": "invite-emails"}
_TRACE = "https://app.acme-projects.example/static/app.3f9c2e.js"


@dataclass
class SessionPlan:
    """Who the visitor is and how far the onboarding goes (decided by the generator)."""

    session_id: str
    user_id: str
    start_ms: int
    device: str
    width: int
    height: int
    source: str
    is_returning: bool
    version: str
    plan: str
    entry: str
    entry_query: str
    #: 0 leaves before signup, 1 starts signup, 2 signs up, 3 finishes profile (reaches invite)
    depth: int
    #: drops at the invite step (depth 3 only): "", "spaces", "error" or "other"
    drop_reason: str
    seed: str
    browse_only: bool = False

    @property
    def drops(self) -> bool:
        return self.depth == 3 and bool(self.drop_reason)


def valid_emails(text: str) -> list[str] | None:
    """The invite page's parser: comma-separated emails, or ``None`` when invalid.

    Examples
    --------
    >>> valid_emails("ana@x.example, bo@x.example")
    ['ana@x.example', 'bo@x.example']
    >>> valid_emails("ana@x.example bo@x.example") is None
    True
    """
    parts = [p.strip() for p in text.split(",")]
    parts = [p for p in parts if p]
    if not parts or any(not _EMAIL.match(p) for p in parts):
        return None
    return parts


class Visitor:
    """Plays one session and records it.

    Attributes after :meth:`run`: ``rec`` (the :class:`Recorder` with the events
    and its log) and ``rows`` (planted ground-truth rows, time in epoch ms).
    """

    def __init__(self, plan: SessionPlan) -> None:
        self.p = plan
        self.r = random.Random(plan.seed)
        self.touch = plan.device != "desktop"
        self.android = self.touch and plan.width == 390
        self.rec = Recorder(width=plan.width, height=plan.height, touch=self.touch)
        self.t = plan.start_ms
        self.cx, self.cy = plan.width * self.r.uniform(0.3, 0.7), plan.height * self.r.uniform(
            0.2, 0.6)
        self.focused: str | None = None
        self.keyboard = False
        self.rows: list[dict[str, Any]] = []
        self.pending: list[tuple[int, Callable[[int], None]]] = []
        self.values: dict[str, dict[str, str]] = {}
        self.checked: dict[str, set[str]] = {}
        self.history: list[tuple[str, str]] = []
        self.page = ""
        self.sent = False
        self.onboarding_done = False
        self.signup_started = False
        self.modal_shown = False
        self.invite_seen_at: int | None = None
        self.invite_exit = ""
        self.space_logged = False
        self.button_enabled = False
        self.selected: dict[str, str] = {}
        self.scroll_memory: dict[str, int] = {}
        self.onboarding_done_at = 0
        self._typed = ""
        self._count = 0
        first, last = self.r.choice(FIRST), self.r.choice(LAST)
        self.company, self.domain = self.r.choice(COMPANIES)
        self.name = f"{first.title()} {last.title()}"
        self.email = f"{first}.{last}@{self.domain}"

    # ------------------------------------------------------------------ truth
    def truth(self, kind: str, t: int, element: str = "", detail: str = "",
              url: str | None = None) -> None:
        """Record a planted fact."""
        self.rows.append({"session_id": self.p.session_id, "user_id": self.p.user_id,
                          "kind": kind, "t": int(t), "element": element,
                          "url": self.rec.path if url is None else url, "detail": detail,
                          "device": self.p.device})

    # ------------------------------------------------------------------ time
    def _due(self, upto: int) -> None:
        while True:
            due = [p for p in self.pending if p[0] <= upto]
            if not due:
                return
            item = min(due, key=lambda p: p[0])
            self.pending.remove(item)
            item[1](item[0])

    def wait(self, ms: float) -> None:
        """Let time pass; the app's scheduled changes happen meanwhile."""
        target = self.t + max(0, int(ms))
        self._due(target)
        self.t = target

    def later(self, ms: int, fn: Callable[[int], None]) -> None:
        """Schedule an app change (dropped if the page is left first)."""
        self.pending.append((self.t + int(ms), fn))

    def ms(self, lo: float, hi: float) -> int:
        return int(self.r.uniform(lo, hi))

    # ------------------------------------------------------------------ pointer
    def _clamp(self, x: float, y: float) -> tuple[float, float]:
        return (min(max(x, 1), self.rec.width - 2), min(max(y, 1), self.rec.height - 2))

    def move_to(self, x: float, y: float, target_w: float = 40.0, slow: float = 1.0) -> None:
        """A mouse path from the pointer to client ``(x, y)`` (desktop only)."""
        x, y = self._clamp(x, y)
        if self.touch:
            self.cx, self.cy = x, y
            return
        x0, y0 = self.cx, self.cy
        d = math.hypot(x - x0, y - y0)
        if d < 3:
            return
        r = self.r
        dur = (200 + 125 * math.log2(1 + d / max(target_w, 10.0))) * r.uniform(0.85, 1.3) * slow
        dur = max(160.0, dur + r.gauss(0, 25))
        nx, ny = -(y - y0) / d, (x - x0) / d
        off = d * r.uniform(-0.16, 0.16)
        cpx, cpy = (x0 + x) / 2 + nx * off, (y0 + y) / 2 + ny * off
        overshoot = d > 150 and r.random() < 0.15
        ex, ey = x, y
        if overshoot:
            k = r.uniform(4, 12) / d
            ex, ey = x + (x - x0) * k, y + (y - y0) * k
        n = max(2, int(dur / 50))
        points = []
        t = self.t
        last = None
        for i in range(1, n + 1):
            u = i / n
            s = 10 * u ** 3 - 15 * u ** 4 + 6 * u ** 5
            px = (1 - s) ** 2 * x0 + 2 * (1 - s) * s * cpx + s ** 2 * ex
            py = (1 - s) ** 2 * y0 + 2 * (1 - s) * s * cpy + s ** 2 * ey
            t = self.t + int(i * dur / n) + r.randint(0, 6)
            px, py = self._clamp(px, py)
            pt = (t, int(round(px)), int(round(py)))
            if last is None or pt[1:] != last[1:]:
                points.append(pt)
                last = pt
        if overshoot:
            t += r.randint(60, 120)
            points.append((t, int(round(x)), int(round(y))))
        self._due(t)
        self.rec.moves(points)
        self.t = t
        self.cx, self.cy = x, y

    def drift(self) -> None:
        """A small, slow pointer move while reading (desktop)."""
        if self.touch:
            return
        ang = self.r.uniform(0, 2 * math.pi)
        dist = self.r.uniform(30, 160)
        self.move_to(self.cx + math.cos(ang) * dist, self.cy + math.sin(ang) * dist * 0.6,
                     slow=1.8)

    def read(self, ms: float, drift: float = 0.5) -> None:
        """Read for ``ms``, sometimes drifting the pointer."""
        end = self.t + int(ms)
        while self.t < end - 1500 and self.r.random() < drift:
            self.wait(self.r.uniform(600, min(6000, max(700, end - self.t - 900))))
            if self.t < end - 900:
                self.drift()
        self.wait(max(0, end - self.t))

    def thrash(self) -> None:
        """Shake the cursor left and right (> 4 reversals within a second)."""
        r = self.r
        amp, freq = r.uniform(70, 160), r.uniform(3.0, 4.0)
        dur = r.uniform(1200, 1800)
        x0, y0 = self._clamp(self.cx, self.cy)
        x0 = min(max(x0, amp + 5), self.rec.width - amp - 5)
        t0 = self.t
        points = []
        k = 1
        while k * 50 <= dur:
            t = t0 + k * 50 + r.randint(0, 5)
            x = x0 + amp * math.sin(2 * math.pi * freq * (t - t0) / 1000)
            y = y0 + r.uniform(-6, 6)
            x, y = self._clamp(x, y)
            points.append((t, int(round(x)), int(round(y))))
            k += 1
        reversals = 0
        for a, b, c in zip(points, points[1:], points[2:]):
            if (b[1] - a[1]) * (c[1] - b[1]) < 0:
                reversals += 1
        element = self.rec.element_at(x0, y0)
        self.truth("thrashed_cursor", points[0][0], "#" + element if element != "body" else "",
                   f"reversals={reversals}")
        self._due(points[-1][0])
        self.rec.moves(points)
        self.t = points[-1][0]
        self.cx, self.cy = points[-1][1], points[-1][2]

    # ------------------------------------------------------------------ scrolling
    def scroll_to(self, y: float) -> None:
        """Scroll the page to ``y`` (wheel on desktop, swipes on touch screens)."""
        y = int(max(0, min(y, self.rec.max_scroll)))
        if abs(y - self.rec.scroll_y) < 4:
            return
        if self.touch:
            self._swipes(y)
            return
        r = self.r
        speed = r.uniform(1400, 2800)
        cur = float(self.rec.scroll_y)
        while abs(y - cur) >= 1:
            self.wait(r.randint(100, 125))
            step = min(abs(y - cur), speed * 0.11 * (0.5 + min(1.0, abs(y - cur) / 600)))
            cur += math.copysign(max(step, 1.0), y - cur)
            if abs(y - cur) < 8:
                cur = y
            self.rec.scroll(self.t, int(round(cur)))

    def _swipes(self, y: int) -> None:
        r = self.r
        while abs(y - self.rec.scroll_y) >= 4:
            dist = y - self.rec.scroll_y
            step = math.copysign(min(abs(dist), r.uniform(0.55, 1.1) * self.rec.height), dist)
            fx = self.rec.width * r.uniform(0.3, 0.7)
            fy0 = self.rec.height * (r.uniform(0.55, 0.8) if step > 0 else r.uniform(0.2, 0.45))
            drag = min(abs(step) * 0.4, r.uniform(120, 260)) * (-1 if step > 0 else 1)
            self.wait(r.randint(250, 700))
            self.rec.touch_point(self.t, True, fx, fy0)
            n = r.randint(3, 6)
            pts = []
            for i in range(1, n + 1):
                pts.append((self.t + i * 40 + r.randint(0, 8), int(fx + r.uniform(-3, 3)),
                            int(fy0 + drag * i / n)))
            self.rec.moves(pts)
            t_end = pts[-1][0] + 10
            self.rec.touch_point(t_end, False, pts[-1][1], pts[-1][2])
            self.rec.flush_moves(t_end)
            start = self.rec.scroll_y
            steps = r.randint(4, 9)
            t = self.t + 60
            for i in range(1, steps + 1):
                t += r.randint(100, 120)
                frac = 1 - (1 - i / steps) ** 2.2
                self.rec.scroll(t, int(round(start + step * frac)))
            self._due(t)
            self.t = t

    def visible(self, element: str, margin: int = 8) -> bool:
        """Whether an element is fully inside the viewport below the fixed header."""
        b = self.rec.box(element)
        if b.fixed:
            return True
        header = app.HEADER_H[app.DEVICES.index(self.rec.layout.device)]
        top, bottom = self.rec.scroll_y + header + margin, self.rec.scroll_y + self.rec.height
        return b.y >= top and b.y + b.h <= bottom - margin

    def ensure_visible(self, element: str) -> None:
        if self.visible(element):
            return
        b = self.rec.box(element)
        self.scroll_to(b.y + b.h / 2 - self.rec.height * self.r.uniform(0.35, 0.6))
        self.wait(self.r.randint(150, 500))

    # ------------------------------------------------------------------ clicks and keys
    def aim(self, element: str) -> tuple[float, float]:
        """A point inside the element, in client coordinates."""
        b = self.rec.box(element)
        r = self.r
        fx = min(max(r.gauss(0.5, 0.16), 0.1), 0.9)
        fy = min(max(r.gauss(0.5, 0.16), 0.15), 0.85)
        x, y = b.x + b.w * fx, b.y + b.h * fy
        return x, (y if b.fixed else y - self.rec.scroll_y)

    def point(self, element: str) -> tuple[float, float]:
        """Bring the element into view and the pointer (or finger) onto it."""
        self.ensure_visible(element)
        x, y = self.aim(element)
        if self.touch:
            self.wait(self.r.randint(300, 900))
            self.cx, self.cy = x, y
        else:
            self.move_to(x, y, self.rec.box(element).w)
            self.wait(self.r.randint(60, 260))
        return x, y

    def click(self, element: str, *, note: str = "", aimed: bool = False) -> int:
        """Click (tap) an element; returns the Click time. The app reacts in the caller."""
        is_input = element in INPUT_FIELDS
        if self.keyboard and not is_input:
            self._keyboard(False, self.t + self.r.randint(0, 120))
        x, y = (self.cx, self.cy) if aimed else self.point(element)
        blur = self.focused if self.focused and self.focused != element else None
        t = self.rec.click(self.t, element, x, y, press_ms=self.r.randint(60, 130),
                           focus=is_input and self.focused != element, blur=blur, note=note)
        self._due(t)
        self.t = t
        if blur:
            self._unfocus_style(blur, t + 2)
            self.focused = None
        if is_input and self.focused != element:
            self.focused = element
            self.rec.set_attrs(t + self.r.randint(3, 12), {INPUT_FIELDS[element]: {
                "class": "field is-focused" if element != "invite-emails" else
                "input is-focused"}})
            if self.android and not self.keyboard:
                self._keyboard(True, t + self.r.randint(200, 320))
        return t

    def _unfocus_style(self, element: str, t: int) -> None:
        if element in INPUT_FIELDS and self.rec.has(INPUT_FIELDS[element]):
            self.rec.set_attrs(t, {INPUT_FIELDS[element]: {
                "class": "field" if element != "invite-emails" else "input"}})

    def _keyboard(self, show: bool, t: int) -> None:
        """The Android on-screen keyboard resizes the viewport."""
        self.keyboard = show
        h = self.p.height - 336 if show else self.p.height
        self.wait(max(0, t - self.t))
        self.rec.resize(self.t, self.p.width, h)
        self.t += 3
        if show and self.focused:
            b = self.rec.box(self.focused)
            if b.y + b.h > self.rec.scroll_y + self.rec.height - 8:
                self.rec.scroll(self.t + 40, int(b.y + b.h - self.rec.height + 60))
                self.t += 41

    def tab_to(self, element: str) -> None:
        """Keyboard focus moves to an input (Tab)."""
        self.wait(self.r.randint(150, 400))
        if self.focused:
            self.rec.blur(self.t, self.focused)
            self._unfocus_style(self.focused, self.t + 1)
        self.rec.focus(self.t + 1, element)
        self.focused = element
        self.rec.set_attrs(self.t + self.r.randint(3, 10), {INPUT_FIELDS[element]: {
            "class": "field is-focused" if element != "invite-emails" else "input is-focused"}})
        self.t += 12

    def type_text(self, element: str, text: str, *, start: str = "", mask: bool = False,
                  on_key: Callable[[str], None] | None = None) -> str:
        """Type ``text`` after ``start`` one key at a time (Input event per key)."""
        r = self.r
        value = start
        base = 280 if self.touch else 170
        for ch in text:
            if r.random() < 0.025 and ch.isalpha():
                self.wait(max(60, r.gauss(base, 50)))
                value += r.choice("qwertyuiopasdfghjkl")
                self._key(element, value, mask, on_key)
                self.wait(max(120, r.gauss(base * 1.6, 60)))
                value = value[:-1]
                self._key(element, value, mask, on_key)
            pause = r.gauss(base, 55) + (r.uniform(300, 900) if r.random() < 0.03 else 0)
            self.wait(max(50, pause))
            value += ch
            self._key(element, value, mask, on_key)
        if not mask:  # browsers do not restore password fields on back navigation
            self.values.setdefault(self.page, {})[element] = value
        return value

    def _key(self, element: str, value: str, mask: bool,
             on_key: Callable[[str], None] | None) -> None:
        self.rec.input(self.t, element, "*" * len(value) if mask else value)
        if on_key is not None:
            on_key(value)

    # ------------------------------------------------------------------ pages
    def go(self, page: str, query: str = "", *, back: bool = False,
           scroll_y: int = 0) -> None:
        """Load a page (a click's navigation, a typed URL or the back button)."""
        self.pending.clear()
        if self.keyboard:
            self._keyboard(False, self.t)
        self.focused = None
        path = app.PAGES[page][0]
        url = app.BASE_URL + path + (f"?{query}" if query else "")
        values = self.values.get(page, {}) if back else {}
        checked = self.checked.get(page, set()) if back else set()
        if not back:
            self.values.pop(page, None)
            self.checked.pop(page, None)
        self.rec.load(self.t, page, self.p.version, url, scroll_y=scroll_y, values=values,
                      checked=checked)
        self.page = page
        self.history.append((page, query))
        self.button_enabled = False
        self.selected = {}
        state = f"{page}:{self.p.version}" if page in app.VERSIONED else page
        self.truth("screen_state", self.t, f"#page-{page}", state)
        self.t += 2
        r = self.r
        self.rec.console(self.t + r.randint(40, 140), "log", "[acme] app ready v2.14.1")
        if page == "signup" and not self.signup_started:
            self.signup_started = True
            self.rec.custom(self.t + r.randint(5, 30), "signup_started",
                            {"plan": dict(_query(query)).get("plan", self.p.plan)})
        if page == "dashboard":
            if self.invite_seen_at is not None and not self.onboarding_done:
                self.onboarding_done = True
                self.onboarding_done_at = self.t + r.randint(5, 20)
                self.rec.custom(self.onboarding_done_at, "onboarding_done",
                                {"invited": self.sent})
            self.rec.custom(self.t + r.randint(21, 40), "dashboard_viewed", {})
            t0 = self.t + r.randint(60, 200)
            self.rec.network(t0, t0 + r.randint(80, 300), "GET", "/api/projects", 200)
        if r.random() < 0.035:  # a flaky feature-flag call, unrelated to any click
            t0 = self.t + r.randint(300, 1200)
            t1 = t0 + r.randint(100, 600)
            self.rec.network(t0, t1, "GET", "/api/flags", 503)
            self.rec.console(t1 + 2, "error", "Failed to load resource: the server responded "
                             "with a status of 503 (Service Unavailable)")
        self.wait(r.randint(300, 900))

    def navigate(self, page: str, query: str = "", delay: tuple[int, int] = (80, 260)) -> None:
        """The app navigates after a click."""
        self.wait(self.r.randint(*delay))
        self.go(page, query)

    def back(self) -> None:
        """Browser back: the previous page loads again, scroll and form values restored."""
        self.wait(self.r.randint(150, 450))
        self.history.pop()
        page, query = self.history.pop()
        self.go(page, query, back=True, scroll_y=self.scroll_memory.get(page, 0))

    def remember_scroll(self) -> None:
        """Keep this page's scroll position for a later back navigation."""
        self.scroll_memory[self.page] = self.rec.scroll_y

    # ------------------------------------------------------------------ landing
    def landing(self, intent: str, *, decoy: bool, explore: bool, quick_back: bool) -> None:
        """The marketing page; ``intent`` is ``leave``, ``signup`` or ``pricing``."""
        r = self.r
        self.read(r.uniform(1500, 6000))
        if decoy:
            self.click("demo-video", note="decoy")
            # Nothing happens. The visitor waits for a video that never comes.
            self.wait(r.uniform(2700, 4500))
            if r.random() < 0.35:
                self.click("demo-video", note="decoy", aimed=r.random() < 0.5)
                self.wait(r.uniform(2700, 4000))
        if r.random() < 0.04:
            self.click(r.choice(["hero-title", "hero-lead"]), note="stray")
            self.read(r.uniform(2700, 5000), drift=0.2)
        if explore:
            self.scroll_to(self.rec.box("features").y - r.uniform(40, 120))
            self.read(r.uniform(3000, 10000))
            if r.random() < 0.5:
                self.scroll_to(self.rec.box("quote").y + r.uniform(-60, 200))
                self.read(r.uniform(2000, 6000))
            if intent != "leave" and r.random() < 0.5:
                self.scroll_to(r.uniform(0, 80))
                self.read(r.uniform(800, 2500))
        if quick_back:
            self.remember_scroll()
            self.click("nav-pricing")
            self.navigate("pricing")
            self.read(r.uniform(1500, 4000), drift=0.3)
            if r.random() < 0.5:
                self.scroll_to(self.rec.scroll_y + r.uniform(300, 700))
                self.wait(r.uniform(600, 1800))
            self.back()
            self.read(r.uniform(1500, 4000))
        if intent == "leave":
            return
        if intent == "pricing":
            target = "cta-pricing" if self.visible("cta-pricing") and r.random() < 0.5 else \
                "nav-pricing"
            self.click(target)
            self.navigate("pricing")
            return
        if self.visible("cta-bottom") and r.random() < 0.6:
            target = "cta-bottom"
        elif self.visible("cta-get-started") and r.random() < 0.75:
            target = "cta-get-started"
        else:
            target = "nav-cta"
        self.click(target)
        self.navigate("signup")

    # ------------------------------------------------------------------ pricing
    def pricing(self, intent: str, *, heavy: bool) -> None:
        """The long pricing page; ``intent`` is ``leave`` or ``signup``."""
        r = self.r
        t_view = self.rec.log.pageviews[-1][0]
        scrolls_before = len(self.rec.log.scrolls)
        self.read(r.uniform(2000, 5000))
        if r.random() < 0.3:
            self.click("billing-toggle")
            t = self.t + r.randint(8, 30)
            self.rec.set_attrs(t, {"billing-toggle": {"aria-checked": "true"}})
            for key, price in (("free", "$0"), ("team", "$6"), ("business", "$13")):
                self.rec.set_text(t + 1, f"plan-{key}-price", price)
            self.read(r.uniform(1200, 3000))
        plans_y = self.rec.box("plans-grid").y
        self.scroll_to(plans_y - r.uniform(60, 140))
        self.read(r.uniform(3000, 9000))
        if heavy:
            table = self.rec.box("compare-table")
            faq = self.rec.box("faq")
            legs = [table.y + r.uniform(0, table.h * 0.6), faq.y + r.uniform(0, faq.h * 0.7),
                    plans_y - r.uniform(0, 120), table.y + r.uniform(table.h * 0.3, table.h),
                    r.uniform(0, plans_y * 0.5)]
            if r.random() < 0.6:
                legs += [faq.y + faq.h * r.uniform(0.2, 0.9), plans_y - r.uniform(40, 140)]
            for i, y in enumerate(legs):
                self.scroll_to(y)
                self.read(r.uniform(900, 4500), drift=0.3)
                if i == 2 and not self.touch and r.random() < 0.25:
                    self.thrash()
            ys = self.rec.log.scrolls[scrolls_before:]
            self.truth("scroll_heavy", t_view, "", f"scroll_events={len(ys)},legs={len(legs)}")
        elif r.random() < 0.5:
            self.scroll_to(self.rec.box("compare-table").y + r.uniform(-100, 300))
            self.read(r.uniform(2000, 6000))
            if r.random() < 0.4:
                self.scroll_to(plans_y - r.uniform(60, 140))
                self.read(r.uniform(1000, 3000))
        if not self.touch and r.random() < 0.06:
            element = "plan-team-price"
            self.point(element)
            t = self.rec.dblclick(self.t, element, self.cx, self.cy)
            self.wait(max(0, t - self.t) + r.randint(800, 2500))
        if intent != "signup":
            return
        plan = self.p.plan
        t = self.click(f"choose-{plan}")
        if plan != "free" and r.random() < 0.15:
            self.rec.console(t + r.randint(40, 300), "error",
                             "Uncaught TypeError: Cannot read properties of undefined "
                             "(reading 'seats')", [f"trackPlan ({_TRACE}:2:18841)"])
        self.navigate("signup", f"plan={plan}", delay=(320, 650))

    # ------------------------------------------------------------------ terms
    def terms_detour(self, quick: bool) -> None:
        r = self.r
        self.remember_scroll()
        self.click("terms-link")
        self.navigate("terms")
        if quick:
            self.read(r.uniform(2000, 7000), drift=0.3)
        else:
            self.read(r.uniform(11000, 25000))
            if r.random() < 0.5:
                self.scroll_to(self.rec.max_scroll * r.uniform(0.3, 1.0))
                self.read(r.uniform(1500, 4000))
        self.back()

    # ------------------------------------------------------------------ signup
    def signup(self, complete: bool) -> bool:
        """The signup form; returns whether the account was created."""
        r = self.r
        self.read(r.uniform(1000, 3000), drift=0.3)
        tab = not self.touch and r.random() < 0.3
        stop = None if complete else r.choice([0, 1, 1, 2, 3, 4])
        vals = self.values.setdefault("signup", {})
        fields = [("signup-name", self.name), ("signup-email", self.email),
                  ("signup-password", "".join(r.choice("abcdefgh2345!") for _ in range(
                      r.randint(9, 14))))]
        detour = r.random() < 0.15
        for i, (element, text) in enumerate(fields):
            if stop == i:
                self.read(r.uniform(3000, 15000))
                return False
            if detour and i == 1:
                self.terms_detour(quick=r.random() < 0.75)
                detour = False
            if element in vals:
                continue
            if i > 0 and tab and self.focused:
                self.tab_to(element)
            else:
                self.click(element)
            if element == "signup-email" and r.random() < 0.12:
                self._bad_email(text)
                continue
            self.type_text(element, text, mask=element == "signup-password",
                           on_key=self._password_hint if element == "signup-password" else None)
            self.wait(r.randint(200, 900))
        if detour:
            self.terms_detour(quick=r.random() < 0.75)
        if stop == 3:
            self.read(r.uniform(3000, 12000))
            return False
        t = self.click("signup-terms")
        self.rec.input(t + 1, "signup-terms", "on", checked=True)
        self.rec.set_attrs(t + r.randint(3, 10), {"terms-row": {"class": "check-row is-checked"}})
        self.checked.setdefault("signup", set()).add("signup-terms")
        self.wait(r.randint(300, 1200))
        if stop == 4:
            self.read(r.uniform(4000, 15000))
            return False
        conflict = r.random() < 0.06
        while True:
            t = self.click("signup-submit")
            tb = t + r.randint(5, 20)
            self.rec.set_attrs(tb, {"signup-submit": {"aria-busy": "true"}})
            self.rec.set_text(tb, "signup-submit", "Creating account\u2026")
            t_resp = t + r.randint(300, 900)
            if conflict:
                conflict = False
                self.rec.network(t + 10, t_resp, "POST", "/api/signup", 409)
                self.rec.console(t_resp + 2, "error", "Signup failed: 409 email already "
                                 "registered", [f"submitSignup ({_TRACE}:2:9912)"])
                self.rec.set_attrs(t_resp + 5, {"signup-submit": {"aria-busy": None},
                                                "email-hint": {"class": "field-hint is-error"}})
                self.rec.set_text(t_resp + 5, "signup-submit", "Create account")
                self.rec.set_text(t_resp + 6, "email-hint",
                                  "This email is already registered. Log in instead?")
                self.wait(t_resp - self.t + r.randint(1500, 4000))
                self.click("signup-email")
                new = self.email.replace("@", f"{r.randint(2, 99)}@")
                self.rec.input(self.t + r.randint(200, 500), "signup-email", "")
                self.t += 500
                self.type_text("signup-email", new)
                self.rec.clear_text(self.t + 5, "email-hint")
                self.rec.set_attrs(self.t + 5, {"email-hint": {"class": "field-hint"}})
                self.wait(r.randint(400, 1200))
                continue
            self.rec.network(t + 10, t_resp, "POST", "/api/signup", 201)
            self.wait(t_resp - self.t)
            self.rec.custom(self.t + 3, "signup_done", {"plan": self.p.plan, "method": "email"})
            self.navigate("profile", delay=(120, 350))
            return True

    def _bad_email(self, email: str) -> None:
        """Type an email without its top-level domain, get the hint, fix it."""
        r = self.r
        bad = email.rsplit(".", 1)[0]
        self.type_text("signup-email", bad)
        self.wait(r.randint(200, 700))
        self.click("signup-password")
        t = self.t + r.randint(4, 15)
        self.rec.set_attrs(t, {"email-hint": {"class": "field-hint is-error"}})
        self.rec.set_text(t, "email-hint", "Enter a valid email address")
        self.read(r.uniform(800, 2500), drift=0.2)
        self.click("signup-email")
        self.type_text("signup-email", email[len(bad):], start=bad)
        self.wait(r.randint(200, 600))
        self.rec.clear_text(self.t, "email-hint")
        self.rec.set_attrs(self.t, {"email-hint": {"class": "field-hint"}})
        self.values.setdefault("signup", {})["signup-email"] = email

    def _password_hint(self, value: str) -> None:
        if len(value) == 8:
            self.rec.set_text(self.t + 2, "password-hint", "Strong enough \u2713")

    # ------------------------------------------------------------------ profile
    def _choose(self, group: str, key: str) -> None:
        element = f"{group}-{key}"
        t = self.click(element)
        changes: dict[str, dict[str, str | None]] = {element: {"class": "opt is-selected"}}
        if group in self.selected:
            changes[self.selected[group]] = {"class": "opt"}
        self.rec.set_attrs(t + self.r.randint(3, 12), changes)
        self.selected[group] = element

    def profile(self, complete: bool) -> bool:
        """The profile form; returns whether it was submitted."""
        r = self.r
        self.read(r.uniform(1000, 3500), drift=0.3)
        stop = None if complete else r.choice([0, 1, 2, 3])
        if stop == 0:
            self.read(r.uniform(4000, 15000))
            return False
        self.click("profile-company")
        self.type_text("profile-company", self.company)
        self.wait(r.randint(300, 900))
        if stop == 1:
            self.read(r.uniform(3000, 12000))
            return False
        role = r.choice([k for k, _ in app.ROLES])
        self._choose("role", role)
        if r.random() < 0.15:
            self.wait(r.randint(500, 1500))
            self._choose("role", r.choice([k for k, _ in app.ROLES if k != role]))
        self.wait(r.randint(300, 1200))
        size = r.choices([k for k, _ in app.SIZES], weights=[4, 3, 2, 1])[0]
        self._choose("size", size)
        self.wait(r.randint(300, 1200))
        if stop in (2, 3):
            self.read(r.uniform(3000, 12000))
            return False
        t = self.click("profile-continue")
        tb = t + r.randint(5, 20)
        self.rec.set_attrs(tb, {"profile-continue": {"aria-busy": "true"}})
        t_resp = t + r.randint(200, 700)
        self.rec.network(t + 10, t_resp, "POST", "/api/profile", 200)
        self.wait(t_resp - self.t)
        self.rec.custom(self.t + 3, "profile_done", {"role": role, "team_size": size})
        self.navigate("invite", delay=(120, 350))
        return True

    # ------------------------------------------------------------------ invite
    def _set_button(self, enabled: bool, t: int) -> None:
        if enabled == self.button_enabled:
            return
        self.button_enabled = enabled
        if enabled:
            self.rec.set_attrs(t, {"send-invites": {"aria-disabled": None,
                                                    "class": "btn btn-primary"}})
        else:
            self.rec.set_attrs(t, {"send-invites": {"aria-disabled": "true",
                                                    "class": "btn btn-primary is-disabled"}})

    def _on_invite_key(self, value: str) -> None:
        t = self.t + self.r.randint(2, 8)
        if self.p.version == "B":
            # B's auto-formatting: a space after an address becomes ", "
            formatted = re.sub(r"(?<=[a-z])\s+(?=\S)|(?<=[a-z]) $", ", ", value)
            formatted = re.sub(r",\s*,", ",", formatted)
            if formatted != value:
                self.rec.input(t, "invite-emails", formatted, user=False)
                self._typed = formatted
                value = formatted
            # count the complete addresses typed so far
            count = sum(bool(_EMAIL.match(part.strip())) for part in value.split(","))
            if count != self._count:
                self._count = count
                self.rec.set_text(t + 1, "invite-count",
                                  f"{count} teammate{'s' if count != 1 else ''} ready to invite"
                                  if count else "No teammates added yet")
        self._set_button(valid_emails(value) is not None, t + 2)

    def _type_emails(self, emails: list[str], sep: str, start: str = "") -> str:
        """Type addresses one key at a time; in B the app may rewrite the value."""
        self._typed = start
        for i, address in enumerate(emails):
            piece = (sep if i else "") + address
            for ch in piece:
                self.wait(max(50, self.r.gauss(280 if self.touch else 165, 50)))
                self._typed += ch
                self.rec.input(self.t, "invite-emails", self._typed)
                if ch == " " and i and sep == " " and not self.space_logged:
                    # a space between two addresses: what version A cannot parse
                    self.space_logged = True
                    self.truth("space_separated_emails", self.t, "#invite-emails",
                               self.p.version)
                self._on_invite_key(self._typed)
            self.wait(self.r.randint(150, 700))
        return self._typed

    def _send(self, fail: bool) -> bool:
        """Click the enabled Send invites button; returns whether invites went out."""
        r = self.r
        t = self.click("send-invites")
        tb = t + r.randint(5, 20)
        self.rec.set_attrs(tb, {"send-invites": {"aria-busy": "true"}})
        self.rec.set_text(tb, "send-invites", "Sending\u2026")
        t_resp = t + r.randint(250, 850)
        if fail:
            self.rec.network(t + 10, t_resp, "POST", "/api/invites", 500)
            self.rec.console(t_resp + 3, "error", "Failed to send invites: 500 Internal Server "
                             "Error", [f"sendInvites ({_TRACE}:2:20417)"])
            self.rec.set_attrs(t_resp + 6, {"send-invites": {"aria-busy": None}})
            self.rec.set_text(t_resp + 6, "send-invites", "Send invites")
            self.wait(t_resp - self.t + 8)
            self.rec.add_fragment(self.t, "toast-invites-failed")
            self.later(r.randint(3800, 4500),
                       lambda tt: self.rec.remove_fragment(tt, "toast-invites-failed"))
            return False
        self.rec.network(t + 10, t_resp, "POST", "/api/invites", 200)
        self.wait(t_resp - self.t + 5)
        self.rec.add_fragment(self.t, "toast-invites-sent")
        count = len(valid_emails(self._typed) or [])
        self.rec.custom(self.t + 2, "invite_sent", {"count": count, "version": self.p.version})
        self.sent = True
        return True

    def invite(self) -> None:
        """The invite step, where the A/B story plays out."""
        r = self.r
        p = self.p
        self.invite_seen_at = self.rec.log.pageviews[-1][0]
        self._count = 0
        self.read(r.uniform(2000, 6000), drift=0.4)
        emails = self._teammates(r.choices([1, 2, 3, 4], weights=[1, 9, 7, 4])[0])
        if len(emails) == 1:
            emails.append(self._teammates(1)[0])
        reason = p.drop_reason
        fail_first = r.random() < 0.08
        if reason == "other":
            if r.random() < 0.5:
                self.click("invite-emails")
                self._type_emails(emails[:1], ", ")
                self.read(r.uniform(1500, 5000))
            else:
                self.read(r.uniform(3000, 12000))
            self._leave_invite()
            return
        if reason == "error":
            self.click("invite-emails")
            self._type_emails(emails, ", ")
            self._send(fail=True)
            self.read(r.uniform(2500, 9000), drift=0.3)
            self._leave_invite()
            return
        spaces = reason == "spaces" or (not reason and r.random() < (0.4 if p.version == "A"
                                                                     else 0.5))
        self.click("invite-emails")
        self._type_emails(emails, " " if spaces else ", ")
        if spaces and p.version == "A":
            self._stuck(rage=r.random() < (0.88 if reason else 0.7), dropping=bool(reason))
            if reason:
                self._leave_invite()
                return
            # notices the tiny hint, then retypes with commas
            self.point("invite-hint")
            self.read(r.uniform(1200, 3500), drift=0.1)
            self.click("invite-emails")
            self.wait(r.randint(300, 800))
            self.rec.input(self.t, "invite-emails", "")
            self._typed = ""
            self._on_invite_key("")
            self._type_emails(emails, ", ")
        self.wait(r.randint(300, 1500))
        if fail_first:
            self._send(fail=True)
            self.read(r.uniform(2000, 5000), drift=0.3)
            if self.rec.mounted("toast-invites-failed"):
                self.wait(4600)
        self._send(fail=False)
        self.navigate("dashboard", delay=(1200, 2000))
        self.dashboard()

    def _teammates(self, n: int) -> list[str]:
        names = self.r.sample(FIRST, n)
        return [f"{name}@{self.domain}" for name in names]

    def _stuck(self, *, rage: bool, dropping: bool) -> None:
        """Version A with spaces: the button stays grey; click, rage, maybe thrash."""
        r = self.r
        self.wait(r.randint(300, 1200))
        self.click("send-invites", note="disabled")
        self.wait(r.randint(700, 2000))
        bursts = (1 + (r.random() < 0.35)) if rage else 0
        for b in range(bursts):
            if b:
                self.read(r.uniform(2000, 6000), drift=0.2)
                self.point("send-invites")
            bx, by = self.cx, self.cy
            for _ in range(r.randint(3, 6)):
                self.wait(r.randint(100, 260))
                self.cx, self.cy = bx + r.uniform(-4, 4), by + r.uniform(-3, 3)
                self.click("send-invites", note="disabled", aimed=True)
        if not self.touch and r.random() < (0.35 if dropping else 0.2):
            self.wait(r.randint(300, 900))
            self.thrash()
        self.read(r.uniform(1500, 5000), drift=0.3)

    def _leave_invite(self) -> None:
        r = self.r
        if r.random() < 0.45:
            self.invite_exit = "skipped"
            self.click("skip-invites")
            self.navigate("dashboard")
            self.dashboard()
        else:
            self.invite_exit = "left"

    # ------------------------------------------------------------------ dashboard
    def dashboard(self) -> None:
        r = self.r
        if r.random() < 0.06:
            t0 = self.t + r.randint(100, 600)
            t1 = t0 + r.randint(100, 500)
            self.rec.network(t0, t1, "GET", "/api/notifications", 503)
            self.rec.console(t1 + 2, "error", "Failed to load notifications: 503",
                             [f"pollNotifications ({_TRACE}:2:30125)"])
        if not self.modal_shown:
            self.modal_shown = True
            self.wait(r.randint(300, 700))
            self.rec.add_fragment(self.t, "welcome-modal")
            self.truth("screen_state", self.t, "#welcome-modal", "dashboard:welcome-modal")
            self.read(r.uniform(2000, 6000), drift=0.3)
            target = "welcome-later" if r.random() < 0.6 else "welcome-tour"
            t = self.click(target)
            t_rm = t + r.randint(30, 120)
            self.wait(t_rm - self.t)
            self.rec.remove_fragment(self.t, "welcome-modal")
            self.truth("screen_state", self.t, "#page-dashboard", "dashboard")
        self.read(r.uniform(2000, 8000))
        if r.random() < 0.5:
            self.click("new-project")
            self.wait(r.randint(150, 400))
            self.rec.add_fragment(self.t, "toast-project")
            self.later(r.randint(3000, 3600),
                       lambda tt: self.rec.remove_fragment(tt, "toast-project"))
            self.read(r.uniform(4000, 12000))
        self.read(r.uniform(3000, 30000))
        if r.random() < 0.25:
            # settles in: reads around the new workspace for a few minutes
            self.read(r.uniform(40_000, 240_000), drift=0.25)

    # ------------------------------------------------------------------ session
    def run(self) -> Visitor:
        """Play the whole session."""
        p, r = self.p, self.r
        self.rec.custom(self.t, "identify", {
            "user_id": p.user_id, "source": p.source, "is_returning": p.is_returning,
            "version": p.version, "plan": p.plan})
        self.truth("version", self.t, "", p.version, url="")
        signup = p.depth >= 1
        wants_pricing = r.random() < (0.45 if p.plan != "free" else 0.25)
        heavy = r.random() < 0.55
        decoy = r.random() < {"desktop": 0.2, "tablet": 0.14, "mobile": 0.1}[p.device]
        quick = r.random() < 0.12
        if p.entry == "pricing":
            self.go("pricing", p.entry_query)
            intent = "signup" if signup else "leave"
            self.pricing(intent, heavy=heavy)
            if not signup:
                self.read(r.uniform(5000, 60000), drift=0.3)
                return self._end()
        else:
            self.go("landing", p.entry_query)
            if wants_pricing:
                self.landing("pricing", decoy=decoy, explore=r.random() < 0.3, quick_back=quick)
                self.pricing("signup" if signup else "leave", heavy=heavy)
                if not signup:
                    self.read(r.uniform(5000, 60000), drift=0.3)
            else:
                explore = 0.3 if signup else 0.85 if self.touch else 0.6
                self.landing("signup" if signup else "leave", decoy=decoy,
                             explore=r.random() < explore, quick_back=quick)
            if not signup:
                return self._end()
        if not self.signup(complete=p.depth >= 2):
            return self._end()
        if not self.profile(complete=p.depth >= 3):
            return self._end()
        self.invite()
        return self._end()

    def _end(self) -> Visitor:
        """Stay a little, then close the tab; durations stay within 30 s - 10 min."""
        r = self.r
        start = self.p.start_ms
        self.pending = [(t, fn) for t, fn in self.pending if t <= self.t + 3000]
        last_click = self.rec.log.clicks[-1].t if self.rec.log.clicks else start
        end = max(self.t + r.randint(3000, 15000), start + r.randint(30000, 42000),
                  last_click + 3000)
        end = min(end, start + 595_000)
        end = max(end, self.t + 500, last_click + 2600)
        if not self.touch and end - self.t > 1500:
            self.read(end - self.t - 1200, drift=0.4)
            self.move_to(self.cx + r.uniform(-100, 100), -5, slow=0.8)
        self.wait(max(0, end - self.t))
        self.rec.custom(self.t, "page_hidden", {"reason": "closed"})
        if self.invite_seen_at is not None and not self.sent:
            self.truth("dropped_at_invite", self.invite_seen_at, "",
                       f"{self.p.drop_reason or 'other'},{self.invite_exit or 'left'}",
                       url="/onboarding/invite")
        if self.sent and self.onboarding_done:
            self.truth("converted", self.onboarding_done_at, "", "invite_sent,onboarding_done",
                       url="/dashboard")
        return self


def _query(query: str) -> list[tuple[str, str]]:
    return [tuple(kv.split("=", 1)) for kv in query.split("&") if "=" in kv]  # type: ignore[misc]


def simulate(plan: SessionPlan) -> tuple[list[dict[str, Any]], Visitor]:
    """Play one planned session; returns its rrweb events and the visitor (log, rows)."""
    visitor = Visitor(plan).run()
    return visitor.rec.finish(), visitor
