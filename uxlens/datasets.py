"""The bundled onboarding demo: ``ux.demo()``.

The committed sample lives in ``data-samples/onboarding`` (300 sessions made by
:func:`uxlens.demo.generate` with seed 7). When uxlens runs outside the
repository, or another size is asked for, the same generator makes it in memory.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from .eventlog import EventLog

__all__ = ["demo"]

_RECORDINGS = "recordings.jsonl.gz"
_TRUTH = "ground_truth.csv"


def demo(path: str | Path | None = None, *, n_sessions: int | None = None, seed: int = 7) -> EventLog:
    """Load the onboarding demo as an :class:`~uxlens.EventLog`.

    Parameters
    ----------
    path
        A directory written by ``python -m uxlens.demo --out DIR``; defaults to
        the committed sample.
    n_sessions, seed
        Generate a fresh demo of this size in memory instead of loading files.

    Returns
    -------
    EventLog
        With ``log.meta["ground_truth"]``: one row per planted fact (rage
        clicks, dead clicks, drop at invite, ...), for checking analyses.

    Examples
    --------
    >>> import uxlens as ux
    >>> log = ux.demo()
    >>> log.counts["rejected"]
    0
    >>> sorted(log.events["version"].dropna().unique())
    ['A', 'B']
    """
    key = (str(path) if path is not None else None, n_sessions, seed)
    return _demo_cached(*key)


@lru_cache(maxsize=4)
def _demo_cached(path: str | None, n_sessions: int | None, seed: int) -> EventLog:
    from .demo import generate, sample_path
    from .io.rrweb import read_rrweb

    if n_sessions is None:
        folder = Path(path) if path is not None else sample_path()
        if folder is not None and (Path(folder) / _RECORDINGS).exists():
            log = read_rrweb(Path(folder) / _RECORDINGS, progress=False)
            truth = pd.read_csv(Path(folder) / _TRUTH, parse_dates=["timestamp"])
            log.meta.update(ground_truth=truth, demo_path=str(folder))
            return log
        n_sessions = 300
    data = generate(n_sessions=n_sessions, seed=seed)
    log = read_rrweb(data.recordings, progress=False)
    log.meta.update(ground_truth=data.ground_truth, demo_seed=seed)
    return log
