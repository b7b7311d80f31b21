"""Saving an article an admin sent: a safe file name, never overwriting an existing file."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from bot.core import durable
from bot.ingest.store import TEMPORARY_PREFIX as ARTICLE_PREFIX

ALLOWED_SUFFIXES = (".txt", ".md")
MAX_STEM_CHARS = 80
DEFAULT_STEM = "bai-viet"

_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")


def upload_suffix(file_name: str) -> str | None:
    """The lower-case suffix when it is one we accept, else None."""
    suffix = Path(file_name.replace("\\", "/").rsplit("/", 1)[-1]).suffix.lower()
    return suffix if suffix in ALLOWED_SUFFIXES else None


def safe_file_name(file_name: str) -> str:
    """A name made of [A-Za-z0-9._-] plus an allowed suffix: no folders, no hidden files.

    Vietnamese letters lose their diacritics ("Bài viết mới.md" -> "Bai-viet-moi.md").
    Raises ValueError when the suffix is not allowed.
    """
    suffix = upload_suffix(file_name)
    if suffix is None:
        raise ValueError(f"suffix not allowed: {file_name!r}")
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base[: -len(suffix)]
    stem = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    stem = "".join(c for c in stem if not unicodedata.combining(c))
    stem = _UNSAFE_RE.sub("-", stem)
    stem = re.sub(r"[-_.]{2,}", "-", stem).strip("._-")[:MAX_STEM_CHARS].strip("._-")
    return f"{stem or DEFAULT_STEM}{suffix}"


def save_new_file(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` as folder/name, or name-1, name-2 ... when taken; never overwrite.

    Crash-safe (bot/core/durable.py): the bytes go to a hidden temporary file (the loader
    skips hidden files), fsynced, then linked under the final name, which fails atomically
    when the name exists; a kill leaves the article whole in the folder or not there at all.
    """
    if name != safe_file_name(name):
        raise ValueError(f"unsafe file name: {name!r}")
    suffix = Path(name).suffix
    stem = name[: -len(suffix)]
    return durable.write_new(
        folder.resolve(),
        data,
        ARTICLE_PREFIX,
        lambda number: name if number == 0 else f"{stem}-{number}{suffix}",
    )
