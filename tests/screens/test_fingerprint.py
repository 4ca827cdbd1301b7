"""fingerprint(): visible structure only, exact tokens on hand-built trees."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from uxlens.exceptions import UxlensError
from uxlens.io.dom import DomMirror
from uxlens.screens import fingerprint, fingerprint_distance

from ._build import Ids, add, body_id, document, el, mutation, snapshot, txt


def page(*body_kids_builders, ids: Ids | None = None):
    ids = ids or Ids()
    return document(ids, *[b(ids) for b in body_kids_builders])


def card(ids: Ids, title: str = "Invite your teammates", extra_attrs=None):
    return el(ids, "form", {"id": "card", "class": "card", **(extra_attrs or {})},
              el(ids, "h1", {}, txt(ids, title)),
              el(ids, "button", {"id": "send", "class": "btn"}, txt(ids, "Send")))


def test_exact_tokens_depth_limited_paths():
    doc = page(card)
    assert fingerprint(doc) == frozenset({
        "html",
        "html > body",
        "html > body > form#card.card",
        "body > form#card.card > h1",
        "body > form#card.card > button#send.btn",
    })
    assert fingerprint(doc, depth=1) == frozenset(
        {"html", "body", "form#card.card", "h1", "button#send.btn"})


def test_text_is_ignored():
    a = page(lambda ids: card(ids, "Invite your teammates"))
    b = page(lambda ids: card(ids, "Einladen"))
    assert fingerprint(a) == fingerprint(b)


def test_volatile_attributes_are_ignored():
    plain = page(card)
    noisy = page(lambda ids: card(ids, extra_attrs={
        "style": "color: red; top: 12px", "data-reactid": "17", "aria-busy": "true",
        "data-variant": "A"}))
    assert fingerprint(plain) == fingerprint(noisy)


def test_digits_and_state_classes_are_ignored():
    a = page(lambda ids: el(ids, "div", {"id": "row-1", "class": "row is-active c3"}))
    b = page(lambda ids: el(ids, "div", {"id": "row-22", "class": "c7 row has-focus"}))
    assert fingerprint(a) == fingerprint(b)
    assert "html > body > div#row-0.c0.row" in fingerprint(a)


@pytest.mark.parametrize("attrs", [
    {"style": "display: none"},
    {"style": "color:red;visibility:hidden"},
    {"hidden": ""},
    {"aria-hidden": "true"},
    {"class": "panel rr-block"},
    {"role": "status"},
    {"role": "alert"},
])
def test_hidden_and_transient_elements_are_skipped(attrs):
    base = page(card)
    with_hidden = page(card, lambda ids: el(ids, "div", attrs, el(ids, "p", {}, txt(ids, "x"))))
    assert fingerprint(with_hidden) == fingerprint(base)


def test_aria_live_region_counts_but_not_its_contents():
    empty = page(card, lambda ids: el(ids, "div", {"id": "live", "aria-live": "polite"}))
    full = page(card, lambda ids: el(ids, "div", {"id": "live", "aria-live": "polite"},
                                     el(ids, "p", {"class": "toast"}, txt(ids, "Saved"))))
    assert fingerprint(full) == fingerprint(empty)
    assert "html > body > div#live" in fingerprint(empty)


def test_dialog_is_marked_and_weighted():
    base = page(card)
    with_modal = page(card, lambda ids: el(
        ids, "div", {"id": "m", "role": "dialog"}, el(ids, "h2", {}, txt(ids, "Welcome"))))
    fp = fingerprint(with_modal, modal_weight=3)
    assert fp - fingerprint(base) == {
        "@html > body > div#m[role=dialog]",
        "@body > div#m[role=dialog] > h2",
        "@modal:div#m[role=dialog]:0", "@modal:div#m[role=dialog]:1",
        "@modal:div#m[role=dialog]:2",
    }
    assert fingerprint(base) < fp
    # <dialog> counts only when open; aria-modal marks a dialog too
    closed = page(card, lambda ids: el(ids, "dialog", {"id": "d"}))
    opened = page(card, lambda ids: el(ids, "dialog", {"id": "d", "open": ""}))
    assert not any(t.startswith("@") for t in fingerprint(closed))
    assert sum(t.startswith("@modal:") for t in fingerprint(opened)) == 8
    aria = page(card, lambda ids: el(ids, "div", {"aria-modal": "true"}))
    assert "@html > body > div" in fingerprint(aria)


def test_mirror_after_mutations_matches_serialized_tree():
    ids = Ids()
    doc = document(ids, card(ids))
    body = body_id(doc)
    modal = el(ids, "div", {"id": "m", "role": "dialog"}, el(ids, "h2", {}, txt(ids, "Hi")))
    dom = DomMirror()
    dom.load_snapshot(snapshot(0, doc)["data"]["node"])
    before = fingerprint(dom)
    dom.apply_mutation(mutation(10, adds=[add(body, modal)])["data"])
    assert fingerprint(dom) == fingerprint(dom.to_serialized())
    assert fingerprint(dom) - before == {
        "@html > body > div#m[role=dialog]", "@body > div#m[role=dialog] > h2",
        *{f"@modal:div#m[role=dialog]:{k}" for k in range(8)}}
    # hiding it with an inline style mutation removes it again
    dom.apply_mutation(mutation(20, attributes=[
        {"id": modal["id"], "attributes": {"style": {"display": "none"}}}])["data"])
    assert fingerprint(dom) == before


def test_input_type_is_part_of_the_segment():
    a = page(lambda ids: el(ids, "input", {"type": "email", "value": "a@b.example"}))
    b = page(lambda ids: el(ids, "input", {}))
    assert "html > body > input[type=email]" in fingerprint(a)
    assert "html > body > input[type=text]" in fingerprint(b)


def test_distance_and_bad_input():
    assert fingerprint_distance(set(), set()) == 0.0
    assert fingerprint_distance({"a"}, {"b"}) == 1.0
    assert fingerprint_distance({"a", "b", "c", "d"}, {"a", "b", "c"}) == 0.25
    assert fingerprint(None) == frozenset()
    with pytest.raises(UxlensError, match="DomMirror or a serialized rrweb node"):
        fingerprint([1, 2])  # type: ignore[arg-type]
    with pytest.raises(UxlensError, match="depth"):
        fingerprint(page(card), depth=0)


_TAGS = st.sampled_from(["div", "section", "p", "span", "button", "ul", "li", "a"])
_TEXT = st.text(max_size=12)


@st.composite
def trees(draw, depth: int = 3):
    tag = draw(_TAGS)
    attrs = {}
    if draw(st.booleans()):
        attrs["class"] = draw(st.sampled_from(["a", "b c", "is-open x"]))
    kids = draw(st.lists(trees(depth - 1), max_size=3)) if depth > 0 else []
    texts = draw(st.lists(_TEXT, max_size=2))
    return {"tag": tag, "attrs": attrs, "kids": kids, "texts": texts}


def _build(tree, ids, texts_override=None):
    kids = [_build(k, ids, texts_override) for k in tree["kids"]]
    kids += [txt(ids, texts_override if texts_override is not None else t) for t in tree["texts"]]
    return el(ids, tree["tag"], tree["attrs"], *kids)


@settings(max_examples=60, deadline=None)
@given(trees(), _TEXT, st.dictionaries(st.sampled_from(["style", "data-id", "title"]),
                                       st.text(max_size=5), max_size=2))
def test_text_and_volatile_attributes_never_change_the_fingerprint(tree, other_text, noise):
    plain = _build(tree, Ids())
    changed_tree = copy.deepcopy(tree)
    changed_tree["attrs"] = {**changed_tree["attrs"],
                             **{k: v for k, v in noise.items() if "none" not in v}}
    changed = _build(changed_tree, Ids(100), texts_override=other_text)
    assert fingerprint(plain) == fingerprint(changed)
