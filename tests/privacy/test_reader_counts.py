"""Nothing lost: ``loaded + rejected == read`` for read_rrweb on every hostile and shared file.

Expected numbers come from the files themselves: the hostile corpus is a JSON
array of raw events (tests/data/hostile/README.md lists its constructs), the
shared recordings' event counts are in shared/data/rrweb/SOURCES.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests._paths import REPO, shared
from uxlens.io.rrweb import read_rrweb
from uxlens.privacy import Privacy

HOSTILE = REPO / "tests" / "data" / "hostile"

# file -> (read, rejected). read = length of the JSON array (one raw rrweb event each).
HOSTILE_COUNTS = {
    "css_and_urls.json": (8, 0),
    "pii_and_masking.json": (11, 0),
    "scripts_and_handlers.json": (11, 0),
    # 4 malformed events (type as a string, no timestamp, a bare string, a Meta whose
    # width is not a number) + the 1,000,000,000 px resize + the mouse position with a
    # string coordinate (README "robustness.json"); the sanitiser clamps or drops these,
    # the reader rejects them.
    "robustness.json": (14, 6),
}

# SOURCES.md "events:" lines; every event is usable.
SHARED_COUNTS = {
    "posthog_hogflix_demo_2021.json": 62,
    "rrweb_player_demo_demoit.json": 272,
    "rrweb_test_iframe.json": 13,
    "rrweb_test_input.json": 11,
    "rrweb_test_scroll.json": 8,
}


def _check(log, read: int, rejected: int) -> None:
    assert log.counts == {"read": read, "loaded": read - rejected, "rejected": rejected}
    # counts are in raw events (a FullSnapshot loads without a row of its own);
    # replay keeps exactly the loaded raw events
    assert sum(len(r) for r in log.recordings.values()) == read - rejected


def test_the_hostile_corpus_is_all_counted():
    assert sorted(p.name for p in HOSTILE.glob("*.json")) == sorted(HOSTILE_COUNTS)


@pytest.mark.parametrize("mask", [True, False, Privacy(patterns=(r"SAFE",))])
@pytest.mark.parametrize("name", sorted(HOSTILE_COUNTS))
def test_hostile_files_lose_nothing(name, mask):
    read, rejected = HOSTILE_COUNTS[name]
    assert len(json.loads((HOSTILE / name).read_text())) == read
    _check(read_rrweb(HOSTILE / name, mask=mask), read, rejected)


def test_robustness_rejections_name_their_reason():
    log = read_rrweb(HOSTILE / "robustness.json")
    assert log.rejected["position"].tolist() == [0, 1, 2, 10, 11, 12]
    assert log.rejected["reason"].tolist() == [
        "unknown event type '2' (rrweb types are 0-7)",
        "missing timestamp",
        "undecodable packed event: not a packed rrweb event (zlib JSON) nor JSON text",
        "malformed payload: viewport size 1000000000x700",
        "malformed position 0: x/y are not numbers",
        "malformed payload: width is not a number ('wide')",
    ]


@pytest.mark.parametrize("mask", [True, False])
@pytest.mark.parametrize("name", sorted(SHARED_COUNTS))
def test_shared_recordings_lose_nothing(name, mask):
    path = shared("rrweb", name)
    _check(read_rrweb(path, mask=mask), SHARED_COUNTS[name], 0)


def test_shared_directory_at_once():
    folder = shared("rrweb")
    log = read_rrweb(Path(folder))
    total = sum(SHARED_COUNTS.values())
    _check(log, total, 0)
    assert sorted(Path(f).name for f in log.meta["files"]) == sorted(SHARED_COUNTS)
