"""Read a PostHog events export into the canonical events schema.

PostHog exports events in several shapes; :func:`read_posthog` reads them all:

- **JSON lines** (batch exports to S3/GCS, ``.jsonl``/``.ndjson``, optionally
  ``.gz``): one event per line with ``uuid, event, distinct_id, timestamp,
  properties`` (an object), ``elements_chain``, often ``person_id``.
- **JSON** arrays of events, or an API page ``{"results": [...]}`` whose events
  carry ``elements`` (a list of element objects) instead of ``elements_chain``.
- **CSV** from the SQL editor (``properties`` as a JSON string in one column),
  or from the activity/events table, where properties are flattened into
  ``properties.$current_url``-style columns (a leading ``*.`` in the header, as
  in ``*.properties.$browser``, is ignored). Both shapes can be mixed.
- A pandas DataFrame with the same columns (a HogQL query result).

How PostHog fields become canonical columns
-------------------------------------------
============================  =================================================
canonical / kept column       PostHog field
============================  =================================================
``event``                     ``event``, verbatim (``$pageview``,
                              ``$autocapture``, ``$rageclick``, custom names)
                              unless ``event_map`` renames it
``timestamp``                 ``timestamp`` (ISO 8601; zoned, or see ``tz``)
``user_id``                   ``person_id`` when present (PostHog's merged
                              person; rows without one borrow it from rows
                              with the same ``distinct_id``), else
                              ``distinct_id``; anonymous ids
                              named in ``$identify`` events'
                              ``$anon_distinct_id`` are folded into the
                              identified id
``session_id``                ``$session_id``; events without one are split
                              per ``distinct_id`` after ``session_gap`` of
                              inactivity (ids ``<distinct_id>-<n>``, reported
                              in ``meta["sessionised"]``)
``url`` / ``query``           ``$current_url`` (fragment dropped, query split)
``device``                    ``$device_type`` lower-cased
                              (``desktop``/``mobile``/``tablet``); events
                              without it take their session's device
``viewport_w``/``viewport_h`` ``$viewport_width``/``$viewport_height``
``source``                    session-level: the first of
                              ``$session_entry_utm_source``, ``utm_source``,
                              ``$session_entry_referring_domain``,
                              ``$referring_domain``,
                              ``$initial_referring_domain`` found on the
                              session's earliest event that has one;
                              ``$direct`` becomes ``direct``
``is_returning``              ``$is_returning`` if present, else whether the
                              user has an event before this session's start
                              *within the export* (users first seen before
                              the export window count as new)
``target``                    selector path of the acted-on element (first of
                              ``elements_chain``), like the rrweb reader's:
                              ``body > form.invite > button.btn`` from
                              ``body`` or from the nearest ancestor with an id
                              (``button#send.btn`` when the element has one)
``target_text``               that element's text, else ``$el_text``; masked
``autocapture_type``          ``$event_type`` (``click``, ``change``,
                              ``submit``) of ``$autocapture`` events
``pathname``, ``browser``,    ``$pathname``, ``$browser``, ``$os``,
``os``, ``window_id``         ``$window_id``
``distinct_id``, ``uuid``     as exported
============================  =================================================

``$autocapture`` keeps its name, because it covers clicks, changes and
submits; to treat its clicks as ``click`` events pass
``event_map={"$autocapture:click": "click"}`` (a ``name:type`` key matches
``$autocapture`` events of that ``$event_type``), or
``event_map={"$autocapture": "click"}`` to rename all of them. PostHog events
carry no click coordinates, so ``x``/``y`` are absent. Other top-level export
columns (``team_id``, ``created_at``, ``person_properties``...) are not kept;
event properties beyond the defaults are kept on request (``properties=``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import numpy as np
import orjson
import pandas as pd

from ..eventlog import EventLog
from ..exceptions import SchemaError, UxlensError, did_you_mean
from ..privacy import Privacy
from .dom import _css_escape  # one CSS escaping for every reader's selectors
from .table import (
    CANONICAL_COLUMNS,
    build_log,
    ids_to_str,
    load_source,
    map_distinct,
    mask_urls,
    mask_values,
    normalise_device,
    pseudonymise_ids,
)

__all__ = [
    "read_posthog",
    "parse_elements_chain",
    "element_selector",
    "chain_selector",
    "DEFAULT_PROPERTIES",
]

#: Properties kept as columns by default: PostHog key -> column name.
DEFAULT_PROPERTIES: dict[str, str] = {
    "$pathname": "pathname",
    "$browser": "browser",
    "$os": "os",
    "$window_id": "window_id",
    "$event_type": "autocapture_type",
}
#: Where the session's traffic source comes from, in order of preference.
SOURCE_PROPERTIES = (
    "$session_entry_utm_source",
    "utm_source",
    "$session_entry_referring_domain",
    "$referring_domain",
    "$initial_referring_domain",
)
_USED = (
    "$session_id",
    "$current_url",
    "$device_type",
    "$viewport_width",
    "$viewport_height",
    "$el_text",
    "$elements_chain",
    "$is_returning",
    "$anon_distinct_id",
    *SOURCE_PROPERTIES,
    *DEFAULT_PROPERTIES,
)
#: Properties copied as they are into a canonical column (never duplicated as a property).
_COPIED = (
    "$session_id",
    "$current_url",
    "$device_type",
    "$viewport_width",
    "$viewport_height",
    "$elements_chain",
)
_READER = "read_posthog"

# An element string ends its tag/classes part at the first ':' that starts a key="value".
_ATTRS_START = re.compile(r':(?=[A-Za-z0-9_\-]*=")')
_ATTR = re.compile(r'([A-Za-z0-9_\-:$.]+)="((?:\\.|[^"\\])*)"')
_ELEMENT = re.compile(r'(?:[^;"]|"(?:\\.|[^"\\])*")+')


# --------------------------------------------------------------------------- elements
def parse_elements_chain(chain: str | None) -> list[dict[str, Any]]:
    """Parse PostHog's ``elements_chain`` into element dicts, the acted-on element first.

    The chain lists elements from the target up to ``<body>``, separated by
    ``;``; each is ``tag.class1.class2:key="value"key="value"...`` with keys
    such as ``text``, ``href``, ``attr_id``, ``nth-child``, ``nth-of-type``
    and ``attr__<html attribute>``. Quotes inside values are escaped as ``\\"``.

    Examples
    --------
    >>> chain = ('button.btn.primary:attr__id="send"attr_id="send"nth-child="2"'
    ...          'nth-of-type="1"text="Send";form.invite:nth-child="1"nth-of-type="1"')
    >>> first = parse_elements_chain(chain)[0]
    >>> first["tag"], first["classes"], first["id"], first["text"], first["nth_child"]
    ('button', ['btn', 'primary'], 'send', 'Send', 2)
    """
    if not isinstance(chain, str) or not chain.strip():
        return []
    return [
        _parse_element(m.group(0).strip()) for m in _ELEMENT.finditer(chain) if m.group(0).strip()
    ]


def _parse_element(text: str) -> dict[str, Any]:
    split = _ATTRS_START.search(text)
    head, attrs_text = (text[: split.start()], text[split.end() :]) if split else (text, "")
    tag, _, classes = head.partition(".")
    tag, _, tag_id = tag.partition("#")  # not PostHog's format, but seen in hand-made chains
    attributes = {k: v.replace('\\"', '"') for k, v in _ATTR.findall(attrs_text)}
    element: dict[str, Any] = {
        "tag": tag or None,
        "classes": [c for c in classes.split(".") if c],
        "id": attributes.pop("attr_id", None) or attributes.get("attr__id") or tag_id or None,
        "text": attributes.pop("text", None),
        "href": attributes.pop("href", None),
        "nth_child": _int_or_none(attributes.pop("nth-child", None)),
        "nth_of_type": _int_or_none(attributes.pop("nth-of-type", None)),
        "attributes": attributes,
    }
    return element


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def element_selector(element: Mapping[str, Any] | None) -> str | None:
    """One selector segment for an element: ``tag#id.class1.class2``.

    Identifiers are CSS-escaped as in the rrweb reader (``md:w-1/2`` ->
    ``md\\:w-1\\/2``); an element without an id that is not the first of its
    tag among its siblings gets ``:nth-of-type(k)``.

    Examples
    --------
    >>> element_selector({"tag": "button", "id": "send", "classes": ["btn", "primary"]})
    'button#send.btn.primary'
    >>> element_selector({"tag": "li", "classes": ["item"], "nth_of_type": 3})
    'li.item:nth-of-type(3)'
    """
    if not element:
        return None
    tag = str(element.get("tag") or "*").lower()
    out = tag
    if element.get("id"):
        out += "#" + _css_escape(str(element["id"]))
    out += "".join("." + _css_escape(str(c)) for c in element.get("classes") or [])
    k = element.get("nth_of_type")
    if not element.get("id") and isinstance(k, int) and k > 1 and tag not in ("html", "body"):
        out += f":nth-of-type({k})"
    return out


def chain_selector(elements: Sequence[Mapping[str, Any]]) -> str | None:
    """The selector path of the acted-on element, built like the rrweb reader's.

    Segments (:func:`element_selector`) are joined by ``" > "`` from ``body``
    down to the element (``html`` omitted), starting instead at the nearest
    ancestor with an id, as in ``uxlens.io.dom``. The chain only tells an
    element's position among same-tag siblings, so ``:nth-of-type`` is added
    when it is above 1 (the rrweb reader adds it only when siblings are
    ambiguous): paths agree across readers for elements with ids and for
    first-of-type elements.

    Examples
    --------
    >>> chain = ('span.label:nth-child="1"nth-of-type="1"text="Go";'
    ...          'button.cta:nth-child="2"nth-of-type="2";div:attr_id="app"nth-child="1"'
    ...          'nth-of-type="1";body:nth-child="2"nth-of-type="1"')
    >>> chain_selector(parse_elements_chain(chain))
    'div#app > button.cta:nth-of-type(2) > span.label'
    """
    segments: list[str] = []
    for element in elements:
        tag = str(element.get("tag") or "*").lower()
        if tag == "html":
            break
        segments.append(element_selector(element) or "*")
        if element.get("id"):
            break
    return " > ".join(reversed(segments)) or None


def _elements_from_api(elements: Any) -> list[dict[str, Any]] | None:
    """An API event's ``elements`` list as parsed elements, the acted-on one (order 0) first."""
    if not isinstance(elements, list):
        return None
    items = [e for e in elements if isinstance(e, dict)]
    if not items:
        return None
    items.sort(key=lambda e: e.get("order") if isinstance(e.get("order"), int) else 1 << 30)
    out = []
    for item in items:
        classes = item.get("attr_class") or []
        if isinstance(classes, str):
            classes = classes.split()
        out.append(
            {
                "tag": item.get("tag_name"),
                "classes": sorted(str(c) for c in classes),
                "id": item.get("attr_id") or (item.get("attributes") or {}).get("attr__id"),
                "text": item.get("text"),
                "nth_of_type": item.get("nth_of_type"),
            }
        )
    return out


# --------------------------------------------------------------------------- properties
def _parse_properties(values: pd.Series) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Properties per row (dicts) and the rows whose properties are not a JSON object."""
    parsed: list[dict[str, Any]] = []
    bad: dict[int, str] = {}
    empty: dict[str, Any] = {}
    for i, value in enumerate(values.astype(object).tolist()):
        if isinstance(value, dict):
            parsed.append(value)
            continue
        if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
            parsed.append(empty)
            continue
        try:
            obj = orjson.loads(value) if isinstance(value, (str, bytes)) else value
        except orjson.JSONDecodeError as exc:
            bad[i] = f"unparseable properties JSON: {exc}"
            parsed.append(empty)
            continue
        if not isinstance(obj, dict):
            bad[i] = f"properties is not a JSON object (got {type(obj).__name__})"
            parsed.append(empty)
            continue
        parsed.append(obj)
    return parsed, bad


def _column_name(key: str, taken: set[str]) -> str:
    name = key[1:] if key.startswith("$") else key
    return key if (name in CANONICAL_COLUMNS or name in taken) else name


def _normalise_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the ``*.`` prefix of HogQL ``*`` exports; merge columns that then collide."""
    merged: dict[str, pd.Series] = {}
    for col in frame.columns:
        name = str(col)
        name = name[2:] if name.startswith("*.") else name
        if name == "id" and "uuid" not in frame.columns:
            name = "uuid"
        series = frame[col]
        merged[name] = (
            series if name not in merged else merged[name].where(merged[name].notna(), series)
        )
    return pd.DataFrame(merged, index=frame.index)


# --------------------------------------------------------------------------- reader
def read_posthog(
    source: Any,
    *,
    mask: bool | Privacy = True,
    properties: Sequence[str] | str | None = None,
    raw_properties: bool = False,
    session_gap: str | timedelta | None = "30min",
    tz: Any = None,
    assume_utc: bool = False,
    event_map: Mapping[str, str] | None = None,
    prefer_person_id: bool = True,
    source_name: str | None = None,
    drop_duplicates: bool = True,
) -> EventLog:
    """Read a PostHog events export (CSV, JSON lines, JSON, DataFrame).

    See the module documentation for the export shapes and for how each
    PostHog field maps to a canonical column.

    Parameters
    ----------
    source
        Path to ``.csv``, ``.jsonl``/``.ndjson``, ``.json`` (optionally
        ``.gz``), or a DataFrame / list of event dicts.
    mask
        Privacy (on by default): PII patterns in ``target_text`` and kept text
        properties are masked (:func:`uxlens.privacy.mask_text`), URLs lose
        sensitive query values (:func:`uxlens.privacy.mask_url`), and
        ``distinct_id``/``person_id`` values that are personal data (emails)
        become a stable ``anon-<hash>``, so users stay distinct. ``False``
        keeps values as they are (``Privacy.none()``); a
        :class:`uxlens.privacy.Privacy` chooses what is masked and adds custom
        regexes. The policy used is stored in ``log.meta["privacy"]``.
    properties
        Extra property keys to keep as columns besides
        :data:`DEFAULT_PROPERTIES`, e.g. ``["plan", "$lib"]``; ``"all"`` keeps
        every property except those copied verbatim into a canonical column
        (``$session_id``, ``$current_url``, ``$device_type``, viewport size,
        ``$elements_chain``). Columns are named by the key without its leading
        ``$`` (``$lib`` -> ``lib``) unless that clashes with a canonical or
        existing column, in which case the key is used verbatim.
    raw_properties
        Also keep the whole properties object as JSON text in ``properties``.
    session_gap
        Inactivity after which events without ``$session_id`` start a new
        session (per ``distinct_id``); ``None`` rejects such events instead.
    tz, assume_utc
        How to read naive timestamps (see :func:`uxlens.io.table.read_events`);
        PostHog normally exports zoned ISO 8601, which needs neither.
    event_map
        Rename events: ``{"$pageview": "pageview"}``; a key
        ``"$autocapture:click"`` matches autocapture events of that
        ``$event_type`` only.
    prefer_person_id
        Use ``person_id`` (PostHog's merged person) as ``user_id`` when the
        export has it; ``False`` always uses ``distinct_id``.
    source_name
        Name for the ``source`` column of rejected rows (default: file name).
    drop_duplicates
        Reject exact duplicate events after the first.

    Returns
    -------
    EventLog
        Canonical events; rows with unparseable ``properties``, no event name
        or no usable timestamp are in ``rejected`` (``position`` = 0-based
        record index), and ``loaded + rejected == read`` (records in the file).

    Raises
    ------
    SchemaError
        The source lacks ``event`` or ``timestamp``, or has no way to tell
        users or sessions apart; naive timestamps without ``tz``/``assume_utc``.

    Examples
    --------
    >>> events = [
    ...     {"event": "$pageview", "distinct_id": "u1", "timestamp": "2024-05-22T17:09:29Z",
    ...      "properties": {"$session_id": "s1", "$current_url": "https://a.com/signup?x=1",
    ...                     "$device_type": "Mobile", "$referring_domain": "$direct"}},
    ...     {"event": "$autocapture", "distinct_id": "u1", "timestamp": "2024-05-22T17:09:31Z",
    ...      "elements_chain": 'button.cta:attr_id="go"nth-child="1"nth-of-type="1"text="Go"',
    ...      "properties": {"$session_id": "s1", "$event_type": "click"}}]
    >>> log = read_posthog(events, event_map={"$autocapture:click": "click"})
    >>> ev = log.events
    >>> ev.loc[1, ["event", "target", "target_text", "device", "autocapture_type"]].tolist()
    ['click', 'button#go.cta', 'Go', 'mobile', 'click']
    >>> ev["url"].iloc[0], ev["query"].iloc[0], ev["source"].iloc[1]
    ('https://a.com/signup', 'x=1', 'direct')
    """
    loaded = load_source(source, reader=_READER, string_columns=True)
    if source_name is not None:
        loaded.name = str(source_name)
    raw = _normalise_headers(loaded.frame)
    if len(raw.columns) == 0 and loaded.bad:
        raw = pd.DataFrame(
            {c: pd.Series([], dtype=object) for c in ("event", "timestamp", "distinct_id")}
        )
    _check_export(raw)
    n = len(raw)

    # ---- properties: a JSON column, flattened "properties.<key>" columns, or both
    wanted = list(dict.fromkeys([*_USED, *_requested(properties)]))
    flat_cols = {c[len("properties.") :]: c for c in raw.columns if c.startswith("properties.")}
    if "properties" in raw.columns:
        parsed, bad = _parse_properties(raw["properties"])
    else:
        parsed, bad = [{}] * n, {}
    if properties == "all":
        keys: dict[str, None] = {}
        for p in parsed:
            keys.update(dict.fromkeys(p))
        wanted = list(dict.fromkeys([*wanted, *keys, *flat_cols]))
    props = pd.DataFrame({k: [p.get(k) for p in parsed] for k in wanted}, index=raw.index)
    for key, col in flat_cols.items():
        if key in props.columns:
            props[key] = props[key].where(props[key].notna(), raw[col])
        elif properties == "all":
            props[key] = raw[col]
    layout = "json" if "properties" in raw.columns else "none"
    if flat_cols:
        layout = "flattened" if layout == "none" else "json+flattened"

    frame = pd.DataFrame(index=raw.index)
    frame["event"] = raw["event"]
    frame["timestamp"] = raw["timestamp"]

    # ---- identity
    privacy = Privacy.coerce(mask)
    meta: dict[str, Any] = {
        "reader": _READER,
        "source": loaded.name,
        "properties_layout": layout,
        "session_gap": str(session_gap) if session_gap is not None else None,
        "event_map": dict(event_map or {}),
        "tz": str(tz) if tz is not None else None,
        "assume_utc": assume_utc,
        "notes": [],
        "warnings": [],
    }
    distinct = (
        ids_to_str(raw["distinct_id"])
        if "distinct_id" in raw.columns
        else pd.Series(None, index=raw.index, dtype=object)
    )
    person = ids_to_str(raw["person_id"]) if "person_id" in raw.columns else None
    anon = ids_to_str(props["$anon_distinct_id"])
    masked: dict[str, str] = {}
    if privacy.pseudonymise_ids:
        distinct, n_d = pseudonymise_ids(distinct)
        anon, _ = pseudonymise_ids(anon)
        if person is not None:
            person, _ = pseudonymise_ids(person)
        if n_d:
            masked["distinct_id"] = f"{n_d} ids pseudonymised"
    aliases = _identify_aliases(frame["event"], distinct, anon)
    user = map_distinct(distinct, lambda d: aliases.get(d, d)) if aliases else distinct
    if prefer_person_id and person is not None and person.notna().any():
        # Rows exported without person_id borrow it from rows with the same distinct_id.
        known = pd.DataFrame({"d": distinct, "p": person}).dropna().drop_duplicates("d")
        person = person.where(person.notna(), distinct.map(dict(zip(known["d"], known["p"]))))
        user = person.where(person.notna(), user)
        meta["user_id_from"] = "person_id"
    else:
        meta["user_id_from"] = "distinct_id"
    if aliases:
        meta["notes"].append(
            f"{len(aliases)} anonymous distinct_id(s) folded into identified users via $identify."
        )
    frame["user_id"] = user
    frame["distinct_id"] = distinct
    session = props["$session_id"]
    for col in ("$session_id", "session_id"):
        if col in raw.columns:
            session = session.where(session.notna(), raw[col])
    frame["session_id"] = ids_to_str(session)

    # ---- page, device, source
    for key, col in (
        ("$current_url", "url"),
        ("$viewport_width", "viewport_w"),
        ("$viewport_height", "viewport_h"),
    ):
        if props[key].notna().any():
            frame[col] = props[key]
    if props["$device_type"].notna().any():
        frame["device"] = normalise_device(props["$device_type"])
    raw_source = pd.Series(None, index=raw.index, dtype=object)
    for key in SOURCE_PROPERTIES:
        if not props[key].notna().any():
            continue  # would only swap one missing value for another (both end as None)
        value = props[key].where(props[key].astype(str).str.strip() != "")
        raw_source = raw_source.where(raw_source.notna(), value)
    raw_source = map_distinct(raw_source, lambda s: "direct" if s == "$direct" else s)

    # ---- element acted on
    chains = (
        raw["elements_chain"]
        if "elements_chain" in raw.columns
        else pd.Series(None, index=raw.index, dtype=object)
    )
    chains = chains.where(chains.notna() & (chains.astype(str) != ""), props["$elements_chain"])
    target, text = _chain_targets(chains)
    if "elements" in raw.columns:
        api = raw["elements"].map(_elements_from_api)
        has = api.notna() & target.isna()
        target[has] = api[has].map(chain_selector)
        text[has] = api[has].map(lambda els: els[0].get("text"))
    if target.notna().any() or props["$el_text"].notna().any():
        frame["target"] = target
        frame["target_text"] = text.where(text.notna(), props["$el_text"])

    # ---- kept properties
    taken = set(frame.columns) | {"source", "is_returning"}
    kept: list[str] = []
    requested = set(_requested(properties))
    for key in wanted:
        internal = key in _USED and key not in DEFAULT_PROPERTIES
        if internal and key not in requested and (properties != "all" or key in _COPIED):
            continue
        name = DEFAULT_PROPERTIES.get(key) or _column_name(key, taken)
        if name in taken or not props[key].notna().any():
            continue
        frame[name] = props[key]
        taken.add(name)
        kept.append(name)
    if "uuid" in raw.columns:
        frame["uuid"] = raw["uuid"]
    if raw_properties:
        frame["properties"] = [orjson.dumps(p).decode() if p else None for p in parsed]

    # ---- event renames
    if event_map:
        frame["event"] = _apply_event_map(frame["event"], frame.get("autocapture_type"), event_map)

    # ---- privacy
    meta["privacy"] = privacy
    if not privacy.is_none:
        if "url" in frame.columns and (privacy.mask_urls or privacy.masks_text):
            frame["url"] = mask_urls(frame["url"], privacy.url)
            masked["url"] = "sensitive query values and pii patterns"
        if "target_text" in frame.columns and privacy.masks_text:
            frame["target_text"] = mask_values(frame["target_text"], privacy.text)
            masked["target_text"] = "pii patterns"
        for name in [
            *(k for k in kept if k not in DEFAULT_PROPERTIES.values()),
            "pathname",
            *(["properties"] if raw_properties else []),
        ]:
            if (
                privacy.masks_text
                and name in frame.columns
                and not pd.api.types.is_numeric_dtype(frame[name].dtype)
            ):
                frame[name] = mask_values(frame[name], privacy.text)
                masked[name] = "pii patterns"
        meta["mask"] = masked

    source_col = raw_source
    returning_col = _to_bool(props["$is_returning"])

    def prepare(clean: pd.DataFrame) -> pd.DataFrame:
        rows = clean["_row"].to_numpy()
        if "device" in clean.columns:  # one device per session: fill events that lack it
            device = clean["device"].astype(object)
            if device.isna().any():
                clean["device"] = device.where(
                    device.notna(), _session_first(clean, device.to_numpy())
                )
            else:
                clean["device"] = device
        sources = source_col.to_numpy()[rows]
        if pd.notna(sources).any():  # (an all-missing source column is not added)
            session_source = _session_first(clean, sources)
            if session_source.notna().any():
                clean["source"] = session_source
        given = pd.Series(returning_col.to_numpy()[rows], index=clean.index, dtype="boolean")
        clean["is_returning"] = given.where(given.notna(), _returning(clean)) if (
            given.isna().any()) else given
        return clean.drop(columns="_row")

    frame["_row"] = np.arange(n)
    log = build_log(
        loaded,
        frame,
        reader=_READER,
        tz=tz,
        assume_utc=assume_utc,
        session_gap=session_gap,
        sessionize_by="distinct_id",
        drop_duplicates=drop_duplicates,
        extra_bad=bad,
        prepare=prepare,
        meta=meta,
    )
    return log


def _check_export(raw: pd.DataFrame) -> None:
    cols = list(raw.columns)
    missing = [c for c in ("event", "timestamp") if c not in cols]
    if not any(
        c in cols for c in ("distinct_id", "person_id", "properties", "$session_id", "session_id")
    ) and not any(c.startswith("properties.") for c in cols):
        missing.append("distinct_id")
    if not missing:
        return
    hints = "".join(f"\n  - {c!r} is missing.{did_you_mean(c, cols)}" for c in missing)
    raise SchemaError(
        f"{_READER}: this does not look like a PostHog events export:{hints}\n"
        f"Found columns: {cols[:30]}{' ...' if len(cols) > 30 else ''}.\nExpected at least "
        "event, timestamp, distinct_id and properties (a JSON object, or flattened "
        "'properties.$current_url'-style columns). For another tool's clickstream use "
        "ux.read_events(..., columns={...})."
    )


def _requested(properties: Sequence[str] | str | None) -> list[str]:
    if properties is None or properties == "all":
        return []
    if isinstance(properties, str):
        raise UxlensError(
            f"{_READER}: properties must be a list of property keys or 'all'; got "
            f"{properties!r}. Did you mean properties=[{properties!r}]?"
        )
    return [str(p) for p in properties]


def _chain_targets(chains: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Selector path and text of the acted-on element of each chain (each chain parsed once)."""
    raw = chains.astype(object)
    parsed: dict[str, tuple[str | None, str | None]] = {}
    for chain in pd.unique(raw[raw.notna()]):
        elements = parse_elements_chain(chain) if isinstance(chain, str) else []
        parsed[chain] = (
            (chain_selector(elements), elements[0]["text"]) if elements else (None, None)
        )
    target = map_distinct(raw, lambda c: parsed.get(c, (None, None))[0])
    text = map_distinct(raw, lambda c: parsed.get(c, (None, None))[1])
    return target, text


def _identify_aliases(events: pd.Series, distinct: pd.Series, anon: pd.Series) -> dict[str, str]:
    """anonymous distinct_id -> identified distinct_id, from ``$identify`` events."""
    rows = (events.astype(object) == "$identify") & anon.notna() & distinct.notna()
    pairs = zip(anon[rows], distinct[rows])
    return {a: d for a, d in pairs if a != d}


def _apply_event_map(
    events: pd.Series, autocapture_type: pd.Series | None, event_map: Mapping[str, str]
) -> pd.Series:
    out = events.astype(object)
    typed = {
        k: v for k, v in event_map.items() if ":" in k and k.split(":", 1)[0] in set(out.dropna())
    }
    if typed and autocapture_type is not None:
        key = out + ":" + autocapture_type.astype(object).fillna("")
        hit = key.isin(list(typed))
        out = out.where(~hit, key.map(typed))
    plain = {k: v for k, v in event_map.items() if k not in typed}
    return map_distinct(out, lambda v: plain.get(v, v) if isinstance(v, str) else v)


def _to_bool(values: pd.Series) -> pd.Series:
    words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def one(v: Any) -> Any:
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, float)) and v == v:
            return bool(v)
        return words.get(str(v).strip().lower()) if isinstance(v, str) else None

    return values.map(one).astype("boolean")


#: Below this many rows, per-session lookups use NumPy on small arrays (pandas' groupby
#: costs more in fixed overhead than in work); above, the grouped pandas version.
_SMALL = 50_000


def _small_times(clean: pd.DataFrame) -> np.ndarray | None:
    """The rows' times as int64 ns when the NumPy versions apply (few rows, no NaT)."""
    if len(clean) >= _SMALL or not isinstance(clean["timestamp"].dtype, pd.DatetimeTZDtype):
        return None
    ticks = clean["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    return None if (ticks == np.iinfo(np.int64).min).any() else ticks


def _session_first(clean: pd.DataFrame, values: np.ndarray) -> pd.Series:
    """Per session, the value on its earliest event that has one (ties: input order)."""
    ticks = _small_times(clean)
    if ticks is not None:
        sessions = clean["session_id"]
        codes = pd.factorize(sessions)[0]
        held = pd.Series(values)  # the dtype pandas infers for the values, as below
        rows = np.flatnonzero(held.notna().to_numpy() & (codes >= 0))
        rows = rows[np.lexsort((rows, ticks[rows], codes[rows]))]  # by session, time, order
        firsts = rows[np.r_[True, codes[rows][1:] != codes[rows][:-1]]] if len(rows) else rows
        first = pd.Series(held.iloc[firsts].to_numpy(), index=sessions.iloc[firsts].to_numpy(),
                          dtype=held.dtype)
        return sessions.map(first)
    work = pd.DataFrame(
        {"s": clean["session_id"], "t": clean["timestamp"], "v": values, "o": np.arange(len(clean))}
    ).sort_values(["s", "t", "o"], kind="stable")
    first = work.dropna(subset=["v"]).groupby("s", sort=False)["v"].first()
    return clean["session_id"].map(first)


def _returning(clean: pd.DataFrame) -> pd.Series:
    """True when the user has an event before this session started (within the export)."""
    ticks = _small_times(clean)
    if ticks is not None:
        sessions, users = pd.factorize(clean["session_id"])[0], pd.factorize(clean["user_id"])[0]
        start, first_seen = _group_min(sessions, ticks), _group_min(users, ticks)
        known = (sessions >= 0) & (users >= 0)  # a missing id has no group (NaT: not before)
        return pd.Series(known & (first_seen < start), index=clean.index,
                         name="timestamp").astype("boolean")  # (named as the groupby gives)
    start = clean.groupby("session_id")["timestamp"].transform("min")
    first_seen = clean.groupby("user_id")["timestamp"].transform("min")
    return (first_seen < start).astype("boolean")


def _group_min(codes: np.ndarray, ticks: np.ndarray) -> np.ndarray:
    """Each row's group minimum of ``ticks`` (groups by ``codes``; -1 rows get any value)."""
    ok = codes >= 0
    low = np.full(int(codes.max(initial=-1)) + 1, np.iinfo(np.int64).max)
    np.minimum.at(low, codes[ok], ticks[ok])
    return np.where(ok, low[np.where(ok, codes, 0)] if len(low) else 0, 0)
