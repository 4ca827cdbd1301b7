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
from .friction import Friction, flag_clicks
from .funnel import Exclusion, Funnel, Step
from .heatmap import Heatmap
from .io.posthog import read_posthog
from .io.rrweb import read_rrweb
from .io.table import read_events
from .journeys import Journeys
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
    "EventLog",
    "SessionList",
    "Session",
    "Funnel",
    "Step",
    "Exclusion",
    "Heatmap",
    "Friction",
    "flag_clicks",
    "Journeys",
    "Screens",
    "screen_states",
    "add_screen_column",
    "Deck",
    "export",
    "UxlensError",
    "SchemaError",
    "RecordingFormatError",
    "EngineError",
    "MissingDependencyError",
]
