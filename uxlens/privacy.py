"""Privacy by default: mask what users typed and what looks like personal data.

Readers and replays call these helpers unless the user opts out (for example
``read_rrweb(..., mask=False)``). Masking keeps the *shape* of a value so that
analysts can still see structure ("two emails separated by a space") without
seeing the content.

- :func:`mask_input` masks every letter and digit of a typed value.
- :func:`mask_text` masks emails, phone numbers, payment card numbers (Luhn
  checked) and IBANs (mod-97 checked) inside free text.
- :func:`mask_url` masks values of sensitive query parameters (``password``,
  ``token``, ``card``...) and PII patterns elsewhere in a URL.
- :func:`is_masked_element` tells whether an element is marked private by the
  page (rrweb's ``rr-mask`` / ``rr-block`` classes, a ``data-private``
  attribute).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

__all__ = [
    "MASK_CHAR",
    "MASKED_CLASSES",
    "SENSITIVE_QUERY_KEYS",
    "mask_input",
    "mask_text",
    "mask_url",
    "mask_all",
    "is_masked_element",
]

#: The character that replaces masked content.
MASK_CHAR = "*"
#: Classes that mark an element (and its subtree) as private.
MASKED_CLASSES = frozenset({"rr-mask", "rr-block"})
#: Query-parameter names whose values are always masked (lower-case substrings).
SENSITIVE_QUERY_KEYS = (
    "pass",
    "pwd",
    "secret",
    "token",
    "auth",
    "key",
    "session",
    "card",
    "cvv",
    "cvc",
    "iban",
    "ssn",
    "email",
    "mail",
    "phone",
    "tel",
)

_ALNUM = re.compile(r"[^\W_]")
_DIGIT = re.compile(r"\d")
_NON_SPACE = re.compile(r"\S")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 13-19 digits, optionally grouped by single spaces or dashes.
_CARD = re.compile(r"(?<![\w.])\d(?:[ -]?\d){12,18}(?![\w.])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
# Phone numbers: an optional +country / 00 prefix, then 2+ groups of digits
# separated by space, dot, dash or parentheses. Digit count is checked after.
_PHONE = re.compile(
    r"(?<![\w.+])(?:\+|00)?\(?\d{1,4}\)?(?:[ .-]?\(?\d{1,5}\)?){1,6}(?![\w.])"
)
_DATE_LIKE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{4}$")


def mask_input(value: Any) -> Any:
    """Mask a typed value: every letter and digit becomes ``*``.

    Whitespace and punctuation are kept, so the structure of what was typed
    stays visible (two emails separated by a space, a date with slashes).
    Non-string values (``None``, numbers) are returned unchanged.

    Examples
    --------
    >>> mask_input("a@b.c d@e.f")
    '*@*.* *@*.*'
    >>> mask_input("Jean-Luc 42")
    '****-*** **'
    """
    if not isinstance(value, str):
        return value
    return _ALNUM.sub(MASK_CHAR, value)


def mask_all(text: Any) -> Any:
    """Mask every non-whitespace character (what rrweb's ``rr-mask`` does).

    Examples
    --------
    >>> mask_all("Hi Ann")
    '** ***'
    """
    if not isinstance(text, str):
        return text
    return _NON_SPACE.sub(MASK_CHAR, text)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _iban_ok(text: str) -> bool:
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in moved))
    except ValueError:
        return False
    return number % 97 == 1


def _stars(match: re.Match[str]) -> str:
    return MASK_CHAR * len(match.group(0))


def _card_sub(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = text.replace(" ", "").replace("-", "")
    return MASK_CHAR * len(text) if _luhn_ok(digits) else text


def _iban_sub(match: re.Match[str]) -> str:
    text = match.group(0)
    return MASK_CHAR * len(text) if _iban_ok(text) else text


def _phone_sub(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if not 8 <= digits <= 15:
        return text
    prefixed = text.startswith(("+", "00", "0", "("))
    grouped = any(c in " .-()" for c in text)
    if not (prefixed or grouped):
        # A bare run of digits (an id, a timestamp) is not treated as a phone.
        return text
    if _DATE_LIKE.match(text):
        return text
    return MASK_CHAR * len(text)


def mask_text(text: Any) -> Any:
    """Mask personal data in free text: emails, phones, payment cards, IBANs.

    Each match is replaced by a run of ``*`` of the same length, so the
    surrounding text and the layout stay readable. Card numbers must pass the
    Luhn check and IBANs the mod-97 check, which keeps order ids and other
    long numbers visible. Phone numbers need 8-15 digits and either a ``+``,
    ``00`` or ``0`` prefix or grouping separators; dates are left alone.
    Non-string values are returned unchanged.

    Examples
    --------
    >>> mask_text("Contact ann@example.com now")
    'Contact *************** now'
    >>> mask_text("card 4111 1111 1111 1111, order 1234567890123")
    'card *******************, order 1234567890123'
    >>> mask_text("call +33 6 12 34 56 78 on 2024-01-31")
    'call ***************** on 2024-01-31'
    >>> mask_text("IBAN DE89370400440532013000")
    'IBAN **********************'
    """
    if not isinstance(text, str) or not text:
        return text
    if "@" in text:
        text = _EMAIL.sub(_stars, text)
    if _DIGIT.search(text) is None:
        return text
    text = _CARD.sub(_card_sub, text)
    text = _IBAN.sub(_iban_sub, text)
    return _PHONE.sub(_phone_sub, text)


def _sensitive_key(key: str) -> bool:
    low = key.lower()
    return any(s in low for s in SENSITIVE_QUERY_KEYS)


def mask_url(url: Any) -> Any:
    """Mask a URL: sensitive query values fully, PII patterns everywhere.

    Values of query parameters whose name contains ``pass``, ``token``,
    ``card``, ``email``... (see :data:`SENSITIVE_QUERY_KEYS`) are masked with
    :func:`mask_input`; the rest of the URL goes through :func:`mask_text`.

    Examples
    --------
    >>> mask_url("http://localhost:8000/demo/2?username=helloworld&password=mynameis")
    'http://localhost:8000/demo/2?username=helloworld&password=********'
    >>> mask_url("https://a.com/u/ann@example.com?page=2")
    'https://a.com/u/***************?page=2'
    """
    if not isinstance(url, str) or not url:
        return url
    base, sep, rest = url.partition("?")
    base = mask_text(base)
    if not sep:
        return base
    query, hash_sep, fragment = rest.partition("#")
    parts = []
    for pair in query.split("&"):
        key, eq, value = pair.partition("=")
        if eq and value:
            if _sensitive_key(unquote(key)):
                value = mask_input(value)
            else:
                plain = unquote(value)
                masked = mask_text(plain)
                if masked != plain:
                    value = quote(masked, safe="*")
        parts.append(key + eq + value)
    return base + "?" + "&".join(parts) + (hash_sep + mask_text(fragment) if hash_sep else "")


def is_masked_element(attrs: Mapping[str, Any] | None) -> bool:
    """Whether an element's attributes mark it (and its subtree) as private.

    True for rrweb's ``rr-mask`` and ``rr-block`` classes and for a
    ``data-private`` attribute (unless its value is ``"false"``).

    Examples
    --------
    >>> is_masked_element({"class": "card rr-mask"})
    True
    >>> is_masked_element({"data-private": ""}), is_masked_element({"class": "rr-masked"})
    (True, False)
    """
    if not attrs:
        return False
    private = attrs.get("data-private")
    if private is not None and private is not False and str(private).lower() != "false":
        return True
    cls = attrs.get("class")
    if isinstance(cls, str) and "rr-" in cls:
        return any(tok in MASKED_CLASSES for tok in cls.split())
    return False
