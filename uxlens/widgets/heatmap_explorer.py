"""Heatmap explorer: pick kind, device, segment and version; click the map to list sessions.

Python decides everything (which heatmap, its binned grid, the page image,
which sessions are behind a point); the front end in
``static/heatmap_explorer.js`` only draws the page image, paints the grid on
a canvas with the uxlens colour scale and reports selector changes, clicks on
the map and clicks on a session row. The grid travels as a binary float32
buffer and the page image as bytes, never as JSON lists. The sessions behind a
point travel and render as in the other explorers (``_sessions.py``,
``static/_sessions.js``), with the heatmap's ``events_here`` column.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import anywidget
import numpy as np
import traitlets

from ..exceptions import UxlensError
from ..plotting.theme import SEQUENTIAL
from ._sessions import front_end, sessions_payload

if TYPE_CHECKING:  # pragma: no cover
    from ..eventlog import SessionList
    from ..heatmap import Heatmap

__all__ = ["HeatmapExplorer"]

_ALL = "all"
#: Columns the heatmap adds to the shared session table: the events near the clicked point.
_EXTRA_COLUMNS = ("events_here",)


class HeatmapExplorer(anywidget.AnyWidget):
    """Interactive heatmap: selectors for kind, device, segment, version and screen.

    A page that shows several main screen states (A/B variants, a modal open
    or closed; :meth:`Heatmap.main_screens`) gets a screen selector: its main
    states and ``"all"`` (merged). It starts on the busiest state unless the
    heatmap names one (``screen=...``, or ``"all"``).

    Clicking a point of a click/move/rage/dead/error map lists the sessions
    with events within ``radius`` px of it; clicking a scroll or attention
    map lists the sessions whose viewport showed that band, in :attr:`sessions`
    (the explorers' session table: ``label``, ``columns``, ``rows``, ``total``,
    with an ``events_here`` column). The last list is
    :attr:`last_sessions` (a :class:`~uxlens.SessionList`, ready to replay);
    clicking a row sets :attr:`selected_session` and calls the callbacks
    registered with :meth:`on_select`.

    Parameters
    ----------
    heatmap
        The heatmap to start from (its url, filters and data).
    segments
        Extra named segments for the segment selector: ``{label: dict of
        column filters | SessionList | list of session ids}``, e.g.
        ``{"dropped at invite": funnel.dropped(3)}``. Segments by traffic
        source and new/returning are added when the data has them.
    radius
        Click radius in map px.
    deck
        Where "Add to deck" puts the heatmap as shown (default
        :func:`uxlens.export.current_deck`); "Save image" writes a PNG to
        :attr:`export_path`.

    Examples
    --------
    >>> import uxlens as ux
    >>> from uxlens.heatmap import Heatmap
    >>> w = HeatmapExplorer(Heatmap(ux.demo(), url="/onboarding/invite", background=None))
    >>> w.kind, w.device in w.devices, w.grid_nx > 0
    ('click', True, True)
    >>> w.click = {"x": w.page_w / 2, "y": 300.0}
    >>> w.sessions["columns"][:2], w.sessions["total"] == len(w.last_sessions)
    (['session_id', 'events_here'], True)
    """

    _esm, _css = front_end("heatmap_explorer")

    kinds = traitlets.List(traitlets.Unicode()).tag(sync=True)
    devices = traitlets.List(traitlets.Unicode()).tag(sync=True)
    segments = traitlets.List(traitlets.Unicode()).tag(sync=True)
    versions = traitlets.List(traitlets.Unicode()).tag(sync=True)
    #: Screen choices: ``"all"`` then the page's main screen states (only ``"all"``: no selector).
    screens = traitlets.List(traitlets.Unicode()).tag(sync=True)
    kind = traitlets.Unicode("click").tag(sync=True)
    device = traitlets.Unicode("").tag(sync=True)
    segment = traitlets.Unicode(_ALL).tag(sync=True)
    version = traitlets.Unicode(_ALL).tag(sync=True)
    screen = traitlets.Unicode(_ALL).tag(sync=True)
    radius = traitlets.Float(30.0).tag(sync=True)

    image = traitlets.Bytes(b"").tag(sync=True)
    image_mime = traitlets.Unicode("").tag(sync=True)
    page_w = traitlets.Float(1.0).tag(sync=True)
    page_h = traitlets.Float(1.0).tag(sync=True)
    grid = traitlets.Bytes(b"").tag(sync=True)
    grid_nx = traitlets.Int(0).tag(sync=True)
    grid_ny = traitlets.Int(0).tag(sync=True)
    grid_y0 = traitlets.Float(0.0).tag(sync=True)
    bin_px = traitlets.Float(20.0).tag(sync=True)
    grid_max = traitlets.Float(1.0).tag(sync=True)
    colors = traitlets.List().tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    click = traitlets.Dict().tag(sync=True)
    marker = traitlets.Dict().tag(sync=True)
    #: The sessions behind the last click, as :func:`~uxlens.widgets._sessions.sessions_payload`.
    sessions = traitlets.Dict().tag(sync=True)
    selected_session = traitlets.Unicode("").tag(sync=True)
    #: "Add to deck" / "Save image": {action: "deck" | "image", path, nonce}.
    export_request = traitlets.Dict().tag(sync=True)
    export_path = traitlets.Unicode("heatmap.png").tag(sync=True)
    export_message = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        heatmap: Heatmap,
        *,
        segments: Mapping[str, Any] | None = None,
        radius: float = 30.0,
        deck: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.deck = deck
        from ..heatmap import KINDS

        self._base = heatmap
        self._segments: dict[str, Any] = {_ALL: heatmap.segment}
        self._segments.update(self._default_segments())
        self._segments.update(dict(segments or {}))
        self._callbacks: list[Callable[[str], Any]] = []
        #: The sessions behind the last click on the map.
        self.last_sessions: SessionList | None = None
        refs = heatmap.with_(kind="click").reference_widths() if heatmap.kind in (
            "scroll", "attention") else heatmap.reference_widths()
        order = [d for d in ("desktop", "tablet", "mobile") if d in refs] + sorted(
            d for d in refs if d not in ("desktop", "tablet", "mobile"))
        mains = self._main_screens()
        named = heatmap.screen not in (None, _ALL)
        start = heatmap.screen if heatmap.screen is not None else (mains[0] if mains else _ALL)
        with self.hold_trait_notifications():
            self.screens = [_ALL] + mains + ([heatmap.screen] if named and heatmap.screen
                                             not in mains else [])
            self.screen = start
            self.kinds = list(KINDS)
            self.devices = order
            self.segments = list(self._segments)
            self.versions = [_ALL] + self._versions()
            self.version = _ALL if heatmap.version is None else str(heatmap.version)
            self.kind = heatmap.kind
            self.radius = float(radius)
            self.colors = [[float(s), c] for s, c in SEQUENTIAL]
            self.device = (heatmap.device if isinstance(heatmap.device, str)
                           else (order[0] if order else ""))
        self.observe(self._on_choice, names=["kind", "device", "segment", "version", "screen"])
        self.observe(self._on_click, names=["click"])
        self.observe(self._on_selected, names=["selected_session"])
        self.observe(self._on_export, names=["export_request"])
        self._update()

    # ------------------------------------------------------------ options
    def _column_values(self, column: str, limit: int = 8) -> list[Any]:
        from ..engine.backend import execute

        t = self._base._shared.table
        if column not in t.columns:
            return []
        known = t.filter(t[column].notnull())
        vals = execute(known.group_by(column).agg(n=known.count())
                       .order_by([lambda s: s.n.desc(), column]).limit(limit))
        return vals[column].tolist()

    def _main_screens(self) -> list[str]:
        """Main screen states of the page (of a click map for scroll and attention maps)."""
        base = self._base
        kind = base.kind if base.kind not in ("scroll", "attention") else "click"
        try:
            return base.with_(screen=None, kind=kind).main_screens()
        except UxlensError:
            return []

    def _versions(self) -> list[str]:
        return sorted(str(v) for v in self._column_values("version"))

    def _default_segments(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        ret = self._column_values("is_returning")
        if True in ret or False in ret:
            out["new visitors"] = {"is_returning": False}
            out["returning visitors"] = {"is_returning": True}
        for src in self._column_values("source", limit=6):
            out[f"source: {src}"] = {"source": src}
        return out

    # ------------------------------------------------------------- compute
    def current(self) -> Heatmap:
        """The heatmap the selectors currently show."""
        return self._base.with_(
            kind=self.kind,
            device=self.device or None,
            segment=self._segments.get(self.segment, self._base.segment),
            version=None if self.version == _ALL else self._typed_version(self.version),
            screen=self.screen or _ALL,
        )

    def _typed_version(self, label: str) -> Any:
        for v in self._column_values("version"):
            if str(v) == label:
                return v
        return label

    def _on_choice(self, _change: Any = None) -> None:
        self._update()

    def _update(self) -> None:
        h = self.current()
        self.sessions = {}
        self.marker = {}
        try:
            payload = _payload(h, self.device)
        except UxlensError as exc:
            self.error = str(exc)
            self.grid, self.grid_nx, self.grid_ny = b"", 0, 0
            return
        self.error = ""
        with self.hold_trait_notifications():
            for key, value in payload.items():
                setattr(self, key, value)

    def _on_click(self, change: Any) -> None:
        point = change["new"] or {}
        if "x" not in point or "y" not in point:
            return
        x, y = float(point["x"]), float(point["y"])
        h = self.current()
        try:
            if h.kind in ("scroll", "attention"):
                half = max(self.bin_px, 1.0) / 2
                found = h.sessions_in_band(y - half, y + half, device=self.device or None)
            else:
                found = h.sessions_at(x, y, self.radius, device=self.device or None)
        except UxlensError as exc:
            self.error = str(exc)
            return
        self.last_sessions = found
        self.marker = {"x": x, "y": y, "r": self.radius if h.kind not in (
            "scroll", "attention") else 0}
        self.sessions = sessions_payload(found, extra=_EXTRA_COLUMNS)

    def _on_selected(self, change: Any) -> None:
        sid = change["new"]
        if not sid:
            return
        for cb in list(self._callbacks):
            cb(sid)

    def on_select(self, callback: Callable[[str], Any]) -> None:
        """Call ``callback(session_id)`` when a session row is clicked (e.g. to replay it)."""
        self._callbacks.append(callback)

    # -------------------------------------------------------------- export
    def add_to_deck(self) -> str:
        """Add the heatmap as shown to the deck; return the status line."""
        self.export_request = {"action": "deck", "nonce": id(object())}
        return self.export_message

    def save_image(self, path: str | None = None) -> str:
        """Save the heatmap as shown to a PNG (default :attr:`export_path`); return the status."""
        self.export_request = {"action": "image", "path": path or self.export_path,
                               "nonce": id(object())}
        return self.export_message

    def _on_export(self, change: Any) -> None:
        request = change["new"] or {}
        if not request.get("action"):
            return
        from ..export import export_action

        try:
            self.export_message = export_action(
                request, self.current(), deck=self.deck,
                default_path=self.export_path or "heatmap.png")
        except Exception as exc:
            self.export_message = f"Export failed: {exc}"


def _payload(h: Heatmap, device: str) -> dict[str, Any]:
    """Everything the front end needs to draw one device's map (pure data)."""
    from ..heatmap import KINDS

    refs = h.reference_widths()
    if device not in refs:
        raise UxlensError(f"No {device or 'device'} data for this selection.")
    width = float(refs[device])
    bg = h.background_image(device)
    image, mime = b"", ""
    height = 0.0
    if bg is not None:
        head, _, data = bg["source"].partition(",")
        image = base64.b64decode(data)
        mime = head[5:].split(";")[0]
        height = float(bg["height"])
    b = float(h.bin_px)
    if h.kind in ("scroll", "attention"):
        g = h.grid(b)
        g = g.loc[g["device"] == device]
        col = "share" if h.kind == "scroll" else "seconds_per_session"
        ys = g["y"] if h.kind == "scroll" else g["y0"]
        y0 = float(ys.min()) if len(g) else 0.0
        ny = int(round((float(ys.max()) - y0) / b)) + 1 if len(g) else 0
        dense = np.zeros((ny, 1), dtype=np.float32)
        if ny:
            dense[((ys - y0) / b).round().astype(int).to_numpy(), 0] = g[col].to_numpy()
        height = max(height, y0 + ny * b)
        nx = 1
    else:
        g = h.grid(b, smooth=b, sessions=False)
        g = g.loc[g["device"] == device]
        y0 = 0.0
        nx = int(np.ceil(width / b))
        ny = int(g["y_bin"].max()) + 1 if len(g) else 0
        height = max(height, ny * b)
        ny = max(ny, int(np.ceil(height / b)))
        dense = np.zeros((ny, nx), dtype=np.float32)
        keep = g.loc[(g["x_bin"] >= 0) & (g["x_bin"] < nx) & (g["y_bin"] >= 0)]
        np.add.at(dense, (keep["y_bin"].to_numpy(int), keep["x_bin"].to_numpy(int)),
                  keep["value"].to_numpy(np.float32))
    s = h.summary()
    per = s["devices"].get(device, {"events": 0, "sessions": 0})
    skipped = s["skipped"]
    return {
        "image": image, "image_mime": mime, "page_w": width, "page_h": max(height, 1.0),
        "grid": dense.astype(np.float32).tobytes(), "grid_nx": nx, "grid_ny": int(dense.shape[0]),
        "grid_y0": y0, "bin_px": b, "grid_max": float(dense.max()) if dense.size else 1.0,
        "title": h._title(),
        "status": ((f"{per['sessions']:,} sessions · {KINDS[h.kind]}" if h.kind in (
            "scroll", "attention") else f"{per['events']:,} {KINDS[h.kind]} · "
            f"{per['sessions']:,} sessions")
            + (f" · {skipped:,} events not placed (see .skipped)" if skipped else "")),
    }
