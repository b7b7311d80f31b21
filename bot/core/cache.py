"""The index cache: the analysed knowledge and its BM25 index, saved next to the knowledge.

One file, ``index.bin``: a header (magic, format version, pipeline version, then the length
and CRC-32 of each of three sections) and the sections:

1. the knowledge (articles, passages, their syllable runs), a pickle;
2. the index's file list and the names, types and places of its arrays, a pickle;
3. the index arrays themselves, raw, each on a 16-byte boundary of the file: a start maps
   the file into memory and uses them in place, with no reading or decoding.

A start unpickles section 1 while a thread maps and checks sections 2 and 3; after a write,
the index that was written switches to the arrays mapped from the new file, so that memory
holds no second copy of them (`SearchIndex.adopt`). A cache that is
truncated, corrupt, from another format or pipeline version, or not what it claims to be is
reported and ignored, so the index is rebuilt rather than trusted. Whether it is *stale* is
decided by the caller, file by file, from the content fingerprints it holds.

The pickles are written and read only by this program, inside the knowledge folder's hidden
cache directory, which uploads can never reach (they are saved under safe, visible names).
"""

from __future__ import annotations

import dataclasses
import logging
import mmap
import os
import pickle
import struct
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from bot.core import durable
from bot.core.index import ARRAYS, SearchIndex
from bot.core.knowledge import PIPELINE_VERSION, Knowledge
from bot.core.memory import return_free_memory

log = logging.getLogger(__name__)

CACHE_FILE = "index.bin"
TEMPORARY_PREFIX = "index"  # .index-<random>.tmp beside it while it is written
MAGIC = b"VNQAIDX1"
FORMAT_VERSION = 5
_SECTIONS = 3  # knowledge, index layout, index arrays
_HEADER = struct.Struct("<8sII" + "QI" * _SECTIONS)  # magic, format, pipeline, (length, crc)...
_ALIGN = 16


@dataclass(frozen=True, slots=True)
class CachedIndex:
    knowledge: Knowledge
    index: SearchIndex


def without_postings(knowledge: Knowledge) -> Knowledge:
    """The knowledge without the files' postings, which the index holds once built."""
    if all(f.postings is None for f in knowledge.files):
        return knowledge
    files = tuple(
        dataclasses.replace(f, postings=None) if f.postings is not None else f
        for f in knowledge.files
    )
    return dataclasses.replace(knowledge, files=files)


def cache_path(cache_dir: Path) -> Path:
    return cache_dir / CACHE_FILE


def save_index(cache_dir: Path, cached: CachedIndex) -> bool:
    """Write crash-safely (see _save); False if it could not be written (then kept for
    retry_failed_saves)."""
    with _save_lock:
        with _writer_lock:  # this index is newer than any still waiting to be written
            _pending.pop(cache_dir.resolve(), None)
        return _save_and_map(cache_dir, cached)


def _save_and_map(cache_dir: Path, cached: CachedIndex) -> bool:
    """Save, then serve the index from the file just written: its arrays in memory become
    pages of the file, which the next reload reads without holding a second copy."""
    reason = _save(cache_dir, cached)
    with _writer_lock:
        if reason is None:
            _failed.pop(cache_dir.resolve(), None)
        else:
            _failed[cache_dir.resolve()] = (cached, reason)
    if reason is not None:
        return False
    path = cache_path(cache_dir)
    try:
        with path.open("rb") as handle:
            mapped = _map_index(handle, _read_header(handle))
        cached.index.adopt(mapped)
    except (OSError, ValueError, _Untrusted) as exc:  # kept in memory: nothing is lost
        log.warning("index cache %s written but not mapped: %s", path, exc)
        return True
    return_free_memory()  # the arrays served until now were freed (the old index's too)
    return True


def _layout(index: SearchIndex) -> list[tuple[str, str, int, int]]:
    """(name, dtype, length, offset) of each array in section 3.

    Offsets count from the first 16-byte boundary of the file in section 3 (the section
    starts with the padding up to it), so that arrays mapped from the file are aligned.
    """
    entries, offset = [], 0
    for name in ARRAYS:
        array = index.arrays[name]
        entries.append((name, array.dtype.str, len(array), offset))
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    return entries


def _padding(position: int) -> int:
    return -position % _ALIGN


def _array_chunks(index: SearchIndex, lead: int) -> list[memoryview | bytes]:
    """The bytes of section 3 as written: `lead` bytes of padding, then each array, padded."""
    chunks: list[memoryview | bytes] = [bytes(lead)]
    for name in ARRAYS:
        array = np.ascontiguousarray(index.arrays[name])
        chunks.append(array.data.cast("B"))
        chunks.append(bytes(_padding(array.nbytes)))
    return chunks


class _Section:
    """Writes one section, counting its length and CRC-32 as the bytes go by."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self.length = 0
        self.crc = 0

    def write(self, data: bytes | memoryview) -> int:
        self.crc = zlib.crc32(data, self.crc)
        self.length += len(data)
        return self._out.write(data)


def _save(cache_dir: Path, cached: CachedIndex) -> str | None:
    """Write the cache crash-safely (bot/core/durable.py): a start reads the old complete
    file or the new one, and the header's lengths and checksums refuse anything else.
    None when written, else why not (a full disk, a read-only folder)."""
    index = cached.index
    entries = _layout(index)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with durable.replacing(cache_path(cache_dir), TEMPORARY_PREFIX) as out:
            out.write(bytes(_HEADER.size))  # filled in once the sections are written
            sections = []
            # The knowledge is pickled straight into the file, never whole in memory.
            for part in (
                without_postings(cached.knowledge),
                {"files": index.files, "arrays": entries},
            ):
                section = _Section(out)
                pickle.dump(part, section, protocol=pickle.HIGHEST_PROTOCOL)
                sections.append(section)
            arrays = _Section(out)
            for chunk in _array_chunks(index, _padding(out.tell())):
                arrays.write(chunk)
            sections.append(arrays)
            fields: list[object] = [MAGIC, FORMAT_VERSION, PIPELINE_VERSION]
            for section in sections:
                fields += [section.length, section.crc]
            out.seek(0)
            out.write(_HEADER.pack(*fields))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        log.warning("index cache not saved in %s: %s", cache_dir, reason)
        return reason
    return None


_save_lock = threading.RLock()  # one write at a time, whichever thread makes it
_writer_lock = threading.Lock()
_pending: dict[Path, CachedIndex] = {}  # per cache folder, the newest index not yet written
_writers: list[threading.Thread] = []
# Per cache folder, the newest index whose write failed and why: retried by retry_failed_saves.
_failed: dict[Path, tuple[CachedIndex, str]] = {}


def failed_saves() -> dict[Path, str]:
    """The cache folders whose newest index is not on disk, and why (e.g. a full disk)."""
    with _writer_lock:
        return {folder: reason for folder, (_, reason) in _failed.items()}


def retry_failed_saves() -> list[Path]:
    """Write again the indexes whose write failed; the folders now saved."""
    with _writer_lock:
        failed = {folder: cached for folder, (cached, _) in _failed.items()}
    saved = []
    for folder, cached in failed.items():
        with _save_lock:
            with _writer_lock:
                entry = _failed.get(folder)
            if entry is None or entry[0] is not cached:
                continue  # saved or superseded meanwhile
            if _save_and_map(folder, cached):
                saved.append(folder)
    return saved


def save_index_later(cache_dir: Path, cached: CachedIndex) -> None:
    """Write the cache in a background thread, so that a reload need not wait for it.

    Writes for one folder are made one at a time, and an index superseded before its turn
    is skipped: the file ends up holding the newest one. The thread is not a daemon, so a
    process that exits waits for the write to finish (an interrupted write leaves only a
    temporary file behind, which the next start removes: the cache is replaced atomically).
    """
    key = cache_dir.resolve()
    with _writer_lock:
        _pending[key] = cached

    def write() -> None:
        with _save_lock:
            with _writer_lock:
                newest = _pending.pop(key, None)
            if newest is not None:
                _save_and_map(cache_dir, newest)

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


class _Untrusted(Exception):
    pass


def _read_header(handle: BinaryIO) -> list[tuple[int, int, int]]:
    """(offset, length, crc) of each section; raises _Untrusted."""
    data = handle.read(_HEADER.size)
    if len(data) < _HEADER.size:
        raise _Untrusted("truncated header")
    magic, file_format, pipeline, *rest = _HEADER.unpack(data)
    if magic != MAGIC:
        raise _Untrusted("not an index cache")
    if file_format != FORMAT_VERSION or pipeline != PIPELINE_VERSION:
        raise _Untrusted("made by another version")
    sections, offset = [], _HEADER.size
    for i in range(_SECTIONS):
        length, crc = rest[2 * i], rest[2 * i + 1]
        sections.append((offset, length, crc))
        offset += length
    if os.fstat(handle.fileno()).st_size != offset:
        raise _Untrusted("truncated")
    return sections


def _read_section(handle: BinaryIO, section: tuple[int, int, int]) -> bytearray:
    """One section, read at its offset into one buffer (threads may share the handle)."""
    offset, length, crc = section
    data = bytearray(length)
    view = memoryview(data)
    done = 0
    while done < length:
        read = os.preadv(handle.fileno(), [view[done:]], offset + done)
        if not read:
            raise _Untrusted("truncated")
        done += read
    if zlib.crc32(data) != crc:
        raise _Untrusted("checksum mismatch")
    return data


def _unpickle(data: bytes | bytearray) -> object:
    try:
        return pickle.loads(data)
    except Exception as exc:  # any unpickling failure means "do not trust"
        raise _Untrusted(f"unreadable payload ({type(exc).__name__})") from exc


_CHECK_STEP = 1 << 26  # bytes of a mapped section checked before their pages are let go
_CAN_RELEASE = hasattr(mmap.mmap, "madvise") and hasattr(mmap, "MADV_DONTNEED")


def _release_pages(mapped: mmap.mmap, begin: int, end: int) -> None:
    """Let go of the pages under bytes begin..end of the mapping until something reads them
    again (they stay in the page cache: a minor fault then, not a disk read)."""
    page = begin - begin % mmap.PAGESIZE
    if _CAN_RELEASE and end > page:
        mapped.madvise(mmap.MADV_DONTNEED, page, end - page)


def _checksum_and_release(mapped: mmap.mmap, offset: int, length: int) -> int:
    """The CRC-32 of a mapped section, read a step at a time. Each step's pages are let go
    once read, so checking does not hold the whole section in memory at once."""
    view = memoryview(mapped)
    crc, start, end = 0, offset, offset + length
    try:
        while start < end:
            stop = min(end, start - start % _CHECK_STEP + _CHECK_STEP)
            crc = zlib.crc32(view[start:stop], crc)
            _release_pages(mapped, start, stop)
            start = stop
    finally:
        view.release()
    return crc


def _page_releaser(
    mapped: mmap.mmap, arrays: dict[str, np.ndarray], places: dict[str, int]
) -> Callable[[str, int, int], None] | None:
    """A function letting go of the pages under items first..last of a mapped array."""
    if not _CAN_RELEASE:
        return None

    def release(name: str, first: int, last: int) -> None:
        size = arrays[name].itemsize
        _release_pages(mapped, places[name] + first * size, places[name] + last * size)

    return release


def _map_index(handle: BinaryIO, sections: list[tuple[int, int, int]]) -> SearchIndex:
    """The index from sections 2 and 3, its arrays mapped from the file, not read or copied.

    The mapping outlives a later cache write: that replaces the file by renaming a new one
    over it, so the old file stays whole for as long as it is mapped.
    """
    layout = _unpickle(_read_section(handle, sections[1]))
    offset, length, crc = sections[2]
    mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    if _checksum_and_release(mapped, offset, length) != crc:
        raise _Untrusted("checksum mismatch")
    base = offset + _padding(offset)
    try:
        assert isinstance(layout, dict)
        files = [(str(name), str(fingerprint)) for name, fingerprint in layout["files"]]
        arrays, places = {}, {}
        for name, kind, count, start in layout["arrays"]:
            dtype = np.dtype(kind)
            if start < 0 or base + start + count * dtype.itemsize > offset + length:
                raise _Untrusted("array outside its section")
            arrays[name] = np.frombuffer(mapped, dtype=dtype, count=count, offset=base + start)
            places[name] = base + start
        return SearchIndex(files, arrays, release=_page_releaser(mapped, arrays, places))
    except _Untrusted:
        raise
    except Exception as exc:  # a layout that does not fit means "do not trust"
        raise _Untrusted(f"unusable index ({type(exc).__name__}: {exc})") from exc


class PendingIndex:
    """A cache being read: its knowledge now, its BM25 index when `result` is called.

    The index arrays (most of the bytes) are read and checked by a thread, so the caller can
    check the knowledge folder against `knowledge` meanwhile.
    """

    def __init__(self, path: Path, knowledge: Knowledge, finish: Callable[[], CachedIndex | None]):
        self.path = path
        self.knowledge = knowledge
        self._finish = finish

    def result(self) -> CachedIndex | None:
        """The whole cached index, or None when any part of it cannot be trusted."""
        return self._finish()


def start_loading_index(cache_dir: Path) -> PendingIndex | None:
    """Start reading the cache; None when there is none or its knowledge cannot be trusted.
    The temporary files of writes a kill interrupted are removed first."""
    durable.remove_abandoned(cache_dir, (TEMPORARY_PREFIX,))
    path = cache_path(cache_dir)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("index cache %s unreadable, rebuilding: %s", path, exc.strerror or exc)
        return None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-cache-read")
    job = None
    try:
        sections = _read_header(handle)
        job = pool.submit(_map_index, handle, sections)
        knowledge = _unpickle(_read_section(handle, sections[0]))
        if not isinstance(knowledge, Knowledge):
            raise _Untrusted("unexpected content")
    except (OSError, _Untrusted) as exc:
        if job is not None:
            job.cancel()
        pool.shutdown(wait=True)
        handle.close()
        log.warning("index cache %s ignored, rebuilding: %s", path, exc)
        return None

    def finish() -> CachedIndex | None:
        try:
            assert job is not None
            index = job.result()
            if index.files != knowledge.versions:
                raise _Untrusted("index and knowledge disagree")
        except (OSError, _Untrusted) as exc:
            log.warning("index cache %s ignored, rebuilding: %s", path, exc)
            return None
        finally:
            pool.shutdown(wait=True)
            handle.close()
        return CachedIndex(knowledge, index)

    return PendingIndex(path, knowledge, finish)


def load_index(cache_dir: Path) -> CachedIndex | None:
    """The cached index, or None when there is none or it cannot be trusted."""
    pending = start_loading_index(cache_dir)
    return pending.result() if pending is not None else None
