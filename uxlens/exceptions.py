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
    """Base class of every error uxlens raises on bad input or bad arguments.

    It is a ``ValueError``, so ``except ValueError`` code keeps working.

    Examples
    --------
    >>> import uxlens as ux
    >>> try:
    ...     ux.Funnel(ux.demo(), ["signup_started"])
    ... except ux.UxlensError as err:
    ...     print(str(err).split(";")[0])
    A funnel needs at least 2 steps
    >>> issubclass(ux.UxlensError, ValueError)
    True
    """


class SchemaError(UxlensError):
    """An events table does not match the canonical schema (missing column, bad type).

    Examples
    --------
    >>> import pandas as pd, uxlens as ux
    >>> try:
    ...     ux.read_events(pd.DataFrame({"user": ["u1"]}))
    ... except ux.SchemaError as err:
    ...     print(str(err).splitlines()[0])
    read_events: the events table lacks required columns:
    """


class RecordingFormatError(UxlensError):
    """A file or object is not a recording uxlens can read (not rrweb, truncated JSON...).

    Examples
    --------
    >>> import uxlens as ux
    >>> try:
    ...     ux.read_rrweb([{"x": 1}])
    ... except ux.RecordingFormatError as err:
    ...     print(str(err).splitlines()[0])
    <memory> is not an rrweb recording: found a list of 1 objects with keys ['x'].
    """


class EngineError(UxlensError):
    """A query engine (DuckDB, PySpark, another Ibis backend) failed or is misconfigured.

    Examples
    --------
    >>> import uxlens as ux
    >>> try:
    ...     ux.connect("nosuch")
    ... except ux.EngineError as err:
    ...     print(str(err).splitlines()[0])
    Could not connect to 'nosuch': Don't know how to connect to 'nosuch'.
    """


class MissingDependencyError(ImportError):
    """An optional dependency is missing; the message gives the ``pip install`` line.

    It is an ``ImportError`` (not a :class:`UxlensError`): the fix is an install, not
    other arguments.

    Examples
    --------
    >>> import uxlens as ux
    >>> issubclass(ux.MissingDependencyError, ImportError)
    True
    >>> issubclass(ux.MissingDependencyError, ux.UxlensError)
    False
    """


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
