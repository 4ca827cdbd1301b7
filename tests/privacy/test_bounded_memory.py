"""Bounded memory: large single JSON files are refused, JSON lines are streamed.

Small thresholds (``max_file_bytes=10_000``, segments of a few hundred raw
events) exercise the exact behaviour on small generated files; one slow test
reads a ~300 MB directory of JSON-lines recordings in a subprocess and checks
its peak memory.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest

import uxlens.io.rrweb as rr
from uxlens.demo.generate import generate
from uxlens.exceptions import RecordingFormatError, UxlensError
from uxlens.io.rrweb import read_rrweb

GiB = 2**30


def _recordings(n: int, seed: int = 5) -> list[dict[str, Any]]:
    return generate(n_sessions=n, seed=seed).recordings


def _jsonl(recordings: list[dict[str, Any]], suffix: str = "") -> bytes:
    lines = [
        orjson.dumps({**r, "session_id": f"{r['session_id']}{suffix}"}) for r in recordings
    ]
    return b"\n".join(lines) + b"\n"


def _n_events(recordings: list[dict[str, Any]]) -> int:
    return sum(len(r["events"]) for r in recordings)


def _sorted_events(log: Any) -> pd.DataFrame:
    ev = log.events
    cols = sorted(ev.columns)
    return ev[cols].sort_values(["session_id", "seq"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def recs() -> list[dict[str, Any]]:
    return _recordings(6)


# ---------------------------------------------------------------- max_file_bytes
def test_json_file_over_the_limit_raises_with_a_fix(tmp_path: Path, recs: list) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(orjson.dumps(recs[0]["events"]))
    size = big.stat().st_size
    assert size > 10_000
    with pytest.raises(RecordingFormatError) as info:
        read_rrweb(big, max_file_bytes=10_000)
    msg = str(info.value)
    assert "max_file_bytes=10,000" in msg
    assert f"{size:,} bytes on disk" in msg
    assert ".jsonl" in msg and "one recording" in msg


def test_json_file_under_the_limit_reads_as_without_limit(tmp_path: Path, recs: list) -> None:
    f = tmp_path / "one.json"
    f.write_bytes(orjson.dumps(recs[0]["events"]))
    limited = read_rrweb(f, max_file_bytes=f.stat().st_size)
    free = read_rrweb(f, max_file_bytes=None)
    assert limited.counts == free.counts == {
        "read": len(recs[0]["events"]), "loaded": len(recs[0]["events"]), "rejected": 0
    }
    pd.testing.assert_frame_equal(limited.events, free.events)


def test_gzip_limit_applies_to_the_decompressed_size(tmp_path: Path, recs: list) -> None:
    raw = orjson.dumps(recs[0]["events"])
    f = tmp_path / "one.json.gz"
    f.write_bytes(gzip.compress(raw))
    assert f.stat().st_size < len(raw) // 2
    with pytest.raises(RecordingFormatError, match="max_file_bytes"):
        read_rrweb(f, max_file_bytes=f.stat().st_size + 1)
    assert read_rrweb(f, max_file_bytes=len(raw)).counts["loaded"] == len(recs[0]["events"])


def test_directory_rejects_the_big_file_as_one_row(tmp_path: Path, recs: list) -> None:
    (tmp_path / "a_big.json").write_bytes(orjson.dumps(recs[0]["events"]))
    small = {"session_id": "small", "events": recs[1]["events"][:5]}
    (tmp_path / "b_small.json").write_bytes(orjson.dumps(small))
    limit = (tmp_path / "b_small.json").stat().st_size
    assert (tmp_path / "a_big.json").stat().st_size > limit
    log = read_rrweb(tmp_path, max_file_bytes=limit)
    assert log.counts == {"read": 6, "loaded": 5, "rejected": 1}
    row = log.rejected.iloc[0]
    assert row["source"] == str(tmp_path / "a_big.json")
    assert row["position"] == "file"
    assert f"max_file_bytes={limit:,}" in row["reason"] and "file skipped" in row["reason"]
    assert set(log.events["session_id"]) == {"small"}


def test_jsonl_has_no_size_limit(tmp_path: Path, recs: list) -> None:
    f = tmp_path / "many.jsonl"
    f.write_bytes(_jsonl(recs))
    assert f.stat().st_size > 10_000
    log = read_rrweb(f, max_file_bytes=10_000)
    assert log.counts == {"read": _n_events(recs), "loaded": _n_events(recs), "rejected": 0}
    assert log.events["session_id"].nunique() == len(recs)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "1MB"])
def test_max_file_bytes_is_checked(bad: Any) -> None:
    with pytest.raises(UxlensError, match="max_file_bytes must be a positive"):
        read_rrweb([], max_file_bytes=bad)


# ---------------------------------------------------------------- streaming
def test_streaming_gives_the_same_events(
    tmp_path: Path, recs: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two JSON-lines files (one recording per line) and one gzip'd JSON file; segments
    # of 300 raw events force many flushes inside each JSON-lines file.
    (tmp_path / "a.jsonl").write_bytes(_jsonl(recs[:3]))
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(_jsonl(recs[3:5])))
    (tmp_path / "c.json.gz").write_bytes(gzip.compress(json.dumps(recs[5]).encode()))
    kept = read_rrweb(tmp_path)
    monkeypatch.setattr(rr, "STREAM_SEGMENT_EVENTS", 300)
    streamed = read_rrweb(tmp_path, keep_recordings=False)
    assert streamed.recordings == {}
    assert len(kept.recordings) == len(recs)
    assert streamed.counts == kept.counts == {
        "read": _n_events(recs), "loaded": _n_events(recs), "rejected": 0
    }
    pd.testing.assert_frame_equal(_sorted_events(streamed), _sorted_events(kept))


def test_streaming_drops_raw_events_after_each_segment(
    tmp_path: Path, recs: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = [len(r["events"]) for r in recs]
    monkeypatch.setattr(rr, "STREAM_SEGMENT_EVENTS", min(sizes))
    f = tmp_path / "a.jsonl"
    f.write_bytes(_jsonl(recs))
    reader = rr._Reader(session_id=None, user_id=None, mask=True, keep_recordings=False)
    flushes = []
    flush = reader.flush

    def counting_flush() -> None:
        flushes.append(reader.pending)
        flush()

    reader.flush = counting_flush  # type: ignore[method-assign]
    reader.add_path(f, progress=False)
    # every line (one recording) reaches the segment size alone: one flush per line
    assert flushes == sizes
    assert reader.buckets == {}
    assert all(b.items == [] for b in reader.all_buckets)
    # rows keep only a stub of their raw event
    assert all(set(item[1]) == {"type", "timestamp", "raw"} for item in reader.cols.items)
    log = reader.finish({})
    assert log.counts["loaded"] == sum(sizes)


def test_one_event_per_line_is_streamed_in_segments(
    tmp_path: Path, recs: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loose events (one rrweb event per line) of one stream cut into segments: the
    # counts still add up, and each raw event is loaded exactly once.
    monkeypatch.setattr(rr, "STREAM_SEGMENT_EVENTS", 100)
    events = recs[0]["events"]
    f = tmp_path / "loose.jsonl"
    f.write_bytes(b"\n".join(orjson.dumps(e) for e in events) + b"\n")
    streamed = read_rrweb(f, keep_recordings=False)
    kept = read_rrweb(f)
    assert streamed.counts == kept.counts == {
        "read": len(events), "loaded": len(events), "rejected": 0
    }
    assert len(streamed.events) == len(kept.events)
    assert streamed.events["timestamp"].is_monotonic_increasing


# ---------------------------------------------------------------- big directory
_MEASURE = textwrap.dedent(
    """
    import resource, sys
    from uxlens.io.rrweb import read_rrweb

    def rss_kib():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

    before = rss_kib()
    log = read_rrweb(sys.argv[1], keep_recordings=False, progress=False)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c = log.counts
    print(before, peak, c["read"], c["loaded"], c["rejected"], len(log.events))
    """
)


@pytest.mark.slow
def test_300_mb_directory_streams_under_2_gib(tmp_path: Path) -> None:
    recs = _recordings(100, seed=11)
    data = tmp_path / "recordings"
    data.mkdir()
    total = 0
    copies = 0
    while total < 300 * 2**20:
        chunk = _jsonl(recs, suffix=f"-copy{copies}")
        (data / f"part-{copies:03d}.jsonl").write_bytes(chunk)
        total += len(chunk)
        copies += 1
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(data)],
        capture_output=True, text=True, check=True, timeout=600,
    )
    before, peak, read, loaded, rejected, rows = map(int, out.stdout.split())
    n = _n_events(recs) * copies
    assert (read, loaded, rejected) == (n, n, 0)
    growth = (peak - before) * 1024
    print(f"\n{total / 2**20:.0f} MiB in {copies} files, {rows:,} rows: "
          f"peak RSS growth {growth / 2**20:.0f} MiB")
    # Raw events are freed file by file; what remains is the result table (measured:
    # ~1 GiB peak for 309 MiB / 570,807 rows, most of it building and validating it).
    assert growth < 2 * GiB
