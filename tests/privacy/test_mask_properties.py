"""Properties of the maskers on generated text with planted personal data.

- idempotent: masking masked text changes nothing;
- length preserved, and only characters of a match become ``*``;
- no planted email, payment card or IBAN survives, and a re-scan of the
  output finds no email, no Luhn-valid card and no mod-97-valid IBAN.
"""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from uxlens.privacy import (
    _CARD,
    _EMAIL,
    _IBAN,
    Privacy,
    _iban_ok,
    _luhn_ok,
    mask_input,
    mask_text,
    mask_url,
)

_lower = string.ascii_lowercase
_email = st.builds(
    "{}@{}.{}".format,
    st.text(_lower + string.digits + "._+-", min_size=1, max_size=10).filter(
        lambda s: s[0] not in "._+-"
    ),
    st.text(_lower + string.digits, min_size=1, max_size=8),
    st.text(_lower, min_size=2, max_size=6),
)


def _luhn_digit(body: str) -> str:
    for d in "0123456789":
        if _luhn_ok(body + d):
            return d
    raise AssertionError("unreachable")


def _group(digits: str, sep: str) -> str:
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


_card = st.builds(
    lambda body, sep: _group(body + _luhn_digit(body), sep),
    st.text(string.digits, min_size=12, max_size=18).filter(lambda s: s[0] != "0"),
    st.sampled_from(["", " ", "-"]),
)


def _iban(country: str, bban: str, spaced: bool) -> str:
    check = 98 - int("".join(str(int(c, 36)) for c in bban + country + "00")) % 97
    text = f"{country}{check:02d}{bban}"
    return _group(text, " ") if spaced else text


_iban_st = st.builds(
    _iban,
    st.text(string.ascii_uppercase, min_size=2, max_size=2),
    st.text(string.ascii_uppercase + string.digits, min_size=11, max_size=30),
    st.booleans(),
)
_filler = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(" -.:/@+()"),
    max_size=15,
)


@st.composite
def text_with_pii(draw):
    planted = draw(st.lists(_email | _card | _iban_st, min_size=1, max_size=4))
    parts = []
    for value in planted:
        parts += [draw(_filler), " ; ", value, " ; "]
    parts.append(draw(_filler))
    return "".join(parts), planted


def _assert_clean(out: str) -> None:
    assert _EMAIL.search(out) is None
    for m in _CARD.finditer(out):
        assert not _luhn_ok(m.group(0).replace(" ", "").replace("-", ""))
    for m in _IBAN.finditer(out):
        assert not _iban_ok(m.group(0))


@settings(max_examples=300, deadline=None)
@given(text_with_pii())
def test_no_planted_email_card_or_iban_survives(case):
    text, planted = case
    out = mask_text(text)
    assert len(out) == len(text)
    for value in planted:
        assert value not in out
    _assert_clean(out)
    assert mask_text(out) == out


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), text_with_pii().map(lambda c: c[0])))
def test_mask_text_idempotent_and_shape_preserving(text):
    out = mask_text(text)
    assert len(out) == len(text)
    assert mask_text(out) == out
    # only characters replaced by "*": everything else stays in place
    assert all(o == c or o == "*" for o, c in zip(out, text))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), text_with_pii().map(lambda c: c[0])))
def test_policy_text_with_patterns_idempotent(text):
    policy = Privacy(patterns=(r"EMP-\d{6}", r"(?i)secret"))
    out = policy.text(text + " EMP-123456 Secret")
    assert len(out) == len(text) + 18
    assert out.endswith(" ********** ******")
    assert policy.text(out) == out
    _assert_clean(out)


@given(st.text())
def test_mask_input_idempotent(text):
    out = mask_input(text)
    assert mask_input(out) == out


@settings(max_examples=200, deadline=None)
@given(text_with_pii(), st.sampled_from(["to", "q", "password", "ref"]))
def test_mask_url_leaves_no_planted_value(case, key):
    _, planted = case
    from urllib.parse import quote

    url = (
        "https://a.com/p/"
        + quote(planted[0], safe="@")
        + "?"
        + "&".join(f"{key}{i}={quote(v)}" for i, v in enumerate(planted))
    )
    out = mask_url(url)
    for value in planted:
        assert quote(value) not in out and value not in out
    assert mask_url(out) == out
