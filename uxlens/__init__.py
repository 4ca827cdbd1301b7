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

from ._version import __version__
from .engine.backend import connect
from .eventlog import EventLog, SessionList
from .exceptions import (
    EngineError,
    MissingDependencyError,
    RecordingFormatError,
    SchemaError,
    UxlensError,
)

__all__ = [
    "__version__",
    "connect",
    "EventLog",
    "SessionList",
    "UxlensError",
    "SchemaError",
    "RecordingFormatError",
    "EngineError",
    "MissingDependencyError",
]
