"""Per-zone tests and p-value corrections for :class:`HeatmapComparison`."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["adjust_pvalues", "zone_test"]


def zone_test(m: pd.DataFrame, *, unit: str) -> pd.DataFrame:
    """Per-zone rates, z statistic and two-sided p value (see :class:`HeatmapComparison`).

    ``m`` has per zone ``s_in_a, s_in_b`` (sessions acting in the zone),
    ``sum_n_*``, ``sum_n2_*`` (sum and sum of squares of per-session points
    in the zone) and ``sessions_a, sessions_b`` (page sessions).

    Examples
    --------
    >>> m = pd.DataFrame({"s_in_a": [10.0], "s_in_b": [30.0], "sessions_a": [100.0],
    ...                   "sessions_b": [100.0], "sum_n_a": [10.0], "sum_n_b": [30.0],
    ...                   "sum_n2_a": [10.0], "sum_n2_b": [30.0]})
    >>> r = zone_test(m, unit="session").iloc[0]
    >>> float(round(r["z"], 3)), float(round(r["p"], 5))
    (3.536, 0.00041)
    """
    from scipy.stats import norm

    from ..stats import two_proportion_ztest

    na, nb = m["sessions_a"].to_numpy(float), m["sessions_b"].to_numpy(float)
    if unit == "session":
        xa, xb = m["s_in_a"].to_numpy(float), m["s_in_b"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ra, rb = xa / na, xb / nb
        test = two_proportion_ztest(xb, nb, xa, na)
        z, p = np.atleast_1d(test.z).astype(float), np.atleast_1d(test.p_value).astype(float)
    else:
        sa, sb = m["sum_n_a"].to_numpy(float), m["sum_n_b"].to_numpy(float)
        qa, qb = m["sum_n2_a"].to_numpy(float), m["sum_n2_b"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ra, rb = sa / na, sb / nb
            va = (qa - na * ra**2) / (na - 1)
            vb = (qb - nb * rb**2) / (nb - 1)
            z = (rb - ra) / np.sqrt(va / na + vb / nb)
        z = np.where(np.isfinite(z), z, np.nan)
        p = np.where(np.isnan(z), np.nan, 2 * norm.sf(np.abs(z)))
    return pd.DataFrame({"rate_a": ra, "rate_b": rb, "z": z, "p": p}, index=m.index)


def adjust_pvalues(p: pd.Series, method: str | None) -> pd.Series:
    """Holm or Benjamini-Hochberg adjusted p values (NaN stays NaN: untested).

    Examples
    --------
    >>> adjust_pvalues(pd.Series([0.01, 0.04, None, 0.03]), "holm").round(3).tolist()
    [0.03, 0.06, nan, 0.06]
    >>> adjust_pvalues(pd.Series([0.01, 0.04, 0.03]), "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    out = pd.Series(np.nan, index=p.index, dtype=float)
    mask = p.notna()
    vals = p[mask].to_numpy(float)
    n = len(vals)
    if n == 0:
        return out
    if method is None:
        out[mask] = vals
        return out
    if method == "holm":
        from ..stats import holm

        out[mask] = holm(vals)
        return out
    from ..stats import benjamini_hochberg

    out[mask] = benjamini_hochberg(vals)
    return out
