"""Friction signals, scores and insights (see :mod:`uxlens.friction.core`)."""

from .core import *  # noqa: F403
from .core import __all__, __doc__  # noqa: F401
from .core import _phrase, _phrase_vector  # noqa: F401
