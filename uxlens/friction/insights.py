"""Ranked insights: pages and elements whose friction rate stands out, with their sessions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .params import _ELEMENT_KINDS
from .text import _LABELS, _page


class FrictionInsights:
    """Findings ranked by significance and lift, linked to their sessions.

    Mixed into :class:`~uxlens.friction.Friction`, which provides ``signals()``,
    ``scores()``, ``frame_``, ``log_``, ``backend``, ``_engine()``,
    ``_session_ids()`` and the ``_cache`` dict.
    """

    def insights(
        self,
        top: int = 10,
        *,
        outcome: Any = None,
        by: str | None = "device",
        min_sessions: int = 5,
        alpha: float = 0.05,
        anomalies: int = 20,
    ) -> pd.DataFrame:
        """Ranked findings worth a look, each linked to its sessions.

        For every element-level signal (rage, dead, error click, hesitation,
        re-edit, abandoned form) on a page, and for every page-level signal
        on a page, the rate is the share of the page's sessions that show it
        (overall and in each segment of ``by``). The site baseline of a kind
        is its rate over all (session, page) visits. A finding reports the
        lift (rate / baseline) and a two-proportion z-test of the page's
        sessions against all other visits, with Benjamini-Hochberg q-values
        across all findings. Findings are kept when significant (q <
        ``alpha``), above baseline and seen in at least ``min_sessions``
        sessions, and ranked by q-value then lift. The last row reports the
        sessions IsolationForest finds most unusual.

        Parameters
        ----------
        top
            Number of findings (plus the anomaly row).
        outcome
            Optional Funnel / boolean per session (see :meth:`fit_outcome`):
            adds the share of affected sessions with the outcome.
        by
            Session-level segment column (``"device"``), or None.
        min_sessions, alpha
            Thresholds for a finding.
        anomalies
            Number of unusual sessions in the anomaly row (0 = none).

        Returns
        -------
        pandas.DataFrame
            ``text, kind, url, element, segment, sessions_affected,
            page_sessions, rate, baseline, lift, p_value, q_value,
            outcome_rate, sessions`` (a :class:`~uxlens.SessionList`).

        Examples
        --------
        >>> import uxlens as ux
        >>> found = ux.Friction(ux.demo()).insights(3, anomalies=0)
        >>> rage = found.loc[found["kind"] == "rage_click"].iloc[0]
        >>> rage["element"], int(rage["sessions_affected"]), int(rage["page_sessions"])
        ('#send-invites', 30, 127)
        >>> len(rage["sessions"]), bool(rage["q_value"] < 0.05)
        (30, True)
        """
        from ..eventlog import SessionList

        sig = self.signals()
        visits = self._page_sessions()
        n_visits = max(len(visits), 1)
        seg = self._segments(by)
        y = self._outcome(outcome)[0] if outcome is not None else None
        rows: list[dict[str, Any]] = []
        if len(sig) and len(visits):
            s = sig.assign(url=sig["url"].astype(object), where=sig["element"].astype(object))
            s = s.loc[s["url"].notna()]
            page_level = ~s["kind"].isin(_ELEMENT_KINDS) | s["where"].isna()
            s.loc[page_level, "where"] = ""
            pairs = s[["session_id", "url", "kind", "where"]].drop_duplicates()
            kind_pairs = pairs[["session_id", "url", "kind"]].drop_duplicates()
            base_x = kind_pairs.groupby("kind").size()
            segments = [("all", None)] + ([(v, set(ids)) for v, ids in seg.items()] if seg else [])
            page_sids = visits.groupby("url")["session_id"].agg(set)
            grouped = pairs.groupby(["kind", "url", "where"])["session_id"].agg(set)
            for (kind, url, where), ids in grouped.items():
                n_kind = int(base_x.get(kind, 0))
                p0 = n_kind / n_visits
                visitors = page_sids.get(url, set())
                for seg_name, seg_ids in segments:
                    affected = ids if seg_ids is None else ids & seg_ids
                    exposed = visitors if seg_ids is None else visitors & seg_ids
                    x, n = len(affected), len(exposed)
                    if x < min_sessions or n == 0:
                        continue
                    rows.append(dict(kind=kind, url=url, element=where or None, segment=seg_name,
                                     sessions_affected=x, page_sessions=n, rate=x / n,
                                     baseline=p0, lift=(x / n) / p0 if p0 else np.nan,
                                     _rest_x=n_kind - x, _rest_n=n_visits - n, _ids=affected))
        table = pd.DataFrame(rows)
        if not table.empty:
            table["p_value"] = _two_proportion_p(
                table["sessions_affected"].to_numpy(), table["page_sessions"].to_numpy(),
                table["_rest_x"].to_numpy(), table["_rest_n"].to_numpy())
            table = table.drop(columns=["_rest_x", "_rest_n"])
        cols = ["text", "kind", "url", "element", "segment", "sessions_affected",
                "page_sessions", "rate", "baseline", "lift", "p_value", "q_value",
                "outcome_rate", "sessions"]
        if not table.empty:
            from ..stats import benjamini_hochberg  # (scipy: loaded when needed)

            table["q_value"] = benjamini_hochberg(table["p_value"].to_numpy())
            table = table.loc[(table["q_value"] < alpha) & (table["lift"] > 1)]
            table = table.sort_values(["q_value", "lift", "sessions_affected"],
                                      ascending=[True, False, False], kind="stable")
            # one row per (kind, url, element): the strongest segment
            table = table.drop_duplicates(["kind", "url", "element"]).head(top)
        log = self.log_
        out_rows = []
        for r in table.to_dict("records") if not table.empty else []:
            ids = sorted(r.pop("_ids"))
            orate = float(y.reindex(ids).mean()) if y is not None and len(
                y.reindex(ids).dropna()) else np.nan
            r["outcome_rate"] = orate
            r["text"] = _insight_text(r)
            element = r["element"] if isinstance(r["element"], str) else None
            r["element"] = element
            r["sessions"] = SessionList(
                _summary_for(log, ids), log,
                label=f"{_LABELS[r['kind']][1]} on {element or _page(r['url'])}")
            out_rows.append(r)
        if anomalies:
            an = self.anomalies(anomalies)
            if len(an):
                ids = list(an["session_id"])
                feature = an["top_feature"].mode().iloc[0]
                out_rows.append(dict(
                    text=(f"{len(ids)} unusual sessions (IsolationForest on friction features); "
                          f"most stand out on {feature}"),
                    kind="anomaly", url=None, element=None, segment="all",
                    sessions_affected=len(ids), page_sessions=len(self._session_ids()),
                    rate=np.nan, baseline=np.nan, lift=np.nan, p_value=np.nan, q_value=np.nan,
                    outcome_rate=float(y.reindex(ids).mean()) if y is not None else np.nan,
                    sessions=SessionList(_summary_for(log, ids), log, label="unusual sessions"),
                ))
        return pd.DataFrame(out_rows, columns=cols)

    def _segments(self, by: str | None) -> dict[str, list[str]]:
        if by is None:
            return {}
        fr = self.frame_
        if by not in fr.columns:
            return {}
        first = fr[["session_id", by]].dropna().groupby(fr["session_id"].astype(str))[by].first()
        return {str(v): list(ids) for v, ids in first.groupby(first.astype(str)).groups.items()}


def _insight_text(r: Mapping[str, Any]) -> str:
    label = _LABELS[r["kind"]][1]
    element = r.get("element")
    where = f" on {element}" if isinstance(element, str) and element else ""
    seg = "" if r["segment"] == "all" else f"{r['segment']} "
    text = (f"{label}{where} in {r['rate']:.0%} of {seg}sessions on {_page(r['url'])}, "
            f"{r['lift']:.1f}x the site baseline ({r['baseline']:.1%})")
    if r.get("outcome_rate") is not None and not np.isnan(r["outcome_rate"]):
        text += f"; {r['outcome_rate']:.0%} of those sessions did not convert"
    return text


def _summary_for(log: Any, ids: list[str]) -> pd.DataFrame:
    try:
        table = log._summary
        return table.loc[table["session_id"].astype(str).isin(set(ids))].reset_index(drop=True)
    except Exception:
        return pd.DataFrame({"session_id": ids})


def _two_proportion_p(x1: Any, n1: Any, x2: Any, n2: Any) -> np.ndarray:
    """Two-sided pooled two-proportion z-test p-values (1.0 where undefined)."""
    from ..stats import two_proportion_ztest

    p = np.atleast_1d(np.asarray(two_proportion_ztest(x1, n1, x2, n2).p_value, dtype="float64"))
    return np.where(np.isnan(p), 1.0, p)
