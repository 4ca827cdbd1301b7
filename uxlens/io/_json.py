"""Loading helpers shared by the readers: bytes from files, JSON / JSON-lines
parsing with orjson and precise errors, and the compressed encodings found in
rrweb data (``@rrweb/packer`` strings, PostHog ``cv: "2024-10"`` fields).
"""

from __future__ import annotations

import gc
import gzip
import os
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from ..exceptions import RecordingFormatError, did_you_mean

__all__ = [
    "JSON_SUFFIXES",
    "JSONL_SUFFIXES",
    "read_bytes",
    "read_bytes_limited",
    "open_lines",
    "file_stem",
    "is_jsonl_name",
    "find_recording_files",
    "loads",
    "iter_json_lines",
    "json_error_message",
    "unpack_packed",
    "gunzip_json",
    "excerpt_json",
    "gc_paused",
]

JSON_SUFFIXES = (".json", ".json.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The content of a file, gunzipped when it is gzip (by magic bytes).

    Raises
    ------
    RecordingFormatError
        When the file does not exist (with a "did you mean" hint) or a gzip
        stream is corrupt.
    """
    p = Path(path)
    if not p.exists():
        siblings = [c.name for c in p.parent.iterdir()] if p.parent.is_dir() else []
        raise RecordingFormatError(
            f"No such file or directory: {str(p)!r}.{did_you_mean(p.name, siblings)}\n"
            "Expected a recording file (.json, .json.gz, .jsonl, .jsonl.gz) or a directory "
            "of them. Fix: check the path (relative paths start from the notebook's folder, "
            f"here {os.getcwd()!r})."
        )
    data = p.read_bytes()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise RecordingFormatError(
                f"{p}: the gzip stream is corrupt or truncated ({exc}). Expected a complete "
                "gzip file. Fix: re-download or re-export it; `gzip -t` checks a file."
            ) from None
    return data


def read_bytes_limited(path: str | os.PathLike[str], limit: int | None) -> bytes | None:
    """Like :func:`read_bytes`, or ``None`` when the (decompressed) content exceeds ``limit``.

    The file is never read past ``limit + 1`` bytes (gzip is decompressed in a
    stream), so a huge file costs no more memory than the limit.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.json"
    >>> _ = p.write_bytes(b"[1, 2, 3]")
    >>> read_bytes_limited(p, 100), read_bytes_limited(p, 5)
    (b'[1, 2, 3]', None)
    """
    if limit is None:
        return read_bytes(path)
    p = Path(path)
    if not p.exists():
        return read_bytes(p)  # raises with a hint
    with open(p, "rb") as f:
        magic = f.read(2)
    if magic != _GZIP_MAGIC:
        if p.stat().st_size > limit:
            return None
        return read_bytes(p)
    try:
        with gzip.open(p, "rb") as g:
            data = g.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise RecordingFormatError(
            f"{p}: the gzip stream is corrupt or truncated ({exc}). Expected a complete "
            "gzip file. Fix: re-download or re-export it; `gzip -t` checks a file."
        ) from None
    return None if len(data) > limit else data


@contextmanager
def open_lines(path: str | os.PathLike[str]) -> Iterator[Iterator[bytes]]:
    r"""The lines of a (possibly gzip'd) file, read as a stream: one line in memory at a time.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_bytes(b'{"a": 1}\n{"a": 2}\n')
    >>> with open_lines(p) as lines:
    ...     [line for line in lines]
    [b'{"a": 1}\n', b'{"a": 2}\n']
    """
    p = Path(path)
    if not p.exists():
        read_bytes(p)  # raises with a hint
    with open(p, "rb") as f:
        magic = f.read(2)
    stream = gzip.open(p, "rb") if magic == _GZIP_MAGIC else open(p, "rb")
    try:
        yield _guarded_lines(stream, p)
    finally:
        stream.close()


def _guarded_lines(stream: Any, path: Path) -> Iterator[bytes]:
    try:
        yield from stream
    except (OSError, EOFError, zlib.error) as exc:
        raise RecordingFormatError(
            f"{path}: the gzip stream is corrupt or truncated ({exc}). Expected a complete "
            "gzip file. Fix: re-download or re-export it; `gzip -t` checks a file."
        ) from None


def file_stem(path: str | os.PathLike[str]) -> str:
    """File name without its recording suffixes (``a.json.gz`` -> ``a``).

    Examples
    --------
    >>> file_stem("data/s-123.jsonl.gz"), file_stem("x.json")
    ('s-123', 'x')
    """
    name = Path(path).name
    for suffix in (*JSONL_SUFFIXES, *JSON_SUFFIXES, ".gz"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or name
    return Path(name).stem or name


def is_jsonl_name(path: str | os.PathLike[str]) -> bool:
    """Whether the file name says JSON lines (``.jsonl``, ``.ndjson``, gzipped or not)."""
    return str(path).lower().endswith(JSONL_SUFFIXES)


def find_recording_files(directory: str | os.PathLike[str]) -> tuple[list[Path], list[Path]]:
    """Recording files under ``directory`` (recursively, sorted) and the other files."""
    found: list[Path] = []
    skipped: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            low = name.lower()
            if low.startswith("."):
                continue
            if low.endswith(JSON_SUFFIXES + JSONL_SUFFIXES):
                found.append(path)
            else:
                skipped.append(path)
    return found, skipped


def json_error_message(source: str, data: bytes, exc: orjson.JSONDecodeError) -> str:
    """A readable explanation of a JSON parse error: where, what, and how to fix it."""
    truncated = "end of data" in exc.msg or "EOF" in exc.msg
    where = f"line {exc.lineno}, column {exc.colno} (character {exc.pos})"
    context = ""
    if data:
        start = max(0, exc.pos - 40)
        snippet = data[start : exc.pos + 40].decode("utf-8", "replace").replace("\n", "\\n")
        context = f"\nNear: {snippet!r}"
    if not data.strip():
        return (
            f"{source}: the file is empty. Expected a JSON array of rrweb events, an "
            "object with 'events', or JSON lines. Fix: remove the empty file or re-export it."
        )
    what = (
        f"the JSON ends early at {where}: the file looks truncated ({len(data):,} bytes)"
        if truncated
        else f"invalid JSON at {where}: {exc.msg}"
    )
    fix = (
        "Fix: re-export or re-download the file; if the recorder was interrupted, cut the "
        "file after the last complete event and close the array with ']'. Writing one "
        "recording per line (.jsonl) lets uxlens skip a damaged line instead of the file."
        if truncated
        else "Fix: validate the file (python -m json.tool FILE) and repair or re-export it."
    )
    return (
        f"{source}: {what}.{context}\nExpected a JSON array of rrweb events, an object "
        f"with 'events', or JSON lines (one recording per line).\n{fix}"
    )


def loads(data: bytes, source: str) -> Any:
    """Parse JSON with orjson; a parse error becomes a :class:`RecordingFormatError`."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RecordingFormatError(json_error_message(source, data, exc)) from None


def iter_json_lines(
    data: bytes | Iterable[bytes],
) -> Iterator[tuple[int, Any, str | None]]:
    """``(line number, value, error)`` for each non-blank line (1-based numbers).

    ``data`` is the whole content or an iterable of lines (a stream, see
    :func:`open_lines`). ``error`` is ``None`` when the line parsed, else a
    short description.
    """
    lines = data.split(b"\n") if isinstance(data, (bytes, bytearray)) else data
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line), None
        except orjson.JSONDecodeError as exc:
            yield number, line[:200].decode("utf-8", "replace"), (
                f"invalid JSON on line {number}, column {exc.colno}: {exc.msg}"
            )


def unpack_packed(text: str) -> Any:
    """Decode one ``@rrweb/packer`` event: zlib-compressed JSON in a latin-1 string.

    Like the packer's ``unpack``, plain JSON text is accepted too. The
    packer's version marker ``v`` is dropped.

    Raises
    ------
    ValueError
        When the string is neither packed nor JSON.

    Examples
    --------
    >>> import zlib, json
    >>> packed = zlib.compress(json.dumps({"type": 4, "v": "v1"}).encode()).decode("latin-1")
    >>> unpack_packed(packed)
    {'type': 4}
    """
    try:
        value = orjson.loads(zlib.decompress(text.encode("latin-1")))
    except (UnicodeEncodeError, zlib.error, orjson.JSONDecodeError):
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise ValueError("not a packed rrweb event (zlib JSON) nor JSON text") from None
    if isinstance(value, dict) and "v" in value:
        value = {k: v for k, v in value.items() if k != "v"}
    return value


def gunzip_json(text: str) -> Any:
    """Decode a PostHog ``cv: "2024-10"`` field: gzip'd JSON in a latin-1 string.

    Raises
    ------
    ValueError
        When the string is not gzip'd JSON.

    Examples
    --------
    >>> import gzip
    >>> gunzip_json(gzip.compress(b'[{"id": 3}]').decode("latin-1"))
    [{'id': 3}]
    """
    try:
        return orjson.loads(gzip.decompress(text.encode("latin-1")))
    except (UnicodeEncodeError, OSError, EOFError, zlib.error, orjson.JSONDecodeError):
        raise ValueError("not gzip-compressed JSON") from None


def excerpt_json(value: Any, limit: int = 200) -> str:
    """A short JSON excerpt of a value for rejected-rows tables."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building large acyclic structures.

    Parsing a recording allocates millions of dicts and lists; each automatic
    collection would traverse all of them again (the parsed JSON has no
    reference cycles, so there is nothing to collect). Reference counting
    still frees memory as usual. The previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
