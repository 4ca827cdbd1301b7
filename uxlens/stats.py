"""Small, vectorised statistics for comparing rates: intervals, tests, odds ratios.

Funnels compare conversion rates between segments, heatmap comparisons compare
click shares between two maps, friction insights compare how often a signal
appears among users who converted and users who did not. They all need the
same few tools, gathered here so that every number uxlens prints is computed
one way:

- :func:`wilson_interval`: confidence interval of one proportion (Wilson score),
  well behaved at 0 %, 100 % and small counts, unlike the normal approximation.
- :func:`newcombe_interval`: interval of the difference of two proportions
  (Newcombe's hybrid score method, built from two Wilson intervals).
- :func:`two_proportion_ztest`: pooled two-proportion z test.
- :func:`chi_square`: chi-square test of independence for a segments x outcome
  table (no continuity correction, so a 2x2 table gives exactly ``z ** 2`` of
  the z test).
- :func:`odds_ratio`: odds ratio with additive smoothing (PostHog's correlation
  analysis adds 1 to every cell), its Woolf (log) interval and Wald p-value.
- :func:`holm`: Holm's step-down correction when several segments are tested.

Every function accepts scalars or numpy arrays (broadcast together) and
returns floats or arrays; undefined values (no trials) are ``nan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as _st

__all__ = [
    "wilson_interval",
    "newcombe_interval",
    "two_proportion_ztest",
    "chi_square",
    "odds_ratio",
    "holm",
    "benjamini_hochberg",
    "ZTest",
    "ChiSquare",
    "OddsRatio",
]

ArrayLike = Any


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive); got {confidence!r}.")
    return float(_st.norm.ppf(0.5 + confidence / 2.0))


def _out(value: np.ndarray) -> Any:
    return float(value) if np.ndim(value) == 0 else value


def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, *, confidence: float = 0.95
) -> tuple[Any, Any]:
    """Wilson score interval of a proportion ``successes / trials``.

    Parameters
    ----------
    successes, trials
        Counts (scalars or arrays of the same shape).
    confidence
        Coverage of the interval, e.g. ``0.95``.

    Returns
    -------
    (low, high)
        Bounds in [0, 1]; ``nan`` where ``trials == 0``.

    Examples
    --------
    >>> low, high = wilson_interval(62, 100)
    >>> round(low, 4), round(high, 4)
    (0.5221, 0.709)
    >>> wilson_interval(0, 10)[0]
    0.0
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z / denom * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))
        low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return _out(low), _out(high)


def newcombe_interval(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, *, confidence: float = 0.95
) -> tuple[Any, Any]:
    """Newcombe (hybrid Wilson score) interval of ``x1/n1 - x2/n2``.

    Examples
    --------
    >>> low, high = newcombe_interval(62, 100, 45, 100)
    >>> round(low, 4), round(high, 4)
    (0.0318, 0.2994)
    """
    l1, u1 = wilson_interval(x1, n1, confidence=confidence)
    l2, u2 = wilson_interval(x2, n2, confidence=confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.asarray(x1, dtype=float) / np.asarray(n1, dtype=float)
        p2 = np.asarray(x2, dtype=float) / np.asarray(n2, dtype=float)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return _out(low), _out(high)


@dataclass(frozen=True)
class ZTest:
    """Result of :func:`two_proportion_ztest`.

    Examples
    --------
    >>> r = two_proportion_ztest(62, 100, 45, 100)
    >>> isinstance(r, ZTest), r.p_value < 0.05
    (True, True)
    """

    diff: Any
    z: Any
    p_value: Any


def two_proportion_ztest(
    x1: ArrayLike,
    n1: ArrayLike,
    x2: ArrayLike,
    n2: ArrayLike,
    *,
    alternative: str = "two-sided",
) -> ZTest:
    """Pooled two-proportion z test of ``x1/n1`` against ``x2/n2``.

    Parameters
    ----------
    x1, n1, x2, n2
        Successes and trials of the two groups.
    alternative
        ``"two-sided"``, ``"larger"`` (first rate larger) or ``"smaller"``.

    Returns
    -------
    ZTest
        ``diff`` (p1 - p2), ``z`` and ``p_value``; ``nan`` when a group is
        empty or both rates are 0 % or 100 % (no variance).

    Examples
    --------
    >>> r = two_proportion_ztest(62, 100, 45, 100)
    >>> round(r.diff, 2), round(r.z, 4), round(r.p_value, 4)
    (0.17, 2.4101, 0.0159)
    """
    if alternative not in ("two-sided", "larger", "smaller"):
        raise ValueError(
            "alternative must be 'two-sided', 'larger' or 'smaller'; "
            f"got {alternative!r}."
        )
    a1, m1 = np.asarray(x1, dtype=float), np.asarray(n1, dtype=float)
    a2, m2 = np.asarray(x2, dtype=float), np.asarray(n2, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = a1 / m1, a2 / m2
        pooled = (a1 + a2) / (m1 + m2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / m1 + 1.0 / m2))
        z = np.where(se > 0, (p1 - p2) / se, np.nan)
    if alternative == "two-sided":
        p = 2.0 * _st.norm.sf(np.abs(z))
    elif alternative == "larger":
        p = _st.norm.sf(z)
    else:
        p = _st.norm.cdf(z)
    return ZTest(diff=_out(p1 - p2), z=_out(z), p_value=_out(np.where(np.isnan(z), np.nan, p)))


@dataclass(frozen=True)
class ChiSquare:
    """Result of :func:`chi_square`.

    Examples
    --------
    >>> r = chi_square([[62, 38], [45, 55]])
    >>> isinstance(r, ChiSquare), r.dof
    (True, 1)
    """

    statistic: float
    p_value: float
    dof: int


def chi_square(table: ArrayLike) -> ChiSquare:
    """Chi-square test of independence (no continuity correction).

    Parameters
    ----------
    table
        Counts, one row per segment, one column per outcome (e.g. converted,
        not converted). Rows or columns that are all zero are dropped first.

    Examples
    --------
    >>> r = chi_square([[62, 38], [45, 55]])
    >>> round(r.statistic, 4), r.dof, round(r.p_value, 4)
    (5.8085, 1, 0.0159)
    """
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2:
        raise ValueError(f"chi_square() expects a 2-D table of counts; got shape {counts.shape}.")
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return ChiSquare(float("nan"), float("nan"), 0)
    stat, p, dof, _ = _st.chi2_contingency(counts, correction=False)
    return ChiSquare(float(stat), float(p), int(dof))


@dataclass(frozen=True)
class OddsRatio:
    """Result of :func:`odds_ratio`.

    Examples
    --------
    >>> r = odds_ratio(30, 10, 20, 40)
    >>> isinstance(r, OddsRatio), bool(r.low < r.odds_ratio < r.high)
    (True, True)
    """

    odds_ratio: Any
    low: Any
    high: Any
    p_value: Any


def odds_ratio(
    a: ArrayLike,
    b: ArrayLike,
    c: ArrayLike,
    d: ArrayLike,
    *,
    prior: float = 1.0,
    confidence: float = 0.95,
) -> OddsRatio:
    """Smoothed odds ratio of a 2x2 table ``[[a, b], [c, d]]``.

    ``a``: exposed and success, ``b``: exposed and failure, ``c``: not exposed
    and success, ``d``: not exposed and failure. Each cell gets ``prior`` added
    (1 by default, as in PostHog's funnel correlation analysis), so the ratio
    is finite even when a cell is 0:
    ``OR = (a + prior)(d + prior) / ((b + prior)(c + prior))``.

    Returns
    -------
    OddsRatio
        ``odds_ratio``, its Woolf (log-scale) interval ``low``/``high`` and the
        Wald ``p_value`` of ``log OR = 0``, all on the smoothed counts.

    Examples
    --------
    >>> r = odds_ratio(30, 10, 20, 40)
    >>> round(r.odds_ratio, 4), round(r.p_value, 6)
    (5.5022, 0.000114)
    """
    cells = [np.asarray(v, dtype=float) + prior for v in (a, b, c, d)]
    sa, sb, sc, sd = cells
    with np.errstate(divide="ignore", invalid="ignore"):
        log_or = np.log(sa) + np.log(sd) - np.log(sb) - np.log(sc)
        se = np.sqrt(1.0 / sa + 1.0 / sb + 1.0 / sc + 1.0 / sd)
        z = _z(confidence)
        low, high = np.exp(log_or - z * se), np.exp(log_or + z * se)
        p = 2.0 * _st.norm.sf(np.abs(log_or / se))
    return OddsRatio(_out(np.exp(log_or)), _out(low), _out(high), _out(p))


def holm(p_values: ArrayLike) -> np.ndarray:
    """Holm step-down adjusted p-values (family-wise error control).

    ``nan`` entries are left as ``nan`` and do not count as tests.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    return _adjusted(
        p_values, lambda p, m: np.maximum.accumulate(p * (m - np.arange(m))))


def _adjusted(p_values: ArrayLike, rule: Any) -> np.ndarray:
    """``rule(sorted p, m)`` applied to the non-``nan`` p-values in ascending order, capped
    at 1 and put back in place; ``nan`` stays ``nan`` and is not counted in ``m``."""
    p = np.asarray(p_values, dtype=float).ravel()
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if len(ok) == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    out[order] = np.minimum(rule(p[order], len(order)), 1.0)
    return out


def benjamini_hochberg(p_values: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg step-up adjusted p-values (q-values; false discovery rate).

    ``nan`` entries are left as ``nan`` and do not count as tests.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.04, 0.04]
    >>> benjamini_hochberg([0.01, float("nan")]).tolist()
    [0.01, nan]
    """
    return _adjusted(
        p_values, lambda p, m: np.minimum.accumulate((p * m / np.arange(1, m + 1))[::-1])[::-1])
