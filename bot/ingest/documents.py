"""Word (.docx, python-docx) and PDF (pypdf, text layer only) files to Drafts."""

from __future__ import annotations

import io
import logging
import re
import statistics
import zipfile
from collections.abc import Mapping

from bot.core.articles import is_date_line
from bot.ingest.compose import draft_from_text
from bot.ingest.model import Draft, IngestError

MAX_PDF_PAGES = 200

# Metadata titles that are no title: what Word, converters and templates leave behind.
_GENERIC_TITLE_RE = re.compile(
    r"^(?:microsoft word - .*|.*\.(?:docx?|pdf|odt|rtf)|untitled|không tiêu đề|document\d*|"
    r"tài liệu\d*|title|tiêu đề)$",
    re.IGNORECASE,
)
_GENERIC_AUTHOR_RE = re.compile(
    r"^(?:admin(?:istrator)?|user|owner|windows user|microsoft office user|python-docx|"
    r"pc|dell|hp|asus|lenovo|may tinh|máy tính|\w+-pc)$",
    re.IGNORECASE,
)
_PAGE_NUMBER_RE = re.compile(r"^(?:trang\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?$", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?…:”\"»)]$")


def _title_from_metadata(value: object) -> str | None:
    text = str(value or "").strip()
    return text if text and not _GENERIC_TITLE_RE.match(text) else None


def _author_from_metadata(value: object) -> str | None:
    text = str(value or "").strip()
    return text if text and not _GENERIC_AUTHOR_RE.match(text) else None


def _title_and_body(
    paragraphs: list[str], metadata_title: str | None
) -> tuple[str | None, list[str]]:
    """The first paragraph is the title when it reads as one (short, not a sentence);
    otherwise the file's own title, if it has a real one."""
    if paragraphs and len(paragraphs[0]) <= 200 and not paragraphs[0].endswith("."):
        return None, paragraphs  # draft_from_text takes the first line as the title
    if metadata_title:
        return metadata_title, paragraphs
    raise IngestError("không tìm thấy tiêu đề: dòng đầu tiên của tệp nên là tiêu đề bài viết")


# --- Word -------------------------------------------------------------------------------


def extract_docx(data: bytes) -> Draft:
    import docx  # python-docx; imported here, as only uploads of Word files need it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise IngestError(
            "tệp .docx bị hỏng hoặc không phải tệp Word (.doc cũ cần lưu lại thành .docx)"
        ) from None
    paragraphs: list[str] = []
    title: str | None = None
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if title is None and not paragraphs and style.lower().startswith(("title", "heading")):
            title = text  # a heading first: the title, even when it ends in a full stop
            continue
        paragraphs.append(text)
    properties = document.core_properties
    metadata_title = _title_from_metadata(properties.title)
    if title is None:
        title, paragraphs = _title_and_body(paragraphs, metadata_title)
    return draft_from_text(title, paragraphs, author=_author_from_metadata(properties.author))


# --- PDF --------------------------------------------------------------------------------


def _page_paragraphs(text: str) -> list[str]:
    """Paragraphs of one page's text laid out as printed: a blank line is a paragraph gap.
    Without any gap, a line ending a sentence well short of the longest line ends one. A
    date line stands alone, however close it is printed."""
    lines = _without_page_numbers([" ".join(line.split()) for line in text.splitlines()])
    longest = max((len(line) for line in lines), default=0)
    # Gaps between body paragraphs, not only around the headline: from the first full line.
    body = next((i for i, line in enumerate(lines) if len(line) >= 0.8 * longest), 0)
    spaced = "" in lines[body:]
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if is_date_line(line):
            paragraphs.extend([[line], []])
        elif not line:
            paragraphs.append([])
        else:
            paragraphs[-1].append(line)
            if not spaced and _SENTENCE_END_RE.search(line) and len(line) < 0.8 * longest:
                paragraphs.append([])
    return [" ".join(group) for group in paragraphs if group]


def _without_page_numbers(lines: list[str]) -> list[str]:
    while lines and not lines[0]:
        lines = lines[1:]
    while lines and not lines[-1]:
        lines = lines[:-1]
    if lines and _PAGE_NUMBER_RE.match(lines[-1]):
        lines = lines[:-1]
    if lines and _PAGE_NUMBER_RE.match(lines[0]):
        lines = lines[1:]
    return lines


def _joined_across_pages(pages: list[list[str]]) -> list[str]:
    """A paragraph cut by a page break continues on the next page."""
    paragraphs: list[str] = []
    for page in pages:
        for number, paragraph in enumerate(page):
            previous = paragraphs[-1] if paragraphs else ""
            if (
                number == 0
                and previous
                and not _SENTENCE_END_RE.search(previous)
                and (paragraph[:1].islower())
            ):
                paragraphs[-1] = f"{previous} {paragraph}"
            else:
                paragraphs.append(paragraph)
    return paragraphs


def extract_pdf(data: bytes) -> Draft:
    import pypdf  # imported here, as only PDF files need it
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every odd object
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("tệp PDF có mật khẩu; hãy gửi bản không đặt mật khẩu")
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise IngestError(f"tệp PDF dài quá {MAX_PDF_PAGES} trang")
        texts = []
        for page in pages:
            try:
                texts.append(
                    page.extract_text(extraction_mode="layout", layout_mode_space_vertically=True)
                )
            except (ValueError, KeyError, ZeroDivisionError, statistics.StatisticsError):
                texts.append(page.extract_text())  # layout mode fails on a few odd pages
        metadata: Mapping[str, object] = reader.metadata or {}
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise IngestError("tệp PDF bị hỏng, không đọc được") from None
    except Exception as exc:  # pypdf has many failure modes for broken files
        if type(exc).__module__.startswith("pypdf"):
            raise IngestError("tệp PDF bị hỏng, không đọc được") from None
        raise
    if not any(text.strip() for text in texts):
        raise IngestError(
            "tệp PDF không có lớp chữ (có lẽ là bản chụp hoặc bản scan): không đọc được chữ "
            "trong ảnh; hãy gửi bản PDF xuất từ Word hoặc tệp .docx"
        )
    paragraphs = _joined_across_pages([_page_paragraphs(text) for text in texts])
    title, paragraphs = _title_and_body(paragraphs, _title_from_metadata(metadata.get("/Title")))
    return draft_from_text(title, paragraphs, author=_author_from_metadata(metadata.get("/Author")))
