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
- :class:`Privacy` bundles these into one frozen policy (what to mask, extra
  regexes) that readers accept as ``mask=`` and record in ``log.meta["privacy"]``.

Ids are not personal data: UUIDs, hex ids (``3f2a-1234-5678``) and ISO dates,
times and timestamps are never mistaken for phone or card numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .exceptions import UxlensError

if TYPE_CHECKING:
    import pandas as pd
from urllib.parse import quote, unquote

__all__ = [
    "Privacy",
    "output_policy",
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
_PHONE = re.compile(r"(?<![\w.+])(?:\+|00)?\(?\d{1,4}\)?(?:[ .-]?\(?\d{1,5}\)?){1,6}(?![\w.])")
# Spans that are ids or times, never personal data: UUIDs, hex ids (dash-joined
# groups of lower-case hex digits with at least one letter a-f and one digit;
# upper case is left out so that IBANs such as DE89... are still checked), ISO dates/timestamps and
# clock times. They are hidden from the card/IBAN/phone detectors.
_HEX = r"[0-9A-Fa-f]"
_PROTECTED = re.compile(
    rf"(?<![\w-])(?:"
    rf"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
    r"|(?=[0-9a-f-]*[a-f])(?=[0-9a-f-]*\d)[0-9a-f]+(?:-[0-9a-f]+)+"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
    r"|\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:\d{2})?"
    r")(?![\w-])"
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
    >>> mask_text("session 01902a6b-0000-7000-8000-00000000a001 at 2024-01-31 12:30:45")
    'session 01902a6b-0000-7000-8000-00000000a001 at 2024-01-31 12:30:45'
    """
    if not isinstance(text, str) or not text:
        return text
    if "@" in text:
        text = _EMAIL.sub(_stars, text)
    if _DIGIT.search(text) is None:
        return text
    spans = [m.span() for m in _PROTECTED.finditer(text)]
    if not spans:
        return _mask_numbers(text)
    # Hide ids and times behind "_" (a word character: no detector starts or
    # ends next to it), mask, then put the hidden spans back unchanged.
    hidden = list(text)
    for start, end in spans:
        hidden[start:end] = "_" * (end - start)
    out = list(_mask_numbers("".join(hidden)))
    for start, end in spans:
        out[start:end] = text[start:end]
    return "".join(out)


def may_hold_pii(texts: Any) -> np.ndarray:
    """Which texts :func:`mask_text` might change: a cheap, vectorised superset.

    A text without ``@`` (emails), with fewer than 8 decimal digits (phones need
    8, cards 13) and without two capitals followed by two digits (an IBAN's
    start) is returned unchanged by :func:`mask_text`, so millions of ids are
    cleared in Arrow without a regex pass each in Python.

    Examples
    --------
    >>> may_hold_pii(["u-0042", "ann@example.com", "+33 6 12 34 56 78", "DE89 3704"]).tolist()
    [False, True, True, True]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(texts, type=pa.string())
    maybe = pc.or_(
        pc.or_(pc.match_substring(arr, "@"),
               pc.greater_equal(pc.count_substring_regex(arr, r"\p{Nd}"), 8)),
        pc.match_substring_regex(arr, r"[A-Z]{2}\p{Nd}{2}"),
    )
    return np.asarray(maybe.fill_null(False), dtype=bool)


def _mask_numbers(text: str) -> str:
    text = _CARD.sub(_card_sub, text)
    text = _IBAN.sub(_iban_sub, text)
    return _PHONE.sub(_phone_sub, text)


def _sensitive_key(key: str) -> bool:
    low = key.lower()
    return any(s in low for s in SENSITIVE_QUERY_KEYS)


def _mask_encoded(part: str, mask_text_: Callable[[Any], Any]) -> str:
    """Mask PII hidden by percent-encoding (``1000%200000...``) in path segments."""
    if "%" not in part:
        return part
    segments = part.split("/")
    for i, segment in enumerate(segments):
        if "%" in segment:
            plain = unquote(segment)
            masked = mask_text_(plain)
            if masked != plain:
                segments[i] = quote(masked, safe="*@:+,;=!$&'()~")
    return "/".join(segments)


def mask_url(url: Any, *, text: Callable[[Any], Any] | None = None, query_keys: bool = True) -> Any:
    """Mask a URL: sensitive query values fully, PII patterns everywhere.

    Values of query parameters whose name contains ``pass``, ``token``,
    ``card``, ``email``... (see :data:`SENSITIVE_QUERY_KEYS`) are masked with
    :func:`mask_input`; the rest of the URL goes through :func:`mask_text`
    (or ``text``, e.g. :meth:`Privacy.text` with extra patterns; query values
    are percent-decoded first). ``query_keys=False`` leaves the sensitive
    query values to ``text`` alone.

    Examples
    --------
    >>> mask_url("http://localhost:8000/demo/2?username=helloworld&password=mynameis")
    'http://localhost:8000/demo/2?username=helloworld&password=********'
    >>> mask_url("https://a.com/u/ann@example.com?page=2")
    'https://a.com/u/***************?page=2'
    >>> mask_url("https://a.com/c/4111%201111%201111%201111")
    'https://a.com/c/*******************'
    """
    if not isinstance(url, str) or not url:
        return url
    mask_text_ = mask_text if text is None else text
    base, sep, rest = url.partition("?")
    base = _mask_encoded(mask_text_(base), mask_text_)
    if not sep:
        return base
    query, hash_sep, fragment = rest.partition("#")
    parts = []
    for pair in query.split("&"):
        key, eq, value = pair.partition("=")
        if eq and value:
            if query_keys and _sensitive_key(unquote(key)):
                value = mask_input(value)
            else:
                plain = unquote(value)
                masked = mask_text_(plain)
                if masked != plain:
                    value = quote(masked, safe="*")
        parts.append(key + eq + value)
    return base + "?" + "&".join(parts) + (hash_sep + _mask_encoded(mask_text_(fragment), mask_text_) if hash_sep else "")


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


def _compile(pattern: Any) -> re.Pattern[str]:
    if isinstance(pattern, re.Pattern):
        compiled = pattern
    elif isinstance(pattern, str):
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise UxlensError(
                f"Privacy(patterns=...) got an invalid regular expression {pattern!r}: {exc}. "
                "Expected Python `re` syntax, e.g. r'EMP-\\d{6}'. Fix the pattern or escape "
                "it with re.escape()."
            ) from None
    else:
        raise UxlensError(
            f"Privacy(patterns=...) expects regular expressions (str or re.Pattern), got "
            f"{type(pattern).__name__} {pattern!r}. Fix: patterns=(r'EMP-\\d{{6}}',)."
        )
    if not isinstance(compiled.pattern, str):
        raise UxlensError(
            f"Privacy(patterns=...) got a bytes pattern {compiled.pattern!r}; text is masked, "
            "so patterns must be str. Fix: drop the b prefix."
        )
    if compiled.fullmatch(""):
        raise UxlensError(
            f"Privacy(patterns=...) got {compiled.pattern!r}, which matches the empty string "
            "and so would mask nothing reliably. Fix: make it match at least one character "
            "(use + rather than *)."
        )
    return compiled


@dataclass(frozen=True)
class Privacy:
    """What uxlens masks: one frozen policy for readers, replays and exports.

    Readers take it as ``mask=`` (``True`` means :meth:`default`, ``False``
    means :meth:`none`) and store the policy they used in
    ``log.meta["privacy"]``, so that outputs mask the same way and exports
    can say so in their notes (:meth:`describe`).

    Parameters
    ----------
    mask_inputs
        Mask what users typed (:func:`mask_input`: letters and digits become
        ``*``, punctuation and spacing stay). When ``False``, typed values still
        go through :meth:`text`.
    mask_text
        Mask emails, phone numbers, payment cards (Luhn) and IBANs (mod 97) in
        free text (:func:`mask_text`): element texts, console messages, event
        properties, URLs.
    patterns
        Extra regular expressions (``str`` or compiled); every match is
        replaced by ``*`` of the same length wherever text is masked, even when
        ``mask_text=False``.
    mask_urls
        Mask the values of sensitive query parameters (``password``,
        ``token``, ``email``... see :data:`SENSITIVE_QUERY_KEYS`) in URLs.
    honour_classes
        Mask subtrees the page marked private (``rr-mask``, ``rr-block``,
        ``data-private``).
    pseudonymise_ids
        Table readers replace user ids that contain personal data (an email as
        a user id) by a stable ``anon-<hash>``.

    Examples
    --------
    >>> p = Privacy(patterns=(r"EMP-\\d{6}",))
    >>> p.text("EMP-123456 wrote to ann@example.com")
    '********** wrote to ***************'
    >>> p.input("Ann 42"), Privacy.none().input("Ann 42")
    ('*** **', 'Ann 42')
    >>> p.url("https://a.com/u?token=abc&ref=EMP-000001")
    'https://a.com/u?token=***&ref=**********'
    >>> p.describe()
    'inputs masked; emails, phones, cards, IBANs masked; 1 custom pattern; sensitive URL \
query values masked; rr-mask/rr-block/data-private honoured; ids with PII pseudonymised'
    >>> Privacy.none().describe()
    'nothing masked (privacy explicitly turned off)'
    """

    mask_inputs: bool = True
    mask_text: bool = True
    patterns: tuple[str | re.Pattern[str], ...] = ()
    mask_urls: bool = True
    honour_classes: bool = True
    pseudonymise_ids: bool = True
    _compiled: tuple[re.Pattern[str], ...] = field(
        default=(), init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        for name in (
            "mask_inputs",
            "mask_text",
            "mask_urls",
            "honour_classes",
            "pseudonymise_ids",
        ):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise UxlensError(
                    f"Privacy({name}=...) must be True or False, got {value!r}. "
                    f"Fix: Privacy({name}={bool(value)})."
                )
        patterns = self.patterns
        if isinstance(patterns, (str, re.Pattern)):
            patterns = (patterns,)
        patterns = tuple(patterns)
        object.__setattr__(self, "patterns", patterns)
        object.__setattr__(self, "_compiled", tuple(_compile(p) for p in patterns))

    # ------------------------------------------------------------------ presets
    @classmethod
    def default(cls) -> Privacy:
        """The default policy: everything masked, no custom pattern.

        Examples
        --------
        >>> Privacy.default() == Privacy()
        True
        >>> Privacy.default().text("write to ann@example.com")
        'write to ***************'
        """
        return cls()

    @classmethod
    def none(cls) -> Privacy:
        """The explicit opt-out: nothing is masked (recorded values kept).

        Examples
        --------
        >>> Privacy.none().text("ann@example.com")
        'ann@example.com'
        """
        return cls(
            mask_inputs=False,
            mask_text=False,
            mask_urls=False,
            honour_classes=False,
            pseudonymise_ids=False,
        )

    @classmethod
    def coerce(cls, mask: Any, *, name: str = "mask") -> Privacy:
        """A policy from a reader's ``mask=`` argument.

        ``True``/``"default"`` give :meth:`default`, ``False``/``"none"`` give
        :meth:`none`, a :class:`Privacy` is returned as is.

        Examples
        --------
        >>> Privacy.coerce(False) == Privacy.none(), Privacy.coerce(True) == Privacy()
        (True, True)
        """
        if isinstance(mask, Privacy):
            return mask
        if mask is True or mask == "default":
            return cls.default()
        if mask is False or mask == "none":
            return cls.none()
        raise UxlensError(
            f"{name} must be True, False or a uxlens.Privacy policy, got {mask!r}. "
            f"Fix: {name}=True (mask by default), {name}=False (keep recorded values) or "
            f"{name}=ux.Privacy(patterns=(r'EMP-\\d{{6}}',))."
        )

    # ------------------------------------------------------------------ queries
    @property
    def masks_text(self) -> bool:
        """Whether :meth:`text` can change anything (built-in or custom patterns).

        Examples
        --------
        >>> Privacy().masks_text, Privacy(mask_text=False).masks_text
        (True, False)
        >>> Privacy(mask_text=False, patterns=(r"EMP-\\d+",)).masks_text
        True
        """
        return self.mask_text or bool(self._compiled)

    @property
    def is_none(self) -> bool:
        """Whether this policy masks nothing at all.

        Examples
        --------
        >>> Privacy.none().is_none, Privacy.default().is_none
        (True, False)
        """
        return not (
            self.mask_inputs
            or self.masks_text
            or self.mask_urls
            or self.honour_classes
            or self.pseudonymise_ids
        )

    # ------------------------------------------------------------------ maskers
    def text(self, s: Any) -> Any:
        """Mask PII patterns (if ``mask_text``) and the custom ``patterns`` in ``s``.

        Non-strings are returned unchanged; the length is kept.

        Examples
        --------
        >>> p = Privacy()
        >>> p.text("call +33 6 12 34 56 78 or ann@example.com")
        'call ***************** or ***************'
        >>> p.text(42)
        42
        """
        if not isinstance(s, str) or not s:
            return s
        if self.mask_text:
            s = mask_text(s)
        for pattern in self._compiled:
            s = pattern.sub(_stars, s)
        return s

    def input(self, s: Any) -> Any:
        """Mask a typed value: :func:`mask_input` if ``mask_inputs``, else :meth:`text`.

        Examples
        --------
        >>> Privacy().input("ann@example.com")
        '***@*******.***'
        >>> Privacy(mask_inputs=False).input("ann@example.com")
        '***************'
        >>> Privacy.none().input("ann@example.com")
        'ann@example.com'
        """
        return mask_input(s) if self.mask_inputs else self.text(s)

    def url(self, s: Any) -> Any:
        """Mask a URL: sensitive query values (if ``mask_urls``) and :meth:`text` patterns.

        Examples
        --------
        >>> Privacy().url("https://app.test/reset?email=ann@example.com&step=2")
        'https://app.test/reset?email=***@*******.***&step=2'
        """
        if not isinstance(s, str) or not s:
            return s
        if not (self.mask_urls or self.masks_text):
            return s
        return mask_url(s, text=self.text, query_keys=self.mask_urls)

    def frame(
        self,
        df: pd.DataFrame,
        columns: Iterable[str] | Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """A copy of ``df`` with text columns masked (each distinct value once).

        Parameters
        ----------
        df
            Any DataFrame, e.g. ``log.events`` or a table about to be exported.
        columns
            Which columns to mask and how: a mapping ``{column: "text" | "input"
            | "url"}``, or a list of columns masked as ``"text"``. Default:
            ``url``/``request_url``/``referrer`` as URLs, ``value`` as input,
            every other string column as text. Missing columns are ignored.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"url": ["/u?email=a@b.co"], "value": ["Ann"],
        ...                    "target_text": ["Mail ann@example.com"], "n": [3]})
        >>> Privacy().frame(df).values.tolist()
        [['/u?email=*@*.**', '***', 'Mail ***************', 3]]
        """
        import pandas as pd

        from .io.table import map_distinct

        if columns is None:
            kinds = {}
            for col in df.columns:
                dtype = df[col].dtype
                if not (
                    pd.api.types.is_object_dtype(dtype)
                    or pd.api.types.is_string_dtype(dtype)
                    or isinstance(dtype, pd.CategoricalDtype)
                ):
                    continue
                if col in _URL_COLUMNS:
                    kinds[col] = "url"
                elif col in _INPUT_COLUMNS:
                    kinds[col] = "input"
                elif col not in _ID_COLUMNS:
                    kinds[col] = "text"
        elif isinstance(columns, Mapping):
            kinds = dict(columns)
        else:
            kinds = {c: "text" for c in columns}
        fns = {"text": self.text, "input": self.input, "url": self.url}
        out = df.copy()
        for col, kind in kinds.items():
            if kind not in fns:
                raise UxlensError(
                    f"Privacy.frame(columns=...) maps {col!r} to {kind!r}; expected one of "
                    "'text', 'input', 'url'."
                )
            if col not in out.columns:
                continue
            fn = fns[kind]
            mapped = map_distinct(out[col], lambda v, fn=fn: fn(v) if isinstance(v, str) else v)
            if isinstance(out[col].dtype, pd.CategoricalDtype):
                mapped = mapped.astype("category")
            elif pd.api.types.is_string_dtype(out[col].dtype) and not pd.api.types.is_object_dtype(
                out[col].dtype
            ):
                mapped = mapped.astype(out[col].dtype)
            out[col] = mapped
        return out

    def describe(self) -> str:
        """One line for speaker notes and reports: what this policy masks.

        Examples
        --------
        >>> Privacy(mask_urls=False, honour_classes=False, pseudonymise_ids=False,
        ...         patterns=(r"x\\d+",)).describe()
        'inputs masked; emails, phones, cards, IBANs masked; 1 custom pattern'
        """
        if self.is_none:
            return "nothing masked (privacy explicitly turned off)"
        parts = [
            "inputs masked" if self.mask_inputs else "inputs NOT masked",
            "emails, phones, cards, IBANs masked"
            if self.mask_text
            else "emails, phones, cards, IBANs NOT masked",
        ]
        n = len(self._compiled)
        if n:
            parts.append(f"{n} custom pattern{'s' if n > 1 else ''}")
        if self.mask_urls:
            parts.append("sensitive URL query values masked")
        if self.honour_classes:
            parts.append("rr-mask/rr-block/data-private honoured")
        if self.pseudonymise_ids:
            parts.append("ids with PII pseudonymised")
        return "; ".join(parts)


_URL_COLUMNS = frozenset({"url", "request_url", "referrer", "href"})
_INPUT_COLUMNS = frozenset({"value"})
# Structural columns: names and ids, not free text.
_ID_COLUMNS = frozenset(
    {"session_id", "user_id", "event", "target", "device", "source", "level", "method", "window_id"}
)


def output_policy(mask: Any = True, log: Any = None, *, name: str = "mask") -> Privacy:
    """The policy an output (replay, still, table, deck, report) applies again.

    An explicit :class:`Privacy` or ``False`` (the opt-out) is used as given.
    ``True`` / ``None`` means the policy the log was read with
    (``log.meta["privacy"]``, custom ``patterns`` included), or the default
    policy when the log was read without masking: outputs mask by default
    even then, unless the output itself opts out.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> read = Privacy(patterns=(r"EMP-\\d{6}",))
    >>> log = SimpleNamespace(meta={"privacy": read})
    >>> output_policy(True, log) is read
    True
    >>> unmasked = SimpleNamespace(meta={"privacy": Privacy.none()})
    >>> output_policy(True, unmasked) == Privacy(), output_policy(False, log).is_none
    (True, True)
    """
    if mask is True or mask is None or mask == "default":
        meta = getattr(log, "meta", None)
        read = meta.get("privacy") if isinstance(meta, Mapping) else None
        if isinstance(read, Privacy) and not read.is_none:
            return read
        return Privacy.default()
    return Privacy.coerce(mask, name=name)


def resolve(mask: Any, *, name: str = "mask") -> Privacy:
    """The :class:`Privacy` for a reader's ``mask=`` (``True``/``False``/``Privacy``)."""
    return Privacy.coerce(mask, name=name)
