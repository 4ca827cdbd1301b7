"""The fake SaaS app of the demo: "Acme Projects", its pages, stylesheet and layout.

Every page is a small element tree (:class:`El`). Elements that take part in
the layout carry a :class:`Lay` spec: fixed pixel heights, fill or fixed
widths, flex stacks and rows, a centred max-width wrapper, fixed headers,
overlays and toasts. From that one spec the module derives both

* the geometry part of the stylesheet (``#id{height:..;width:..}`` with media
  queries for tablet and mobile), so a browser lays the page out exactly so;
* the element boxes (:func:`layout`) in document pixels for any viewport,
  which the behaviour simulation uses to aim clicks and mouse paths.

Heights never depend on text wrapping (every laid-out leaf has a fixed
height), so the boxes hold in any browser and font. Device classes follow
:func:`uxlens.events.device_from_width`: < 768 px mobile, < 1024 px tablet.

Examples
--------
>>> lay = layout("invite", "A", 1440, 900)
>>> lay.boxes["send-invites"].w, lay.boxes["send-invites"].fixed
(160.0, False)
>>> layout("pricing", "A", 390, 844).page_height > layout("pricing", "A", 1440, 900).page_height
True
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any
from urllib.parse import quote

__all__ = [
    "BASE_URL",
    "DEVICES",
    "VIEWPORTS",
    "PAGES",
    "El",
    "Lay",
    "D",
    "Box",
    "Layout",
    "device_of",
    "page_tree",
    "fragment",
    "layout",
    "fragment_layout",
    "stylesheet",
    "render_html",
    "layouts_table",
]

BASE_URL = "https://app.acme-projects.example"
DEVICES = ("desktop", "tablet", "mobile")
#: Viewports (CSS px) per device class.
VIEWPORTS: dict[str, tuple[tuple[int, int], ...]] = {
    "desktop": ((1440, 900), (1280, 800)),
    "tablet": ((820, 1180),),
    "mobile": ((390, 844), (375, 667)),
}
MAX_CONTENT = 1120
GUTTER = (24, 32, 16)
HEADER_H = (64, 64, 56)  # per device, see D below
TOAST_BOTTOM = 24


def device_of(width: int | float) -> str:
    """Device class of a viewport width (< 768 mobile, < 1024 tablet, else desktop).

    Examples
    --------
    >>> device_of(1280), device_of(820), device_of(375)
    ('desktop', 'tablet', 'mobile')
    """
    return "mobile" if width < 768 else "tablet" if width < 1024 else "desktop"


class D(tuple):
    """A per-device value: ``D(desktop, tablet, mobile)``."""

    def __new__(cls, desktop: Any, tablet: Any, mobile: Any) -> D:
        return super().__new__(cls, (desktop, tablet, mobile))


HEADER_H = D(*HEADER_H)


def _v(value: Any, di: int) -> Any:
    return value[di] if isinstance(value, D) else value


@dataclass
class Lay:
    """Layout spec of one element (values may be :class:`D` per device).

    kind: ``leaf`` (fixed height), ``stack`` (flex column), ``row`` (flex
    row) or ``none`` (not displayed). ``w``: px, ``None`` (fill a stack /
    content width in a row) or ``"fill"`` (share of a row). ``fixed``:
    ``top`` (header), ``overlay`` (full viewport, centres its child) or
    ``bottom`` (toasts).
    """

    kind: Any = "leaf"
    w: Any = None
    h: Any = None
    gap: Any = 0
    pad: Any = 0
    wrap: bool = False
    justify: Any = "start"
    align: Any = "center"
    place: Any = "start"
    fixed: str | None = None


@dataclass(eq=False)
class El:
    """An element: tag, id, classes, attributes, children (elements or text)."""

    tag: str
    id: str | None = None
    cls: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    kids: list[El | str] = field(default_factory=list)
    lay: Lay | None = None

    def attributes(self) -> dict[str, str]:
        """HTML attributes in a stable order (id, class, then the others)."""
        out: dict[str, str] = {}
        if self.id:
            out["id"] = self.id
        if self.cls:
            out["class"] = self.cls
        out.update(self.attrs)
        return out

    def walk(self):
        """Yield this element and every element below it (document order)."""
        yield self
        for kid in self.kids:
            if isinstance(kid, El):
                yield from kid.walk()

    def text(self) -> str:
        """Concatenated text of the element."""
        return "".join(k if isinstance(k, str) else k.text() for k in self.kids)


def e(tag: str, id: str | None = None, cls: str = "", *kids: El | str, lay: Lay | None = None,
      **attrs: str) -> El:
    """Element shorthand; ``attrs`` use ``_`` for ``-`` (``aria_disabled``)."""
    return El(tag, id, cls, {k.replace("_", "-"): v for k, v in attrs.items()}, list(kids), lay)


def leaf(tag: str, id: str, cls: str, *kids: El | str, w: Any = None, h: Any = None,
         place: Any = "start", kind: Any = "leaf", **attrs: str) -> El:
    """A laid-out element with a fixed height."""
    return e(tag, id, cls, *kids, lay=Lay(kind=kind, w=w, h=h, place=place), **attrs)


def stack(tag: str, id: str, cls: str, *kids: El, gap: Any = 0, pad: Any = 0, w: Any = None,
          h: Any = None, wrap: bool = False, place: Any = "start", kind: Any = "stack",
          **attrs: str) -> El:
    """A flex column of laid-out children."""
    return e(tag, id, cls, *kids,
             lay=Lay(kind=kind, w=w, h=h, gap=gap, pad=pad, wrap=wrap, place=place), **attrs)


def row(tag: str, id: str, cls: str, *kids: El, gap: Any = 0, pad: Any = 0, w: Any = None,
        h: Any = None, justify: Any = "start", align: Any = "center", wrap: bool = False,
        kind: Any = "row", place: Any = "start", **attrs: str) -> El:
    """A flex row of laid-out children (``kind=D('row','stack','stack')`` to stack on small screens)."""
    return e(tag, id, cls, *kids, lay=Lay(kind=kind, w=w, h=h, gap=gap, pad=pad, wrap=wrap,
                                           justify=justify, align=align, place=place), **attrs)


# --------------------------------------------------------------------------- visual stylesheet
# Colours, type and decoration. Geometry (sizes, flex, padding) is generated below.
_VISUAL_CSS = """\
*{box-sizing:border-box;margin:0;padding:0}
[id]{flex:none}
html{scrollbar-width:none;-webkit-text-size-adjust:100%}
body{font:15px/1.5 Inter,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;\
background:#fff}
a{color:#4f46e5;text-decoration:none}
button,input,textarea{font:inherit;color:inherit}
h1,h2,h3,p,li,blockquote,label,span,a,button{overflow:hidden}
.topbar{background:rgba(255,255,255,.97);box-shadow:inset 0 -1px 0 #e5e7eb;z-index:20}
.logo{display:flex;align-items:center;gap:10px;font-weight:700;font-size:18px;line-height:32px;\
color:#111827;white-space:nowrap}
.logo-mark{width:26px;height:26px;border-radius:7px;background:linear-gradient(135deg,#6366f1,#06b6d4)}
.nav-link{display:block;line-height:36px;text-align:center;color:#374151;font-weight:500;\
border-radius:8px}
.nav-link:hover{background:#f3f4f6}
.avatar{display:block;border-radius:50%;background:#e0e7ff;color:#4338ca;font-weight:600;\
font-size:13px;line-height:36px;text-align:center}
.btn{display:flex;align-items:center;justify-content:center;border:0;border-radius:10px;\
font-weight:600;line-height:1;cursor:pointer;white-space:nowrap;transition:background .15s}
.btn-primary{background:#4f46e5;color:#fff;box-shadow:0 1px 2px rgba(79,70,229,.3)}
.btn-primary:hover{background:#4338ca}
.btn-primary.is-disabled{background:#d1d5db;color:#f9fafb;box-shadow:none;cursor:not-allowed}
.btn-primary[aria-busy=true]{opacity:.7}
.btn-ghost{background:#fff;color:#111827;border:1px solid #d1d5db}
.btn-lg{font-size:17px;border-radius:12px}
.btn-sm{font-size:14px;border-radius:8px}
.demo-btn{display:block;border-radius:12px;cursor:pointer}
.kicker{display:block;border-radius:999px;background:#eef2ff;color:#4338ca;font-size:13px;\
font-weight:600;line-height:28px;text-align:center}
.hero{background:linear-gradient(180deg,#f5f3ff 0%,#fff 100%)}
.hero h1{font-size:52px;line-height:64px;letter-spacing:-.02em}
.lead{font-size:19px;line-height:30px;color:#4b5563}
.link{display:block;font-weight:600;line-height:24px}
.board{border-radius:16px;background:#fff;border:1px solid #e5e7eb;\
box-shadow:0 24px 48px -12px rgba(17,24,39,.18);padding:20px;display:flex;gap:14px}
.board .col{flex:1;background:#f9fafb;border-radius:10px;padding:10px;display:flex;\
flex-direction:column;gap:10px}
.board .col b{font-size:12px;color:#6b7280;text-transform:uppercase;letter-spacing:.06em}
.board .card{height:64px;border-radius:8px;background:#fff;border:1px solid #e5e7eb;\
border-left:4px solid #a5b4fc}
.board .card.hot{border-left-color:#f59e0b}
.board .card.done{border-left-color:#10b981}
.muted{color:#6b7280}
.center{text-align:center}
.logos-row{display:flex;flex-wrap:wrap;justify-content:center;align-items:center;gap:8px 40px;\
font-weight:700;font-size:20px;color:#9ca3af;letter-spacing:.04em}
.section-title{font-size:34px;line-height:44px;letter-spacing:-.01em}
.feature{border:1px solid #e5e7eb;border-radius:14px;padding:28px;background:#fff}
.feature i{display:block;width:40px;height:40px;border-radius:10px;background:#eef2ff;\
margin-bottom:16px}
.feature h3{font-size:19px;line-height:28px;margin-bottom:8px}
.feature p{color:#4b5563}
.quote{background:#111827;color:#f9fafb}
.quote blockquote{font-size:24px;line-height:32px;text-align:center}
.quote p{color:#9ca3af;text-align:center}
.band{background:#eef2ff}
.footer{font-size:14px}
.footer a{color:#4b5563;line-height:24px}
.footer p{color:#9ca3af;line-height:24px}
.toggle{display:flex;border-radius:999px;background:#f3f4f6;padding:4px;cursor:pointer}
.toggle span{flex:1;border-radius:999px;text-align:center;font-size:14px;line-height:32px;\
font-weight:600;color:#6b7280}
.toggle span.on{background:#fff;color:#111827;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.plan{box-shadow:inset 0 0 0 1px #e5e7eb;border-radius:16px;background:#fff}
.plan.featured{box-shadow:inset 0 0 0 2px #4f46e5,0 12px 32px -12px rgba(79,70,229,.35)}
.plan h3{font-size:20px;line-height:28px}
.price{font-size:40px;line-height:48px;font-weight:700}
.price small{font-size:15px;font-weight:500;color:#6b7280}
.plan ul{list-style:none;display:flex;flex-direction:column;gap:10px;color:#374151}
.plan li:before{content:"\\2713  ";color:#10b981;font-weight:700}
.grid-table{border:1px solid #e5e7eb;border-radius:12px;font-size:14px}
.grid-table div{display:grid;grid-template-columns:2fr 1fr 1fr 1fr;height:48px;align-items:center;\
padding:0 16px;border-bottom:1px solid #f3f4f6}
.grid-table div:first-child{font-weight:700;background:#f9fafb}
.faq{border-bottom:1px solid #e5e7eb}
.faq h3{font-size:17px;line-height:26px;margin-bottom:6px}
.faq p{color:#4b5563;line-height:24px}
.prose h1{font-size:36px;line-height:48px}
.prose p{color:#374151;line-height:26px}
.page-grey{background:#f9fafb}
.card{background:#fff;border-radius:16px;\
box-shadow:inset 0 0 0 1px #e5e7eb,0 8px 24px -12px rgba(17,24,39,.12)}
.card h1{font-size:26px;line-height:36px}
.field label,.field .label{display:block;font-size:14px;font-weight:600;line-height:20px;color:#374151}
.input{display:block;border:1px solid #d1d5db;border-radius:10px;padding:10px 12px;background:#fff;\
outline:none;resize:none}
.field.is-focused .input,.input.is-focused{border-color:#6366f1;box-shadow:0 0 0 3px #e0e7ff}
.field-hint{font-size:13px;line-height:18px;color:#6b7280}
.field-hint.is-error{color:#dc2626}
.check-row{font-size:14px;color:#374151}
.check-row label{line-height:24px}
.check-row input{width:18px;height:18px;accent-color:#4f46e5}
.check-row.is-checked label{color:#111827}
.opt{border:1px solid #d1d5db;border-radius:10px;background:#fff;font-size:14px;font-weight:500;\
cursor:pointer}
.opt.is-selected{border-color:#4f46e5;background:#eef2ff;color:#3730a3}
.steps{display:flex;gap:8px;list-style:none;font-size:13px;font-weight:600;color:#9ca3af}
.steps li{flex:1;border-top:3px solid #e5e7eb;padding-top:6px}
.steps li.done{border-color:#10b981;color:#047857}
.steps li.now{border-color:#4f46e5;color:#4338ca}
.hint-tiny{font-size:11px;line-height:14px;color:#b0b6c0}
.invite-label{font-size:15px;font-weight:600;line-height:20px;color:#111827}
.invite-count{font-size:13px;line-height:18px;color:#6b7280}
.dash-title{font-size:28px;line-height:36px;white-space:nowrap}
.sidebar{background:#f9fafb;box-shadow:inset -1px 0 0 #e5e7eb}
.side-link{display:block;line-height:40px;padding:0 12px;border-radius:8px;color:#374151;font-weight:500}
.side-link.on{background:#eef2ff;color:#3730a3}
.empty{outline:2px dashed #e5e7eb;outline-offset:-2px;border-radius:16px;text-align:center}
.empty-art{border-radius:12px;background:linear-gradient(135deg,#e0e7ff,#cffafe)}
.stat{border:1px solid #e5e7eb;border-radius:14px;padding:20px;background:#fff}
.stat b{display:block;font-size:30px;line-height:40px}
.modal{background:rgba(17,24,39,.55);z-index:50}
.dialog{background:#fff;border-radius:16px;box-shadow:0 24px 64px rgba(0,0,0,.3)}
.dialog h2{font-size:22px;line-height:32px}
.toast-root{z-index:40;pointer-events:none}
.toast{border-radius:12px;color:#fff;font-weight:600;font-size:14px;line-height:48px;\
text-align:center;pointer-events:auto;box-shadow:0 8px 24px rgba(0,0,0,.2)}
.toast-ok{background:#065f46}
.toast-err{background:#b91c1c}
@media (max-width:767px){.logo{font-size:16px}.dash-title{font-size:22px}.card h1{font-size:22px}.hero h1{font-size:34px;\
line-height:40px}.lead{font-size:17px;line-height:24px}.section-title{font-size:28px;\
line-height:44px}.quote blockquote{font-size:20px;line-height:32px}}
"""

_DECOY_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="208" height="52" viewBox="0 0 208 52">'
    '<rect x="1" y="1" width="206" height="50" rx="12" fill="#fff" stroke="#c7d2fe" '
    'stroke-width="2"/><circle cx="30" cy="26" r="12" fill="#4f46e5"/>'
    '<path d="M26 19l11 7-11 7z" fill="#fff"/><text x="52" y="31" font-family="Arial,sans-serif" '
    'font-size="15" font-weight="700" fill="#312e81">Watch 2-min demo</text></svg>'
)
DECOY_SRC = "data:image/svg+xml," + quote(_DECOY_SVG, safe="=:/,'.-")


# --------------------------------------------------------------------------- pages
def _header(kind: str) -> El:
    """The fixed top bar: logo on the left, marketing or in-app navigation on the right."""
    logo = leaf("a", "logo", "logo", e("span", None, "logo-mark"), "Acme Projects",
                w=D(176, 176, 152), h=32, href="/")
    if kind == "marketing":
        nav = row("nav", "nav-marketing", "topnav",
                  leaf("a", "nav-pricing", "nav-link", "Pricing", w=76, h=36, href="/pricing"),
                  leaf("a", "nav-login", "nav-link", "Log in", w=72, h=36, href="/login",
                       kind=D("leaf", "leaf", "none")),
                  leaf("a", "nav-cta", "btn btn-primary btn-sm", "Get started", w=D(120, 120, 96),
                       h=36, href="/signup"),
                  gap=8)
    else:
        nav = row("nav", "nav-app", "topnav",
                  leaf("a", "nav-help", "nav-link", "Help", w=64, h=36, href="/help"),
                  leaf("span", "nav-avatar", "avatar", "AP", w=36, h=36),
                  gap=12)
    inner = row("div", "topbar-in", "", logo, nav, h=HEADER_H, justify="between", wrap=True)
    return e("header", "topbar", "topbar", inner,
             lay=Lay(kind="stack", h=HEADER_H, fixed="top"))


def _footer() -> El:
    return row(
        "footer", "footer", "footer",
        leaf("a", "footer-pricing", "", "Pricing", w=80, h=24, href="/pricing"),
        leaf("a", "footer-terms", "", "Terms", w=64, h=24, href="/terms"),
        leaf("a", "footer-privacy", "", "Privacy", w=72, h=24, href="/privacy"),
        leaf("p", "footer-copy", "", "\u00a9 2026 Acme Projects, Inc.",
             w="fill", h=24),
        kind=D("row", "row", "stack"), gap=D(32, 24, 12), pad=D((40, 24, 0, 24), (40, 32, 0, 32),
                                                              (32, 16, 0, 16)),
        align="start", h=D(180, 180, 260), wrap=True,
    )


def _main(name: str, *sections: El, grey: bool = False) -> El:
    return stack("main", f"page-{name}", "page-grey" if grey else "", *sections,
                 pad=D((64, 0, 0, 0), (64, 0, 0, 0), (56, 0, 0, 0)))


def _doc(name: str, header: str, main: El) -> El:
    toast_root = e("div", "toast-root", "toast-root",
                   lay=Lay(kind="row", justify="center", pad=D(0, 0, (0, 16, 0, 16)),
                           fixed="bottom"))
    body = e("body", None, "", _header(header), main, toast_root)
    return e("html", None, "", body, lang="en")


def _board() -> El:
    def col(title: str, cards: list[str]) -> El:
        return e("div", None, "col", e("b", None, "", title),
                 *[e("span", None, f"card {c}".strip()) for c in cards])
    return e("div", None, "board", col("To do", ["", "hot", ""]), col("Doing", ["hot", ""]),
             col("Done", ["done", "done", "done"]))


def _landing() -> El:
    hero_copy = stack(
        "div", "hero-copy", "",
        leaf("p", "hero-kicker", "kicker", "New \u00b7 Timeline view", w=220, h=28),
        leaf("h1", "hero-title", "", "Plan projects your team actually finishes",
             h=D(128, 128, 120)),
        leaf("p", "hero-lead", "lead",
             "Acme Projects keeps tasks, docs and deadlines in one calm place. "
             "Free for teams up to 5.", h=D(60, 60, 120)),
        row("div", "hero-ctas", "",
            leaf("a", "cta-get-started", "btn btn-primary btn-lg",
                 "Get started \u2014 it's free", w=D(232, 232, None), h=52, href="/signup"),
            leaf("img", "demo-video", "demo-btn", w=208, h=52, src=DECOY_SRC,
                 alt="Watch the 2-minute demo", width="208", height="52"),
            kind=D("row", "row", "stack"), gap=12, align="start"),
        leaf("a", "cta-pricing", "link", "See plans and pricing \u2192", w=220, h=24,
             href="/pricing"),
        gap=20, w=D(560, None, None),
    )
    art = leaf("div", "hero-art", "", _board(), w="fill", h=380, kind=D("leaf", "none", "none"))
    hero = stack(
        "section", "hero", "hero",
        row("div", "hero-in", "", hero_copy, art, kind=D("row", "stack", "stack"), gap=48,
            align="start", wrap=True),
        h=D(560, 600, 640), pad=D((72, 0, 0, 0), (56, 0, 0, 0), (32, 0, 0, 0)),
    )
    logos = stack(
        "section", "logos", "",
        stack("div", "logos-in", "",
              leaf("p", "logos-title", "muted center", "Trusted by 4,000+ teams", h=20),
              leaf("div", "logos-row", "logos-row",
                   *[e("span", None, "", n) for n in
                     ("NORTHWIND", "Globex", "initech", "UMBRELLA", "Hooli")],
                   h=D(40, 40, 96)),
              gap=20, wrap=True),
        h=D(140, 140, 200), pad=(32, 0, 0, 0),
    )

    def feature(i: int, title: str, text: str) -> El:
        return leaf("div", f"feature-{i}", "feature", e("i", None, ""), e("h3", None, "", title),
                    e("p", None, "", text), w=D("fill", None, None), h=D(240, 180, 200))

    features = stack(
        "section", "features", "",
        stack("div", "features-in", "",
              leaf("h2", "features-title", "section-title",
                   "Everything a small team needs", h=D(44, 44, 88)),
              row("div", "features-grid", "",
                  feature(1, "Boards and timelines", "Drag tasks across a board, then see the same "
                          "work on a timeline with dependencies."),
                  feature(2, "Docs next to the work", "Specs, notes and decisions live in the "
                          "project, linked to the tasks they explain."),
                  feature(3, "Invite in seconds", "Bring your teammates in with one list of "
                          "emails. Everyone sees what matters to them."),
                  kind=D("row", "stack", "stack"), gap=D(24, 16, 16), align="start"),
              gap=32, wrap=True),
        h=D(460, 820, 880), pad=D((64, 0, 0, 0), (56, 0, 0, 0), (48, 0, 0, 0)),
    )
    quote_ = stack(
        "section", "quote", "quote",
        stack("div", "quote-in", "",
              leaf("blockquote", "quote-text", "",
                   "\u201cWe moved three teams from spreadsheets to Acme in a week. "
                   "Stand-ups got shorter and deadlines stopped slipping.\u201d",
                   w=D(720, None, None), h=D(96, 96, 160), place="center"),
              leaf("p", "quote-author", "", "Dana Whitfield, Head of Delivery at Northwind",
                   w=D(720, None, None), h=D(24, 24, 48), place="center"),
              gap=16, wrap=True),
        h=D(260, 280, 340), pad=(56, 0, 0, 0),
    )
    band = stack(
        "section", "cta-band", "band",
        stack("div", "cta-band-in", "",
              leaf("h2", "cta-band-title", "section-title center", "Start planning in two minutes",
                   h=D(44, 44, 88)),
              leaf("a", "cta-bottom", "btn btn-primary btn-lg", "Start free", w=200, h=52,
                   place="center", href="/signup"),
              gap=24, wrap=True),
        h=D(220, 220, 260), pad=(48, 0, 0, 0),
    )
    return _doc("landing", "marketing",
                _main("landing", hero, logos, features, quote_, band, _footer()))


PLANS = (
    ("free", "Free", "$0", "For small teams getting started.",
     ["Up to 5 members", "Unlimited tasks", "Boards and lists", "7-day history"]),
    ("team", "Team", "$8", "For growing teams that ship together.",
     ["Unlimited members", "Timelines and dependencies", "Docs and comments", "Guest access",
      "Integrations"]),
    ("business", "Business", "$16", "For organisations with many teams.",
     ["Everything in Team", "SSO and audit log", "Advanced permissions", "Priority support",
      "99.9 % uptime SLA"]),
)
COMPARE_ROWS = (
    "Members", "Projects", "Boards", "Timelines", "Dependencies", "Docs", "Guests",
    "Integrations", "Automations", "Audit log", "SSO / SAML", "Permissions", "Support",
    "Uptime SLA",
)
FAQ = (
    ("Can I try Team for free?", "Yes. Every workspace starts with 14 days of Team, no card "
     "needed. After that you can stay on Free or pick a paid plan."),
    ("How are members counted?", "Anyone who can log in to your workspace counts as a member. "
     "Guests you invite to a single project are free."),
    ("Can I change plans later?", "Upgrade or downgrade at any time; we prorate the difference "
     "to the day."),
    ("Do you offer discounts?", "Non-profits and schools get 50 % off Team. Yearly billing saves "
     "two months."),
    ("Where is my data stored?", "In the EU or the US, your choice, encrypted at rest and in "
     "transit."),
    ("How do I cancel?", "From workspace settings, in two clicks. Export everything first, any "
     "time."),
)


def _pricing() -> El:
    head = stack(
        "section", "pricing-head", "hero",
        stack("div", "pricing-head-in", "",
              leaf("h1", "pricing-title", "section-title center",
                   "Simple pricing for teams of every size", h=D(56, 56, 88)),
              leaf("p", "pricing-sub", "muted center",
                   "Start free. Upgrade when your team grows.", h=D(28, 28, 48)),
              leaf("div", "billing-toggle", "toggle",
                   e("span", None, "on", "Monthly"), e("span", None, "", "Yearly \u221220 %"),
                   w=240, h=40, place="center", role="switch", aria_checked="false"),
              gap=16, wrap=True),
        h=D(260, 260, 280), pad=D((64, 0, 0, 0), (56, 0, 0, 0), (40, 0, 0, 0)),
    )

    def plan(key: str, name: str, price: str, desc: str, items: list[str]) -> El:
        return stack(
            "div", f"plan-{key}", "plan featured" if key == "team" else "plan",
            leaf("h3", f"plan-{key}-name", "", name, h=28),
            leaf("p", f"plan-{key}-price", "price", price, e("small", None, "", " / member / mo"),
                 h=48),
            leaf("p", f"plan-{key}-desc", "muted", desc, h=48),
            leaf("ul", f"plan-{key}-list", "", *[e("li", None, "", i) for i in items],
                 h=D(220, 180, 200)),
            leaf("a", f"choose-{key}",
                 "btn btn-primary" if key == "team" else "btn btn-ghost", f"Choose {name}", h=48,
                 href=f"/signup?plan={key}"),
            gap=16, pad=D(32, 28, 24), w=D("fill", None, None), h=D(520, 480, 500),
        )

    plans = stack(
        "section", "plans", "",
        row("div", "plans-grid", "", *[plan(*p) for p in PLANS], kind=D("row", "stack", "stack"),
            gap=24, align="start", wrap=True),
        pad=D((24, 0, 56, 0), (24, 0, 56, 0), (16, 0, 48, 0)),
    )
    table = leaf(
        "div", "compare-table", "grid-table",
        e("div", None, "", *[e("span", None, "", c) for c in ("Feature", "Free", "Team",
                                                              "Business")]),
        *[e("div", None, "", e("span", None, "", r), e("span", None, "", "\u2713" if i < 4 else
                                                          "\u2014"),
            e("span", None, "", "\u2713" if i < 10 else "\u2014"), e("span", None, "", "\u2713"))
          for i, r in enumerate(COMPARE_ROWS)],
        h=48 * (len(COMPARE_ROWS) + 1),
    )
    compare = stack(
        "section", "compare", "",
        stack("div", "compare-in", "",
              leaf("h2", "compare-title", "section-title", "Compare plans", h=44), table,
              gap=24, wrap=True),
        pad=(56, 0, 56, 0),
    )
    faq = stack(
        "section", "faq", "",
        stack("div", "faq-in", "",
              leaf("h2", "faq-title", "section-title", "Questions, answered", h=44),
              *[leaf("div", f"faq-{i + 1}", "faq", e("h3", None, "", q), e("p", None, "", a),
                     h=D(112, 112, 160)) for i, (q, a) in enumerate(FAQ)],
              gap=12, wrap=True),
        pad=(56, 0, 56, 0),
    )
    cta = stack(
        "section", "pricing-cta", "band",
        stack("div", "pricing-cta-in", "",
              leaf("h2", "pricing-cta-title", "section-title center", "Try Team free for 14 days",
                   h=D(44, 44, 88)),
              leaf("a", "pricing-cta-btn", "btn btn-primary btn-lg", "Start free trial", w=220,
                   h=52, place="center", href="/signup?plan=team"),
              gap=24, wrap=True),
        h=D(220, 220, 260), pad=(48, 0, 0, 0),
    )
    return _doc("pricing", "marketing", _main("pricing", head, plans, compare, faq, cta, _footer()))


TERMS = (
    "These terms govern your use of Acme Projects. By creating a workspace you agree to them on "
    "behalf of yourself and the organisation you represent.",
    "You own the content you put in Acme Projects. We process it only to run the service for you, "
    "as described in our data processing agreement.",
    "Paid plans renew automatically each month or year until cancelled. Prices exclude taxes, "
    "which we add where the law requires.",
    "We aim for 99.9 % availability and publish incidents on our status page. Credits for "
    "downtime apply to Business plans.",
    "We may update these terms; we will tell workspace owners by email 30 days before a change "
    "that matters to them takes effect.",
)


def _terms() -> El:
    body = stack(
        "section", "terms", "prose",
        stack("div", "terms-in", "",
              leaf("h1", "terms-title", "", "Terms of service", h=48),
              *[leaf("p", f"terms-{i + 1}", "", t, h=D(78, 104, 182)) for i, t in
                enumerate(TERMS)],
              gap=20, wrap=True),
        pad=(48, 0, 64, 0),
    )
    return _doc("terms", "marketing", _main("terms", body, _footer()))


def _field(name: str, label: str, input_: El, hint: El | None, gap: int = 6) -> El:
    kids = [leaf("label", f"label-{name}", "", label, h=20, **{"for": input_.id or ""}), input_]
    if hint is not None:
        kids.append(hint)
    return stack("div", f"field-{name}", "field", *kids, gap=gap)


def _signup() -> El:
    card = stack(
        "form", "signup-card", "card",
        leaf("h1", "signup-title", "", "Create your account", h=36),
        leaf("p", "signup-sub", "muted", "Free for 14 days. No credit card needed.", h=D(24, 24, 48)),
        _field("name", "Full name",
               leaf("input", "signup-name", "input", h=44, type="text", name="name",
                    autocomplete="name", placeholder="Ada Lovelace"), None),
        _field("email", "Work email",
               leaf("input", "signup-email", "input", h=44, type="email", name="email",
                    autocomplete="email", placeholder="you@company.com"),
               leaf("p", "email-hint", "field-hint", h=18)),
        _field("password", "Password",
               leaf("input", "signup-password", "input", h=44, type="password", name="password",
                    autocomplete="new-password"),
               leaf("p", "password-hint", "field-hint", "At least 8 characters", h=18)),
        row("div", "terms-row", "check-row",
            leaf("input", "signup-terms", "", w=18, h=18, type="checkbox", name="terms"),
            leaf("label", "terms-label", "", "I agree to the", w=104, h=24, **{"for":
                                                                                 "signup-terms"}),
            leaf("a", "terms-link", "", "Terms", w=48, h=24, href="/terms"),
            gap=8, h=24),
        leaf("button", "signup-submit", "btn btn-primary", "Create account", h=48,
             type="submit"),
        leaf("p", "signup-alt", "muted center", "Already have an account? Log in", h=20),
        gap=20, pad=D(40, 40, 24), w=D(440, 440, None), place="center",
    )
    section = stack("section", "signup", "", card, wrap=True,
                    pad=D((64, 0, 64, 0), (56, 0, 64, 0), (24, 0, 48, 0)))
    return _doc("signup", "marketing", _main("signup", section, grey=True))


def _steps(now: int) -> El:
    names = ("Account", "Profile", "Invite team", "Done")
    return leaf("ol", "steps", "steps",
                *[e("li", None, "done" if i < now else "now" if i == now else "", f"{i + 1}. {n}")
                  for i, n in enumerate(names)],
                w=D(560, 560, None), h=32, place="center")


def _options(name: str, options: list[tuple[str, str]]) -> El:
    return row("div", f"{name}-opts", "",
               *[leaf("button", f"{name}-{k}", "opt", text, w="fill", h=40, type="button")
                 for k, text in options], gap=8, h=40)


ROLES = (("eng", "Engineering"), ("design", "Design"), ("pm", "Product"), ("other", "Other"))
SIZES = (("1", "1\u20135"), ("2", "6\u201320"), ("3", "21\u2013100"), ("4", "100+"))


def _profile() -> El:
    card = stack(
        "form", "profile-card", "card",
        leaf("h1", "profile-title", "", "Tell us about your team", h=36),
        leaf("p", "profile-sub", "muted", "We use this to set up your first project.", h=D(24, 24, 48)),
        _field("company", "Company",
               leaf("input", "profile-company", "input", h=44, type="text", name="company",
                    autocomplete="organization", placeholder="Acme Inc."), None),
        stack("div", "field-role", "field",
              leaf("p", "label-role", "label", "Your role", h=20),
              _options("role", list(ROLES)), gap=8),
        stack("div", "field-size", "field",
              leaf("p", "label-size", "label", "Team size", h=20),
              _options("size", list(SIZES)), gap=8),
        leaf("button", "profile-continue", "btn btn-primary", "Continue", h=48, type="submit"),
        gap=20, pad=D(40, 36, 24), w=D(560, 560, None), place="center",
    )
    section = stack("section", "onb", "", _steps(1), card, gap=24, wrap=True,
                    pad=D((48, 0, 64, 0), (40, 0, 64, 0), (24, 0, 48, 0)))
    return _doc("profile", "app", _main("profile", section, grey=True))


def _invite(version: str) -> El:
    textarea = leaf("textarea", "invite-emails", "input", h=112, name="emails", rows="4",
                    placeholder="name@company.com")
    button = leaf("button", "send-invites", "btn btn-primary is-disabled", "Send invites",
                  w=160, h=48, type="submit", aria_disabled="true")
    actions = row("div", "invite-actions", "",
                  leaf("a", "skip-invites", "", "Skip for now", w=110, h=24, href="/dashboard"),
                  button, justify="between", h=48)
    if version == "A":
        middle = [textarea,
                  leaf("p", "invite-hint", "hint-tiny", "use comma-separated emails", h=14)]
    else:
        middle = [leaf("label", "invite-label", "invite-label", "Add comma-separated emails",
                       h=20, **{"for": "invite-emails"}),
                  textarea,
                  leaf("p", "invite-count", "invite-count", "No teammates added yet", h=18)]
    card = stack(
        "form", "invite-card", "card",
        leaf("h1", "invite-title", "", "Invite your teammates", h=36),
        leaf("p", "invite-sub", "muted", "Acme Projects works best with your whole team.", h=D(24, 24, 48)),
        *middle, actions,
        gap=16, pad=D(40, 36, 24), w=D(560, 560, None), place="center",
        **{"data-variant": version},
    )
    section = stack("section", "onb", "", _steps(2), card, gap=24, wrap=True,
                    pad=D((48, 0, 64, 0), (40, 0, 64, 0), (24, 0, 48, 0)))
    return _doc("invite", "app", _main("invite", section, grey=True))


def _dashboard() -> El:
    side = stack(
        "aside", "sidebar", "sidebar",
        *[leaf("a", f"side-{k}", "side-link on" if k == "projects" else "side-link", text, h=40,
               href=f"/{k}") for k, text in
          (("projects", "Projects"), ("tasks", "My tasks"), ("docs", "Docs"), ("team", "Team"),
           ("settings", "Settings"))],
        gap=4, pad=24, w=D(240, 200, None), h=760, kind=D("stack", "stack", "none"),
    )
    empty = stack(
        "div", "dash-empty", "empty",
        leaf("div", "empty-art", "empty-art", w=120, h=80, place="center"),
        leaf("p", "empty-title", "", "Create your first project to get going", h=28),
        leaf("button", "empty-create", "btn btn-primary", "Create a project", w=200, h=44,
             place="center", type="button"),
        gap=16, pad=40,
    )

    def stat(key: str, label: str, value: str) -> El:
        return leaf("div", f"card-{key}", "stat", e("b", None, "", value),
                    e("span", None, "muted", label), w=D("fill", None, None), h=D(160, 120, 120))

    main = stack(
        "section", "dash-main", "",
        row("div", "dash-head", "",
            leaf("h1", "dash-title", "dash-title", "Your projects", w=D(240, 240, 180), h=36),
            leaf("button", "new-project", "btn btn-primary", "+ New project", w=148, h=40,
                 type="button"),
            justify="between", h=44),
        empty,
        row("div", "dash-cards", "", stat("tasks", "open tasks", "0"),
            stat("docs", "docs", "0"), stat("team", "teammates invited", "0"),
            kind=D("row", "stack", "stack"), gap=16, align="start"),
        gap=24, pad=D(32, 24, 16), w="fill",
    )
    shell = row("div", "app-shell", "", side, main, kind=D("row", "row", "stack"), align="start")
    return _doc("dashboard", "app", _main("dashboard", shell))


#: Pages: name -> (path, title, builder taking the version).
PAGES: dict[str, tuple[str, str, Any]] = {
    "landing": ("/", "Acme Projects \u2014 plan projects your team finishes", lambda v: _landing()),
    "pricing": ("/pricing", "Pricing \u00b7 Acme Projects", lambda v: _pricing()),
    "terms": ("/terms", "Terms of service \u00b7 Acme Projects", lambda v: _terms()),
    "signup": ("/signup", "Create your account \u00b7 Acme Projects", lambda v: _signup()),
    "profile": ("/onboarding/profile", "Your team \u00b7 Acme Projects", lambda v: _profile()),
    "invite": ("/onboarding/invite", "Invite teammates \u00b7 Acme Projects", _invite),
    "dashboard": ("/dashboard", "Projects \u00b7 Acme Projects", lambda v: _dashboard()),
}
#: Pages whose DOM differs between versions A and B.
VERSIONED = frozenset({"invite"})


# --------------------------------------------------------------------------- dynamic fragments
def _welcome_modal() -> El:
    dialog = stack(
        "div", "welcome-dialog", "dialog",
        leaf("h2", "welcome-title", "", "You're all set!", h=32),
        leaf("p", "welcome-text", "muted",
             "Your workspace is ready. Take a 60-second tour to see boards, timelines and docs, "
             "or jump straight in.", h=72),
        row("div", "welcome-actions", "",
            leaf("button", "welcome-later", "btn btn-ghost", "Maybe later", w=120, h=44,
                 type="button"),
            leaf("button", "welcome-tour", "btn btn-primary", "Take the tour", w=140, h=44,
                 type="button"),
            justify="end", gap=12, h=44),
        gap=16, pad=32, w=D(480, 480, "fill"), role="dialog", aria_modal="true",
        aria_labelledby="welcome-title",
    )
    return e("div", "welcome-modal", "modal", dialog,
             lay=Lay(kind="row", justify="center", pad=D(0, 0, (0, 16, 0, 16)),
                     fixed="overlay"))


def _toast(kind: str, text: str) -> El:
    return leaf("div", "toast", f"toast toast-{kind}", text, w=D(360, 360, "fill"), h=48,
                role="status")


#: Fragments added to a page by mutations: name -> (parent id, builder).
FRAGMENTS: dict[str, tuple[str, Any]] = {
    "welcome-modal": ("body", _welcome_modal),
    "toast-invites-sent": ("toast-root", lambda: _toast("ok", "Invites sent \u2014 nice!")),
    "toast-invites-failed": ("toast-root",
                             lambda: _toast("err", "Something went wrong. Please try again.")),
    "toast-project": ("toast-root", lambda: _toast("ok", "Project \u201cUntitled\u201d created")),
}


@cache
def page_tree(page: str, version: str = "A") -> El:
    """The element tree of a page (``html`` root). Cached: do not mutate.

    Examples
    --------
    >>> [el.id for el in page_tree("invite", "B").walk() if el.id == "invite-label"]
    ['invite-label']
    """
    path, title, build = PAGES[page]
    root = build(version if page in VERSIONED else "A")
    head = e("head", None, "",
             e("meta", None, "", charset="utf-8"),
             e("meta", None, "", name="viewport", content="width=device-width, initial-scale=1"),
             e("title", None, "", title),
             e("style", None, ""),  # the stylesheet text is added by the serializer
             e("script", None, "", src="/static/app.3f9c2e.js", defer=""))
    root.kids.insert(0, head)
    return root


@cache
def fragment(name: str) -> El:
    """A dynamic fragment (modal, toast) by name. Cached: do not mutate."""
    return FRAGMENTS[name][1]()


# --------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class Box:
    """An element's border box in CSS px: document coordinates, or viewport ones if ``fixed``."""

    x: float
    y: float
    w: float
    h: float
    fixed: bool
    depth: int
    tag: str


@dataclass(frozen=True)
class Layout:
    """Boxes of every displayed laid-out element of one page at one viewport."""

    page: str
    version: str
    width: int
    height: int
    device: str
    boxes: dict[str, Box]
    content_height: int

    @property
    def page_height(self) -> int:
        """Scrollable document height: content, or the viewport when the content is shorter."""
        return max(self.content_height, self.height)


def _pad(node: Lay, di: int) -> tuple[float, float, float, float]:
    p = _v(node.pad, di)
    if isinstance(p, int | float):
        return (p, p, p, p)
    return tuple(p)  # type: ignore[return-value]


def _laid(el: El) -> list[El]:
    return [k for k in el.kids if isinstance(k, El) and k.lay is not None]


def _shown(el: El, di: int) -> bool:
    return el.lay is not None and _v(el.lay.kind, di) != "none"


def _flow_kids(el: El, di: int) -> list[El]:
    return [k for k in _laid(el) if _shown(k, di) and k.lay.fixed is None]


def _height(el: El, di: int) -> float:
    lay = el.lay
    h = _v(lay.h, di)
    if h is not None:
        return float(h)
    kind = _v(lay.kind, di)
    t, _, b, _ = _pad(lay, di)
    kids = _flow_kids(el, di)
    if kind == "leaf":
        raise ValueError(f"leaf #{el.id} needs a height")
    if not kids:
        return t + b
    if kind == "stack":
        return t + b + sum(_height(k, di) for k in kids) + _v(lay.gap, di) * (len(kids) - 1)
    return t + b + max(_height(k, di) for k in kids)


def _content_width(el: El, di: int) -> float:
    lay = el.lay
    w = _v(lay.w, di)
    if isinstance(w, int | float):
        return float(w)
    kind = _v(lay.kind, di)
    kids = _flow_kids(el, di)
    if kind != "row":
        raise ValueError(f"#{el.id}: content width only for rows")
    _, r, _, left = _pad(lay, di)
    return left + r + sum(_content_width(k, di) for k in kids) + _v(lay.gap, di) * max(
        0, len(kids) - 1)


def _hpad(el: El, di: int) -> tuple[float, float]:
    _, r, _, left = _pad(el.lay, di)
    if el.lay.wrap:
        return GUTTER[di], GUTTER[di]
    return left, r


def _place(el: El, di: int, x: float, y: float, w: float, depth: int, fixed: bool,
           out: dict[str, Box]) -> None:
    lay = el.lay
    h = _height(el, di)
    if el.id:
        out[el.id] = Box(round(x, 2), round(y, 2), round(w, 2), round(h, 2), fixed, depth, el.tag)
    kind = _v(lay.kind, di)
    if kind == "leaf":
        return
    kids = _flow_kids(el, di)
    t, _, b, _ = _pad(lay, di)
    left, right = _hpad(el, di)
    cx, cy, cw = x + left, y + t, w - left - right
    gap = _v(lay.gap, di)
    if kind == "stack":
        for kid in kids:
            kw = _v(kid.lay.w, di)
            if kid.lay.wrap:
                width = min(cw, MAX_CONTENT + 2 * GUTTER[di])
                kx = cx + (cw - width) / 2
            elif isinstance(kw, int | float):
                width = float(kw)
                place = _v(kid.lay.place, di)
                kx = cx + {"start": 0, "center": (cw - width) / 2, "end": cw - width}[place]
            else:
                width, kx = cw, cx
            _place(kid, di, kx, cy, width, depth + 1, fixed, out)
            cy += _height(kid, di) + gap
        return
    # row
    widths: list[float | None] = []
    for kid in kids:
        kw = _v(kid.lay.w, di)
        widths.append(float(kw) if isinstance(kw, int | float) else
                      None if kw == "fill" else _content_width(kid, di))
    fixed_sum = sum(wd for wd in widths if wd is not None)
    n_fill = sum(wd is None for wd in widths)
    gaps = gap * max(0, len(kids) - 1)
    share = max(0.0, (cw - fixed_sum - gaps) / n_fill) if n_fill else 0.0
    widths = [share if wd is None else wd for wd in widths]
    total = sum(widths) + gaps
    justify = _v(lay.justify, di)
    step_gap = gap
    if justify == "between" and len(kids) > 1:
        step_gap = (cw - sum(widths)) / (len(kids) - 1)
        kx = cx
    else:
        kx = cx + {"start": 0, "center": (cw - total) / 2, "end": cw - total}[justify]
    ch = h - t - b
    align = _v(lay.align, di)
    for kid, width in zip(kids, widths):
        kh = _height(kid, di)
        ky = cy + ((ch - kh) / 2 if align == "center" else 0)
        _place(kid, di, kx, ky, width, depth + 1, fixed, out)
        kx += width + step_gap


def _body_parts(root: El) -> tuple[list[El], El]:
    body = [k for k in root.kids if isinstance(k, El) and k.tag == "body"][0]
    flow = [k for k in _laid(body) if k.lay.fixed is None]
    fixed = [k for k in _laid(body) if k.lay.fixed is not None]
    return fixed, flow[0]


def _place_fixed(el: El, di: int, width: int, height: int, depth: int,
                 out: dict[str, Box]) -> None:
    kind = el.lay.fixed
    if kind == "top":
        _place(el, di, 0, 0, width, depth, True, out)
        return
    if kind == "overlay":
        # Full viewport; a centred row whose height is the viewport's.
        lay = el.lay
        saved = lay.h
        lay.h = height
        try:
            _place(el, di, 0, 0, width, depth, True, out)
        finally:
            lay.h = saved
        return
    if kind == "bottom":
        h = _height(el, di)
        _place(el, di, 0, height - TOAST_BOTTOM - h, width, depth, True, out)
        return
    raise ValueError(kind)


@cache
def layout(page: str, version: str, width: int, height: int) -> Layout:
    """Element boxes of ``page`` at a ``width`` x ``height`` viewport.

    Boxes are keyed by element id. Flow elements are in document pixels;
    elements inside the fixed header or toast area have ``fixed=True`` and
    viewport coordinates.

    Examples
    --------
    >>> b = layout("landing", "A", 1280, 800).boxes
    >>> b["cta-get-started"].x, b["cta-get-started"].y
    (80.0, 412.0)
    >>> b["nav-cta"].fixed
    True
    """
    di = DEVICES.index(device_of(width))
    root = page_tree(page, version)
    fixed, main = _body_parts(root)
    out: dict[str, Box] = {}
    out["body"] = Box(0.0, 0.0, float(width), float(_height(main, di)), False, 1, "body")
    _place(main, di, 0, 0, width, 2, False, out)
    for el in fixed:
        if _shown(el, di):
            _place_fixed(el, di, width, height, 2, out)
    return Layout(page, version if page in VERSIONED else "A", width, height,
                  DEVICES[di], out, int(round(_height(main, di))))


@cache
def fragment_layout(name: str, width: int, height: int) -> dict[str, Box]:
    """Boxes (viewport coordinates) of a dynamic fragment once it is on the page."""
    di = DEVICES.index(device_of(width))
    el = fragment(name)
    out: dict[str, Box] = {}
    if el.lay.fixed == "overlay":
        _place_fixed(el, di, width, height, 2, out)
    else:  # a toast inside the fixed bottom row
        w = _v(el.lay.w, di)
        pad = 16 if w == "fill" else 0
        bw = float(width - 2 * pad) if w == "fill" else float(w)
        h = _height(el, di)
        out[el.id] = Box(round((width - bw) / 2, 2), float(height - TOAST_BOTTOM - h), bw, h,
                         True, 3, el.tag)
    return out


# --------------------------------------------------------------------------- geometry CSS
_RESET = {"width": "auto", "height": "auto", "flex": "none", "align-self": "auto",
          "min-width": "auto", "max-width": "none", "padding": "0", "gap": "0",
          "justify-content": "normal", "align-items": "normal", "flex-direction": "row"}


def _px(v: float) -> str:
    if v == 0:
        return "0"
    return f"{int(v)}px" if float(v).is_integer() else f"{v}px"


def _pad_css(t: float, r: float, b: float, left: float) -> str:
    if t == r == b == left:
        return _px(t)
    if t == b and r == left:
        return f"{_px(t)} {_px(r)}"
    return " ".join(_px(v) for v in (t, r, b, left))


def _props(el: El, di: int, parent: str | None) -> dict[str, str]:
    lay = el.lay
    kind = _v(lay.kind, di)
    if kind == "none":
        return {"display": "none"}
    p: dict[str, str] = {}
    if lay.fixed == "top":
        p.update(position="fixed", top="0", left="0", right="0")
    elif lay.fixed == "overlay":
        p.update(position="fixed", inset="0")
    elif lay.fixed == "bottom":
        p.update(position="fixed", left="0", right="0", bottom=_px(TOAST_BOTTOM))
    if kind in ("stack", "row"):
        p["display"] = "flex"
        p["flex-direction"] = "column" if kind == "stack" else "row"
        p["gap"] = _px(_v(lay.gap, di))
        if kind == "row":
            p["justify-content"] = {"start": "normal", "end": "flex-end", "center": "center",
                                    "between": "space-between"}[_v(lay.justify, di)]
            p["align-items"] = {"center": "center", "start": "flex-start"}[_v(lay.align, di)]
        else:
            p["justify-content"] = p["align-items"] = "normal"
    t, r, b, left = _pad(lay, di)
    if lay.wrap:
        r = left = GUTTER[di]
    p["padding"] = _pad_css(t, r, b, left)
    h = _v(lay.h, di)
    p["height"] = _px(h) if h is not None else "auto"
    w = _v(lay.w, di)
    p.update({"width": "auto", "flex": "none", "align-self": "auto", "min-width": "auto",
              "max-width": "none"})
    if parent == "stack":
        if lay.wrap:
            p.update({"width": "100%", "max-width": _px(MAX_CONTENT + 2 * GUTTER[di]),
                      "align-self": "center"})
        elif isinstance(w, int | float):
            p.update({"width": _px(w), "align-self": {"start": "auto", "center": "center",
                                                      "end": "flex-end"}[_v(lay.place, di)]})
        else:
            p["width"] = "100%"
    elif parent == "row":
        if isinstance(w, int | float):
            p["width"] = _px(w)
        elif w == "fill":
            p.update({"flex": "1 1 0", "min-width": "0"})
    elif lay.fixed is None and isinstance(w, int | float):
        p["width"] = _px(w)
    return p


def _collect_rules(el: El, parent_kinds: tuple[str | None, ...],
                   rules: dict[str, tuple[dict[str, str], ...]]) -> None:
    # parent kind "none" means an ancestor is hidden on that device: reuse the larger
    # device's rule so that no media query is spent on invisible elements.
    if el.lay is not None and el.id:
        props: list[dict[str, str]] = []
        for di in range(3):
            if parent_kinds[di] == "none" and di > 0:
                props.append(props[di - 1])
            else:
                props.append(_props(el, di, parent_kinds[di]))
        if el.id in rules and rules[el.id] != tuple(props):
            raise ValueError(f"#{el.id} is laid out differently on two pages")
        rules[el.id] = tuple(props)
    kinds: tuple[str | None, ...]
    if el.lay is not None:
        kinds = tuple("none" if parent_kinds[di] == "none" else _v(el.lay.kind, di)
                      for di in range(3))
    else:
        kinds = tuple("none" if k == "none" else None for k in parent_kinds)
    for kid in el.kids:
        if isinstance(kid, El):
            _collect_rules(kid, kinds, rules)


def _diff(new: dict[str, str], old: dict[str, str]) -> dict[str, str]:
    if new.get("display") == "none":
        return {} if old.get("display") == "none" else {"display": "none"}
    out = {k: v for k, v in new.items() if old.get(k) != v}
    if old.get("display") == "none" and "display" not in new:
        out["display"] = "block"
    for k in old:
        if k not in new and k != "display":
            out[k] = _RESET.get(k, "auto")
    return out


def _block(rules: list[tuple[str, dict[str, str]]]) -> str:
    """Rules grouped by identical declarations: ``#a,#b{height:24px}``."""
    groups: dict[str, list[str]] = {}
    for ident, props in rules:
        body = ";".join(f"{k}:{v}" for k, v in props.items())
        if body:
            groups.setdefault(body, []).append("#" + ident)
    return "".join(",".join(sels) + "{" + body + "}" for body, sels in groups.items())


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The app's one stylesheet: visual rules, then geometry generated from the layout specs.

    Shared by every page (identical text in every snapshot).

    Examples
    --------
    >>> css = stylesheet()
    >>> "#send-invites{" in css or ",#send-invites" in css
    True
    >>> "@media (max-width:767px)" in css
    True
    """
    rules: dict[str, tuple[dict[str, str], ...]] = {}
    roots = [page_tree(p, v) for p in PAGES for v in (("A", "B") if p in VERSIONED else ("A",))]
    for root in roots:
        _collect_rules(root, (None, None, None), rules)
    for name, (parent, _) in FRAGMENTS.items():
        # toasts are flex items of the fixed bottom row
        _collect_rules(fragment(name), ("row",) * 3 if parent == "toast-root" else (None,) * 3,
                       rules)
    base, tablet, mobile = [], [], []
    for ident in sorted(rules):
        d, t, m = rules[ident]
        base.append((ident, {k: v for k, v in d.items() if v != _RESET.get(k)}))
        tablet.append((ident, _diff(t, d)))
        mobile.append((ident, _diff(m, t)))
    return (_VISUAL_CSS + _block(base) + "\n"
            + "@media (max-width:1023px){" + _block(tablet) + "}\n"
            + "@media (max-width:767px){" + _block(mobile) + "}\n")


# --------------------------------------------------------------------------- HTML
_VOID = {"meta", "input", "img", "br", "link"}


def _html_of(el: El) -> str:
    attrs = "".join(f' {k}="{_html.escape(v, quote=True)}"' if v != "" else f" {k}"
                    for k, v in el.attributes().items())
    if el.tag in _VOID:
        return f"<{el.tag}{attrs}>"
    inner = "".join(_html.escape(k, quote=False) if isinstance(k, str) else _html_of(k)
                    for k in el.kids)
    if el.tag == "style":
        inner = stylesheet()
    if el.tag == "script":
        return f"<script{attrs}></script>"
    return f"<{el.tag}{attrs}>{inner}</{el.tag}>"


def render_html(page: str, version: str = "A", *, fragments: tuple[str, ...] = (),
                scripts: bool = False) -> str:
    """A page as standalone HTML (for screenshots and layout checks).

    ``fragments`` are added where the app would add them (modal, toast);
    ``scripts=False`` drops the ``<script>`` element.

    Examples
    --------
    >>> render_html("signup").startswith("<!DOCTYPE html><html lang=\\"en\\">")
    True
    """
    root = page_tree(page, version)
    text = "<!DOCTYPE html>" + _html_of(root)
    if not scripts:
        text = text.replace('<script src="/static/app.3f9c2e.js" defer></script>', "")
    for name in fragments:
        parent, _ = FRAGMENTS[name]
        frag = _html_of(fragment(name))
        if parent == "body":
            text = text.replace("</body>", frag + "</body>")
        else:
            text = text.replace(f'id="{parent}" class="toast-root">',
                                f'id="{parent}" class="toast-root">' + frag)
    return text


def layouts_table() -> dict[str, Any]:
    """Every page's boxes at every demo viewport, as plain JSON-ready data.

    ``{page: {version: {"WxH": {"page_height": int, "boxes": {id: [x, y, w, h, fixed]}}}}}``
    plus ``fragments`` for the modal and toasts.
    """
    out: dict[str, Any] = {}
    sizes = [vp for vps in VIEWPORTS.values() for vp in vps]
    for page in PAGES:
        out[page] = {}
        for version in (("A", "B") if page in VERSIONED else ("A",)):
            out[page][version] = {}
            for w, h in sizes:
                lay = layout(page, version, w, h)
                out[page][version][f"{w}x{h}"] = {
                    "page_height": lay.page_height,
                    "boxes": {k: [b.x, b.y, b.w, b.h, b.fixed] for k, b in sorted(
                        lay.boxes.items())},
                }
    out["fragments"] = {
        name: {f"{w}x{h}": {k: [b.x, b.y, b.w, b.h, b.fixed] for k, b in sorted(
            fragment_layout(name, w, h).items())} for w, h in sizes} for name in FRAGMENTS}
    return out
