"""Masking helpers: exact outputs on hand-written cases, shape properties on generated ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
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


# ---------------------------------------------------------------- ids are not phones
@pytest.mark.parametrize(
    "text",
    [
        "01902a6b-0000-7000-8000-00000000a001",
        "550E8400-E29B-41D4-A716-446655440000",
        "00000000-0000-0000-0000-000000000000",  # all digits: still a UUID, not a card
        "commit deadbeef-1234-5678 and 3f2a-1234-5678-9012",
        "at 2024-01-31T12:30:45.123Z",
        "at 2024-01-31T12:30:45+02:00",
        "at 2024-01-31 12:30:45",
        "took 12:30:45.123456",
        "/s/01902a6b-0000-7000-8000-00000000a001/replay",
    ],
)
def test_mask_text_keeps_uuids_hex_ids_and_iso_times(text):
    assert mask_text(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+33 6 12 34 56 78", "*****************"),
        ("(555) 123-4567", "**************"),
        ("555-123-4567", "************"),
        ("+1 555 123 4567", "***************"),
        ("call 555-123-4567 at 12:30", "call ************ at 12:30"),
        ("at 12:30 call 555 123 4567", "at 12:30 call ************"),
        (
            "user 01902a6b-0000-7000-8000-00000000a001 tel +1 555 123 4567",
            "user 01902a6b-0000-7000-8000-00000000a001 tel ***************",
        ),
        # an IBAN is upper-case hex-looking but is still checked and masked
        ("DE89370400440532013000", "**********************"),
    ],
)
def test_mask_text_still_masks_real_phones_next_to_ids(text, expected):
    assert mask_text(text) == expected


def test_mask_url_keeps_uuid_paths_and_query_ids_but_masks_phones():
    uuid = "01902a6b-0000-7000-8000-00000000a001"
    assert mask_url(f"https://a.com/s/{uuid}?x=1") == f"https://a.com/s/{uuid}?x=1"
    assert mask_url(f"https://a.com/r?id={uuid}&at=2024-01-31T12:30:45Z") == (
        f"https://a.com/r?id={uuid}&at=2024-01-31T12:30:45Z"
    )
    # a phone in a path and a percent-encoded phone in a non-sensitive query value
    assert mask_url("https://a.com/c/555-123-4567?to=%2B1%20555%20123%204567") == (
        "https://a.com/c/************?to=***************"
    )


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 +-().@aZDEGB١٢٣x_/:")), max_size=40))
def test_may_hold_pii_covers_every_text_mask_text_changes(text):
    from uxlens.privacy import may_hold_pii

    if mask_text(text) != text:
        assert may_hold_pii([text]).tolist() == [True]


def test_may_hold_pii_exact_cases():
    from uxlens.privacy import may_hold_pii

    texts = ["user-1234567", "user-12345678", "a@b", "GB82WEST", "gb82west", "", "١٢٣٤٥٦٧٨"]
    assert may_hold_pii(texts).tolist() == [False, True, True, True, False, False, True]
