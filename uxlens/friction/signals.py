"""Signal rows: each detector's output turned into the common signal table.

One builder per detector (``_click_signals``, ``_thrash_signals``, ...), each
returning the columns of ``_SIGNAL_COLUMNS`` plus the detector's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..engine.friction import CLICK_EVENTS, DISABLED_PATTERN, ErrorParams
from .clicks import _bursts
from .params import (
    EditParams,
    FormParams,
    HesitationParams,
    QuickBackParams,
    ScrollParams,
    ThrashParams,
)
from .runner import _Engine, _firsts
from .text import _fmt_s, _page, _short_many

__all__ = ["SUBMIT_PATTERN"]

_SIGNAL_COLUMNS = ["session_id", "timestamp", "seq", "url", "element", "target", "kind", "count",
                   "evidence"]


#: Default submit-like control, from a selector path: a submit input/button, or a
#: button / button-role element whose id or classes name a submitting action.
SUBMIT_PATTERN = (
    r"\[type=[\"']?(?:submit|image)"
    r"|(?:^|[ >])(?:button|a|[a-z-]*\[role=[\"']?button)[^ >]*"
    r"[#.][a-z0-9_-]*(?:submit|send|save|continue|next|confirm|done|finish|apply|create"
    r"|register|sign-?up|sign-?in|log-?in|checkout|pay|order|subscribe)"
    r"|(?:^|[ >])form(?:[.#\[:][^ >]*)? .*>\s*button(?:[.#\[:][^ >]*)?$"
)


#: Controls that leave a form without submitting it, even when they look like buttons.
NOT_SUBMIT_PATTERN = r"[#.][a-z0-9_-]*(?:skip|cancel|back|close|dismiss|later|prev)"


def _ts(t_ms: Any) -> pd.Series:
    return pd.to_datetime(pd.Series(t_ms, dtype="int64"), unit="ms", utc=True).astype(
        "datetime64[ns, UTC]"
    )


def _empty_signals(extra: tuple[str, ...] = ()) -> pd.DataFrame:
    cols = _SIGNAL_COLUMNS + list(extra)
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out["timestamp"] = out["timestamp"].astype("datetime64[ns, UTC]")
    out["seq"] = out["seq"].astype("int64")
    out["count"] = out["count"].astype("int64")
    return out


def _signal_frame(kind: str, data: dict[str, Any], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    n = len(next(iter(data.values()))) if data else 0
    if n == 0:
        return _empty_signals(extra)
    # Series lose their index here (rows are positional) but keep their dtype (tz, NA)
    out = pd.DataFrame({k: (v.array if isinstance(v, pd.Series) else v) for k, v in data.items()})
    out["kind"] = kind
    for c in _SIGNAL_COLUMNS + list(extra):
        if c not in out.columns:
            out[c] = None
    out["session_id"] = out["session_id"].astype(str)
    out["seq"] = out["seq"].astype("int64")
    out["count"] = out["count"].astype("int64")
    out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True).astype("datetime64[ns, UTC]")
    out["url"] = out["url"].astype(object).where(out["url"].notna(), None)
    return out[_SIGNAL_COLUMNS + list(extra)].reset_index(drop=True)


def _click_signals(fr: Any, flags: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    parts = []
    bursts = _bursts(flags)
    if len(bursts):
        in_burst = flags.loc[flags["rage"]].groupby("rage_burst")
        first_seq = in_burst["seq"].min()
        dead_in = in_burst["dead"].sum().reindex(bursts["rage_burst"]).to_numpy()
        parts.append(_signal_frame("rage_click", {
            "session_id": bursts["session_id"], "timestamp": bursts["start"],
            "seq": bursts["rage_burst"].map(first_seq), "url": bursts["url"],
            "target": bursts["target"], "element": _short_many(bursts["target"]).to_numpy(),
            "count": bursts["clicks"],
            "evidence": [f"{c} clicks in {_fmt_s(d)}" + (", none answered" if n == c else (
                f", {n} unanswered" if n else "")) for c, d, n in
                         zip(bursts["clicks"], bursts["duration_ms"], dead_in)],
        }))
    # a dead press inside a rage burst is part of that burst's story, not a second signal
    dead = flags.loc[flags["dead"] & ~flags["rage"]]
    if len(dead):
        mode = flags.attrs.get("dead_mode", "mutation")
        w = p["dead"].window_ms
        what = "no DOM change, navigation, scroll or selection" if mode == "mutation" else (
            "no following event")
        parts.append(_signal_frame("dead_click", {
            "session_id": dead["session_id"], "timestamp": dead["timestamp"],
            "seq": dead["seq"], "url": dead["url"], "target": dead["target"],
            "element": _short_many(dead["target"]).to_numpy(),
            "count": np.ones(len(dead), "int64"),
            "evidence": f"{what} within {_fmt_s(w)}",
        }))
    err = flags.loc[flags["error"]]
    if len(err):
        parts.append(_signal_frame("error_click", {
            "session_id": err["session_id"], "timestamp": err["timestamp"],
            "seq": err["seq"], "url": err["url"], "target": err["target"],
            "element": _short_many(err["target"]).to_numpy(),
            "count": np.ones(len(err), "int64"),
            "evidence": _error_evidence(fr, err, p["error"]),
        }))
    return pd.concat(parts, ignore_index=True) if parts else _empty_signals()


def _error_evidence(fr: Any, err: pd.DataFrame, p: ErrorParams) -> list[str]:
    """What went wrong after each error click: the first error after it in its session."""
    from ..engine.friction import error_rows

    e, _ = error_rows(fr, p)
    default = f"error within {_fmt_s(p.window_ms)}"
    if not len(e) or not len(err):
        return [default] * len(err)
    # click rows: find their positions from (session, seq), both sorted in engine order
    sid_index = pd.Index(pd.Series(fr.strings("session_id", _firsts(fr))).astype(str))
    csid = sid_index.get_indexer(err["session_id"].astype(str))
    span = np.int64(int(fr.seq.max()) + 2)
    ckey = csid.astype("int64") * span + err["seq"].to_numpy(dtype="int64")
    ekey = fr.sid[e] * span + fr.seq[e]
    j = np.searchsorted(ekey, ckey, side="right")
    ok = j < len(e)
    jj = np.where(ok, j, 0)
    ok &= fr.sid[e[jj]] == csid
    rows = e[jj[ok]]
    ev_names = np.asarray(fr.ev_names + [""], dtype=object)[fr.ev[rows]]

    def col(name: str) -> pd.Series:
        if not fr.has(name):
            return pd.Series("", index=range(len(rows)), dtype=object)
        v = pd.Series(fr.frame[name].array.take(rows)).astype(object)
        return v.where(v.notna(), "").astype(str)

    request = (col("method") + " " + col("request_url")).str.strip()
    status = col("status")
    net_text = (request + " -> " + status).str.strip()
    msg_text = (pd.Series(ev_names, dtype=object) + ": " + col("message").str.slice(0, 80)
                ).str.rstrip(": ")
    text = np.where(ev_names == "network", net_text, msg_text)
    out = np.full(len(err), default, dtype=object)
    out[np.flatnonzero(ok)] = text
    return list(out)


def _thrash_signals(engine: _Engine, p: ThrashParams) -> pd.DataFrame:
    extra = ("reversals", "duration_ms")
    if "x" not in engine.frame.columns:
        return _empty_signals(extra)
    revs = engine.run("thrash_reversals", window_ms=p.window_ms, min_speed_px_s=p.min_speed_px_s,
                      min_leg_px=p.min_leg_px, max_gap_ms=p.max_gap_ms)
    hit = revs.loc[revs["n"] >= p.min_reversals].sort_values(["session_id", "t_ms", "seq"])
    if hit.empty:
        return _empty_signals(extra)
    sid = hit["session_id"].to_numpy()
    t = hit["t_ms"].to_numpy()
    new = np.ones(len(hit), dtype=bool)
    new[1:] = (sid[1:] != sid[:-1]) | (t[1:] - t[:-1] > p.window_ms)
    hit = hit.assign(episode=np.cumsum(new))
    g = hit.groupby("episode", sort=True)
    ep = pd.DataFrame({
        "session_id": g["session_id"].first(), "t1": g["t_ms"].max(), "t_flag": g["t_ms"].min(),
    }).reset_index()
    # the episode covers every reversal of the windows that crossed the threshold
    both = revs[["session_id", "seq", "t_ms", "url"]].merge(ep, on="session_id")
    inside = both.loc[(both["t_ms"] >= both["t_flag"] - p.window_ms)
                      & (both["t_ms"] <= both["t1"])]
    gi = inside.sort_values(["episode", "t_ms", "seq"]).groupby("episode", sort=True)
    ep = pd.DataFrame({
        "session_id": gi["session_id"].first(), "t0": gi["t_ms"].min(), "t1": gi["t_ms"].max(),
        "seq": gi["seq"].first(), "url": gi["url"].first(), "reversals": gi.size(),
    })
    return _signal_frame("thrashed_cursor", {
        "session_id": ep["session_id"], "timestamp": _ts(ep["t0"]),
        "seq": ep["seq"], "url": ep["url"], "count": ep["reversals"],
        "evidence": [f"{int(r)} horizontal direction reversals in {d / 1000:.2f} s"
                     for r, d in zip(ep["reversals"], ep["t1"] - ep["t0"])],
        "reversals": ep["reversals"].astype("int64"), "duration_ms": (ep["t1"] - ep["t0"]),
    }, extra)


def _scroll_signals(engine: _Engine, p: ScrollParams) -> pd.DataFrame:
    extra = ("travel_px",)
    if "scroll_y" not in engine.frame.columns:
        return _empty_signals(extra)
    visits = engine.run("scroll_visits")
    ref = visits["page_h"].astype("float64")
    explored = visits["max_y"].astype("float64") + visits["viewport_h"].astype("float64")
    ref = ref.where(ref.notna() & (ref > 0), explored)
    ratio = visits["travel"].astype("float64") / ref
    ex = visits.loc[(ratio >= p.excessive_page_heights).fillna(False)]
    r = ratio.loc[ex.index]
    excessive = _signal_frame("excessive_scroll", {
        "session_id": ex["session_id"], "timestamp": _ts(ex["t_ms"]),
        "seq": ex["seq"], "url": ex["url"], "count": np.ones(len(ex), dtype="int64"),
        "evidence": [f"scrolled {tr:,.0f} px, {rr:.1f}x the page height"
                     for tr, rr in zip(ex["travel"], r)],
        "travel_px": ex["travel"].astype("float64"),
    }, extra)
    legs = engine.run("scroll_legs")
    prev = legs["prev_travel"].astype("float64")
    cur = legs["travel"].astype("float64")
    gap = legs["start_ms"] - legs["prev_end_ms"]
    u = legs.loc[((prev >= p.min_leg_px) & (-cur >= p.return_ratio * prev)
                  & (gap <= p.uturn_ms)).fillna(False)]
    uturns = _signal_frame("scroll_uturn", {
        "session_id": u["session_id"], "timestamp": _ts(u["start_ms"]),
        "seq": u["seq"], "url": u["url"], "count": np.ones(len(u), dtype="int64"),
        "evidence": [f"scrolled down {a:,.0f} px, then back up {-b:,.0f} px"
                     for a, b in zip(u["prev_travel"], u["travel"])],
        "travel_px": u["travel"].astype("float64"),
    }, extra)
    return pd.concat([excessive, uturns], ignore_index=True)


def _quick_back_signals(engine: _Engine, p: QuickBackParams) -> pd.DataFrame:
    extra = ("from_url", "dwell_ms")
    if "url" not in engine.frame.columns:
        return _empty_signals(extra)
    qb = engine.run("quick_backs", max_ms=p.max_ms, inclusive=p.inclusive)
    return _signal_frame("quick_back", {
        "session_id": qb["session_id"], "timestamp": _ts(qb["t_ms"]),
        "seq": qb["seq"], "url": qb["url"], "count": np.ones(len(qb), dtype="int64"),
        "evidence": [f"left after {_fmt_s(d)}, back to {_page(f)}"
                     for d, f in zip(qb["dwell_ms"], qb["from_url"])],
        "from_url": qb["from_url"], "dwell_ms": qb["dwell_ms"],
    }, extra)


def _hesitation_signals(engine: _Engine, p: HesitationParams) -> pd.DataFrame:
    extra = ("idle_ms",)
    h = engine.run("hesitations", actions=p.actions, min_ms=p.min_ms, max_ms=p.max_ms)
    return _signal_frame("hesitation", {
        "session_id": h["session_id"], "timestamp": _ts(h["t_ms"]),
        "seq": h["seq"], "url": h["url"], "target": h["target"],
        "element": _short_many(h["target"]).to_numpy(),
        "count": np.ones(len(h), dtype="int64"),
        "evidence": (pd.Series(h["idle_ms"].to_numpy() / 1000, dtype="float64").round(1)
                     .astype(str) + " s without acting before the click").to_numpy(),
        "idle_ms": h["idle_ms"],
    }, extra)


def _form_signals(engine: _Engine, flags: pd.DataFrame, p: FormParams) -> pd.DataFrame:
    extra = ("inputs", "fields")
    fr = engine.fr
    typed = fr.mask("input").copy()
    if not typed.any():
        return _empty_signals(extra)
    tcodes, tcats = fr.codes("target")
    if fr.has("checked") and fr.has("target"):
        # ticking a box is not typing: drop inputs on targets ever seen checked
        toggles = np.unique(tcodes[typed & (fr.flag("checked") == 1)])
        if len(toggles):
            typed &= ~np.isin(tcodes, toggles[toggles >= 0])
    rows = np.flatnonzero(typed)
    if not len(rows):
        return _empty_signals(extra)
    ucodes, ucats = fr.codes("url")
    nu = np.int64(len(ucats) + 1)

    def key(pos: np.ndarray, url_pos: np.ndarray | None = None) -> np.ndarray:
        u = ucodes[pos if url_pos is None else url_pos].astype("int64") + 1
        return fr.sid[pos] * nu + u

    k = key(rows)
    groups, first_i, inv = np.unique(k, return_index=True, return_inverse=True)
    n_inputs = np.bincount(inv)
    last_i = np.zeros(len(groups), dtype="int64")
    np.maximum.at(last_i, inv, np.arange(len(rows)))
    first_pos, last_pos = rows[first_i], rows[last_i]
    nt = np.int64(len(tcats) + 1)
    pairs = np.unique(inv.astype("int64") * nt + tcodes[rows] + 1)
    fields = np.bincount(pairs // nt, weights=(pairs % nt) > 0, minlength=len(groups))

    # Submissions (key, position): a submit event, a working press on a submit control, or
    # a navigation straight after typing (Enter submits a form).
    clicks = np.flatnonzero(fr.mask(*CLICK_EVENTS))
    press = flags["press"].to_numpy(dtype=bool)
    yes = re.compile(p.submit_pattern or SUBMIT_PATTERN, re.IGNORECASE)
    no = re.compile(NOT_SUBMIT_PATTERN, re.IGNORECASE)
    grey = re.compile(DISABLED_PATTERN)
    submit_cat = np.array([bool(yes.search(t) and not no.search(t)) for t in tcats] + [False])
    grey_cat = np.array([bool(grey.search(t)) for t in tcats] + [False])
    tc = tcodes[clicks]
    tried = press & submit_cat[tc]
    bad = flags["rage"].to_numpy(dtype=bool) | flags["dead"].to_numpy(dtype=bool) | grey_cat[tc]
    sub_pos = [clicks[tried & ~bad]]
    sub_key = [key(sub_pos[0])]
    if p.submit_events:
        se = np.flatnonzero(fr.mask(*p.submit_events))
        sub_pos.append(se)
        sub_key.append(key(se))
    pv = np.flatnonzero(fr.mask("pageview"))
    seqs = np.concatenate([rows, pv, clicks[press]])
    kind = np.concatenate([np.zeros(len(rows), "int8"), np.ones(len(pv), "int8"),
                           np.full(int(press.sum()), 2, "int8")])
    order = np.argsort(seqs, kind="stable")
    seqs, kind = seqs[order], kind[order]
    enter = np.zeros(len(seqs), dtype=bool)
    if len(seqs) > 1:
        enter[1:] = ((kind[1:] == 1) & (kind[:-1] == 0) & (fr.sid[seqs[1:]] == fr.sid[seqs[:-1]])
                     & (ucodes[seqs[1:]] != ucodes[seqs[:-1]]))
    hit = np.flatnonzero(enter)
    sub_pos.append(seqs[hit])
    sub_key.append(key(seqs[hit - 1]))
    sk = np.concatenate(sub_key)
    sp = np.concatenate(sub_pos)
    # latest submission per key, then compare with the group's first input
    latest = np.full(len(groups), -1, dtype="int64")
    j = np.searchsorted(groups, sk)
    inside = j < len(groups)
    inside[inside] &= groups[j[inside]] == sk[inside]
    np.maximum.at(latest, j[inside], sp[inside])
    keep = (n_inputs >= p.min_inputs) & ~(latest > first_pos)
    rage_tries = np.zeros(len(groups), dtype="int64")
    rt = clicks[tried & flags["rage"].to_numpy(dtype=bool)]
    if len(rt):
        jr = np.searchsorted(groups, key(rt))
        ok = (jr < len(groups))
        ok[ok] &= groups[jr[ok]] == key(rt)[ok]
        np.add.at(rage_tries, jr[ok], 1)
    g = np.flatnonzero(keep)
    pos = last_pos[g]
    inputs_s = pd.Series(n_inputs[g]).astype(str)
    fields_s = pd.Series(fields[g].astype("int64")).astype(str)
    text = "typed " + inputs_s + " inputs in " + fields_s + " field(s), never submitted"
    rage_s = pd.Series(rage_tries[g])
    text = text.where(rage_s == 0, text + "; " + rage_s.astype(str)
                      + " rage clicks on the submit control")
    target = fr.strings("target", pos)
    return _signal_frame("form_abandonment", {
        "session_id": fr.strings("session_id", pos), "timestamp": fr.timestamps(pos),
        "seq": fr.seq[pos], "url": fr.strings("url", pos), "target": target,
        "element": _short_many(pd.Series(target, dtype=object)).to_numpy(),
        "count": np.ones(len(g), "int64"), "evidence": text.to_numpy(),
        "inputs": n_inputs[g].astype("int64"), "fields": fields[g].astype("int64"),
    }, extra)


def _edit_signals(frame: pd.DataFrame, p: EditParams) -> pd.DataFrame:
    extra = ("visits", "clears")
    ev = frame["event"]
    is_input = (ev == "input").to_numpy()
    if not is_input.any() or "target" not in frame:
        return _empty_signals(extra)
    cols = ["session_id", "seq", "timestamp", "target"] + [
        c for c in ("url", "value") if c in frame]
    inp = frame.loc[is_input, cols].reset_index(drop=True)
    inp = inp.loc[inp["target"].notna()].reset_index(drop=True)
    if inp.empty:
        return _empty_signals(extra)
    sid = inp["session_id"].astype(str).to_numpy()
    tgt = inp["target"].astype(str).to_numpy()
    start = np.ones(len(inp), dtype=bool)
    start[1:] = (sid[1:] != sid[:-1]) | (tgt[1:] != tgt[:-1])
    inp["visit_start"] = start
    if "value" in inp:
        length = inp["value"].astype(object).map(
            lambda v: len(v) if isinstance(v, str) else np.nan).astype("float64")
        prev = length.groupby([inp["session_id"], inp["target"]], observed=True,
                              sort=False).shift()
        inp["clear"] = ((length == 0) & (prev > 0)).to_numpy()
    else:
        inp["clear"] = False
    g = inp.groupby(["session_id", "target"], observed=True, sort=False)
    per = pd.DataFrame({
        "visits": g["visit_start"].sum(), "clears": g["clear"].sum(),
        "seq": g["seq"].max(), "timestamp": g["timestamp"].max(),
    })
    per["url"] = g["url"].last() if "url" in inp else None
    per = per.loc[(per["visits"] >= p.min_visits) | (per["clears"] >= p.min_clears)]
    per = per.reset_index()
    return _signal_frame("repeated_edit", {
        "session_id": per["session_id"], "timestamp": per["timestamp"],
        "seq": per["seq"], "url": per["url"], "target": per["target"].astype(object),
        "element": _short_many(per["target"]).to_numpy(),
        "count": per["visits"].astype("int64"),
        "evidence": [f"edited in {int(v)} separate visits, cleared {int(c)} times"
                     for v, c in zip(per["visits"], per["clears"])],
        "visits": per["visits"].astype("int64"), "clears": per["clears"].astype("int64"),
    }, extra)
