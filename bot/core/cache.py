"""The index cache: the analysed knowledge and its BM25 index, saved next to the knowledge.

One file, ``index.bin``: a header (magic, format version, pipeline version, then the length
and CRC-32 of each of three sections) and the sections, each a pickle:

1. the knowledge without the passages' term lists, which a start does not need;
2. the BM25 index (rank-bm25-rs keeps it as one byte string, read without the GIL);
3. the term lists, by file and content fingerprint, read only when BM25 must be rebuilt
   (a file changed): `CachedIndex.terms` loads them then.

A start reads sections 1 and 2 at the same time (2 in a thread) and checks all three CRCs.
A cache that is truncated, corrupt, from another format or pipeline version, or not what it
claims to be is reported and ignored, so the index is rebuilt rather than trusted. Whether it
is *stale* is decided by the caller, file by file, from the content fingerprints it holds.
Term lists read later are checked again, and only those of the same file content are used.

The cache is a pickle: it is written and read only by this program, inside the knowledge
folder's hidden cache directory, which uploads can never reach (they are saved under safe,
visible names).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import struct
import tempfile
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rank_bm25_rs import BM25Okapi

from bot.core.knowledge import PIPELINE_VERSION, AnalyzedFile, Knowledge

log = logging.getLogger(__name__)

CACHE_FILE = "index.bin"
MAGIC = b"VNQAIDX1"
FORMAT_VERSION = 2
_SECTIONS = 3  # knowledge, BM25, term lists
_HEADER = struct.Struct("<8sII" + "QI" * _SECTIONS)  # magic, format, pipeline, (length, crc)...

TermLists = dict[tuple[str, str], tuple[list[str], ...]]  # (file, fingerprint): terms


@dataclass(frozen=True, slots=True)
class CachedIndex:
    knowledge: Knowledge  # its files may lack their term lists (see has_terms)
    bm25: BM25Okapi
    terms: Callable[[], TermLists] | None = None  # where the missing term lists are


def has_terms(analyzed: AnalyzedFile) -> bool:
    return len(analyzed.terms) == len(analyzed.passages)


def strip_terms(knowledge: Knowledge) -> Knowledge:
    files = tuple(dataclasses.replace(f, terms=()) if f.terms else f for f in knowledge.files)
    return dataclasses.replace(knowledge, files=files)


def fill_terms(knowledge: Knowledge, source: Callable[[], TermLists] | None) -> Knowledge:
    """The knowledge with every file's term lists; files whose lists cannot be found are
    left out (the caller analyses them again)."""
    if all(has_terms(f) for f in knowledge.files):
        return knowledge
    found = source() if source is not None else {}
    files = []
    for analyzed in knowledge.files:
        if has_terms(analyzed):
            files.append(analyzed)
            continue
        terms = found.get((analyzed.file, analyzed.fingerprint))
        if terms is not None and len(terms) == len(analyzed.passages):
            files.append(dataclasses.replace(analyzed, terms=terms))
    return dataclasses.replace(knowledge, files=tuple(files))


def cache_path(cache_dir: Path) -> Path:
    return cache_dir / CACHE_FILE


def save_index(cache_dir: Path, cached: CachedIndex) -> bool:
    """Write atomically (temporary file, then rename); False if the folder is not writable.

    Every file of the knowledge must have its term lists (see `fill_terms`).
    """
    with _save_lock:
        with _writer_lock:  # this index is newer than any still waiting to be written
            _pending.pop(cache_dir.resolve(), None)
        return _save(cache_dir, cached)


def _save(cache_dir: Path, cached: CachedIndex) -> bool:
    knowledge = cached.knowledge
    if not all(has_terms(f) for f in knowledge.files):
        raise ValueError("the index cache needs every file's term lists")
    terms = {(f.file, f.fingerprint): f.terms for f in knowledge.files}
    sections = [
        pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
        for part in (strip_terms(knowledge), cached.bm25, terms)
    ]
    fields: list[object] = [MAGIC, FORMAT_VERSION, PIPELINE_VERSION]
    for section in sections:
        fields += [len(section), zlib.crc32(section)]
    header = _HEADER.pack(*fields)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(header)
                for section in sections:
                    out.write(section)
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


class Prefetch:
    """Term lists loaded by a daemon thread now, so that the first reload need not wait."""

    def __init__(self, load: Callable[[], TermLists]) -> None:
        self._load = load
        self._done = threading.Event()
        self._result: TermLists = {}
        threading.Thread(target=self._run, name="index-terms", daemon=True).start()

    def _run(self) -> None:
        try:
            self._result = self._load()
        except Exception:  # never trusted: the files are analysed again instead
            log.exception("index cache: term lists not loaded")
        finally:
            self._done.set()

    def __call__(self) -> TermLists:
        self._done.wait()
        return self._result


class _Untrusted(Exception):
    pass


def _read_header(handle) -> list[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
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


def _read_section(handle, section: tuple[int, int, int]) -> bytes:  # type: ignore[no-untyped-def]
    """One section, read at its offset (threads may share the handle)."""
    offset, length, crc = section
    parts, done = [], 0
    while done < length:
        part = os.pread(handle.fileno(), length - done, offset + done)
        if not part:
            raise _Untrusted("truncated")
        parts.append(part)
        done += len(part)
    data = parts[0] if len(parts) == 1 else b"".join(parts)
    if zlib.crc32(data) != crc:
        raise _Untrusted("checksum mismatch")
    return data


def _unpickle(data: bytes) -> object:
    try:
        return pickle.loads(data)
    except Exception as exc:  # any unpickling failure means "do not trust"
        raise _Untrusted(f"unreadable payload ({type(exc).__name__})") from exc


def _term_loader(path: Path) -> Callable[[], TermLists]:
    def load() -> TermLists:
        """The term lists in the cache file now, or none when it cannot be trusted."""
        try:
            with path.open("rb") as handle:
                terms = _unpickle(_read_section(handle, _read_header(handle)[2]))
        except (OSError, _Untrusted) as exc:
            log.warning("index cache %s: term lists not usable: %s", path, exc)
            return {}
        return terms if isinstance(terms, dict) else {}

    return load


class PendingIndex:
    """A cache being read: its knowledge now, its BM25 index when `result` is called.

    The BM25 index (most of the time of a start) is rebuilt by a thread without the GIL,
    so the caller can check the knowledge folder against `knowledge` meanwhile.
    """

    def __init__(self, path: Path, knowledge: Knowledge, finish: Callable[[], CachedIndex | None]):
        self.path = path
        self.knowledge = knowledge
        self._finish = finish

    def result(self) -> CachedIndex | None:
        """The whole cached index, or None when any part of it cannot be trusted."""
        return self._finish()


def start_loading_index(cache_dir: Path) -> PendingIndex | None:
    """Start reading the cache; None when there is none or its knowledge cannot be trusted."""
    path = cache_path(cache_dir)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("index cache %s unreadable, rebuilding: %s", path, exc.strerror or exc)
        return None
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="index-cache-read")
    jobs = []
    try:
        sections = _read_header(handle)
        jobs = [
            pool.submit(lambda: _unpickle(_read_section(handle, sections[1]))),
            pool.submit(_read_section, handle, sections[2]),  # only checked: read when needed
        ]
        knowledge = _unpickle(_read_section(handle, sections[0]))
        if not isinstance(knowledge, Knowledge):
            raise _Untrusted("unexpected content")
    except (OSError, _Untrusted) as exc:
        for job in jobs:
            job.cancel()
        pool.shutdown(wait=True)
        handle.close()
        log.warning("index cache %s ignored, rebuilding: %s", path, exc)
        return None

    def finish() -> CachedIndex | None:
        try:
            bm25 = jobs[0].result()
            jobs[1].result()
            if not isinstance(bm25, BM25Okapi):
                raise _Untrusted("unexpected content")
        except (OSError, _Untrusted) as exc:
            log.warning("index cache %s ignored, rebuilding: %s", path, exc)
            return None
        finally:
            pool.shutdown(wait=True)
            handle.close()
        return CachedIndex(knowledge, bm25, _term_loader(path))

    return PendingIndex(path, knowledge, finish)


def load_index(cache_dir: Path) -> CachedIndex | None:
    """The cached index, or None when there is none or it cannot be trusted."""
    pending = start_loading_index(cache_dir)
    return pending.result() if pending is not None else None
