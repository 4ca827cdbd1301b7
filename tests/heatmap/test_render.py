"""Page backgrounds: the sanitised snapshot is inert, and real Chromium fetches and runs nothing.

Browser tests run Debian's Chromium through Playwright (never a downloaded
browser). A local HTTP server stands in for "outside": hostile markup points
at it, and it counts every request it receives. A control test shows that a
plain page in the same browser does reach it, so zero hits means something.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from uxlens.eventlog import EventLog
from uxlens.exceptions import RecordingFormatError
from uxlens.heatmap import Heatmap
from uxlens.render import CSP, browser_available, render_page, snapshot_html, wireframe

from ._build import PAGE, events, session

RED = (255, 0, 0)


class _Server:
    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                body = b"body{background:rgb(255,0,0)!important}" if self.path.endswith(
                    ".css") else b"document.documentElement.style.background='rgb(255,0,0)'"
                self.send_response(200)
                self.send_header("Content-Type", "text/css" if self.path.endswith(".css")
                                 else "application/javascript")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.hits = hits
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def _el(nid: int, tag: str, attrs: dict | None = None, *children: dict) -> dict:
    return {"type": 2, "id": nid, "tagName": tag, "attributes": attrs or {},
            "childNodes": list(children)}


def _text(nid: int, text: str, **kw) -> dict:
    return {"type": 3, "id": nid, "textContent": text, **kw}


def hostile_recording(base: str) -> list[dict]:
    paint = "document.documentElement.style.background='rgb(255,0,0)'"
    head = _el(3, "head", {},
               _el(4, "script", {}, _text(5, paint)),
               _el(6, "meta", {"http-equiv": "refresh", "content": f"0;url={base}/refresh"}),
               _el(7, "base", {"href": f"{base}/base/"}),
               _el(8, "link", {"rel": "stylesheet", "href": f"{base}/link.css"}),
               _el(9, "style", {}, _text(10, (
                   f"@import url({base}/import.css);"
                   f"body{{background-image:url({base}/bg.png)}}"
                   f".esc{{background:u\\72l({base}/escaped.png)}}"
                   "</style><script>" + paint + "</script><style>"), isStyle=True)),
               _el(11, "link", {"_cssText": f"@font-face{{font-family:x;src:url({base}/f.woff)}}"}))
    body = _el(20, "body", {"onload": paint},
               _el(21, "img", {"src": f"{base}/img.png", "onerror": paint, "width": "50"}),
               _el(22, "a", {"href": f"javascript:{paint}"}, _text(23, "link")),
               _el(24, "iframe", {"src": f"{base}/frame.html", "width": "300", "height": "100"}),
               _el(25, "object", {"data": f"{base}/object.swf"}),
               _el(26, "svg", {}, _el(27, "script", {}, _text(28, paint)),
                   _el(29, "image", {"href": f"{base}/svg.png"})),
               _el(30, "div", {"style": f"background-image:url('{base}/inline.png');height:40px"}),
               _el(31, "input", {"value": "ann@example.com", "onfocus": paint}),
               _el(32, "span", {"class": "rr-mask"}, _text(33, "Jane Secret")),
               _el(34, "form", {"action": f"{base}/post"},
                   _el(35, "button", {"formaction": f"{base}/post2"}, _text(36, "Go"))),
               _el(37, "video", {"poster": f"{base}/poster.jpg", "src": f"{base}/v.mp4"}),
               _el(38, "img", {"srcset": f"{base}/srcset.png 2x"}),
               _el(39, "p", {}, _text(40, "Call +33 6 12 34 56 78 or write to bob@example.org")),
               _el(41, "noscript", {}, _el(42, "img", {"src": f"{base}/noscript.png"})),
               _el(43, "embed", {"src": f"{base}/embed.swf"}))
    doc = {"type": 0, "id": 1, "childNodes": [_el(2, "html", {}, head, body)]}
    return [{"type": 4, "timestamp": 1000, "data": {"href": PAGE, "width": 800, "height": 600}},
            {"type": 2, "timestamp": 1000, "data": {"node": doc, "initialOffset": {"top": 0}}}]


def test_snapshot_html_is_inert_and_masked():
    doc = snapshot_html(hostile_recording("http://127.0.0.1:9"))
    low = doc.lower()
    assert low.startswith("<!doctype html>") and doc.index(CSP) < low.index("<html")
    for bad in ("<script", "javascript:", "127.0.0.1", "<iframe", "<object", "<embed", "<base",
                "refresh", "@import url", " onerror=", " onload=", " onfocus=",
                " formaction=", " srcset=", " action=", "<noscript", "<video"):
        assert bad not in low, bad
    assert low.count("http-equiv=") == 1  # ours, the CSP
    assert "\\3c /style>\\3c script>" in low  # the CSS text could not close its element
    assert "ann@example.com" not in doc and "***@*******.***" in doc
    assert "Jane Secret" not in doc and "**** ******" in doc
    assert "bob@example.org" not in doc and "+33 6 12" not in doc
    assert 'data-uxlens-placeholder="iframe"' in doc  # a grey box keeps the layout


def test_snapshot_html_without_a_snapshot_is_a_clear_error():
    with pytest.raises(RecordingFormatError, match="no FullSnapshot"):
        snapshot_html([{"type": 4, "timestamp": 1, "data": {"href": PAGE}}])


def test_wireframe_is_plain_svg():
    svg = wireframe(pd.DataFrame({"left": [10.0], "top": [20.0], "width": [100.0],
                                  "height": [30.0], "text": ["<Send & go>"]}), 400, 300)
    assert svg.startswith("<svg") and "&lt;Send &amp; go&gt;" in svg and "<script" not in svg


needs_browser = pytest.mark.skipif(not browser_available()[0], reason=browser_available()[1])


def _has_red(png: bytes) -> bool:
    image = pytest.importorskip("PIL.Image")
    with image.open(io.BytesIO(png)) as im:
        return any(c[1][:3] == RED for c in im.convert("RGB").getcolors(1 << 24) or [])


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("UXLENS_CACHE_DIR", str(tmp_path / "render"))
    import uxlens.render as render

    monkeypatch.setattr(render, "_memory_cache", {})
    return tmp_path / "render"


@pytest.mark.browser
@needs_browser
def test_control_the_same_browser_does_reach_the_server(server):
    from playwright.sync_api import sync_playwright

    from uxlens.render import _LAUNCH_ARGS, _chromium

    args = [a for a in _LAUNCH_ARGS if not a.startswith("--host-resolver")]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=args)
        page = browser.new_page()
        page.set_content(f'<link rel="stylesheet" href="{server.base}/control.css">',
                         wait_until="load")
        browser.close()
    assert server.hits == ["/control.css"]


@pytest.mark.browser
@needs_browser
def test_rendering_a_hostile_snapshot_fetches_nothing_and_runs_nothing(server, cache):
    doc = snapshot_html(hostile_recording(server.base))
    result = render_page(doc, 800, 600)
    assert server.hits == [] and result.blocked == []
    assert not _has_red(result.png)
    assert result.png[:8] == b"\x89PNG\r\n\x1a\n" and result.width == 800


@pytest.mark.browser
@needs_browser
def test_each_wall_holds_alone(server, cache):
    from uxlens.render import _get_browser

    paint = "document.documentElement.style.background='rgb(255,0,0)'"
    raw = (f"<html><head><script src='{server.base}/s.js'></script><script>{paint}</script>"
           f"<link rel=stylesheet href='{server.base}/r.css'></head>"
           f"<body onload=\"{paint}\"><img src='{server.base}/i.png' onerror=\"{paint}\">"
           "</body></html>")
    # Unsanitised markup through render_page: the CSP meta and disabled JavaScript stop it.
    result = render_page(raw, 400, 300)
    assert server.hits == [] and not _has_red(result.png)
    # Unsanitised markup without the CSP: the request guard aborts every fetch it sees
    # (with JavaScript off, Chromium does not even ask for the script).
    info = _get_browser().render(raw, 400, 300, True, [])
    assert server.hits == []
    assert sorted(u.rsplit("/", 1)[-1] for u in info["blocked"]) == ["i.png", "r.css"]
    assert not _has_red(info["png"])


@pytest.mark.browser
@needs_browser
def test_render_measures_page_height_boxes_and_fixed_elements_and_caches(cache):
    doc = ("<html><body style='margin:0'><header id='top' style='position:fixed;top:0;"
           "height:60px;width:100%;background:#ddd'>h</header>"
           "<button id='send' style='position:absolute;left:100px;top:2000px;width:120px;"
           "height:40px'>Send</button><div style='height:3000px'></div></body></html>")
    r = render_page(doc, 1000, 700, selectors=["button#send", "div.missing", "bad >>> sel"])
    assert r.height == 3000
    assert r.boxes.values.tolist() == [["button#send", 100.0, 2000.0, 120.0, 40.0]]
    assert r.fixed[["selector", "position", "top", "height"]].values.tolist() == [
        ["header#top", "fixed", 0.0, 60.0]]
    again = render_page(doc, 1000, 700, selectors=["button#send", "div.missing", "bad >>> sel"])
    assert again is r
    assert len(list(cache.glob("*.png"))) == 1


def _app_recording() -> list[dict]:
    css = ("body{margin:0;font-family:sans-serif} header.bar{position:sticky;top:0;height:60px;"
           "background:#3b5bdb;color:#fff} main{height:2400px;padding:20px}"
           "button#send-invites{margin-top:200px;width:160px;height:40px}")
    doc = {"type": 0, "id": 1, "childNodes": [_el(2, "html", {},
        _el(3, "head", {}, _el(4, "style", {}, _text(5, css, isStyle=True))),
        _el(6, "body", {}, _el(7, "header", {"class": "bar"}, _text(8, "uxlens demo")),
            _el(9, "main", {}, _el(10, "button", {"id": "send-invites"}, _text(11, "Send")))))]}
    t0 = pd.Timestamp("2024-01-01T00:00:00Z").value // 1_000_000
    return [{"type": 4, "timestamp": t0, "data": {"href": PAGE, "width": 1280, "height": 720}},
            {"type": 2, "timestamp": t0, "data": {"node": doc, "initialOffset": {"top": 0}}}]


@pytest.mark.browser
@needs_browser
def test_heatmap_draws_on_the_rendered_page(cache):
    rows = session("s1", 1280, [(100.0, 30.0, 0.0, "body > header.bar"),
                                (100.0, 530.0, 500.0, "body > header.bar"),
                                (120.0, 300.0, 0.0, "button#send-invites")], height=720)
    log = EventLog(events(rows), recordings={"s1": _app_recording()})
    h = Heatmap(log, url=PAGE, background="snapshot", bin_px=20)
    bg = h.background_image("desktop")
    assert bg["kind"] == "snapshot" and bg["source"].startswith("data:image/png;base64,")
    assert bg["width"] == 1280 and bg["height"] == 2400 + 40 + 60
    fixed = h.fixed()
    assert set(fixed["source"]) == {"snapshot css", "rendered"}
    assert fixed.loc[fixed["source"] == "rendered", "selector"].tolist() == ["header.bar"]
    g = h.grid()
    assert g.loc[g["layer"] == "fixed", "count"].sum() == 2
    fig = h.plot()
    assert fig.layout.images[0].source == bg["source"]
