"""One harness for browser tests of anywidget front ends (no Jupyter needed).

A page imports the widget's ESM from the test server and renders it with a small
fake anywidget model: ``get``/``set``/``on``/``save_changes``. Every ``set`` the
front end makes is recorded in ``window.__sets`` so a test can replay it to Python,
as a Jupyter comm would.
"""

from __future__ import annotations

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
