"""Write the hostile rrweb recordings of this folder (run: python tests/data/hostile/_build.py).

Every remote URL points at ``evil.test`` and every would-be script runs the
tripwire ``top.PWNED = (top.PWNED || []).concat([label])``, so a test can
check that nothing was fetched from ``evil.test`` and that ``PWNED`` never
appeared. README.md lists each construct and what the sanitiser must count.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
T0 = 1_700_000_000_000
PIXEL = "data:image/png;base64,iVBORw0KGgo="


def trip(label: str) -> str:
    return f"top.PWNED=(top.PWNED||[]).concat(['{label}'])"


def el(nid, tag, attrs=None, *children, svg=False, **extra):
    node = {"type": 2, "id": nid, "tagName": tag, "attributes": attrs or {},
            "childNodes": list(children)}
    if svg:
        node["isSVG"] = True
    node.update(extra)
    return node


def tx(nid, text, **extra):
    return {"type": 3, "id": nid, "textContent": text, **extra}


def doc(head, body):
    return {"type": 0, "id": 1, "childNodes": [
        {"type": 1, "id": 900, "name": "html", "publicId": "", "systemId": ""},
        el(2, "html", {}, head, body)]}


def meta(t, href, w=1024, h=768):
    return {"type": 4, "timestamp": t, "data": {"href": href, "width": w, "height": h}}


def snapshot(t, node):
    return {"type": 2, "timestamp": t, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}}


def inc(t, source, **data):
    return {"type": 3, "timestamp": t, "data": {"source": source, **data}}


def mutation(t, adds=(), removes=(), texts=(), attributes=(), **extra):
    return inc(t, 0, adds=list(adds), removes=list(removes), texts=list(texts),
               attributes=list(attributes), **extra)


def moves(t, *points):
    return inc(t, 1, positions=[{"x": x, "y": y, "id": i, "timeOffset": 0} for x, y, i in points])


def click(t, nid, x, y):
    return inc(t, 2, type=2, id=nid, x=x, y=y)


# ---------------------------------------------------------------------------
def scripts_and_handlers() -> list[dict]:
    head = el(3, "head", {},
              el(4, "meta", {"charset": "utf-8"}),
              el(5, "meta", {"http-equiv": "refresh", "content": "0;url=http://evil.test/refresh"}),
              el(6, "base", {"href": "http://evil.test/", "target": "_top"}),
              el(7, "script", {"src": "http://evil.test/s.js"}, tx(8, trip("head-script"))),
              el(9, "title", {}, tx(10, "Invite teammates")))
    svg = el(30, "svg", {"onload": trip("svg-onload"), "width": "40", "height": "40"},
             el(31, "script", {}, tx(32, trip("svg-script")), svg=True),
             el(33, "a", {"xlink:href": f"javascript:{trip('svg-a')}"},
                el(34, "text", {"x": "0", "y": "15"}, tx(35, "svg link"), svg=True), svg=True),
             el(36, "set", {"attributeName": "href", "to": f"javascript:{trip('svg-set')}"}, svg=True),
             el(37, "animate", {"attributeName": "xlink:href",
                                "values": f"javascript:{trip('svg-animate')}"}, svg=True),
             svg=True)
    body = el(11, "body", {"onload": trip("body-onload")},
              el(12, "h1", {}, tx(13, "SAFE-CONTENT-MARKER Invite your team")),
              el(14, "img", {"src": "http://evil.test/pixel.gif", "onerror": trip("img-onerror"),
                             "alt": "logo"}),
              el(15, "a", {"href": f"javascript:{trip('a-href')}"}, tx(16, "Click me")),
              el(17, "a", {"href": f" JaVa\tScRiPt:{trip('a-tricky')}"}, tx(18, "tricky")),
              el(19, "a", {"href": f"data:text/html,<script>{trip('data-link')}</script>"},
                 tx(20, "data link")),
              el(21, "a", {"href": "https://app.example.com/help"}, tx(22, "Help")),
              el(23, "a", {"href": "#pricing"}, tx(24, "Pricing")),
              el(25, "button", {"onclick": trip("button-onclick"), "type": "button"},
                 tx(26, "Send invites")),
              el(27, "div", {"onmouseover": trip("div-mouseover"), "onfocus": trip("div-focus"),
                             "tabindex": "0", "autofocus": ""}),
              el(28, "noscript", {}, tx(29, '<img src="http://evil.test/noscript.gif">')),
              svg,
              el(38, "iframe", {"src": f"javascript:{trip('iframe-js')}"}),
              el(39, "iframe", {"srcdoc": f"<script>{trip('srcdoc')}</script>",
                                "src": "http://evil.test/frame"}),
              el(40, "object", {"data": "http://evil.test/o.swf"}),
              el(41, "embed", {"src": "http://evil.test/e.swf"}),
              el(42, "form", {"action": "http://evil.test/collect", "method": "post",
                              "onsubmit": trip("form-submit")},
                 el(43, "input", {"name": "email", "type": "email", "value": "ann@example.com"}),
                 el(44, "button", {"formaction": f"javascript:{trip('formaction')}",
                                   "type": "submit"}, tx(45, "Go"))),
              el(46, "p", {}, tx(47, "SAFE footer")),
              el(60, "iframe", {"src": "http://evil.test/inner"}))
    inner = {"type": 0, "id": 61, "childNodes": [
        el(62, "html", {}, el(63, "body", {},
                              el(64, "script", {}, tx(65, trip("inner-script"))),
                              el(66, "img", {"src": "http://evil.test/inner.gif",
                                             "onerror": trip("inner-onerror")})))]}
    return [
        meta(T0, "https://app.example.com/onboarding/invite"),
        snapshot(T0, doc(head, body)),
        moves(T0 + 400, (100, 100, 11), (120, 150, 25)),
        mutation(T0 + 600, adds=[{"parentId": 60, "nextId": None, "node": inner}],
                 isAttachIframe=True),
        mutation(
            T0 + 1000,
            adds=[
                {"parentId": 11, "nextId": None,
                 "node": el(48, "script", {}, tx(49, trip("late-script")))},
                {"parentId": 11, "nextId": None,
                 "node": el(50, "img", {"src": "http://evil.test/late.gif",
                                        "onerror": trip("late-onerror")})},
                {"parentId": 7, "nextId": None, "node": tx(51, trip("into-script"))},
            ],
            attributes=[
                {"id": 12, "attributes": {"onclick": trip("mut-onclick")}},
                {"id": 23, "attributes": {"href": f"javascript:{trip('mut-href')}"}},
                {"id": 14, "attributes": {"src": "http://evil.test/mut.gif"}},
                {"id": 8, "attributes": {"x": "y"}},
            ],
            texts=[{"id": 8, "value": trip("text-into-script")},
                   {"id": 13, "value": "SAFE-CONTENT-MARKER updated"}],
        ),
        moves(T0 + 1400, (130, 160, 25), (140, 170, 25)),
        click(T0 + 1500, 25, 140, 170),
        click(T0 + 1800, 25, 141, 171),
        click(T0 + 2100, 25, 142, 170),
        inc(T0 + 3000, 5, id=43, text="bob@example.org", isChecked=False),
        moves(T0 + 4000, (300, 300, 11)),
    ]


def css_and_urls() -> list[dict]:
    css = (
        '@import "http://evil.test/a.css";\n'
        "@import url(http://evil.test/b.css) screen;\n"
        "@\\69mport url(//evil.test/c.css);\n"
        "body{background:url(http://evil.test/bg.png) no-repeat;color:#222}\n"
        ".hero{background-image:\\75 rl('http://evil.test/esc.png')}\n"
        f'.retina{{background-image:image-set("http://evil.test/1x.png" 1x, "{PIXEL}" 2x)}}\n'
        '@font-face{font-family:X;src:url(https://evil.test/f.woff2) format("woff2")}\n'
        f".ok{{background:url({PIXEL})}}\n"
        ".grad{fill:url(#g1)}"
    )
    head = el(3, "head", {},
              el(4, "style", {}, tx(5, css, isStyle=True)),
              el(6, "link", {"rel": "stylesheet", "href": "http://evil.test/site.css",
                             "_cssText": ".site{cursor:url(http://evil.test/c.cur),auto}"}),
              el(7, "link", {"rel": "dns-prefetch", "href": "//evil.test"}),
              el(8, "link", {"rel": "preload", "as": "image", "href": "http://evil.test/hero.jpg",
                             "imagesrcset": "http://evil.test/hero2.jpg 2x"}))
    body = el(9, "body", {"background": "http://evil.test/body.jpg",
                          "style": "background:url('http://evil.test/inline.png')"},
              el(10, "div", {"style": "color:red;background-image:URL( http://evil.test/upper.png )"},
                 tx(11, "SAFE styled box")),
              el(12, "img", {"src": PIXEL, "alt": "pixel",
                             "srcset": "http://evil.test/a.png 1x, http://evil.test/b.png 2x"}),
              el(13, "img", {"src": "data:image/svg+xml;base64,PHN2Zy8+"}),
              el(14, "video", {"poster": "http://evil.test/poster.jpg", "src": "http://evil.test/v.mp4"}),
              el(15, "input", {"type": "image", "src": "http://evil.test/go.png"}),
              el(16, "svg", {"width": "40", "height": "40"},
                 el(17, "image", {"href": "http://evil.test/i.png"}, svg=True),
                 el(18, "use", {"href": "http://evil.test/sprite.svg#icon"}, svg=True),
                 el(19, "use", {"href": "#icon"}, svg=True),
                 el(20, "rect", {"fill": "url(http://evil.test/#p)", "filter": "url(#f)",
                                 "width": "10", "height": "10"}, svg=True),
                 svg=True),
              el(21, "a", {"href": "http://evil.test/x", "ping": "http://evil.test/ping"},
                 tx(22, "ping link")))
    return [
        meta(T0, "https://app.example.com/styles"),
        snapshot(T0, doc(head, body)),
        moves(T0 + 500, (10, 10, 9), (200, 200, 10)),
        mutation(
            T0 + 1000,
            texts=[{"id": 5, "value": "@import url(http://evil.test/m.css); "
                                      ".x{background:url(http://evil.test/m.png)}"}],
            attributes=[
                {"id": 10, "attributes": {"style": {
                    "background-image": "url(http://evil.test/obj.png)", "color": "blue"}}},
                {"id": 10, "attributes": {"style": {
                    "border-image": ["url(http://evil.test/bi.png) 30", "important"]}}},
            ],
        ),
        inc(T0 + 1500, 8, id=4, adds=[
            {"rule": ".late{background:url(http://evil.test/rule.png)}", "index": 0},
            {"rule": "@import url(http://evil.test/r.css);", "index": 1}]),
        inc(T0 + 1600, 13, id=4, index=[0], set={
            "property": "background", "value": "url(http://evil.test/decl.png)", "priority": ""}),
        inc(T0 + 1700, 10, family="Evil", fontSource="url(http://evil.test/font.woff)",
            buffer=False, descriptors={}),
        moves(T0 + 2500, (220, 220, 10)),
    ]


def pii_and_masking() -> list[dict]:
    head = el(3, "head", {}, el(4, "title", {}, tx(5, "Settings")))
    body = el(6, "body", {},
              el(7, "h2", {}, tx(8, "Account of ann@example.com")),
              el(9, "p", {}, tx(10, "Call +33 6 12 34 56 78 or pay with 4111 1111 1111 1111")),
              el(11, "input", {"type": "text", "name": "name", "value": "Ann Smith",
                               "placeholder": "Your name"}),
              el(12, "input", {"type": "password", "value": "hunter2"}),
              el(13, "textarea", {}, tx(14, "my secret note")),
              el(15, "input", {"type": "submit", "value": "Save"}),
              el(16, "div", {"class": "card rr-mask"},
                 el(17, "span", {}, tx(18, "Private Person")),
                 el(19, "input", {"value": "inside mask"})),
              el(20, "div", {"class": "rr-block", "rr_width": "200px", "rr_height": "50px"},
                 tx(21, "blocked text")),
              el(22, "div", {"data-private": ""}, tx(23, "LogRocket private")),
              el(24, "input", {"class": "rr-ignore", "value": "ignored value"}),
              el(25, "select", {"value": "fr"}, el(26, "option", {"value": "fr"}, tx(27, "France"))),
              el(28, "span", {"title": "mail ann@example.com"}, tx(29, "SAFE hover me")),
              el(30, "span", {"data-user": "ann@example.com"}, tx(31, "SAFE data")))
    return [
        meta(T0, "https://app.example.com/settings?email=ann%40example.com&token=abc123&page=2"),
        snapshot(T0, doc(head, body)),
        moves(T0 + 300, (50, 50, 6)),
        inc(T0 + 500, 5, id=11, text="Ann Smithson", isChecked=False),
        inc(T0 + 700, 5, id=12, text="hunter22", isChecked=False),
        inc(T0 + 900, 5, id=19, text="typed in mask", isChecked=False),
        inc(T0 + 1100, 5, id=24, text="typed ignored", isChecked=False),
        mutation(T0 + 1300, texts=[{"id": 8, "value": "Hello bob@example.org"}],
                 attributes=[{"id": 11, "attributes": {"value": "Bob"}}]),
        {"type": 6, "timestamp": T0 + 1400, "data": {"plugin": "rrweb/console@1", "payload": {
            "level": "error", "trace": [], "payload": ['"ann@example.com not allowed"']}}},
        {"type": 5, "timestamp": T0 + 1500, "data": {"tag": "identify",
                                                      "payload": {"email": "ann@example.com"}}},
        moves(T0 + 2000, (60, 60, 6)),
    ]


def robustness() -> list[dict]:
    deep = tx(5999, "DEEP-TEXT")
    for k in range(420, 0, -1):
        deep = el(5000 + k, "div", {}, deep)
    head = el(3, "head", {})
    body = el(4, "body", {},
              el(10, "div", {"title": "x" * 100_000}, tx(11, "SAFE huge attribute owner")),
              deep,
              el(12, "img src=x onerror=alert(1)", {}),
              el(13, "dív", {}, tx(14, "SAFE unicode tag")),
              el(15, "div", {"on error": "x", "onclick\u0000": "x", "\u043enclick": "x",
                             "data-obj": {"a": 1}}, tx(16, "SAFE bad attribute names")),
              el(17, "a", {"href": f"\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:{trip('fullwidth')}"},
                 tx(18, "fullwidth")),
              el(19, "a", {"href": f"java\u200bscript:{trip('zero-width')}"}, tx(20, "zero width")),
              el(21, "p", {}, tx(22, "\u202eSAFE-RTL")),
              el(23, "my-widget", {}, isCustom=True),
              el(24, "notcustom", {}, isCustom=True),
              {"type": 9, "id": 25},
              {"type": 2, "tagName": "div", "attributes": {}, "childNodes": []})
    return [
        {"type": "2", "timestamp": T0 - 10, "data": {}},
        {"type": 3, "data": {"source": 1, "positions": []}},
        "not an event",
        moves(T0 - 500, (1, 1, 4)),
        meta(T0, "https://app.example.com/odd"),
        snapshot(T0, doc(head, body)),
        moves(T0 + 300, (10, 10, 4)),
        mutation(
            T0 + 2000,
            adds=[
                {"parentId": 99999, "nextId": None, "node": tx(7001, "orphan")},
                {"parentId": 7002, "nextId": None, "node": tx(7003, "SAFE added child")},
                {"parentId": 4, "nextId": None, "node": el(7002, "div", {})},
            ],
            removes=[{"parentId": 4, "id": 88888}],
            texts=[{"id": 77777, "value": "nobody"}],
            attributes=[{"id": 66666, "attributes": {"class": "x"}}],
        ),
        moves(T0 + 1500, (20, 20, 4)),
        inc(T0 + 2500, 5, id=55555, text="lost", isChecked=False),
        inc(T0 + 2600, 4, width=1_000_000_000, height=700),
        inc(T0 + 2700, 1, positions=[{"x": "NaN", "y": 3, "id": 4, "timeOffset": 0}]),
        {"type": 4, "timestamp": T0 + 2800, "data": {"href": "x", "width": "wide", "height": 1}},
        moves(T0 + 3000, (30, 30, 4)),
    ]


FILES = {
    "scripts_and_handlers.json": scripts_and_handlers,
    "css_and_urls.json": css_and_urls,
    "pii_and_masking.json": pii_and_masking,
    "robustness.json": robustness,
}

if __name__ == "__main__":
    for name, build in FILES.items():
        (HERE / name).write_text(json.dumps(build(), ensure_ascii=False, indent=None) + "\n",
                                 encoding="utf-8")
        print("wrote", name)
