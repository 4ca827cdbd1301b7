"""Journeys: the paths users really take, their loops and where they leave.

>>> import uxlens as ux
>>> j = ux.Journeys(ux.demo(), node="url", goal="/dashboard")
>>> j.paths(top=3).columns.tolist()
['path', 'journeys', 'share', 'conversion', 'steps']
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from .engine.backend import as_table, execute, get_backend, small_table
from .engine.journeys import (
    journey_count_expr,
    journey_steps_expr,
    step_matrix_expr,
    transitions_expr,
)
from .engine.journeys_arrays import (
    JourneySteps,
    journey_steps,
    path_groups,
    step_counts,
    transition_table,
)
from .eventlog import EventLog, SessionList
from .events import (
    empty_events,
    event_mask,
    require_instants,
    run_starts,
    session_codes,
    url_pattern,
)
from .exceptions import UxlensError, did_you_mean
from .export import Exportable

__all__ = ["Journeys", "EXIT"]

#: Label of the pseudo-node a journey goes to when it ends.
EXIT = "(exit)"
_PAGEVIEWS = ("pageview", "$pageview", "$screen")
#: Rows that are not something the user did, so never a journey node for node="event".
_PASSIVE = frozenset(
    {"mousemove", "mutation", "scroll", "console", "network", "focus", "blur", "selection",
     "resize", "identify", "page_size", "$pageleave", "$snapshot"}
)
_ARROW = " → "


def _path_of(url: str) -> str:
    path = urlsplit(url).path if "://" in url else url
    return path or "/"


class Journeys(Exportable):
    """Journeys per session (or per user) through pages, events or a custom node.

    Parameters
    ----------
    events
        An :class:`~uxlens.EventLog`, a canonical DataFrame, or events that
        stay in their backend: an Ibis table (e.g. :func:`uxlens.scan_parquet`
        over a Parquet directory, a warehouse table) or the lazy log that
        ``read_events(ibis_table)`` returns. Lazy tables take ``node="url"`` or
        ``"event"``; only the journey steps come back.
    node
        ``"url"`` (page paths from pageviews), ``"event"`` (event names of
        user actions), ``"screen"`` (the ``screen`` column) or a callable
        ``f(events) -> Series`` of labels (rows labelled NA are skipped).
    patterns
        URL patterns that group dynamic paths into one node, e.g.
        ``["/project/*"]``: every path matching a pattern is labelled with it.
    unit
        ``"session"`` (default) or ``"user"``: whose activity forms journeys.
    session_gap
        A journey ends after this much inactivity (pandas offset string or
        Timedelta); ``None`` never splits.
    collapse_repeats
        Merge consecutive identical nodes (a reload is not a step).
    goal
        A node (URL pattern for ``node="url"``) counted as conversion.
    max_steps
        Steps kept per journey in paths, step matrices and clusters.

    Notes
    -----
    Node labels are computed once per distinct URL or event name. Events in
    memory are split into journeys by array shifts over the log's
    ``(session_id, timestamp, seq)`` order (no engine round trip; see
    ``benchmarks/bench_journeys.py``); on another backend (``backend=``, a
    lazy table) journeys, transitions and step matrices are Ibis expressions
    run there. Both give the same numbers (tests compare them).

    Examples
    --------
    >>> import uxlens as ux
    >>> j = ux.Journeys(ux.demo(), goal="/dashboard")
    >>> t = j.transitions()
    >>> bool((t.groupby("node")["probability"].sum().round(9) == 1).all())
    True
    >>> j.step_matrix(steps=3).sum().round(9).tolist()  # every step column sums to 1
    [1.0, 1.0, 1.0]
    """

    def __init__(
        self,
        events: Any,
        *,
        node: str | Callable[[pd.DataFrame], pd.Series] = "url",
        patterns: Sequence[str] | None = None,
        unit: str = "session",
        session_gap: str | pd.Timedelta | None = "30min",
        collapse_repeats: bool = True,
        goal: str | None = None,
        max_steps: int = 20,
        backend: Any = None,
    ) -> None:
        self._table = _lazy_table(events)
        if self._table is not None:
            self.log = events if isinstance(events, EventLog) else EventLog(empty_events())
            if callable(node) or node == "screen":
                raise UxlensError(
                    f"node={node!r} needs events in memory; on an Ibis table use node='url' "
                    "or node='event' (or read the rows you need with read_events(table.to_pandas()))."
                )
        else:
            if isinstance(events, pd.DataFrame) and "timestamp" in events.columns:
                # Journeys compare times within a unit: naive times are fine, numbers not.
                require_instants(events["timestamp"], allow_naive=True)
            self.log = events if isinstance(events, EventLog) else EventLog(events)
        if unit not in ("session", "user"):
            raise UxlensError(f"unit must be 'session' or 'user', got {unit!r}.")
        if not (callable(node) or node in ("url", "event", "screen")):
            raise UxlensError(
                f"node must be 'url', 'event', 'screen' or a callable, got {node!r}."
            )
        if max_steps < 1:
            raise UxlensError(f"max_steps must be at least 1, got {max_steps}.")
        self.node = node
        self.patterns = list(patterns or [])
        self.unit = unit
        try:
            self.session_gap = None if session_gap is None else pd.Timedelta(session_gap)
        except (TypeError, ValueError) as exc:
            raise UxlensError(
                f"session_gap could not be read: {session_gap!r} ({exc}). Pass a duration "
                "such as '30min', '2h' or a pandas.Timedelta, or None for no split."
            ) from exc
        if self.session_gap is not None and self.session_gap <= pd.Timedelta(0):
            raise UxlensError(f"session_gap must be positive, got {session_gap!r}.")
        self.collapse_repeats = collapse_repeats
        self.goal = goal
        self.max_steps = int(max_steps)
        self.backend = backend

    # ----------------------------------------------------------------- nodes
    def _label(self, value: Any, compiled: list[tuple[str, Any]]) -> Any:
        """The node label of one distinct URL or event name (``None`` = not a node)."""
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        path = _path_of(str(value)) if self.node == "url" else str(value)
        for name, rx in compiled:
            if rx.search(path) or rx.search(str(value)):
                return name
        return path

    def _label_codes(self, values: pd.Series, *, raw: bool = False) -> tuple[np.ndarray, list[str]]:
        """Node codes (-1 = not a node) and the sorted node names, labelling each distinct value once.

        ``raw=True`` takes the values as labels already (callable and screen nodes).
        """
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes, uniques = values.array.codes, values.cat.categories
        else:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        compiled = [(p, url_pattern(p)) for p in self.patterns]
        labels = [
            (None if pd.isna(u) else str(u)) if raw else self._label(u, compiled) for u in uniques
        ]
        names = sorted({lab for lab in labels if lab is not None})
        index = {name: i for i, name in enumerate(names)}
        lut = np.array([index[lab] if lab is not None else -1 for lab in labels] + [-1], dtype="int64")
        return lut[np.asarray(codes, dtype="int64")], names  # code -1 hits the trailing -1

    def _selected(self, *, ids: bool = True) -> tuple[pd.DataFrame, np.ndarray]:
        """The node rows of the log and their node codes; sets ``self._categories``.

        ``ids=False`` leaves the id columns out of URL and event rows (the caller codes
        sessions from the log's cached codes instead of copying every id string)."""
        ev = self.log.events
        names = ev["event"]
        if callable(self.node):
            rows = ev
            codes, cats = self._label_codes(pd.Series(self.node(ev), index=ev.index), raw=True)
        elif self.node == "url":
            if "url" not in ev.columns:
                raise UxlensError("node='url' needs a 'url' column; use node='event' instead.")
            rows = self._node_take(ev, lambda: event_mask(names, _PAGEVIEWS), "url", ids=ids)
            if not len(rows):
                raise UxlensError(
                    "node='url' uses pageview events and there are none. Map your page event, "
                    "e.g. read_events(..., event_map={'page_view': 'pageview'}), or use node='event'."
                )
            codes, cats = self._label_codes(rows["url"])
        elif self.node == "screen":
            if "screen" not in ev.columns:
                if not self.log.recordings:
                    raise UxlensError(
                        "node='screen' needs a 'screen' column or rrweb recordings to find "
                        "screens in (see log.screens())."
                    )
                self.log = self.log.with_screens()
                ev = self.log.events
            rows = ev
            codes, cats = self._label_codes(ev["screen"], raw=True)
        else:
            rows = self._node_take(ev, lambda: ~event_mask(names, _PASSIVE), "event", ids=ids)
            codes, cats = self._label_codes(rows["event"])
        keep = codes >= 0
        if not keep.all():
            rows, codes = rows.loc[keep], codes[keep]
        if not len(codes):
            raise UxlensError("No journey nodes found in these events.")
        self._categories = cats
        return rows, codes

    def _node_take(self, ev: pd.DataFrame, mask: Callable[[], np.ndarray], label_col: str, *,
                   ids: bool) -> pd.DataFrame:
        """:meth:`_take` of the rows ``mask()`` selects; without ids, taken once per log (the
        rows of pageviews or of active events do not depend on this object's settings)."""
        if ids:
            return self._take(ev, mask(), label_col)
        return self.log._derived(("journey_rows", label_col),
                                 lambda: self._take(ev, mask(), label_col, ids=False))

    def _take(self, ev: pd.DataFrame, mask: np.ndarray, label_col: str, *,
              ids: bool = True) -> pd.DataFrame:
        """The masked rows of only the columns journeys read (a full-width copy costs more)."""
        unit = ["user_id"] if self.unit == "user" else []
        id_cols = ["session_id", *unit] if ids else []
        cols = list(dict.fromkeys([*id_cols, "timestamp", "seq", label_col]))
        pos = np.flatnonzero(mask)
        index = ev.index[pos]
        return pd.DataFrame({c: ev[c].array.take(pos) for c in cols if c in ev.columns},
                            index=index, copy=False)

    def _node_rows(self) -> pd.DataFrame:
        """Node rows for the engine: unit, session_id, timestamp, seq, integer node."""
        rows, codes = self._selected()
        unit_col = "session_id" if self.unit == "session" else "user_id"
        return pd.DataFrame(
            {
                "unit": rows[unit_col].astype(str).to_numpy(),
                "session_id": rows["session_id"].astype(str).to_numpy(),
                "timestamp": rows["timestamp"].reset_index(drop=True),
                "seq": _seq(rows),
                "node": codes,
            }
        )

    def _node_rows_expr(self) -> Any:
        """Node rows of a lazy Ibis table, labelled on the backend by a join with the
        labels of its distinct URLs or event names (labelled here, once each)."""
        t = as_table(self._table)
        if self.node == "url":
            if "url" not in t.columns:
                raise UxlensError("node='url' needs a 'url' column; use node='event' instead.")
            t, col = t.filter(t.event.isin(list(_PAGEVIEWS)) & t.url.notnull()), "url"
        else:
            t, col = t.filter(t.event.notnull() & ~t.event.isin(sorted(_PASSIVE))), "event"
        distinct = execute(t.select(value=t[col].cast("string")).distinct(), self.backend)["value"]
        codes, self._categories = self._label_codes(pd.Series(distinct.to_numpy(dtype=object)))
        if not (codes >= 0).any():
            raise UxlensError(
                "No journey nodes found in this table"
                + (" (no pageview rows with a url)." if self.node == "url" else ".")
            )
        lut = small_table(
            pd.DataFrame({"value": distinct.to_numpy(dtype=object), "node": codes}).loc[codes >= 0],
            like=t,
        )
        joined = t.join(lut, t[col].cast("string") == lut.value)
        unit = joined.session_id if self.unit == "session" else joined.user_id
        seq = joined.seq if "seq" in t.columns else joined.t_ms * 0  # no seq: ties by time only
        return joined.select(
            unit=unit.cast("string"), session_id=joined.session_id.cast("string"),
            t_ms=joined.t_ms, seq=seq.cast("int64"), node=joined.node.cast("int64"),
        )

    @cached_property
    def _steps(self) -> tuple[Any, Any]:
        """The journey-steps Ibis expression (not run) and the node rows it reads."""
        if self._table is not None:
            rows = table = self._node_rows_expr()
        else:
            rows = self._node_rows()
            table = as_table(rows, self.backend)
        gap = None if self.session_gap is None else int(self.session_gap / pd.Timedelta("1ms"))
        expr = journey_steps_expr(table, unit="unit", gap_ms=gap, collapse_repeats=self.collapse_repeats)
        return expr, rows

    def _on_engine(self) -> bool:
        """Aggregate on the backend (PySpark, a warehouse, a lazy table), not on in-memory arrays."""
        return self._table is not None or get_backend(self.backend).name != "duckdb"

    @cached_property
    def _arrays(self) -> tuple[JourneySteps, Any]:
        """Journey steps as arrays (in-memory events), and the unit names by code."""
        full = self._log_session_codes()
        rows, codes = self._selected(ids=full is None)
        if full is not None:  # the log's own codes at the node rows: no id strings copied
            unit_codes = full[rows.index.to_numpy()]
            unit_names = self.log._session_names()
        else:
            unit_codes, unit_names = _block_codes(
                rows["session_id" if self.unit == "session" else "user_id"])
        if self.unit == "session":
            session = unit_codes
        else:
            session, session_names = pd.factorize(rows["session_id"].astype(str))
            self._session_names = np.asarray(session_names, dtype=object)
        ts = rows["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
        gap = None if self.session_gap is None else int(self.session_gap / pd.Timedelta("1ms"))
        steps = journey_steps(
            unit=unit_codes, t_ms=ts // 1_000_000, seq=_seq(rows), node=codes,
            gap_ms=gap, collapse_repeats=self.collapse_repeats, session=session,
        )
        return steps, unit_names

    def _log_session_codes(self) -> np.ndarray | None:
        """The log's cached per-row session codes when journeys are per session over URL or
        event nodes of a log in stored order (positional index), else ``None``."""
        ev = self.log.events
        if (self.unit != "session" or callable(self.node) or self.node not in ("url", "event")
                or not isinstance(ev.index, pd.RangeIndex) or ev.index.start != 0
                or ev.index.step != 1):
            return None
        return self.log._session_codes()

    def _labels(self, codes: Any) -> np.ndarray:
        cats = np.array(self._categories + [EXIT], dtype=object)  # code -1 is the exit
        return cats[np.asarray(codes, dtype="int64")]

    def _engine_steps(self) -> pd.DataFrame:
        """Steps computed by the backend's engine: unit, journey_id, step, node, next, timestamp, dt_s."""
        expr, _ = self._steps
        # Ordered and labelled by the engine (parallel), not by pandas.
        expr = expr.mutate(
            journey_id=expr.unit.cast("string").concat("#", expr.journey.cast("int64").cast("string"))
        ).order_by(["unit", "journey", "step"])
        out = execute(expr, self.backend)
        return pd.DataFrame(
            {
                "unit": out["unit"].astype(str),
                "journey_id": out["journey_id"].astype(str),
                "step": out["step"].astype("int64"),
                "node": self._labels(out["node"].to_numpy()),
                "next": self._labels(out["next_node"].to_numpy()),
                "t_ms": out["t_ms"].astype("int64"),
                "dt_s": out["dt_ms"].astype("float64") / 1000.0,
                "_session": out["session_id" if "session_id" in out else "unit"].astype(str),
            }
        )

    def _array_steps(self) -> pd.DataFrame:
        """The same table from the in-memory arrays."""
        a, unit_names = self._arrays
        if isinstance(unit_names, pd.Series):  # the names of sorted ids, taken lazily
            unit_names = np.asarray(unit_names.astype(str).to_numpy(dtype=object), dtype=object)
        units = unit_names[a.unit[a.starts]]
        ids = pd.Series(units).astype(str) + "#" + pd.Series(a.journey_in_unit).astype(str)
        return pd.DataFrame(
            {
                "unit": pd.Series(unit_names[a.unit], dtype=str),
                "journey_id": ids.to_numpy(dtype=object)[a.journey].astype(str),
                "step": a.step,
                "node": self._labels(a.node),
                "next": self._labels(a.next_node),
                "t_ms": a.t_ms,
                "dt_s": a.dt_ms / 1000.0,
                "_session": (unit_names if self.unit == "session" else self._session_names)[a.session],
            }
        )

    @cached_property
    def steps_(self) -> pd.DataFrame:
        """One row per journey step (cached): unit, journey, step, node, next, dt_s.

        Examples
        --------
        >>> import uxlens as ux
        >>> j = ux.Journeys(ux.demo(), goal="/dashboard")
        >>> len(j.steps_) == int(j.journeys_["length"].sum())
        True
        """
        steps = self._engine_steps() if self._on_engine() else self._array_steps()
        steps.insert(5, "timestamp", pd.to_datetime(steps.pop("t_ms"), unit="ms", utc=True).astype(
            "datetime64[ns, UTC]"))
        # A journey is linked to the session of its first step (for a user: where it started).
        session = steps.pop("_session")
        first = session.where(steps["step"] == 1).ffill()  # each journey is one block of rows
        steps["session_id"] = first.astype(str) if self.unit == "user" else session
        return steps

    @cached_property
    def journeys_(self) -> pd.DataFrame:
        """One row per journey: journey_id, unit, session_id, nodes (a tuple), start, length, converted.

        Examples
        --------
        >>> import uxlens as ux
        >>> jr = ux.Journeys(ux.demo(), goal="/dashboard").journeys_
        >>> list(jr.columns)
        ['journey_id', 'unit', 'session_id', 'nodes', 'start', 'length', 'converted']
        >>> bool((jr["length"] == jr["nodes"].map(len)).all())
        True
        """
        s = self.steps_  # sorted by unit, journey and step: each journey is one block
        jid = s["journey_id"].to_numpy()
        starts = run_starts(jid)
        ends = np.r_[starts[1:], len(jid)].astype(int)
        nodes = s["node"].to_numpy(dtype=object).tolist()
        paths = np.empty(len(starts), dtype=object)
        paths[:] = [tuple(nodes[a:b]) for a, b in zip(starts, ends)]
        table = pd.DataFrame(
            {
                "journey_id": jid[starts],
                "unit": s["unit"].to_numpy()[starts],
                "session_id": s["session_id"].to_numpy()[starts],
                "nodes": paths,
                "start": s["timestamp"].iloc[starts].reset_index(drop=True),
            }
        )
        table["length"] = table["nodes"].map(len)
        table["converted"] = self._converted(table["nodes"])
        return table

    def _converted(self, paths: pd.Series) -> pd.Series:
        if self.goal is None:
            return pd.Series(np.nan, index=paths.index)
        rx = url_pattern(self.goal) if self.node == "url" else None

        def hit(path: tuple[str, ...]) -> bool:
            return any((rx.search(n) if rx else n == self.goal) for n in path)

        return paths.map(hit).astype(float)

    # --------------------------------------------------------------- results
    def paths(self, top: int = 20) -> pd.DataFrame:
        """Most common paths (first ``max_steps`` nodes) with count, share and conversion.

        Examples
        --------
        >>> import uxlens as ux
        >>> top = ux.Journeys(ux.demo(), goal="/dashboard").paths(top=5)
        >>> bool(top["share"].is_monotonic_decreasing)
        True
        """
        if self._on_engine():
            return self._paths_of_journeys(top)
        a, _ = self._arrays
        group, rep, counts = path_groups(a, max_steps=self.max_steps)
        if self.goal is None:
            conversion = np.full(len(counts), np.nan)
        else:
            converted = self._converted_codes(a)
            conversion = np.bincount(group, weights=converted, minlength=len(counts)) / counts
        if len(counts) > top:  # only the groups that can make the top need a label
            cutoff = np.partition(counts, len(counts) - top)[len(counts) - top]
            keep = np.flatnonzero(counts >= cutoff)
        else:
            keep = np.arange(len(counts))
        lengths = np.minimum(a.lengths[rep[keep]], self.max_steps)
        cats = np.array(self._categories, dtype=object)  # label only the kept paths' steps
        labels = [_ARROW.join(cats[a.node[a.starts[r]: a.starts[r] + n]])
                  for r, n in zip(rep[keep], lengths)]
        # Most journeys first, then by path text; the top ones only.
        first = sorted(range(len(keep)), key=lambda i: (-int(counts[keep[i]]), labels[i]))[:top]
        chosen = keep[first]
        return pd.DataFrame(
            {"path": [labels[i] for i in first], "journeys": counts[chosen].astype("int64"),
             "share": counts[chosen] / a.n_journeys, "conversion": conversion[chosen],
             "steps": lengths[first].astype("int64")}
        )

    def _paths_of_journeys(self, top: int) -> pd.DataFrame:
        j = self.journeys_
        keys = j["nodes"].map(lambda p: _ARROW.join(p[: self.max_steps]))
        grouped = j.assign(path=keys).groupby("path", sort=False)
        table = pd.DataFrame(
            {"journeys": grouped.size(), "conversion": grouped["converted"].mean(),
             "steps": grouped["length"].first().clip(upper=self.max_steps)}
        ).reset_index()
        table["share"] = table["journeys"] / len(j)
        table = table.sort_values(["journeys", "path"], ascending=[False, True]).head(top)
        return table[["path", "journeys", "share", "conversion", "steps"]].reset_index(drop=True)

    def _converted_codes(self, a: JourneySteps) -> np.ndarray:
        """1.0 for journeys that reach the goal, else 0.0 (array path)."""
        if self.node == "url":
            rx = url_pattern(self.goal)
            goal = np.array([bool(rx.search(n)) for n in self._categories], dtype=bool)
        else:
            goal = np.array([n == self.goal for n in self._categories], dtype=bool)
        hits = np.bincount(a.journey, weights=goal[a.node], minlength=a.n_journeys)
        return (hits > 0).astype(float)

    def transitions(self, *, as_matrix: bool = False) -> pd.DataFrame:
        """Transition matrix as a tidy table: node, next, count, probability, median_s, mean_s.

        ``next`` is ``"(exit)"`` on a journey's last step, so each node's
        probabilities sum to 1. With ``as_matrix=True`` the result is the
        square matrix of probabilities instead: rows are "from", columns are
        "to", both indexed by every node plus ``"(exit)"`` (whose row is all 0).
        On a backend other than embedded DuckDB (e.g. PySpark) the counts and
        times are aggregated there; only the edge table comes back.

        Examples
        --------
        >>> import uxlens as ux
        >>> m = ux.Journeys(ux.demo()).transitions(as_matrix=True)
        >>> m.shape[0] == m.shape[1], bool(abs(m.drop(index="(exit)").sum(axis=1) - 1).max() < 1e-9)
        (True, True)
        """
        if self._on_engine():
            exact = getattr(self.backend, "name", "duckdb") != "bigquery"  # no exact MEDIAN there
            out = execute(transitions_expr(self._steps[0], exact_median=exact), self.backend)
            node, nxt = out["node"].to_numpy(dtype="int64"), out["next_node"].to_numpy(dtype="int64")
            count = out["count"].to_numpy(dtype="int64")
            median_s = out["median_s"].to_numpy(dtype="float64", na_value=np.nan)
            mean_s = out["mean_s"].to_numpy(dtype="float64", na_value=np.nan)
        else:
            t = transition_table(self._arrays[0])
            node, nxt = np.asarray(t["node"], dtype="int64"), np.asarray(t["next_node"], dtype="int64")
            count = np.asarray(t["count"], dtype="int64")
            median_s, mean_s = t["median_ms"] / 1000.0, t["mean_ms"] / 1000.0
        # by count (descending), then node and next name; codes index the names, -1 the exit
        names = np.array(self._categories + [EXIT], dtype=object)
        rank = np.empty(len(names), dtype="int64")
        rank[np.argsort(names.astype(str), kind="stable")] = np.arange(len(names))
        order = np.lexsort((rank[nxt], rank[node], -count))
        node, nxt, count = node[order], nxt[order], count[order]
        total = np.bincount(node, weights=count, minlength=len(names))  # node >= 0 always
        table = pd.DataFrame({
            "node": names[node], "next": names[nxt], "count": count,
            "probability": count / total[node],
            "median_s": np.asarray(median_s, dtype="float64")[order],
            "mean_s": np.asarray(mean_s, dtype="float64")[order],
        })
        if not as_matrix:
            return table
        names = sorted(set(table["node"]) | set(table["next"]) - {EXIT}) + [EXIT]
        matrix = table.pivot(index="node", columns="next", values="probability")
        matrix = matrix.reindex(index=names, columns=names).fillna(0.0)
        matrix.index.name, matrix.columns.name = "node", "next"
        return matrix

    def step_matrix(self, steps: int = 10) -> pd.DataFrame:
        """Share of journeys at each node by step number (retentioneering-style).

        Rows are nodes plus ``"(exit)"`` (journeys that already ended); columns
        are steps 1..``steps``; every column sums to 1. On a backend other than
        embedded DuckDB the counts are aggregated there.

        Examples
        --------
        >>> import uxlens as ux
        >>> m = ux.Journeys(ux.demo()).step_matrix(steps=4)
        >>> m.columns.tolist(), m.index[-1], bool((m.sum().round(9) == 1).all())
        ([1, 2, 3, 4], '(exit)', True)
        """
        _check_steps(steps, "step_matrix")
        if self._on_engine():
            expr = self._steps[0]
            out = execute(step_matrix_expr(expr, max_step=steps), self.backend)
            n = int(execute(journey_count_expr(expr), self.backend)["n"].iloc[0])
            counts = pd.DataFrame(
                {"node": self._labels(out["node"]), "step": out["step"].astype("int64").to_numpy(),
                 "count": out["count"].astype("int64").to_numpy()}
            ).pivot_table(index="node", columns="step", values="count", aggfunc="sum", fill_value=0)
            return _step_matrix(counts, n, steps)
        a, _ = self._arrays
        counts = pd.DataFrame(
            step_counts(a, max_step=steps, n_nodes=len(self._categories)),
            index=pd.Index(self._categories, dtype=object), columns=range(1, steps + 1),
        )
        return _step_matrix(counts.loc[counts.sum(axis=1) > 0], a.n_journeys, steps)

    @staticmethod
    def _step_matrix_of(s: pd.DataFrame, steps: int) -> pd.DataFrame:
        n = s["journey_id"].nunique()
        counts = s.loc[s["step"] <= steps].groupby(["node", "step"]).size().unstack(fill_value=0)
        return _step_matrix(counts, n, steps)

    def compare_step_matrix(self, segment_a: Any, segment_b: Any, *, steps: int = 10) -> pd.DataFrame:
        """Differential step matrix: step matrix of segment A minus that of segment B.

        Like retentioneering's differential step matrix: each segment is a
        collection of session ids (or a :class:`SessionList`, e.g. from
        :meth:`sessions`); positive cells are node/step shares higher in A.
        Rows are the union of both segments' nodes (``"(exit)"`` last); every
        column sums to 0.

        Examples
        --------
        >>> import uxlens as ux
        >>> j = ux.Journeys(ux.demo())
        >>> d = j.compare_step_matrix(j.sessions(node="/pricing"), j.sessions(node="/terms"), steps=4)
        >>> bool(abs(d.sum(axis=0)).max() < 1e-9)
        True
        """
        _check_steps(steps, "compare_step_matrix")
        s = self.steps_
        mats = []
        for seg in (segment_a, segment_b):
            ids = {str(i) for i in (seg.ids if hasattr(seg, "ids") else seg)}
            sub = s.loc[s["session_id"].isin(ids)]
            if sub.empty:
                raise UxlensError(
                    "A segment of compare_step_matrix has no journeys; give session ids "
                    "present in these events (e.g. j.sessions(node=...))."
                )
            mats.append(self._step_matrix_of(sub, steps))
        a, b = mats
        names = [n for n in pd.unique(pd.Index(list(a.index) + list(b.index))) if n != EXIT] + [EXIT]
        diff = a.reindex(names, fill_value=0.0) - b.reindex(names, fill_value=0.0)
        diff.index.name, diff.columns.name = "node", "step"
        return diff

    def loops(self, *, max_len: int = 4) -> pd.DataFrame:
        """Back-and-forth moves and cycles with their frequency.

        A loop is a node revisited within ``max_len`` steps in one journey
        (``A → B → A`` is the loop ``A ⇄ B``). Columns: loop, nodes,
        occurrences, journeys, share (of journeys), exit_after (share of
        looping journeys that ended without reaching the goal, when a goal is
        set, else that ended on a loop node).

        Examples
        --------
        >>> import uxlens as ux
        >>> j = ux.Journeys(ux.demo(), goal="/dashboard")
        >>> top = j.loops().iloc[0]
        >>> top["loop"], len(j.sessions(loop=top["nodes"])) == int(top["journeys"])
        ('/ ⇄ /pricing', True)
        """
        records: list[tuple[tuple[str, ...], str]] = []
        for jid, nodes in zip(self.journeys_["journey_id"], self.journeys_["nodes"]):
            for i, node in enumerate(nodes):
                for k in range(2, max_len + 1):
                    if i + k < len(nodes) and nodes[i + k] == node:
                        cycle = nodes[i : i + k]
                        if len(set(cycle)) == len(cycle):
                            records.append((_canonical_cycle(cycle), jid))
                        break
        if not records:
            return pd.DataFrame(columns=["loop", "nodes", "occurrences", "journeys", "share", "exit_after"])
        frame = pd.DataFrame(records, columns=["nodes", "journey_id"])
        j = self.journeys_.set_index("journey_id")
        g = frame.groupby("nodes", sort=False)
        table = pd.DataFrame({"occurrences": g.size(), "journeys": g["journey_id"].nunique()})
        table["share"] = table["journeys"] / len(j)

        def exit_after(ids: pd.Series, nodes: tuple[str, ...]) -> float:
            sub = j.loc[pd.unique(ids)]
            if self.goal is not None:
                return float(1.0 - sub["converted"].mean())
            return float(sub["nodes"].map(lambda p: p[-1] in nodes).mean())

        table["exit_after"] = [exit_after(g.get_group(k)["journey_id"], k) for k in table.index]
        table = table.reset_index()
        table["loop"] = table["nodes"].map(lambda c: " ⇄ ".join(c) if len(c) == 2 else _ARROW.join(c + (c[0],)))
        table = table.sort_values(["journeys", "occurrences"], ascending=False)
        return table[["loop", "nodes", "occurrences", "journeys", "share", "exit_after"]].reset_index(drop=True)

    def dropoffs(self, *, min_visits: int = 10) -> pd.DataFrame:
        """Nodes where journeys end more often than their traffic predicts.

        For each node: visits, exits (journeys ending there), exit_rate, the
        overall exit rate of all other nodes as baseline, lift and a one-sided
        binomial p-value. The goal node is excluded (ending there is success).

        Examples
        --------
        >>> import uxlens as ux
        >>> d = ux.Journeys(ux.demo(), goal="/dashboard").dropoffs()
        >>> row = d.iloc[0]
        >>> row["node"], bool(row["lift"] > 1 and row["p_value"] < 0.01)
        ('/pricing', True)
        """
        from scipy.stats import binomtest

        s = self.steps_
        table = s.groupby("node").agg(visits=("node", "size"), exits=("next", lambda x: int((x == EXIT).sum())))
        if self.goal is not None and self.node == "url":
            rx = url_pattern(self.goal)
            table = table.loc[[not rx.search(n) for n in table.index]]
        elif self.goal is not None:
            table = table.drop(index=self.goal, errors="ignore")
        table = table.loc[table["visits"] >= min_visits]
        total_v, total_e = table["visits"].sum(), table["exits"].sum()
        base = (total_e - table["exits"]) / (total_v - table["visits"]).replace(0, np.nan)
        table["exit_rate"] = table["exits"] / table["visits"]
        table["baseline"] = base
        table["lift"] = table["exit_rate"] / base
        table["p_value"] = [
            binomtest(int(e), int(v), float(b), alternative="greater").pvalue if 0 < b < 1 else np.nan
            for e, v, b in zip(table["exits"], table["visits"], base)
        ]
        return table.sort_values(["lift", "visits"], ascending=False).reset_index()

    def sessions(
        self, *, node: str | None = None, edge: tuple[str, str] | None = None,
        loop: Sequence[str] | None = None, path: str | None = None,
    ) -> SessionList:
        """Sessions behind a node, an edge, a loop or a path (ready to replay).

        Examples
        --------
        >>> import uxlens as ux
        >>> j = ux.Journeys(ux.demo())
        >>> first = j.transitions().iloc[0]
        >>> len(j.sessions(edge=(first["node"], first["next"]))) > 0
        True
        """
        s, j = self.steps_, self.journeys_
        if node is not None:
            self._check_node(node)
            ids = s.loc[s["node"] == node, "session_id"]
            label = f"visited {node}"
        elif edge is not None:
            self._check_node(edge[0])
            ids = s.loc[(s["node"] == edge[0]) & (s["next"] == edge[1]), "session_id"]
            label = f"{edge[0]}{_ARROW}{edge[1]}"
        elif loop is not None:
            want = _canonical_cycle(tuple(loop))
            table = self.loops()
            hit = table.loc[table["nodes"] == want]
            if hit.empty:
                raise UxlensError(f"No loop {tuple(loop)} in these journeys; see .loops().")
            k = len(want)
            keep = j["nodes"].map(lambda p: any(
                _canonical_cycle(p[i:i + k]) == want and i + k < len(p) and p[i + k] == p[i]
                for i in range(len(p) - k)))
            ids = j.loc[keep, "session_id"]
            label = f"looped {' ⇄ '.join(want)}"
        elif path is not None:
            keys = j["nodes"].map(lambda p: _ARROW.join(p[: self.max_steps]))
            ids = j.loc[keys == path, "session_id"]
            label = f"path {path}"
        else:
            raise UxlensError("Give one of node=, edge=, loop= or path=.")
        wanted = pd.unique(ids.astype(str))
        if self._table is not None:  # summarise only the wanted sessions, on the backend
            from .engine.sessions import session_summary

            t = self._table
            frame = session_summary(t.filter(t.session_id.cast("string").isin(list(wanted))))
            return SessionList(frame.reset_index(drop=True), self.log, label=label)
        summary = self.log.sessions().frame
        frame = summary.loc[summary["session_id"].isin(wanted)].reset_index(drop=True)
        return SessionList(frame, self.log, label=label)

    def _check_node(self, node: str) -> None:
        known = set(self.steps_["node"])
        if node not in known:
            raise UxlensError(f"Unknown node {node!r}.{did_you_mean(node, known)}")

    def clusters(self, k: int | None = None, *, k_range: Sequence[int] = range(2, 9), seed: int = 0) -> pd.DataFrame:
        """Group journeys by the nodes and moves they contain (TF-IDF + k-means).

        ``k`` is chosen by silhouette score over ``k_range`` when not given.
        Returns one row per cluster: cluster, journeys, share, top_nodes,
        typical_path, conversion and friction (mean friction score of the
        sessions behind its journeys, see :class:`uxlens.Friction`);
        ``self.cluster_labels_`` maps journeys to clusters.

        Examples
        --------
        >>> import uxlens as ux
        >>> j = ux.Journeys(ux.demo(), goal="/dashboard")
        >>> c = j.clusters(k=3)
        >>> len(c), int(c["journeys"].sum()) == len(j.journeys_)
        (3, True)
        >>> bool(c["friction"].notna().all())
        True
        """
        from sklearn.cluster import KMeans
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.metrics import silhouette_score

        j = self.journeys_
        docs = j["nodes"].map(lambda p: list(p[: self.max_steps]))
        vec = TfidfVectorizer(analyzer=lambda p: list(p) + [a + _ARROW + b for a, b in zip(p, p[1:])])
        X = vec.fit_transform(docs)
        n_distinct = len({tuple(p) for p in docs})
        if k is None:
            best = (-2.0, 2)
            for kk in k_range:
                if kk >= min(len(j), n_distinct):
                    break
                labels = KMeans(kk, n_init=4, random_state=seed).fit_predict(X)
                score = silhouette_score(X, labels, sample_size=min(3000, len(j)), random_state=seed)
                best = max(best, (score, kk))
            k = best[1]
        k = max(1, min(int(k), n_distinct))
        labels = KMeans(k, n_init=4, random_state=seed).fit_predict(X) if k > 1 else np.zeros(len(j), int)
        self.cluster_labels_ = pd.Series(labels, index=j["journey_id"], name="cluster")
        friction = self._session_friction()
        rows = []
        for c in range(k):
            sub = j.loc[labels == c]
            nodes = pd.Series([n for p in sub["nodes"] for n in set(p)]).value_counts()
            typical = sub["nodes"].map(lambda p: _ARROW.join(p[: self.max_steps])).value_counts()
            rows.append({
                "cluster": c, "journeys": len(sub), "share": len(sub) / len(j),
                "top_nodes": ", ".join(nodes.index[:4]),
                "typical_path": typical.index[0] if len(typical) else "",
                "conversion": sub["converted"].mean(),
                "friction": float(sub["session_id"].map(friction).mean()) if friction is not None
                else np.nan,
            })
        return pd.DataFrame(rows).sort_values("journeys", ascending=False).reset_index(drop=True)

    def _session_friction(self) -> pd.Series | None:
        """Friction score per session id (``None`` for lazy tables: no events here)."""
        if self._table is not None:
            return None
        from .friction import Friction

        scores = Friction(self.log).scores()
        return scores.set_index(scores["session_id"].astype(str))["score"]

    def compare(self, by: str) -> pd.DataFrame:
        """Per-segment journeys: count, mean length, conversion and the top path.

        Examples
        --------
        >>> import uxlens as ux
        >>> c = ux.Journeys(ux.demo(), goal="/dashboard").compare(by="version")
        >>> c[["version", "journeys"]].values.tolist()
        [['A', 151], ['B', 149]]
        >>> bool(c.set_index("version").loc["B", "conversion"] > c.set_index("version").loc["A", "conversion"])
        True
        """
        if self._table is not None:
            raise UxlensError(
                "compare() needs events in memory; on an Ibis table compare segments by "
                "filtering the table and building one Journeys per segment."
            )
        ev = self.log.events
        if by not in ev.columns:
            raise UxlensError(f"No column {by!r} to compare by.{did_you_mean(by, ev.columns)}")
        seg = ev.groupby("session_id", observed=True)[by].first()
        j = self.journeys_.assign(segment=lambda d: d["session_id"].map(seg).astype(object).fillna("(none)"))
        rows = []
        for value, sub in j.groupby("segment", sort=True):
            top = sub["nodes"].map(lambda p: _ARROW.join(p[: self.max_steps])).value_counts()
            rows.append({by: value, "journeys": len(sub), "mean_length": sub["length"].mean(),
                         "conversion": sub["converted"].mean(), "top_path": top.index[0]})
        return pd.DataFrame(rows)

    # ---------------------------------------------------------------- figures
    def sankey(
        self, *, start: str | None = None, end: str | None = None, steps: int = 5,
        min_share: float = 0.01,
    ) -> Any:
        """Plotly Sankey of flows over ``steps`` steps, exits shown.

        ``start`` keeps journeys from their first visit of that node onwards
        (flows *from* it). ``end`` keeps journeys that reach that node and shows
        the ``steps`` moves that led to its first visit (flows *to* it), the end
        node in the last column. Links carrying less than ``min_share`` of
        journeys are merged away.

        Examples
        --------
        >>> import uxlens as ux
        >>> j = ux.Journeys(ux.demo())
        >>> fig = j.sankey(end="/onboarding/invite", steps=2, min_share=0)
        >>> sankey = fig.data[0]
        >>> "(exit)" in sankey.node.label  # flows to a node stop at it: no exits
        False
        >>> sum(v for t, v in zip(sankey.link.target, sankey.link.value)
        ...     if sankey.node.label[t] == "/onboarding/invite") > 100
        True
        """
        from .plotting.journeys import sankey_figure

        links, n = self._flow_links(start=start, end=end, steps=steps, min_share=min_share)
        title = "Journeys" + (f" from {start}" if start else "") + (f" to {end}" if end else "")
        return sankey_figure(links, title=title, total=n)

    def _flow_links(
        self, *, start: str | None, steps: int, min_share: float, end: str | None = None
    ) -> tuple[pd.DataFrame, int]:
        """``step, node, next, count`` flows of ``steps`` steps, and the journeys."""
        s = self.steps_
        if start is not None:
            self._check_node(start)
            first = s.loc[s["node"] == start].groupby("journey_id")["step"].min()
            s = s.loc[s["journey_id"].isin(first.index)]
            s = s.assign(step=s["step"] - s["journey_id"].map(first) + 1)
            s = s.loc[s["step"] >= 1]
        if end is not None:
            self._check_node(end)
            reach = s.loc[s["node"] == end].groupby("journey_id")["step"].min()
            if not len(reach):  # no journey gets there (after ``start``): no flows
                return pd.DataFrame({"step": pd.Series(dtype="int64"),
                                     "node": pd.Series(dtype=object),
                                     "next": pd.Series(dtype=object),
                                     "count": pd.Series(dtype="int64")}), 0
            s = s.loc[s["journey_id"].isin(reach.index)]
            last = s["journey_id"].map(reach).astype("int64")
            # The moves before the first visit of ``end``; the one into it lands in column ``steps``.
            s = s.loc[(s["step"] < last) & (s["step"] >= last - steps)]
            s = s.assign(step=s["step"] - last + steps + 1)
            n = len(reach)
            links = s.groupby(["step", "node", "next"]).size().rename("count").reset_index()
            links = links.loc[links["count"] >= max(1, min_share * n)].reset_index(drop=True)
            return links, n
        s = s.loc[s["step"] <= steps]
        links = s.groupby(["step", "node", "next"]).size().rename("count").reset_index()
        n = s["journey_id"].nunique()
        links = links.loc[links["count"] >= max(1, min_share * n)].reset_index(drop=True)
        return links, n

    def explore(self, *, steps: int = 5, start: str | None = None, end: str | None = None,
                min_share: float = 0.01) -> Any:
        """Interactive flows: click a node or a link to list its sessions, then replay one.

        Returns a :class:`uxlens.widgets.journeys_explorer.JourneysExplorer`
        (an ipywidgets box) with a step slider and start- and end-node selectors
        (``end``: the flows that led to a node, as :meth:`sankey` draws them).

        Examples
        --------
        >>> import uxlens as ux
        >>> ex = ux.Journeys(ux.demo()).explore(steps=3)
        >>> ex.select(node="/pricing")
        >>> ex.view.sessions["total"] > 0
        True
        """
        from .widgets.journeys_explorer import JourneysExplorer

        return JourneysExplorer(self, steps=steps, start=start, end=end, min_share=min_share)

    def plot(self, **kwargs: Any) -> Any:
        """The Sankey figure (see :meth:`sankey`).

        Examples
        --------
        >>> import uxlens as ux
        >>> ux.Journeys(ux.demo()).plot(steps=3).data[0].type
        'sankey'
        """
        return self.sankey(**kwargs)

    def __repr__(self) -> str:
        return f"<Journeys node={self.node!r} unit={self.unit!r} goal={self.goal!r}>"

    def _repr_html_(self) -> str:
        j = self.journeys_
        top = self.paths(top=8)
        conv = "" if self.goal is None else f" · {j['converted'].mean():.0%} reach {html.escape(self.goal)}"
        return (
            f"<div style='font-family:system-ui,sans-serif'><b>Journeys</b> · {len(j):,} journeys"
            f"{conv}</div>" + top.to_html(index=False, float_format=lambda v: f"{v:.3f}")
        )


def _lazy_table(events: Any) -> Any:
    """The Ibis table behind ``events`` when they are not in memory, else ``None``."""
    import ibis.expr.types as ir

    if isinstance(events, ir.Table):
        return events
    if isinstance(events, EventLog) and events.is_lazy:
        return events.table
    return None


def _block_codes(values: pd.Series) -> tuple[np.ndarray, Any]:
    """Integer codes and names of ids; sorted ids (a validated log) are coded by their
    boundaries (:func:`uxlens.events.session_codes`), 4x cheaper than hashing every id.
    The names of sorted ids stay a Series until steps_ needs them."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.array.codes, np.asarray(values.cat.categories.astype(str), dtype=object)
    codes = session_codes(values)
    if codes is not None:
        return codes, values.iloc[run_starts(codes)]
    codes, names = pd.factorize(values.astype(str))
    return codes, np.asarray(names, dtype=object)


def _check_steps(steps: Any, method: str) -> None:
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 1:
        raise UxlensError(f"{method}(steps=...) must be a whole number >= 1; got {steps!r}.")


def _seq(rows: pd.DataFrame) -> np.ndarray:
    """The rows' ``seq``; without one (a frame not read by uxlens), their order in the
    frame breaks ties in time."""
    return rows["seq"].to_numpy() if "seq" in rows.columns else np.arange(len(rows))


def _step_matrix(counts: pd.DataFrame, n: int, steps: int) -> pd.DataFrame:
    """Node x step counts to shares, with the "(exit)" row of journeys already ended.

    Rows are by share at step 1, largest first (ties keep the counts' order),
    ``"(exit)"`` last.
    """
    if list(counts.columns) != list(range(1, steps + 1)):
        counts = counts.reindex(columns=range(1, steps + 1), fill_value=0)
    values = counts.to_numpy(dtype="float64")
    shares = np.vstack([values, n - values.sum(axis=0, keepdims=True)]) / n
    order = np.argsort(-shares[:-1, 0], kind="stable")
    labels = np.asarray(counts.index, dtype=object)[order].tolist() + [EXIT]
    return pd.DataFrame(
        shares[np.r_[order, len(values)]],
        index=pd.Index(labels, dtype=object, name="node"),
        columns=pd.RangeIndex(1, steps + 1, name="step"),
    )


def _canonical_cycle(cycle: tuple[str, ...]) -> tuple[str, ...]:
    """Rotate a cycle so that it starts at its smallest node (A→B→A == B→A→B)."""
    if not cycle:
        return cycle
    i = min(range(len(cycle)), key=lambda k: cycle[k])
    return tuple(cycle[i:]) + tuple(cycle[:i])
