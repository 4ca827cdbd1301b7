"""Readable names and phrases: short element names, page paths, signal labels, reasons."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .params import _ELEMENT_KINDS, SIGNAL_KINDS

__all__ = ["short_selector"]


def short_selector(target: Any) -> Any:
    """A readable element name from a selector path: its last component, ``#id`` if it has one.

    Examples
    --------
    >>> short_selector("html > body > div#app > button#send-invites.primary")
    '#send-invites'
    >>> short_selector("div#app > main > img.decoy:nth-of-type(2)")
    'img.decoy:nth-of-type(2)'
    >>> short_selector(None) is None
    True
    """
    if target is None or (isinstance(target, float) and np.isnan(target)) or target is pd.NA:
        return None
    text = str(target).strip()
    last = text.replace(">", " ").split()[-1] if text else text
    if "#" in last:
        ident = last.split("#", 1)[1]
        for stop in ".[:":
            ident = ident.split(stop, 1)[0]
        return "#" + ident
    return last


def _short_many(values: pd.Series) -> pd.Series:
    obj = values.astype(object)
    uniques = pd.unique(obj[obj.notna()])
    mapping = {u: short_selector(u) for u in uniques}
    return obj.map(mapping).astype(object).where(obj.notna(), None)


def _page(url: Any) -> str:
    if url is None or (isinstance(url, float) and np.isnan(url)) or url is pd.NA:
        return "(no url)"
    text = str(url)
    if "://" in text:
        text = "/" + text.split("://", 1)[1].split("/", 1)[-1] if "/" in text.split("://", 1)[
            1] else "/"
    return text


def _fmt_s(ms: float) -> str:
    return f"{ms / 1000:.1f} s"


_LABELS = {
    "rage_click": ("rage click", "rage clicks"),
    "dead_click": ("dead click", "dead clicks"),
    "error_click": ("error click", "error clicks"),
    "thrashed_cursor": ("thrashed cursor", "thrashed cursors"),
    "excessive_scroll": ("excessive scrolling", "excessive scrolling"),
    "scroll_uturn": ("scroll U-turn", "scroll U-turns"),
    "quick_back": ("quick back", "quick backs"),
    "form_abandonment": ("abandoned form", "abandoned forms"),
    "hesitation": ("long hesitation", "long hesitations"),
    "repeated_edit": ("repeatedly edited field", "repeatedly edited fields"),
}


def _phrases(kind_codes: np.ndarray, n: np.ndarray, where: np.ndarray) -> np.ndarray:
    """:func:`_phrase` for arrays (kind codes index :data:`SIGNAL_KINDS`)."""
    out = np.empty(len(n), dtype=object)
    kinds = np.asarray(SIGNAL_KINDS, dtype=object)[kind_codes]
    for k in np.unique(kinds):
        m = kinds == k
        out[m] = [_phrase(str(k), int(c), str(w)) for c, w in zip(n[m], where[m])] if m.sum(
        ) < 2000 else _phrase_vector(str(k), n[m], where[m])
    return out


def _phrase_vector(kind: str, n: np.ndarray, where: np.ndarray) -> np.ndarray:
    one, many = _LABELS[kind]
    w = pd.Series(where, dtype=object).astype(str)
    ns = pd.Series(n).astype(str)
    times = pd.Series(np.where(n > 1, " (" + ns + "x)", ""), dtype=object)
    label = pd.Series(np.where(n == 1, one, many), dtype=object)
    if kind == "form_abandonment":
        out = "abandoned a form at " + w
    elif kind == "repeated_edit":
        out = "re-edited " + w + pd.Series(np.where(n > 1, " " + ns + " times", ""))
    elif kind in ("thrashed_cursor", "excessive_scroll"):
        out = one + " on " + w + times
    elif kind == "quick_back":
        out = "quick back from " + w + times
    elif kind == "hesitation":
        out = ns + " " + label + " before clicking " + w
    else:
        out = ns + " " + label + " on " + w
    return out.to_numpy(dtype=object)


def _phrase(kind: str, n: int, where: str) -> str:
    one, many = _LABELS[kind]
    if kind == "form_abandonment":
        return f"abandoned a form at {where}"
    if kind == "repeated_edit":
        return f"re-edited {where} {n} times" if n > 1 else f"re-edited {where}"
    if kind in ("thrashed_cursor", "excessive_scroll"):
        return f"{one} on {where}" + (f" ({n}x)" if n > 1 else "")
    if kind == "quick_back":
        return f"quick back from {where}" + (f" ({n}x)" if n > 1 else "")
    if kind == "hesitation":
        return f"{n} {one if n == 1 else many} before clicking {where}"
    return f"{n} {one if n == 1 else many} on {where}"


def _where_codes(sig: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Where each signal happened, coded: its element for element kinds (when known),
    else its page (:func:`_page`). Codes and names; equal names share one code.

    Names are computed once per distinct element and URL, not once per signal.
    """
    ecode, enames = pd.factorize(sig["element"].astype(object), use_na_sentinel=True)
    ucode, unames = pd.factorize(sig["url"].astype(object), use_na_sentinel=True)
    names = np.array([str(e) for e in enames] + [_page(u) for u in unames] + ["(no url)"],
                     dtype=object)
    page = np.where(ucode >= 0, len(enames) + ucode, len(names) - 1)
    use_element = (ecode >= 0) & sig["kind"].isin(_ELEMENT_KINDS).to_numpy()
    code = np.where(use_element, ecode, page)
    canon, distinct = pd.factorize(names)  # an element and a page may read the same
    return canon[code], np.asarray(distinct, dtype=object)
