"""Readers: every one returns an :class:`~uxlens.EventLog` in the canonical schema."""

from .clarity import read_clarity
from .posthog import read_posthog
from .rrweb import read_rrweb
from .table import read_events

__all__ = ["read_rrweb", "read_events", "read_posthog", "read_clarity"]
