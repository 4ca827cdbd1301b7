"""Click grids: normalisation across viewports, fixed layers, skipped events, segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uxlens.eventlog import EventLog
from uxlens.exceptions import UxlensError
from uxlens.heatmap import Heatmap

from ._build import PAGE, events, session

FRACTIONS = [(0.1, 100.0), (0.5, 500.0), (0.9, 900.0)]
MOBILE = [(0.25, 200.0), (0.75, 1200.0)]


def _three_widths() -> pd.DataFrame:
    rows = []
    for i, w in enumerate([1280, 1440, 1440, 1920]):
        rows += session(f"d{i}", w, [(f * w, y) for f, y in FRACTIONS])
    for i, w in enumerate([360, 390, 390, 412]):
        rows += session(f"m{i}", w, [(f * w, y) for f, y in MOBILE], height=700)
    return events(rows)


def _cells(g: pd.DataFrame) -> set[tuple]:
    return {(r.device, r.layer, r.x_bin, r.y_bin, r.count, r.sessions)
            for r in g.itertuples(index=False)}


def test_hand_placed_clicks_land_in_expected_bins_across_viewport_widths():
    h = Heatmap(_three_widths(), url="/onboarding/invite", background=None)
    assert h.reference_widths() == {"desktop": 1440, "mobile": 390}
    g = h.grid(bin_px=40)
    # desktop: 0.1*1440=144 -> bin 3, 720 -> 18, 1296 -> 32; y 100/500/900 -> 2/12/22
    # mobile: 0.25*390=97.5 -> bin 2, 292.5 -> 7; y 200/1200 -> 5/30
    assert _cells(g) == {
        ("desktop", "page", 3, 2, 4, 4), ("desktop", "page", 18, 12, 4, 4),
        ("desktop", "page", 32, 22, 4, 4),
        ("mobile", "page", 2, 5, 4, 4), ("mobile", "page", 7, 30, 4, 4),
    }
    desk = g.loc[g["device"] == "desktop"].sort_values("x_bin")
    assert desk["x"].tolist() == [140.0, 740.0, 1300.0]
    assert np.allclose(desk["x_frac"], np.array([140, 740, 1300]) / 1440)
    assert desk["share"].tolist() == pytest.approx([1 / 3] * 3)


def test_width_override_redraws_every_device_on_that_layout():
    g = Heatmap(_three_widths(), url="/onboarding/invite", background=None, width=1000).grid(40)
    assert {(r.device, r.x_bin, r.y_bin) for r in g.itertuples()} == {
        ("desktop", 2, 2), ("desktop", 12, 12), ("desktop", 22, 22),
        ("mobile", 6, 5), ("mobile", 18, 30),
    }


def test_device_filter_keeps_one_map():
    g = Heatmap(_three_widths(), url=PAGE, device="mobile", background=None).grid(40)
    assert set(g["device"]) == {"mobile"} and g["count"].sum() == 8


def test_fixed_header_clicks_are_placed_in_viewport_coordinates():
    rows = []
    for i, scroll in enumerate([0.0, 400.0, 1200.0, 2000.0, 800.0, 1600.0]):
        rows += session(f"s{i}", 1440, [
            (700.0, 30.0 + scroll, scroll, "body > header#top > button.menu"),
            (300.0, 1500.0, scroll if scroll < 1500 else 1000.0, "body > main > p"),
        ])
    h = Heatmap(events(rows), url=PAGE, background=None)
    fixed = h.fixed()
    assert fixed[["kind", "source", "selector"]].values.tolist() == [
        ["selector", "clicks", "body > header#top > button.menu"]]
    g = h.grid(bin_px=40)
    assert _cells(g) == {("desktop", "fixed", 17, 0, 6, 6), ("desktop", "page", 7, 37, 6, 6)}


def _css_recording(sid: str) -> list[dict]:
    node = {"type": 0, "id": 1, "childNodes": [
        {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
            {"type": 2, "id": 3, "tagName": "head", "attributes": {}, "childNodes": [
                {"type": 2, "id": 4, "tagName": "style", "attributes": {}, "childNodes": [
                    {"type": 3, "id": 5, "isStyle": True,
                     "textContent": "header.bar { position: sticky; top: 0 } p { color: red }"}]}]},
            {"type": 2, "id": 6, "tagName": "body", "attributes": {}, "childNodes": [
                {"type": 2, "id": 7, "tagName": "header", "attributes": {"class": "bar"},
                 "childNodes": [{"type": 2, "id": 8, "tagName": "a", "attributes": {"href": "/"},
                                 "childNodes": []}]},
                {"type": 2, "id": 9, "tagName": "p", "attributes": {}, "childNodes": []}]}]}]}
    t0 = pd.Timestamp("2024-01-01T00:00:00Z").value // 1_000_000
    return [{"type": 4, "timestamp": t0, "data": {"href": PAGE, "width": 1440, "height": 800}},
            {"type": 2, "timestamp": t0, "data": {"node": node, "initialOffset": {"top": 0}}}]


def test_fixed_elements_from_the_snapshot_css():
    # Two clicks only: too few for the click heuristic, so the CSS must decide.
    rows = session("s1", 1440, [(100.0, 20.0, 0.0, "body > header.bar > a"),
                                (100.0, 620.0, 600.0, "body > header.bar > a"),
                                (500.0, 900.0, 600.0, "body > p")])
    log = EventLog(events(rows), recordings={"s1": _css_recording("s1")})
    h = Heatmap(log, url=PAGE, background=None)
    assert h.fixed()[["source", "selector"]].values.tolist() == [
        ["snapshot css", "body > header.bar"]]
    g = h.grid(bin_px=100)
    assert _cells(g) == {("desktop", "fixed", 1, 0, 2, 1), ("desktop", "page", 5, 9, 1, 1)}


def test_skipped_events_are_counted_with_their_reason_and_nothing_is_lost():
    rows = session("ok", 1440, [(100.0, 100.0), (200.0, 200.0)])
    rows += [
        dict(session_id="bad", t=1, event="click", x=None, y=None, viewport_w=1440,
             viewport_h=800, target="button#a"),
        dict(session_id="bad", t=2, event="click", x=10.0, y=10.0, viewport_w=0, viewport_h=0),
        dict(session_id="bad", t=3, event="click", x=10.0, y=10.0, viewport_w=None,
             viewport_h=None),
        dict(session_id="bad", t=4, event="click", x=1500.0, y=10.0, viewport_w=1440,
             viewport_h=800),
        dict(session_id="bad", t=5, event="click", x=10.0, y=3500.0, viewport_w=1440,
             viewport_h=800, page_h=3000),
        dict(session_id="bad", t=6, event="click", x=10.0, y=-5.0, viewport_w=1440,
             viewport_h=800),
        dict(session_id="other", t=7, event="pageview", viewport_w=1440, viewport_h=800,
             url="https://app.example.com/onboarding/profile"),
    ]
    h = Heatmap(events(rows), url="/onboarding/*", background=None)
    sk = h.skipped
    per = sk.groupby([sk["url"].str.rsplit("/", n=1).str[-1], "reason"])["events"].sum()
    assert sorted((u, r, int(n)) for (u, r), n in per.items()) == [
        ("invite", "no_coordinates", 1), ("invite", "outside_page", 3),
        ("invite", "zero_viewport", 2), ("profile", "no_events", 0),
    ]
    assert sk.loc[sk["reason"] == "no_events", "sessions"].tolist() == [1]
    assert sk["detail"].notna().all()
    placed = h.grid()["count"].sum()
    assert placed == 2 and placed + sk["events"].sum() == 8  # every click accounted for
    assert h.summary()["skipped"] == 6


def test_url_patterns_and_unknown_page():
    rows = session("a", 1440, [(10.0, 10.0)])
    rows += session("b", 1440, [(10.0, 10.0)], url="https://app.example.com/project/12")
    rows += session("c", 1440, [(10.0, 10.0)], url="https://app.example.com/project/12/edit")
    ev = events(rows)
    assert Heatmap(ev, url="/project/*").urls == [
        "https://app.example.com/project/12", "https://app.example.com/project/12/edit"]
    assert Heatmap(ev, url=r"re:/project/\d+$").urls == ["https://app.example.com/project/12"]
    assert Heatmap(ev, url=PAGE).urls == [PAGE]
    with pytest.raises(UxlensError, match="Did you mean '/onboarding/invite'"):
        _ = Heatmap(ev, url="/onboarding/invit").urls


def test_segments_by_dict_version_ids_and_session_list():
    rows = []
    for i in range(6):
        rows += session(f"s{i}", 1440, [(100.0 * (i + 1), 50.0)],
                        source="paid" if i % 2 else "organic", version="AB"[i % 3 == 0])
    ev = events(rows)
    log = EventLog(ev)
    def sessions_of(**kw):
        h = Heatmap(log, url=PAGE, background=None, **kw)
        return sorted(h.sessions_at(0, 0, 10_000).ids)

    assert sessions_of(segment={"source": "paid"}) == ["s1", "s3", "s5"]
    assert sessions_of(version="B") == ["s0", "s3"]
    assert sessions_of(segment={"source": ["paid"]}, version="A") == ["s1", "s5"]
    assert sessions_of(segment=["s2", "s4"]) == ["s2", "s4"]
    assert sessions_of(segment=log.sessions(source="organic")) == ["s0", "s2", "s4"]
    with pytest.raises(UxlensError, match="Did you mean 'source'"):
        Heatmap(log, url=PAGE, segment={"sourc": "paid"}).grid()


def test_element_relative_alignment_follows_a_reflowed_layout():
    boxes = pd.DataFrame({
        "device": "desktop", "viewport_w": [1440, 1280], "target": "button#send",
        "left": [1000.0, 840.0], "top": [200.0, 260.0], "width": [200.0, 180.0],
        "height": [40.0, 40.0]})
    rows = session("a", 1440, [(1100.0, 220.0, 0.0, "button#send")])
    rows += session("b", 1440, [(1010.0, 210.0, 0.0, "button#send")])
    rows += session("c", 1280, [(930.0, 280.0, 0.0, "button#send")])  # centre of its box
    ev = events(rows)
    aligned = Heatmap(ev, url=PAGE, background=None, align="element", boxes=boxes).grid(20)
    assert _cells(aligned) == {("desktop", "page", 55, 11, 2, 2), ("desktop", "page", 50, 10, 1, 1)}
    # As a fraction of the viewport, session c lands elsewhere: 930/1280*1440 = 1046.25.
    plain = Heatmap(ev, url=PAGE, background=None).grid(20)
    assert ("desktop", "page", 52, 14, 1, 1) in _cells(plain)


def test_smoothing_keeps_exact_counts_and_the_total():
    h = Heatmap(_three_widths(), url=PAGE, background=None)
    g = h.grid(bin_px=20, smooth=40)
    for _device, part in g.groupby("device"):
        assert part["value"].sum() == pytest.approx(part["count"].sum(), rel=0.01)
    assert g["count"].sum() == 20
    assert len(g) > 20  # the blur spreads onto neighbouring bins


def test_bad_arguments_raise_helpful_errors(tmp_path):
    ev = _three_widths()
    with pytest.raises(UxlensError, match="Did you mean 'rage'"):
        Heatmap(ev, url=PAGE, kind="rag")
    with pytest.raises(UxlensError, match="positive"):
        Heatmap(ev, url=PAGE, width=-3)
    with pytest.raises(UxlensError, match="existing screenshot"):
        Heatmap(ev, url=PAGE, background=str(tmp_path / "missing.png"))
    with pytest.raises(UxlensError, match="boxes lacks"):
        Heatmap(ev, url=PAGE, boxes=pd.DataFrame({"target": ["a"]}))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([1280, 1366, 1440, 1920]),
                          st.floats(0, 1, allow_nan=False), st.floats(0, 2999)),
                min_size=1, max_size=30),
       st.sampled_from([10, 25, 40]))
def test_every_click_lands_in_the_bin_its_fraction_says(clicks, bin_px):
    rows = [dict(session_id=f"s{i}", t=i, event="click", x=f * w, y=y, viewport_w=w,
                 viewport_h=800, page_h=3000) for i, (w, f, y) in enumerate(clicks)]
    h = Heatmap(events(rows), url=PAGE, background=None, width=1000)
    got = h.grid(bin_px=bin_px)
    xs = np.array([f * w for w, f, _ in clicks]) / np.array([w for w, _, _ in clicks]) * 1000
    expected = pd.Series(list(zip(np.floor(xs / bin_px).astype(int),
                                  np.floor(np.array([y for _, _, y in clicks]) / bin_px).astype(int)
                                  ))).value_counts()
    assert dict(zip(zip(got["x_bin"], got["y_bin"]), got["count"])) == expected.to_dict()
    assert got["count"].sum() + h.skipped["events"].sum() == len(clicks)


def test_a_million_clicks_render_as_a_bounded_binned_figure():
    rng = np.random.default_rng(1)
    n = 1_000_000
    frame = pd.DataFrame({
        "session_id": pd.array(np.char.add("s", (np.arange(n) // 20).astype(str)), dtype="string"),
        "user_id": pd.array(np.char.add("u", (np.arange(n) // 40).astype(str)), dtype="string"),
        "timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
            np.arange(n) % 20 * 1000, unit="ms"),
        "event": pd.Categorical(["click"] * n),
        "seq": (np.arange(n) % 20).astype("int64"),
        "url": pd.Categorical([PAGE] * n),
        "x": rng.uniform(0, 1440, n), "y": rng.gamma(2.0, 500.0, n).clip(0, 5999),
        "viewport_w": pd.array(np.full(n, 1440), dtype="Int32"),
        "viewport_h": pd.array(np.full(n, 800), dtype="Int32"),
        "page_h": pd.array(np.full(n, 6000), dtype="Int32"),
        "scroll_y": np.zeros(n),
        "target": pd.Categorical(rng.choice(["div#a", "div#b", "button#c"], n)),
        "device": pd.Categorical(["desktop"] * n),
    })
    h = Heatmap(frame, url=PAGE, background=None, bin_px=20)
    fig = h.plot(hotspots=False)
    sizes = [np.size(t.z) if getattr(t, "z", None) is not None else len(t.x or ()) for t in fig.data]
    assert all(t.type == "heatmap" for t in fig.data)
    assert sum(sizes) <= 72 * 300  # one cell per 20 px bin of a 1440 x 6000 page
    assert int(np.sum(fig.data[0].customdata[..., 0])) == n  # every click is in the heat
