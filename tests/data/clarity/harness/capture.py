"""Re-create ../session.jsonl: run clarity-js in Debian's headless Chromium and keep its uploads.

Usage (from this folder, with clarity-js installed by npm in NODE_MODULES)::

    npm install --prefix /tmp/clarity-npm clarity-js@0.8.70 clarity-decode@0.8.70
    cp /tmp/clarity-npm/node_modules/clarity-js/build/clarity.min.js .
    python capture.py ../session.jsonl
    node decode.js ../session.jsonl > ../session.decoded.json   # NODE_PATH=/tmp/clarity-npm/node_modules

The page is served from 127.0.0.1:47613; every other request is aborted. Clarity is
started with ``upload`` set to a callback, so each payload string it would POST is
pushed to ``window.__payloads`` instead (clarity-js ``src/data/upload.ts``, ``send``).
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent
PORT = 47613


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main(out: str) -> None:
    handler = functools.partial(_Quiet, directory=str(ROOT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{PORT}"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.route(lambda url: not url.startswith(base), lambda route: route.abort())
        page.goto(f"{base}/index.html?utm_source=newsletter#top")
        page.wait_for_timeout(1200)
        page.mouse.move(100, 100)
        page.mouse.move(300, 200, steps=5)
        page.wait_for_timeout(300)
        page.click("#name")
        page.keyboard.type("Ada Lovelace", delay=20)
        page.click("#emails")
        page.keyboard.type("ada@example.com bob@example.com", delay=10)
        page.wait_for_timeout(300)
        page.click("#send")  # custom event invite_sent + identify
        page.wait_for_timeout(300)
        page.click("button.broken")  # uncaught error -> ScriptError
        page.wait_for_timeout(500)
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(600)
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(600)
        page.click("#footer")
        page.wait_for_timeout(300)
        page.dblclick("p.legal")
        page.evaluate("clarity('event', 'step', 'emails_entered')")
        page.wait_for_timeout(400)
        page.set_viewport_size({"width": 800, "height": 600})
        page.wait_for_timeout(600)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(400)
        page.click("button.next")  # history.pushState: Clarity starts page 2
        page.wait_for_timeout(1500)
        page.mouse.move(200, 150, steps=3)
        page.click("#send")
        page.wait_for_timeout(1500)
        payloads = page.evaluate("window.__payloads")
        browser.close()
    server.shutdown()
    Path(out).write_text("".join(p + "\n" for p in payloads), encoding="utf-8")
    print(f"{len(payloads)} payloads written to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
