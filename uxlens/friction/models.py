"""Per-session friction features and the models over them: outcome and anomalies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..engine.friction import CLICK_EVENTS
from ..exceptions import UxlensError, did_you_mean
from .params import SIGNAL_KINDS
from .runner import _firsts, _run

__all__ = ["OutcomeModel"]


class FrictionModels:
    """Feature vectors, outcome models and anomalies over the sessions.

    Mixed into :class:`~uxlens.friction.Friction`, which provides ``signals()``,
    ``scores()``, ``frame_``, ``log_``, ``backend``, ``_engine()``,
    ``_session_ids()`` and the ``_cache`` dict.
    """

    def features(self) -> pd.DataFrame:
        """Per-session feature vectors: signal counts per kind, points, events, clicks, duration.

        Examples
        --------
        >>> import uxlens as ux
        >>> feats = ux.Friction(ux.demo()).features()
        >>> feats.shape
        (300, 14)
        >>> int(feats["rage_click"].sum()), feats.index.name
        (40, 'session_id')
        """
        if "features" in self._cache:
            return self._cache["features"]
        sc = self.scores().set_index("session_id")
        engine = self._engine()
        if engine.in_memory:
            fr = engine.fr
            starts = _firsts(fr)
            ends = np.r_[starts[1:], fr.n] - 1
            clicks = np.add.reduceat(fr.mask(*CLICK_EVENTS).astype("int64"), starts) if fr.n \
                else np.zeros(0, dtype="int64")
            per = pd.DataFrame({
                "events": (ends - starts + 1).astype("int64"), "clicks": clicks,
                "duration_s": (fr.t[ends] - fr.t[starts]) / 1000.0,
            }, index=pd.Index(fr.strings("session_id", starts).astype(str), name="session_id"))
        else:
            t = engine.table
            per = _run(t.group_by("session_id").aggregate(
                events=t.count(),
                clicks=(t.event.isin(list(CLICK_EVENTS))).sum(),
                duration_s=(t.t_ms.max() - t.t_ms.min()) / 1000.0,
            ), self.backend).set_index("session_id")
            per.index = per.index.astype(str)
        out = sc[list(SIGNAL_KINDS) + ["score"]].join(per, how="left").fillna(0)
        out = out.loc[self._session_ids()]
        self._cache["features"] = out
        return out

    def fit_outcome(
        self,
        outcome: Any,
        *,
        model: str = "logistic",
        test_size: float = 0.3,
        seed: int = 0,
    ) -> OutcomeModel:
        """Learn which signals predict a bad outcome (e.g. not converting).

        Parameters
        ----------
        outcome
            What to predict, one boolean per session (True = the outcome
            happened): a ``Funnel`` (True = the session entered the funnel
            and did not complete it; sessions that never entered are
            left out), a boolean ``Series`` or ``dict`` keyed by session id,
            or the name of a boolean session-level column of the events.
        model
            ``"logistic"`` (standardised logistic regression: coefficients
            are log-odds per standard deviation of each feature) or
            ``"boosting"`` (gradient boosting, explained by permutation
            importance on the held-out split). Both report the coefficients
            of the logistic model.
        test_size, seed
            Held-out share (stratified) and random seed.

        Returns
        -------
        OutcomeModel
            ``coefficients`` (feature, coef, odds_ratio_per_sd, mean_if_true,
            mean_if_false), ``auc`` on the held-out split, ``importance``
            (boosting), ``predict(features)``.

        Examples
        --------
        Which friction predicts not finishing onboarding? Abandoning the invite form:

        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> funnel = ux.Funnel(log, ["signup_started", "signup_done", "profile_done",
        ...                          "invite_sent", "onboarding_done"])
        >>> model = ux.Friction(log).fit_outcome(funnel)
        >>> model.coefficients.iloc[0]["feature"], model.auc > 0.8
        ('form_abandonment', True)
        >>> model.n_train + model.n_test
        182
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if model not in ("logistic", "boosting"):
            raise UxlensError(f"model must be 'logistic' or 'boosting', got {model!r}.")
        y, target = self._outcome(outcome)
        feats = self.features()
        cols = [c for c in list(SIGNAL_KINDS) + ["events", "clicks", "duration_s"]
                if c in feats.columns and feats[c].std() > 0]
        X = feats.loc[y.index, cols].astype("float64")
        yv = y.astype(int).to_numpy()
        if len(np.unique(yv)) < 2 or min(np.bincount(yv)) < 4:
            raise UxlensError(
                f"fit_outcome needs both outcomes with at least 4 sessions each; got "
                f"{int(yv.sum())} with {target!r} and {int(len(yv) - yv.sum())} without."
            )
        X_tr, X_te, y_tr, y_te = train_test_split(X, yv, test_size=test_size, random_state=seed,
                                                  stratify=yv)
        logit = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        logit.fit(X_tr, y_tr)
        coef = logit[-1].coef_[0]
        coefs = pd.DataFrame({
            "feature": cols, "coef": coef, "odds_ratio_per_sd": np.exp(coef),
            "mean_if_true": X.loc[yv == 1].mean().to_numpy(),
            "mean_if_false": X.loc[yv == 0].mean().to_numpy(),
        }).sort_values("coef", key=np.abs, ascending=False).reset_index(drop=True)
        fitted: Any = logit
        importance = None
        if model == "boosting":
            from sklearn.ensemble import GradientBoostingClassifier
            from sklearn.inspection import permutation_importance

            fitted = GradientBoostingClassifier(random_state=seed).fit(X_tr, y_tr)
            imp = permutation_importance(fitted, X_te, y_te, scoring="roc_auc", n_repeats=10,
                                         random_state=seed)
            importance = pd.DataFrame({"feature": cols, "importance": imp.importances_mean,
                                       "std": imp.importances_std}).sort_values(
                "importance", ascending=False).reset_index(drop=True)
        auc = float(roc_auc_score(y_te, fitted.predict_proba(X_te)[:, 1])) if len(
            np.unique(y_te)) == 2 else float("nan")
        return OutcomeModel(target=target, kind=model, features=cols, coefficients=coefs,
                            auc=auc, n_train=len(y_tr), n_test=len(y_te), model=fitted,
                            importance=importance, positive_rate=float(yv.mean()))

    def _outcome(self, outcome: Any) -> tuple[pd.Series, str]:
        sids = self._session_ids()
        if isinstance(outcome, str):
            fr = self.frame_
            if outcome not in fr.columns:
                raise UxlensError(
                    f"No column {outcome!r} in the events to use as outcome."
                    f"{did_you_mean(outcome, fr.columns)}"
                )
            s = fr[["session_id", outcome]].dropna().groupby(
                fr["session_id"].astype(str))[outcome].max()
            return s.astype(bool).reindex(sids).dropna().astype(bool), outcome
        if isinstance(outcome, Mapping):
            outcome = pd.Series(outcome)
        if isinstance(outcome, pd.Series):
            s = outcome.copy()
            s.index = s.index.astype(str)
            s = s.reindex(sids).dropna()
            return s.astype(bool), str(outcome.name or "outcome")
        if hasattr(outcome, "steps") and (hasattr(outcome, "dropped") or hasattr(
                outcome, "table")):
            return _funnel_outcome(outcome, self.frame_, sids), "did not convert"
        raise UxlensError(
            "outcome must be a Funnel, a boolean Series/dict keyed by session id, or the "
            f"name of a boolean column; got {type(outcome).__name__}."
        )

    def anomalies(self, n: int = 20, *, seed: int = 0) -> pd.DataFrame:
        """The ``n`` most unusual sessions by IsolationForest on :meth:`features`.

        Returns
        -------
        pandas.DataFrame
            ``session_id, anomaly`` (higher = more unusual), ``top_feature``
            (the feature furthest above its median, in robust z units), then
            the features.

        Examples
        --------
        >>> import uxlens as ux
        >>> odd = ux.Friction(ux.demo()).anomalies(5)
        >>> len(odd), odd["anomaly"].is_monotonic_decreasing
        (5, True)
        >>> list(odd.columns[:3])
        ['session_id', 'anomaly', 'top_feature']
        """
        from sklearn.ensemble import IsolationForest

        feats = self.features()
        if len(feats) < 8:
            return pd.DataFrame(columns=["session_id", "anomaly", "top_feature"])
        X = np.log1p(feats.clip(lower=0).to_numpy(dtype="float64"))
        forest = IsolationForest(n_estimators=200, random_state=seed).fit(X)
        score = -forest.score_samples(X)
        med = np.median(X, axis=0)
        mad = np.median(np.abs(X - med), axis=0)
        scale = np.where(mad > 0, mad * 1.4826, np.maximum(X.std(axis=0), 1e-9))
        z = (X - med) / scale
        top = np.asarray(feats.columns)[np.argmax(z, axis=1)]
        out = feats.assign(anomaly=score, top_feature=top).reset_index()
        out = out.sort_values("anomaly", ascending=False, kind="stable").head(n)
        front = ["session_id", "anomaly", "top_feature"]
        return out[front + [c for c in out.columns if c not in front]].reset_index(drop=True)


def _funnel_outcome(funnel: Any, frame: pd.DataFrame, sids: pd.Index) -> pd.Series:
    """True for sessions whose unit entered the funnel and did not complete it.

    With ``unit="user"`` every session of a user gets the user's outcome;
    sessions of units outside the funnel are left out.
    """
    try:
        units = funnel.units()
        n_steps = int(getattr(funnel, "n_steps", len(funnel.steps)))
    except Exception as exc:
        raise UxlensError(
            f"Could not read the units of this Funnel ({exc}). Expected a uxlens Funnel with "
            "units() -> unit_id, reached; or pass a boolean Series keyed by session id."
        ) from exc
    units = units.assign(unit_id=units["unit_id"].astype(str))
    bad = (units.groupby("unit_id")["reached"].max() < n_steps)
    if getattr(funnel, "unit", "user") == "session":
        per_session = bad
    else:
        link = frame[["session_id", "user_id"]].drop_duplicates()
        link = link.assign(session_id=link["session_id"].astype(str),
                           user_id=link["user_id"].astype(str))
        link = link.loc[link["user_id"].isin(bad.index)]
        per_session = pd.Series(link["user_id"].map(bad).to_numpy(),
                                index=link["session_id"].to_numpy())
        per_session = per_session.groupby(level=0).max()
    per_session.index.name = "session_id"
    return per_session.reindex(sids).dropna().astype(bool)


@dataclass
class OutcomeModel:
    """A model of an outcome from friction features (see :meth:`Friction.fit_outcome`).

    Examples
    --------
    >>> import uxlens as ux
    >>> log = ux.demo()
    >>> funnel = ux.Funnel(log, ["signup_started", "signup_done", "profile_done",
    ...                          "invite_sent", "onboarding_done"])
    >>> m = ux.Friction(log).fit_outcome(funnel)
    >>> m.target, m.kind, m.n_train, m.n_test
    ('did not convert', 'logistic', 127, 55)
    """

    target: str
    kind: str
    features: list[str]
    coefficients: pd.DataFrame
    auc: float
    n_train: int
    n_test: int
    model: Any
    importance: pd.DataFrame | None = None
    positive_rate: float = float("nan")

    def predict(self, features: pd.DataFrame) -> pd.Series:
        """Probability of the outcome for each row of :meth:`Friction.features`.

        Examples
        --------
        >>> import uxlens as ux
        >>> log = ux.demo()
        >>> funnel = ux.Funnel(log, ["signup_started", "signup_done", "profile_done",
        ...                          "invite_sent", "onboarding_done"])
        >>> f = ux.Friction(log)
        >>> p = f.fit_outcome(funnel).predict(f.features())
        >>> len(p), bool(p.between(0, 1).all())
        (300, True)
        """
        proba = self.model.predict_proba(features[self.features].astype("float64"))[:, 1]
        return pd.Series(proba, index=features.index, name=f"p({self.target})")

    def __repr__(self) -> str:
        return (f"<OutcomeModel {self.kind}: predicts {self.target!r}, held-out AUC "
                f"{self.auc:.3f} (train {self.n_train}, test {self.n_test})>")

    def _repr_html_(self) -> str:
        import html

        head = (f"<b>OutcomeModel</b> · {html.escape(self.kind)} · predicts "
                f"<i>{html.escape(self.target)}</i> ({self.positive_rate:.0%} of sessions) · "
                f"held-out AUC <b>{self.auc:.3f}</b>")
        body = self.coefficients.round(3).to_html(index=False)
        if self.importance is not None:
            body += self.importance.round(4).to_html(index=False)
        return f"<div style='font-family:system-ui,sans-serif'>{head}{body}</div>"
