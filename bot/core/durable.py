"""Writing files so that a crash at any instant (kill -9, power loss, a full disk) leaves the
old file or the new one, never a torn one.

The bytes go to a hidden temporary file in the target's own folder (so the rename cannot
cross file systems), are flushed and fsynced, the file is renamed (or linked, never over an
existing file) into place, and the folder is fsynced so that the rename itself survives a
power loss. A write that fails removes its temporary file. The writer holds an exclusive
lock (flock) on its temporary file: a file of that name whose lock can be taken belongs to a
dead process and is removed by `remove_abandoned` at the next start.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".tmp"


def sync_folder(folder: Path) -> None:
    """Make a rename (or unlink) in `folder` durable."""
    with contextlib.suppress(OSError):  # not every file system can fsync a folder
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def temporary_name(prefix: str) -> str:
    """A hidden name the knowledge loader skips and `remove_abandoned` recognises."""
    return f".{prefix}-{uuid.uuid4().hex}{TEMPORARY_SUFFIX}"


@contextlib.contextmanager
def temporary_file(folder: Path, prefix: str) -> Iterator[tuple[BinaryIO, Path]]:
    """A new temporary file in `folder`, locked while the block runs. The block writes it,
    calls `flush_to_disk`, and gives it its final name; whatever is left of it afterwards
    (a failed write, a link's second name) is removed."""
    path = folder / temporary_name(prefix)
    handle = path.open("xb")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield handle, path
    finally:
        # After a failed write, closing flushes what is buffered and fails again (a full
        # disk): the file is removed all the same. After a good one, all is flushed already.
        with contextlib.suppress(OSError):
            handle.close()
        path.unlink(missing_ok=True)


def flush_to_disk(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


@contextlib.contextmanager
def replacing(target: Path, prefix: str) -> Iterator[BinaryIO]:
    """Write `target` anew: the block writes a temporary file that then replaces it whole."""
    with temporary_file(target.parent, prefix) as (handle, path):
        yield handle
        flush_to_disk(handle)
        os.replace(path, target)
    sync_folder(target.parent)


def write_replacing(target: Path, data: bytes, prefix: str) -> None:
    """Replace `target` with `data`, atomically and durably."""
    with replacing(target, prefix) as out:
        out.write(data)


_NO_HARD_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK)


def write_new(folder: Path, data: bytes, prefix: str, names: Callable[[int], str]) -> Path:
    """Write `data` under the first free name of names(0), names(1) ...: never over a file.

    The temporary file is hard-linked to the name, which fails when the name is taken; on a
    file system without hard links the name is checked, then renamed to (the caller's lock
    keeps its own writers apart).
    """
    with temporary_file(folder, prefix) as (handle, temporary):
        handle.write(data)
        flush_to_disk(handle)
        for number in itertools.count():
            candidate = folder / names(number)
            try:
                os.link(temporary, candidate)
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                if candidate.exists():
                    continue
                os.replace(temporary, candidate)
            break
    sync_folder(folder)
    return candidate


def _abandoned(path: Path) -> bool:
    """A temporary file no living writer holds."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # being written now
    finally:
        os.close(descriptor)  # releases the lock taken just above
    return True


def remove_abandoned(folder: Path, prefixes: tuple[str, ...]) -> list[str]:
    """Remove the temporary files of writers killed mid-write; their names."""
    removed: list[str] = []
    starts = tuple(f".{prefix}-" for prefix in prefixes)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.endswith(TEMPORARY_SUFFIX) or not name.startswith(starts):
            continue
        path = Path(entry.path)
        if entry.is_file(follow_symlinks=False) and _abandoned(path):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(name)
    if removed:
        log.info("removed %d unfinished temporary files in %s", len(removed), folder)
        sync_folder(folder)
    return removed
