"""The index cache: the analysed knowledge and its BM25 index, saved next to the knowledge.

One file, ``index.bin``: a header (magic, format version, payload length, CRC-32) and a
pickle. A cache that is truncated, corrupt, from another format or pipeline version, or
not what it claims to be is reported and ignored, so the index is rebuilt rather than
trusted. Whether it is *stale* is decided by the caller, file by file, from the content
fingerprints it holds.

The cache is a pickle: it is written and read only by this program, inside the knowledge
folder's hidden cache directory, which uploads can never reach (they are saved under safe,
visible names).
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from rank_bm25_rs import BM25Okapi

from bot.core.knowledge import PIPELINE_VERSION, Knowledge

log = logging.getLogger(__name__)

CACHE_FILE = "index.bin"
MAGIC = b"VNQAIDX1"
FORMAT_VERSION = 1
_HEADER = struct.Struct("<8sIIQI")  # magic, format, pipeline, payload length, crc32


@dataclass(frozen=True, slots=True)
class CachedIndex:
    knowledge: Knowledge
    bm25: BM25Okapi


def cache_path(cache_dir: Path) -> Path:
    return cache_dir / CACHE_FILE


def save_index(cache_dir: Path, cached: CachedIndex) -> bool:
    """Write atomically (temporary file, then rename); False if the folder is not writable."""
    with _save_lock:
        with _writer_lock:  # this index is newer than any still waiting to be written
            _pending.pop(cache_dir.resolve(), None)
        return _save(cache_dir, cached)


def _save(cache_dir: Path, cached: CachedIndex) -> bool:
    payload = pickle.dumps(cached, protocol=pickle.HIGHEST_PROTOCOL)
    header = _HEADER.pack(
        MAGIC, FORMAT_VERSION, PIPELINE_VERSION, len(payload), zlib.crc32(payload)
    )
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(header)
                out.write(payload)
            os.replace(temporary, cache_path(cache_dir))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("index cache not saved in %s: %s", cache_dir, exc.strerror or exc)
        return False
    return True


_save_lock = threading.RLock()  # one write at a time, whichever thread makes it
_writer_lock = threading.Lock()
_pending: dict[Path, CachedIndex] = {}  # per cache folder, the newest index not yet written
_writers: list[threading.Thread] = []


def save_index_later(cache_dir: Path, cached: CachedIndex) -> None:
    """Write the cache in a background thread, so that a reload need not wait for it.

    Writes for one folder are made one at a time, and an index superseded before its turn
    is skipped: the file ends up holding the newest one. The thread is not a daemon, so a
    process that exits waits for the write to finish (an interrupted write leaves only a
    temporary file behind: the cache is replaced atomically).
    """
    key = cache_dir.resolve()
    with _writer_lock:
        _pending[key] = cached

    def write() -> None:
        with _save_lock:
            with _writer_lock:
                newest = _pending.pop(key, None)
            if newest is not None:
                _save(cache_dir, newest)

    thread = threading.Thread(target=write, name="index-cache-writer")
    with _writer_lock:
        _writers[:] = [t for t in _writers if t.is_alive()]
        _writers.append(thread)
    thread.start()


def wait_for_saves(timeout: float | None = None) -> None:
    """Block until the cache writes started by save_index_later are done."""
    with _writer_lock:
        writers = list(_writers)
    for thread in writers:
        thread.join(timeout)


def load_index(cache_dir: Path) -> CachedIndex | None:
    """The cached index, or None when there is none or it cannot be trusted."""
    path = cache_path(cache_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("index cache %s unreadable, rebuilding: %s", path, exc.strerror or exc)
        return None
    problem = _check(data)
    if problem is None:
        try:
            cached = pickle.loads(memoryview(data)[_HEADER.size :])
        except Exception as exc:  # any unpickling failure means "do not trust"
            problem = f"unreadable payload ({type(exc).__name__})"
        else:
            if isinstance(cached, CachedIndex) and isinstance(cached.knowledge, Knowledge):
                return cached
            problem = "unexpected content"
    log.warning("index cache %s ignored, rebuilding: %s", path, problem)
    return None


def _check(data: bytes) -> str | None:
    if len(data) < _HEADER.size:
        return "truncated header"
    magic, file_format, pipeline, length, crc = _HEADER.unpack_from(data)
    if magic != MAGIC:
        return "not an index cache"
    if file_format != FORMAT_VERSION or pipeline != PIPELINE_VERSION:
        return "made by another version"
    if len(data) - _HEADER.size != length:
        return "truncated"
    if zlib.crc32(memoryview(data)[_HEADER.size :]) != crc:
        return "checksum mismatch"
    return None
