"""From the pieces a page or a document gave to a Draft, and from a Draft to the `.md` file.

Pages and documents are read the way the knowledge folder reads a news-site `.txt`
(`bot.core.articles`): title first, a date line near the top, the body paragraphs, a short
author line at the end, site leftovers ("Chia sẻ", "Tin liên quan" ...) dropped. One rule
for both, so an article reads the same however it arrived.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.core.articles import MAX_TITLE_CHARS, parse_article_text
from bot.core.errors import ArticleError
from bot.core.model import Article
from bot.core.text import clean_text
from bot.ingest.model import Draft, IngestError

MIN_ARTICLE_CHARS = 150  # of prose: less is a headline list, an error page, a login wall
MIN_PROSE_WORDS = 8

_DISPLAY_DATE_RE = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\D{1,6}?(\d{1,2})[:hg](\d{2}))?"
)
_FRONT_MATTER_UNSAFE_RE = re.compile(r"[\r\n\x00-\x1f]+")
# A site's footer caught at the end of a body: ownership, licence, address, contacts.
_FOOTER_RE = re.compile(
    r"©|bản quyền|giấy phép|cơ quan chủ quản|tổng biên tập|cổng thông tin điện tử|"
    r"(?:địa chỉ|điện thoại|đt|email|fax|hotline)\s*:",
    re.IGNORECASE,
)


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", clean_text(text)).strip()


def is_prose(paragraph: str) -> bool:
    return len(paragraph.split()) >= MIN_PROSE_WORDS


def iso_date(printed: str | None) -> str | None:
    """ "Thứ Sáu, 15/3/2024 - 08:00" -> "2024-03-15 08:00"; other text is kept as printed."""
    if not printed:
        return None
    match = _DISPLAY_DATE_RE.search(printed)
    if match is None:
        return _tidy(printed) or None
    day, month, year, hour, minute = match.groups()
    if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
        return _tidy(printed)
    date = f"{year}-{int(month):02d}-{int(day):02d}"
    if hour is not None and int(hour) < 24 and int(minute) < 60:
        date += f" {int(hour):02d}:{minute}"
    return date


def draft_from_text(
    title: str | None,
    paragraphs: Iterable[str],
    *,
    date: str | None = None,
    author: str | None = None,
    url: str | None = None,
    same_as: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> Draft:
    """A draft from a title (None: the first paragraph is the title) and body paragraphs,
    read by the knowledge folder's own `.txt` rules. IngestError when it is no article."""
    lines = [_tidy(p) for p in paragraphs]
    lines = [p for p in lines if p]
    while lines and _FOOTER_RE.search(lines[-1]):
        lines.pop()
    if title is not None and _tidy(title):
        lines.insert(0, _tidy(title))
    if not lines:
        raise IngestError("không có chữ nào để làm bài viết")
    if len(lines[0]) > MAX_TITLE_CHARS:
        raise IngestError("không tìm thấy tiêu đề bài viết (dòng đầu tiên dài quá)")
    try:
        article = parse_article_text("bai.txt", "\n\n".join(lines))
    except ArticleError as exc:
        raise IngestError(str(exc)) from None
    body = list(article.paragraphs)
    by_line = article.author
    if author and body and _tidy(body[-1]).casefold() == _tidy(author).casefold():
        body.pop()  # the byline the page also gives as metadata
    prose = sum(len(p) for p in body if is_prose(p))
    if prose < MIN_ARTICLE_CHARS:
        raise IngestError(
            "không tìm thấy bài viết: trang hoặc tệp không có đoạn văn nào đủ dài (có thể là "
            "trang chủ, trang chuyên mục, danh sách tin hoặc trang báo lỗi)"
        )
    return Draft(
        title=article.title,
        date=date or iso_date(article.date),
        author=by_line or (_tidy(author) if author else None),
        url=url,
        paragraphs=tuple(body),
        same_as=tuple(same_as),
        notes=tuple(notes),
    )


def _curly_quotes(text: str) -> str:
    quote = iter(["“", "”"] * len(text))
    text = re.sub('"', lambda _: next(quote), text)
    single = iter(["‘", "’"] * len(text))
    return re.sub(r"(?:^'|'$)", lambda _: next(single), text)


def _front_matter_value(text: str) -> str:
    # One line; the reader strips quote marks at either end, so a value with one there has
    # its straight quotes written as typographic ones.
    value = _FRONT_MATTER_UNSAFE_RE.sub(" ", text).strip()
    if value[:1] in "\"'" or value[-1:] in "\"'":
        value = _curly_quotes(value)
    return value


def _body_line(paragraph: str) -> str:
    # A dialogue dash ("- Thưa ông ...") would be read as a Markdown list marker and dropped.
    return re.sub(r"^[-*+](\s)", r"–\1", paragraph)


def render_markdown(draft: Draft) -> str:
    lines = ["---", f"title: {_front_matter_value(draft.title)}"]
    for key, value in (("date", draft.date), ("author", draft.author), ("url", draft.url)):
        if value:
            lines.append(f"{key}: {_front_matter_value(value)}")
    lines.append("---")
    body = "\n\n".join(_body_line(p) for p in draft.paragraphs)
    return "\n".join(lines) + "\n" + body + "\n"


def read_back(file_name: str, text: str) -> Article:
    """The article exactly as the knowledge folder will read the file."""
    try:
        return parse_article_text(file_name, text)
    except ArticleError as exc:
        raise IngestError(f"bài viết chuyển ra không đọc lại được: {exc}") from None
