"""Export charts to images, slide decks and a self-contained HTML report.

>>> import uxlens as ux, plotly.graph_objects as go
>>> deck = ux.Deck(title="Onboarding review")
>>> _ = deck.add(go.Figure(go.Bar(x=["a", "b"], y=[3, 1])), title="Two bars", note="made in a doctest")
>>> len(deck)
1
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ._version import __version__
from .exceptions import MissingDependencyError, UxlensError
from .privacy import Privacy, output_policy

__all__ = [
    "to_image", "to_pptx", "to_html", "Deck", "Exportable", "chromium_path", "current_deck",
    "figure_chart_spec", "Still", "export_action",
]

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
    """Path of the system Chromium kaleido and the renderers use, or ``None``.

    Examples
    --------
    >>> import os
    >>> from uxlens.export import chromium_path
    >>> path = chromium_path()
    >>> path is None or os.access(path, os.X_OK)
    True
    """
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
        "with .plot() (Funnel, Heatmap, Journeys, Friction) or .frame() (Session)."
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
    at: float | None = None,
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
    at
        For a Session: seconds after its start of the still frame
        (``Session.frame(at)``, viewport ``width`` x ``height``).

    Returns
    -------
    bytes
        The encoded image (also written to ``path`` when given).

    Examples
    --------
    The format is checked before anything is rendered:

    >>> import plotly.graph_objects as go, uxlens as ux
    >>> from uxlens.export import to_image
    >>> try:
    ...     to_image(go.Figure(), format="gif")
    ... except ux.UxlensError as err:
    ...     print(err)
    format must be one of ('png', 'svg', 'pdf', 'jpeg', 'webp'), got 'gif'.

    Rendering a chart needs Chromium (not run here):

    >>> f = ux.Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
    >>> png = to_image(f, "funnel.png", scale=1)  # doctest: +SKIP
    >>> png[1:4]  # doctest: +SKIP
    b'PNG'
    """
    fmt = (format or (Path(path).suffix.lstrip(".") if path else "png")).lower()
    fmt = "jpeg" if fmt == "jpg" else fmt
    if fmt not in _FORMATS:
        raise UxlensError(f"format must be one of {_FORMATS}, got {fmt!r}.")
    if path is not None:
        _check_writable(Path(path))
    if _is_still(obj):  # a Session (replay still) or PNG bytes
        if fmt != "png":
            raise UxlensError(f"Replay stills are PNG only, got format {fmt!r}; use .png.")
        data = bytes(obj) if isinstance(obj, (bytes, bytearray)) else obj.frame(
            at, width=width, height=height)
    else:
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
    at: float | None = None
    privacy: Any = True


def _is_still(obj: Any) -> bool:
    """A replay still source: PNG bytes or an object with ``.frame()`` and no ``.plot()``."""
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj[:8]) == b"\x89PNG\r\n\x1a\n"
    return callable(getattr(obj, "frame", None)) and not callable(getattr(obj, "plot", None))


def _placeable(obj: Any) -> bool:
    return (isinstance(obj, (go.Figure, pd.DataFrame)) or _is_still(obj)
            or callable(getattr(obj, "plot", None)))


@dataclass
class Deck:
    """A slide deck built chart by chart, saved as an editable PowerPoint file.

    Funnels (with or without a breakdown), ``Funnel.compare()`` tables and
    simple bar/line figures (e.g. friction over time) become native,
    editable PowerPoint charts; other DataFrames become native tables (first
    15 rows); heatmaps, Sankeys and replay stills become high-resolution
    images. Each slide has a title, a takeaway computed from the data and
    speaker notes recording how it was made (parameters, data range, uxlens
    version, privacy setting).

    Parameters
    ----------
    title
        Title slide text; ``None`` for no title slide.
    subtitle
        Title slide subtitle (default: the uxlens version).
    template
        Path of a ``.pptx`` whose slide master, theme and slide size to use.
    privacy
        Masking applied again to every slide (titles, takeaways, table
        cells, replay stills of sessions) when the deck is saved: ``True``
        uses the policy each slide's log was read with (the default policy
        when there is none), a :class:`~uxlens.privacy.Privacy` its own
        choices and custom ``patterns``, ``False`` opts out. The policy, or
        the opt-out, is written into each slide's speaker notes.

    Examples
    --------
    >>> import pandas as pd
    >>> deck = Deck(title=None).add(pd.DataFrame({"page": ["/a"], "visits": [1200]}))
    >>> deck.slides[0].title
    'Table'
    """

    title: str | None = "UX review"
    subtitle: str | None = None
    template: str | Path | None = None
    slides: list[_Slide] = field(default_factory=list)
    privacy: bool | Privacy = True

    def add(self, obj: Any, *, title: str | None = None, note: str = "",
            takeaway: str | None = None, at: float | None = None) -> Deck:
        """Add a slide; the takeaway defaults to one computed from the data.

        Parameters
        ----------
        obj
            A plotly Figure, a DataFrame, a uxlens object with ``.plot()``
            (Funnel, Heatmap, Journeys, Friction...), a Session (its still
            frame via ``.frame(at)``) or PNG bytes.
        title, note, takeaway
            Slide title, extra speaker-note line, takeaway override (``""``
            for none).
        at
            For sessions: seconds after the session start of the still frame.

        Examples
        --------
        >>> import uxlens as ux
        >>> f = ux.Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done",
        ...                           "invite_sent", "onboarding_done"])
        >>> deck = ux.Deck(title="Onboarding")
        >>> deck.add(f, note="demo data") is deck
        True
        >>> deck.slides[0].takeaway
        '25 % of users drop before invite_sent; 50 % complete the funnel.'
        """
        if not _placeable(obj):
            raise UxlensError(
                f"Deck.add() cannot place a {type(obj).__name__}; give a plotly Figure, a "
                "DataFrame, a uxlens object with .plot() (Funnel, Heatmap, Journeys, Friction), "
                "a Session (.frame()) or PNG bytes."
            )
        own = getattr(obj, "title", None)
        auto_title = own if isinstance(own, str) else None
        slide_title = title or auto_title or _default_title(obj)
        computed = takeaway if takeaway is not None else _takeaway(obj)
        self.slides.append(_Slide(obj, slide_title, computed, note, at))
        return self

    def __len__(self) -> int:
        return len(self.slides)

    def save(self, path: str | Path) -> Path:
        """Write the deck to ``path`` (``.pptx``) and return the path.

        Examples
        --------
        >>> import pathlib, tempfile, pptx, uxlens as ux
        >>> f = ux.Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> path = ux.Deck(title="Onboarding").add(f).save(pathlib.Path(tempfile.mkdtemp()) / "r.pptx")
        >>> path.suffix, len(pptx.Presentation(str(path)).slides)
        ('.pptx', 2)
        """
        pptx = _require_pptx()
        path = Path(path)
        _check_writable(path)
        if self.template:
            tpl = Path(self.template)
            if not tpl.is_file():
                raise UxlensError(f"Template {tpl} not found: give the path of a .pptx file.")
            prs = pptx.Presentation(str(tpl))
            for i in range(len(prs.slides) - 1, -1, -1):  # keep masters/theme, drop content
                rid = prs.slides._sldIdLst[i].rId
                prs.part.drop_rel(rid)
                del prs.slides._sldIdLst[i]
        else:
            prs = pptx.Presentation()
            prs.slide_width = pptx.util.Inches(SLIDE_W_IN)
            prs.slide_height = pptx.util.Inches(SLIDE_H_IN)
        if self.title:
            _title_slide(prs, self.title, self.subtitle or f"made with uxlens {__version__}")
        for slide in self.slides:
            _chart_slide(prs, _Slide(slide.obj, slide.title, slide.takeaway, slide.note,
                                     slide.at, self.privacy))
        try:
            prs.save(str(path))
        except OSError as exc:
            raise UxlensError(f"Cannot write {path}: {exc}. Choose a writable path.") from exc
        return path


_DEFAULT_DECK: Deck | None = None


def current_deck(*, reset: bool = False) -> Deck:
    """The session-wide default deck that widgets' "Add to deck" buttons fill.

    Examples
    --------
    >>> current_deck(reset=True) is current_deck()
    True
    """
    global _DEFAULT_DECK
    if _DEFAULT_DECK is None or reset:
        _DEFAULT_DECK = Deck()
    return _DEFAULT_DECK


@dataclass
class Still:
    """A replay still: ``session.frame(at)`` rendered once, placeable on a slide.

    Parameters
    ----------
    session
        A :class:`~uxlens.Session` (anything with ``frame(t, mask=...)``).
    at
        Seconds after the session's first event (``None``: first snapshot).
    mask
        Mask typed values and personal data (default: the policy the log was
        read with), a :class:`~uxlens.privacy.Privacy`, or ``False``.

    Examples
    --------
    >>> import uxlens as ux
    >>> from uxlens.export import Still
    >>> still = Still(ux.demo().session("s-fb37ae7ad70d"), at=12.5)
    >>> still.describe().startswith(
    ...     "Replay still of session s-fb37ae7ad70d, 12.5 s after its first event; typed values masked")
    True
    """

    session: Any
    at: float | None = None
    mask: bool | Privacy = True
    _png: bytes | None = field(default=None, repr=False)

    def frame(self, *_: Any, **__: Any) -> bytes:
        """The PNG (rendered on first use).

        Examples
        --------
        The session's frame is rendered by Chromium on first use, then reused; here
        it is given ready-made:

        >>> import uxlens as ux
        >>> from uxlens.export import Still
        >>> png = b"\\x89PNG\\r\\n\\x1a\\n..."
        >>> still = Still(ux.demo().session("s-fb37ae7ad70d"), _png=png)
        >>> still.frame() is still.frame() is png
        True
        """
        if self._png is None:
            self._png = bytes(self.session.frame(self.at, mask=self.mask))
        return self._png

    @property
    def log(self) -> Any:
        """The EventLog of the session (``None`` when the source has none).

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.export import Still
        >>> log = ux.demo()
        >>> Still(log.session("s-fb37ae7ad70d")).log is log
        True
        """
        return getattr(self.session, "log", None)

    @property
    def events(self) -> Any:
        """The session's events (``None`` when the source has none).

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.export import Still
        >>> len(Still(ux.demo().session("s-fb37ae7ad70d")).events)
        441
        """
        return getattr(self.session, "events", None)

    def _title(self) -> str:
        when = f" at {self.at:.1f} s" if self.at is not None else ""
        return f"Session {getattr(self.session, 'session_id', '')}{when}"

    def describe(self) -> str:
        """Speaker-note line.

        Examples
        --------
        >>> import uxlens as ux
        >>> from uxlens.export import Still
        >>> note = Still(ux.demo().session("s-fb37ae7ad70d"), mask=False).describe()
        >>> note.startswith("Replay still of session s-fb37ae7ad70d; NOT masked")
        True
        """
        policy = output_policy(self.mask, self.log)
        return (f"Replay still of session {getattr(self.session, 'session_id', '?')}"
                + (f", {self.at:.1f} s after its first event" if self.at is not None else "")
                + ("; NOT masked: privacy opt-out (mask=False)." if policy.is_none
                   else f"; typed values masked ({policy.describe()})."))


def export_action(request: Mapping[str, Any], obj: Any, *, deck: Deck | None = None,
                  default_path: str = "uxlens.png", title: str | None = None) -> str:
    """Run a widget's "Add to deck" / "Save image" request; return the status line.

    Parameters
    ----------
    request
        The message the widget's front end sends: ``{"action": "deck" | "image",
        "path": str (image only, optional), "nonce": ...}``.
    obj
        What to export (a Funnel, Heatmap, :class:`Still`...).
    deck
        Deck to append to; default :func:`current_deck`.
    default_path
        Image path when the request has none.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> d = Deck(title=None)
    >>> export_action({"action": "deck"}, go.Figure(go.Bar(x=["a"], y=[1])), deck=d, title="A")
    "Added slide 1 'A' to the deck; save it with deck.save('review.pptx')."
    """
    action = request.get("action")
    if action == "deck":
        target = deck if deck is not None else current_deck()
        target.add(obj, title=title)
        return (f"Added slide {len(target)} {target.slides[-1].title!r} to the deck; "
                "save it with deck.save('review.pptx').")
    if action == "image":
        path = Path(str(request.get("path") or default_path)).expanduser()
        if path.suffix.lower().lstrip(".") not in (*_FORMATS, "jpg"):
            path = path.with_suffix(".png")
        size = {k: int(request[k]) for k in ("width", "height") if request.get(k)}
        to_image(obj, path, **size)
        return f"Saved {path}."
    raise UxlensError(f"Unknown export action {action!r}: expected 'deck' or 'image'.")


def to_pptx(items: Iterable[Any], path: str | Path, *, template: str | Path | None = None,
            title: str | None = "UX review", privacy: bool | Privacy = True) -> Path:
    """Save charts to a 16:9 PowerPoint deck, one slide each (see :class:`Deck`).

    Examples
    --------
    >>> import pathlib, tempfile, pptx, uxlens as ux
    >>> from uxlens.export import to_pptx
    >>> log = ux.demo()
    >>> f = ux.Funnel(log, ["signup_started", "signup_done", "profile_done"])
    >>> table = log.sessions().frame[["session_id", "clicks"]].head()
    >>> path = to_pptx([f, table], pathlib.Path(tempfile.mkdtemp()) / "review.pptx")
    >>> len(pptx.Presentation(str(path)).slides)  # title slide + one per item
    3
    """
    deck = Deck(title=title, template=template, privacy=privacy)
    for item in items:
        deck.add(item)
    return deck.save(path)


def _html_table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, classes="tbl", float_format=lambda v: f"{v:,.3f}")


def to_html(items: Sequence[Any], path: str | Path, *, title: str = "uxlens report",
            privacy: bool | Privacy = True) -> Path:
    """Write a self-contained HTML report: interactive charts and tables, no internet needed.

    ``items`` may mix plotly Figures, uxlens objects (their figure and, when
    they have one, their ``table()``), sessions or :class:`Still` objects
    (an embedded PNG), DataFrames and strings (paragraphs). ``privacy`` is
    applied again to paragraphs, tables and stills (see :class:`Deck`); the
    report header says which policy, or that privacy was turned off.

    Examples
    --------
    >>> import pathlib, tempfile, uxlens as ux
    >>> from uxlens.export import to_html
    >>> f = ux.Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
    >>> path = to_html(["Onboarding, week 41.", f], pathlib.Path(tempfile.mkdtemp()) / "r.html")
    >>> text = path.read_text()
    >>> "<p>Onboarding, week 41.</p>" in text, text.count("<h2>"), "signup_done" in text
    (True, 1, True)
    """
    path = Path(path)
    _check_writable(path)
    parts: list[str] = []
    first_fig = True
    policies: list[Privacy] = []
    for item in items:
        policy = output_policy(privacy, _log_of(item))
        policies.append(policy)
        if isinstance(item, str):
            parts.append(f"<p>{html.escape(policy.text(item))}</p>")
        elif isinstance(item, pd.DataFrame):
            parts.append(_html_table(policy.frame(item)))
        elif _is_still(item):  # a replay still, embedded as a data URI
            png = bytes(item) if isinstance(item, (bytes, bytearray)) else _still_of(item, policy)
            parts.append(f"<h2>{html.escape(_default_title(item))}</h2><img alt='replay still' "
                         "style='max-width:100%;border:1px solid #E9ECEF' src='data:image/png;"
                         f"base64,{base64.b64encode(png).decode()}'>")
        else:
            fig = _figure_of(item)
            parts.append(f"<h2>{html.escape(_default_title(item))}</h2>")
            line = _takeaway(item)
            if line:
                parts.append(f"<p class='take'>{html.escape(line)}</p>")
            parts.append(fig.to_html(full_html=False, include_plotlyjs=first_fig,
                                     config={"displaylogo": False}))
            first_fig = False
            table = getattr(item, "table", None)
            if callable(table) and not isinstance(item, go.Figure):
                parts.append(_html_table(policy.frame(table())))
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:Inter,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1F2933;max-width:1200px;
margin:32px auto;padding:0 24px}}h1{{font-size:26px}}h2{{font-size:19px;margin-top:32px}}
.meta{{color:#667085}}.take{{color:#3B5BDB;font-weight:600}}
table.tbl{{border-collapse:collapse;margin:12px 0 28px;font-size:13px}}
table.tbl td,table.tbl th{{border-bottom:1px solid #E9ECEF;padding:4px 10px;text-align:right}}
table.tbl th{{background:#F8F9FA}}</style></head><body><h1>{html.escape(title)}</h1>
<p class="meta">uxlens {__version__} · {stamp}</p>
<p class="meta">{html.escape(_privacy_line(policies))}</p>{''.join(parts)}</body></html>"""
    path.write_text(doc, encoding="utf-8")
    return path


class Exportable:
    """Mixin giving uxlens objects ``to_image``, ``to_pptx`` and ``to_html``.

    Examples
    --------
    Every analysis object is exportable:

    >>> import uxlens as ux
    >>> from uxlens.export import Exportable
    >>> [c.__name__ for c in (ux.Funnel, ux.Heatmap, ux.HeatmapComparison, ux.Friction,
    ...                       ux.Journeys, ux.Session) if issubclass(c, Exportable)]
    ['Funnel', 'Heatmap', 'HeatmapComparison', 'Friction', 'Journeys', 'Session']
    """

    def to_image(self, path: str | Path | None = None, **kwargs: Any) -> bytes:
        """Render this object's figure to an image (see :func:`uxlens.export.to_image`).

        Examples
        --------
        >>> import uxlens as ux
        >>> f = ux.Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> try:
        ...     f.to_image(format="gif")
        ... except ux.UxlensError as err:
        ...     print(err)
        format must be one of ('png', 'svg', 'pdf', 'jpeg', 'webp'), got 'gif'.
        >>> svg = f.to_image("funnel.svg")  # doctest: +SKIP
        """
        return to_image(self, path, **kwargs)

    def to_pptx(self, path: str | Path, **kwargs: Any) -> Path:
        """Save this object's chart as a one-slide deck (see :class:`uxlens.Deck`).

        Examples
        --------
        >>> import pathlib, tempfile, pptx, uxlens as ux
        >>> f = ux.Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> path = f.to_pptx(pathlib.Path(tempfile.mkdtemp()) / "funnel.pptx")
        >>> slide = pptx.Presentation(str(path)).slides[1]
        >>> any(shape.has_chart for shape in slide.shapes)  # a native, editable chart
        True
        """
        return to_pptx([self], path, **kwargs)

    def to_html(self, path: str | Path, **kwargs: Any) -> Path:
        """Save this object's chart and table as an HTML report.

        Examples
        --------
        >>> import pathlib, tempfile, uxlens as ux
        >>> f = ux.Funnel(ux.demo(), ["signup_started", "signup_done", "profile_done"])
        >>> path = f.to_html(pathlib.Path(tempfile.mkdtemp()) / "funnel.html")
        >>> text = path.read_text()
        >>> "plotly" in text and "profile_done" in text
        True
        """
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
    if isinstance(obj, pd.DataFrame):
        if _is_compare_table(obj):
            a, b = obj.attrs.get("from_step"), obj.attrs.get("to_step")
            steps = f" (steps {a}→{b})" if a and b else ""
            return f"Conversion by {obj.columns[0]}{steps}"
        return "Table"
    if isinstance(obj, (bytes, bytearray)):
        return "Replay still"
    own = getattr(obj, "_title", None)
    if callable(own):
        try:
            return str(own())
        except Exception:  # a title is a nicety
            pass
    if _is_still(obj):
        return f"Session {getattr(obj, 'session_id', '')}".strip()
    return type(obj).__name__


def _pct(v: float) -> str:
    return f"{100 * v:.0f} %"


def _funnel_takeaway(funnel: Any) -> str:
    table = funnel.table()
    unit = "users" if getattr(funnel, "unit", "user") == "user" else "sessions"
    by = getattr(funnel, "breakdown", None)
    if by and by in table.columns:
        last = table.groupby(by, sort=False).agg(first=("count", "first"), last=("count", "last"))
        last = last.loc[last["first"] > 0]
        if last.empty:
            return ""
        conv = (last["last"] / last["first"]).sort_values(ascending=False)
        if len(conv) == 1:
            return f"{_pct(conv.iloc[0])} of {conv.index[0]} {unit} complete the funnel."
        return (f"{conv.index[0]} converts best ({_pct(conv.iloc[0])}), "
                f"{conv.index[-1]} worst ({_pct(conv.iloc[-1])}).")
    counts = table["count"].to_numpy(dtype=float)
    if len(counts) < 2 or counts[0] <= 0:
        return ""
    losses = counts[:-1] - counts[1:]
    k = int(losses.argmax()) + 1
    label = str(table["label"].iloc[k])
    return (f"{_pct(losses[k - 1] / counts[0])} of {unit} drop before {label}; "
            f"{_pct(counts[-1] / counts[0])} complete the funnel.")


def _compare_takeaway(t: pd.DataFrame) -> str:
    ok = t.loc[t["count"] > 0].sort_values("conversion", ascending=False)
    if len(ok) < 2:
        return ""
    col = t.columns[0]
    best, worst = ok.iloc[0], ok.iloc[-1]
    sig = [str(v) for v in t.loc[t["significant"].astype(bool), col]] if "significant" in t else []
    tail = (f"; significant: {', '.join(sig)}" if sig else "; no segment differs significantly")
    return (f"{best[col]} converts at {_pct(best['conversion'])}, "
            f"{worst[col]} at {_pct(worst['conversion'])}{tail}.")


def _takeaway(obj: Any) -> str:
    """One sentence computed from the data behind ``obj`` ("" when there is none)."""
    try:
        method = getattr(obj, "takeaway", None)
        if callable(method):
            return str(method())
        if isinstance(obj, pd.DataFrame):
            return _compare_takeaway(obj) if _is_compare_table(obj) else ""
        name = type(obj).__name__
        if name == "Funnel" and callable(getattr(obj, "table", None)):
            return _funnel_takeaway(obj)
        if callable(getattr(obj, "paths", None)):  # Journeys
            top = obj.paths(top=1)
            if len(top):
                r = top.iloc[0]
                return f"{_pct(r['share'])} of journeys follow {r['path']}."
        if callable(getattr(obj, "insights", None)):  # Friction
            ins = obj.insights(top=1)
            if len(ins) and "text" in ins:
                text = str(ins["text"].iloc[0])
                return text[:1].upper() + text[1:] + "."
    except Exception:  # a takeaway is a nicety; never block an export on it
        return ""
    return ""


def _log_of(obj: Any) -> Any:
    """The EventLog (or events DataFrame) behind a uxlens object, found by duck typing."""
    for attr in ("log", "log_", "_log", "events"):
        try:
            value = getattr(obj, attr, None)
            if callable(value) and attr == "_log":
                value = value()
        except Exception:
            continue
        if value is None or callable(value):
            continue
        if hasattr(value, "events") and hasattr(value, "meta"):
            return value
        if isinstance(value, pd.DataFrame) and "timestamp" in value.columns:
            return value
    return None


def _data_notes(obj: Any) -> list[str]:
    log = _log_of(obj)
    if log is None:
        return []
    events = log.events if hasattr(log, "meta") else log
    own = getattr(obj, "events", None) if _is_still(obj) else None
    if isinstance(own, pd.DataFrame) and "timestamp" in own.columns:
        events = own  # a replay still: the session's own time range
    lines = []
    if isinstance(events, pd.DataFrame) and "timestamp" in events.columns and len(events):
        ts = events["timestamp"]
        n_sessions = events["session_id"].nunique() if "session_id" in events.columns else None
        who = f", {n_sessions:,} sessions" if n_sessions is not None else ""
        lines.append(f"Data: {ts.min():%Y-%m-%d %H:%M} to {ts.max():%Y-%m-%d %H:%M} UTC, "
                     f"{len(events):,} events{who}.")
    meta = getattr(log, "meta", None) or {}
    mask = meta.get("mask") if isinstance(meta, dict) else None
    if mask is False:
        lines.append("Privacy: inputs NOT masked (the log was read with mask=False).")
    elif mask is True:
        lines.append("Privacy: inputs masked.")
    else:
        lines.append("Privacy: inputs masked by default (uxlens masks typed values "
                     "unless read with mask=False).")
    return lines


def _privacy_line(policies: Sequence[Privacy]) -> str:
    """The speaker-note / report line saying what this output masked, or the opt-out."""
    if policies and all(p.is_none for p in policies):
        return ("Privacy OPT-OUT: nothing masked in this export (privacy explicitly turned "
                "off with privacy=False); it may show typed values and personal data.")
    described = sorted({p.describe() for p in policies if not p.is_none})
    line = "Privacy at export: " + " | ".join(described or [Privacy().describe()]) + "."
    if any(p.is_none for p in policies):
        line += " Some items NOT masked (privacy opt-out)."
    return line


def _still_of(obj: Any, policy: Privacy) -> bytes:
    """A still's PNG: a :class:`Still` keeps its own ``mask``; a session gets ``policy``."""
    if isinstance(obj, Still) or not hasattr(obj, "session_id"):
        return bytes(obj.frame())
    return bytes(obj.frame(mask=policy))


def _speaker_notes(slide: _Slide) -> str:
    obj = slide.obj
    lines = [slide.note] if slide.note else []
    describe = getattr(obj, "describe", None)
    if callable(describe) and not isinstance(obj, pd.DataFrame):
        try:
            lines.append(str(describe()))
        except Exception:
            pass
    if isinstance(obj, pd.DataFrame):
        lines.append(f"Table of {len(obj):,} rows x {obj.shape[1]} columns"
                     + (" (first 15 shown)." if len(obj) > 15 else "."))
        if obj.attrs.get("reference"):
            lines.append(f"Each segment compared with the {obj.attrs['reference']}; "
                         "intervals: Wilson; p-values Holm-adjusted.")
    elif not isinstance(obj, (go.Figure, bytes, bytearray)):
        lines.append("Parameters: " + repr(obj).splitlines()[0])
        params = getattr(obj, "params", None)
        if isinstance(params, dict) and params:
            lines.append("Thresholds: " + ", ".join(f"{k}={v}" for k, v in params.items()))
    if slide.at is not None:
        lines.append(f"Still frame at {slide.at:g} s after the session start.")
    lines.extend(_data_notes(obj) if not isinstance(obj, (bytes, bytearray)) else [])
    lines.append(_privacy_line([_slide_policy(slide)]))
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


def _blank_layout(prs: Any) -> Any:
    layouts = list(prs.slide_layouts)
    for layout in layouts:
        if layout.name.strip().lower() == "blank":
            return layout
    return min(layouts, key=lambda lay: len(lay.placeholders))


def _new_slide(prs: Any) -> Any:
    slide = prs.slides.add_slide(_blank_layout(prs))
    for ph in list(slide.placeholders):  # templates without a true blank layout
        ph._element.getparent().remove(ph._element)
    return slide


def _title_slide(prs: Any, title: str, subtitle: str) -> None:
    w, h = prs.slide_width, prs.slide_height
    slide = _new_slide(prs)
    box = slide.shapes.add_textbox(int(w * 0.06), int(h * 0.35), int(w * 0.86), int(h * 0.16))
    _text(box, title, size=40, bold=True)
    sub = slide.shapes.add_textbox(int(w * 0.06), int(h * 0.51), int(w * 0.86), int(h * 0.11))
    _text(sub, subtitle, size=18, color=_MUTED)


# ------------------------------------------------------------ native charts
@dataclass
class _ChartSpec:
    kind: str  # XL_CHART_TYPE member name
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    number_format: str = "#,##0"
    labels: list[str] | None = None  # custom data labels (one series only)


def _is_compare_table(frame: pd.DataFrame) -> bool:
    return {"count", "conversion", "ci_low", "ci_high"} <= set(frame.columns)


def _funnel_spec(funnel: Any) -> _ChartSpec | None:
    table = funnel.table()
    if not {"label", "count", "step"} <= set(table.columns):
        return None
    by = getattr(funnel, "breakdown", None)
    if by and by in table.columns:
        labels = list(dict.fromkeys(str(v) for v in table.sort_values("step")["label"]))
        series = []
        for value, block in table.groupby(by, sort=False):
            counts = dict(zip(block["step"].astype(int), block["count"].astype(float)))
            series.append((str(value), [counts.get(i + 1) for i in range(len(labels))]))
        return _ChartSpec("COLUMN_CLUSTERED", labels, series)
    return _ChartSpec("COLUMN_CLUSTERED", [str(v) for v in table["label"]],
                      [("Units", [float(v) for v in table["count"]])])


def _compare_spec(t: pd.DataFrame) -> _ChartSpec:
    labels = [f"{_pct(r.conversion)} ({100 * r.ci_low:.0f}–{100 * r.ci_high:.0f} %)"
              + (" *" if bool(getattr(r, "significant", False)) else "")
              for r in t.itertuples(index=False)]
    return _ChartSpec("COLUMN_CLUSTERED", [str(v) for v in t.iloc[:, 0]],
                      [("Conversion", [float(v) for v in t["conversion"]])],
                      number_format="0%", labels=labels)


def _category(value: Any) -> str:
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        ts = pd.Timestamp(value)
        return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def figure_chart_spec(fig: go.Figure) -> _ChartSpec | None:
    """The native-chart form of a simple plotly bar or line figure, else ``None``.

    Bar traces (vertical or horizontal, grouped or stacked) and scatter traces
    drawn as lines become one PowerPoint series each; anything else (heatmaps,
    Sankeys, images, scatter clouds, mixed bars and lines) stays an image.

    Examples
    --------
    >>> fig = go.Figure([go.Scatter(x=[1, 2], y=[3, 4], mode="lines", name="a")])
    >>> spec = figure_chart_spec(fig)
    >>> spec.kind, spec.categories, spec.series
    ('LINE_MARKERS', ['1', '2'], [('a', [3.0, 4.0])])
    """
    traces = list(fig.data)
    if not traces:
        return None
    kinds = set()
    for tr in traces:
        if isinstance(tr, go.Bar):
            kinds.add("barh" if tr.orientation == "h" else "bar")
        elif isinstance(tr, go.Scatter) and tr.mode and "lines" in tr.mode:
            kinds.add("line")
        elif isinstance(tr, go.Scatter) and tr.mode is None and tr.x is not None \
                and len(tr.x) > 20:
            kinds.add("line")  # plotly draws long scatter traces as lines by default
        else:
            return None
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    horizontal = kind == "barh"
    order: dict[str, int] = {}
    raw: dict[str, Any] = {}
    series = []
    for tr in traces:
        cats, vals = (tr.y, tr.x) if horizontal else (tr.x, tr.y)
        if cats is None or vals is None or len(cats) != len(vals):
            return None
        mapped: dict[str, float | None] = {}
        for c, v in zip(cats, vals):
            key = _category(c)
            order.setdefault(key, len(order))
            raw.setdefault(key, c)
            try:
                mapped[key] = None if v is None or pd.isna(v) else float(v)
            except (TypeError, ValueError):
                return None
        series.append((str(tr.name or f"series {len(series) + 1}"), mapped))
    keys = list(order)
    if all(isinstance(raw[k], (pd.Timestamp, _dt.datetime, _dt.date)) for k in keys):
        keys = sorted(keys, key=lambda k: pd.Timestamp(raw[k]))
    stacked = fig.layout.barmode in ("stack", "relative")
    chart = {"bar": "COLUMN_STACKED" if stacked else "COLUMN_CLUSTERED",
             "barh": "BAR_STACKED" if stacked else "BAR_CLUSTERED",
             "line": "LINE_MARKERS"}[kind]
    return _ChartSpec(chart, keys, [(name, [m.get(k) for k in keys]) for name, m in series],
                      number_format="General")


def _chart_spec(obj: Any) -> _ChartSpec | None:
    if isinstance(obj, pd.DataFrame):
        return _compare_spec(obj) if _is_compare_table(obj) else None
    if type(obj).__name__ == "Funnel" and callable(getattr(obj, "table", None)):
        return _funnel_spec(obj)
    if isinstance(obj, (bytes, bytearray)) or _is_still(obj):
        return None
    try:
        return figure_chart_spec(_figure_of(obj))
    except UxlensError:
        return None


def _add_chart(slide: Any, spec: _ChartSpec, box: tuple[int, int, int, int]) -> Any:
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.util import Pt

    from .plotting.theme import SEGMENTS

    data = CategoryChartData(number_format=spec.number_format)
    data.categories = spec.categories
    for name, values in spec.series:
        data.add_series(name, values)
    kind = getattr(XL_CHART_TYPE, spec.kind)
    chart = slide.shapes.add_chart(kind, *box, data).chart
    chart.font.size = Pt(12)
    chart.has_title = False  # the slide title says it
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
    plot = chart.plots[0]
    if spec.kind.startswith(("COLUMN", "BAR")):
        plot.gap_width = 60
        if "STACKED" not in spec.kind and len(spec.series) <= 4 and len(spec.categories) <= 12:
            plot.has_data_labels = True
            labels = plot.data_labels
            labels.position = XL_LABEL_POSITION.OUTSIDE_END
            labels.font.size = Pt(13 if len(spec.series) == 1 else 11)
            labels.number_format = spec.number_format
            labels.number_format_is_linked = False
    colors = [_BRAND] if len(spec.series) == 1 else [c.lstrip("#") for c in SEGMENTS]
    for i, series in enumerate(plot.series):
        color = RGBColor.from_string(colors[i % len(colors)].upper()[:6])
        if spec.kind.startswith("LINE"):
            series.format.line.color.rgb = color
            series.format.line.width = Pt(2.25)
            series.smooth = False
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = color
    if spec.labels is not None:
        for point, text in zip(plot.series[0].points, spec.labels):
            tf = point.data_label.text_frame
            tf.text = text
            tf.paragraphs[0].runs[0].font.size = Pt(13)
            point.data_label.position = XL_LABEL_POSITION.OUTSIDE_END
    chart.category_axis.tick_labels.font.size = Pt(12)
    chart.value_axis.tick_labels.font.size = Pt(11)
    chart.value_axis.has_major_gridlines = spec.kind.startswith("LINE")
    if spec.number_format == "0%":
        chart.value_axis.tick_labels.number_format = "0%"
        chart.value_axis.tick_labels.number_format_is_linked = False
    return chart


# ------------------------------------------------------------- native tables
MAX_TABLE_ROWS = 15
_PCT_HINTS = ("conversion", "share", "rate", "ci_low", "ci_high", "diff", "lift_pct")


def _format_cell(column: str, value: Any) -> str:
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return "–"
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, (int,)) or type(value).__name__.startswith(("int", "uint")):
        return f"{int(value):,}"
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        v = float(value)
        name = column.lower()
        if name.startswith("p_") or name in ("p", "q_value", "pvalue"):
            return f"{v:.2g}"
        if any(h in name for h in _PCT_HINTS) and abs(v) <= 1.0:
            return f"{100 * v:.1f} %"
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        return f"{v:,.2f}" if abs(v) >= 1 else f"{v:.3g}"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _add_table(slide: Any, frame: pd.DataFrame, box: tuple[int, int, int, int]) -> Any:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    shown = frame.head(MAX_TABLE_ROWS)
    cols = [str(c) for c in shown.columns]
    n_rows = len(shown) + 1
    left, top, width, height = box
    row_h = min(int(height / max(n_rows, 1)), int(Pt(28)))
    shape = slide.shapes.add_table(n_rows, len(cols), left, top, width, row_h * n_rows)
    table = shape.table
    size = 14 if len(cols) <= 5 and n_rows <= 10 else 11
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
               for c in shown.columns]
    from pptx.enum.text import PP_ALIGN

    for j, name in enumerate(cols):
        cell = table.cell(0, j)
        cell.text = name.replace("_", " ")
        run = cell.text_frame.paragraphs[0].runs[0]
        run.font.bold, run.font.size = True, Pt(size)
        run.font.color.rgb = RGBColor.from_string("FFFFFF")
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string(_BRAND)
        if numeric[j]:
            cell.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT
    for i, row in enumerate(shown.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = _format_cell(cols[j], value)
            para = cell.text_frame.paragraphs[0]
            font = para.runs[0].font if para.runs else para.font  # an empty cell has no run
            font.size = Pt(size)
            font.color.rgb = RGBColor.from_string(_INK)
            if numeric[j]:
                para.alignment = PP_ALIGN.RIGHT
    return table


def _slide_policy(slide: _Slide) -> Privacy:
    obj = slide.obj
    return output_policy(slide.privacy, None if isinstance(obj, (bytes, bytearray))
                         else _log_of(obj))


def _still_png(slide: _Slide) -> bytes:
    obj = slide.obj
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj)
    if not isinstance(obj, Still) and hasattr(obj, "session_id"):  # a Session
        png = obj.frame(slide.at, mask=_slide_policy(slide))
    else:
        png = obj.frame(slide.at) if slide.at is not None else obj.frame()
    if not isinstance(png, (bytes, bytearray)):
        raise UxlensError(f"{type(obj).__name__}.frame() returned {type(png).__name__}, "
                          "expected PNG bytes.")
    return bytes(png)


def _add_picture(slide: Any, png: bytes, box: tuple[int, int, int, int]) -> Any:
    from PIL import Image

    left, top, width, height = box
    w, h = Image.open(io.BytesIO(png)).size
    scale = min(width / w, height / h)
    pw, ph = int(w * scale), int(h * scale)
    return slide.shapes.add_picture(io.BytesIO(png), left + (width - pw) // 2, top, pw, ph)


def _chart_slide(prs: Any, slide: _Slide) -> None:
    W, H = prs.slide_width, prs.slide_height
    mx = int(W * 0.045)
    policy = _slide_policy(slide)
    slide = _Slide(slide.obj, policy.text(slide.title), policy.text(slide.takeaway),
                   slide.note, slide.at, slide.privacy)
    s = _new_slide(prs)
    # one line of title at the slide's width: long titles get a smaller font
    per_line = (W - 2 * mx) / 914400 * 72 / 0.65  # characters of a 1 pt bold font per line
    size = next((pt for pt in (28, 24, 20, 18) if len(slide.title) * pt <= per_line), 16)
    _text(s.shapes.add_textbox(mx, int(H * 0.045), W - 2 * mx, int(H * 0.1)), slide.title,
          size=size, bold=True)
    if slide.takeaway:
        line = slide.takeaway[:1].upper() + slide.takeaway[1:]
        _text(s.shapes.add_textbox(mx, int(H * 0.14), W - 2 * mx, int(H * 0.07)),
              line, size=16, color=_BRAND)
    box = (mx, int(H * 0.215), W - 2 * mx, int(H * 0.735))
    spec = _chart_spec(slide.obj)
    if spec is not None:
        _add_chart(s, spec, box)
    elif isinstance(slide.obj, pd.DataFrame):
        _add_table(s, policy.frame(slide.obj), box)
    elif _is_still(slide.obj):
        _add_picture(s, _still_png(slide), box)
    else:
        px_w = 1600
        px_h = int(px_w * box[3] / box[2])
        png = _image_bytes(_figure_of(slide.obj), "png", px_w, px_h, 2.0)
        _add_picture(s, png, box)
    s.notes_slide.notes_text_frame.text = _speaker_notes(slide)
