"""Export charts to images, slide decks and a self-contained HTML report.

>>> import uxlens as ux, plotly.graph_objects as go
>>> deck = ux.Deck(title="Onboarding review")
>>> _ = deck.add(go.Figure(go.Bar(x=["a", "b"], y=[3, 1])), title="Two bars", note="made in a doctest")
>>> len(deck)
1
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ._version import __version__
from .exceptions import MissingDependencyError, UxlensError

__all__ = ["to_image", "to_pptx", "to_html", "Deck", "Exportable", "chromium_path"]

_FORMATS = ("png", "svg", "pdf", "jpeg", "webp")
_CHROMIUM_HINT = (
    "Image export needs a Chromium browser for kaleido. On Debian/Ubuntu run:\n"
    "    sudo apt-get update && sudo apt-get install -y chromium\n"
    "(never `playwright install` or kaleido's own download: they fetch a browser build)."
)
SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
_BRAND = "3B5BDB"
_INK = "1F2933"
_MUTED = "667085"


def chromium_path() -> str | None:
    """Path of the system Chromium kaleido and the renderers use, or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    env = os.environ.get("BROWSER_PATH")
    return env if env and Path(env).exists() else None


def _figure_of(obj: Any) -> go.Figure:
    if isinstance(obj, go.Figure):
        return obj
    for name in ("figure", "plot"):
        method = getattr(obj, name, None)
        if callable(method):
            fig = method()
            if isinstance(fig, go.Figure):
                return fig
    raise UxlensError(
        f"Cannot export a {type(obj).__name__}: expected a plotly Figure or a uxlens object "
        "with .plot() (Funnel, Heatmap, Journeys, Friction, Session)."
    )


def _check_writable(path: Path) -> None:
    parent = path.expanduser().resolve().parent
    if not parent.exists():
        raise UxlensError(f"Cannot write {path}: folder {parent} does not exist. Create it first.")
    if not os.access(parent, os.W_OK):
        raise UxlensError(f"Cannot write {path}: folder {parent} is not writable.")


def _image_bytes(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
    if chromium_path() is None:
        raise UxlensError(_CHROMIUM_HINT)
    if chromium_path() and not os.environ.get("BROWSER_PATH"):
        os.environ["BROWSER_PATH"] = chromium_path() or ""
    try:
        return fig.to_image(format=fmt, width=width, height=height, scale=scale)
    except Exception as exc:  # kaleido reports a missing/broken browser in many ways
        raise UxlensError(f"Image export failed ({exc}).\n{_CHROMIUM_HINT}") from exc


def to_image(
    obj: Any,
    path: str | Path | None = None,
    *,
    format: str | None = None,
    width: int = 1200,
    height: int = 675,
    scale: float = 2.0,
) -> bytes:
    """Render a figure or uxlens object to PNG, SVG, PDF (through kaleido + Chromium).

    Parameters
    ----------
    obj
        A plotly Figure or an object with ``.plot()``.
    path
        Where to write; the format defaults to the file suffix.
    format
        ``"png"``, ``"svg"``, ``"pdf"``, ``"jpeg"`` or ``"webp"``.
    width, height, scale
        Size in CSS px and the pixel ratio (2 = sharp on slides and retina).

    Returns
    -------
    bytes
        The encoded image (also written to ``path`` when given).
    """
    fmt = (format or (Path(path).suffix.lstrip(".") if path else "png")).lower()
    fmt = "jpeg" if fmt == "jpg" else fmt
    if fmt not in _FORMATS:
        raise UxlensError(f"format must be one of {_FORMATS}, got {fmt!r}.")
    if path is not None:
        _check_writable(Path(path))
    data = _image_bytes(_figure_of(obj), fmt, width, height, scale)
    if path is not None:
        Path(path).write_bytes(data)
    return data


@dataclass
class _Slide:
    obj: Any
    title: str
    takeaway: str
    note: str


@dataclass
class Deck:
    """A slide deck built chart by chart, saved as an editable PowerPoint file.

    Funnels become native PowerPoint bar charts (editable data); other charts
    (heatmaps, Sankeys, replay stills) become high-resolution images.

    Parameters
    ----------
    title
        Title slide text; ``None`` for no title slide.
    template
        Path of a ``.pptx`` whose slide master and theme to use.
    """

    title: str | None = "UX review"
    subtitle: str | None = None
    template: str | Path | None = None
    slides: list[_Slide] = field(default_factory=list)

    def add(self, obj: Any, *, title: str | None = None, note: str = "", takeaway: str | None = None) -> Deck:
        """Add a chart slide; the takeaway defaults to one computed from the data."""
        if not isinstance(obj, go.Figure) and not callable(getattr(obj, "plot", None)):
            raise UxlensError(
                f"Deck.add() cannot place a {type(obj).__name__}; give a plotly Figure or a "
                "uxlens object with .plot()."
            )
        auto_title = getattr(obj, "title", None) if isinstance(getattr(obj, "title", None), str) else None
        slide_title = title or auto_title or _default_title(obj)
        computed = takeaway if takeaway is not None else _takeaway(obj)
        self.slides.append(_Slide(obj, slide_title, computed, note))
        return self

    def __len__(self) -> int:
        return len(self.slides)

    def save(self, path: str | Path) -> Path:
        """Write the deck to ``path`` (``.pptx``) and return the path."""
        pptx = _require_pptx()
        path = Path(path)
        _check_writable(path)
        prs = pptx.Presentation(str(self.template)) if self.template else pptx.Presentation()
        prs.slide_width = pptx.util.Inches(SLIDE_W_IN)
        prs.slide_height = pptx.util.Inches(SLIDE_H_IN)
        if self.title:
            _title_slide(prs, self.title, self.subtitle or f"made with uxlens {__version__}")
        for slide in self.slides:
            _chart_slide(prs, slide)
        prs.save(str(path))
        return path


def to_pptx(items: Iterable[Any], path: str | Path, *, template: str | Path | None = None,
            title: str | None = "UX review") -> Path:
    """Save charts to a 16:9 PowerPoint deck, one slide each (see :class:`Deck`)."""
    deck = Deck(title=title, template=template)
    for item in items:
        deck.add(item)
    return deck.save(path)


def to_html(items: Sequence[Any], path: str | Path, *, title: str = "uxlens report") -> Path:
    """Write a self-contained HTML report: interactive charts and tables, no internet needed.

    ``items`` may mix plotly Figures, uxlens objects (their figure and, when
    they have one, their ``table()``), DataFrames and strings (paragraphs).
    """
    path = Path(path)
    _check_writable(path)
    parts: list[str] = []
    first_fig = True
    for item in items:
        if isinstance(item, str):
            parts.append(f"<p>{html.escape(item)}</p>")
        elif isinstance(item, pd.DataFrame):
            parts.append(item.to_html(index=False, classes="tbl", float_format=lambda v: f"{v:,.3f}"))
        else:
            fig = _figure_of(item)
            parts.append(fig.to_html(full_html=False, include_plotlyjs=first_fig, config={"displaylogo": False}))
            first_fig = False
            table = getattr(item, "table", None)
            if callable(table) and not isinstance(item, go.Figure):
                parts.append(table().to_html(index=False, classes="tbl", float_format=lambda v: f"{v:,.3f}"))
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:Inter,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1F2933;max-width:1200px;
margin:32px auto;padding:0 24px}}h1{{font-size:26px}}.meta{{color:#667085}}
table.tbl{{border-collapse:collapse;margin:12px 0 28px;font-size:13px}}
table.tbl td,table.tbl th{{border-bottom:1px solid #E9ECEF;padding:4px 10px;text-align:right}}
table.tbl th{{background:#F8F9FA}}</style></head><body><h1>{html.escape(title)}</h1>
<p class="meta">uxlens {__version__} · {stamp}</p>{''.join(parts)}</body></html>"""
    path.write_text(doc, encoding="utf-8")
    return path


class Exportable:
    """Mixin giving uxlens objects ``to_image``, ``to_pptx`` and ``to_html``."""

    def to_image(self, path: str | Path | None = None, **kwargs: Any) -> bytes:
        """Render this object's figure to an image (see :func:`uxlens.export.to_image`)."""
        return to_image(self, path, **kwargs)

    def to_pptx(self, path: str | Path, **kwargs: Any) -> Path:
        """Save this object's chart as a one-slide deck (see :class:`uxlens.Deck`)."""
        return to_pptx([self], path, **kwargs)

    def to_html(self, path: str | Path, **kwargs: Any) -> Path:
        """Save this object's chart and table as an HTML report."""
        return to_html([self], path, **kwargs)


# ---------------------------------------------------------------- internals
def _require_pptx() -> Any:
    try:
        import pptx
        import pptx.chart.data
        import pptx.util
    except ImportError as exc:  # pragma: no cover - exercised by the missing-dependency test
        raise MissingDependencyError(
            'Slide export needs python-pptx: pip install "uxlens[slides]"'
        ) from exc
    return pptx


def _default_title(obj: Any) -> str:
    if isinstance(obj, go.Figure):
        text = obj.layout.title.text if obj.layout.title and obj.layout.title.text else ""
        return text.split("<br>")[0] or "Chart"
    return type(obj).__name__


def _takeaway(obj: Any) -> str:
    method = getattr(obj, "takeaway", None)
    if callable(method):
        try:
            return str(method())
        except Exception:  # a takeaway is a nicety; never block an export on it
            return ""
    return ""


def _speaker_notes(slide: _Slide) -> str:
    lines = [slide.note] if slide.note else []
    describe = getattr(slide.obj, "describe", None)
    if callable(describe):
        lines.append(str(describe()))
    elif not isinstance(slide.obj, go.Figure):
        lines.append(repr(slide.obj).splitlines()[0])
    lines.append(f"Made with uxlens {__version__} on {_dt.date.today():%Y-%m-%d}.")
    return "\n".join(lines)


def _text(frame: Any, text: str, *, size: int, bold: bool = False, color: str = _INK) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    tf = frame.text_frame
    tf.clear()
    tf.word_wrap = True
    run = tf.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor.from_string(color)


def _title_slide(prs: Any, title: str, subtitle: str) -> None:
    from pptx.util import Inches

    slide = prs.slides.add_slide(prs.slide_layouts[6])
    box = slide.shapes.add_textbox(Inches(0.8), Inches(2.6), Inches(11.5), Inches(1.2))
    _text(box, title, size=40, bold=True)
    sub = slide.shapes.add_textbox(Inches(0.8), Inches(3.8), Inches(11.5), Inches(0.8))
    _text(sub, subtitle, size=18, color=_MUTED)


def _funnel_table(obj: Any) -> pd.DataFrame | None:
    if type(obj).__name__ != "Funnel":
        return None
    table = obj.table()
    needed = {"label", "count"}
    if not needed <= set(table.columns) or ("breakdown" in table.columns):
        return None
    return table


def _chart_slide(prs: Any, slide: _Slide) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
    from pptx.util import Inches, Pt

    s = prs.slides.add_slide(prs.slide_layouts[6])
    _text(s.shapes.add_textbox(Inches(0.6), Inches(0.35), Inches(12.1), Inches(0.8)), slide.title,
          size=28, bold=True)
    if slide.takeaway:
        _text(s.shapes.add_textbox(Inches(0.6), Inches(1.05), Inches(12.1), Inches(0.5)),
              slide.takeaway, size=16, color=_BRAND)
    left, top, width, height = Inches(0.6), Inches(1.6), Inches(12.1), Inches(5.5)
    table = _funnel_table(slide.obj)
    if table is not None:
        data = CategoryChartData()
        data.categories = [str(v) for v in table["label"]]
        data.add_series("Units", [int(v) for v in table["count"]])
        chart = s.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, left, top, width, height, data).chart
        chart.has_legend = False
        plot = chart.plots[0]
        plot.gap_width = 60
        plot.has_data_labels = True
        plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        plot.data_labels.font.size = Pt(14)
        fill = plot.series[0].format.fill
        fill.solid()
        fill.fore_color.rgb = RGBColor.from_string(_BRAND)
        chart.category_axis.tick_labels.font.size = Pt(13)
        chart.value_axis.tick_labels.font.size = Pt(12)
        chart.value_axis.has_major_gridlines = False
    else:
        png = _image_bytes(_figure_of(slide.obj), "png", 1600, 730, 2.0)
        s.shapes.add_picture(io.BytesIO(png), left, top, width=width)
    s.notes_slide.notes_text_frame.text = _speaker_notes(slide)
