"""uxlens: Jupyter-first UX analytics on your own session recordings.

Funnels, heatmaps, friction scores, journeys and inline session replay from
rrweb recordings, PostHog exports or any clickstream table.

Examples
--------
>>> import uxlens as ux
>>> log = ux.demo()
>>> len(log.sessions()) > 0
True
"""

from . import demo as _demo_package  # noqa: F401 - load it before `demo` is bound below
from . import export
from ._version import __version__
from .datasets import demo
from .engine.backend import connect
from .engine.sql import scan_parquet, to_sql
from .eventlog import EventLog, SessionList
from .exceptions import (
    EngineError,
    MissingDependencyError,
    RecordingFormatError,
    SchemaError,
    UxlensError,
)
from .export import Deck
from .friction import (
    DEFAULT_WEIGHTS,
    PRESETS,
    Friction,
    dead_clicks,
    error_clicks,
    flag_clicks,
    form_abandonment,
    hesitations,
    quick_backs,
    rage_clicks,
    repeated_edits,
    scroll_friction,
    thrashed_cursor,
)
from .funnel import Exclusion, Funnel, Step
from .heatmap import Heatmap, HeatmapComparison
from .io.clarity import read_clarity
from .io.posthog import read_posthog
from .io.rrweb import read_rrweb
from .io.table import read_events
from .journeys import Journeys
from .privacy import Privacy
from .screens import Screens, add_screen_column, screen_states
from .session import Session

__all__ = [
    "__version__",
    "connect",
    "scan_parquet",
    "to_sql",
    "demo",
    "read_rrweb",
    "read_events",
    "read_posthog",
    "read_clarity",
    "EventLog",
    "SessionList",
    "Session",
    "Funnel",
    "Step",
    "Exclusion",
    "Heatmap",
    "HeatmapComparison",
    "Friction",
    "flag_clicks",
    "rage_clicks",
    "dead_clicks",
    "error_clicks",
    "thrashed_cursor",
    "scroll_friction",
    "quick_backs",
    "form_abandonment",
    "hesitations",
    "repeated_edits",
    "PRESETS",
    "DEFAULT_WEIGHTS",
    "Journeys",
    "Screens",
    "screen_states",
    "add_screen_column",
    "Deck",
    "Privacy",
    "export",
    "UxlensError",
    "SchemaError",
    "RecordingFormatError",
    "EngineError",
    "MissingDependencyError",
]
