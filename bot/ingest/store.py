"""Writing articles into the knowledge folder, and taking them out.

Every write is atomic: the text goes to a hidden temporary file in the same folder (which the
loader skips), is flushed and fsynced, then renamed into place, so a reload never reads half
a file and a crash leaves the old file or the new one. A new article never overwrites a file
(its name is linked, which fails when taken); an article whose link is already in the
folder replaces that file instead of adding a copy. Removed files are moved to `.trash/`
in the folder (hidden, so not read), where they can be recovered.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from bot.core import durable
from bot.core.articles import check_folder, iter_knowledge_files
from bot.core.errors import KnowledgeError
from bot.ingest.compose import read_back, render_markdown
from bot.ingest.model import Added, Draft, IngestError, Removed
from bot.ingest.urls import normalize_url

TRASH = ".trash"
# .article-<random>.tmp while an article is written, here or by a Telegram upload
TEMPORARY_PREFIX = "article"
MAX_STEM_CHARS = 60
HEAD_BYTES = 8192  # front matter sits at the top of a file

_FRONT_URL_RE = re.compile(r"^url\s*:\s*[\"']?(https?://[^\s\"']+)", re.IGNORECASE | re.MULTILINE)
_TXT_URL_RE = re.compile(
    r"^(?:(?:nguồn|link|url|source)\s*:\s*)?(https?://\S+)\s*$", re.IGNORECASE | re.MULTILINE
)


def slug(title: str) -> str:
    """ "Khánh thành cầu Rạch Miễu 2" -> "khanh-thanh-cau-rach-mieu-2" (at a word end)."""
    text = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > MAX_STEM_CHARS:
        text = text[:MAX_STEM_CHARS].rsplit("-", 1)[0]
    return text or "bai-viet"


def file_name_for(draft: Draft) -> str:
    """A readable name; with a link, a short digest of it too, so two articles of the same
    title from different links never meet."""
    if draft.url:
        digest = hashlib.sha1(draft.url.encode("utf-8")).hexdigest()[:8]
        return f"{slug(draft.title)}-{digest}.md"
    return f"{slug(draft.title)}.md"


def _links_of(path: Path) -> Iterable[str]:
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES if path.suffix.lower() != ".txt" else 1_000_000)
    except OSError:
        return ()
    text = head.decode("utf-8", errors="replace")
    if path.suffix.lower() == ".txt":
        return _TXT_URL_RE.findall(text)
    if not text.lstrip("\ufeff").startswith("---"):
        return ()
    return _FRONT_URL_RE.findall(text.split("\n---", 1)[0])


def find_by_link(folder: Path, links: Iterable[str]) -> str | None:
    """The knowledge file (relative name) of an article cited with one of these links."""
    wanted = set(links)
    if not wanted:
        return None
    for name, path, _ in iter_knowledge_files(folder):
        if path is None:
            continue
        for link in _links_of(path):
            try:
                if normalize_url(link) in wanted:
                    return name
            except ValueError:
                continue
    return None


def _inside(folder: Path, name: str) -> Path:
    root = folder.resolve()
    path = (root / name).resolve()
    if path.parent != root and root not in path.parents:
        raise IngestError("tệp nằm ngoài thư mục kiến thức")
    return path


def save_draft(
    folder: Path, draft: Draft, *, max_file_bytes: int, beside: str | None = None
) -> Added:
    """Write the draft as `.md`; the article of the same link is replaced. Nothing is written
    when the result would not read back as an article. `beside`: a file of the folder the
    article was converted from; the `.md` takes its name and place."""
    try:
        check_folder(folder)
    except KnowledgeError as exc:
        raise IngestError(str(exc)) from None
    existing = find_by_link(folder, draft.same_as)
    replaces_md = existing is not None and existing.lower().endswith(".md")
    if replaces_md and existing is not None:
        name = existing
    elif beside is not None:
        parent, _, base = beside.rpartition("/")
        name = (parent + "/" if parent else "") + slug(base.rsplit(".", 1)[0]) + ".md"
    else:
        name = file_name_for(draft)
    text = render_markdown(draft)
    data = text.encode("utf-8")
    if len(data) > max_file_bytes:
        raise IngestError(
            f"bài viết dài quá giới hạn {max_file_bytes:,} byte của kho".replace(",", ".")
        )
    read_back(name, text)  # raises before anything is written
    root = folder.resolve()
    target = _inside(root, name)
    try:
        if replaces_md:
            durable.write_replacing(target, data, TEMPORARY_PREFIX)
        else:
            stem, suffix = target.name.rsplit(".", 1)
            target = durable.write_new(
                target.parent,
                data,
                TEMPORARY_PREFIX,
                lambda number: target.name if number == 0 else f"{stem}-{number}.{suffix}",
            )
    except OSError as exc:
        raise IngestError(f"không ghi được tệp vào thư mục kho ({exc.strerror or exc})") from None
    relative = target.relative_to(root).as_posix()
    if existing is not None and not replaces_md:
        # The same link as a .txt: the new .md takes its place; the .txt is kept in the trash.
        move_to_trash(folder, existing)
    return Added(read_back(relative, text), existing, draft.notes)


def move_to_trash(folder: Path, name: str) -> Removed:
    """Take a file out of the knowledge folder into `.trash/` (kept, recoverable)."""
    return move_aside(folder, name, TRASH, stamped=True)


def move_aside(folder: Path, name: str, into: str, *, stamped: bool) -> Removed:
    """Move a file of the folder into a hidden folder of it (which the loader never reads),
    never over a file already there."""
    root = folder.resolve()
    path = _inside(root, name)
    if not path.is_file():
        raise IngestError(f"không còn tệp {name} trong kho")
    aside = root / into / (path.parent.relative_to(root))
    stamp = time.strftime("%Y%m%d-%H%M%S-") if stamped else ""
    kept = aside / f"{stamp}{path.name}"
    for number in itertools.count(1):
        if not kept.exists():
            break
        kept = aside / f"{stamp}{number}-{path.name}"
    try:
        aside.mkdir(parents=True, exist_ok=True)
        os.replace(path, kept)
    except OSError as exc:
        raise IngestError(f"không chuyển được tệp {name} ({exc.strerror or exc})") from None
    durable.sync_folder(path.parent)
    durable.sync_folder(kept.parent)
    return Removed(name, kept.relative_to(root).as_posix())
