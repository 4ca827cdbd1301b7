"""Tiny hand-built rrweb recordings for the screen-state tests.

``Page`` hands out node ids; ``el`` / ``txt`` build serialized nodes; the
``meta``, ``snapshot``, ``mutation`` and ``click`` helpers build rrweb events
with absolute millisecond timestamps (``T0 + t``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Epoch ms of t = 0 in these recordings (2024-01-01T00:00:00Z).
T0 = 1_704_067_200_000
HOST = "https://app.example"


class Ids:
    """Sequential node ids (rrweb ids are unique within a recording)."""

    def __init__(self, start: int = 1) -> None:
        self.next = start

    def __call__(self) -> int:
        self.next += 1
        return self.next - 1


def el(ids: Ids, tag: str, attrs: dict[str, Any] | None = None, *kids: dict[str, Any]
       ) -> dict[str, Any]:
    return {"type": 2, "id": ids(), "tagName": tag, "attributes": dict(attrs or {}),
            "childNodes": list(kids)}


def txt(ids: Ids, text: str) -> dict[str, Any]:
    return {"type": 3, "id": ids(), "textContent": text}


def document(ids: Ids, *body_kids: dict[str, Any], title: str = "App") -> dict[str, Any]:
    """A document node: html > (head > title, body > body_kids)."""
    doc_id = ids()
    html = el(ids, "html", {},
              el(ids, "head", {}, el(ids, "title", {}, txt(ids, title))),
              el(ids, "body", {}, *body_kids))
    return {"type": 0, "id": doc_id, "childNodes": [html]}


def body_id(doc: dict[str, Any]) -> int:
    return doc["childNodes"][0]["childNodes"][1]["id"]


def meta(t: int, path: str, width: int = 1280, height: int = 800) -> dict[str, Any]:
    return {"type": 4, "timestamp": T0 + t,
            "data": {"href": HOST + path, "width": width, "height": height}}


def snapshot(t: int, doc: dict[str, Any]) -> dict[str, Any]:
    return {"type": 2, "timestamp": T0 + t,
            "data": {"node": doc, "initialOffset": {"left": 0, "top": 0}}}


def mutation(t: int, *, adds: list[dict[str, Any]] | None = None,
             removes: list[dict[str, Any]] | None = None,
             texts: list[dict[str, Any]] | None = None,
             attributes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": 3, "timestamp": T0 + t,
            "data": {"source": 0, "adds": adds or [], "removes": removes or [],
                     "texts": texts or [], "attributes": attributes or []}}


def add(parent: int, node: dict[str, Any]) -> dict[str, Any]:
    return {"parentId": parent, "nextId": None, "node": node}


def remove(parent: int, node_id: int) -> dict[str, Any]:
    return {"parentId": parent, "id": node_id}


def click(t: int, node_id: int, x: float = 10, y: float = 10) -> dict[str, Any]:
    return {"type": 3, "timestamp": T0 + t,
            "data": {"source": 2, "type": 2, "id": node_id, "x": x, "y": y}}


def custom(t: int, tag: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": 5, "timestamp": T0 + t, "data": {"tag": tag, "payload": payload or {}}}


def at(t: int) -> pd.Timestamp:
    """The UTC timestamp of ``t`` ms after T0."""
    return pd.Timestamp(T0 + t, unit="ms", tz="UTC")


def events_at(rows: list[tuple[str, int]]) -> pd.DataFrame:
    """A minimal events frame: ``(session_id, t)`` rows."""
    return pd.DataFrame({
        "session_id": [s for s, _ in rows],
        "timestamp": [at(t) for _, t in rows],
    })
