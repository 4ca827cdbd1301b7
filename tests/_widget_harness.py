"""One harness for browser tests of anywidget front ends (no Jupyter needed).

A page imports the widget's ESM from the test server and renders it with a small
fake anywidget model: ``get``/``set``/``on``/``save_changes``. Every ``set`` the
front end makes is recorded in ``window.__sets`` so a test can replay it to Python,
as a Jupyter comm would.
"""

from __future__ import annotations

from typing import Any

#: Debian's chromium: never a downloaded browser build (`playwright install`).
CHROMIUM = "/usr/bin/chromium"
#: Flags that keep headless Chromium off the network and quiet in a sandboxed CI.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>__CSS__</style></head>
<body><div id="app"></div><script type="module">
import widget from "__MODULE__";
const state = await (await fetch("/state.json")).json();
const listeners = {};
const sets = [];
const model = {
  get: (k) => state[k],
  set: (k, v) => { state[k] = v; sets.push([k, v]);
                   (listeners["change:" + k] || []).forEach((cb) => cb()); },
  save_changes: () => {},
  on: (n, cb) => { (listeners[n] ||= []).push(cb); },
  off: () => {},
};
window.__model = model;
window.__sets = sets;
widget.render({ model, el: document.getElementById("app") });
window.__rendered = true;
</script></body></html>"""


def fake_model_page(module: str, css: str = "") -> str:
    """HTML that renders the widget ESM served at ``module`` with a fake model.

    The model's initial state is fetched from ``/state.json`` on the same server.
    """
    return _PAGE.replace("__MODULE__", module).replace("__CSS__", css)


#: Origin the harness pages are served from (intercepted: nothing listens there).
ORIGIN = "http://uxlens.test"


def serve_and_open(page: Any, files: dict[str, Any], types: dict[str, str]) -> tuple[list[str], list[str]]:
    """Serve ``files`` (path → body) at :data:`ORIGIN` to ``page``, open ``/``, wait for render.

    Every other request is aborted and recorded. Returns ``(outside, errors)``:
    the URLs the page tried to reach elsewhere and the page's uncaught errors,
    both lists that keep filling while the page lives.
    """
    outside: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        path = r.request.url[len(ORIGIN):] if r.request.url.startswith(ORIGIN) else None
        if path in files:
            r.fulfill(status=200, body=files[path], content_type=types[path])
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(ORIGIN + "/")
    page.wait_for_function("window.__rendered === true", timeout=15_000)
    return outside, errors
