"""The page image under a map: rebuilt DOM snapshot, screenshot or wireframe."""

from __future__ import annotations

import base64
import struct
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.backend import execute
from ..exceptions import MissingDependencyError, UxlensError
from .kinds import _BACKGROUNDS, _POINT_KINDS


class BackgroundMixin:
    """Heatmap methods for the background image (mixin of :class:`Heatmap`)."""

    def _snapshot_choice(self) -> dict[str, tuple[str, float]]:
        """Per device: ``(session_id, epoch ms)`` of the recording the page is rebuilt from.

        Candidates are the page's sessions with a recording (of the screen,
        when ``screen`` is set), closest viewport width to the reference
        first; sessions of this heatmap's segment come before the others so
        that a version or segment is drawn over its own page. The time is
        :func:`uxlens.render.page_snapshot_time` on the page's URLs, or with
        ``screen`` the first moment the session showed that screen
        (:meth:`uxlens.screens.Screens.moment`).
        """

        def compute() -> dict[str, tuple[str, float]]:
            from ..render import page_snapshot_time

            log = self._shared.log
            if log is None or not log.recordings:
                return {}
            wide = self._wide()
            refs = self.reference_widths()
            ev = wide._page(None)
            per = execute(ev.filter(ev.viewport_w.notnull()).group_by(
                ["device", "session_id"]).agg(w=ev.viewport_w.max()))
            per["session_id"] = per["session_id"].astype(str)
            preferred: set[str] | None = None
            if wide is not self:
                mine = self._page(None).select("session_id").distinct()
                preferred = set(execute(mine)["session_id"].astype(str))
            screens = None
            if self._screen_name is not None:
                from ..screens import screen_states

                screens = screen_states(log)
            out: dict[str, tuple[str, float]] = {}
            for device, ref in refs.items():
                cand = per.loc[per["device"].astype(str) == device].copy()
                cand = cand.loc[cand["session_id"].isin(log.recordings.keys())]
                cand["d"] = (cand["w"].astype(float) - ref).abs()
                cand["other"] = (~cand["session_id"].isin(preferred)) if preferred is not None \
                    else False
                order = cand.sort_values(["other", "d", "session_id"], kind="stable")
                for sid in order["session_id"].head(20):
                    if screens is not None:
                        hit = screens.moment(self._screen_name, sid)
                        at = hit[1] if hit is not None else None
                    else:
                        at = page_snapshot_time(log.recordings[sid], self.urls)
                    if at is not None:
                        out[device] = (sid, float(at))
                        break
            return out

        return self._cached("snapshot_choice", compute)

    def _snapshots(self, limit: int = 1) -> dict[str, tuple[list[dict[str, Any]], float]]:
        """Per device: a recording and the time to rebuild the page from (closest width)."""
        log = self._shared.log
        return {d: (log.recordings[sid], at) for d, (sid, at) in self._snapshot_choice().items()}

    def background_sources(self) -> pd.DataFrame:
        """Which recording each device's background snapshot is rebuilt from.

        Returns
        -------
        DataFrame
            ``device, session_id, taken_at`` (UTC time of the rebuilt DOM) and
            ``in_segment`` (the session belongs to this heatmap's segment;
            ``False`` means none of the segment's sessions had a snapshot).

        Examples
        --------
        >>> import uxlens as ux
        >>> h = ux.Heatmap(ux.demo(), url="/onboarding/invite", version="A", device="desktop")
        >>> bool(h.background_sources()["in_segment"].all())
        True
        """

        def compute() -> pd.DataFrame:
            choice = self._snapshot_choice()
            rows = [{"device": d, "session_id": sid,
                     "taken_at": pd.Timestamp(int(at), unit="ms", tz="UTC")}
                    for d, (sid, at) in choice.items()]
            out = pd.DataFrame(rows, columns=["device", "session_id", "taken_at"])
            ids = set(out["session_id"])
            mine = self._page(None)
            mine = mine.filter(mine.session_id.isin(sorted(ids))).select("session_id").distinct()
            inside = set(execute(mine)["session_id"].astype(str)) if ids else set()
            out["in_segment"] = out["session_id"].isin(inside)
            return out

        return self._cached("background_sources", compute)

    def _own_background(self, device: str) -> bool:
        """Whether this (segment) heatmap draws another snapshot than the page-wide one."""
        wide = self._wide()
        if wide is self or self.background not in ("auto", "snapshot"):
            return False
        mine = self._snapshot_choice().get(device)
        return mine is not None and mine != wide._snapshot_choice().get(device)

    def _renders(self) -> dict[str, Any]:
        """Per device: the rendered snapshot (PNG, page height, fixed boxes, element boxes)."""
        if self.background not in ("auto", "snapshot"):
            return {}
        wide = self._wide()
        if wide is not self and not any(self._own_background(d) for d in self._snapshot_choice()):
            return wide._renders()

        def compute() -> dict[str, Any]:
            from ..render import browser_available, render_page, snapshot_html

            choice = self._snapshot_choice()
            snaps = self._snapshots()
            ok, why = browser_available()
            if not ok:
                if self.background == "snapshot":
                    raise MissingDependencyError(
                        f"background='snapshot' needs a headless Chromium: {why}"
                    )
                return {}
            heights = self._viewport_heights()
            selectors = wide._top_targets()
            out = {}
            for device, (rec, at) in snaps.items():
                width = self.reference_widths()[device]
                key = ("render", device, choice[device], width, heights.get(device),
                       tuple(selectors))

                def render(rec: Any = rec, at: float = at, width: int = width,
                           device: str = device) -> Any:
                    html_doc = snapshot_html(rec, at_ms=at, mask=True)
                    return render_page(html_doc, width, heights.get(device), selectors=selectors)

                out[device] = self._shared_cached(key, render)
            return out

        return self._cached("renders", compute)

    def background_image(self, device: str) -> dict[str, Any] | None:
        """The page image drawn under a device's map: ``{source, width, height, kind}``.

        ``source`` is a data URI (PNG for snapshots and screenshots, SVG for
        wireframes); ``width``/``height`` are in map px. ``None`` when the
        heatmap has ``background=None`` or nothing to draw.

        Examples
        --------
        >>> import uxlens as ux
        >>> h = ux.Heatmap(ux.demo(), url="/onboarding/invite", background="wireframe")
        >>> bg = h.background_image("desktop")
        >>> bg["kind"], bg["width"], bg["source"].startswith("data:image/svg+xml")
        ('wireframe', 1440, True)
        >>> ux.Heatmap(ux.demo(), url="/onboarding/invite", background=None).background_image("desktop")
        """
        wide = self._wide()
        if wide is not self and not (self._own_background(device)
                                     and device in self._renders()):
            return wide.background_image(device)
        return self._cached(("background", device), lambda: self._background(device))

    def _background(self, device: str) -> dict[str, Any] | None:
        from ..render import png_data_uri, svg_data_uri, wireframe

        refs = self.reference_widths()
        if self.background is None or device not in refs:
            return None
        width = refs[device]
        if self.background not in _BACKGROUNDS:
            data = Path(self.background).read_bytes()
            w, h = _image_size(data)
            kind = "jpeg" if data[:2] == b"\xff\xd8" else "png"
            uri = f"data:image/{kind};base64," + base64.b64encode(data).decode()
            return {"source": uri, "width": width, "height": h * width / w, "kind": "image"}
        if self.background in ("auto", "snapshot"):
            info = self._renders().get(device)
            if info is not None:
                return {"source": png_data_uri(info.png), "width": width,
                        "height": float(info.height), "kind": "snapshot"}
            if self.background == "snapshot":
                raise UxlensError(
                    f"background='snapshot': no DOM snapshot of {self.urls} for {device} in the "
                    "recordings. Fix: pass background='wireframe', a screenshot path or None."
                )
        boxes = self._wireframe_boxes(device)
        height = self._page_height(device, boxes)
        svg = wireframe(boxes, width, height)
        return {"source": svg_data_uri(svg), "width": width, "height": height,
                "kind": "wireframe"}

    def _wireframe_boxes(self, device: str) -> pd.DataFrame:
        """Element boxes estimated from where their clicks landed (padded extents)."""
        coords = self._coords(ref_widths=self.reference_widths()) if (
            self.kind in _POINT_KINDS) else None
        cols = ["target", "text", "left", "top", "width", "height", "clicks"]
        if coords is None:
            return pd.DataFrame(columns=cols)
        c = coords.filter((coords.device == device) & coords.target.notnull())
        ext = execute(c.group_by("target").agg(
            x0=c.x_px.quantile(0.02), x1=c.x_px.quantile(0.98),
            y0=c.y_px.quantile(0.02), y1=c.y_px.quantile(0.98), clicks=c.count(),
        ))
        pad = 6.0
        text = self.elements().set_index("target")["text"] if len(ext) else pd.Series(dtype=object)
        return pd.DataFrame({
            "target": ext["target"].astype(str),
            "text": ext["target"].map(text),
            "left": ext["x0"] - pad, "top": ext["y0"] - pad,
            "width": (ext["x1"] - ext["x0"]) + 2 * pad, "height": (ext["y1"] - ext["y0"]) + 2 * pad,
            "clicks": ext["clicks"],
        })[cols]

    def _page_height(self, device: str, boxes: pd.DataFrame | None = None) -> float:
        ev = self._page(None)
        ev = ev.filter(ev.device == device)
        agg = execute(ev.aggregate(
            page_h=ev.page_h.max(), y=ev.y.max(),
            bottom=(ev.scroll_y.fill_null(0.0) + ev.viewport_h.cast("float64")).max()))
        cands = [float(v) for v in agg.iloc[0].tolist() if v is not None and pd.notna(v)]
        if boxes is not None and len(boxes):
            cands.append(float((boxes["top"] + boxes["height"]).max()))
        return max(cands) if cands else 800.0


def _image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    try:
        import io

        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return im.size
    except Exception as exc:
        raise UxlensError(
            "The background screenshot is not a PNG (and could not be read as another image "
            f"format: {exc}). Fix: save it as PNG."
        ) from exc
