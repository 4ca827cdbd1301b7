"""Friction per page and per element (part of :class:`~uxlens.friction.Friction`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .params import _ELEMENT_KINDS, SIGNAL_KINDS
from .runner import _firsts, _run


class FrictionAggregates:
    """Per-page and per-element rates of the signals.

    Mixed into :class:`~uxlens.friction.Friction`, which provides ``signals()``,
    ``scores()``, ``frame_``, ``log_``, ``backend``, ``_engine()``,
    ``_session_ids()`` and the ``_cache`` dict.
    """

    def _page_sessions(self) -> pd.DataFrame:
        """Distinct (session_id, url) visits, from the engine."""
        if "visits" not in self._cache:
            if "url" not in self.frame_.columns:
                self._cache["visits"] = pd.DataFrame({"session_id": [], "url": []})
            elif self._engine().in_memory:
                fr = self._engine().fr
                codes, cats = fr.codes("url")
                rows = np.flatnonzero(codes >= 0)
                key = np.unique(fr.sid[rows] * np.int64(len(cats) + 1) + codes[rows])
                sid_code, url_code = key // (len(cats) + 1), key % (len(cats) + 1)
                names = fr.strings("session_id", _firsts(fr)).astype(str)
                self._cache["visits"] = pd.DataFrame({
                    "session_id": names[sid_code],
                    "url": np.asarray(cats, dtype=object)[url_code]})
            else:
                t = self._table()
                q = t.filter(t.url.notnull()).select("session_id", url=t.url.cast("string"))
                self._cache["visits"] = _run(q.distinct(), self.backend)
        return self._cache["visits"]

    def by_element(self) -> pd.DataFrame:
        """Friction per (page, element, kind) for the element-level kinds.

        Returns
        -------
        pandas.DataFrame
            ``url, element, kind, signals, sessions, page_sessions,
            per_1000_sessions`` (sessions with the signal per 1,000 sessions
            overall), ``per_1000_page_sessions`` (per 1,000 sessions that
            visited the page), ``points``; sorted by points.

        Examples
        --------
        >>> import uxlens as ux
        >>> top = ux.Friction(ux.demo()).by_element().iloc[0]
        >>> top["element"], top["kind"], int(top["sessions"]), int(top["page_sessions"])
        ('#send-invites', 'rage_click', 30, 127)
        """
        sig = self.signals()
        sig = sig.loc[sig["kind"].isin(_ELEMENT_KINDS) & sig["element"].notna()]
        cols = ["url", "element", "kind", "signals", "sessions", "page_sessions",
                "per_1000_sessions", "per_1000_page_sessions", "points"]
        if sig.empty:
            return pd.DataFrame(columns=cols)
        url = sig["url"].astype(object).fillna("(no url)")
        g = sig.assign(url=url).groupby(["url", "element", "kind"], sort=False)
        out = pd.DataFrame({"signals": g.size(), "sessions": g["session_id"].nunique(),
                            "points": g["points"].sum()}).reset_index()
        visits = self._page_sessions()
        per_page = visits.groupby("url")["session_id"].nunique()
        n = max(len(self._session_ids()), 1)
        out["page_sessions"] = out["url"].map(per_page).fillna(0).astype("int64")
        out["per_1000_sessions"] = out["sessions"] / n * 1000.0
        out["per_1000_page_sessions"] = out["sessions"] / out["page_sessions"].where(
            out["page_sessions"] > 0) * 1000.0
        out = out.sort_values(["points", "sessions"], ascending=False, kind="stable")
        return out[cols].reset_index(drop=True)

    def by_page(self) -> pd.DataFrame:
        """Friction per page.

        Returns
        -------
        pandas.DataFrame
            ``url, page_sessions, sessions_with_friction, per_1000_sessions``
            (sessions with any signal on the page per 1,000 sessions that
            visited it), ``points``, ``points_per_session`` and one signal
            count column per kind; sorted by points.

        Examples
        --------
        >>> import uxlens as ux
        >>> pages = ux.Friction(ux.demo()).by_page()
        >>> pages.iloc[0]["url"]
        'https://app.acme-projects.example/onboarding/invite'
        >>> int(pages.iloc[0]["rage_click"]), int(pages["rage_click"].sum())
        (40, 40)
        """
        sig = self.signals()
        visits = self._page_sessions()
        per_page = visits.groupby("url")["session_id"].nunique()
        sig = sig.assign(url=sig["url"].astype(object).fillna("(no url)"))
        g = sig.groupby("url", sort=False)
        out = pd.DataFrame({"sessions_with_friction": g["session_id"].nunique(),
                            "points": g["points"].sum()})
        out = out.reindex(per_page.index.union(out.index)).fillna(0)
        out["page_sessions"] = per_page.reindex(out.index).fillna(0).astype("int64")
        counts = sig.groupby(["url", "kind"]).size().unstack(fill_value=0) if len(sig) else (
            pd.DataFrame(index=out.index))
        counts = counts.reindex(index=out.index, columns=list(SIGNAL_KINDS), fill_value=0)
        out["sessions_with_friction"] = out["sessions_with_friction"].astype("int64")
        denom = out["page_sessions"].where(out["page_sessions"] > 0)
        out["per_1000_sessions"] = out["sessions_with_friction"] / denom * 1000.0
        out["points_per_session"] = out["points"] / denom
        out = pd.concat([out, counts.astype("int64")], axis=1)
        out.index.name = "url"
        out = out.reset_index().sort_values(["points", "page_sessions"], ascending=False,
                                            kind="stable").reset_index(drop=True)
        cols = ["url", "page_sessions", "sessions_with_friction", "per_1000_sessions",
                "points", "points_per_session", *SIGNAL_KINDS]
        return out[cols]
