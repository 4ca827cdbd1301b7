"""The rrweb and PostHog fuzzers again, with custom Privacy policies instead of True/False.

Same properties as tests/io: only UxlensError escapes, ``loaded + rejected == read``;
plus: the policy is recorded and no value matching a custom pattern survives in text
columns.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.io.test_posthog import _record
from tests.io.test_rrweb_fuzz import check as check_rrweb
from tests.io.test_rrweb_fuzz import recording
from uxlens.exceptions import UxlensError
from uxlens.io.posthog import read_posthog
from uxlens.io.rrweb import read_rrweb
from uxlens.privacy import Privacy

_policies = st.builds(
    Privacy,
    mask_inputs=st.booleans(),
    mask_text=st.booleans(),
    patterns=st.sampled_from([(), (r"[aeiou]",), (r"\d+", r"(?i)x")]),
    mask_urls=st.booleans(),
    honour_classes=st.booleans(),
    pseudonymise_ids=st.booleans(),
)
_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


def _no_pattern_left(events, policy, columns):
    for col in columns:
        if col not in events.columns:
            continue
        for value in events[col].dropna().tolist():
            if isinstance(value, str):
                for pattern in policy.patterns:
                    assert re.search(pattern, value) is None, (col, value)


@settings(max_examples=150, **_SETTINGS)
@given(recording(), _policies)
def test_fuzz_read_rrweb_with_policies(events, policy):
    check_rrweb(events, mask=policy)
    try:
        log = read_rrweb(events, mask=policy)
    except UxlensError:
        return
    assert log.meta["privacy"] is policy
    _no_pattern_left(log.events, policy, ["target_text", "message"])


@settings(max_examples=100, **_SETTINGS)
@given(st.lists(_record, min_size=1, max_size=10), _policies)
def test_fuzz_read_posthog_with_policies(records, policy):
    try:
        log = read_posthog(records, mask=policy)
    except UxlensError:
        return
    c = log.counts
    assert c["read"] == len(records) and c["loaded"] + c["rejected"] == c["read"]
    assert log.meta["privacy"] is policy
    _no_pattern_left(log.events, policy, ["target_text"])
