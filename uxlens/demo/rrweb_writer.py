"""Turn simulated browser actions into rrweb events, the way rrweb's recorder would.

:class:`Recorder` plays one browser tab. It serializes each page of the demo
app into a FullSnapshot (``type 0`` document, html/head/style/body element
nodes with unique ids), keeps the node-id map up to date as mutations add and
remove nodes, hit-tests pointer positions against the page layout to fill the
``id`` of each mouse position, batches mouse moves every 500 ms like rrweb
(``timeOffset <= 0``), and logs what it emitted (clicks, page loads,
mutations, scrolls, errors) so that the generator can label friction facts by
their definitions.

Enum numbers follow rrweb (``packages/types/src/index.ts``): EventType 2
FullSnapshot, 3 IncrementalSnapshot, 4 Meta, 5 Custom, 6 Plugin;
IncrementalSource 0 Mutation, 1 MouseMove, 2 MouseInteraction, 3 Scroll,
4 ViewportResize, 5 Input, 6 TouchMove, 14 Selection; MouseInteractions 0
MouseUp, 1 MouseDown, 2 Click, 4 DblClick, 5 Focus, 6 Blur, 7 TouchStart,
9 TouchEnd; PointerTypes 0 Mouse, 2 Touch.

Examples
--------
>>> rec = Recorder(width=1440, height=900, touch=False)
>>> rec.load(1_000, "invite", "A", "https://app.acme-projects.example/onboarding/invite")
>>> t = rec.click(3_000, "send-invites", 1100, 400)
>>> [ev["type"] for ev in rec.finish()]
[4, 2, 5, 3, 3, 3]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import app

__all__ = ["Recorder", "RecLog", "ClickRecord"]

# rrweb enums
FULL_SNAPSHOT, INCREMENTAL, META, CUSTOM, PLUGIN = 2, 3, 4, 5, 6
MUTATION, MOUSE_MOVE, MOUSE_INTERACTION, SCROLL, VIEWPORT_RESIZE, INPUT, TOUCH_MOVE = range(7)
SELECTION = 14
MOUSE_UP, MOUSE_DOWN, CLICK, DBL_CLICK, FOCUS, BLUR, TOUCH_START, TOUCH_END = 0, 1, 2, 4, 5, 6, 7, 9
POINTER_MOUSE, POINTER_TOUCH = 0, 2
#: rrweb flushes mouse positions every 500 ms (``mousemoveWait``).
MOVE_BATCH_MS = 500


@dataclass
class ClickRecord:
    """One Click the recorder emitted, in document coordinates."""

    t: int
    x: float
    y: float
    element: str
    tag: str
    is_link: bool
    visit: int
    url: str
    note: str = ""


@dataclass
class RecLog:
    """What the recorder emitted, in simulation terms (for labelling ground truth)."""

    pageviews: list[tuple[int, str]] = field(default_factory=list)
    clicks: list[ClickRecord] = field(default_factory=list)
    mutations: list[int] = field(default_factory=list)
    scrolls: list[int] = field(default_factory=list)
    selections: list[int] = field(default_factory=list)
    #: (time, "console"|"network", description, url path)
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)
    #: (time, element id, url path, user-triggered)
    inputs: list[tuple[int, str, str, bool]] = field(default_factory=list)
    moves: list[tuple[int, int, int, int]] = field(default_factory=list)


class _Page:
    """Node-id bookkeeping and hit-test boxes of the document currently loaded."""

    def __init__(self) -> None:
        self.node_of: dict[str, int] = {}
        self.text_of: dict[str, int] = {}
        self.parent_of: dict[int, int] = {}
        self.fragment_ids: dict[str, list[int]] = {}
        self.fragment_keys: dict[str, set[str]] = {}
        self.boxes: dict[str, app.Box] = {}
        self._arrays: tuple[np.ndarray, ...] | None = None

    def invalidate(self) -> None:
        self._arrays = None

    def arrays(self) -> tuple[np.ndarray, ...]:
        if self._arrays is None:
            keys = [k for k, b in self.boxes.items() if k in self.node_of and b.w > 0 and b.h > 0]
            b = [self.boxes[k] for k in keys]
            self._arrays = (
                np.array([x.x for x in b], dtype=float),
                np.array([x.y for x in b], dtype=float),
                np.array([x.x + x.w for x in b], dtype=float),
                np.array([x.y + x.h for x in b], dtype=float),
                np.array([x.fixed for x in b], dtype=bool),
                np.array([x.depth for x in b], dtype=float),
                np.array([self.node_of[k] for k in keys], dtype=np.int64),
            )
        return self._arrays


def _flat_adds(node: dict[str, Any], parent: int, next_id: int | None) -> list[dict[str, Any]]:
    """Mutation ``adds`` for a subtree, one entry per node, as rrweb's recorder writes them.

    rrweb serializes added nodes without their children (``skipChild``) and adds
    every descendant as its own entry. Parents come first and siblings last to
    first, so each ``parentId`` and ``nextId`` is already in the document.
    """
    kids = node.get("childNodes", [])
    flat = {k: v for k, v in node.items() if k != "childNodes"}
    if node["type"] == 2:
        flat["childNodes"] = []
    out = [{"parentId": parent, "nextId": next_id, "node": flat}]
    for i in range(len(kids) - 1, -1, -1):
        nxt = kids[i + 1]["id"] if i + 1 < len(kids) else None
        out += _flat_adds(kids[i], node["id"], nxt)
    return out


class Recorder:
    """One browser tab being recorded by rrweb.

    Parameters
    ----------
    width, height
        Viewport in CSS px.
    touch
        Touch device: taps emit TouchStart/TouchEnd, swipes TouchMove, no mouse moves.
    """

    def __init__(self, *, width: int, height: int, touch: bool) -> None:
        self.width = width
        self.height = height
        self.touch = touch
        self.scroll_y = 0
        self.log = RecLog()
        self.page_name: str | None = None
        self.version = "A"
        self.url = ""
        self.path = ""
        self.loaded_at = 0
        self._events: list[tuple[int, int, dict[str, Any]]] = []
        self._seq = 0
        self._doc = _Page()
        self._next_id = 1
        self._moves: list[tuple[int, int, int, int]] = []
        self._move_source = MOUSE_MOVE
        self._layout: app.Layout | None = None
        self._fragments: list[str] = []

    # ------------------------------------------------------------------ basics
    def _emit(self, t: int, etype: int, data: dict[str, Any]) -> None:
        self._events.append((int(t), self._seq, {"type": etype, "data": data,
                                                  "timestamp": int(t)}))
        self._seq += 1

    def _incr(self, t: int, source: int, **data: Any) -> None:
        data["source"] = source
        self._emit(t, INCREMENTAL, data)

    def node(self, element: str) -> int:
        """Node id of an element id in the current document."""
        return self._doc.node_of[element]

    def has(self, element: str) -> bool:
        """Whether the element is in the current document."""
        return element in self._doc.node_of

    def box(self, element: str) -> app.Box:
        """Layout box of an element on the current page."""
        return self._doc.boxes[element]

    @property
    def layout(self) -> app.Layout:
        assert self._layout is not None
        return self._layout

    @property
    def page_height(self) -> int:
        return self.layout.page_height

    @property
    def max_scroll(self) -> int:
        return max(0, self.page_height - self.height)

    def custom(self, t: int, tag: str, payload: dict[str, Any]) -> None:
        """A Custom event (``rrweb.record.addCustomEvent(tag, payload)``)."""
        self._emit(t, CUSTOM, {"tag": tag, "payload": payload})

    # ------------------------------------------------------------------ snapshots
    def _serialize(self, el: app.El, values: dict[str, str], checked: set[str]) -> dict[str, Any]:
        nid = self._next_id
        self._next_id += 1
        attrs = el.attributes()
        if el.id in values:
            attrs["value"] = values[el.id]
        if el.id in checked:
            attrs["checked"] = ""
        kids: list[dict[str, Any]] = []
        out: dict[str, Any] = {"type": 2, "tagName": el.tag, "attributes": attrs,
                               "childNodes": kids, "id": nid}
        if el.id:
            self._doc.node_of[el.id] = nid
        elif el.tag == "body":
            self._doc.node_of["body"] = nid
        if el.tag == "style":
            kids.append({"type": 3, "textContent": app.stylesheet(), "isStyle": True,
                         "id": self._next_id})
            self._doc.parent_of[self._next_id] = nid
            self._next_id += 1
        for kid in el.kids:
            if isinstance(kid, str):
                kids.append({"type": 3, "textContent": kid, "id": self._next_id})
                if el.id and el.id not in self._doc.text_of:
                    self._doc.text_of[el.id] = self._next_id
                self._doc.parent_of[self._next_id] = nid
                self._next_id += 1
            else:
                child = self._serialize(kid, values, checked)
                self._doc.parent_of[child["id"]] = nid
                kids.append(child)
        return out

    def load(self, t: int, page: str, version: str, url: str, *, scroll_y: int = 0,
             values: dict[str, str] | None = None, checked: set[str] | None = None) -> None:
        """A page load: Meta, FullSnapshot and a ``page_size`` Custom event."""
        self.flush_moves(t - 1)
        self.page_name, self.version, self.url = page, version, url
        self.path = url.split("?", 1)[0].split("#", 1)[0].replace(app.BASE_URL, "") or "/"
        self._doc = _Page()
        self._fragments = []
        self._next_id = 1
        self._layout = app.layout(page, version, self.width, self.height)
        self._doc.boxes = dict(self._layout.boxes)
        self.scroll_y = max(0, min(scroll_y, self.max_scroll))
        self.loaded_at = t
        self._emit(t, META, {"href": url, "width": self.width, "height": self.height})
        doc_id = self._next_id
        self._next_id += 1
        doctype = {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": self._next_id}
        self._next_id += 1
        html = self._serialize(app.page_tree(page, version), values or {}, checked or set())
        html["attributes"]["data-page-height"] = str(self.page_height)
        self._doc.node_of["#document"] = doc_id
        node = {"type": 0, "childNodes": [doctype, html], "compatMode": "CSS1Compat",
                "id": doc_id}
        self._emit(t + 1, FULL_SNAPSHOT, {"node": node, "initialOffset": {"left": 0,
                                                                          "top": self.scroll_y}})
        self.custom(t + 1, "page_size", {"width": self.width, "height": self.page_height})
        self.log.pageviews.append((t, self.path))

    # ------------------------------------------------------------------ mutations
    def _mutation(self, t: int, *, adds: list | None = None, removes: list | None = None,
                  attributes: list | None = None, texts: list | None = None) -> None:
        self._incr(t, MUTATION, texts=texts or [], attributes=attributes or [],
                   removes=removes or [], adds=adds or [])
        self.log.mutations.append(t)

    def set_attrs(self, t: int, changes: dict[str, dict[str, str | None]]) -> None:
        """Attribute mutations: ``{element id: {attribute: value or None (removed)}}``."""
        self._mutation(t, attributes=[{"id": self.node(k), "attributes": v}
                                      for k, v in changes.items()])

    def set_text(self, t: int, element: str, text: str) -> None:
        """Change an element's text: update its text node, or add one if it has none."""
        tid = self._doc.text_of.get(element)
        if tid is not None:
            self._mutation(t, texts=[{"id": tid, "value": text}])
            return
        nid = self._next_id
        self._next_id += 1
        self._doc.text_of[element] = nid
        self._doc.parent_of[nid] = self.node(element)
        self._mutation(t, adds=[{"parentId": self.node(element), "nextId": None,
                                 "node": {"type": 3, "textContent": text, "id": nid}}])

    def clear_text(self, t: int, element: str) -> None:
        """Remove an element's text node (a validation hint disappears)."""
        tid = self._doc.text_of.pop(element)
        self._mutation(t, removes=[{"parentId": self.node(element), "id": tid}])

    def add_fragment(self, t: int, name: str) -> None:
        """Mount a dynamic fragment (modal, toast) under its parent."""
        parent_key, _ = app.FRAGMENTS[name]
        before = set(self._doc.node_of)
        first = self._next_id
        node = self._serialize(app.fragment(name), {}, set())
        self._doc.fragment_ids[name] = list(range(first, self._next_id))
        self._doc.boxes.update(app.fragment_layout(name, self.width, self.height))
        self._doc.invalidate()
        self._fragments.append(name)
        self._doc.fragment_keys[name] = set(self._doc.node_of) - before
        self._mutation(t, adds=_flat_adds(node, self.node(parent_key), None))

    def remove_fragment(self, t: int, name: str) -> None:
        """Unmount a fragment; pending mouse positions are flushed first."""
        self.flush_moves(t - 1)
        parent_key, _ = app.FRAGMENTS[name]
        root_key = app.fragment(name).id
        root = self.node(root_key)
        for key in self._doc.fragment_keys.pop(name):
            self._doc.node_of.pop(key, None)
            self._doc.text_of.pop(key, None)
            self._doc.boxes.pop(key, None)
        self._doc.invalidate()
        self._fragments.remove(name)
        self._mutation(t, removes=[{"parentId": self.node(parent_key), "id": root}])

    def mounted(self, name: str) -> bool:
        """Whether a fragment is currently on the page."""
        return name in self._fragments

    # ------------------------------------------------------------------ pointer
    def hit(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Node ids under client points (fixed elements first, then the deepest box)."""
        x0, y0, x1, y1, fixed, depth, ids = self._doc.arrays()
        dy = np.where(fixed[None, :], 0.0, float(self.scroll_y))
        px = xs[:, None]
        py = ys[:, None] + dy
        inside = (px >= x0) & (px < x1) & (py >= y0) & (py < y1)
        score = np.where(inside, depth + 1000.0 * fixed, -1.0)
        best = score.argmax(axis=1)
        body = self._doc.node_of["body"]
        return np.where(score[np.arange(len(xs)), best] >= 0, ids[best], body)

    def element_at(self, cx: float, cy: float) -> str:
        """Element id under a client point (``"body"`` when none)."""
        nid = int(self.hit(np.array([cx], float), np.array([cy], float))[0])
        for key, val in self._doc.node_of.items():
            if val == nid and key != "#document":
                return key
        return "body"

    def element_of(self, nid: int) -> str:
        """Element id of a node id (``""`` when it has none)."""
        for key, val in self._doc.node_of.items():
            if val == nid:
                return key
        return ""

    def moves(self, points: list[tuple[int, int, int]]) -> None:
        """Pointer positions ``(t, client x, client y)``; batched like rrweb."""
        if not points:
            return
        xs = np.array([p[1] for p in points], dtype=float)
        ys = np.array([p[2] for p in points], dtype=float)
        ids = self.hit(xs, ys)
        source = TOUCH_MOVE if self.touch else MOUSE_MOVE
        if self._moves and source != self._move_source:
            self.flush_moves(points[0][0])
        self._move_source = source
        for (t, x, y), nid in zip(points, ids.tolist()):
            if self._moves and t >= self._moves[0][0] + MOVE_BATCH_MS:
                self.flush_moves(self._moves[0][0] + MOVE_BATCH_MS)
            self._moves.append((int(t), int(x), int(y), int(nid)))
            if not self.touch:
                self.log.moves.append((int(t), int(x), int(y), int(nid)))

    def flush_moves(self, t: int) -> None:
        """Emit the pending mouse (or touch) positions as one batch, at ``t`` at the latest.

        rrweb emits a batch 500 ms after its first position; an earlier flush (before a
        page load or a node removal) emits it at ``t`` but never before its last position.
        """
        if not self._moves:
            return
        first, last = self._moves[0][0], self._moves[-1][0]
        t = max(last, min(int(t), first + MOVE_BATCH_MS))
        positions = [{"x": x, "y": y, "id": nid, "timeOffset": pt - t}
                     for pt, x, y, nid in self._moves]
        self._incr(t, self._move_source, positions=positions)
        self._moves = []

    def touch_point(self, t: int, start: bool, x: float, y: float) -> None:
        """TouchStart or TouchEnd of a swipe (no Click follows)."""
        element = self.element_at(x, y)
        self._interaction(t, TOUCH_START if start else TOUCH_END, element, int(x), int(y),
                          POINTER_TOUCH)

    def _interaction(self, t: int, kind: int, element: str, x: int | None = None,
                     y: int | None = None, pointer: int | None = None) -> None:
        data: dict[str, Any] = {"type": kind, "id": self.node(element)}
        if x is not None:
            data["x"], data["y"] = int(x), int(y)
        if pointer is not None:
            data["pointerType"] = pointer
        self._incr(t, MOUSE_INTERACTION, **data)

    def click(self, t: int, element: str, x: float, y: float, *, press_ms: int = 90,
              focus: bool = False, blur: str | None = None, note: str = "") -> int:
        """A click (or tap) on ``element`` at client ``(x, y)`` starting at ``t``.

        Desktop: MouseDown, [Blur, Focus], MouseUp, Click. Touch: TouchStart,
        TouchEnd, [Blur, Focus], Click. Returns the time of the Click event.
        """
        x, y = int(round(x)), int(round(y))
        t_click = t + press_ms
        if self.touch:
            self._interaction(t, TOUCH_START, element, x, y, POINTER_TOUCH)
            self._interaction(t_click, TOUCH_END, element, x, y, POINTER_TOUCH)
            if blur:
                self._interaction(t_click, BLUR, blur)
            if focus:
                self._interaction(t_click, FOCUS, element)
            self._interaction(t_click, CLICK, element, x, y, POINTER_TOUCH)
        else:
            self._interaction(t, MOUSE_DOWN, element, x, y, POINTER_MOUSE)
            if blur:
                self._interaction(t, BLUR, blur)
            if focus:
                self._interaction(t, FOCUS, element)
            self._interaction(t_click, MOUSE_UP, element, x, y, POINTER_MOUSE)
            self._interaction(t_click, CLICK, element, x, y, POINTER_MOUSE)
        box = self._doc.boxes.get(element)
        tag = box.tag if box is not None else "div"
        is_link = tag == "a"
        self.log.clicks.append(ClickRecord(t_click, float(x), float(y + self.scroll_y), element,
                                           tag, is_link, len(self.log.pageviews) - 1, self.path,
                                           note))
        return t_click

    def dblclick(self, t: int, element: str, x: float, y: float) -> int:
        """Two clicks, a DblClick and the word selection it makes."""
        t1 = self.click(t, element, x, y, press_ms=70)
        t2 = self.click(t1 + 90, element, x, y, press_ms=70)
        self._interaction(t2, DBL_CLICK, element, int(x), int(y),
                          POINTER_TOUCH if self.touch else POINTER_MOUSE)
        tid = self._doc.text_of.get(element)
        if tid is not None:
            self._incr(t2 + 2, SELECTION, ranges=[{"start": tid, "startOffset": 0, "end": tid,
                                                   "endOffset": 2}])
            self.log.selections.append(t2 + 2)
        return t2

    def focus(self, t: int, element: str) -> None:
        """Keyboard focus (Tab) on an element."""
        self._interaction(t, FOCUS, element)

    def blur(self, t: int, element: str) -> None:
        """An element loses focus."""
        self._interaction(t, BLUR, element)

    # ------------------------------------------------------------------ scroll, input, viewport
    def scroll(self, t: int, y: int) -> None:
        """The document scrolls to ``y`` (clamped to the page)."""
        y = int(max(0, min(y, self.max_scroll)))
        if y == self.scroll_y:
            return
        self.scroll_y = y
        self._incr(t, SCROLL, id=self.node("#document"), x=0, y=y)
        self.log.scrolls.append(t)

    def input(self, t: int, element: str, text: str, *, user: bool = True,
              checked: bool = False) -> None:
        """An Input event (the full current value, as rrweb records it)."""
        self._incr(t, INPUT, id=self.node(element), text=text, isChecked=checked,
                   userTriggered=user)
        self.log.inputs.append((t, element, self.path, user))

    def resize(self, t: int, width: int, height: int) -> None:
        """ViewportResize, new layout boxes and a ``page_size`` Custom event."""
        self.flush_moves(t - 1)
        self.width, self.height = width, height
        self._incr(t, VIEWPORT_RESIZE, width=width, height=height)
        self._layout = app.layout(self.page_name, self.version, width, height)
        boxes = dict(self._layout.boxes)
        for name in self._fragments:
            boxes.update(app.fragment_layout(name, width, height))
        self._doc.boxes = boxes
        self._doc.invalidate()
        self.custom(t + 1, "page_size", {"width": width, "height": self.page_height})
        if self.scroll_y > self.max_scroll:
            self.scroll(t + 2, self.max_scroll)

    # ------------------------------------------------------------------ plugins
    def console(self, t: int, level: str, message: str, trace: list[str] | None = None) -> None:
        """A ``rrweb/console@1`` event; arguments are JSON-stringified like the plugin does."""
        payload = {"level": level, "trace": trace or [], "payload": [f'"{message}"']}
        self._emit(t, PLUGIN, {"plugin": "rrweb/console@1", "payload": payload})
        if level == "error":
            self.log.errors.append((t, "console", message, self.path))

    def network(self, t_start: int, t_end: int, method: str, path: str, status: int,
                initiator: str = "fetch") -> None:
        """A ``rrweb/network@1`` event for one request, recorded when it completes."""
        start = round(float(t_start - self.loaded_at), 1)
        end = round(float(t_end - self.loaded_at), 1)
        req = {"name": app.BASE_URL + path, "method": method, "initiatorType": initiator,
               "entryType": "resource", "status": status, "startTime": start, "endTime": end,
               "duration": round(end - start, 1)}
        self._emit(t_end, PLUGIN, {"plugin": "rrweb/network@1", "payload": {"requests": [req]}})
        if status >= 400 or status == 0:
            self.log.errors.append((t_end, "network", f"{method} {path} {status}", self.path))

    # ------------------------------------------------------------------ output
    def finish(self) -> list[dict[str, Any]]:
        """All events in time order (ties keep emission order)."""
        self.flush_moves(self._moves[-1][0] if self._moves else 0)
        return [ev for _, _, ev in sorted(self._events, key=lambda x: (x[0], x[1]))]
