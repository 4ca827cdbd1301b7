"""Write the hand-built PostHog export fixtures next to this file.

Run ``python tests/data/posthog/make_fixtures.py`` after editing the rows
below; the committed files are its output. The shapes follow PostHog's
exports (see README.md here); the expected canonical values are worked out by
hand in tests/io/test_posthog.py.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

S1 = "01902a6b-1c2d-7e3f-8a9b-0c1d2e3f4a01"
S2 = "01902a6b-1c2d-7e3f-8a9b-0c1d2e3f4a02"
S3 = "01902a6b-1c2d-7e3f-8a9b-0c1d2e3f4a03"
S10 = "01902a6b-1c2d-7e3f-8a9b-0c1d2e3f4b10"
ANON = "01902a6b-0000-7000-8000-00000000a001"
ANN = "ann@example.com"

SEND = (
    'button.btn.btn-primary:attr__class="btn btn-primary"attr__id="send-invites"'
    'attr__type="submit"attr_id="send-invites"nth-child="2"nth-of-type="1"text="Send invites";'
    'form.invite-form:attr__class="invite-form"nth-child="1"nth-of-type="1";'
    'div.container:attr__class="container"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"'
)
LINK = (
    'a.nav-link:attr__class="nav-link"attr__href="/team"href="/team"nth-child="3"nth-of-type="3"'
    'text="Invite ann@example.com";nav:nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"'
)
TAILWIND = (
    'span.md:w-1/2.text-sm:attr__class="text-sm md:w-1/2"nth-child="1"nth-of-type="1"'
    'text="Say \\"hi\\"; then go";button:nth-child="4"nth-of-type="2"'
)
FORM = 'form.invite-form:attr__class="invite-form"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"'

SIGNUP = "https://app.example.com/signup?utm_source=newsletter&email=ann%40example.com"
INVITE = "https://app.example.com/onboarding/invite#step-3"
MOBILE = {
    "$device_type": "Mobile",
    "$viewport_width": 390,
    "$viewport_height": 844,
    "$browser": "Mobile Safari",
    "$os": "iOS",
    "$window_id": "w-1",
}
DESKTOP = {
    "$device_type": "Desktop",
    "$viewport_width": 1440,
    "$viewport_height": 900,
    "$browser": "Chrome",
    "$os": "Mac OS X",
}

# (uuid, event, properties (dict or raw text), timestamp, distinct_id, elements_chain)
SQL_ROWS = [
    (
        "e00",
        "$pageview",
        {
            "$session_id": S1,
            "$current_url": SIGNUP,
            "$pathname": "/signup",
            "utm_source": "newsletter",
            "$referring_domain": "$direct",
            **MOBILE,
        },
        "2024-05-22T09:00:00.000Z",
        ANON,
        "",
    ),
    (
        "e01",
        "$autocapture",
        {
            "$session_id": S1,
            "$current_url": SIGNUP,
            "$event_type": "click",
            "$el_text": 'Say "hi"; then go',
            **MOBILE,
        },
        "2024-05-22T09:00:05.000Z",
        ANON,
        TAILWIND,
    ),
    (
        "e02",
        "$identify",
        {"$session_id": S1, "$anon_distinct_id": ANON, **MOBILE},
        "2024-05-22T09:00:20.000Z",
        ANN,
        "",
    ),
    (
        "e03",
        "$autocapture",
        {
            "$session_id": S1,
            "$current_url": INVITE,
            "$event_type": "click",
            "$pathname": "/onboarding/invite",
            **MOBILE,
        },
        "2024-05-22T09:01:00.000Z",
        ANN,
        SEND,
    ),
    (
        "e04",
        "$rageclick",
        {"$session_id": S1, "$current_url": INVITE},
        "2024-05-22T09:01:02.000Z",
        ANN,
        SEND,
    ),
    (
        "e05",
        "$autocapture",
        {"$session_id": S1, "$current_url": INVITE, "$event_type": "submit"},
        "2024-05-22T09:01:03.000Z",
        ANN,
        FORM,
    ),
    (
        "e06",
        "invite_sent",
        {"$session_id": S1, "plan": "pro", "count": 3, "note": "cc bob@example.org"},
        "2024-05-22T09:01:04.000Z",
        ANN,
        "",
    ),
    (
        "e07",
        "$pageleave",
        {"$session_id": S1, "$current_url": INVITE},
        "2024-05-22T09:02:00.000Z",
        ANN,
        "",
    ),
    (
        "e08",
        "$pageview",
        {
            "$session_id": S2,
            "$current_url": "https://app.example.com/",
            "$referring_domain": "www.google.com",
            **DESKTOP,
        },
        "2024-05-20T14:00:00+02:00",
        "user-42",
        "",
    ),
    (
        "e09",
        "$autocapture",
        {
            "$session_id": S2,
            "$current_url": "https://app.example.com/",
            "$event_type": "click",
            **DESKTOP,
        },
        "2024-05-20T12:00:10.000Z",
        "user-42",
        LINK,
    ),
    (
        "e10",
        "$pageview",
        {
            "$session_id": S3,
            "$current_url": "https://app.example.com/pricing",
            "$referring_domain": "$direct",
            **DESKTOP,
        },
        "2024-05-22T08:00:00.000Z",
        "user-42",
        "",
    ),
    (
        "e11",
        "$pageview",
        '{"$session_id": "' + S3 + '", "$current_url": "https://app.exa',
        "2024-05-22T08:00:10.000Z",
        "user-42",
        "",
    ),
    ("e12", "", {"$session_id": S3}, "2024-05-22T08:00:30.000Z", "user-42", ""),
    ("e13", "$pageview", {"$session_id": S3}, "", "user-42", ""),
    ("e14", "subscription_renewed", {"plan": "pro"}, "2024-05-22T10:00:00.000Z", "user-77", ""),
    ("e15", "invoice_paid", {}, "2024-05-22T10:10:00.000Z", "user-77", ""),
    ("e16", "invoice_paid", {}, "2024-05-22T11:00:00.000Z", "user-77", ""),
    (
        "e09",
        "$autocapture",
        {
            "$session_id": S2,
            "$current_url": "https://app.example.com/",
            "$event_type": "click",
            **DESKTOP,
        },
        "2024-05-20T12:00:10.000Z",
        "user-42",
        LINK,
    ),
    ("e18", "$pageview", {"$session_id": S3}, "yesterday", "user-42", ""),
]


def write_sql_csv() -> None:
    """SQL-editor export: properties as one JSON text column."""
    with open(HERE / "events_sql.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["uuid", "event", "properties", "timestamp", "distinct_id", "elements_chain"]
        )
        for uuid, event, props, ts, distinct, chain in SQL_ROWS:
            text = props if isinstance(props, str) else json.dumps(props)
            writer.writerow([uuid, event, text, ts, distinct, chain])


FLAT_HEADER = [
    "*.uuid",
    "*.event",
    "*.distinct_id",
    "*.timestamp",
    "*.properties.$session_id",
    "*.properties.$current_url",
    "*.properties.$device_type",
    "*.properties.$viewport_width",
    "*.properties.$viewport_height",
    "*.properties.$browser",
    "*.properties.$referring_domain",
    "*.properties.$event_type",
    "*.properties.$el_text",
    "*.properties.plan",
    "*.elements_chain",
]
FLAT_ROWS = [
    [
        "f0",
        "$pageview",
        "user-9",
        "2024-06-01T10:00:00.000000+00:00",
        "s-flat-1",
        "https://shop.example.com/cart?coupon=SPRING",
        "Tablet",
        "820",
        "1180",
        "Safari",
        "duckduckgo.com",
        "",
        "",
        "team",
        "",
    ],
    [
        "f1",
        "$autocapture",
        "user-9",
        "2024-06-01T10:00:04.500000+00:00",
        "s-flat-1",
        "https://shop.example.com/cart?coupon=SPRING",
        "Tablet",
        "820",
        "1180",
        "Safari",
        "duckduckgo.com",
        "click",
        "Checkout",
        "team",
        "",
    ],
    [
        "f2",
        "$autocapture",
        "user-9",
        "2024-06-01T10:00:09.000000+00:00",
        "s-flat-1",
        "https://shop.example.com/checkout",
        "Tablet",
        "820",
        "1180",
        "Safari",
        "duckduckgo.com",
        "change",
        "",
        "team",
        'input.field:attr__id="card"attr__name="card"attr_id="card"nth-child="1"nth-of-type="1"',
    ],
    [
        "f3",
        "checkout_started",
        "user-9",
        "2024-06-01T10:00:12.000000+00:00",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
]


def write_flat_csv() -> None:
    """Activity-table export: properties flattened into '*.properties.<key>' columns."""
    with open(HERE / "events_flat.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FLAT_HEADER)
        writer.writerows(FLAT_ROWS)


BATCH_LINES = [
    {
        "uuid": "b0",
        "event": "$pageview",
        "distinct_id": "device-77f1",
        "person_id": "person-A",
        "team_id": 2,
        "timestamp": "2024-05-22T09:00:00.000000Z",
        "created_at": "2024-05-22T09:00:01.000000Z",
        "elements_chain": "",
        "properties": {
            "$session_id": S10,
            "$current_url": "https://app.example.com/onboarding/invite",
            "$device_type": "Tablet",
            "$viewport_width": 820,
            "$viewport_height": 1180,
            "$session_entry_referring_domain": "www.linkedin.com",
            "$referring_domain": "app.example.com",
            "$lib": "web",
        },
    },
    {
        "uuid": "b1",
        "event": "$autocapture",
        "distinct_id": "dana@corp.example",
        "person_id": "person-A",
        "team_id": 2,
        "timestamp": "2024-05-22T09:00:03.250000Z",
        "created_at": "2024-05-22T09:00:04.000000Z",
        "elements_chain": "",
        "properties": {
            "$session_id": S10,
            "$event_type": "click",
            "$lib": "web",
            "$current_url": "https://app.example.com/onboarding/invite",
            "$elements_chain": 'button.btn:attr__disabled=""attr_id="send"nth-child="1"nth-of-type="1"text="Send"',
        },
    },
    '{"uuid": "b2", "event": "$pageview", "distinct_id": "device-77f1", "timestamp": "2024-05-22T09:0',
    "",
    [1, 2],
    {
        "uuid": "b5",
        "event": "$pageleave",
        "distinct_id": "device-77f1",
        "person_id": None,
        "team_id": 2,
        "timestamp": "2024-05-22T09:05:00.000000Z",
        "created_at": "2024-05-22T09:05:00.000000Z",
        "elements_chain": None,
        "properties": {"$session_id": S10, "$lib": "web"},
    },
]


def write_batch_jsonl() -> None:
    """S3/GCS batch export: JSON lines (one truncated line, one blank, one non-object)."""
    with open(HERE / "events_batch.jsonl", "w", encoding="utf-8") as fh:
        for line in BATCH_LINES:
            fh.write((line if isinstance(line, str) else json.dumps(line)) + "\n")


API_PAGE = {
    "next": None,
    "results": [
        {
            "id": "a0",
            "distinct_id": "user-5",
            "event": "$autocapture",
            "timestamp": "2024-04-02T15:30:00.123000+00:00",
            "properties": {
                "$session_id": "s-api",
                "$event_type": "click",
                "$current_url": "https://app.example.com/settings",
                "$device_type": "Desktop",
            },
            "elements": [
                {
                    "order": 1,
                    "tag_name": "div",
                    "attr_class": ["row"],
                    "text": None,
                    "attr_id": None,
                },
                {
                    "order": 0,
                    "tag_name": "button",
                    "attr_class": ["save", "btn"],
                    "text": "Save",
                    "attr_id": "save-settings",
                    "nth_child": 2,
                    "nth_of_type": 1,
                },
            ],
        },
        {
            "id": "a1",
            "distinct_id": "user-5",
            "event": "settings_saved",
            "timestamp": "2024-04-02T15:30:01.000000+00:00",
            "properties": {"$session_id": "s-api"},
            "elements": [],
        },
    ],
}


def write_api_json() -> None:
    """API page (/api/projects/:id/events): events with an 'elements' list."""
    (HERE / "events_api.json").write_text(json.dumps(API_PAGE, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_sql_csv()
    write_flat_csv()
    write_batch_jsonl()
    write_api_json()
