"""Reading the knowledge folder: news-site text files and Markdown files with front matter.

A plain `.txt` article looks like the seed article: the title on the first line, a line such
as ``27/02/2014 - 17:20``, the body paragraphs, a short author line, then site leftovers
(``Chia sẻ bài viết``, ``BÌNH LUẬN``) which are dropped.

A `.md` article may start with a small front-matter header::

    ---
    title: Tiêu đề bài viết
    date: 2024-05-01
    author: Tên tác giả
    url: https://example.org/bai-viet
    ---
    Đoạn thứ nhất ...

One bad file never stops the others: it is skipped with the reason, in Vietnamese.
"""

from __future__ import annotations

import codecs
import html
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from bot.core.errors import ArticleError, KnowledgeError
from bot.core.model import Article
from bot.core.text import clean_text

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown")
# Saved pages, Word and PDF files: bot.ingest turns them into .md when added or dropped in.
CONVERTED_SUFFIXES = (".html", ".htm", ".docx", ".pdf")
DEFAULT_MAX_FILE_BYTES = 5_000_000
MAX_TITLE_CHARS = 300

_DATE_RE = re.compile(
    r"^(?:[^\d\n]{0,25}?)?(\d{1,2}[/.-]\d{1,2}[/.-]\d{4})(?:\s*[-–|,]?\s*(\d{1,2}[:h]\d{2}))?"
    r"\s*(?:\(?GMT\s*\+\s*7\)?)?$",
    re.IGNORECASE,
)
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}:\d{2}))?")
_SITE_LEFTOVER_RE = re.compile(
    r"^(?:chia sẻ(?: bài viết)?|bình luận|ý kiến(?: bạn đọc)?|gửi bình luận|viết bình luận|"
    r"in bài(?: viết)?|gửi bài(?: viết)?|tin liên quan|bài liên quan|tin cùng chuyên mục|"
    r"xem thêm|lên đầu trang|quay lại|trở về|share|print|like|tweet|"
    r"(?:tags?|từ khóa|từ khoá)\s*:.*)$",
    re.IGNORECASE,
)
_URL_LINE_RE = re.compile(r"^(?:(?:nguồn|link|url|source)\s*:\s*)?(https?://\S+)$", re.IGNORECASE)
_AUTHOR_PREFIX_RE = re.compile(r"^(?:tác giả|bài và ảnh|bài, ảnh|theo)\s*:?\s*", re.IGNORECASE)
_FRONT_MATTER_KEYS = {"title", "date", "author", "url"}


# --- Decoding ---------------------------------------------------------------------------


def decode_article_bytes(data: bytes) -> tuple[str, str | None]:
    """Return (text, warning) or raise ArticleError when the bytes are not readable text."""
    if not data.strip():
        raise ArticleError("tệp rỗng")
    warning = None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ArticleError("tệp UTF-16 bị hỏng, không giải mã được") from None
        warning = "tệp mã hóa UTF-16; đã đọc được, nên lưu lại bằng UTF-8"
    elif b"\x00" in data:
        raise ArticleError("tệp nhị phân, không phải văn bản (hoặc UTF-16 không có BOM)")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1258", errors="replace")
            if "\ufffd" in text:
                raise ArticleError("không giải mã được: tệp phải là văn bản UTF-8") from None
            warning = "tệp không phải UTF-8; đã đọc theo bảng mã Windows-1258"
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > max(2, len(text) // 100):
        raise ArticleError("tệp nhị phân, không phải văn bản")
    if not text.strip():
        raise ArticleError("tệp rỗng")
    return text, warning


# --- Parsing ----------------------------------------------------------------------------


def _clean_line(line: str) -> str:
    # Quotes must show the article's own spelling, so only NFC and white space are tidied here.
    return re.sub(r"\s+", " ", clean_text(line)).strip()


def _paragraph_blocks(lines: list[str]) -> list[str]:
    """Paragraphs are separated by blank lines; with none, every line is a paragraph."""
    if "" not in lines:
        return [line for line in lines if line]
    blocks: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            blocks.append(" ".join(current))
            current = []
    return blocks


def is_date_line(line: str) -> bool:
    """A line that is only a date, as news sites print them ("Thứ Sáu, 15/03/2024 - 08:00")."""
    return _DATE_RE.match(line.strip()) is not None


def _display_date(raw: str) -> str:
    iso = _ISO_DATE_RE.match(raw.strip())
    if iso:
        year, month, day, time = iso.groups()
        return f"{day}/{month}/{year}" + (f" - {time}" if time else "")
    return raw.strip()


def _looks_like_author(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 6
        and len(line) <= 50
        and not line.endswith((".", ":", ";", ",", "?", "!"))
        and not _DATE_RE.match(line)
        and not any(c.isdigit() for c in line)
    )


def _parse_plain(file_name: str, text: str) -> Article:
    lines = [_clean_line(line) for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise ArticleError("tệp rỗng")
    title = lines.pop(0)
    if len(title) > MAX_TITLE_CHARS or _DATE_RE.match(title):
        raise ArticleError("không có tiêu đề: dòng đầu tiên phải là tiêu đề bài viết")

    date = None
    for position, line in enumerate(lines[:6]):
        if line and _DATE_RE.match(line):
            date = line
            del lines[position]
            break

    paragraphs = _paragraph_blocks(lines)
    url = None
    kept: list[str] = []
    for paragraph in paragraphs:
        url_match = _URL_LINE_RE.match(paragraph)
        if url_match:
            url = url or url_match.group(1)
        elif not _SITE_LEFTOVER_RE.match(paragraph):
            kept.append(paragraph)
    author = None
    if len(kept) > 1 and _looks_like_author(kept[-1]):
        author = _AUTHOR_PREFIX_RE.sub("", kept.pop()).strip() or None
    if not kept:
        raise ArticleError("không có đoạn nội dung nào sau tiêu đề")
    return Article(file_name, title, date, author, url, tuple(kept))


_MD_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_HTML_TAG_RE = re.compile(r"<[^>\n]{1,200}>")
_MD_PREFIX_RE = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)?")
_MD_EMPHASIS_RE = re.compile(r"(\*\*|__|~~|`+|(?<!\w)[*_]|[*_](?!\w))")
_MD_RULE_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")


def _strip_markdown(line: str) -> str:
    line = _MD_IMAGE_RE.sub("", line)
    line = _MD_LINK_RE.sub(r"\1", line)
    line = _HTML_TAG_RE.sub("", line)
    line = _MD_PREFIX_RE.sub("", line)
    line = _MD_EMPHASIS_RE.sub("", line)
    return html.unescape(line)


def _parse_front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, lines
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise ArticleError("phần đầu (front matter) thiếu dòng '---' đóng") from None
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise ArticleError(f"phần đầu (front matter) sai ở dòng {number}: cần 'khóa: giá trị'")
        key = key.strip().lower()
        if key in _FRONT_MATTER_KEYS:
            fields[key] = _unquoted(value.strip())
    return fields, lines[end + 1 :]


def _unquoted(value: str) -> str:
    """A front-matter value without the quotes around it (YAML style); quotes that are part
    of the text ("... 'đúng quy định'") stay."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        if value[0] == '"':
            try:
                decoded = json.loads(value)
            except ValueError:
                decoded = None
            if isinstance(decoded, str):
                return decoded.strip()
        return value[1:-1].replace("''", "'").strip() if value[0] == "'" else value[1:-1].strip()
    return value


def _parse_markdown(file_name: str, text: str) -> Article:
    fields, body = _parse_front_matter(text.splitlines())
    title = _clean_line(fields.get("title", ""))
    lines: list[str] = []
    for raw in body:
        if _MD_RULE_RE.match(raw):
            lines.append("")
            continue
        if re.match(r"^\s*#\s+\S", raw):
            heading = _clean_line(_strip_markdown(raw))
            if not title or heading == title:  # the title, or the title repeated
                title = title or heading
                continue
        lines.append(_clean_line(_strip_markdown(raw)))
    if not title:
        raise ArticleError("không có tiêu đề: cần 'title:' ở phần đầu hoặc một dòng '# Tiêu đề'")
    if len(title) > MAX_TITLE_CHARS:
        raise ArticleError("tiêu đề dài quá 300 ký tự")
    paragraphs = [p for p in _paragraph_blocks(lines) if p]
    if not paragraphs:
        raise ArticleError("không có đoạn nội dung nào")
    url = fields.get("url") or None
    if url and not re.match(r"^https?://\S+$", url):
        raise ArticleError(f"url không hợp lệ: {url!r}")
    date = _display_date(fields["date"]) if fields.get("date") else None
    author = _clean_line(fields.get("author", "")) or None
    return Article(file_name, title, date, author, url, tuple(paragraphs))


def parse_article_text(file_name: str, text: str) -> Article:
    """Parse an article by its file suffix; raise ArticleError with the reason."""
    suffix = Path(file_name).suffix.lower()
    if suffix in (".md", ".markdown"):
        return _parse_markdown(file_name, text)
    if suffix == ".txt":
        return _parse_plain(file_name, text)
    raise ArticleError("định dạng không hỗ trợ (chỉ nhận .txt và .md)")


# --- The folder -------------------------------------------------------------------------


def is_temporary(name: str) -> bool:
    return name.startswith((".", "~$", "#")) or name.endswith(
        ("~", ".swp", ".swo", ".tmp", ".part", ".bak", ".crdownload")
    )


def iter_knowledge_files(folder: Path) -> Iterator[tuple[str, Path | None, str | None]]:
    """Yield (relative name, path, skip reason) for every file under the folder, sorted.

    Hidden folders (such as the index cache) are not entered. A symbolic link is followed
    only when its target stays inside the folder.
    """
    for rel, full, reason in scan_knowledge_files(folder):
        yield rel, (Path(full) if full is not None else None), reason


def scan_knowledge_files(folder: Path) -> Iterator[tuple[str, str | None, str | None]]:
    """`iter_knowledge_files` with the path as a string: this runs over every file on each
    start and reload, so it asks the system as little as it can (the folder listing says
    which entries are plain files and links; only links and odd entries get a `stat`)."""
    root = folder.resolve()
    top = str(root)
    yield from _scan_folder(top, root, len(top) + 1)


def _scan_folder(
    current: str, root: Path, prefix: int
) -> Iterator[tuple[str, str | None, str | None]]:
    """One folder, as `os.walk` (top-down, links to folders not entered) lists it: its files,
    then links to folders, each sorted by name; then its subfolders, one after the other."""
    try:
        with os.scandir(current) as listing:
            entries = {entry.name: entry for entry in listing}
    except OSError:
        return  # a folder that cannot be listed is passed over, as os.walk does
    files: list[str] = []
    folders: list[str] = []
    for name, entry in entries.items():
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        (folders if is_folder else files).append(name)
    folders = sorted(d for d in folders if not d.startswith("."))
    linked = [d for d in folders if _is_link(entries[d])]
    for name in sorted(files) + linked:
        full = os.path.join(current, name)
        rel = full[prefix:].replace(os.sep, "/")
        yield rel, *_kind_of(entries[name], full, root)
    for name in folders:
        if name not in linked:
            yield from _scan_folder(os.path.join(current, name), root, prefix)


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _kind_of(entry: os.DirEntry[str], full: str, root: Path) -> tuple[str | None, str | None]:
    """(the path to read, None) for an article file, or (None, why it is skipped)."""
    name = entry.name
    if is_temporary(name):
        return None, "tệp ẩn hoặc tệp tạm của trình soạn thảo"
    try:
        if _is_link(entry):
            if not _inside(Path(full), root):
                return None, "liên kết trỏ ra ngoài thư mục kiến thức"
            mode = os.stat(full).st_mode
        elif entry.is_file(follow_symlinks=False):
            mode = stat.S_IFREG
        else:
            mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        mode = 0  # vanished or unreadable: reported below as not a regular file
    if stat.S_ISDIR(mode):
        return None, "liên kết tới thư mục: không đọc"
    if not stat.S_ISREG(mode):  # a named pipe or a device would block or never end
        return None, "không phải tệp thường (ống, thiết bị …): không đọc"
    suffix = os.path.splitext(name)[1].lower()
    if suffix in CONVERTED_SUFFIXES:
        # Still here: converting it failed (bot.ingest.convert_dropped).
        reason = (
            "định dạng không hỗ trợ trực tiếp, và tệp chưa chuyển được thành bài "
            "viết; chạy python -m bot add với tệp này để xem lý do"
        )
        return None, reason
    if suffix not in SUPPORTED_SUFFIXES:
        return None, "định dạng không hỗ trợ (chỉ nhận .txt và .md)"
    return full, None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(root)
    except (OSError, RuntimeError, ValueError):  # RuntimeError: a symlink loop (Python < 3.13)
        return False
    return True


def read_file_bytes(path: Path, max_file_bytes: int) -> bytes:
    """Read at most max_file_bytes; raise ArticleError when larger or unreadable."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max_file_bytes + 1)
    except FileNotFoundError:
        raise ArticleError("tệp đã bị xóa trong lúc đọc") from None
    except OSError as exc:
        raise ArticleError(f"không đọc được tệp ({exc.strerror or exc})") from None
    if len(data) > max_file_bytes:
        raise ArticleError(f"tệp lớn quá giới hạn {max_file_bytes:,} byte".replace(",", "."))
    return data


def read_article(path: Path, rel: str, max_file_bytes: int) -> tuple[Article, str | None]:
    text, warning = decode_article_bytes(read_file_bytes(path, max_file_bytes))
    return parse_article_text(rel, text), warning


def check_folder(folder: Path) -> None:
    if not folder.exists():
        raise KnowledgeError(f"Không tìm thấy thư mục kiến thức: {folder}")
    if not folder.is_dir():
        raise KnowledgeError(f"Đường dẫn kiến thức không phải thư mục: {folder}")
