"""Read rrweb recordings (and PostHog's wrappers of them) into an :class:`~uxlens.EventLog`.

The reader turns the low-level rrweb stream (snapshots, mutations, pointer
batches) into canonical events (see :mod:`uxlens.events`): pageviews, clicks
with the clicked element's selector as it was at that instant, document
coordinates, scrolls, masked inputs, console and network rows, custom events.
Raw events are kept in :attr:`EventLog.recordings` for replay.

Accepted inputs (``source``):

- a JSON file: an array of rrweb events, ``{"events": [...]}``, or a PostHog
  shape (``{"result": {"snapshots": [...]}}``,
  ``{"snapshot_data_by_window_id": {...}}``, a list of ``$snapshot`` capture
  events); ``.json.gz`` too;
- a JSON-lines file (``.jsonl``, ``.jsonl.gz``, ``.ndjson``): one recording
  per line ``{"session_id", "user_id"?, "events": [...]}``, PostHog blob lines
  ``{"window_id", "data": [...]}`` or ``["<window_id>", {event}]``, ``$snapshot``
  capture events, or one rrweb event per line;
- a directory of such files (recursively);
- in memory: a list of events, a list of recordings, one of the dict shapes
  above, or the bytes of a file.

Compressed events are decoded: ``@rrweb/packer`` strings and PostHog's
``cv: "2024-10"`` gzip fields.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from .._memory import release_memory
from ..eventlog import EventLog
from ..events import (
    EVENT_NAMES,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    make_rejected,
    seq_in_session,
    validate,
)
from ..exceptions import RecordingFormatError, UxlensError
from ..privacy import Privacy
from ._json import (
    excerpt_json,
    file_stem,
    find_recording_files,
    gc_paused,
    gunzip_json,
    is_jsonl_name,
    iter_json_lines,
    json_error_message,
    open_lines,
    read_bytes,
    read_bytes_limited,
    unpack_packed,
)
from .dom import DomMirror

__all__ = [
    "read_rrweb",
    "MIN_TIMESTAMP_MS",
    "MAX_TIMESTAMP_MS",
    "MAX_COORDINATE",
    "MAX_FILE_BYTES",
]

#: Timestamps outside [2000-01-01, 2100-01-01) are rejected as out of range.
MIN_TIMESTAMP_MS = 946_684_800_000
MAX_TIMESTAMP_MS = 4_102_444_800_000
#: Document coordinates above this (CSS px) are rejected as absurd.
MAX_COORDINATE = 1_000_000
#: Console messages are cut to this many characters.
MAX_MESSAGE = 500
#: Directories with more files than this show a progress bar (``progress=None``).
PROGRESS_MIN_FILES = 8
#: Default ``max_file_bytes``: larger single-document JSON files are refused.
MAX_FILE_BYTES = 256 * 2**20
#: Streaming reads flatten the raw events in segments of about this many raw
#: events (at line and file boundaries): only complete (session, window) streams
#: are flattened, and their rows validated as one chunk of the result.
STREAM_SEGMENT_EVENTS = 20_000
#: Path sources larger than this (bytes on disk, gzip counted 8 times) are
#: streamed: read in two passes (an index of where each stream ends, then the
#: flattening in segments), with ``EventLog.recordings`` re-read from the files
#: on access instead of held in memory.
STREAM_MIN_BYTES = 64 * 2**20
#: Sessions whose raw events a lazy ``recordings`` mapping keeps decoded.
LAZY_CACHE_SESSIONS = 8

_MEMORY = "<memory>"
_BUILTIN = frozenset(EVENT_NAMES)
_CONSOLE_PLUGIN = "rrweb/console@1"
_NETWORK_PLUGIN = "rrweb/network@1"
#: Columns the reader writes itself (payload keys with these names get a prefix).
_READER_COLUMNS = frozenset(
    {"seq", "window_id", "value", "checked", "changes", "request_url", "scroll_top",
     "target_is_control", "_row"}
)
_RESERVED = frozenset(REQUIRED_COLUMNS) | frozenset(OPTIONAL_COLUMNS) | _READER_COLUMNS
_SESSION_CANONICAL = ("source", "is_returning", "device")
_MOUSE_ROWS = {2: "click", 4: "dblclick", 7: "touch", 5: "focus", 6: "blur"}
_KNOWN_SOURCES = frozenset(range(17))
_MUTATION_KEYS = ("adds", "removes", "texts", "attributes")
_CV_FIELDS = {0: _MUTATION_KEYS, 8: ("adds", "removes")}
_INF = float("inf")


class _Reject(Exception):
    """Internal: this raw event is rejected for the given reason."""


def _is_num(v: Any) -> bool:
    """A finite int or float (booleans, NaN and infinities are not numbers here)."""
    t = type(v)
    return (t is int or t is float) and -_INF < v < _INF


def _num_or_none(v: Any, what: str) -> float | None:
    if v is None:
        return None
    if not _is_num(v):
        raise _Reject(f"malformed payload: {what} is not a number ({v!r:.40})")
    return v


class _Bucket:
    """Raw events of one (session, window) stream, before processing."""

    __slots__ = ("items", "session_id", "window_id", "sorted", "last_ts", "index")

    def __init__(self, session_id: str, window_id: str | None, index: int) -> None:
        self.items: list[tuple[float, dict[str, Any], str, Any]] = []
        self.session_id = session_id
        self.window_id = window_id
        self.index = index
        self.sorted = True
        self.last_ts = float("-inf")


class _Reader:
    """Collects raw events from sources, then flattens them into canonical columns."""

    def __init__(
        self,
        *,
        session_id: str | None,
        user_id: str | None,
        mask: bool | Privacy,
        keep_recordings: bool,
        max_file_bytes: int | None = MAX_FILE_BYTES,
    ) -> None:
        self.session_id = None if session_id is None else str(session_id)
        self.user_id = None if user_id is None else str(user_id)
        self.privacy = Privacy.coerce(mask)
        self.mask = not self.privacy.is_none
        # Masks payload and message strings; None when text masking is off.
        self.text_fn = self.privacy.text if self.privacy.masks_text else None
        self.keep_recordings = keep_recordings
        self.max_file_bytes = max_file_bytes
        # Streaming (see STREAM_MIN_BYTES): pass 1 ("indexing") records where each
        # (session, window) stream ends and which lines hold each session; pass 2
        # flattens complete streams in segments. ``index`` is None when not streaming.
        self.indexing = False
        self.index: dict[tuple[str, str | None], tuple[int, int]] | None = None
        self.locations: dict[str, dict[int, list[list[int]] | None]] = {}
        self.file_index = -1
        self.line = 0
        self.next_flush = STREAM_SEGMENT_EVENTS
        # Validated chunks of the result: (events, extra reader columns by name).
        self.chunks: list[tuple[pd.DataFrame, dict[str, Any], int]] = []
        self.read = 0
        self.rejects: list[tuple[str, Any, str, Any]] = []
        # Pending (not yet flattened) streams; every stream ever created, in order.
        self.buckets: dict[tuple[str, str | None], _Bucket] = {}
        self.all_buckets: list[_Bucket] = []
        self.pending = 0
        self.cols = _Columns()
        self.recordings: dict[str, list[dict[str, Any]]] = {}
        self.windows: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.session_props: dict[str, dict[str, Any]] = {}
        self.recording_users: dict[str, str] = {}
        self.sources: list[str] = []
        self.skipped: list[str] = []

    # ------------------------------------------------------------ collecting
    def reject(self, source: str, position: Any, reason: str, raw: Any) -> None:
        self.rejects.append((source, position, reason, excerpt_json(raw)))

    def add_path(self, path: Path, progress: bool | None) -> None:
        files, skipped = _path_files(path)
        self.skipped.extend(str(s) for s in skipped)
        if not path.is_dir():
            self.file_index = 0
            self.add_file(path)
            return
        show = progress if progress is not None else len(files) > PROGRESS_MIN_FILES
        iterator: Sequence[Path] = files
        if show:
            from tqdm.auto import tqdm

            iterator = tqdm(
                files, unit="file",
                desc="indexing recordings" if self.indexing else "reading recordings",
            )
        for number, file in enumerate(iterator):
            self.file_index = number
            self.add_file(file, in_directory=True)
            if self.index is not None and self.pending >= self.next_flush:
                self.flush((number, _END))  # streams that ended in this file

    def add_file(
        self, path: Path, *, in_directory: bool = False, lines: list[list[int]] | None = None
    ) -> None:
        """Read one file; ``lines`` (re-reading a session) keeps only those line ranges."""
        name = str(path)
        self.sources.append(name)
        self.line = 0
        if is_jsonl_name(path):
            with open_lines(path) as stream:
                self.add_lines(_only_lines(stream, lines), name, file_stem(path))
            return
        if lines is not None:
            data = read_bytes(path)
            self.add_lines(_only_lines(data.split(b"\n"), lines), name, file_stem(path))
            return
        data = read_bytes_limited(path, self.max_file_bytes)
        if data is None:
            message = (
                f"{name}: the file is larger than max_file_bytes={self.max_file_bytes:,} "
                f"({path.stat().st_size:,} bytes on disk). A single JSON document has to be "
                "parsed whole, which for a file this size can exhaust memory. Fix: split it "
                "into JSON lines (.jsonl, one recording {'session_id', 'events'} per line), "
                "which uxlens streams line by line, or pass a larger max_file_bytes "
                "(None for no limit) if the machine has the memory."
            )
            if not in_directory:
                raise RecordingFormatError(message)
            self.read += 1
            self.reject(name, "file", message.split(". Fix: ")[0] + " (file skipped)",
                        f"{path.stat().st_size} bytes")
            return
        self.add_bytes(data, name, file_stem(path), jsonl=False)

    def add_bytes(self, data: bytes, source: str, stem: str, *, jsonl: bool = False) -> None:
        if not jsonl:
            try:
                parsed = orjson.loads(data)
            except orjson.JSONDecodeError as exc:
                if "after document" not in exc.msg:
                    raise RecordingFormatError(json_error_message(source, data, exc)) from None
                jsonl = True  # several JSON values, one per line
            else:
                self.add_value(parsed, source, stem)
                return
        self.add_lines(data, source, stem)

    def add_lines(self, data: bytes | Iterable[bytes], source: str, stem: str) -> None:
        """JSON lines: recordings, PostHog blob lines or captures, or one event per line.

        A line that is not JSON, or JSON but not a recording, is rejected as
        one raw record; if no line is usable the file is not JSON lines and
        a :class:`RecordingFormatError` is raised.
        """
        # Lines that are single rrweb events, per window: plain events, or PostHog's
        # newer blob lines ``["<window_id>", {event}]``.
        loose: dict[str | None, tuple[list[Any], list[Any]]] = {}
        good = 0
        bad: list[tuple[int, Any, str]] = []
        for number, value, error in iter_json_lines(data):
            self.line = number
            window = None
            if (
                error is None
                and type(value) is list
                and len(value) == 2
                and type(value[0]) is str
                and _looks_like_event(value[1])
            ):
                window, value = value
            if error is None and isinstance(value, dict) and _looks_like_event(value):
                if self.indexing:
                    self._index_events([value], stem, window)
                    good += 1
                    continue
                events, positions = loose.setdefault(window, ([], []))
                events.append(value)
                positions.append(f"line {number}")
                good += 1
                self.pending += 1
                self._maybe_flush_segment(loose, source, stem)
                continue
            if error is None:
                try:
                    self.add_value(
                        value, f"{source}:{number}", stem, default_sid=f"{stem}-{number}"
                    )
                    good += 1
                    self._maybe_flush_segment(loose, source, stem)
                    continue
                except RecordingFormatError:
                    error = f"line {number} is not a recording: found {_found(value)}"
            bad.append((number, value, error))
        if bad and not good:
            number, _, error = bad[0]
            raise RecordingFormatError(
                f"{source}: no line is a usable recording ({error}). Expected JSON lines "
                "(one recording {'session_id', 'events'} or one rrweb event per line) or a "
                "JSON document. Fix: check the file is complete and is JSON "
                "(python -m json.tool FILE)."
            )
        for number, value, error in bad:
            self.read += 1
            self.reject(source, f"line {number}", f"{error}; the line was skipped", value)
        for window, (events, positions) in loose.items():
            self.add_events(events, source, stem, None, window, positions=positions)

    def _maybe_flush_segment(
        self, loose: dict[str | None, tuple[list[Any], list[Any]]], source: str, stem: str
    ) -> None:
        """Streaming: flatten the streams that ended by this line once enough is pending."""
        if self.index is None or self.pending < self.next_flush:
            return
        for window, (events, positions) in loose.items():
            self.add_events(events, source, stem, None, window, positions=positions)
            self.pending -= len(events)  # add_events counted them again
        loose.clear()
        self.flush((self.file_index, self.line))

    def add_value(
        self, value: Any, source: str, stem: str, *, default_sid: str | None = None
    ) -> None:
        """Dispatch a parsed JSON value on its shape."""
        if isinstance(value, dict):
            self.add_container(value, source, stem, default_sid or stem)
        elif isinstance(value, list):
            self.add_list(value, source, stem, default_sid or stem)
        else:
            raise RecordingFormatError(_not_rrweb(source, value))

    def add_container(self, obj: dict[str, Any], source: str, stem: str, default_sid: str) -> None:
        """One object: a recording, a PostHog blob line / API response / capture event."""
        sid = _str_or_none(obj.get("session_id", obj.get("sessionId", obj.get("$session_id"))))
        uid = _str_or_none(obj.get("user_id", obj.get("distinct_id")))
        events = obj.get("events")
        if isinstance(events, list):
            wid = _str_or_none(obj.get("window_id"))
            self.add_events(events, source, sid or default_sid, uid, wid)
            return
        data = obj.get("data")
        if "window_id" in obj and isinstance(data, list):
            # PostHog blob lines of one file are windows of the same session.
            self.add_events(data, source, sid or stem, uid, _str_or_none(obj.get("window_id")))
            return
        by_window = obj.get("snapshot_data_by_window_id")
        if isinstance(by_window, dict):
            for wid, evs in by_window.items():
                if isinstance(evs, list):
                    self.add_events(evs, f"{source}[{wid}]", sid or stem, uid, str(wid))
                else:
                    self.read += 1
                    self.reject(source, wid, "malformed window: expected a list of events", evs)
            return
        result = obj.get("result")
        if isinstance(result, dict) and isinstance(result.get("snapshots"), list):
            person = result.get("person")
            if uid is None and isinstance(person, dict):
                ids = person.get("distinct_ids")
                if isinstance(ids, list) and ids:
                    uid = _str_or_none(ids[0])
            sid = sid or _str_or_none(result.get("session_id"))
            self.add_events(result["snapshots"], source, sid or stem, uid, None)
            return
        if isinstance(obj.get("snapshots"), list):
            self.add_events(obj["snapshots"], source, sid or stem, uid, None)
            return
        if obj.get("event") == "$snapshot":
            self.add_captures([obj], source, stem)
            return
        raise RecordingFormatError(_not_rrweb(source, obj))

    def add_list(self, items: list[Any], source: str, stem: str, default_sid: str) -> None:
        """A JSON array: rrweb events, recordings, blob lines or PostHog captures."""
        kind = _classify(items)
        if kind is None:
            raise RecordingFormatError(_not_rrweb(source, items))
        if kind == "events":
            self.add_events(items, source, default_sid, None, None)
        elif kind == "captures":
            self.add_captures(items, source, stem)
        else:  # recordings
            for i, rec in enumerate(items):
                if isinstance(rec, dict) and (
                    isinstance(rec.get("events"), list) or isinstance(rec.get("data"), list)
                ):
                    self.add_container(rec, f"{source}[{i}]", stem, f"{stem}-{i}")
                else:
                    self.read += 1
                    self.reject(
                        source,
                        i,
                        "not a recording: expected an object with an 'events' list",
                        rec,
                    )

    def add_captures(self, items: list[Any], source: str, stem: str) -> None:
        """PostHog capture events: ``$snapshot`` with ``$snapshot_data`` or ``$snapshot_items``."""
        for i, item in enumerate(items):
            props = item.get("properties") if isinstance(item, dict) else None
            if not isinstance(props, dict) or item.get("event") != "$snapshot":
                self.read += 1
                reason = (
                    "not a $snapshot event (analytics events are read by ux.read_posthog)"
                    if isinstance(item, dict) and "event" in item
                    else "not a PostHog $snapshot capture event"
                )
                self.reject(source, i, reason, item)
                continue
            data = props.get("$snapshot_items", props.get("$snapshot_data"))
            if isinstance(data, dict):
                data = [data]
            if not isinstance(data, list):
                self.read += 1
                self.reject(source, i, "malformed $snapshot: no $snapshot_data events", item)
                continue
            sid = _str_or_none(props.get("$session_id")) or stem
            wid = _str_or_none(props.get("$window_id"))
            uid = _str_or_none(item.get("distinct_id", props.get("distinct_id")))
            self.add_events(
                data, source, sid, uid, wid, positions=[f"{i}.{j}" for j in range(len(data))]
            )

    def add_events(
        self,
        events: list[Any],
        source: str,
        default_sid: str,
        user_id: str | None,
        window_id: str | None,
        *,
        positions: list[Any] | None = None,
    ) -> None:
        """Check envelopes, decode compressed events and file them by (session, window)."""
        if self.indexing:
            self._index_events(events, default_sid, window_id)
            return
        explicit = self.session_id
        users = self.recording_users
        buckets = self.buckets
        last_key: tuple[str, str | None] | None = None
        bucket: _Bucket | None = None
        self.read += len(events)
        self.pending += len(events)
        reject = self.reject
        for i, ev in enumerate(events):
            pos = i if positions is None else positions[i]
            if type(ev) is str:
                try:
                    ev = unpack_packed(ev)
                except ValueError as exc:
                    reject(source, pos, f"undecodable packed event: {exc}", ev)
                    continue
            if type(ev) is not dict:
                reject(source, pos, _not_event_reason(ev), ev)
                continue
            ts = ev.get("timestamp")
            tt = type(ts)
            if tt is not int and tt is not float:
                reason = "missing timestamp" if ts is None else (
                    f"non-numeric timestamp {ts!r:.40} (expected epoch milliseconds)"
                )
                reject(source, pos, reason, ev)
                continue
            if not MIN_TIMESTAMP_MS <= ts < MAX_TIMESTAMP_MS:
                reject(
                    source,
                    pos,
                    f"timestamp out of range: {ts!r} (expected epoch milliseconds "
                    "between 2000 and 2100)",
                    ev,
                )
                continue
            et = ev.get("type")
            if type(et) is not int or not 0 <= et <= 7:
                reject(source, pos, f"unknown event type {et!r:.40} (rrweb types are 0-7)", ev)
                continue
            if "cv" in ev:
                try:
                    ev = _decode_cv(ev)
                except ValueError as exc:
                    reject(source, pos, f"undecodable cv-compressed event: {exc}", ev)
                    continue
            # Inlined in both per-event loops on purpose: a shared helper measured
            # ~18 ns more per event (+6% on this loop).
            if explicit is not None:
                sid = explicit
            else:
                sid = ev.get("sessionId") or ev.get("$session_id") or default_sid
                if type(sid) is not str:
                    sid = str(sid)
            key = (sid, window_id)
            if key != last_key:
                bucket = buckets.get(key)
                if bucket is None:
                    bucket = buckets[key] = _Bucket(sid, window_id, len(self.all_buckets))
                    self.all_buckets.append(bucket)
                if user_id is not None:
                    users.setdefault(sid, user_id)
                last_key = key
            assert bucket is not None
            if ts < bucket.last_ts:
                bucket.sorted = False
            bucket.last_ts = ts
            bucket.items.append((ts, ev, source, pos))

    def _index_events(self, events: list[Any], default_sid: str, window_id: str | None) -> None:
        """Pass 1 of a streaming read: where each stream ends, which lines hold a session."""
        explicit = self.session_id
        index = self.index
        assert index is not None
        where = (self.file_index, self.line)
        last_key = None
        for ev in events:
            if type(ev) is str:
                try:
                    ev = unpack_packed(ev)
                except ValueError:
                    continue
            if type(ev) is not dict:
                continue
            # Inlined in both per-event loops on purpose: a shared helper measured
            # ~18 ns more per event (+6% on this loop).
            if explicit is not None:
                sid = explicit
            else:
                sid = ev.get("sessionId") or ev.get("$session_id") or default_sid
                if type(sid) is not str:
                    sid = str(sid)
            key = (sid, window_id)
            if key != last_key:
                index[key] = where
                self._locate(sid)
                last_key = key

    def _locate(self, sid: str) -> None:
        """Record that the current file (and line) holds events of ``sid``."""
        per_file = self.locations.get(sid)
        if per_file is None:
            per_file = self.locations[sid] = {}
        f, line = self.file_index, self.line
        if line == 0:
            per_file[f] = None  # a whole JSON document
            return
        if f not in per_file:
            per_file[f] = [[line, line]]
            return
        ranges = per_file[f]
        if ranges is None:
            return
        last = ranges[-1]
        if last[1] >= line - 1:
            last[1] = max(last[1], line)
        else:
            ranges.append([line, line])

    # ------------------------------------------------------------ flattening
    def flush(self, upto: tuple[int, float] | None = None) -> None:
        """Flatten pending streams into a validated chunk of the result.

        ``upto`` (streaming): only the streams whose last raw event, per the
        index, is at or before this (file, line) position; ``None``: all.
        """
        cols = self.cols
        recordings, windows = self.recordings, self.windows
        keep = self.keep_recordings and self.index is None  # lazy when streaming
        index = self.index or {}
        ready = [
            (key, bucket) for key, bucket in self.buckets.items()
            if upto is None or index.get(key, _NEVER) <= upto
        ]
        for key, bucket in ready:
            del self.buckets[key]
            if not bucket.sorted:
                bucket.items.sort(key=_first)
            loaded = _Flattener(self, cols, bucket, bucket.index, self.session_props).run()
            bucket.items = []
            if keep:
                sid = bucket.session_id
                if bucket.window_id is not None:
                    windows.setdefault(sid, {})[bucket.window_id] = loaded
                if sid in recordings:
                    merged = recordings[sid] + loaded
                    merged.sort(key=_timestamp)
                    recordings[sid] = merged
                else:
                    recordings[sid] = loaded
        self.pending = sum(len(b.items) for b in self.buckets.values())
        self.next_flush = self.pending + STREAM_SEGMENT_EVENTS
        if ready or not self.chunks:
            self._chunk()

    def _chunk(self) -> None:
        """Build, mask and validate the rows flattened since the last chunk."""
        cols, self.cols = self.cols, _Columns()
        frame, extras, row_items = cols.frame(self.all_buckets)
        del cols  # the column lists are in the frame now
        if self.privacy.patterns and "target_text" in frame.columns:
            # Element texts come from the DOM mirror, which knows only the
            # built-in patterns: apply the policy's own regexes here.
            frame["target_text"] = _map_text(frame["target_text"], self.privacy.text)
        result = validate(frame, source="read_rrweb", drop_duplicates=False)
        del frame
        events = result.events
        if len(result.rejected):
            events = self._apply_validate_rejections(result, events, row_items)
        self.chunks.append((events, extras, len(row_items)))
        if self.index is not None:
            release_memory(large_blocks_mapped=True)

    def finish(self, meta: dict[str, Any]) -> EventLog:
        self.flush()
        events = _assemble(self)
        multi = {sid: w for sid, w in self.windows.items() if len(w) > 1}
        recordings: Any = self.recordings
        if not self.keep_recordings:
            recordings = {}
        elif self.index is not None:
            recordings = _LazyRecordings(self)
            multi = recordings.windows()
        if multi:
            meta["recording_windows"] = multi
        if self.skipped:
            meta["skipped_files"] = self.skipped
        self.rejects.sort(key=_reject_order)
        rejected = make_rejected(self.rejects)
        return EventLog(
            events,
            recordings=recordings,
            rejected=rejected,
            read=self.read,
            meta=meta,
        )

    def _apply_validate_rejections(
        self, result: Any, events: pd.DataFrame, row_items: list[Any]
    ) -> pd.DataFrame:
        """A raw event any of whose rows validate() rejected is rejected as a whole."""
        bad_items: dict[int, tuple[Any, str]] = {}
        for position, reason in zip(result.rejected["position"], result.rejected["reason"]):
            item = row_items[int(position)]
            bad_items.setdefault(id(item), (item, str(reason)))
        bad_rows = [i for i, item in enumerate(row_items) if id(item) in bad_items]
        events = events.loc[~events["_row"].isin(bad_rows)].reset_index(drop=True)
        dropped = set()
        for item, reason in bad_items.values():
            _, ev, source, pos = item
            self.reject(source, pos, f"{reason} (after flattening)", ev)
            dropped.add(id(ev))
        if self.recordings:
            self.recordings = {
                sid: [ev for ev in evs if id(ev) not in dropped]
                for sid, evs in self.recordings.items()
            }
            self.windows = {
                sid: {w: [ev for ev in evs if id(ev) not in dropped] for w, evs in ws.items()}
                for sid, ws in self.windows.items()
            }
        return events


_END = float("inf")
_NEVER = (1 << 62, 0)
#: Extra reader columns, in the order they follow the canonical ones (session
#: properties from ``identify`` come after ``request_url``, custom payload keys last).
_EXTRA_ORDER = ("window_id", "target_is_control", "value", "checked", "changes", "scroll_top")


def _path_files(path: Path) -> tuple[list[Path], list[Path]]:
    """The recording files of a path (itself, or a directory's, recursively) and skipped files."""
    if not path.is_dir():
        return [path], []
    files, skipped = find_recording_files(path)
    if not files:
        raise RecordingFormatError(
            f"No recording files in directory {str(path)!r} (searched recursively). "
            "Expected files ending in .json, .json.gz, .jsonl or .jsonl.gz"
            + (f"; found {len(skipped)} other files, e.g. {skipped[0].name!r}" if skipped else "")
            + ". Fix: point read_rrweb at the folder holding the exported recordings."
        )
    return files, skipped


def _only_lines(lines: Iterable[bytes], ranges: list[list[int]] | None) -> Iterator[bytes]:
    """The lines, with those outside the (1-based, inclusive) ranges blanked; stops after the last.

    >>> list(_only_lines([b"a", b"b", b"c", b"d"], [[2, 3]]))
    [b'', b'b', b'c']
    """
    if ranges is None:
        yield from lines
        return
    wanted = set()
    for start, stop in ranges:
        wanted.update(range(start, stop + 1))
    last = max(wanted)
    for number, line in enumerate(lines, start=1):
        yield line if number in wanted else b""
        if number >= last:
            return


def _size_on_disk(path: Path) -> int:
    """Estimated decompressed bytes of a path's recording files (gzip counted 8 times)."""
    files, _ = _path_files(path)
    total = 0
    for f in files:
        try:
            size = f.stat().st_size
        except OSError:
            continue
        total += size * 8 if str(f).lower().endswith(".gz") else size
    return total


def _na_array(n: int, dtype: Any) -> Any:
    """``n`` missing values of a dtype."""
    return pd.Series(np.full(n, None, dtype=object)).astype(dtype).array


def _concat_categorical(parts: list[Any], lengths: list[int]) -> pd.Categorical:
    """Concatenate categoricals (None = all missing) over the union of their categories."""
    cats = [p.cat.categories for p in parts if p is not None]
    union = cats[0]
    for c in cats[1:]:
        if not union.equals(c):
            union = union.union(c)
    codes = np.full(sum(lengths), -1, dtype=np.int64)
    pos = 0
    for part, n in zip(parts, lengths):
        if part is not None and n:
            own = part.array.codes
            mapping = union.get_indexer(part.cat.categories)
            codes[pos:pos + n] = np.where(own >= 0, mapping[own] if len(mapping) else -1, -1)
        pos += n
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(union))


def _concat(parts: list[Any], lengths: list[int]) -> Any:
    """Concatenate one column of the chunks (None = absent there) as one array."""
    present = [p for p in parts if p is not None]
    first = present[0]
    if len(present) == len(parts) == 1:
        return first.array if isinstance(first, pd.Series) else first
    if isinstance(first, pd.Series) and isinstance(first.dtype, pd.CategoricalDtype):
        return _concat_categorical(parts, lengths)
    if isinstance(first, np.ndarray):
        filled = [
            p if p is not None else np.full(n, None if first.dtype == object else np.nan,
                                            dtype=first.dtype)
            for p, n in zip(parts, lengths)
        ]
        return np.concatenate(filled) if filled else first
    dtype = first.dtype
    series = [
        (p if isinstance(p, pd.Series) else pd.Series(p)) if p is not None
        else pd.Series(_na_array(n, dtype)) for p, n in zip(parts, lengths)
    ]
    return pd.concat(series, ignore_index=True).array


def _take(values: Any, perm: np.ndarray | None) -> Any:
    if perm is None:
        return values
    return values[perm] if isinstance(values, np.ndarray) else values.take(perm)


def _assemble(reader: _Reader) -> pd.DataFrame:
    """One events table from the validated chunks, sorted, with ``seq`` and session columns.

    Each chunk is sorted by (session, time, input order); chunks are in input
    order, so a stable sort on (session, time) of their concatenation is the
    order :func:`validate` would give the whole table. Columns are built one
    at a time and freed from the chunks as they go, so the peak is about the
    result plus one column.
    """
    chunks, reader.chunks = reader.chunks, []
    streamed = reader.index is not None
    frames = [c[0] for c in chunks]
    extras = [c[1] for c in chunks]
    sizes_pre = [c[2] for c in chunks]
    del chunks
    lengths = [len(f) for f in frames]
    n = sum(lengths)
    sid_values = _concat([f["session_id"] for f in frames], lengths)
    codes, uniques = pd.factorize(sid_values, sort=True)
    del sid_values
    perm: np.ndarray | None = None
    if len(frames) > 1:
        ts = np.concatenate([pd.DatetimeIndex(f["timestamp"]).asi8 for f in frames])
        perm = np.lexsort((ts, codes))
        del ts
        codes = codes[perm]
    seq = seq_in_session(codes)
    session_ids = [str(u) for u in uniques]

    # session-level columns
    props = reader.session_props
    users = []
    for sid in session_ids:
        uid = reader.user_id
        if uid is None:
            uid = props.get(sid, {}).get("user_id")
        if uid is None:
            uid = reader.recording_users.get(sid)
        users.append(sid if uid is None or uid == "" else uid)
    prop_names: list[str] = []
    for values in props.values():
        for key in values:
            if key != "user_id" and key not in prop_names:
                prop_names.append(key)

    out: dict[str, Any] = {
        "session_id": pd.array(np.asarray(session_ids + [""], dtype=object)[:-1][codes],
                               dtype="string"),
        "user_id": pd.array(np.asarray(users + [""], dtype=object)[:-1][codes], dtype="string"),
    }

    def per_session(key: str) -> np.ndarray:
        values = [props.get(sid, {}).get(key) for sid in session_ids]
        return np.asarray(values + [None], dtype=object)[:-1][codes]

    canonical = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c not in out]
    for col in canonical:
        if col in ("source", "is_returning") and col in prop_names:
            given = pd.Series(per_session(col))
            out[col] = (given.astype("boolean") if col == "is_returning"
                        else given.where(given.notna()).astype("category")).array
            continue
        parts = [f[col] if col in f.columns else None for f in frames]
        if all(p is None for p in parts):
            continue
        values = _take(_concat(parts, lengths), perm)
        del parts
        for f in frames:
            if col in f.columns:
                del f[col]
        if streamed:
            release_memory()
        if col == "device" and "device" in prop_names:
            given = per_session("device")
            derived = np.asarray(values.astype(object))
            merged = np.where(pd.isna(given), derived, given)
            values = pd.Series(merged).where(pd.notna(merged)).astype("category").array
        out[col] = values
        if col == "event":
            out["seq"] = seq

    # where each chunk's pre-validate row ended up in the result (-1: rejected)
    where: list[np.ndarray] = []
    inverse = None
    if perm is not None:
        inverse = np.empty(n, dtype=np.int64)
        inverse[perm] = np.arange(n, dtype=np.int64)
    offset = 0
    for f, size in zip(frames, sizes_pre):
        kept = f["_row"].to_numpy()
        at = np.full(size, -1, dtype=np.int64)
        positions = np.arange(offset, offset + len(kept), dtype=np.int64)
        at[kept] = positions if inverse is None else inverse[positions]
        where.append(at)
        offset += len(kept)
    del frames, inverse
    names: list[str] = []
    for ex in extras:
        names.extend(k for k in ex if k not in names)
    custom = [k for k in names if k not in _EXTRA_ORDER and k != "request_url"
              and k not in prop_names]
    own_props = [k for k in prop_names if k not in out]  # not canonical (typed above)
    order = (["request_url"] if "request_url" in names else []) + own_props + [
        k for k in _EXTRA_ORDER if k in names] + custom
    for name in order:
        if name in own_props:
            out[name] = per_session(name)
            continue
        out[name] = _spread(name, extras, where, n)
        if streamed:
            release_memory()
    front = [*REQUIRED_COLUMNS, "seq"]
    ordered = front + [c for c in OPTIONAL_COLUMNS if c in out] + [
        c for c in out if c not in front and c not in OPTIONAL_COLUMNS]
    frame = pd.DataFrame({c: out.pop(c) for c in ordered}, copy=False)
    if streamed:
        release_memory()
    return frame


def _spread(name: str, extras: list[dict[str, Any]], where: list[np.ndarray], n: int) -> Any:
    """One extra column of the result from the chunks' dense or sparse pieces (freed here)."""
    pieces = [ex.pop(name, None) for ex in extras]
    kind = next(p.kind if isinstance(p, _Sparse) else None for p in pieces if p is not None)
    if kind is None:  # dense pieces (window_id, target_is_control)
        out = np.full(n, None, dtype=object)
        dtype = None
        for piece, at in zip(pieces, where):
            if piece is None:
                continue
            rows = np.flatnonzero(at >= 0)
            if isinstance(piece, np.ndarray):
                out[at[rows]] = piece[rows]
            else:  # a pandas extension array (boolean)
                dtype = piece.dtype
                out[at[rows]] = piece[rows].to_numpy(dtype=object, na_value=None)
        return out if dtype is None else pd.array(out, dtype=dtype)
    if kind is float:
        out = np.full(n, np.nan)
    else:
        out = np.full(n, None, dtype=object)
    for piece, at in zip(pieces, where):
        if piece is None or not len(piece.rows):
            continue
        target = at[piece.rows]
        keep = target >= 0
        out[target[keep]] = piece.values[keep]
    if kind == "boolean" or kind == "Int64":
        return pd.array(out, dtype=kind)
    return out


class _LazyRecordings(MutableMapping[str, list[dict[str, Any]]]):
    """``EventLog.recordings`` of a streaming read: raw events re-read from the files on access.

    Keys are the session ids that had raw events; a value is the session's
    decoded raw events in time order, exactly as a non-streaming read keeps
    them: the lines (or whole JSON documents) that held the session are read
    again and flattened with the same options, and the last
    :data:`LAZY_CACHE_SESSIONS` sessions stay decoded. Assigning or deleting
    a key works as on a dict (held in memory).
    """

    is_lazy = True

    def __init__(self, reader: _Reader) -> None:
        self._files = list(reader.sources)
        self._options = dict(session_id=reader.session_id, user_id=reader.user_id,
                             mask=reader.privacy)
        seen: dict[str, set[str]] = {}
        for bucket in reader.all_buckets:
            wids = seen.setdefault(bucket.session_id, set())
            if bucket.window_id is not None:
                wids.add(bucket.window_id)
        self._keys = list(seen)
        self._multi = [sid for sid, w in seen.items() if len(w) > 1]
        self._where = {sid: reader.locations.get(sid, {}) for sid in self._keys}
        self._cache: OrderedDict[str, tuple[list[Any], dict[str, Any]]] = OrderedDict()
        self._own: dict[str, list[dict[str, Any]]] = {}
        self._deleted: set[str] = set()

    def _load(self, sid: str) -> tuple[list[Any], dict[str, Any]]:
        hit = self._cache.get(sid)
        if hit is not None:
            self._cache.move_to_end(sid)
            return hit
        reader = _Reader(keep_recordings=True, max_file_bytes=None, **self._options)
        for number, lines in sorted(self._where.get(sid, {}).items()):
            reader.file_index = number
            reader.add_file(Path(self._files[number]), lines=lines)
        reader.finish({})
        value = (reader.recordings.get(sid, []), reader.windows.get(sid, {}))
        self._cache[sid] = value
        while len(self._cache) > LAZY_CACHE_SESSIONS:
            self._cache.popitem(last=False)
        return value

    def __getitem__(self, sid: str) -> list[dict[str, Any]]:
        if sid in self._own:
            return self._own[sid]
        if sid in self._deleted or sid not in self._where:
            raise KeyError(sid)
        return self._load(sid)[0]

    def __setitem__(self, sid: str, events: list[dict[str, Any]]) -> None:
        self._own[sid] = events
        self._deleted.discard(sid)

    def __delitem__(self, sid: str) -> None:
        if sid not in self:
            raise KeyError(sid)
        self._own.pop(sid, None)
        self._deleted.add(sid)

    def __contains__(self, sid: object) -> bool:
        return sid in self._own or (sid in self._where and sid not in self._deleted)

    def __iter__(self) -> Iterator[str]:
        yield from (k for k in self._keys if k not in self._deleted)
        yield from (k for k in self._own if k not in self._where)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"<recordings of {len(self):,} sessions, re-read from {len(self._files):,} files>"

    def subset(self, ids: Iterable[str]) -> _LazyRecordings:
        """The same lazy mapping restricted to these session ids (nothing read)."""
        keep = set(ids)
        other = object.__new__(_LazyRecordings)
        other.__dict__.update(self.__dict__)
        other._keys = [k for k in self._keys if k in keep]
        other._where = {k: v for k, v in self._where.items() if k in keep}
        other._multi = [k for k in self._multi if k in keep]
        other._own = {k: v for k, v in self._own.items() if k in keep}
        other._cache = OrderedDict()
        other._deleted = set(self._deleted)
        return other

    def windows(self) -> dict[str, Any]:
        """``meta["recording_windows"]``: per multi-window session, its windows (lazy)."""
        return _LazyWindows(self)


class _LazyWindows(Mapping[str, dict[str, list[dict[str, Any]]]]):
    """Per session with several windows, ``{window_id: raw events}``, read on access."""

    def __init__(self, recordings: _LazyRecordings) -> None:
        self._recordings = recordings

    def __getitem__(self, sid: str) -> dict[str, list[dict[str, Any]]]:
        if sid not in self._recordings._multi:
            raise KeyError(sid)
        return self._recordings._load(sid)[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._recordings._multi)

    def __len__(self) -> int:
        return len(self._recordings._multi)

    def __bool__(self) -> bool:
        return bool(self._recordings._multi)


def _reject_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Rejected rows by source then position (ints before 'line N'/'i.j' labels)."""
    pos = row[1]
    if isinstance(pos, int):
        return (row[0], 0, (pos,), "")
    return (row[0], 1, tuple(int(d) for d in re.findall(r"\d+", str(pos))), str(pos))


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


def _timestamp(ev: Mapping[str, Any]) -> Any:
    return ev["timestamp"]


def _str_or_none(v: Any) -> str | None:
    if v is None or v == "":
        return None
    return v if type(v) is str else str(v)


def _not_event_reason(ev: Any) -> str:
    return (
        "not an rrweb event: expected an object with 'type', 'data' and 'timestamp', "
        f"found {type(ev).__name__}"
    )


def _looks_like_event(item: Any) -> bool:
    return isinstance(item, dict) and "type" in item and ("timestamp" in item or "data" in item)


def _classify(items: list[Any]) -> str | None:
    """What a JSON array holds: rrweb ``events``, ``recordings``, ``captures`` or None."""
    if not items:
        return "events"
    for item in items[:50]:
        if isinstance(item, str):
            return "events"  # packed events
        if not isinstance(item, dict):
            continue
        if item.get("event") == "$snapshot":
            return "captures"
        if isinstance(item.get("events"), list) or (
            "window_id" in item and isinstance(item.get("data"), list)
        ):
            return "recordings"
        if _looks_like_event(item):
            return "events"
    return None


def _found(value: Any) -> str:
    """A short description of a JSON value for error messages."""
    if isinstance(value, list):
        dicts = [v for v in value[:50] if isinstance(v, dict)]
        if dicts:
            keys = sorted({str(k) for d in dicts for k in d})[:12]
            return f"a list of {len(value):,} objects with keys {keys}"
        kinds = sorted({type(v).__name__ for v in value[:50]})
        return f"a list of {len(value):,} values of type {', '.join(kinds)}"
    if isinstance(value, dict):
        return f"an object with keys {sorted(str(k) for k in value)[:12]}"
    return f"a JSON {type(value).__name__}"


def _not_rrweb(source: str, value: Any) -> str:
    found = _found(value)
    return (
        f"{source} is not an rrweb recording: found {found}.\nExpected a JSON array of rrweb "
        "events (objects with 'type', 'data' and 'timestamp'), an object with an 'events' "
        "list, JSON lines with one recording per line, or a PostHog recording export "
        "('$snapshot' events, {'window_id', 'data'} lines, 'snapshot_data_by_window_id', "
        "{'result': {'snapshots': [...]}}).\nFix: for an analytics events table use "
        "ux.read_events(...) or ux.read_posthog(...)."
    )


def _decode_cv(ev: dict[str, Any]) -> dict[str, Any]:
    """Undo PostHog's ``cv: "2024-10"`` compression (gzip'd JSON in latin-1 strings)."""
    out = {k: v for k, v in ev.items() if k != "cv"}
    data = ev.get("data")
    if isinstance(data, str):
        out["data"] = gunzip_json(data)
        return out
    if isinstance(data, dict):
        src = data.get("source")
        fields = _CV_FIELDS.get(src) if ev.get("type") == 3 and type(src) is int else None
        if fields and any(isinstance(data.get(f), str) for f in fields):
            data = dict(data)
            for f in fields:
                if isinstance(data.get(f), str):
                    data[f] = gunzip_json(data[f])
            out["data"] = data
    return out


class _Columns:
    """Column lists filled by the flatteners; one DataFrame is built at the end."""

    def __init__(self) -> None:
        self.ts: list[float] = []
        self.code: list[int] = []
        self.ctx: list[int] = []
        self.items: list[Any] = []
        self.names: list[str] = []
        self.name_code: dict[str, int] = {}
        # context rows: bucket, url, viewport, page height, page scroll
        self.c_bucket: list[int] = []
        self.c_url: list[str | None] = []
        self.c_vw: list[float | None] = []
        self.c_vh: list[float | None] = []
        self.c_ph: list[float | None] = []
        self.c_sy: list[float] = []
        # sparse columns: row indexes and values
        self.xy_rows: list[int] = []
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.t_rows: list[int] = []
        self.targets: list[str | None] = []
        self.texts: list[str | None] = []
        self.controls: list[bool] = []
        self.v_rows: list[int] = []
        self.values: list[Any] = []
        self.checked: list[Any] = []
        self.m_rows: list[int] = []
        self.changes: list[int] = []
        self.l_rows: list[int] = []
        self.levels: list[str] = []
        self.messages: list[str] = []
        self.n_rows: list[int] = []
        self.req_urls: list[Any] = []
        self.methods: list[Any] = []
        self.statuses: list[Any] = []
        self.durations: list[Any] = []
        self.s_rows: list[int] = []
        self.scroll_tops: list[float] = []
        self.props: dict[str, tuple[list[int], list[Any]]] = {}

    def code_of(self, name: str) -> int:
        code = self.name_code.get(name)
        if code is None:
            code = self.name_code[name] = len(self.names)
            self.names.append(name)
        return code

    def frame(self, buckets: list[_Bucket]) -> tuple[pd.DataFrame, dict[str, Any], list[Any]]:
        """Canonical columns (for validate), the reader's extra columns, the raw items per row.

        Session-level columns (``user_id`` and ``identify`` properties) are left
        out: an ``identify`` may come in a later chunk, so :func:`_assemble`
        sets them on the whole result.
        """
        n = len(self.ts)
        ctx = np.asarray(self.ctx, dtype=np.int64)
        row_bucket = np.asarray(self.c_bucket, dtype=np.int64)[ctx] if n else ctx
        sids = [b.session_id for b in buckets]
        cols: dict[str, Any] = {
            "session_id": np.asarray(sids + [None], dtype=object)[:-1][row_bucket],
            "user_id": np.full(n, None, dtype=object),
            "timestamp": _to_datetime(self.ts),
            "event": pd.Categorical.from_codes(
                np.asarray(self.code, dtype=np.int32), categories=self.names or ["_"]
            ) if n else np.asarray([], dtype=object),
            "url": np.asarray(self.c_url, dtype=object)[ctx] if n else ctx.astype(object),
        }
        cols["x"] = _sparse(n, self.xy_rows, self.xs, float)
        cols["y"] = _sparse(n, self.xy_rows, self.ys, float)
        cols["viewport_w"] = np.asarray(self.c_vw, dtype=np.float64)[ctx] if n else ctx * 1.0
        cols["viewport_h"] = np.asarray(self.c_vh, dtype=np.float64)[ctx] if n else ctx * 1.0
        cols["page_h"] = np.asarray(self.c_ph, dtype=np.float64)[ctx] if n else ctx * 1.0
        cols["scroll_y"] = np.asarray(self.c_sy, dtype=np.float64)[ctx] if n else ctx * 1.0
        cols["target"] = _sparse(n, self.t_rows, self.targets, object)
        cols["target_text"] = _sparse(n, self.t_rows, self.texts, object)
        extras: dict[str, Any] = {}
        if self.l_rows:
            cols["level"] = _sparse(n, self.l_rows, self.levels, object)
            cols["message"] = _sparse(n, self.l_rows, self.messages, object)
        if self.n_rows:
            cols["method"] = _sparse(n, self.n_rows, self.methods, object)
            cols["status"] = _sparse(n, self.n_rows, self.statuses, float)
            cols["duration_ms"] = _sparse(n, self.n_rows, self.durations, float)
            extras["request_url"] = _Sparse(self.n_rows, self.req_urls, object)
        if n and any(buckets[i].window_id is not None for i in set(self.c_bucket)):
            wids = [b.window_id for b in buckets]
            extras["window_id"] = np.asarray(wids + [None], dtype=object)[:-1][row_bucket]
        extras["target_is_control"] = _sparse(n, self.t_rows, self.controls, "boolean")
        if self.v_rows:
            extras["value"] = _Sparse(self.v_rows, self.values, object)
            extras["checked"] = _Sparse(self.v_rows, self.checked, "boolean")
        if self.m_rows:
            extras["changes"] = _Sparse(self.m_rows, self.changes, "Int64")
        if self.s_rows:
            extras["scroll_top"] = _Sparse(self.s_rows, self.scroll_tops, float)
        for key, (rows, values) in self.props.items():
            extras[key] = _Sparse(rows, values, object)
        cols["_row"] = np.arange(n, dtype=np.int64)
        return pd.DataFrame(cols, copy=False), extras, self.items


class _Sparse:
    """A mostly empty extra column of a chunk: only its filled rows and their values."""

    __slots__ = ("rows", "values", "kind")

    def __init__(self, rows: list[int], values: list[Any], kind: Any) -> None:
        self.rows = np.asarray(rows, dtype=np.int64)
        if kind is float:
            self.values = np.asarray(values, dtype=np.float64)
        else:
            self.values = np.empty(len(values), dtype=object)
            self.values[:] = values
        self.kind = kind


def _to_datetime(ts: list[float]) -> pd.Series:
    arr = np.asarray(ts, dtype=np.float64)
    whole = np.floor(arr)
    ns = whole.astype(np.int64) * 1_000_000 + np.round((arr - whole) * 1e6).astype(np.int64)
    return pd.Series(pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC"))


def _sparse(n: int, rows: list[int], values: list[Any], kind: Any) -> Any:
    if kind is float:
        out = np.full(n, np.nan)
        if rows:
            out[np.asarray(rows, dtype=np.int64)] = np.asarray(values, dtype=np.float64)
        return out
    out_obj = np.full(n, None, dtype=object)
    if rows:
        vals = np.empty(len(values), dtype=object)
        vals[:] = values
        out_obj[np.asarray(rows, dtype=np.int64)] = vals
    if kind == "boolean" or kind == "Int64":
        return pd.array(out_obj, dtype=kind)
    return out_obj


class _Flattener:
    """Turns one (session, window) stream into canonical rows, in time order."""

    def __init__(
        self,
        reader: _Reader,
        cols: _Columns,
        bucket: _Bucket,
        bucket_index: int,
        session_props: dict[str, dict[str, Any]],
    ) -> None:
        self.reader = reader
        self.cols = cols
        self.bucket = bucket
        self.bucket_index = bucket_index
        self.session_props = session_props
        self.mask = reader.mask
        self.privacy = reader.privacy
        # DomMirror has one switch for private subtrees and PII patterns in texts.
        self.dom = DomMirror(mask=reader.privacy.honour_classes or reader.privacy.mask_text)
        self.url: str | None = None
        self.vw: float | None = None
        self.vh: float | None = None
        self.page_h: float | None = None
        self.sx: float = 0.0
        self.sy: float = 0.0
        self.metas = 0
        self.loaded_since_meta = True
        self.url_cache: dict[str, str] = {}
        self.ctx = -1
        self.meta_ctx = False
        self.new_context()

    def new_context(self, *, from_meta: bool = False) -> None:
        """Start a new context row (URL, viewport, page height, scroll) for later rows."""
        self.meta_ctx = from_meta
        c = self.cols
        self.ctx = len(c.c_bucket)
        c.c_bucket.append(self.bucket_index)
        c.c_url.append(self.url)
        c.c_vw.append(self.vw)
        c.c_vh.append(self.vh)
        c.c_ph.append(self.page_h)
        c.c_sy.append(self.sy)

    def masked_url(self, href: str) -> str:
        out = self.url_cache.get(href)
        if out is None:
            out = self.url_cache[href] = self.privacy.url(href)
        return out

    # The hot loop: one pass over the raw events in time order.
    def run(self) -> list[dict[str, Any]]:
        cols = self.cols
        dom = self.dom
        reject = self.reader.reject
        ts_col, code_col, ctx_col, item_col = cols.ts, cols.code, cols.ctx, cols.items
        xy_rows, xs, ys = cols.xy_rows, cols.xs, cols.ys
        t_rows, targets, texts, controls = cols.t_rows, cols.targets, cols.texts, cols.controls
        code_of = cols.code_of
        c_mutation = code_of("mutation")
        c_mousemove = code_of("mousemove")
        mouse_codes = {k: code_of(v) for k, v in _MOUSE_ROWS.items()}
        c_scroll = code_of("scroll")
        c_input = code_of("input")
        mask_value = self.privacy.input
        seen: dict[tuple[Any, int], Any] = {}
        loaded: list[dict[str, Any]] = []
        dom_info = dom._info
        describe = dom.describe

        for item in self.bucket.items:
            ts, ev, source, pos = item
            et = ev["type"]
            data = ev.get("data")
            try:
                if et != 0 and et != 1 and et != 7 and type(data) is not dict:
                    raise _Reject("malformed payload: 'data' is not an object")
                # Exact duplicates: compare only events sharing (timestamp, type).
                key = (ts, et)
                prev = seen.get(key)
                if prev is None:
                    seen[key] = ev
                elif prev == ev or (type(prev) is list and ev in prev):
                    raise _Reject("duplicate event (same JSON as an earlier event)")
                else:
                    seen[key] = [prev, ev] if type(prev) is not list else [*prev, ev]

                if et == 3:
                    src = data.get("source")
                    if type(src) is not int:
                        raise _Reject(f"unknown incremental source {src!r:.40} (rrweb sources are 0-16)")
                    if src == 0:
                        changes = _check_mutation(data)
                        dom.apply_mutation(data)
                        cols.m_rows.append(len(ts_col))
                        cols.changes.append(changes)
                        ts_col.append(ts)
                        code_col.append(c_mutation)
                        ctx_col.append(self.ctx)
                        item_col.append(item)
                    elif src == 1 or src == 6 or src == 12:
                        positions = data.get("positions")
                        if type(positions) is not list:
                            raise _Reject("malformed payload: 'positions' is not a list")
                        sx, sy = self.sx, self.sy
                        rows = []
                        for k, p in enumerate(positions):
                            if type(p) is not dict:
                                raise _Reject(f"malformed position {k}: not an object")
                            x, y, off = p.get("x"), p.get("y"), p.get("timeOffset", 0)
                            if not (_is_num(x) and _is_num(y)):
                                raise _Reject(f"malformed position {k}: x/y are not numbers")
                            if off is None:
                                off = 0
                            elif not _is_num(off):
                                raise _Reject(f"malformed position {k}: timeOffset is not a number")
                            dx, dy = x + sx, y + sy
                            if dx < 0 or dy < 0:
                                raise _Reject(
                                    f"negative coordinates at position {k}: x={dx:g}, y={dy:g} "
                                    "(document px)"
                                )
                            if dx > MAX_COORDINATE or dy > MAX_COORDINATE:
                                raise _Reject(
                                    f"absurd coordinates at position {k}: x={dx:g}, y={dy:g}"
                                )
                            t = ts + off
                            if not MIN_TIMESTAMP_MS <= t < MAX_TIMESTAMP_MS:
                                raise _Reject(f"malformed position {k}: timeOffset {off!r:.20} out of range")
                            rows.append((t, dx, dy, _node_id(p.get("id"))))
                        if src == 1:
                            for t, dx, dy, nid in rows:
                                r = len(ts_col)
                                ts_col.append(t)
                                code_col.append(c_mousemove)
                                ctx_col.append(self.ctx)
                                item_col.append(item)
                                xy_rows.append(r)
                                xs.append(dx)
                                ys.append(dy)
                                sel, text, ctl = describe(nid)
                                t_rows.append(r)
                                targets.append(sel)
                                texts.append(text)
                                controls.append(ctl)
                    elif src == 2:
                        mtype = data.get("type")
                        if type(mtype) is not int or not 0 <= mtype <= 10:
                            raise _Reject(f"unknown mouse interaction type {mtype!r:.40}")
                        code = mouse_codes.get(mtype)
                        if code is not None:
                            x = _num_or_none(data.get("x"), "x")
                            y = _num_or_none(data.get("y"), "y")
                            nid = _node_id(data.get("id"))
                            r = len(ts_col)
                            if x is not None and y is not None:
                                dx, dy = x + self.sx, y + self.sy
                                _check_xy(dx, dy)
                                xy_rows.append(r)
                                xs.append(dx)
                                ys.append(dy)
                            sel, text, ctl = describe(nid)
                            t_rows.append(r)
                            targets.append(sel)
                            texts.append(text)
                            controls.append(ctl)
                            ts_col.append(ts)
                            code_col.append(code)
                            ctx_col.append(self.ctx)
                            item_col.append(item)
                    elif src == 3:
                        x = data.get("x", 0)
                        y = data.get("y", 0)
                        if not (_is_num(x) and _is_num(y)):
                            raise _Reject("malformed payload: scroll x/y are not numbers")
                        if x < 0 or y < 0:
                            raise _Reject(f"negative scroll offset: x={x:g}, y={y:g}")
                        if x > MAX_COORDINATE or y > MAX_COORDINATE:
                            raise _Reject(f"absurd scroll offset: x={x:g}, y={y:g}")
                        nid = _node_id(data.get("id"))
                        root = dom.root_id if dom.root_id is not None else 1
                        r = len(ts_col)
                        if nid == root:
                            self.sx, self.sy = float(x), float(y)
                            self.new_context()
                        else:
                            sel, ctl, _ = dom_info(nid)
                            t_rows.append(r)
                            targets.append(sel)
                            texts.append(None)
                            controls.append(ctl)
                            cols.s_rows.append(r)
                            cols.scroll_tops.append(float(y))
                        ts_col.append(ts)
                        code_col.append(c_scroll)
                        ctx_col.append(self.ctx)
                        item_col.append(item)
                    elif src == 5:
                        text = data.get("text")
                        if text is not None and type(text) is not str:
                            raise _Reject("malformed payload: input text is not a string")
                        checked = data.get("isChecked")
                        if checked is not None and type(checked) is not bool:
                            raise _Reject("malformed payload: isChecked is not a boolean")
                        nid = _node_id(data.get("id"))
                        sel, text_, ctl = describe(nid)
                        r = len(ts_col)
                        t_rows.append(r)
                        targets.append(sel)
                        texts.append(text_)
                        controls.append(ctl)
                        cols.v_rows.append(r)
                        cols.values.append(mask_value(text))
                        cols.checked.append(checked)
                        ts_col.append(ts)
                        code_col.append(c_input)
                        ctx_col.append(self.ctx)
                        item_col.append(item)
                    elif src == 4:
                        w, h = data.get("width"), data.get("height")
                        if not (_is_num(w) and _is_num(h)) or not (
                            0 < w <= MAX_COORDINATE and 0 < h <= MAX_COORDINATE
                        ):
                            raise _Reject(f"malformed payload: viewport size {w!r:.20}x{h!r:.20}")
                        self.vw, self.vh = float(w), float(h)
                        self.new_context()
                        self.emit(ts, "resize", item)
                    elif src == 11:
                        self.console(ts, data, item)
                    elif src == 14:
                        ranges = data.get("ranges")
                        if type(ranges) is not list:
                            raise _Reject("malformed payload: selection ranges is not a list")
                        first = ranges[0] if ranges else None
                        nid = _node_id(first.get("start")) if type(first) is dict else None
                        r = self.emit(ts, "selection", item)
                        if nid is not None:
                            sel, ctl, _ = dom_info(nid)
                            t_rows.append(r)
                            targets.append(sel)
                            texts.append(None)
                            controls.append(ctl)
                    elif src not in _KNOWN_SOURCES:
                        raise _Reject(f"unknown incremental source {src!r:.40} (rrweb sources are 0-16)")
                elif et == 4:
                    self.meta(ts, data, item)
                elif et == 2:
                    node = data.get("node")
                    if type(node) is not dict:
                        raise _Reject("malformed payload: full snapshot without a 'node' object")
                    offset = data.get("initialOffset")
                    top = left = 0
                    if type(offset) is dict:
                        top = offset.get("top", 0) or 0
                        left = offset.get("left", 0) or 0
                        if not (_is_num(top) and _is_num(left)) or top < 0 or left < 0:
                            raise _Reject(f"malformed payload: initialOffset {offset!r:.60}")
                    dom.load_snapshot(node)
                    self.sx, self.sy = float(left), float(top)
                    page_h = _page_height_attr(node)
                    if page_h is not None:
                        self.page_h = page_h
                    if self.meta_ctx:
                        # Meta and FullSnapshot are emitted together: the pageview
                        # row shares the snapshot's scroll and page height.
                        cols.c_ph[self.ctx] = self.page_h
                        cols.c_sy[self.ctx] = self.sy
                    else:
                        self.new_context()
                elif et == 5:
                    self.custom(ts, data, item)
                elif et == 6:
                    self.plugin(ts, ev, data, item)
                elif et == 0 or et == 1:
                    self.loaded_since_meta = True
            except _Reject as exc:
                reject(source, pos, str(exc), ev)
                continue
            loaded.append(ev)
        return loaded

    def emit(self, ts: float, name: str, item: Any) -> int:
        c = self.cols
        r = len(c.ts)
        c.ts.append(ts)
        c.code.append(c.code_of(name))
        c.ctx.append(self.ctx)
        c.items.append(item)
        return r

    def meta(self, ts: float, data: dict[str, Any], item: Any) -> None:
        href = data.get("href")
        if type(href) is not str:
            raise _Reject("malformed payload: Meta without an 'href' string")
        w = _num_or_none(data.get("width"), "width")
        h = _num_or_none(data.get("height"), "height")
        if (w is not None and not 0 <= w <= MAX_COORDINATE) or (
            h is not None and not 0 <= h <= MAX_COORDINATE
        ):
            raise _Reject(f"malformed payload: viewport size {w!r:.20}x{h!r:.20}")
        url = self.masked_url(href)
        # A Meta with the same URL and no page load since the previous one is an rrweb
        # checkout (periodic re-snapshot), not a new pageview.
        is_view = self.metas == 0 or url != self.url or self.loaded_since_meta
        self.metas += 1
        self.loaded_since_meta = False
        if is_view:
            self.page_h = None
            self.sx = self.sy = 0.0
        self.url = url
        if w is not None and w > 0:
            self.vw = float(w)
        if h is not None and h > 0:
            self.vh = float(h)
        self.new_context(from_meta=True)
        if is_view:
            self.emit(ts, "pageview", item)

    def console(self, ts: float, payload: Any, item: Any) -> None:
        if type(payload) is not dict:
            raise _Reject("malformed payload: console payload is not an object")
        level = payload.get("level")
        args = payload.get("payload", [])
        if type(level) is not str or not level:
            raise _Reject("malformed payload: console level is not a string")
        if type(args) is not list:
            args = [args]
        message = " ".join(_console_arg(a) for a in args)[:MAX_MESSAGE]
        if self.reader.text_fn is not None:
            message = self.reader.text_fn(message)
        r = self.emit(ts, "console", item)
        self.cols.l_rows.append(r)
        self.cols.levels.append(level)
        self.cols.messages.append(message)

    def plugin(self, ts: float, ev: dict[str, Any], data: dict[str, Any], item: Any) -> None:
        name = data.get("plugin")
        if type(name) is not str:
            raise _Reject("malformed payload: plugin event without a 'plugin' name")
        payload = data.get("payload")
        if name == _CONSOLE_PLUGIN:
            self.console(ts, payload, item)
        elif name == _NETWORK_PLUGIN:
            self.network(ts, payload, item)

    def network(self, ts: float, payload: Any, item: Any) -> None:
        requests = payload.get("requests") if type(payload) is dict else None
        if type(requests) is not list:
            raise _Reject("malformed payload: network payload without a 'requests' list")
        parsed = []
        ends = []
        for k, req in enumerate(requests):
            if type(req) is not dict or type(req.get("name")) is not str:
                raise _Reject(f"malformed network request {k}: no 'name' URL")
            start = _num_or_none(req.get("startTime"), f"request {k} startTime")
            end = _num_or_none(req.get("endTime"), f"request {k} endTime")
            duration = _num_or_none(req.get("duration"), f"request {k} duration")
            if duration is None and start is not None and end is not None:
                duration = end - start
            if end is None and start is not None:
                end = start + (duration or 0)
            status = req.get("status")
            if status is not None and not (_is_num(status) and 0 <= status < 1000):
                raise _Reject(f"malformed network request {k}: status {status!r:.20}")
            method = req.get("method")
            parsed.append((req["name"], method, status, duration, start))
            if end is not None:
                ends.append(end)
        # performance.now() times: the batch is emitted when its last request ends.
        origin = ts - max(ends) if ends else None
        whens = [
            origin + start if origin is not None and start is not None else ts
            for _, _, _, _, start in parsed
        ]
        for k, when in enumerate(whens):
            if not MIN_TIMESTAMP_MS <= when < MAX_TIMESTAMP_MS:
                raise _Reject(f"malformed network request {k}: startTime/endTime out of range")
        cols = self.cols
        for (name, method, status, duration, _), when in zip(parsed, whens):
            r = self.emit(when, "network", item)
            cols.n_rows.append(r)
            cols.req_urls.append(self.masked_url(name))
            cols.methods.append(str(method).upper() if method else None)
            cols.statuses.append(status)
            cols.durations.append(duration)

    def custom(self, ts: float, data: dict[str, Any], item: Any) -> None:
        tag = data.get("tag")
        if type(tag) is not str or not tag.strip():
            raise _Reject("malformed payload: custom event without a 'tag' string")
        payload = data.get("payload")
        if tag == "identify":
            if type(payload) is not dict:
                raise _Reject("malformed payload: identify payload is not an object")
            props = self.session_props.setdefault(self.bucket.session_id, {})
            for key, value in payload.items():
                key = str(key)
                if key == "is_returning":
                    props[key] = _as_bool(value)
                elif key == "user_id" or key in _SESSION_CANONICAL:
                    props[key] = None if value is None else str(value)
                else:
                    props[_column_name(key)] = _scalar(value, self.reader.text_fn)
            self.emit(ts, "identify", item)
            return
        if tag == "page_size" and type(payload) is dict:
            height = payload.get("height", payload.get("page_h"))
            if _is_num(height) and 0 < height < MAX_COORDINATE:
                self.page_h = float(height)
                self.new_context()
        name = f"custom:{tag}" if tag in _BUILTIN else tag
        r = self.emit(ts, name, item)
        props = self.cols.props
        if type(payload) is dict:
            for key, value in payload.items():
                col = _column_name(str(key))
                entry = props.get(col)
                if entry is None:
                    entry = props[col] = ([], [])
                entry[0].append(r)
                entry[1].append(_scalar(value, self.reader.text_fn))
        elif payload is not None:
            entry = props.setdefault("payload", ([], []))
            entry[0].append(r)
            entry[1].append(_scalar(payload, self.reader.text_fn))


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


def _column_name(key: str) -> str:
    return f"payload_{key}" if key in _RESERVED else key


def _map_text(values: pd.Series, fn: Any) -> pd.Series:
    cache: dict[str, Any] = {}
    out = [
        (cache[v] if v in cache else cache.setdefault(v, fn(v))) if type(v) is str else v
        for v in values.tolist()
    ]
    return pd.Series(out, index=values.index, dtype=object)


def _scalar(value: Any, text_fn: Any) -> Any:
    if isinstance(value, (dict, list)):
        value = excerpt_json(value, 10_000)
    if text_fn is not None and type(value) is str:
        return text_fn(value)
    return value


def _console_arg(arg: Any) -> str:
    if type(arg) is str:
        if len(arg) >= 2 and arg[0] == '"' and arg[-1] == '"':
            try:
                inner = orjson.loads(arg)
            except orjson.JSONDecodeError:
                return arg
            if type(inner) is str:
                return inner
        return arg
    return excerpt_json(arg, MAX_MESSAGE)


def _node_id(value: Any) -> int | None:
    """A node id from a payload: an int, or None when absent."""
    if value is None or type(value) is int:
        return value
    raise _Reject(f"malformed payload: node id {value!r:.40} is not an integer")


def _check_xy(x: float, y: float) -> None:
    if x < 0 or y < 0:
        raise _Reject(f"negative coordinates: x={x:g}, y={y:g} (document px)")
    if x > MAX_COORDINATE or y > MAX_COORDINATE:
        raise _Reject(f"absurd coordinates: x={x:g}, y={y:g} (document px)")


def _check_mutation(data: dict[str, Any]) -> int:
    """Validate a Mutation payload's lists; return adds + removes + texts + attributes."""
    changes = 0
    for key in _MUTATION_KEYS:
        entries = data.get(key)
        if entries is None:
            continue
        if type(entries) is not list:
            raise _Reject(f"malformed payload: mutation '{key}' is not a list")
        if key == "adds":
            for entry in entries:
                node = entry.get("node") if type(entry) is dict else None
                if not (
                    type(node) is dict
                    and type(node.get("id")) is int
                    and type(entry.get("parentId")) is int
                    and _optional_int(entry.get("nextId"))
                    and _optional_int(entry.get("previousId"))
                ):
                    raise _Reject(
                        f"malformed payload: mutation adds[{entries.index(entry)}] needs "
                        "integer parentId and a node with an integer id"
                    )
        else:
            for entry in entries:
                if type(entry) is not dict or type(entry.get("id")) is not int:
                    raise _Reject(
                        f"malformed payload: mutation {key}[{entries.index(entry)}] has no "
                        "integer node id"
                    )
            if key == "attributes":
                for entry in entries:
                    if type(entry["attributes"] if "attributes" in entry else None) is not dict:
                        raise _Reject(
                            f"malformed payload: mutation attributes[{entries.index(entry)}] "
                            "is not an object"
                        )
        changes += len(entries)
    return changes


def _optional_int(value: Any) -> bool:
    return value is None or type(value) is int


def _page_height_attr(node: dict[str, Any]) -> float | None:
    """``data-page-height`` on the snapshot's ``<html>`` or ``<body>``, if any."""
    children = node.get("childNodes")
    for child in children if type(children) is list else ():
        if type(child) is dict and child.get("tagName") == "html":
            candidates = [child]
            grandchildren = child.get("childNodes")
            for grandchild in grandchildren if type(grandchildren) is list else ():
                if type(grandchild) is dict and grandchild.get("tagName") == "body":
                    candidates.append(grandchild)
            for el in candidates:
                attrs = el.get("attributes")
                value = attrs.get("data-page-height") if type(attrs) is dict else None
                try:
                    height = float(value) if value is not None else None
                except (TypeError, ValueError):
                    height = None
                if height is not None and 0 < height < MAX_COORDINATE:
                    return height
    return None


def read_rrweb(
    source: Any,
    *,
    session_id: str | None = None,
    user_id: str | None = None,
    mask: bool | Privacy = True,
    progress: bool | None = None,
    keep_recordings: bool = True,
    max_file_bytes: int | None = MAX_FILE_BYTES,
) -> EventLog:
    """Read rrweb recordings into canonical events, keeping the raw events for replay.

    Parameters
    ----------
    source
        A path to a ``.json``/``.json.gz`` file (an array of rrweb events,
        ``{"events": [...]}`` or a PostHog recording export), a JSON-lines file
        (``.jsonl``/``.jsonl.gz``: one recording per line as
        ``{"session_id", "user_id"?, "events"}``, PostHog blob lines
        ``{"window_id", "data"}``, or one event per line), a directory of
        such files (read recursively), or in memory: a list of events, a list
        of recordings, a dict of one of those shapes, or the file's bytes.
    session_id
        Session id for every event. Default: an event's ``sessionId`` or
        ``$session_id`` key, else the recording's ``session_id``, else the
        file stem (``"memory"`` for in-memory data).
    user_id
        User id for every event. Default: the ``user_id`` of an ``identify``
        custom event, else the recording's ``user_id`` / PostHog
        ``distinct_id``, else the session id (anonymous).
    mask
        Mask by default (see :mod:`uxlens.privacy`): input values keep only
        their punctuation and spacing, emails/phones/cards/IBANs are masked in
        texts, console messages and payloads, sensitive URL query values are
        masked, ``rr-mask``/``rr-block``/``data-private`` subtrees are fully
        masked. ``False`` keeps the recorded values (``Privacy.none()``); a
        :class:`uxlens.privacy.Privacy` chooses what is masked and adds custom
        regexes. The policy used is stored in ``log.meta["privacy"]``.
    progress
        Progress bar while reading a directory: ``None`` shows it for more
        than 8 files, ``True``/``False`` force it.
    keep_recordings
        Keep the decoded raw events per session in ``EventLog.recordings``
        (needed for replay and screens). Inputs over ``STREAM_MIN_BYTES``
        (64 MiB on disk, gzip counted 8 times) and any path read with
        ``keep_recordings=False`` are *streamed*, so memory stays near the
        size of the result table, not of the data: a first pass notes where
        each (session, window) stream ends; the second flattens and
        validates complete streams in segments of about 20,000 raw events
        and drops their raw events. The result is the same as a whole read
        (sessions split across files included). ``recordings`` is then a
        mapping that re-reads a session's lines from the files on access
        (the last 8 sessions stay decoded), or empty with
        ``keep_recordings=False``.
    max_file_bytes
        Largest single-document JSON file (``.json``, ``.json.gz``
        decompressed) to parse, in bytes; default 256 MiB. Such a file is
        parsed whole, so a larger one is refused before it exhausts memory: a
        :class:`RecordingFormatError` for a file path, a rejected row (position
        ``"file"``) inside a directory. JSON-lines files have no limit: they
        are read line by line. ``None`` disables the check.

    Returns
    -------
    EventLog
        ``events`` in the canonical schema with reader columns ``window_id``
        (PostHog windows), ``value`` and ``checked`` (inputs), ``changes``
        (mutations: adds + removes + texts + attributes), ``request_url``
        (network), ``scroll_top`` (element scrolls), ``target_is_control``
        (target is or is inside a link/control) and custom-event payload keys.
        ``rejected`` lists the raw events that could not be used.
        ``counts`` satisfies ``loaded + rejected == read`` in raw rrweb
        events (plus unparseable JSON lines and non-recording items).

    Raises
    ------
    RecordingFormatError
        For a missing path, a truncated or invalid JSON file (with the line,
        column and a fix), or data that is not rrweb at all.

    Notes
    -----
    Derived events, one row each:

    - ``pageview``: each Meta event, except an rrweb checkout (a Meta with the
      same URL and no Load/DomContentLoaded since the previous Meta). ``url``
      is ``href`` (fragment dropped, query in ``query``); ``viewport_w/h`` from
      its width/height. Page scroll resets to 0 until the FullSnapshot's
      ``initialOffset``.
    - ``click``, ``dblclick``, ``touch`` (TouchStart), ``focus``, ``blur``
      from MouseInteraction; ``mousemove`` one row per batched position at
      ``timestamp + timeOffset``. ``x``/``y`` are document px: client
      coordinates plus the page scroll current when the event is processed
      (for mouse-move batches: when the batch was emitted). TouchMove and Drag
      batches are loaded but produce no rows.
    - ``scroll``: a scroll of the document node updates the page scroll
      (``scroll_y``); an element scroll keeps ``target`` and its offset in
      ``scroll_top`` and leaves the page scroll unchanged.
    - ``input``: ``value`` masked, ``target``/``target_text`` of the input.
    - ``resize`` (ViewportResize), ``selection``, ``mutation`` (``changes``).
    - ``console`` from the ``rrweb/console@1`` plugin and legacy source 11:
      ``level`` and ``message`` (arguments joined, at most 500 characters,
      masked). No separate ``error`` rows are emitted: an uncaught error is a
      console row with ``level == "error"``.
    - ``network`` from ``rrweb/network@1``: one row per request at
      ``origin + startTime``, where the origin is anchored by assuming the
      batch was emitted when its last request ended.
    - Custom events: their ``tag`` (``custom:<tag>`` if it is a built-in
      name); payload keys become columns (``payload_<key>`` when the key is a
      canonical or reader column). ``identify`` payloads are session-level:
      ``user_id``, ``source``, ``is_returning``, ``device`` and any other key
      are set on every event of the session. ``page_size`` (payload
      ``height``) sets ``page_h``.

    ``target`` is the element's selector resolved on the DOM as it was at the
    event (see :class:`uxlens.io.dom.DomMirror`), ``target_text`` its visible
    text (<= 100 characters, masked). ``page_h`` cannot be measured from a
    snapshot (no layout): it comes from a ``page_size`` custom event or a
    ``data-page-height`` attribute on ``<html>``/``<body>`` in the snapshot,
    and is missing otherwise. Each PostHog window (tab) has its own DOM,
    URL, viewport and scroll; ``window_id`` says which.

    Rejected raw events (``EventLog.rejected``: source, position in its
    recording, reason, excerpt): unknown type or incremental source, missing
    or non-numeric or out-of-range timestamps, malformed payloads, negative
    or absurd (> 1,000,000 px) document coordinates and scroll offsets, and
    exact duplicates (same JSON in the same session and window). Out-of-order
    events are sorted, not rejected. Every raw event is either loaded (kept in
    ``recordings`` even when it produces no row, e.g. snapshots) or rejected.
    Rows then pass through :func:`uxlens.events.validate` (without its
    duplicate rule: exact raw duplicates are already handled); if it rejects
    a row, the raw event that produced it is rejected as a whole, so the
    identity ``loaded + rejected == read`` still holds.

    Examples
    --------
    >>> import uxlens.io.rrweb as rr
    >>> events = [
    ...     {"type": 4, "timestamp": 1700000000000,
    ...      "data": {"href": "https://app.example.com/invite#top", "width": 1280, "height": 800}},
    ...     {"type": 2, "timestamp": 1700000000001, "data": {"initialOffset": {"top": 0, "left": 0},
    ...      "node": {"type": 0, "id": 1, "childNodes": [
    ...          {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
    ...              {"type": 2, "id": 3, "tagName": "body", "attributes": {}, "childNodes": [
    ...                  {"type": 2, "id": 4, "tagName": "button", "attributes": {"id": "send"},
    ...                   "childNodes": [{"type": 3, "id": 5, "textContent": "Send"}]}]}]}]}}},
    ...     {"type": 3, "timestamp": 1700000001000, "data": {"source": 3, "id": 1, "x": 0, "y": 300}},
    ...     {"type": 3, "timestamp": 1700000002000,
    ...      "data": {"source": 2, "type": 2, "id": 5, "x": 100, "y": 40}},
    ... ]
    >>> log = rr.read_rrweb(events, session_id="s1")
    >>> log.events["event"].tolist()
    ['pageview', 'scroll', 'click']
    >>> clicks = log.events[log.events["event"] == "click"]
    >>> clicks[["x", "y", "scroll_y", "target", "target_text"]].values.tolist()
    [[100.0, 340.0, 300.0, 'button#send', 'Send']]
    >>> log.counts
    {'read': 4, 'loaded': 4, 'rejected': 0}
    """
    if max_file_bytes is not None and (
        isinstance(max_file_bytes, bool) or not isinstance(max_file_bytes, int)
        or max_file_bytes <= 0
    ):
        raise UxlensError(
            f"max_file_bytes must be a positive number of bytes or None; got {max_file_bytes!r}. "
            "Fix: e.g. max_file_bytes=512 * 2**20 for 512 MiB."
        )
    with gc_paused():
        return _read(
            source, session_id, user_id, mask, progress, keep_recordings, max_file_bytes
        )


def _read(
    source: Any,
    session_id: str | None,
    user_id: str | None,
    mask: bool | Privacy,
    progress: bool | None,
    keep_recordings: bool,
    max_file_bytes: int | None = MAX_FILE_BYTES,
) -> EventLog:
    reader = _Reader(
        session_id=session_id,
        user_id=user_id,
        mask=mask,
        keep_recordings=keep_recordings,
        max_file_bytes=max_file_bytes,
    )
    meta: dict[str, Any] = {"reader": "rrweb", "mask": reader.mask, "privacy": reader.privacy}
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        meta["source"] = str(path)
        if not path.exists():
            read_bytes(path)  # raises a RecordingFormatError with a hint
        if not keep_recordings or _size_on_disk(path) > STREAM_MIN_BYTES:
            # Streaming, pass 1: where each (session, window) stream ends.
            indexer = _Reader(session_id=session_id, user_id=user_id, mask=False,
                              keep_recordings=False, max_file_bytes=max_file_bytes)
            indexer.indexing = True
            indexer.index = {}
            indexer.add_path(path, progress)
            reader.index, reader.locations = indexer.index, indexer.locations
            meta["streamed"] = True
            del indexer
        reader.add_path(path, progress)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        meta["source"] = _MEMORY
        reader.add_bytes(bytes(source), _MEMORY, "memory")
    elif isinstance(source, (list, tuple, dict)):
        meta["source"] = _MEMORY
        reader.add_value(list(source) if isinstance(source, tuple) else source, _MEMORY, "memory")
    else:
        raise RecordingFormatError(
            f"read_rrweb cannot read a {type(source).__name__}. Expected a path (file or "
            "directory), the bytes of a JSON file, a list of rrweb events, a list of "
            "recordings or a recording dict. Fix: pass the path of your export."
        )
    meta["files"] = reader.sources
    return reader.finish(meta)

