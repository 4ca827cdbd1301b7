"""read_posthog on hand-built exports (tests/data/posthog, see its README) with hand-worked values."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uxlens.exceptions import SchemaError, UxlensError
from uxlens.io.posthog import (
    chain_selector,
    element_selector,
    parse_elements_chain,
    read_posthog,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "posthog"
SQL, FLAT, BATCH, API = (
    DATA / n for n in ("events_sql.csv", "events_flat.csv", "events_batch.jsonl", "events_api.json")
)
S1 = "01902a6b-1c2d-7e3f-8a9b-0c1d2e3f4a01"
S2 = "01902a6b-1c2d-7e3f-8a9b-0c1d2e3f4a02"
S3 = "01902a6b-1c2d-7e3f-8a9b-0c1d2e3f4a03"
S10 = "01902a6b-1c2d-7e3f-8a9b-0c1d2e3f4b10"
ANON = "01902a6b-0000-7000-8000-00000000a001"
UTC = "UTC"


def anon(value: str) -> str:
    return "anon-" + hashlib.blake2b(value.encode(), digest_size=8).hexdigest()


def by_uuid(log):
    return log.events.set_index("uuid")


def nullable(series):
    return [None if pd.isna(v) else v for v in series]


# ----------------------------------------------------------------------------- SQL-editor CSV
def test_sql_csv_counts_and_rejected_rows():
    log = read_posthog(SQL)
    assert log.counts == {"read": 19, "loaded": 14, "rejected": 5}
    rej = log.rejected
    assert list(rej["position"]) == [11, 12, 13, 17, 18]
    reasons = list(rej["reason"])
    assert reasons[0].startswith("unparseable properties JSON")
    assert reasons[1:] == [
        "missing event name",
        "missing timestamp",
        "duplicate event",
        "unparseable timestamp",
    ]
    assert set(rej["source"]) == {"events_sql.csv"}
    assert "'uuid': 'e11'" in rej["excerpt"].iloc[0]


def test_sql_csv_sessions_and_identity_unmasked():
    log = read_posthog(SQL, mask=False)
    ev = log.events
    assert ev.groupby("session_id").size().to_dict() == {
        S1: 8,
        S2: 2,
        S3: 1,
        "user-77-1": 2,
        "user-77-2": 1,
    }
    ids = by_uuid(log)
    # The anonymous id was named in $identify, so the whole session is Ann's.
    assert set(ids.loc[["e00", "e01", "e02", "e03", "e07"], "user_id"]) == {"ann@example.com"}
    assert list(ids.loc[["e00", "e01", "e02"], "distinct_id"]) == [ANON, ANON, "ann@example.com"]
    assert log.meta["user_id_from"] == "distinct_id"
    assert log.meta["sessionised"] == {
        "rows": 3,
        "sessions": 2,
        "gap": "30min",
        "by": "distinct_id",
    }
    assert any("folded into identified users" in n for n in log.meta["notes"])
    assert list(ev.loc[ev["session_id"] == S1, "event"]) == [
        "$pageview",
        "$autocapture",
        "$identify",
        "$autocapture",
        "$rageclick",
        "$autocapture",
        "invite_sent",
        "$pageleave",
    ]


def test_sql_csv_canonical_columns():
    ids = by_uuid(read_posthog(SQL, mask=False))
    assert ids.loc["e08", "timestamp"] == pd.Timestamp("2024-05-20 12:00:00", tz=UTC)  # +02:00
    assert ids.loc["e01", "timestamp"] == pd.Timestamp("2024-05-22 09:00:05", tz=UTC)
    assert ids.loc["e00", "url"] == "https://app.example.com/signup"
    assert ids.loc["e00", "query"] == "utm_source=newsletter&email=ann%40example.com"
    assert ids.loc["e03", "url"] == "https://app.example.com/onboarding/invite"  # no fragment
    assert ids.loc["e00", "pathname"] == "/signup"
    assert (ids.loc["e00", "viewport_w"], ids.loc["e00", "viewport_h"]) == (390, 844)
    assert (ids.loc["e00", "browser"], ids.loc["e00", "os"], ids.loc["e00", "window_id"]) == (
        "Mobile Safari",
        "iOS",
        "w-1",
    )
    # device: per session, filled for events that lack $device_type (e04..e07)
    assert set(ids.loc[["e00", "e04", "e07"], "device"]) == {"mobile"}
    assert ids.loc["e08", "device"] == "desktop" and pd.isna(ids.loc["e14", "device"])
    # source: utm_source beats $referring_domain; $direct -> direct; session-level
    assert set(ids.loc[["e00", "e03", "e07"], "source"]) == {"newsletter"}
    assert ids.loc["e09", "source"] == "www.google.com"
    assert ids.loc["e10", "source"] == "direct"
    assert pd.isna(ids.loc["e14", "source"])
    # is_returning: an earlier event of the same user inside the export
    returning = ids["is_returning"].to_dict()
    assert [returning[u] for u in ("e00", "e08", "e10", "e14", "e15", "e16")] == [
        False,
        False,
        True,
        False,
        False,
        True,
    ]
    assert nullable(ids.loc[["e01", "e03", "e05", "e00"], "autocapture_type"]) == [
        "click",
        "click",
        "submit",
        None,
    ]
    assert str(ids["event"].dtype) == "category"


def test_targets_from_elements_chain():
    ids = by_uuid(read_posthog(SQL, mask=False))
    assert nullable(ids.loc[["e01", "e03", "e04", "e05", "e09", "e00"], "target"]) == [
        # path like the rrweb reader's: from body, or from the nearest element with an id;
        # CSS-escaped classes; :nth-of-type(k) for elements after a same-tag sibling
        "button:nth-of-type(2) > span.md\\:w-1\\/2.text-sm",
        "button#send-invites.btn.btn-primary",
        "button#send-invites.btn.btn-primary",
        "body > form.invite-form",
        "body > nav > a.nav-link:nth-of-type(3)",
        None,
    ]
    assert nullable(ids.loc[["e01", "e03", "e05", "e09"], "target_text"]) == [
        'Say "hi"; then go',
        "Send invites",
        None,
        "Invite ann@example.com",
    ]


def test_masked_by_default():
    log = read_posthog(SQL, properties=["note"])
    ids = by_uuid(log)
    ann = anon("ann@example.com")
    assert set(ids.loc[["e00", "e02", "e07"], "user_id"]) == {ann}
    assert ids.loc["e02", "distinct_id"] == ann
    assert ids.loc["e00", "distinct_id"] == ANON  # a random uuid is not personal data
    assert ids.loc["e09", "target_text"] == "Invite " + "*" * len("ann@example.com")
    assert ids.loc["e00", "query"] == "utm_source=newsletter&email=***%*********.***"
    assert ids.loc["e06", "note"] == "cc " + "*" * len("bob@example.org")
    assert ids.loc["e08", "user_id"] == "user-42"
    assert log.meta["mask"]["distinct_id"].endswith("ids pseudonymised")
    assert not log.events["user_id"].astype(str).str.contains("@").any()


def test_requested_properties_all_and_raw():
    ids = by_uuid(read_posthog(SQL, properties=["plan", "count", "$pathname"], mask=False))
    assert ids.loc["e06", "plan"] == "pro" and ids.loc["e14", "plan"] == "pro"
    assert ids.loc["e06", "count"] == 3
    everything = read_posthog(SQL, properties="all", raw_properties=True, mask=False)
    cols = set(everything.events.columns)
    assert {"plan", "count", "note", "utm_source", "referring_domain", "anon_distinct_id"} <= cols
    # keys that clash with canonical names keep their '$': none here, but the raw JSON is kept
    raw = by_uuid(everything).loc["e06", "properties"]
    assert json.loads(raw) == {
        "$session_id": S1,
        "plan": "pro",
        "count": 3,
        "note": "cc bob@example.org",
    }
    with pytest.raises(UxlensError, match=r"Did you mean properties=\['plan'\]"):
        read_posthog(SQL, properties="plan")


def test_event_map_with_autocapture_types():
    ids = by_uuid(
        read_posthog(SQL, event_map={"$autocapture:click": "click", "$pageview": "pageview"})
    )
    assert list(ids.loc[["e01", "e03", "e05", "e00", "e04"], "event"]) == [
        "click",
        "click",
        "$autocapture",
        "pageview",
        "$rageclick",
    ]
    ids = by_uuid(read_posthog(SQL, event_map={"$autocapture": "click"}))
    assert list(ids.loc[["e01", "e05"], "event"]) == ["click", "click"]


def test_without_session_gap_events_lacking_session_are_rejected():
    log = read_posthog(SQL, session_gap=None)
    assert log.counts == {"read": 19, "loaded": 11, "rejected": 8}
    missing = log.rejected[log.rejected["reason"] == "missing session_id"]
    assert list(missing["position"]) == [14, 15, 16]


# ----------------------------------------------------------------------------- other shapes
def test_flattened_csv_with_star_prefixes():
    log = read_posthog(FLAT)
    ids = by_uuid(log)
    assert log.counts == {"read": 4, "loaded": 4, "rejected": 0}
    assert log.meta["properties_layout"] == "flattened"
    assert ids.loc["f1", "timestamp"] == pd.Timestamp("2024-06-01 10:00:04.5", tz=UTC)
    assert list(ids.loc[["f0", "f1", "f2"], "session_id"]) == ["s-flat-1"] * 3
    assert ids.loc["f3", "session_id"] == "user-9-1"
    assert ids.loc["f0", "url"] == "https://shop.example.com/cart"
    assert ids.loc["f0", "query"] == "coupon=SPRING"
    assert (ids.loc["f0", "device"], ids.loc["f0", "viewport_w"], ids.loc["f0", "source"]) == (
        "tablet",
        820,
        "duckduckgo.com",
    )
    # no elements_chain: target unknown, text from $el_text
    assert pd.isna(ids.loc["f1", "target"]) and ids.loc["f1", "target_text"] == "Checkout"
    assert ids.loc["f2", "target"] == "input#card.field"
    assert ids.loc["f2", "autocapture_type"] == "change"
    assert "plan" not in log.events.columns
    assert by_uuid(read_posthog(FLAT, properties=["plan"])).loc["f0", "plan"] == "team"


def test_batch_export_jsonl():
    log = read_posthog(BATCH)
    assert log.counts == {"read": 5, "loaded": 3, "rejected": 2}
    assert list(log.rejected["position"]) == [2, 3]
    assert log.rejected["reason"].iloc[0].startswith("invalid JSON (line 3)")
    assert log.rejected["reason"].iloc[1] == "record is not a JSON object (got list)"
    ids = by_uuid(log)
    # person_id wins; b5 has none but its distinct_id belongs to person-A
    assert list(ids["user_id"]) == ["person-A"] * 3
    assert log.meta["user_id_from"] == "person_id"
    assert ids.loc["b1", "distinct_id"] == anon("dana@corp.example")
    assert set(ids["source"]) == {"www.linkedin.com"}  # session entry referrer first
    assert ids.loc["b1", "target"] == "button#send.btn"  # from the $elements_chain property
    assert ids.loc["b1", "target_text"] == "Send"
    assert ids.loc["b1", "timestamp"] == pd.Timestamp("2024-05-22 09:00:03.25", tz=UTC)
    assert set(ids["device"]) == {"tablet"}
    plain = by_uuid(read_posthog(BATCH, prefer_person_id=False, mask=False))
    assert list(plain["user_id"]) == ["device-77f1", "dana@corp.example", "device-77f1"]


def test_api_page_with_elements_list():
    ids = by_uuid(read_posthog(API))
    assert list(ids.index) == ["a0", "a1"]  # 'id' becomes uuid
    assert ids.loc["a0", "target"] == "button#save-settings.btn.save"
    assert ids.loc["a0", "target_text"] == "Save"
    assert pd.isna(ids.loc["a1", "target"])
    assert ids.loc["a0", "timestamp"] == pd.Timestamp("2024-04-02 15:30:00.123", tz=UTC)


def test_dataframe_and_list_inputs_match_file():
    frame = pd.read_csv(SQL, dtype=str, keep_default_na=False)
    a = read_posthog(SQL).events
    b = read_posthog(frame.replace("", None)).events
    pd.testing.assert_frame_equal(a, b)


# ----------------------------------------------------------------------------- time zones
def _naive_export(tmp_path, stamps):
    path = tmp_path / "naive.jsonl"
    rows = [
        {
            "event": "$pageview",
            "distinct_id": "u1",
            "timestamp": t,
            "properties": {"$session_id": "s1"},
        }
        for t in stamps
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_naive_timestamps_need_tz_or_assume_utc(tmp_path):
    path = _naive_export(tmp_path, ["2024-05-22 09:00:00.000000", "2024-05-22 09:00:05.000000"])
    with pytest.raises(SchemaError) as err:
        read_posthog(path)
    msg = str(err.value)
    assert "read_posthog" in msg and "tz='Europe/Paris'" in msg and "assume_utc=True" in msg
    paris = read_posthog(path, tz="Europe/Paris").events["timestamp"]
    assert paris.iloc[0] == pd.Timestamp("2024-05-22 07:00:00", tz=UTC)  # CEST
    utc = read_posthog(path, assume_utc=True).events["timestamp"]
    assert utc.iloc[1] == pd.Timestamp("2024-05-22 09:00:05", tz=UTC)


def test_naive_row_among_zoned_rows_is_rejected(tmp_path):
    path = _naive_export(
        tmp_path, ["2024-05-22T09:00:00Z", "2024-05-22 09:00:05", "2024-05-22T09:00:09+00:00"]
    )
    log = read_posthog(path)
    assert log.counts == {"read": 3, "loaded": 2, "rejected": 1}
    assert log.rejected.iloc[0][["position", "reason"]].tolist() == [
        1,
        "naive timestamp mixed with zoned timestamps",
    ]


def test_not_a_posthog_export(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("session,evnt,time\ns1,click,2024-01-01T00:00:00Z\n")
    with pytest.raises(SchemaError) as err:
        read_posthog(path)
    msg = str(err.value)
    assert "does not look like a PostHog events export" in msg
    assert "'event' is missing. Did you mean 'evnt'?" in msg and "read_events" in msg


def test_is_returning_property_wins_when_present():
    rows = [
        {
            "event": "$pageview",
            "distinct_id": "u1",
            "timestamp": "2024-01-01T10:00:00Z",
            "properties": {"$session_id": "s1", "$is_returning": True},
        },
        {
            "event": "$pageview",
            "distinct_id": "u2",
            "timestamp": "2024-01-01T10:00:00Z",
            "properties": {"$session_id": "s2"},
        },
    ]
    assert list(read_posthog(rows).events["is_returning"]) == [True, False]


# ----------------------------------------------------------------------------- elements_chain
def test_parse_elements_chain_details():
    chain = (
        'span.md:w-1/2.text-sm:attr__class="text-sm md:w-1/2"attr__data-ph="x;y"'
        'nth-child="1"nth-of-type="1"text="Say \\"hi\\"; then go";button:nth-child="4"nth-of-type="2"'
    )
    first, second = parse_elements_chain(chain)
    assert first == {
        "tag": "span",
        "classes": ["md:w-1/2", "text-sm"],
        "id": None,
        "text": 'Say "hi"; then go',
        "href": None,
        "nth_child": 1,
        "nth_of_type": 1,
        "attributes": {"attr__class": "text-sm md:w-1/2", "attr__data-ph": "x;y"},
    }
    assert second["tag"] == "button" and second["nth_child"] == 4
    assert parse_elements_chain("") == [] and parse_elements_chain(None) == []
    link = parse_elements_chain('a:href="/team?x=1"nth-child="1"nth-of-type="1"')[0]
    assert link["href"] == "/team?x=1" and element_selector(link) == "a"


# Names that need no CSS escaping (escaping is checked by hand above).
_name = st.from_regex(r"[a-z][a-z0-9_-]{0,7}", fullmatch=True)
# PostHog escapes quotes but not backslashes, so a backslash before a quote is
# ambiguous in its own format; texts here leave backslashes out.
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\\"),
    max_size=20,
)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["a", "button", "div", "input", "svg"]),
    st.lists(_name, max_size=3),
    st.one_of(st.none(), _name),
    st.one_of(st.none(), _text),
)
def test_elements_chain_round_trip(tag, classes, el_id, text):
    # Serialise like PostHog (sorted classes and keys, quotes escaped), then parse back.
    attrs = {"nth-child": "1", "nth-of-type": "1"}
    if el_id:
        attrs["attr_id"] = el_id
        attrs["attr__id"] = el_id
    if text:
        attrs["text"] = text
    element = (
        tag
        + "".join("." + c for c in sorted(classes))
        + ":"
        + "".join(
            f'{k}="{v.replace(chr(34), chr(92) + chr(34))}"' for k, v in sorted(attrs.items())
        )
    )
    chain = element + ';body:nth-child="2"nth-of-type="1"'
    parsed = parse_elements_chain(chain)
    assert len(parsed) == 2 and parsed[1]["tag"] == "body"
    first = parsed[0]
    assert first["tag"] == tag
    assert first["classes"] == sorted(classes)
    assert first["id"] == (el_id or None)
    assert first["text"] == (text or None)
    want = tag + (f"#{el_id}" if el_id else "") + "".join("." + c for c in sorted(classes))
    assert element_selector(first) == want
    assert chain_selector(parsed) == (want if el_id else "body > " + want)


# ----------------------------------------------------------------------------- fuzz
_value = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.integers(-3, 3),
    st.booleans(),
    st.sampled_from(
        [
            "$pageview",
            "$autocapture",
            "2024-05-22T09:00:00Z",
            "2024-05-22 09:00",
            "{",
            "[]",
            '{"$session_id": "s"}',
            'button:text="x',
            "$direct",
        ]
    ),
)
_props = st.one_of(
    _value,
    st.dictionaries(
        st.sampled_from(
            [
                "$session_id",
                "$current_url",
                "$device_type",
                "$viewport_width",
                "$el_text",
                "$elements_chain",
                "$anon_distinct_id",
                "utm_source",
                "$is_returning",
                "$event_type",
            ]
        ),
        _value,
        max_size=5,
    ),
)
_record = st.fixed_dictionaries(
    {"event": _value, "timestamp": _value},
    optional={
        "distinct_id": _value,
        "person_id": _value,
        "properties": _props,
        "elements_chain": _value,
        "uuid": _value,
    },
)


@settings(max_examples=120, deadline=None)
@given(st.lists(_record, min_size=1, max_size=10), st.booleans())
def test_fuzz_only_uxlens_errors_and_counts_add_up(records, mask):
    try:
        log = read_posthog(records, mask=mask)
    except UxlensError:
        return
    c = log.counts
    assert c["read"] == len(records) and c["loaded"] + c["rejected"] == c["read"]
    assert c["loaded"] == len(log.events)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_record, min_size=1, max_size=10), st.booleans())
def test_fuzz_only_uxlens_errors_and_counts_add_up_10k(records, mask):
    test_fuzz_only_uxlens_errors_and_counts_add_up.hypothesis.inner_test(records, mask)
