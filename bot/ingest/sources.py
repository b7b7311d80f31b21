"""What an admin hands over, to a Draft: a link, or a file by its name and bytes."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec

from bot.core.articles import CONVERTED_SUFFIXES
from bot.ingest.documents import extract_docx, extract_pdf
from bot.ingest.fetch import FetchPolicy, fetch
from bot.ingest.model import Added, Draft, IngestError
from bot.ingest.store import save_draft
from bot.ingest.urls import is_http_url, normalize_url, same_article_keys
from bot.ingest.webpage import extract_page

_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_UNSPECIFIC_TYPES = ("", "application/octet-stream", "binary/octet-stream", "text/plain")

log = logging.getLogger(__name__)
P = ParamSpec("P")


def _reasons_only(read: Callable[P, Draft]) -> Callable[P, Draft]:
    """A page or file that trips up a parsing library (lxml, python-docx, pypdf) is refused
    like any other bad input; the traceback goes to the log, not to the admin."""

    @functools.wraps(read)
    def reading(*args: P.args, **kwargs: P.kwargs) -> Draft:
        try:
            return read(*args, **kwargs)
        except IngestError:
            raise
        except Exception as exc:
            log.exception("could not read an article")
            raise IngestError(
                f"không đọc được nội dung (lỗi {type(exc).__name__} khi phân tích)"
            ) from None

    return reading


def _kind(media_type: str, data: bytes, name: str) -> str | None:
    """ "html", "pdf" or "docx" by the declared type, else by the bytes and the name."""
    if media_type in _HTML_TYPES:
        return "html"
    if media_type == "application/pdf":
        return "pdf"
    if media_type == _DOCX_TYPE:
        return "docx"
    if media_type not in _UNSPECIFIC_TYPES:
        return None
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return "pdf"
    if head.startswith(b"pk") and b"word/" in data[:65536]:
        return "docx"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head:
        return "html"
    suffix = Path(name.split("?", 1)[0]).suffix.lower()
    return {".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}.get(suffix)


@_reasons_only
def read_link(url: str, policy: FetchPolicy) -> Draft:
    """Fetch a link and read the article it points to (a page, a PDF or a Word file)."""
    if not is_http_url(url):
        raise IngestError("cần một đường dẫn bắt đầu bằng http:// hoặc https://")
    fetched = fetch(url, policy)
    kind = _kind(fetched.media_type, fetched.data, fetched.url)
    if kind == "html":
        return extract_page(
            fetched.data,
            charset=fetched.charset,
            url=fetched.url,
            also_known_as=(fetched.requested,),
        )
    if kind is None:
        raise IngestError(
            f"đường dẫn trỏ tới một tệp {fetched.media_type or 'không rõ loại'}, không phải "
            "trang bài viết, PDF hay Word"
        )
    draft = extract_pdf(fetched.data) if kind == "pdf" else extract_docx(fetched.data)
    stored = normalize_url(fetched.url)
    return Draft(
        draft.title,
        draft.date,
        draft.author,
        stored,
        draft.paragraphs,
        same_article_keys(fetched.url, fetched.requested),
        draft.notes,
    )


@_reasons_only
def read_file(name: str, data: bytes, *, max_bytes: int) -> Draft:
    """An uploaded or dropped .html/.htm (a saved page), .docx or .pdf."""
    suffix = Path(name).suffix.lower()
    if suffix not in CONVERTED_SUFFIXES:
        raise IngestError("chỉ chuyển được tệp .html, .htm, .docx hoặc .pdf")
    if len(data) > max_bytes:
        raise IngestError(f"tệp lớn quá giới hạn {max_bytes:,} byte".replace(",", "."))
    if not data.strip():
        raise IngestError("tệp rỗng")
    if suffix in (".html", ".htm"):
        return extract_page(data)
    if suffix == ".pdf":
        return extract_pdf(data)
    return extract_docx(data)


def add_link(folder: Path, url: str, policy: FetchPolicy, *, max_file_bytes: int) -> Added:
    return save_draft(folder, read_link(url, policy), max_file_bytes=max_file_bytes)


def add_file(folder: Path, name: str, data: bytes, *, max_bytes: int, max_file_bytes: int) -> Added:
    return save_draft(
        folder, read_file(name, data, max_bytes=max_bytes), max_file_bytes=max_file_bytes
    )
