"""The engine-free funnel rows of an in-memory frame (``uxlens.engine.funnel_frame``)
equal the engine's, row for row, on generated logs: every unit, instant, step and
exclusion mask, breakdown value and kept twin, and so every funnel result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import uxlens.funnel as funnel_module
from uxlens.engine import funnel_frame
from uxlens.engine.funnel import FunnelSpec, StepSpec
from uxlens.exceptions import SchemaError
from uxlens.funnel import Exclusion, Funnel, Step

from ._build import engine_rows_only

T0 = pd.Timestamp("2024-03-04", tz="UTC")
NAMES = ["A", "B", "C", "D", "X"]
URLS = ["/a", "/b", "/c/1", "/c/2", None]
TARGETS = ["button#go", "a.next", None]


def _log(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 60))
    last_user = draw(st.sampled_from([3, 4]))  # with or without anonymous rows
    rows = draw(st.lists(
        st.tuples(
            st.integers(0, last_user),  # user (4: anonymous)
            st.integers(0, 2),  # session of that user
            st.integers(0, 30),  # seconds (small range: same-instant twins are common)
            st.sampled_from(NAMES),
            st.sampled_from(["mobile", "desktop", None]),
            st.sampled_from(URLS),
            st.sampled_from(TARGETS),
        ),
        min_size=n, max_size=n,
    ))
    # Every name occurs (a step that never happens is an error, tested elsewhere).
    rows += [(draw(st.integers(0, last_user)), 0, draw(st.integers(0, 30)), name, None,
              "/a", "button#go") for name in NAMES]
    frame = pd.DataFrame({
        "session_id": [f"s{r[0]}-{r[1]}" for r in rows],
        "user_id": [None if r[0] == 4 else f"u{r[0]}" for r in rows],
        "timestamp": [T0 + pd.Timedelta(seconds=r[2]) for r in rows],
        "event": pd.Categorical([r[3] for r in rows], categories=NAMES),
        "device": [r[4] for r in rows],
        # Unused categories too, as after a filter.
        "url": pd.Categorical([r[5] for r in rows], categories=[u for u in URLS if u] + ["/z"]),
        "target": pd.Categorical([r[6] for r in rows], categories=[t for t in TARGETS if t]),
    })
    # The canonical order (session, time) the readers produce; positions then
    # break ties between twins as (session, seq) does.
    frame = frame.sort_values(["session_id", "timestamp"], kind="stable").reset_index(drop=True)
    frame["seq"] = frame.groupby("session_id").cumcount().astype(np.int64)
    # Now and then a row without a session or a time (a raw frame): left out by both paths.
    holes = draw(st.lists(st.integers(0, len(frame) - 1), max_size=3))
    if holes and draw(st.booleans()):
        frame["session_id"] = frame["session_id"].astype(
            draw(st.sampled_from(["object", "string[pyarrow]"])))
        frame.loc[holes[:2], "session_id"] = None
        frame.loc[holes[2:], "timestamp"] = pd.NaT
    return frame


@st.composite
def cases(draw: st.DrawFn) -> tuple[pd.DataFrame, dict]:
    frame = _log(draw)
    step = st.one_of(
        st.sampled_from(NAMES[:4]),  # by name alone, or also by URL or target:
        st.builds(lambda e, u: Step(e, url=u), st.sampled_from(NAMES[:4]),
                  st.sampled_from(["/a", "/c/*", "/b"])),
        st.builds(lambda e, t: Step(e, target=t), st.sampled_from(NAMES[:4]),
                  st.sampled_from(["button", "a.next", "#go"])),
    )
    steps = draw(st.lists(step, min_size=2, max_size=4, unique_by=repr))
    kw: dict = {
        "order": draw(st.sampled_from(["ordered", "unordered"])),
        "unit": draw(st.sampled_from(["user", "session"])),
        "window": f"{draw(st.integers(1, 40))}s",
    }
    if draw(st.booleans()):
        if kw["order"] == "unordered":  # only over the whole funnel
            start, end = 1, len(steps)
        else:
            start = draw(st.integers(1, len(steps) - 1))
            end = draw(st.integers(start + 1, len(steps)))
        excluded = draw(st.sampled_from(["X", Step("X", url="/b")]))
        kw["exclusions"] = [Exclusion(excluded, start, end)]
    if draw(st.booleans()):
        kw["breakdown"] = "device"
        kw["attribution"] = draw(st.sampled_from(["first_touch", "last_touch", "all_events"]))
    return frame, {"steps": steps, **kw}


def _rows_as_records(f: Funnel) -> list[tuple]:
    rows, _ = f._scores()
    units = rows.unit_labels(rows.unit_code)
    values = [rows.values[c] if c >= 0 else None for c in rows.bd_code]
    return list(zip(units.tolist(), rows.t.tolist(), rows.smask.tolist(),
                    rows.xmask.tolist(), values, rows.sid_code.tolist()))


def _both(frame: pd.DataFrame, kw: dict) -> tuple[Funnel, Funnel]:
    local = Funnel(frame, **kw)
    with pytest.MonkeyPatch.context() as mp:
        engine_rows_only(mp)
        engine = Funnel(frame, **kw)
        engine._scores()
    return local, engine


def _assert_same(local: Funnel, engine: Funnel) -> None:
    # Sorted rows: units are coded in first-seen order on each side (no result depends on it).
    assert sorted(_rows_as_records(local), key=repr) == sorted(_rows_as_records(engine), key=repr)
    pd.testing.assert_frame_equal(local.table(), engine.table())
    pd.testing.assert_frame_equal(
        local.units().sort_values("unit_id", ignore_index=True),
        engine.units().sort_values("unit_id", ignore_index=True),
    )


@settings(max_examples=100, deadline=None)
@given(cases())
def test_frame_rows_equal_the_engine_rows(case: tuple[pd.DataFrame, dict]) -> None:
    frame, kw = case
    local, engine = _both(frame, kw)
    assert funnel_frame.supported(frame, local._spec)
    _assert_same(local, engine)


@settings(max_examples=40, deadline=None)
@given(cases())
def test_two_thread_path_equals_the_engine(case: tuple[pd.DataFrame, dict]) -> None:
    """The path large frames take (two halves encoded apart, then merged), forced on."""
    frame, kw = case
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(funnel_frame, "_PARALLEL_ROWS", 1)
        local, engine = _both(frame, kw)
        _assert_same(local, engine)


@pytest.mark.parametrize("dtype", ["object", "string[pyarrow]", "category"])
def test_id_column_types(dtype: str) -> None:
    frame = _fixed()
    for col in ("session_id", "user_id"):
        frame[col] = frame[col].astype(dtype)
    local, engine = _both(frame, {"steps": ["A", "B", "C"]})
    _assert_same(local, engine)
    assert local.table()["count"].tolist() == [3, 2, 1]


def _fixed() -> pd.DataFrame:
    """u1 A B C; u2 A B (+ a twin B at the same instant); anonymous session a A."""
    ev = [("u1", "s1", 0, "A"), ("u1", "s1", 5, "B"), ("u1", "s1", 9, "C"),
          ("u2", "s2", 0, "A"), ("u2", "s2", 3, "B"), ("u2", "s2", 3, "B"),
          (None, "a", 1, "A"), (None, "a", 2, "X")]
    return pd.DataFrame({
        "session_id": [e[1] for e in ev],
        "user_id": [e[0] for e in ev],
        "timestamp": [T0 + pd.Timedelta(seconds=e[2]) for e in ev],
        "event": pd.Categorical([e[3] for e in ev], categories=NAMES),
        "seq": np.arange(len(ev), dtype=np.int64),
    })


def test_hand_computed_rows() -> None:
    rows = funnel_frame.frame_rows(
        _fixed(), FunnelSpec((StepSpec("A"), StepSpec("B"), StepSpec("C")), 60_000), None
    )
    assert rows.unit_labels(rows.unit_code).tolist() == ["u1", "u1", "u1", "u2", "u2", "a"]
    t0 = T0.value // 1_000_000  # epoch ms
    assert (rows.t - t0).tolist() == [0, 5000, 9000, 0, 3000, 1000]
    assert rows.smask.tolist() == [1, 2, 4, 1, 2, 1]
    assert rows.sid_code.tolist() == [0, 1, 2, 3, 4, 6]  # the twin at row 5 is dropped


def test_rows_without_time_or_session_are_left_out() -> None:
    frame = _fixed()
    frame["session_id"] = frame["session_id"].astype("string[pyarrow]")
    frame.loc[2, "timestamp"] = pd.NaT
    frame.loc[0, "session_id"] = None
    local, engine = _both(frame, {"steps": ["A", "B", "C"]})
    _assert_same(local, engine)
    # u1 lost its A (no session) and its C (no time): only u2 and the anonymous a start.
    assert local.table()["count"].tolist() == [2, 1, 0]


def test_one_step_matched_twice_and_integer_ids_use_the_engine() -> None:
    frame = _fixed()
    local, engine = _both(frame, {"steps": ["A", "B", "A"]})
    _assert_same(local, engine)
    frame["user_id"] = [1, 1, 1, 2, 2, 2, None, None]  # not strings: the engine casts them
    spec = FunnelSpec((StepSpec("A"), StepSpec("B")), 60_000)
    assert funnel_frame.frame_rows(frame, spec, None) is None
    local, engine = _both(frame, {"steps": ["A", "B"]})
    assert local.table()["count"].tolist() == engine.table()["count"].tolist() == [3, 2]


@pytest.mark.parametrize(
    "kw",
    [
        {"order": "strict"},
        {"where": {"device": "mobile"}},
        {"steps": [Step("A", where={"device": "mobile"}), "B"]},
    ],
)
def test_unsupported_funnels_are_left_to_the_engine(kw: dict) -> None:
    frame = _fixed().assign(device="mobile")
    f = Funnel(frame, **{"steps": ["A", "B"], **kw})
    assert not funnel_frame.supported(frame, f._spec)


def test_not_categorical_events_are_left_to_the_engine() -> None:
    frame = _fixed()
    frame["event"] = frame["event"].astype(str)
    spec = FunnelSpec((StepSpec("A"), StepSpec("B")), 60_000)
    assert not funnel_frame.supported(frame, spec)
    assert Funnel(frame, ["A", "B"]).table()["count"].tolist() == [3, 2]


@given(st.lists(st.sampled_from("abcdef"), min_size=0, max_size=40), st.integers(0, 40))
def test_merge_codes_is_one_coding(values: list[str], cut: int) -> None:
    cut = min(cut, len(values))
    halves = [funnel_frame._encode(pa.array(part, type=pa.string()))
              for part in (values[:cut], values[cut:])]
    codes, labels = funnel_frame._merge_codes(*halves)
    assert [labels[c].as_py() for c in codes] == values
    assert len(set(labels.to_pylist())) == len(labels)  # each value coded once


@pytest.mark.parametrize("dtype", ["object", "category", "string[pyarrow]", "boolean", "Int64"])
@pytest.mark.parametrize("attribution", ["first_touch", "all_events", "step:2"])
def test_breakdown_column_types(dtype: str, attribution: str) -> None:
    frame = _fixed()
    if dtype in ("boolean", "Int64"):
        values = [True, True, False, None, None, False, True, None]
        frame["bd"] = pd.array(values if dtype == "boolean" else
                               [None if v is None else int(v) for v in values], dtype=dtype)
    else:
        frame["bd"] = pd.Series(["a", "a", "b", None, "c", "c", "a", None]).astype(dtype)
    local, engine = _both(frame, {"steps": ["A", "B", "C"], "breakdown": "bd",
                                  "attribution": attribution})
    _assert_same(local, engine)


def test_naive_timestamps_are_refused_with_the_fix(rows_path: str) -> None:
    frame = _fixed()
    frame["timestamp"] = frame["timestamp"].dt.tz_localize(None)
    with pytest.raises(SchemaError, match=r"(?s)naive times.*assume_utc=True.*tz_localize\('UTC'\)"):
        Funnel(frame, ["A", "B"]).table()


def test_a_chosen_engine_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """backend= given, or another default engine: the frame path stands aside."""
    calls: list[int] = []
    real = funnel_module.frame_rows

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(funnel_module, "frame_rows", counting)
    frame = _fixed()
    default = Funnel(frame, ["A", "B", "C"]).table()
    assert calls == [1]
    from uxlens.engine.backend import get_backend

    chosen = Funnel(frame, ["A", "B", "C"], backend=get_backend()).table()
    assert calls == [1]  # not asked again: the engine ran it
    pd.testing.assert_frame_equal(chosen, default)

    class OtherEngine:
        name = "pyspark"

    # Another default engine (as after ux.connect(spark)); the query itself still
    # runs on the real default here, which the funnel module does not pick.
    monkeypatch.setattr(funnel_module, "get_backend", lambda backend=None: OtherEngine())
    pd.testing.assert_frame_equal(Funnel(frame, ["A", "B", "C"]).table(), default)
    assert calls == [1]  # the frame path was not taken


def test_rows_without_session_are_left_out_when_every_user_is_known() -> None:
    """The engine path then moves no session ids, but must still leave such rows out."""
    frame = _fixed().iloc[:6].copy()  # u1 and u2 only: every user known
    frame["session_id"] = frame["session_id"].astype("string[pyarrow]")
    frame.loc[0, "session_id"] = None  # u1's A
    local, engine = _both(frame, {"steps": ["A", "B", "C"]})
    _assert_same(local, engine)
    assert local.table()["count"].tolist() == [1, 1, 0]


@pytest.mark.parametrize("dtype", ["category", "object"])
def test_url_values_for_patterns_are_the_values_in_use(dtype: str) -> None:
    frame = _fixed()
    frame["url"] = pd.Categorical(["/a", "/b", None, "/a", "/c/1", "/c/1", None, "/b"],
                                  categories=["/a", "/b", "/c/1", "/unused"])
    frame["url"] = frame["url"].astype(dtype) if dtype == "object" else frame["url"]
    f = Funnel(frame, [Step("A", url="/a"), Step("B", url="/*")])
    assert sorted(f._distinct("url")) == ["/a", "/b", "/c/1"]
    assert f._spec.steps[1].urls == ("/a", "/b", "/c/1")
