"""A local page that runs the replay widget's front end with a fake anywidget model.

Everything is served by Playwright request interception from one origin
(``http://uxlens.test``); any other request is recorded and aborted, so a test
can assert that nothing left the page.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _widget_harness import CHROMIUM, LAUNCH_ARGS  # noqa: F401 - re-exported to the tests

from uxlens.replay_sanitize import REPLAY_CSP
from uxlens.widgets.replay import STATIC, ReplayWidget, _stylesheet

ORIGIN = "http://uxlens.test"
BYTES_KEYS = ("_rrweb", "_events", "_chunks")

HARNESS_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>uxlens replay harness</title>
<style>__CSS__</style></head>
<body><div id="app" style="width: 1100px"></div>
<script type="module">
import widget from "/replay.js";
const state = await (await fetch("/state.json")).json();
const bin = (s) => {
  const b = atob(s);
  const u = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
  return new DataView(u.buffer);
};
for (const k of state.__bytes) state[k] = bin(state[k]);
delete state.__bytes;
const listeners = {};
const log = [];
const same = (a, b) => a === b || (typeof a === "object" && JSON.stringify(a) === JSON.stringify(b));
const model = {
  get: (k) => state[k],
  set: (k, v) => {
    const old = state[k];
    state[k] = v;
    log.push([k, v]);
    if (!same(old, v)) (listeners["change:" + k] || []).slice().forEach((cb) => cb());
  },
  save_changes: () => {},
  on: (name, cb) => { (listeners[name] ||= []).push(cb); },
  off: (name, cb) => { listeners[name] = (listeners[name] || []).filter((x) => x !== cb); },
  send: () => {},
};
window.__model = model;
window.__sets = log;
widget.render({ model, el: document.getElementById("app") });
window.__rendered = true;
</script></body></html>
"""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def widget_state(widget: ReplayWidget, **overrides: Any) -> dict[str, Any]:
    """The synced state of a Python widget, as the fake model's JSON."""
    state = {
        "_rrweb": _b64(widget._rrweb),
        "_events": _b64(widget._events),
        "_chunks": _b64(widget._chunks),
        "_info": widget._info,
        "_seek": {},
        "speed": widget.speed,
        "skip_inactive": widget.skip_inactive,
        "playing": False,
        "current_ms": 0,
        "selected": {},
        "index": 0,
        "width": 900,
        "status": "",
        "__bytes": list(BYTES_KEYS),
    }
    state.update(overrides)
    return state


def state_events(state: dict[str, Any]) -> list[dict[str, Any]]:
    """All the rrweb events a state hands to the player: the head, then every later chunk."""
    out = json.loads(gzip.decompress(base64.b64decode(state["_events"])))
    rest = base64.b64decode(state.get("_chunks") or "")
    at = 0
    for chunk in state["_info"].get("chunks", [])[1:]:
        out += json.loads(gzip.decompress(rest[at:at + chunk["bytes"]]))
        at += chunk["bytes"]
    assert at == len(rest)
    return out


def raw_state(events: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """State that hands *unsanitised* events to the player (tests the frame's own walls)."""
    from uxlens.widgets.replay import _rrweb_bundle

    state = {
        "_rrweb": _b64(_rrweb_bundle()),
        "_events": _b64(gzip.compress(json.dumps(events).encode())),
        "_chunks": "",
        "_info": {"csp": REPLAY_CSP, "markers": [], "clicks": [], "inactive": [], "pages": [],
                  "console": [], "network": [], "warnings": [], "title": "raw", "mode": "dom"},
        "_seek": {},
        "speed": 8.0,
        "skip_inactive": False,
        "playing": False,
        "current_ms": 0,
        "selected": {},
        "index": 0,
        "width": 900,
        "status": "",
        "__bytes": list(BYTES_KEYS),
    }
    state.update(overrides)
    return state


@dataclass
class Harness:
    """A page with the player mounted; ``outside`` lists requests to other origins."""

    page: Any
    outside: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def model(self, key: str) -> Any:
        return self.page.evaluate("(k) => window.__model.get(k)", key)

    def py_set(self, key: str, value: Any) -> None:
        """What a change made in Python looks like to the front end."""
        self.page.evaluate("([k, v]) => window.__model.set(k, v)", [key, value])

    def wait_status(self, status: str = "ready", timeout: float = 15_000) -> None:
        self.page.wait_for_function(
            "(s) => window.__model && window.__model.get('status') === s", arg=status,
            timeout=timeout,
        )

    def replay_text(self) -> str:
        return self.page.evaluate(
            "() => { const f = document.querySelector('.uxl-stage iframe');"
            " return f && f.contentDocument && f.contentDocument.body"
            " ? f.contentDocument.body.innerText : ''; }"
        )

    def pwned(self) -> Any:
        """Tripwire values seen in the page and in every same-origin frame."""
        return self.page.evaluate(
            """() => {
              const seen = [];
              const visit = (w) => {
                try { if (w.PWNED !== undefined) seen.push(w.PWNED); } catch (e) {}
                try { for (let i = 0; i < w.frames.length; i++) visit(w.frames[i]); } catch (e) {}
              };
              visit(window);
              return seen;
            }"""
        )


def open_harness(context: Any, state: dict[str, Any]) -> Harness:
    """Open the harness page in a new tab of ``context`` with this model state."""
    files = {
        "/": (HARNESS_HTML.replace("__CSS__", _stylesheet()), "text/html"),
        "/replay.js": ((STATIC / "replay.js").read_text(encoding="utf-8"), "text/javascript"),
        "/state.json": (json.dumps(state), "application/json"),
    }
    page = context.new_page()
    h = Harness(page)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(ORIGIN + "/"):
            path = url[len(ORIGIN):].split("?")[0]
            if path in files:
                body, ctype = files[path]
                h.served.append(path)
                r.fulfill(status=200, body=body, content_type=ctype)
                return
            h.outside.append(url)  # same origin but not a file we serve: still a leak
            r.fulfill(status=404, body="")
            return
        h.outside.append(url)
        r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda err: h.errors.append(str(err)))
    page.goto(ORIGIN + "/")
    page.wait_for_function("window.__rendered === true", timeout=15_000)
    return h


def data_file(name: str) -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "hostile" / name
