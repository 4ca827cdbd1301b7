"""Masking helpers: exact outputs on hand-written cases, shape properties on generated ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from uxlens.privacy import is_masked_element, mask_all, mask_input, mask_text, mask_url


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("a@b.c d@e.f", "*@*.* *@*.*"),
        ("ann@example.com, bob@example.com", "***@*******.***, ***@*******.***"),
        ("Zoë 42 (x_y)", "*** ** (*_*)"),
        ("", ""),
    ],
)
def test_mask_input_keeps_only_punctuation_and_spacing(typed, masked):
    assert mask_input(typed) == masked


def test_mask_input_passes_non_strings_through():
    assert mask_input(None) is None
    assert mask_input(3) == 3


@given(st.text())
def test_mask_input_same_length_and_no_letters_or_digits(text):
    out = mask_input(text)
    assert len(out) == len(text)
    assert not any(c.isalnum() for c in out if c != "*")
    # every non-alphanumeric character is kept at its place
    assert all(o == c for o, c in zip(out, text) if not (c.isalnum() and c != "_"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail ann.lee+x@example.co.uk now", "mail " + "*" * 23 + " now"),
        # Luhn-valid cards are masked, a 16-digit number failing Luhn is kept
        ("4111 1111 1111 1111", "*******************"),
        ("5555-5555-5555-4444!", "*******************!"),
        ("4111 1111 1111 1112", "4111 1111 1111 1112"),
        # IBANs with a valid mod-97 checksum only
        ("iban GB82 WEST 1234 5698 7654 32.", "iban " + "*" * 27 + "."),
        ("GB00WEST12345698765432", "GB00WEST12345698765432"),
        # phones: + / 0 prefix or grouped digits, 8-15 digits
        ("+1 (555) 010-9999", "*****************"),
        ("tel 06 12 34 56 78", "tel **************"),
        ("0612345678", "**********"),
        # not personal data: dates, short numbers, ids and timestamps
        ("on 2024-01-31 at 12:30", "on 2024-01-31 at 12:30"),
        ("order 1700000000000 x3", "order 1700000000000 x3"),
        ("version 1.2.3", "version 1.2.3"),
    ],
)
def test_mask_text_patterns(text, expected):
    assert mask_text(text) == expected


@given(st.text())
def test_mask_text_preserves_length(text):
    assert len(mask_text(text)) == len(text)


def test_mask_all_and_non_strings():
    assert mask_all("Ann  Lee\n") == "***  ***\n"
    assert mask_text(None) is None
    assert mask_all(5) == 5


def test_mask_url_masks_sensitive_query_values_and_pii():
    assert (
        mask_url("http://localhost:8000/demo/2?username=helloworld&password=mynameis")
        == "http://localhost:8000/demo/2?username=helloworld&password=********"
    )
    assert mask_url("https://a.com/p?creditcard=12314143&x=1#frag") == (
        "https://a.com/p?creditcard=********&x=1#frag"
    )
    assert mask_url("https://a.com/u?to=ann%40example.com") == "https://a.com/u?to=***************"
    assert mask_url("https://a.com/plain") == "https://a.com/plain"
    assert mask_url(None) is None


@pytest.mark.parametrize(
    ("attrs", "masked"),
    [
        ({"class": "hint rr-mask"}, True),
        ({"class": "rr-block"}, True),
        ({"class": "rr-masked rr-blocker"}, False),
        ({"data-private": ""}, True),
        ({"data-private": "true"}, True),
        ({"data-private": "false"}, False),
        ({"class": ["rr-mask"]}, False),
        ({}, False),
        (None, False),
    ],
)
def test_is_masked_element(attrs, masked):
    assert is_masked_element(attrs) is masked
