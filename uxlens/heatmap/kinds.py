"""Map kinds and the constants that shape a heatmap's parameters."""

from __future__ import annotations

#: Map kinds: what is counted.
KINDS: dict[str, str] = {
    "click": "clicks",
    "move": "cursor positions",
    "scroll": "share of sessions that reached each depth",
    "attention": "seconds the viewport spent over each band",
    "rage": "rage clicks",
    "dead": "dead clicks",
    "error": "clicks followed by an error",
}
_POINT_KINDS = ("click", "move", "rage", "dead", "error")
_FLAG_KINDS = ("rage", "dead", "error")
_BACKGROUNDS = ("auto", "snapshot", "wireframe")
#: ``screen=`` value for one map of every screen of the page, never split by screen.
ALL_SCREENS = "all"
#: A screen state is a *main* state of a page, drawn on its own panel by default, when it
#: holds at least this share of the page's events of the map's kind ...
SCREEN_MIN_SHARE = 0.10
#: ... and is among the most frequent this many.
SCREEN_MAX_PANELS = 4
_ALIGNS = ("fraction", "element")
