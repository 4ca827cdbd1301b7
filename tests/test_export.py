"""Export: images through kaleido + Debian chromium, decks through python-pptx, HTML."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from _widget_harness import LAUNCH_ARGS, fake_model_page
from PIL import Image

from uxlens import export
from uxlens.exceptions import UxlensError


def _fig() -> go.Figure:
    fig = go.Figure(go.Bar(x=["Landing", "Signup", "Invite"], y=[100, 62, 38]))
    fig.update_layout(title="Onboarding")
    return fig


def test_png_has_requested_size_and_is_not_blank(tmp_path):
    path = tmp_path / "chart.png"
    data = export.to_image(_fig(), path, width=640, height=360, scale=1)
    img = Image.open(io.BytesIO(data)).convert("L")
    assert img.size == (640, 360)
    pixels = np.asarray(img, dtype=float)
    assert pixels.std() > 5  # bars and text, not a flat page
    assert (pixels < 200).mean() > 0.02
    assert path.read_bytes() == data


def test_scale_multiplies_pixels(tmp_path):
    data = export.to_image(_fig(), width=300, height=200, scale=2)
    assert Image.open(io.BytesIO(data)).size == (600, 400)


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<svg"), ("pdf", b"%PDF")])
def test_vector_formats(tmp_path, fmt, magic):
    data = export.to_image(_fig(), tmp_path / f"c.{fmt}", width=400, height=300)
    assert magic in data[:200]


def test_bad_format_and_unwritable_path(tmp_path):
    with pytest.raises(UxlensError, match="format must be one of"):
        export.to_image(_fig(), format="gif")
    with pytest.raises(UxlensError, match="does not exist"):
        export.to_image(_fig(), tmp_path / "missing" / "c.png")
    with pytest.raises(UxlensError, match="Cannot export a dict"):
        export.to_image({"not": "a figure"})


def test_missing_browser_says_which_command(monkeypatch):
    monkeypatch.setattr(export, "chromium_path", lambda: None)
    with pytest.raises(UxlensError, match="apt-get install -y chromium"):
        export.to_image(_fig())


def test_deck_slides_titles_pictures_and_notes(tmp_path):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    deck = export.Deck(title="Weekly review")
    deck.add(go.Figure(go.Heatmap(z=[[1, 2], [3, 4]])), title="Where users drop", note="A vs B",
             takeaway="38 % drop at Invite")
    deck.add(_fig())  # a simple bar figure: native chart, titled by the figure
    path = deck.save(tmp_path / "review.pptx")
    prs = Presentation(str(path))
    assert len(prs.slides) == 3
    assert [sh.has_chart for sh in prs.slides[2].shapes] == [False, True]
    assert _texts(prs.slides[2]) == ["Onboarding"]
    assert list(_charts(prs.slides[2])[0].series[0].values) == [100.0, 62.0, 38.0]
    assert round(prs.slide_width / prs.slide_height, 2) == round(16 / 9, 2)
    texts = [[sh.text_frame.text for sh in s.shapes if sh.has_text_frame] for s in prs.slides]
    assert texts[0][0] == "Weekly review"
    assert texts[1][:2] == ["Where users drop", "38 % drop at Invite"]
    pictures = [sh for sh in prs.slides[1].shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1
    notes = prs.slides[1].notes_slide.notes_text_frame.text
    assert "A vs B" in notes and "uxlens" in notes


def test_deck_rejects_unsupported_objects():
    with pytest.raises(UxlensError, match="cannot place a int"):
        export.Deck().add(3)


def test_html_report_is_self_contained(tmp_path):
    table = pd.DataFrame({"step": [1, 2], "count": [100, 62]})
    path = export.to_html(["Intro text", _fig(), table], tmp_path / "r.html", title="Review")
    text = path.read_text()
    assert "Intro text" in text and "<table" in text and "Review" in text
    assert 'src="https://cdn.plot.ly' not in text  # plotly.js is inlined: works offline
    assert len(text) > 1_000_000
    assert text.count("Plotly.newPlot") == 1


@pytest.mark.browser
def test_html_report_opens_in_chromium_without_console_errors(tmp_path):
    from playwright.sync_api import sync_playwright

    path = export.to_html([_fig(), _fig()], tmp_path / "r.html")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=export.chromium_path(), args=LAUNCH_ARGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector(".plot-container")
        n_plots = page.locator(".plot-container").count()
        browser.close()
    assert errors == []
    assert n_plots == 2


def test_funnel_becomes_a_native_editable_chart(tmp_path):
    from pptx import Presentation

    import uxlens as ux

    log = ux.demo()
    f = ux.Funnel(log, ["signup_started", "signup_done", "profile_done", "invite_sent"], window="1h")
    path = f.to_pptx(tmp_path / "funnel.pptx", title=None)
    prs = Presentation(str(path))
    assert len(prs.slides) == 1
    charts = [sh for sh in prs.slides[0].shapes if sh.has_chart]
    assert len(charts) == 1
    chart = charts[0].chart
    table = f.table()
    assert list(chart.plots[0].categories) == list(table["label"])
    assert list(chart.series[0].values) == [float(v) for v in table["count"]]
    notes = prs.slides[0].notes_slide.notes_text_frame.text
    assert "uxlens" in notes


# ----------------------------------------------------------------- helpers
STEPS = ["signup_started", "signup_done", "profile_done", "invite_sent"]


@pytest.fixture(scope="module")
def demo_log():
    import uxlens as ux

    return ux.demo()


@pytest.fixture(scope="module")
def split_funnel(demo_log):
    from uxlens.funnel import Funnel

    return Funnel(demo_log, STEPS, window="1h", breakdown="device")


def _open(path):
    from pptx import Presentation

    return Presentation(str(path))


def _texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]


def _charts(slide) -> list:
    return [sh.chart for sh in slide.shapes if sh.has_chart]


def _png(w: int = 320, h: int = 200) -> bytes:
    img = Image.new("RGB", (w, h), "white")
    for x in range(20, 120):
        for y in range(30, 90):
            img.putpixel((x, y), (59, 91, 219))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _small_log(mask):
    """Two users: u1 completes a 3-step funnel, u2 stops after step 2."""
    from uxlens.eventlog import EventLog
    from uxlens.events import validate

    df = pd.DataFrame({
        "session_id": ["s1", "s1", "s1", "s2", "s2"],
        "user_id": ["u1", "u1", "u1", "u2", "u2"],
        "timestamp": pd.to_datetime([0, 60, 120, 0, 30], unit="s", utc=True)
        + (pd.Timestamp("2024-03-01", tz="UTC") - pd.Timestamp(0, tz="UTC")),
        "event": ["signup_started", "signup_done", "invite_sent", "signup_started", "signup_done"],
    })
    events = validate(df, source="test").events
    meta = {} if mask is None else {"mask": mask}
    return EventLog(events, meta=meta)


# ----------------------------------------------------- native charts and takeaways
def test_breakdown_funnel_is_clustered_columns_one_series_per_segment(tmp_path, split_funnel):
    from pptx.enum.chart import XL_CHART_TYPE

    prs = _open(split_funnel.to_pptx(tmp_path / "split.pptx", title=None))
    assert len(prs.slides) == 1
    (chart,) = _charts(prs.slides[0])
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    table = split_funnel.table()
    segments = list(dict.fromkeys(table["device"]))
    assert [s.name for s in chart.series] == segments
    assert list(chart.plots[0].categories) == STEPS
    for series in chart.series:
        expected = table.loc[table["device"] == series.name, "count"].astype(float).tolist()
        assert list(series.values) == expected
    assert chart.has_legend
    # takeaway: best and worst segment by whole-funnel conversion, from the table
    conv = {seg: block["count"].iloc[-1] / block["count"].iloc[0]
            for seg, block in table.groupby("device", sort=False)}
    best, worst = max(conv, key=conv.get), min(conv, key=conv.get)
    expected = (f"{best} converts best ({100 * conv[best]:.0f} %), "
                f"{worst} worst ({100 * conv[worst]:.0f} %).")
    assert export._takeaway(split_funnel) == expected
    assert _texts(prs.slides[0])[1] == expected[0].upper() + expected[1:]  # sentence case


def test_funnel_takeaway_names_the_biggest_drop():
    from uxlens.funnel import Funnel

    f = Funnel(_small_log(True), ["signup_started", "signup_done", "invite_sent"], window="1h")
    # counts 2, 2, 1: nobody is lost before signup_done, one of two before invite_sent
    assert list(f.table()["count"]) == [2, 2, 1]
    assert export._takeaway(f) == "50 % of users drop before invite_sent; 50 % complete the funnel."


def test_compare_table_is_a_bar_chart_with_intervals_in_the_labels(tmp_path, split_funnel):
    from pptx.enum.chart import XL_CHART_TYPE

    cmp = split_funnel.compare()
    deck = export.Deck(title=None).add(cmp)
    assert deck.slides[0].title == "Conversion by device (steps 1→4)"
    prs = _open(deck.save(tmp_path / "cmp.pptx"))
    (chart,) = _charts(prs.slides[0])
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert list(chart.plots[0].categories) == list(cmp["device"])
    assert list(chart.series[0].values) == pytest.approx(list(cmp["conversion"]))
    labels = [p.data_label.text_frame.text for p in chart.series[0].points]
    r = cmp.iloc[0]
    assert labels[0].startswith(
        f"{100 * r.conversion:.0f} % ({100 * r.ci_low:.0f}–{100 * r.ci_high:.0f} %)")
    notes = prs.slides[0].notes_slide.notes_text_frame.text
    assert "compared with the rest" in notes


def test_figure_converter_bars_lines_and_refusals():
    t = pd.date_range("2024-05-01", periods=3, freq="D", tz="UTC")
    lines = go.Figure([go.Scatter(x=t[::-1], y=[3, 2, 1], mode="lines", name="rage"),
                       go.Scatter(x=t[:2], y=[5, 6], mode="lines+markers", name="dead")])
    spec = export.figure_chart_spec(lines)
    assert spec.kind == "LINE_MARKERS"
    assert spec.categories == ["2024-05-01", "2024-05-02", "2024-05-03"]  # sorted by time
    assert spec.series == [("rage", [1.0, 2.0, 3.0]), ("dead", [5.0, 6.0, None])]

    stacked = go.Figure([go.Bar(x=["a", "b"], y=[1, 2], name="x"),
                         go.Bar(x=["b", "c"], y=[3, 4], name="y")])
    stacked.update_layout(barmode="stack")
    spec = export.figure_chart_spec(stacked)
    assert spec.kind == "COLUMN_STACKED"
    assert spec.series == [("x", [1.0, 2.0, None]), ("y", [None, 3.0, 4.0])]

    horizontal = go.Figure(go.Bar(y=["/a", "/b"], x=[10, 20], orientation="h", name="n"))
    spec = export.figure_chart_spec(horizontal)
    assert (spec.kind, spec.categories, spec.series) == (
        "BAR_CLUSTERED", ["/a", "/b"], [("n", [10.0, 20.0])])

    assert export.figure_chart_spec(go.Figure(go.Heatmap(z=[[1, 2], [3, 4]]))) is None
    assert export.figure_chart_spec(go.Figure(go.Sankey())) is None
    mixed = go.Figure([go.Bar(x=["a"], y=[1]), go.Scatter(x=["a"], y=[1], mode="lines")])
    assert export.figure_chart_spec(mixed) is None
    assert export.figure_chart_spec(go.Figure(go.Scatter(x=[1, 2], y=[1, 2], mode="markers"))) \
        is None


class _FakeFriction:
    """Duck-typed Friction: .plot(kind) and .insights(top)."""

    def plot(self, kind: str = "time", **_):
        t = pd.date_range("2024-05-01", periods=4, freq="D", tz="UTC")
        return go.Figure([go.Scatter(x=t, y=[4, 1, 0, 2], mode="lines", name="rage click"),
                          go.Scatter(x=t, y=[0, 3, 3, 1], mode="lines", name="dead click")],
                         layout={"title": "Friction over time"})

    def insights(self, top: int = 10, **_):
        return pd.DataFrame({"text": ["rage clicks on #send in 42% of sessions on /invite"]})


def test_time_series_becomes_a_native_line_chart_with_insight_takeaway(tmp_path):
    from pptx.enum.chart import XL_CHART_TYPE

    fake = _FakeFriction()
    prs = _open(export.to_pptx([fake], tmp_path / "fr.pptx", title=None))
    (chart,) = _charts(prs.slides[0])
    assert chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
    assert [s.name for s in chart.series] == ["rage click", "dead click"]
    assert list(chart.series[0].values) == [4.0, 1.0, 0.0, 2.0]
    assert list(chart.plots[0].categories)[0] == "2024-05-01"
    assert _texts(prs.slides[0])[1] == "Rage clicks on #send in 42% of sessions on /invite."


def test_real_friction_over_time_is_native_stacked_columns(tmp_path):
    from pptx.enum.chart import XL_CHART_TYPE

    from uxlens.friction import Friction

    t0 = pd.Timestamp("2024-05-01", tz="UTC")
    ms = pd.Timedelta(milliseconds=1)
    ev = pd.DataFrame({"session_id": ["a"] * 5 + ["b"], "user_id": "u",
                       "event": ["pageview", "click", "click", "click", "click", "pageview"],
                       "timestamp": [t0, t0 + 100 * ms, t0 + 300 * ms, t0 + 500 * ms,
                                     t0 + 700 * ms, t0],
                       "x": 50.0, "y": 50.0,
                       "target": [None] + ["button#send-invites"] * 4 + [None],
                       "url": "https://app.test/onboarding/invite"})
    fr = Friction(ev)
    fig = fr.plot("time")
    prs = _open(export.to_pptx([fr], tmp_path / "fr.pptx", title=None))
    (chart,) = _charts(prs.slides[0])
    assert chart.chart_type in (XL_CHART_TYPE.COLUMN_STACKED, XL_CHART_TYPE.LINE_MARKERS,
                                XL_CHART_TYPE.COLUMN_CLUSTERED)
    by_name = {tr.name: [float(v) for v in tr.y] for tr in fig.data}
    for series in chart.series:
        assert [v or 0.0 for v in series.values] == by_name[series.name]


def test_dataframe_becomes_a_native_table_first_15_rows_formatted(tmp_path):
    frame = pd.DataFrame({"page": [f"/p{i}" for i in range(20)],
                          "visits": [1234 + i for i in range(20)],
                          "conversion": [0.5] * 19 + [np.nan],
                          "time_s": [12.3456] * 20})
    prs = _open(export.to_pptx([frame], tmp_path / "t.pptx", title=None))
    (shape,) = [sh for sh in prs.slides[0].shapes if sh.has_table]
    table = shape.table
    assert len(table.rows) == 16 and len(table.columns) == 4
    assert [table.cell(0, j).text for j in range(4)] == ["page", "visits", "conversion", "time s"]
    assert [table.cell(1, j).text for j in range(4)] == ["/p0", "1,234", "50.0 %", "12.35"]
    assert table.cell(15, 0).text == "/p14"
    assert "first 15 shown" in prs.slides[0].notes_slide.notes_text_frame.text
    assert export._format_cell("conversion", np.nan) == "–"


# --------------------------------------------------------------- speaker notes
@pytest.mark.parametrize(("mask", "phrase"), [
    (True, "Privacy: inputs masked."),
    (False, "inputs NOT masked"),
    (None, "masked by default"),
])
def test_notes_record_parameters_data_range_version_privacy(tmp_path, mask, phrase):
    from uxlens._version import __version__
    from uxlens.funnel import Funnel

    f = Funnel(_small_log(mask), ["signup_started", "signup_done", "invite_sent"], window="1h")
    prs = _open(f.to_pptx(tmp_path / "n.pptx", title=None))
    notes = prs.slides[0].notes_slide.notes_text_frame.text
    assert "Parameters: <Funnel 3 steps" in notes and "window 1h" in notes
    assert "Data: 2024-03-01 00:00 to 2024-03-01 00:02 UTC, 5 events, 2 sessions." in notes
    assert phrase in notes
    assert f"uxlens {__version__}" in notes


# ------------------------------------------------------- images in decks
def test_heatmap_slide_is_a_sharp_picture_with_its_takeaway(tmp_path, demo_log):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from uxlens.heatmap import Heatmap

    hm = Heatmap(demo_log, url="/onboarding/invite", background=None)
    prs = _open(hm.to_pptx(tmp_path / "hm.pptx", title=None))
    slide = prs.slides[0]
    pics = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pics) == 1 and not _charts(slide)
    img = Image.open(io.BytesIO(pics[0].image.blob))
    assert img.size[0] >= 3000  # 1600 css px at scale 2
    assert pics[0].left + pics[0].width <= prs.slide_width
    assert pics[0].top + pics[0].height <= prs.slide_height
    line = hm.takeaway()
    assert line and _texts(slide)[1] == line[0].upper() + line[1:]
    assert hm.describe() in slide.notes_slide.notes_text_frame.text


def test_heatmap_image_has_requested_size_and_is_not_blank(demo_log):
    from uxlens.heatmap import Heatmap

    hm = Heatmap(demo_log, url="/onboarding/invite", background=None)
    data = hm.to_image(width=500, height=400, scale=1)
    img = Image.open(io.BytesIO(data)).convert("RGB")
    assert img.size == (500, 400)
    px = np.asarray(img, dtype=float)
    assert px.std() > 5
    assert (np.abs(px[..., 0] - px[..., 2]) > 40).mean() > 0.005  # coloured heat, not grey


def test_session_like_objects_become_fitted_stills(tmp_path):
    import base64

    from pptx.enum.shapes import MSO_SHAPE_TYPE

    class FakeSession:
        session_id = "s-1"
        calls: list = []

        def frame(self, t=None, **_):
            self.calls.append(t)
            return _png(400, 800)  # a tall mobile viewport

    s = FakeSession()
    deck = export.Deck(title=None).add(s, at=12.5)
    assert deck.slides[0].title == "Session s-1"
    prs = _open(deck.save(tmp_path / "s.pptx"))
    (pic,) = [sh for sh in prs.slides[0].shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert s.calls == [12.5]
    assert pic.width / pic.height == pytest.approx(0.5, rel=0.01)  # aspect kept
    assert pic.top + pic.height <= prs.slide_height
    assert "Still frame at 12.5 s" in prs.slides[0].notes_slide.notes_text_frame.text
    assert export.to_image(s, tmp_path / "s.png") == _png(400, 800)
    with pytest.raises(UxlensError, match="PNG only"):
        export.to_image(s, tmp_path / "s.svg")
    page = export.to_html([s], tmp_path / "s.html").read_text()
    assert "<h2>Session s-1</h2>" in page
    assert "data:image/png;base64," + base64.b64encode(_png(400, 800)).decode() in page


def test_journeys_takeaway_is_the_top_path_share(demo_log):
    import uxlens as ux

    j = ux.Journeys(demo_log, goal="/dashboard")
    top = j.paths(top=1).iloc[0]
    assert export._takeaway(j) == f"{100 * top['share']:.0f} % of journeys follow {top['path']}."


# ---------------------------------------------------------------- templates
def test_custom_template_keeps_its_size_and_theme(tmp_path):
    from pptx import Presentation
    from pptx.util import Inches

    tpl = Presentation()
    tpl.slide_width, tpl.slide_height = Inches(10), Inches(7.5)  # 4:3 corporate template
    tpl.slides.add_slide(tpl.slide_layouts[0]).shapes.title.text = "template example slide"
    tpl_path = tmp_path / "corp.pptx"
    tpl.save(str(tpl_path))

    deck = export.Deck(title="Review", template=tpl_path)
    deck.add(_fig(), title="Bars").add(pd.DataFrame({"a": [1, 2]}), title="Table")
    prs = _open(deck.save(tmp_path / "out.pptx"))
    assert (prs.slide_width, prs.slide_height) == (Inches(10), Inches(7.5))
    assert len(prs.slides) == 3  # the template's own slide is dropped
    assert [_texts(s)[0] for s in prs.slides] == ["Review", "Bars", "Table"]
    for slide in prs.slides:
        for sh in slide.shapes:
            assert sh.left >= 0 and sh.left + sh.width <= prs.slide_width
            assert sh.top >= 0 and sh.top + sh.height <= prs.slide_height
    with pytest.raises(UxlensError, match="not found"):
        export.Deck(template=tmp_path / "nope.pptx").save(tmp_path / "x.pptx")


# ---------------------------------------------------------------- bad input
def test_bad_input_gives_clear_errors(tmp_path, monkeypatch):
    import sys

    from uxlens.exceptions import MissingDependencyError

    with pytest.raises(UxlensError, match="cannot place a dict"):
        export.to_pptx([{"a": 1}], tmp_path / "x.pptx")
    with pytest.raises(UxlensError, match="does not exist. Create it first"):
        export.Deck().save(tmp_path / "missing" / "x.pptx")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(UxlensError, match="Cannot write"):
        export.Deck().save(blocker / "x.pptx")
    with pytest.raises(UxlensError, match="Unknown export action"):
        export.export_action({"action": "print"}, _fig())
    monkeypatch.setitem(sys.modules, "pptx", None)  # python-pptx not installed
    with pytest.raises(MissingDependencyError, match=r'pip install "uxlens\[slides\]"'):
        export.Deck().add(_fig()).save(tmp_path / "y.pptx")


# ------------------------------------------------------------------ widgets
def test_funnel_explorer_add_to_deck_and_save_image(tmp_path, split_funnel):
    from uxlens.widgets.funnel_explorer import FunnelExplorer

    deck = export.Deck(title=None)
    ex = FunnelExplorer(split_funnel, deck=deck)
    ex.view.export_request = {"action": "deck", "path": "", "nonce": 1}  # what the JS sends
    assert len(deck) == 1 and deck.slides[0].obj.breakdown == "device"
    assert ex.view.message.startswith("Added slide 1")
    ex.split(None)
    ex.view.export_request = {"action": "deck", "path": "", "nonce": 2}
    prs = _open(deck.save(tmp_path / "w.pptx"))
    assert [len(_charts(s)[0].series) for s in prs.slides] == [3, 1]
    assert list(_charts(prs.slides[1])[0].series[0].values) == [
        float(v) for v in ex._current.table()["count"]]

    target = tmp_path / "funnel.png"
    ex.view.export_request = {"action": "image", "path": str(target), "nonce": 3}
    assert ex.view.message == f"Saved {target}."
    px = np.asarray(Image.open(target).convert("L"), dtype=float)
    assert px.std() > 5
    ex.view.export_request = {"action": "image", "path": str(tmp_path / "no" / "f.png"),
                              "nonce": 4}
    assert ex.view.message.startswith("Export failed") and "does not exist" in ex.view.message


def test_funnel_explorer_uses_the_default_deck(split_funnel):
    from uxlens.widgets.funnel_explorer import FunnelExplorer

    deck = export.current_deck(reset=True)
    FunnelExplorer(split_funnel).add_to_deck()
    assert export.current_deck() is deck and len(deck) == 1
    export.current_deck(reset=True)


def test_heatmap_explorer_add_to_deck_and_save_image(tmp_path, demo_log):
    from uxlens.heatmap import Heatmap
    from uxlens.widgets.heatmap_explorer import HeatmapExplorer

    deck = export.Deck(title=None)
    w = HeatmapExplorer(Heatmap(demo_log, url="/onboarding/invite", background=None), deck=deck)
    w.export_request = {"action": "deck", "path": "heatmap.png", "nonce": 1}
    assert len(deck) == 1
    assert deck.slides[0].obj.device == w.device  # the map as shown
    assert deck.slides[0].takeaway == w.current().takeaway()
    target = tmp_path / "hm.png"
    w.export_request = {"action": "image", "path": str(target), "nonce": 2}
    assert w.export_message == f"Saved {target}."
    img = Image.open(target)
    assert img.size == (2400, 1350)  # default 1200 x 675 at scale 2
    assert np.asarray(img.convert("L"), dtype=float).std() > 5


def test_replay_add_to_deck_and_save_image_use_the_current_frame(tmp_path, demo_log):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from uxlens.widgets.replay import ReplayWidget

    session = demo_log.session(demo_log.events["session_id"].iloc[0])
    calls = []

    def fake_frame(t=None, *, mask=True, **_):  # Session.frame needs Chromium; see browser test
        calls.append((t, mask))
        return _png()

    session.frame = fake_frame
    deck = export.Deck(title=None)
    w = ReplayWidget(session, deck=deck)
    w.export_request = {"action": "deck", "path": "", "t_ms": 2500.0, "nonce": 1}
    assert calls == [(2.5, True)]
    assert deck.slides[0].title == f"Session {session.session_id} at 2.5 s"
    w.current_ms = 4000.0
    target = tmp_path / "still.png"
    w.export_request = {"action": "image", "path": str(target), "nonce": 2}
    assert calls[-1] == (4.0, True) and target.read_bytes() == _png()
    prs = _open(deck.save(tmp_path / "r.pptx"))
    pics = [sh for sh in prs.slides[0].shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pics) == 1
    notes = prs.slides[0].notes_slide.notes_text_frame.text
    assert "Replay still of session" in notes and "typed values masked" in notes
    assert "Privacy: inputs masked." in notes


# --------------------------------------------------------- browser and slow
@pytest.mark.browser
def test_replay_still_from_a_real_recording(tmp_path, demo_log):
    sid = next(iter(demo_log.recordings))
    still = export.Still(demo_log.session(sid), at=3.0)
    png = export.to_image(still, tmp_path / "still.png")
    img = Image.open(io.BytesIO(png)).convert("L")
    assert img.size[0] >= 320
    assert np.asarray(img, dtype=float).std() > 5


@pytest.mark.browser
def test_html_report_with_funnel_heatmap_and_table_has_no_console_errors(
        tmp_path, demo_log, split_funnel):
    from playwright.sync_api import sync_playwright

    from uxlens.heatmap import Heatmap

    hm = Heatmap(demo_log, url="/onboarding/invite", background=None)
    path = export.to_html(["Weekly onboarding review", split_funnel, hm,
                           split_funnel.compare()], tmp_path / "r.html")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=export.chromium_path(), args=LAUNCH_ARGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector(".plot-container")
        n_plots = page.locator(".plot-container").count()
        n_tables = page.locator("table.tbl").count()
        heads = page.locator("h2").all_inner_texts()
        browser.close()
    assert errors == []
    assert n_plots == 2
    assert n_tables == 2  # the funnel's table and the compare table
    assert heads == [split_funnel._title(), hm._title()]


@pytest.mark.slow
def test_libreoffice_renders_the_deck(tmp_path, split_funnel):
    import re
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice missing: apt-get install -y libreoffice-impress")
    one = export.to_pptx([split_funnel], tmp_path / "chart.pptx", title=None)
    deck = export.Deck(title="Review").add(split_funnel).add(split_funnel.compare()).add(
        pd.DataFrame({"page": ["/a", "/b"], "visits": [10, 20]}))
    full = deck.save(tmp_path / "full.pptx")
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    for src, fmt in ((one, "png"), (full, "pdf")):
        subprocess.run([soffice, profile, "--headless", "--convert-to", fmt, "--outdir",
                        str(tmp_path / "out"), str(src)], check=True, timeout=240,
                       capture_output=True)
    img = Image.open(tmp_path / "out" / "chart.png").convert("RGB")
    px = np.asarray(img, dtype=float)
    assert px.std() > 5
    blue = (px[..., 2] > 150) & (px[..., 0] < 120)  # the first segment's bars, drawn
    assert blue.mean() > 0.01
    pdf = (tmp_path / "out" / "full.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 4  # title + 3 slides





def _click_export_buttons(esm, state, path_selector, png_path):
    """Mount a widget's ESM with a fake model, type a path, click both buttons: the sets."""
    import json

    from playwright.sync_api import sync_playwright

    origin = "http://uxlens.test"
    files = {"/": (fake_model_page("/widget.js"), "text/html"), "/widget.js": (esm, "text/javascript"),
             "/state.json": (json.dumps(state), "application/json")}
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=export.chromium_path(), args=LAUNCH_ARGS)
        page = browser.new_page()

        def route(r):
            hit = files.get(r.request.url[len(origin):])
            if hit:
                r.fulfill(status=200, body=hit[0], content_type=hit[1])
            else:
                r.abort()  # nothing may leave the page

        page.route("**/*", route)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(origin + "/")
        page.wait_for_function("window.__rendered === true", timeout=15_000)
        page.click("button:has-text('Add to deck')")
        page.fill(path_selector, str(png_path))
        page.dispatch_event(path_selector, "change")
        page.click("button:has-text('Save image')")
        sets = page.evaluate("() => window.__sets")
        browser.close()
    assert errors == []
    return [v for k, v in sets if k == "export_request"]


@pytest.mark.browser
def test_widget_buttons_send_the_export_messages(tmp_path, split_funnel, demo_log):
    from uxlens.heatmap import Heatmap
    from uxlens.widgets import funnel_explorer as fx
    from uxlens.widgets import heatmap_explorer as hx

    deck = export.Deck(title=None)
    ex = fx.FunnelExplorer(split_funnel, deck=deck)
    keys = ("funnel", "split_options", "split_by", "selected", "sessions", "selected_session",
            "message", "export_path")
    state = {k: getattr(ex.view, k) for k in keys}
    sent = _click_export_buttons(ex.view._esm, state, ".uxl-fx-path",
                                 tmp_path / "f.png")
    assert [r["action"] for r in sent] == ["deck", "image"]
    for request in sent:  # what the Jupyter comm would deliver to Python
        ex.view.export_request = request
    assert len(deck) == 1 and (tmp_path / "f.png").stat().st_size > 1000

    w = hx.HeatmapExplorer(Heatmap(demo_log, url="/onboarding/invite", background=None),
                           deck=deck)
    state = {k: v for k, v in w.get_state().items()
             if not isinstance(v, (bytes, memoryview)) and not k.startswith("_")}
    sent = _click_export_buttons(w._esm, state, ".uxh-path",
                                 tmp_path / "h.png")
    assert [r["action"] for r in sent] == ["deck", "image"]
    assert sent[1]["path"] == str(tmp_path / "h.png")
    for request in sent:
        w.export_request = request
    assert len(deck) == 2 and (tmp_path / "h.png").stat().st_size > 1000


def test_table_with_empty_cells(tmp_path):
    from pptx import Presentation

    frame = pd.DataFrame({"page": ["/", ""], "visits": [3, 1]})
    path = export.Deck(title=None).add(frame, title="Pages").save(tmp_path / "t.pptx")
    tables = [sh.table for sh in Presentation(str(path)).slides[0].shapes if sh.has_table]
    assert [[c.text for c in r.cells] for r in tables[0].rows] == [["page", "visits"], ["/", "3"], ["", "1"]]


@pytest.mark.browser
def test_session_exports_its_still_frame(tmp_path):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    import uxlens as ux

    log = ux.demo()
    s = log.session(log.session_ids[0])
    png = s.to_image(tmp_path / "still.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and (tmp_path / "still.png").read_bytes() == png
    prs = Presentation(str(s.to_pptx(tmp_path / "s.pptx", title=None)))
    kinds = [sh.shape_type for sh in prs.slides[0].shapes]
    assert MSO_SHAPE_TYPE.PICTURE in kinds
