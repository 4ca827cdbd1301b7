"""DomMirror: selectors, texts and flags on hand-built trees, kept current by mutations."""

from __future__ import annotations

import copy
import json

import pytest

from tests._paths import shared
from uxlens.io.dom import DomMirror


def el(i, tag, attrs=None, kids=None, **extra):
    return {"type": 2, "id": i, "tagName": tag, "attributes": attrs or {},
            "childNodes": kids or [], **extra}


def tx(i, text, **extra):
    return {"type": 3, "id": i, "textContent": text, **extra}


def page(*body_children, html_attrs=None):
    return {"type": 0, "id": 1, "childNodes": [
        {"type": 1, "id": 2, "name": "html", "publicId": "", "systemId": ""},
        el(3, "html", html_attrs, [
            el(4, "head", {}, [el(5, "title", {}, [tx(6, "Title text")])]),
            el(7, "body", {}, list(body_children)),
        ]),
    ]}


@pytest.fixture
def list_page():
    return page(
        el(10, "ul", {"class": "menu"}, [
            el(11, "li", {}, [tx(12, "One")]),
            el(13, "li", {"class": "on"}, [tx(14, "Two")]),
            el(15, "li", {}, [el(16, "span", {}, [tx(17, "Three")])]),
        ]),
        el(20, "div", {"id": "app", "class": "shell"}, [
            el(21, "button", {"class": "btn"}, [el(22, "span", {}, [tx(23, "Send")])]),
            el(24, "div", {"role": "button"}, [tx(25, "Fake")]),
            el(26, "div", {"onclick": "go()"}, [tx(27, "Inline")]),
            el(28, "p", {}, [tx(29, "plain")]),
            el(30, "p", {"class": "note"}, [tx(31, "note")]),
        ]),
    )


def mirror(snapshot, **kw):
    dom = DomMirror(**kw)
    dom.load_snapshot(snapshot)
    return dom


def test_selectors_nth_of_type_only_when_ambiguous_and_stop_at_id(list_page):
    dom = mirror(list_page)
    assert dom.selector(11) == "body > ul.menu > li:nth-of-type(1)"
    # li.on is unique among its siblings: no position needed
    assert dom.selector(13) == "body > ul.menu > li.on"
    assert dom.selector(17) == "body > ul.menu > li:nth-of-type(3) > span"
    # stops at the element with an id
    assert dom.selector(23) == "div#app.shell > button.btn > span"
    # p has a same-tag sibling, but p.note has no other .note sibling
    assert dom.selector(28) == "div#app.shell > p:nth-of-type(1)"
    assert dom.selector(30) == "div#app.shell > p.note"
    # html only when it is the target; a text node resolves to its element
    assert dom.selector(3) == "html"
    assert dom.selector(7) == "body"
    assert dom.selector(12) == dom.selector(11)
    assert dom.selector(999) is None
    assert 11 in dom and 999 not in dom


def test_texts_controls_and_element_view(list_page):
    dom = mirror(list_page)
    assert dom.text(10) == "One Two Three"  # li are blocks: words are separated
    assert dom.text(20) == "Send Fake Inline plain note"
    assert dom.text(23) == "Send"
    assert [dom.is_link_or_control(i) for i in (23, 21, 24, 26, 28, 11)] == [
        True, True, True, True, False, False]
    view = dom.element(21)
    assert (view.tag, view.attributes, view.parent, view.children) == (
        "button", {"class": "btn"}, 20, (22,))
    assert dom.element(404) is None


def test_text_skips_head_scripts_styles_and_falls_back_to_attributes():
    snap = page(
        el(10, "div", {}, [
            el(11, "script", {}, [tx(12, "var secret = 1")]),
            el(13, "style", {}, [tx(14, "div{}", isStyle=True)]),
            tx(15, "  Visible \n\n  text  "),
        ]),
        el(16, "input", {"type": "submit", "value": "Go"}),
        el(17, "input", {"type": "text", "value": "typed", "placeholder": "Your name"}),
        el(18, "img", {"alt": "Logo"}),
        el(19, "button", {"aria-label": "Close"}),
        el(20, "p", {}, [tx(21, "x" * 300)]),
    )
    dom = mirror(snap)
    assert dom.text(10) == "Visible text"
    assert dom.text(16) == "Go"
    assert dom.text(17) == "Your name"  # never the typed value
    assert dom.text(18) == "Logo"
    assert dom.text(19) == "Close"
    assert dom.text(20) == "x" * 100
    assert dom.text(20, limit=10) == "x" * 10
    # <head> (the title) is not visible; inputs add no text to their parents
    assert dom.text(7) == "Visible text " + "x" * 87


def test_masking_of_private_subtrees_and_pii():
    snap = page(
        el(10, "p", {"class": "rr-mask"}, [tx(11, "Ann Lee "), el(12, "b", {}, [tx(13, "VIP")])]),
        el(14, "div", {"data-private": ""}, [el(15, "span", {}, [tx(16, "secret 42")])]),
        el(17, "div", {}, [tx(18, "write to ann@example.com "), el(19, "i", {"class": "rr-block"})]),
    )
    dom = mirror(snap)
    assert dom.text(10) == "*** *** ***"
    assert dom.text(15) == "****** **"  # inside a private ancestor
    assert dom.is_masked(16) and not dom.is_masked(18)
    assert dom.text(17) == "write to ***************"
    raw = mirror(snap, mask=False)
    assert raw.text(10) == "Ann Lee VIP"
    assert raw.text(17) == "write to ann@example.com"


def test_adds_retry_pending_and_respect_next_id():
    # rrweb's input.ts fixture: options added in an order where parents and next
    # siblings come later in the same batch.
    events = json.loads(shared("rrweb", "rrweb_test_input.json").read_text())
    dom = DomMirror.from_events(events[:5])
    assert dom.element(26).children == (30, 29, 27)
    assert dom.text(26) == "A B C"
    assert dom.selector(29) == "body > select > option:nth-of-type(2)"
    assert dom.selector(32) == "body > select > option:nth-of-type(2)"


def test_child_added_before_its_parent_in_the_same_batch():
    dom = mirror(page())
    dom.apply_mutation({"adds": [
        {"parentId": 40, "nextId": None, "node": tx(41, "late")},
        {"parentId": 7, "nextId": None, "node": el(40, "div", {"class": "toast"})},
    ]})
    assert dom.selector(41) == "body > div.toast"
    assert dom.text(40) == "late"


def test_remove_and_readd_with_another_class(list_page):
    dom = mirror(list_page)
    assert dom.selector(21) == "div#app.shell > button.btn"
    assert dom.text(20).startswith("Send")
    dom.apply_mutation({"removes": [{"parentId": 20, "id": 21}]})
    assert dom.selector(21) is None
    assert dom.selector(23) is None  # descendants left with it
    assert dom.text(21) is None
    assert dom.text(20) == "Fake Inline plain note"
    dom.apply_mutation({"adds": [{"parentId": 20, "nextId": 28, "node": el(
        21, "button", {"class": "btn ghost"}, [tx(23, "Resend")])}]})
    assert dom.selector(21) == "div#app.shell > button.btn.ghost"
    assert dom.text(20) == "Fake Inline Resend plain note"
    assert dom.element(20).children == (24, 26, 21, 28, 30)


def test_attribute_changes_update_selectors_and_style_objects(list_page):
    dom = mirror(list_page)
    assert dom.selector(11) == "body > ul.menu > li:nth-of-type(1)"
    dom.apply_mutation({"attributes": [{"id": 11, "attributes": {"class": "first"}}]})
    assert dom.selector(11) == "body > ul.menu > li.first"
    assert dom.selector(15) == "body > ul.menu > li:nth-of-type(3)"
    dom.apply_mutation({"attributes": [{"id": 10, "attributes": {"class": None, "id": "nav"}}]})
    assert dom.selector(17) == "ul#nav > li:nth-of-type(3) > span"
    dom.apply_mutation({"attributes": [
        {"id": 28, "attributes": {"style": "color: red; background: url(a;b)"}},
    ]})
    dom.apply_mutation({"attributes": [
        {"id": 28, "attributes": {"style": {"color": False, "width": ["10px", "important"],
                                            "top": "1px"}}},
    ]})
    assert dom.element(28).attributes["style"] == (
        "background: url(a;b); width: 10px !important; top: 1px;")
    dom.apply_mutation({"attributes": [{"id": 28, "attributes": {"class": "rr-mask"}}]})
    assert dom.text(28) == "*****"


def test_text_mutations_invalidate_cached_ancestor_texts(list_page):
    dom = mirror(list_page)
    assert dom.text(10) == "One Two Three"
    assert dom.text(15) == "Three"
    dom.apply_mutation({"texts": [{"id": 17, "value": "Drei"}]})
    assert dom.text(15) == "Drei"
    assert dom.text(10) == "One Two Drei"


def test_mutations_before_first_lookup_are_applied_in_order(list_page):
    dom = mirror(list_page)
    dom.apply_mutation({"removes": [{"parentId": 10, "id": 13}]})
    dom.apply_mutation({"adds": [{"parentId": 10, "nextId": None, "node": el(13, "li", {"class": "x"})}]})
    dom.apply_mutation({"texts": [{"id": 12, "value": "Uno"}]})
    assert dom.version == 3
    assert dom.element(10).children == (11, 15, 13)
    assert dom.text(10) == "Uno Three"


def test_iframe_and_shadow_dom_separators():
    events = json.loads(shared("rrweb", "rrweb_test_iframe.json").read_text())
    dom = DomMirror.from_events(events)
    assert dom.selector(12) == "iframe#one | body > div"
    assert dom.text(12) == "iframe 1"
    shadow = page(el(10, "my-card", {"class": "card"}, [
        el(11, "button", {"class": "buy"}, [tx(12, "Buy")], isShadow=True),
    ], isShadowHost=True))
    assert mirror(shadow).selector(12) == "body > my-card.card >>> button.buy"


def test_mirror_never_modifies_the_recording_and_serializes_current_state(list_page):
    original = copy.deepcopy(list_page)
    dom = mirror(list_page)
    dom.apply_mutation({
        "removes": [{"parentId": 10, "id": 11}],
        "adds": [{"parentId": 10, "nextId": None, "node": el(50, "li", {}, [tx(51, "Four")])}],
        "texts": [{"id": 14, "value": "Deux"}],
        "attributes": [{"id": 13, "attributes": {"class": "off"}}],
    })
    assert list_page == original
    out = dom.to_serialized()
    ul = out["childNodes"][1]["childNodes"][1]["childNodes"][0]
    assert [c["id"] for c in ul["childNodes"]] == [13, 15, 50]
    assert ul["childNodes"][0]["attributes"] == {"class": "off"}
    assert ul["childNodes"][0]["childNodes"][0]["textContent"] == "Deux"
    ul["childNodes"].clear()
    assert dom.element(10).children == (13, 15, 50)


def test_from_events_until_and_checkout_resets():
    first = page(el(10, "p", {}, [tx(11, "old")]))
    second = page(el(10, "h2", {}, [tx(11, "new")]))
    events = [
        {"type": 2, "timestamp": 10, "data": {"node": first}},
        {"type": 3, "timestamp": 20, "data": {"source": 0, "texts": [{"id": 11, "value": "mid"}]}},
        {"type": 2, "timestamp": 30, "data": {"node": second}},
    ]
    assert DomMirror.from_events(events, until=15).text(10) == "old"
    assert DomMirror.from_events(events, until=25).text(10) == "mid"
    assert DomMirror.from_events(events).selector(10) == "body > h2"


def test_corrupt_cyclic_move_detaches_the_cycle(list_page):
    dom = mirror(list_page)
    # move the <ul> under its own <li>: a cycle rrweb never records
    dom.apply_mutation({"adds": [{"parentId": 11, "nextId": None, "node": el(10, "ul")}]})
    assert dom.selector(11) is None
    assert dom.selector(10) is None
    assert dom.text(10) is None
    assert dom.text(7) == "Send Fake Inline plain note"
    assert dom.selector(21) == "div#app.shell > button.btn"


def test_text_separates_elements_like_inner_text_but_not_words_split_by_formatting():
    snap = page(
        el(10, "form", {"class": "settings-form"}, [
            el(11, "label", {"for": "tz"}, [tx(12, "Time zone")]),
            el(13, "select", {"id": "tz"}),
            el(14, "button", {"type": "submit"}, [tx(15, "Save")]),
        ]),
        el(20, "nav", {}, [el(21, "a", {"href": "/p"}, [tx(22, "Projects")]),
                           el(23, "a", {"href": "/t"}, [tx(24, "Tasks")])]),
        el(30, "div", {"class": "toggle"}, [el(31, "span", {"class": "on"}, [tx(32, "Monthly")]),
                                            el(33, "span", {}, [tx(34, "Yearly \u221220 %")])]),
        el(40, "p", {}, [tx(41, "Un"), el(42, "b", {}, [tx(43, "do")]), tx(44, " the "),
                         el(45, "a", {"href": "#"}, [tx(46, "last change")]), tx(47, ", or "),
                         el(48, "em", {}, [tx(49, "re")]), tx(50, "load ("),
                         el(51, "span", {"class": "count"}, [tx(52, "3")]), tx(53, ").")]),
        el(60, "pre", {}, [el(61, "span", {"class": "cm-def"}, [tx(62, "render")]),
                           tx(63, "() {")]),
        el(70, "div", {"class": "stat"}, [el(71, "b", {}, [tx(72, "0")]),
                                          el(73, "span", {}, [tx(74, "open tasks")])]),
    )
    dom = mirror(snap)
    assert dom.text(10) == "Time zone Save"
    assert dom.text(20) == "Projects Tasks"
    assert dom.text(30) == "Monthly Yearly \u221220 %"
    assert dom.text(40) == "Undo the last change, or reload (3)."
    assert dom.text(60) == "render() {"  # a span inside a run of text splits nothing
    assert dom.text(70) == "0 open tasks"  # ... but two inline tags side by side are two words
    assert dom.text(7, limit=300) == ("Time zone Save Projects Tasks Monthly Yearly \u221220 % "
                                      "Undo the last change, or reload (3). render() { 0 open tasks")
    # a word split by a formatting tag stays one word after a text mutation too
    dom.apply_mutation({"texts": [{"id": 43, "value": "dos"}]})
    assert dom.text(40) == "Undos the last change, or reload (3)."
