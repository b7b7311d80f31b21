"""Saved pages, Word and PDF files dropped into the knowledge folder become articles too.

Before the folder is read (at start, on /reload, by `python -m bot index`), each such file is
converted to a `.md` of the same name beside it and the original moves to `.originals/`
(hidden, so never read again, and kept). A file that cannot be converted stays where it is;
the loader then lists it as skipped, and the reason is logged.

First, the temporary files of writes a kill interrupted (an upload, an added article) are
removed, so nothing half-written is left behind or reported as skipped.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.core import durable
from bot.core.articles import (
    CONVERTED_SUFFIXES,
    is_temporary,
    iter_knowledge_files,
    read_file_bytes,
)
from bot.core.errors import ArticleError
from bot.ingest.model import Added, IngestError
from bot.ingest.sources import read_file
from bot.ingest.store import TEMPORARY_PREFIX, move_aside, save_draft

log = logging.getLogger(__name__)

ORIGINALS = ".originals"


@dataclass(frozen=True, slots=True)
class Conversion:
    file: str  # the dropped file, relative to the folder
    added: Added | None
    reason: str | None = None  # why it was not converted


def convert_dropped(folder: Path, *, max_bytes: int, max_file_bytes: int) -> tuple[Conversion, ...]:
    """Convert every dropped .html/.htm/.docx/.pdf of the folder; never raises for a file."""
    remove_unfinished_writes(folder)
    conversions: list[Conversion] = []
    try:
        entries = list(iter_knowledge_files(folder))
    except OSError:
        return ()  # a missing folder is the loader's to report
    for name, path, _ in entries:
        full = folder / name
        if (
            path is not None
            or not name.lower().endswith(CONVERTED_SUFFIXES)
            or is_temporary(full.name)
            or full.is_symlink()
            or not full.is_file()
        ):
            continue
        try:
            draft = read_file(full.name, read_file_bytes(full, max_bytes), max_bytes=max_bytes)
            added = save_draft(folder, draft, max_file_bytes=max_file_bytes, beside=name)
            move_aside(folder, name, ORIGINALS, stamped=False)
        except (IngestError, ArticleError) as exc:
            log.warning("could not convert %s: %s", name, exc)
            conversions.append(Conversion(name, None, str(exc)))
            continue
        except OSError as exc:  # e.g. a read-only folder: the rest still loads
            log.warning("could not convert %s: %s", name, exc)
            conversions.append(Conversion(name, None, exc.strerror or str(exc)))
            continue
        log.info("converted %s into %s", name, added.article.file)
        conversions.append(Conversion(name, added))
    return tuple(conversions)


def remove_unfinished_writes(folder: Path) -> None:
    """The temporary files of uploads and added articles whose writer was killed."""
    for current, folders, _ in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]  # .cache, .trash
        durable.remove_abandoned(Path(current), (TEMPORARY_PREFIX,))


def convert_dropped_in(settings: Settings) -> tuple[Conversion, ...]:
    """convert_dropped for the settings' knowledge folder and limits."""
    return convert_dropped(
        settings.knowledge_dir,
        max_bytes=settings.fetch_max_bytes,
        max_file_bytes=settings.max_file_bytes,
    )
