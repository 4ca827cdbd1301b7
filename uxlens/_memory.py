"""Give freed memory back to the operating system after a large step.

Loading millions of events frees hundreds of MiB of decoding buffers. Arrow's
allocator (mimalloc) and glibc's heap keep such memory as the process's own for
reuse, so without a release a notebook's footprint grows to the sum of
everything it ever held rather than what it holds now (10M events: ~0.45 GiB
kept by Arrow's pool after a Parquet load).
"""

from __future__ import annotations

from typing import Any

__all__ = ["release_memory"]

_LIBC: Any = None


def _libc() -> Any:
    """glibc through ctypes, or False where there is none (macOS, musl, Windows)."""
    global _LIBC
    if _LIBC is None:
        try:
            import ctypes

            libc = ctypes.CDLL(None)
            _LIBC = libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else False
        except (OSError, AttributeError):
            _LIBC = False
    return _LIBC


def release_memory(*, large_blocks_mapped: bool = False) -> None:
    """Give freed memory back to the operating system (Arrow's pool and glibc's heap).

    A long read frees raw JSON and per-chunk arrays all the time; without this
    the process keeps that memory as its own, so its footprint grows to the sum
    of everything it ever held rather than what it holds now.
    ``large_blocks_mapped`` also fixes glibc's mmap threshold at 128 KiB, so that
    every array of that size or more is unmapped as soon as it is freed (glibc
    otherwise raises the threshold after frees and keeps such arrays on the
    heap). Does nothing where glibc is not available.

    >>> release_memory()
    """
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception:  # pragma: no cover - pyarrow missing or a pool without it
        pass
    libc = _libc()
    if libc:
        if large_blocks_mapped:
            libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
        libc.malloc_trim(0)


LARGE_ROWS = 200_000
"""From this many rows on, a finished load is worth a release (it costs ~1 ms)."""


def release_after_large(rows: int) -> None:
    """:func:`release_memory` when a step just handled ``rows >= LARGE_ROWS`` rows.

    >>> release_after_large(10)   # small: nothing to give back, nothing done
    """
    if rows >= LARGE_ROWS:
        release_memory()
