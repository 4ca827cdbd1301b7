"""The :class:`Friction` object: every detector run once, its signals scored per session.

Page and element aggregates, outcome models and insights come from the mixins
in :mod:`~uxlens.friction.aggregates`, :mod:`~uxlens.friction.models` and
:mod:`~uxlens.friction.insights`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import UxlensError, did_you_mean
from ..export import Exportable
from .aggregates import FrictionAggregates
from .clicks import _flag_clicks
from .insights import FrictionInsights
from .models import FrictionModels
from .params import DEFAULT_WEIGHTS, SIGNAL_KINDS, resolve_params
from .runner import _Engine, _firsts, _frame
from .signals import (
    _SIGNAL_COLUMNS,
    _click_signals,
    _edit_signals,
    _empty_signals,
    _form_signals,
    _hesitation_signals,
    _quick_back_signals,
    _scroll_signals,
    _thrash_signals,
)
from .text import _LABELS, _phrases, _where_codes

__all__ = ["Friction"]

_POINT_QUANTUM = 1024.0


def _points(weight: float, intensity: np.ndarray) -> np.ndarray:
    return np.round(weight * np.asarray(intensity, dtype="float64") * _POINT_QUANTUM) / (
        _POINT_QUANTUM
    )


def _severity(points: pd.Series) -> pd.Series:
    return pd.Series(
        np.select([points >= 3.0, points >= 1.5], ["high", "medium"], "low"), index=points.index
    )


class Friction(FrictionInsights, FrictionModels, FrictionAggregates, Exportable):
    """Friction signals, session scores, page/element rates and insights.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog` or a canonical events DataFrame.
    preset
        Vendor thresholds for the click detectors: ``"posthog"``,
        ``"datadog"``, ``"amplitude"``, ``"openreplay"`` or ``None`` (see
        :func:`rage_clicks`, :func:`dead_clicks`, :func:`error_clicks`).
    weights
        Points per signal kind, merged over :data:`DEFAULT_WEIGHTS`:

        ==================  ======
        kind                points
        ==================  ======
        rage_click          3.0 x clicks / min_clicks (a 3-click burst = 3.0)
        error_click         2.5
        form_abandonment    2.0
        dead_click          1.5
        quick_back          1.5
        thrashed_cursor     1.0
        repeated_edit       0.75
        scroll_uturn        0.5
        excessive_scroll    0.5
        hesitation          0.25
        ==================  ======

        Points are rounded to 1/1024 so that a session's contributions add
        up to its score exactly.
    backend
        ``None``: the detectors run in memory (numpy over the sorted table);
        an Ibis backend: they run there as Ibis expressions (see
        :func:`flag_clicks`).
    **thresholds
        Detector thresholds named ``<detector>_<parameter>`` (see
        :func:`resolve_params`), e.g. ``rage_min_clicks=4``,
        ``quick_back_max_ms=5000``.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-05-01", tz="UTC")
    >>> ms = pd.Timedelta(milliseconds=1)
    >>> ev = pd.DataFrame({"session_id": ["a"] * 5 + ["b"], "user_id": "u",
    ...     "event": ["pageview", "click", "click", "click", "click", "pageview"],
    ...     "timestamp": [t0, t0 + 100 * ms, t0 + 300 * ms, t0 + 500 * ms, t0 + 700 * ms, t0],
    ...     "x": 50.0, "y": 50.0, "target": [None] + ["button#send-invites"] * 4 + [None],
    ...     "url": "https://app.test/onboarding/invite"})
    >>> f = Friction(ev)
    >>> f.scores()[["session_id", "score", "rage_click", "reason"]]
      session_id  score  rage_click                              reason
    0          a    4.0           1  4 rage clicks on #send-invites, then left
    1          b    0.0           0                   no friction signals
    >>> f.explain("a")[["kind", "element", "points"]]
             kind         element  points
    0  rage_click  #send-invites     4.0
    """

    def __init__(
        self,
        events: Any,
        *,
        preset: str | None = None,
        weights: Mapping[str, float] | None = None,
        backend: Any = None,
        **thresholds: Any,
    ) -> None:
        self.events = events
        self.preset = preset
        self.weights = weights
        self.backend = backend
        self.thresholds = thresholds
        self._params = resolve_params(preset, **thresholds)
        unknown = [k for k in (weights or {}) if k not in DEFAULT_WEIGHTS]
        if unknown:
            raise UxlensError(
                f"Unknown signal kind {unknown[0]!r} in weights."
                f"{did_you_mean(unknown[0], DEFAULT_WEIGHTS)} Kinds: {list(DEFAULT_WEIGHTS)}."
            )
        self._weights = {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in (weights or {}).items()}}
        self._cache: dict[str, Any] = {}

    # ------------------------------------------------------------------ plumbing
    @property
    def params(self) -> dict[str, Any]:
        """The thresholds in use, per detector.

        Examples
        --------
        >>> import uxlens as ux
        >>> p = ux.Friction(ux.demo(), rage_min_clicks=4).params
        >>> p["rage"].min_clicks, p["rage"].max_interval_ms
        (4, 1000)
        >>> sorted(p)
        ['dead', 'edits', 'error', 'form', 'hesitation', 'quick_back', 'rage', 'scroll', 'thrash']
        """
        return dict(self._params)

    @property
    def frame_(self) -> pd.DataFrame:
        """The events as a canonical DataFrame (validated first when given a raw table).

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> ux.Friction(log).frame_ is log.events
        True
        """
        if "frame" not in self._cache:
            self._cache["frame"] = _frame(self.events)
        return self._cache["frame"]

    @property
    def log_(self) -> Any:
        """The EventLog behind the events (built for DataFrame input).

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> ux.Friction(log).log_ is log
        True
        >>> ux.Friction(log.events).log_.counts["loaded"] == len(log.events)
        True
        """
        if "log" not in self._cache:
            from ..eventlog import EventLog

            ev = self.events
            self._cache["log"] = ev if isinstance(ev, EventLog) else EventLog(self.frame_)
        return self._cache["log"]

    def _engine(self) -> _Engine:
        if "engine" not in self._cache:
            from ..eventlog import EventLog

            frame, ev = self.frame_, self.events
            shared = isinstance(ev, EventLog) and not ev.is_lazy and ev.events is frame
            self._cache["engine"] = _Engine(  # a log's session codes serve every analysis
                frame, self.backend, session_codes=ev._session_codes() if shared else None)
        return self._cache["engine"]

    def _table(self) -> Any:
        return self._engine().table

    def flags(self) -> pd.DataFrame:
        """Every click-like event with rage/dead/error flags (see :func:`flag_clicks`).

        Examples
        --------
        >>> import uxlens as ux
        >>> fl = ux.Friction(ux.demo()).flags()
        >>> int(fl["rage"].sum()), int(fl["dead"].sum()), int(fl["error"].sum())
        (177, 246, 31)
        """
        if "flags" not in self._cache:
            self._cache["flags"] = _flag_clicks(self.frame_, self._params,
                                                engine=self._engine())
        return self._cache["flags"]

    # ------------------------------------------------------------------ signals
    def signals(self) -> pd.DataFrame:
        """One row per detected signal.

        Returns
        -------
        pandas.DataFrame
            ``session_id, timestamp, seq, url, element, target, kind, count,
            evidence, points, severity``, sorted by session and time.
            ``element`` is a short name of ``target`` (``#id`` or the last
            selector component); page-level kinds (thrashed cursor, scrolls,
            quick back) have no element. ``count`` is the clicks of a rage
            burst, the reversals of a thrash, the visits of a re-edited
            field, else 1. ``points`` is the signal's share of the session
            score; ``severity`` is ``low`` (< 1.5 points), ``medium`` (< 3) or
            ``high``. A dead press inside a rage burst is not listed again as
            a dead click: the burst's evidence says how many of its presses
            went unanswered (:meth:`flags` still marks each press dead).

        Examples
        --------
        The demo plants 40 rage bursts on the invite page's send button and 31 error
        clicks; the detectors find exactly those:

        >>> import uxlens as ux
        >>> sig = ux.Friction(ux.demo()).signals()
        >>> counts = sig["kind"].value_counts()
        >>> int(counts["rage_click"]), int(counts["error_click"])
        (40, 31)
        >>> sig.loc[sig["kind"] == "rage_click", "element"].unique().tolist()
        ['#send-invites']
        """
        if "signals" in self._cache:
            return self._cache["signals"]
        frame, p, engine = self.frame_, self._params, self._engine()
        flags = self.flags()
        parts = [
            _click_signals(engine.fr, flags, p),
            _thrash_signals(engine, p["thrash"]),
            _scroll_signals(engine, p["scroll"]),
            _quick_back_signals(engine, p["quick_back"]),
            _form_signals(engine, flags, p["form"]),
            _hesitation_signals(engine, p["hesitation"]),
            _edit_signals(frame, p["edits"]),
        ]
        parts = [x[_SIGNAL_COLUMNS] for x in parts if len(x)]
        sig = pd.concat(parts, ignore_index=True) if parts else _empty_signals()
        intensity = np.ones(len(sig))
        rage = (sig["kind"] == "rage_click").to_numpy()
        intensity[rage] = sig.loc[rage, "count"].to_numpy() / float(p["rage"].min_clicks)
        weight = sig["kind"].map(self._weights).astype("float64").to_numpy()
        sig["points"] = _points(1.0, weight * intensity) if len(sig) else np.zeros(0)
        sig["severity"] = _severity(sig["points"])
        kcode = sig["kind"].map({k: i for i, k in enumerate(SIGNAL_KINDS)}).to_numpy()
        scode = self._session_index().get_indexer(sig["session_id"])
        tcode = pd.DatetimeIndex(sig["timestamp"]).asi8
        order = np.lexsort((kcode, sig["seq"].to_numpy(), tcode, scode))
        sig = sig.take(order).reset_index(drop=True)
        sig.attrs["dead_mode"] = flags.attrs.get("dead_mode")
        self._cache["signals"] = sig
        self._cache["signal_codes"] = (scode[order], kcode[order])
        return sig

    def _session_index(self) -> pd.Index:
        """Session ids in engine order (sorted); position = the session's code."""
        if "sids" not in self._cache:
            fr = self._engine().fr
            names = pd.Series(fr.strings("session_id", _firsts(fr))).astype(str)
            self._cache["sids"] = pd.Index(names.to_numpy(dtype=object), name="session_id")
        return self._cache["sids"]

    def _session_ids(self) -> pd.Index:
        return self._session_index()

    def _exit_seq(self) -> np.ndarray:
        """Seq of each session's last pageview (-1 without one), by session code."""
        if "exit_seq" not in self._cache:
            fr = self._engine().fr
            out = np.full(len(self._session_index()), -1, dtype="int64")
            pv = np.flatnonzero(fr.mask("pageview"))
            np.maximum.at(out, fr.sid[pv], fr.seq[pv])
            self._cache["exit_seq"] = out
        return self._cache["exit_seq"]

    # ------------------------------------------------------------------ scores
    def scores(self) -> pd.DataFrame:
        """One row per session: score, per-kind counts and a readable reason.

        The score is the sum of the session's signal ``points`` (see
        ``weights``); :meth:`explain` lists the contributions.

        Returns
        -------
        pandas.DataFrame
            ``session_id, score, signals, <one count column per kind>,
            reason``, sorted by score (descending) then session id. Sessions
            without signals score 0 with reason ``"no friction signals"``.
            The reason names the two largest contributions (grouped by kind
            and element or page) and adds ", then left" when the largest one
            happened on the session's last page.

        Examples
        --------
        >>> import uxlens as ux
        >>> sc = ux.Friction(ux.demo()).scores()
        >>> len(sc), sc["score"].is_monotonic_decreasing
        (300, True)
        >>> sc.iloc[0]["reason"]
        '11 rage clicks on #send-invites; abandoned a form at #invite-emails'
        """
        if "scores" in self._cache:
            return self._cache["scores"]
        sig = self.signals()
        sids = self._session_index()
        scode, kcode = self._cache["signal_codes"]
        n, nk = len(sids), len(SIGNAL_KINDS)
        counts = np.bincount(scode * nk + kcode, minlength=n * nk).reshape(n, nk)
        out = pd.DataFrame(index=sids)
        # points are dyadic: this sum is exact, whatever the order
        out["score"] = np.bincount(scode, weights=sig["points"].to_numpy(), minlength=n)
        out["signals"] = counts.sum(axis=1).astype("int64")
        for i, k in enumerate(SIGNAL_KINDS):
            out[k] = counts[:, i].astype("int64")
        reason = np.full(n, "no friction signals", dtype=object)
        if len(sig):
            codes, text = self._reasons(sig, scode)
            reason[codes] = text
        out["reason"] = reason
        order = np.lexsort((np.arange(n), -out["score"].to_numpy()))
        out = out.reset_index().take(order).reset_index(drop=True)
        self._cache["scores"] = out
        return out

    def _reasons(self, sig: pd.DataFrame, scode: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Session codes and their reason text, from the two largest contributions."""
        wcode, wnames = _where_codes(sig)
        kcode = self._cache["signal_codes"][1]
        nw, nk = np.int64(len(wnames)), np.int64(len(SIGNAL_KINDS))
        key = (scode.astype("int64") * nk + kcode) * nw + wcode
        groups, inv = np.unique(key, return_inverse=True)
        points = np.bincount(inv, weights=sig["points"].to_numpy())
        rage = (sig["kind"] == "rage_click").to_numpy()
        n = np.bincount(inv, weights=np.where(rage, sig["count"].to_numpy(), 1)).astype("int64")
        last = np.full(len(groups), -1, dtype="int64")
        np.maximum.at(last, inv, sig["seq"].to_numpy())
        g_s, g_k, g_w = groups // (nk * nw), (groups // nw) % nk, groups % nw
        order = np.lexsort((last, -points, g_s))
        g_s, g_k, g_w, n, last = g_s[order], g_k[order], g_w[order], n[order], last[order]
        first = np.r_[True, g_s[1:] != g_s[:-1]]
        second = np.r_[False, first[:-1]] & ~first
        top = first | second  # only the two largest contributions are ever phrased
        phrase = np.full(len(g_s), None, dtype=object)
        phrase[top] = _phrases(g_k[top], n[top], np.asarray(wnames, dtype=object)[g_w[top]])
        text = phrase[first].astype(object)
        sess = g_s[first]
        idx2 = np.searchsorted(sess, g_s[second])
        extra = np.full(len(sess), "", dtype=object)
        extra[idx2] = "; " + phrase[second]
        text = text + extra
        top_kind = np.asarray(SIGNAL_KINDS, dtype=object)[g_k[first]]
        left = (last[first] > self._exit_seq()[sess]) & (top_kind != "form_abandonment")
        text = np.where(left, text + ", then left", text)
        return sess, text

    def explain(self, session_id: str) -> pd.DataFrame:
        """Each contribution to one session's score; ``points`` sums to the score exactly.

        Returns
        -------
        pandas.DataFrame
            ``kind, timestamp, url, element, evidence, weight, intensity,
            points`` (``points = weight x intensity``, rounded to 1/1024;
            intensity is ``clicks / min_clicks`` for rage bursts, else 1).

        Examples
        --------
        >>> import uxlens as ux
        >>> f = ux.Friction(ux.demo())
        >>> worst = f.scores().iloc[0]
        >>> contributions = f.explain(worst["session_id"])
        >>> float(contributions["points"].sum()), float(worst["score"])
        (17.0, 17.0)
        >>> contributions.loc[contributions["kind"] == "rage_click", "points"].tolist()
        [6.0, 5.0]
        """
        sid = str(session_id)
        if sid not in self._session_index():
            raise UxlensError(
                f"No session {session_id!r} in these events."
                f"{did_you_mean(sid, list(self._session_ids()[:5000]))}"
            )
        sig = self.signals()
        rows = sig.loc[sig["session_id"] == sid].reset_index(drop=True)
        weight = rows["kind"].map(self._weights).astype("float64")
        intensity = np.where(rows["kind"] == "rage_click",
                             rows["count"] / float(self._params["rage"].min_clicks), 1.0)
        return pd.DataFrame({
            "kind": rows["kind"], "timestamp": rows["timestamp"], "url": rows["url"],
            "element": rows["element"], "evidence": rows["evidence"], "weight": weight,
            "intensity": intensity.astype("float64"), "points": rows["points"],
        })

    # ------------------------------------------------------------------ figures
    def plot(self, kind: str = "time", **kwargs: Any) -> Any:
        """A figure: ``"time"`` (signals over time), ``"pages"`` or ``"elements"``.

        Examples
        --------
        >>> import uxlens as ux
        >>> fig = ux.Friction(ux.demo()).plot("elements")
        >>> type(fig).__name__
        'Figure'
        """
        from ..plotting import friction as fp

        if kind == "time":
            return fp.friction_over_time(self.signals(), **kwargs)
        if kind == "pages":
            return fp.friction_by_page(self.by_page(), **kwargs)
        if kind == "elements":
            return fp.top_elements(self.by_element(), **kwargs)
        raise UxlensError(f"plot kind must be 'time', 'pages' or 'elements', got {kind!r}.")

    def __repr__(self) -> str:
        preset = self.preset or "uxlens"
        return f"<Friction preset={preset!r} thresholds={self.thresholds!r}>"

    def _repr_html_(self) -> str:
        import html

        sig = self.signals()
        sc = self.scores()
        counts = sig["kind"].value_counts()
        items = "".join(
            f"<tr><td>{html.escape(_LABELS[k][1])}</td><td style='text-align:right'>"
            f"{int(counts.get(k, 0)):,}</td><td style='text-align:right'>"
            f"{self._weights[k]:g}</td></tr>" for k in SIGNAL_KINDS)
        worst = sc.loc[sc["score"] > 0].head(5)
        top = "".join(
            f"<tr><td>{html.escape(str(r.session_id))}</td><td style='text-align:right'>"
            f"{r.score:.2f}</td><td>{html.escape(str(r.reason))}</td></tr>"
            for r in worst.itertuples())
        n_with = int((sc["score"] > 0).sum())
        return (
            "<div style='font-family:system-ui,sans-serif;font-size:13px'>"
            f"<b>Friction</b> · preset {html.escape(str(self.preset or 'uxlens'))} · "
            f"{len(sig):,} signals in {n_with:,} of {len(sc):,} sessions · dead clicks by "
            f"{html.escape(str(sig.attrs.get('dead_mode')))}"
            "<div style='display:flex;gap:24px;margin-top:6px'>"
            "<table><tr><th>signal</th><th>count</th><th>weight</th></tr>" + items + "</table>"
            "<table><tr><th>session</th><th>score</th><th>reason</th></tr>" + top + "</table>"
            "</div></div>"
        )
