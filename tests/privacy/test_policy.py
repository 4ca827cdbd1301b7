"""The Privacy policy object and the readers that accept it (mask=True|False|Privacy)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from uxlens.exceptions import UxlensError
from uxlens.io.posthog import read_posthog
from uxlens.io.rrweb import read_rrweb
from uxlens.io.table import read_events
from uxlens.privacy import Privacy

T0 = 1_700_000_000_000
EMP = r"EMP-\d{6}"


# ---------------------------------------------------------------- the object
def test_presets_and_coercion():
    assert Privacy.default() == Privacy()
    assert Privacy.coerce(True) == Privacy()
    assert Privacy.coerce(False) == Privacy.none()
    assert Privacy.coerce("none") == Privacy.none()
    custom = Privacy(patterns=(EMP,))
    assert Privacy.coerce(custom) is custom
    assert Privacy.none().is_none and not Privacy().is_none
    assert not Privacy(
        mask_inputs=False,
        mask_text=False,
        mask_urls=False,
        honour_classes=False,
        pseudonymise_ids=False,
        patterns=EMP,
    ).is_none


def test_policy_is_frozen_and_hashable():
    p = Privacy(patterns=(EMP,))
    with pytest.raises(AttributeError):
        p.mask_text = False  # type: ignore[misc]
    assert hash(p) == hash(Privacy(patterns=(EMP,)))
    assert p != Privacy()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"patterns": ("EMP-(",)}, "invalid regular expression"),
        ({"patterns": (r"\d*",)}, "matches the empty string"),
        ({"patterns": (3,)}, "expects regular expressions"),
        ({"patterns": (re.compile(b"x"),)}, "bytes pattern"),
        ({"mask_text": "yes"}, "must be True or False"),
    ],
)
def test_bad_policies_raise_uxlens_errors(kwargs, fragment):
    with pytest.raises(UxlensError, match=fragment):
        Privacy(**kwargs)


def test_bad_mask_argument_names_the_choices():
    with pytest.raises(UxlensError, match="True, False or a uxlens.Privacy"):
        Privacy.coerce("partial")
    with pytest.raises(UxlensError, match="True, False or a uxlens.Privacy"):
        read_events(
            pd.DataFrame({"session_id": ["s"], "timestamp": [T0], "event": ["e"]}), mask="partial"
        )


def test_text_input_url_methods():
    p = Privacy(patterns=(EMP, re.compile("secret", re.I)))
    assert p.text("EMP-123456 / SeCrEt / ann@example.com") == (
        "********** / ****** / ***************"
    )
    # custom patterns apply even with the built-in detectors off
    only = Privacy(mask_inputs=False, mask_text=False, patterns=(EMP,))
    assert only.text("EMP-123456 ann@example.com") == "********** ann@example.com"
    assert only.input("EMP-123456 ann") == "********** ann"  # inputs not masked: text() applies
    assert p.input("Ann 42!") == "*** **!"
    assert p.url("https://a.com/e/EMP-000042?password=pw&to=ann%40example.com") == (
        "https://a.com/e/**********?password=**&to=***************"
    )
    no_keys = Privacy(mask_urls=False)
    assert (
        no_keys.url("https://a.com/?password=pw&m=a@b.co") == "https://a.com/?password=pw&m=******"
    )
    none = Privacy.none()
    assert none.url("https://a.com/?password=pw&m=a@b.co") == "https://a.com/?password=pw&m=a@b.co"
    assert p.text(None) is None and p.url(None) is None and p.input(5) == 5


def test_frame_masks_by_column_kind_and_keeps_dtypes():
    df = pd.DataFrame(
        {
            "session_id": ["ann@example.com", "s2"],
            "url": pd.Categorical(["/a?token=abc", "/b"]),
            "value": ["Ann", None],
            "message": pd.array(["EMP-123456 failed", "ok"], dtype="string"),
            "n": [1, 2],
        }
    )
    out = Privacy(patterns=(EMP,)).frame(df)
    assert out["session_id"].tolist() == ["ann@example.com", "s2"]  # ids are left to readers
    assert out["url"].tolist() == ["/a?token=***", "/b"]
    assert isinstance(out["url"].dtype, pd.CategoricalDtype)
    assert out["value"].iloc[0] == "***" and pd.isna(out["value"].iloc[1])
    assert out["message"].tolist() == ["********** failed", "ok"]
    assert out["message"].dtype == df["message"].dtype
    assert out["n"].tolist() == [1, 2]
    assert df["value"].iloc[0] == "Ann"  # the input is not modified
    picked = Privacy().frame(df, columns={"session_id": "text", "missing": "url"})
    assert picked["session_id"].tolist() == ["***************", "s2"]
    with pytest.raises(UxlensError, match="expected one of"):
        Privacy().frame(df, columns={"url": "hash"})


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            Privacy(patterns=(EMP,), mask_urls=False, honour_classes=False, pseudonymise_ids=False),
            "inputs masked; emails, phones, cards, IBANs masked; 1 custom pattern",
        ),
        (
            Privacy(mask_inputs=False, patterns=(EMP, "x+")),
            "inputs NOT masked; emails, phones, cards, IBANs masked; 2 custom patterns; "
            "sensitive URL query values masked; rr-mask/rr-block/data-private honoured; "
            "ids with PII pseudonymised",
        ),
        (Privacy.none(), "nothing masked (privacy explicitly turned off)"),
    ],
)
def test_describe(policy, expected):
    assert policy.describe() == expected


# ---------------------------------------------------------------- readers
def _recording(typed="EMP-123456 ann@example.com", console="EMP-654321 at ann@example.com"):
    return [
        {
            "type": 4,
            "timestamp": T0,
            "data": {"href": "https://a.com/u/EMP-111111?token=t1", "width": 1200, "height": 800},
        },
        {
            "type": 2,
            "timestamp": T0,
            "data": {
                "node": {
                    "type": 0,
                    "id": 1,
                    "childNodes": [
                        {
                            "type": 2,
                            "id": 2,
                            "tagName": "body",
                            "attributes": {},
                            "childNodes": [
                                {
                                    "type": 2,
                                    "id": 3,
                                    "tagName": "button",
                                    "attributes": {"id": "b"},
                                    "childNodes": [
                                        {"type": 3, "id": 4, "textContent": "Pay EMP-222222"}
                                    ],
                                },
                                {
                                    "type": 2,
                                    "id": 5,
                                    "tagName": "input",
                                    "attributes": {"id": "i"},
                                    "childNodes": [],
                                },
                            ],
                        }
                    ],
                },
                "initialOffset": {"left": 0, "top": 0},
            },
        },
        {
            "type": 3,
            "timestamp": T0 + 10,
            "data": {"source": 2, "type": 2, "id": 3, "x": 10, "y": 20},
        },
        {
            "type": 3,
            "timestamp": T0 + 20,
            "data": {"source": 5, "id": 5, "text": typed, "isChecked": False},
        },
        {
            "type": 6,
            "timestamp": T0 + 30,
            "data": {
                "plugin": "rrweb/console@1",
                "payload": {"level": "error", "payload": [console]},
            },
        },
        {
            "type": 5,
            "timestamp": T0 + 40,
            "data": {"tag": "invite_sent", "payload": {"note": "EMP-333333"}},
        },
    ]


def _rows(log, event, col):
    return log.events.loc[log.events["event"] == event, col].tolist()


def test_read_rrweb_applies_the_policy_everywhere():
    policy = Privacy(patterns=(EMP,))
    log = read_rrweb(_recording(), session_id="s1", mask=policy)
    assert log.meta["privacy"] is policy
    assert _rows(log, "click", "target_text") == ["Pay **********"]
    assert _rows(log, "input", "value") == ["***-****** ***@*******.***"]
    assert _rows(log, "console", "message") == ["********** at ***************"]
    assert _rows(log, "invite_sent", "note") == ["**********"]
    assert _rows(log, "pageview", "url") == ["https://a.com/u/**********"]
    assert _rows(log, "pageview", "query") == ["token=**"]


def test_read_rrweb_true_false_and_none_policy():
    default = read_rrweb(_recording(), session_id="s1")
    assert default.meta["privacy"] == Privacy() and default.meta["mask"] is True
    assert _rows(default, "click", "target_text") == ["Pay EMP-222222"]
    assert _rows(default, "console", "message") == ["EMP-654321 at ***************"]
    off = read_rrweb(_recording(), session_id="s1", mask=False)
    assert off.meta["privacy"] == Privacy.none() and off.meta["mask"] is False
    assert _rows(off, "input", "value") == ["EMP-123456 ann@example.com"]
    assert _rows(off, "console", "message") == ["EMP-654321 at ann@example.com"]
    assert _rows(off, "pageview", "query") == ["token=t1"]
    same = read_rrweb(_recording(), session_id="s1", mask=Privacy.none())
    pd.testing.assert_frame_equal(same.events, off.events)


def test_read_rrweb_inputs_unmasked_but_patterns_masked():
    log = read_rrweb(
        _recording(), session_id="s1", mask=Privacy(mask_inputs=False, patterns=(EMP,))
    )
    assert _rows(log, "input", "value") == ["********** ***************"]


def _table():
    return pd.DataFrame(
        {
            "session_id": ["s1", "s1"],
            "user_id": ["ann@example.com", "ann@example.com"],
            "timestamp": [T0, T0 + 1000],
            "event": ["click", "console"],
            "url": ["/e/EMP-000001?token=abc", "/b"],
            "target_text": ["Send to EMP-000002", None],
            "message": [None, "EMP-000003 failed for bob@example.com"],
        }
    )


def test_read_events_with_a_policy():
    policy = Privacy(patterns=(EMP,))
    log = read_events(_table(), mask=policy)
    assert log.meta["privacy"] is policy
    ev = log.events
    assert ev["target_text"].tolist()[0] == "Send to **********"
    assert ev["message"].tolist()[1] == "********** failed for ***************"
    assert ev["url"].tolist() == ["/e/**********", "/b"]
    assert ev["query"].tolist()[0] == "token=***"
    assert ev["user_id"].iloc[0].startswith("anon-")
    assert log.meta["mask"]["message"] == "pii patterns"


def test_read_events_true_and_false_keep_their_meaning():
    on = read_events(_table())
    assert on.meta["privacy"] == Privacy()
    assert on.events["target_text"].tolist()[0] == "Send to EMP-000002"
    assert on.events["message"].tolist()[1] == "EMP-000003 failed for ***************"
    off = read_events(_table(), mask=False)
    assert off.meta["privacy"] == Privacy.none()
    assert off.events["user_id"].tolist() == ["ann@example.com"] * 2
    assert off.events["message"].tolist()[1] == "EMP-000003 failed for bob@example.com"
    keep_ids = read_events(_table(), mask=Privacy(pseudonymise_ids=False))
    assert keep_ids.events["user_id"].tolist() == ["ann@example.com"] * 2


def test_read_posthog_with_a_policy():
    records = [
        {
            "event": "$autocapture",
            "timestamp": "2024-01-01T00:00:00Z",
            "distinct_id": "ann@example.com",
            "properties": {
                "$session_id": "s1",
                "$current_url": "https://a.com/e/EMP-000001?token=abc",
                "$el_text": "Send EMP-000002",
                "plan": "EMP-000003",
            },
        }
    ]
    policy = Privacy(patterns=(EMP,))
    log = read_posthog(records, mask=policy, properties=["plan"])
    assert log.meta["privacy"] is policy
    ev = log.events
    assert ev["target_text"].tolist() == ["Send **********"]
    assert ev["plan"].tolist() == ["**********"]
    assert ev["url"].tolist() == ["https://a.com/e/**********"]
    assert ev["user_id"].iloc[0].startswith("anon-")
    off = read_posthog(records, mask=False, properties=["plan"])
    assert off.meta["privacy"] == Privacy.none()
    assert off.events["plan"].tolist() == ["EMP-000003"]
    assert off.events["user_id"].tolist() == ["ann@example.com"]
