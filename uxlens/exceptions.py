"""One exception hierarchy for uxlens.

Every error a user can trigger with bad input is a :class:`UxlensError` (a
``ValueError``), and its message says what was expected, what was found and how
to fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "UxlensError",
    "SchemaError",
    "RecordingFormatError",
    "EngineError",
    "MissingDependencyError",
    "did_you_mean",
]


class UxlensError(ValueError):
    """Base class of every error uxlens raises on bad input or bad arguments."""


class SchemaError(UxlensError):
    """An events table does not match the canonical schema (missing column, bad type)."""


class RecordingFormatError(UxlensError):
    """A file or object is not a recording uxlens can read (not rrweb, truncated JSON...)."""


class EngineError(UxlensError):
    """A query engine (DuckDB, PySpark, another Ibis backend) failed or is misconfigured."""


class MissingDependencyError(ImportError):
    """An optional dependency is missing; the message gives the ``pip install`` line."""


def did_you_mean(value: str, choices: Iterable[str], *, n: int = 3) -> str:
    """Return a ``" Did you mean 'x'?"`` hint for a misspelt name, or ``""``.

    Examples
    --------
    >>> did_you_mean("sesion_id", ["session_id", "user_id"])
    " Did you mean 'session_id'?"
    >>> did_you_mean("zzz", ["session_id"])
    ''
    """
    choices = [str(c) for c in choices]
    matches = difflib.get_close_matches(str(value), choices, n=n, cutoff=0.75)
    if not matches:
        lowered = {c.lower(): c for c in choices}
        if str(value).lower() in lowered:
            matches = [lowered[str(value).lower()]]
    if not matches:
        return ""
    quoted = " or ".join(repr(m) for m in matches)
    return f" Did you mean {quoted}?"
