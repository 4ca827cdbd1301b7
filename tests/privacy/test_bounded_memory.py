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
    assert streamed.recordings == {} and streamed.meta["streamed"] is True
    assert len(kept.recordings) == len(recs)
    assert streamed.counts == kept.counts == {
        "read": _n_events(recs), "loaded": _n_events(recs), "rejected": 0
    }
    pd.testing.assert_frame_equal(_sorted_events(streamed), _sorted_events(kept))


def _layouts(root: Path, recs: list[dict[str, Any]]) -> Path:
    """A directory exercising every way a stream can be cut: see the comments."""
    root.mkdir()
    # 1. Two sessions each cut in three files (one rrweb event array per file), their
    #    `identify` only in the last part, one event of each repeated in the next file.
    parts: list[list[dict[str, Any]]] = [[], [], []]
    for r in recs[:2]:
        evs = [dict(e, sessionId=r["session_id"]) for e in r["events"]]
        ident = [e for e in evs if e["type"] == 5 and e["data"].get("tag") == "identify"]
        rest = [e for e in evs if not (e["type"] == 5 and e["data"].get("tag") == "identify")]
        a, b = len(rest) // 3, 2 * len(rest) // 3
        parts[0] += rest[:a]
        parts[1] += rest[a:b] + [rest[b]]
        parts[2] += rest[b:] + ident
    for k, evs in enumerate(parts):
        (root / f"a-split-{k}.json").write_bytes(orjson.dumps(evs))
    # 2. One rrweb event per line, two sessions interleaved, a broken line.
    lines = []
    for e1, e2 in zip(recs[2]["events"], recs[3]["events"]):
        lines += [orjson.dumps(dict(e1, sessionId="L1")), orjson.dumps(dict(e2, sessionId="L2"))]
    lines.insert(5, b"{not json")
    (root / "b-loose.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    # 3. PostHog blob lines: two windows of one session, each window in two lines.
    w = []
    for i, r in enumerate(recs[4:6]):
        half = len(r["events"]) // 2
        w.append(orjson.dumps({"window_id": f"w{i}", "data": r["events"][:half]}))
        w.append(orjson.dumps({"window_id": f"w{i}", "data": r["events"][half:]}))
    (root / "c-ph-sess.jsonl.gz").write_bytes(gzip.compress(b"\n".join([w[0], w[2], w[1], w[3]])))
    # 4. One recording per line, with two bad events.
    first = dict(recs[0], session_id="z0")
    first["events"] = first["events"] + [
        {"type": 3, "timestamp": "soon"},
        {"type": 3, "timestamp": 1.7e12, "data": {"source": 2, "type": 2, "x": -5, "y": 3}},
    ]
    (root / "d.jsonl").write_bytes(
        orjson.dumps(first) + b"\n" + orjson.dumps(dict(recs[1], session_id="z1")) + b"\n")
    return root


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, *, stream: bool, **kw: Any) -> Any:
    with monkeypatch.context() as m:
        m.setattr(rr, "STREAM_MIN_BYTES", 0 if stream else 2**62)
        m.setattr(rr, "STREAM_SEGMENT_EVENTS", 200)
        return read_rrweb(path, progress=False, **kw)


def test_streamed_read_equals_the_in_memory_read(
    tmp_path: Path, recs: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _layouts(tmp_path / "rec", recs)
    whole = _read(path, monkeypatch, stream=False)
    streamed = _read(path, monkeypatch, stream=True)
    assert "streamed" not in whole.meta and streamed.meta["streamed"] is True
    assert isinstance(whole.recordings, dict) and streamed.recordings.is_lazy
    size = [len(r["events"]) for r in recs]
    n = (size[0] + size[1] + 2  # split in three files, plus a duplicate of each
         + 2 * min(size[2], size[3]) + 1  # loose events, plus the broken line
         + size[4] + size[5]  # PostHog windows
         + size[0] + 2 + size[1])  # one recording per line, plus 2 bad events
    assert whole.counts["read"] == n
    # 2 duplicates, 1 broken line, 2 bad events
    assert streamed.counts == whole.counts == {"read": n, "loaded": n - 5, "rejected": 5}
    # the same table, column order and dtypes included; same rejected rows
    pd.testing.assert_frame_equal(streamed.events, whole.events)
    pd.testing.assert_frame_equal(streamed.rejected, whole.rejected)
    # identify in the last part reached the rows of the first part
    split = whole.events[whole.events["session_id"] == recs[0]["session_id"]]
    assert split["plan"].notna().all() and split["user_id"].nunique() == 1
    # the lazy recordings are the raw events the in-memory read keeps, key for key
    assert list(streamed.recordings) == list(whole.recordings)
    for sid in whole.recordings:
        assert streamed.recordings[sid] == whole.recordings[sid], sid
    assert sum(len(v) for v in streamed.recordings.values()) == n - 5
    windows = streamed.meta["recording_windows"]
    assert list(windows) == list(whole.meta["recording_windows"]) == ["c-ph-sess"]
    assert windows["c-ph-sess"] == whole.meta["recording_windows"]["c-ph-sess"]


def test_streaming_flushes_complete_streams_in_segments(
    tmp_path: Path, recs: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "a.jsonl"
    f.write_bytes(_jsonl(recs))
    held: list[int] = []
    flush = rr._Reader.flush

    def spy(self: Any, upto: Any = None) -> None:
        held.append(sum(len(b.items) for b in self.buckets.values()))
        flush(self, upto)
        # a flushed stream never comes back; what stays pending is only open streams
        assert all(self.index[k] > upto for k in self.buckets) if upto else not self.buckets

    monkeypatch.setattr(rr._Reader, "flush", spy)
    segment = 100
    monkeypatch.setattr(rr, "STREAM_SEGMENT_EVENTS", segment)
    monkeypatch.setattr(rr, "STREAM_MIN_BYTES", 0)
    chunks = []
    chunk = rr._Reader._chunk
    monkeypatch.setattr(rr._Reader, "_chunk", lambda self: (chunks.append(1), chunk(self)))
    log = read_rrweb(f, progress=False)
    sizes = [len(r["events"]) for r in recs]
    # one recording per line: every line completes its stream, so each line that
    # brings the pending count over the segment size is flushed at once
    assert max(held) < segment + max(sizes)
    assert len(chunks) == len(held) >= 2
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
    import sys
    from uxlens.io.rrweb import read_rrweb

    log = read_rrweb(sys.argv[1], progress=False)
    # VmHWM, not ru_maxrss: ru_maxrss survives exec, so it would report the forking
    # parent's size (a pytest worker holding GBs) instead of this process's peak.
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) * 1024
    c = log.counts
    rec = log.recordings
    sid = sys.argv[2]
    print(peak, c["read"], c["loaded"], c["rejected"], len(log.events),
          int(bool(log.meta.get("streamed"))), int(getattr(rec, "is_lazy", False)),
          len(rec), len(rec[sid]))
    """
)
#: Peak RSS model of a streaming read (interpreter and imports included): a fixed
#: part plus a share of the input size. Measured (benchmarks/README.md): 0.40 GiB
#: for 286 MiB and 1.76 GiB for 2,050 MiB of JSON lines; the bound at 2 GiB of
#: input is 0.25 + 0.85 * 2 = 1.95 GiB, under the 2 GiB the issue asks for.
PEAK_FIXED = 0.25 * GiB
PEAK_PER_INPUT_BYTE = 0.85


@pytest.mark.slow
def test_300_mb_directory_streams_within_the_2_gib_budget(tmp_path: Path) -> None:
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
        [sys.executable, "-c", _MEASURE, str(data), f"{recs[-1]['session_id']}-copy0"],
        capture_output=True, text=True, check=True, timeout=900,
    )
    peak, read, loaded, rejected, rows, streamed, lazy, n_rec, n_last = map(
        int, out.stdout.split())
    n = _n_events(recs) * copies
    assert (read, loaded, rejected) == (n, n, 0)
    assert streamed == lazy == 1 and n_rec == 100 * copies
    assert n_last == len(recs[-1]["events"])  # a session re-read from its line
    bound = PEAK_FIXED + PEAK_PER_INPUT_BYTE * total
    print(f"\n{total / 2**20:.0f} MiB in {copies} files, {rows:,} rows: peak RSS "
          f"{peak / GiB:.2f} GiB (bound {bound / GiB:.2f} GiB; at 2 GiB of input "
          f"{(PEAK_FIXED + PEAK_PER_INPUT_BYTE * 2 * GiB) / GiB:.2f} GiB)")
    assert peak < bound


def test_lazy_recordings_reread_only_the_sessions_lines(
    tmp_path: Path, recs: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "a.jsonl.gz"
    f.write_bytes(gzip.compress(_jsonl(recs)))
    log = _read(f, monkeypatch, stream=True)
    rec = log.recordings
    assert list(rec) == [r["session_id"] for r in recs] and len(rec) == len(recs)
    calls: list[tuple[str, Any]] = []
    add_file = rr._Reader.add_file

    def spy(self: Any, path: Path, **kw: Any) -> None:
        calls.append((Path(path).name, kw.get("lines")))
        add_file(self, path, **kw)

    monkeypatch.setattr(rr._Reader, "add_file", spy)
    third = recs[2]["session_id"]
    assert rec[third] == recs[2]["events"]  # the generator's events are valid and sorted
    assert calls == [("a.jsonl.gz", [[3, 3]])]
    assert rec[third] is rec[third] and len(calls) == 1  # cached
    with pytest.raises(KeyError):
        rec["nope"]
    # filter() keeps the mapping lazy, restricted to the kept sessions
    sub = log.filter(log.events["session_id"] == third)
    assert sub.recordings.is_lazy and list(sub.recordings) == [third]
    # assignment and deletion behave as on a dict
    rec["mine"] = [{"type": 4}]
    del rec[recs[0]["session_id"]]
    assert "mine" in rec and recs[0]["session_id"] not in rec
    assert list(rec) == [r["session_id"] for r in recs[1:]] + ["mine"]
