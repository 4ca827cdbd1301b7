"""Properties of the funnel engine: the vectorised path equals the state machine
and an independent brute force, on random data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from uxlens.engine import funnel as E
from uxlens.funnel import Funnel

T0 = pd.Timestamp("2024-03-04", tz="UTC")

event_lists = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 40), st.integers(1, 4)), min_size=1, max_size=30
)


def _arrays(evs: list[tuple[int, int, int]], n: int):
    evs = [(u, t, min(s, n)) for u, t, s in evs]
    evs.sort(key=lambda e: (e[0], e[1], e[2]))
    key = np.array([e[0] for e in evs])
    _, key = np.unique(key, return_inverse=True)
    t = np.array([e[1] for e in evs], dtype=np.int64)
    step = np.array([e[2] for e in evs], dtype=np.int64)
    starts, ends = E._groups(key)
    return key, t, step, starts, ends


def brute_force(evs: list[tuple[int, int]], n: int, window: int) -> tuple[int, list[int]]:
    """Furthest step and times of one unit: the greedy chain from every step-1 event.

    Independent of PostHog's state machine: for each step-1 event, take the
    earliest next-step event after the previous one (same instant allowed, as
    later steps are applied after earlier ones) inside the window. The unit's
    result is the furthest chain; its times come from the chain completing
    earliest, latest start among ties.
    """
    order = sorted(range(len(evs)), key=lambda i: (evs[i][0], evs[i][1]))
    best_level, best_key, best_times = 0, None, []
    for pos, i in enumerate(order):
        t1, s = evs[i]
        if s != 1:
            continue
        chain, last = [t1], pos
        for k in range(2, n + 1):
            nxt = next(
                (p for p in range(last + 1, len(order))
                 if evs[order[p]][1] == k and evs[order[p]][0] - t1 <= window),
                None,
            )
            if nxt is None:
                break
            chain.append(evs[order[nxt]][0])
            last = nxt
        level = len(chain)
        key = (level, -chain[-1], t1)
        if best_key is None or key > best_key:
            best_level, best_key, best_times = level, key, chain
    return best_level, best_times


@settings(max_examples=200, deadline=None)
@given(event_lists, st.integers(2, 4), st.integers(0, 25))
def test_fast_path_equals_state_machine(evs, n, window) -> None:
    key, t, step, starts, ends = _arrays(evs, n)
    smask = (1 << (step - 1)).astype(np.int64)
    zeros = np.zeros(len(t), dtype=np.int64)
    fast = E.ordered_fast(t, step, starts, ends, n, window)
    machine = E.ordered_machine(t, smask, zeros, zeros, starts, ends, n, window)
    for a, b in zip(fast, machine):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=200, deadline=None)
@given(event_lists, st.integers(2, 4), st.integers(0, 25))
def test_state_machine_equals_brute_force(evs, n, window) -> None:
    key, t, step, starts, ends = _arrays(evs, n)
    smask = (1 << (step - 1)).astype(np.int64)
    zeros = np.zeros(len(t), dtype=np.int64)
    reached, times, _ = E.ordered_machine(t, smask, zeros, zeros, starts, ends, n, window)
    for g, (a, b) in enumerate(zip(starts, ends)):
        unit = list(zip(t[a:b].tolist(), step[a:b].tolist()))
        level, chain = brute_force(unit, n, window)
        assert reached[g] == level
        assert times[g, :level].tolist() == chain


@settings(max_examples=40, deadline=None)
@given(event_lists, st.integers(1, 25))
def test_funnel_counts_never_increase_and_match_units(evs, window) -> None:
    names = ["A", "B", "C", "D"]
    df = pd.DataFrame(
        {
            "session_id": [f"s{u}" for u, _, _ in evs],
            "user_id": [f"u{u}" for u, _, _ in evs],
            "timestamp": [T0 + pd.Timedelta(seconds=t) for _, t, _ in evs],
            "event": [names[s - 1] for _, _, s in evs],
        }
    )
    present = set(df["event"])
    steps = [s for s in names if s in present]
    if len(steps) < 2 or "A" not in present:
        return
    for order in ("ordered", "strict", "unordered"):
        f = Funnel(df, steps, window=pd.Timedelta(seconds=window), order=order)
        counts = f.table()["count"].to_numpy()
        assert (np.diff(counts) <= 0).all()
        reached = f.units()["reached"].to_numpy()
        assert counts.tolist() == [(reached >= k).sum() for k in range(1, len(steps) + 1)]


@pytest.mark.parametrize(
    "selector, path, expected",
    [
        ("#send", "body > div > button#send.btn > span", True),
        ("button#send", "body > button#send", True),
        ("button#send", "body > a#send", False),
        (".btn.primary", "body > button.btn.primary.lg", True),
        (".btn.primary", "body > button.btn", False),
        ("div.modal > button", "body > div.modal > button#ok", True),
        ("div.modal > button", "body > div.modal > form > button#ok", False),
        ("div.modal button", "body > div.modal > form > button#ok", True),
        ("body > button", "body > button", True),
        ("main > div.card:nth-of-type(3) > button", "main > div.card > button.b3", True),
        ("*send*", "body > button#send", True),
        ("re:#se.d$", "body > button#send", True),
        ("nav", "body > main > button", False),
    ],
)
def test_selector_matches(selector: str, path: str, expected: bool) -> None:
    assert E.selector_matches(selector, path) is expected


def test_breakdown_codes_are_order_independent_labels() -> None:
    import pyarrow as pa

    a, ua = E._breakdown_codes(pa.array(["b", "a", None, "b"]))
    b, ub = E._breakdown_codes(pa.array(["a", "b", "b", None]))
    assert ua.tolist() == ub.tolist() == ["a", "b"]
    assert a.tolist() == [1, 0, -1, 1]
    assert b.tolist() == [0, 1, 1, -1]
    nums, labels = E._breakdown_codes(pa.array([2.0, 1.5, None]))
    assert labels.tolist() == ["1.5", "2"] and nums.tolist() == [1, 0, -1]
    flags, labels = E._breakdown_codes(pa.array([True, False]))
    assert labels.tolist() == ["False", "True"] and flags.tolist() == [1, 0]


def test_lowest_bit_and_one_bit() -> None:
    masks = np.array([0, 1, 2, 6, 8, 5], dtype=np.int64)
    assert E._lowest_bit(masks).tolist() == [0, 1, 2, 2, 4, 1]
    assert E._one_bit(masks).tolist() == [False, True, True, False, True, False]


def test_scoring_method_follows_the_funnel() -> None:
    df = pd.DataFrame(
        {
            "session_id": ["s"] * 3,
            "user_id": ["u"] * 3,
            "timestamp": [T0 + pd.Timedelta(seconds=i) for i in range(3)],
            "event": ["A", "B", "X"],
        }
    )
    from uxlens.funnel import Exclusion

    def method(**kw) -> str:
        f = Funnel(df, kw.pop("steps", ["A", "B"]), **kw)
        return f._scores()[1].extra["method"]

    assert method() == "ordered_fast"
    assert method(steps=["A", "A"]) == "ordered_machine"
    assert method(order="strict") == "ordered_machine"
    assert method(exclusions=[Exclusion("X", 1, 2)]) == "ordered_machine"
    assert method(order="unordered") == "unordered_machine"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 12), st.integers(0, 3)),
             min_size=1, max_size=30),
    st.integers(1, 8),
)
def test_strict_breaker_compression_is_exact(evs, window) -> None:
    names = ["X", "A", "B", "C"]  # X: any other event
    df = pd.DataFrame(
        {
            "session_id": [f"s{u}" for u, _, _ in evs],
            "user_id": [f"u{u}" for u, _, _ in evs],
            "timestamp": [T0 + pd.Timedelta(seconds=t) for _, t, _ in evs],
            "event": [names[e] for _, _, e in evs],
        }
    )
    if not {"A", "B", "C"} <= set(df["event"]):
        return
    kw = {"window": pd.Timedelta(seconds=window), "order": "strict"}
    compressed = Funnel(df, ["A", "B", "C"], **kw).units()
    original = E._strict_breakers
    E._strict_breakers = lambda rows: rows
    try:
        full = Funnel(df, ["A", "B", "C"], **kw).units()
    finally:
        E._strict_breakers = original
    pd.testing.assert_frame_equal(compressed, full)
