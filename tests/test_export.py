"""Export: images through kaleido + Debian chromium, decks through python-pptx, HTML."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
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
    deck.add(_fig(), title="Where users drop", note="A vs B", takeaway="38 % drop at Invite")
    path = deck.save(tmp_path / "review.pptx")
    prs = Presentation(str(path))
    assert len(prs.slides) == 2
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
        browser = p.chromium.launch(
            executable_path=export.chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
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
