"""Telegram HTML that is not an answer (the article list, reload reports) and the helpers
every message uses (answers are in answers.py).

Everything that comes from an article or a user is escaped. Messages are measured after
escaping, in UTF-16 code units as Telegram counts them, and never exceed MAX_MESSAGE: a long
text is cut at a word boundary before it is rendered, so tags are never broken.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from bot.core.live import ReloadReport
from bot.core.model import Article
from bot.telegram_bot import texts

MAX_MESSAGE = 4096  # Telegram's limit for a message text
MAX_INLINE_DESCRIPTION = 200
ELLIPSIS = "…"


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


_URL_UNSAFE_RE = re.compile(r"[\s\x00-\x1f\x7f]")
_HOST_RE = re.compile(r"[\w.-]+")


def is_web_link(url: str | None) -> bool:
    """An http(s) URL with a real host name and no white space or control characters: a
    malformed link could make Telegram refuse the whole message."""
    if not url or _URL_UNSAFE_RE.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host and _HOST_RE.fullmatch(host))


def link(url: str, label: str) -> str:
    return f'<a href="{escape(url)}">{escape(label)}</a>'


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters of text, ending at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    piece = text[: max(limit - 1, 0)]
    space = piece.rfind(" ")
    if space > len(piece) // 2:
        piece = piece[:space]
    return piece.rstrip(" ,;:-–") + ELLIPSIS


def longest_fit(text: str, render: Callable[[str], str], limit: int) -> str:
    """render(text), or render of the longest word-boundary cut of text that fits the limit."""
    message = render(text)
    if size(message) <= limit:
        return message
    low, high = 0, len(text)  # binary search on characters
    while low < high:
        middle = (low + high + 1) // 2
        if size(render(_cut(text, middle))) <= limit:
            low = middle
        else:
            high = middle - 1
    return render(_cut(text, low))


def fit(text_html: str, limit: int = MAX_MESSAGE) -> str:
    """HTML whose every line is balanced, kept under the limit by dropping whole lines."""
    if size(text_html) <= limit:
        return text_html
    lines = text_html.split("\n")
    while lines and size("\n".join([*lines, ELLIPSIS])) > limit:
        lines.pop()
    return "\n".join([*lines, ELLIPSIS])


def escaped(text: str, limit: int = MAX_MESSAGE) -> str:
    """Plain text as HTML, cut (before escaping, at a word boundary) to fit the limit."""
    return longest_fit(text, escape, limit)


def article_line(number: int, article: Article) -> str:
    parts = [f"{number}. <b>{escape(article.title)}</b>"]
    details = [escape(d) for d in (article.date, article.author) if d]
    if details:
        parts.append(" — " + ", ".join(details))
    if is_web_link(article.url):
        assert article.url is not None
        parts.append(" — " + link(article.url, texts.ORIGINAL_LINK))
    return "".join(parts)


def article_card(article: Article) -> str:
    """An article as an inline result: title, date and author, link."""
    lines = [f"📰 <b>{escape(article.title)}</b>"]
    details = [escape(d) for d in (article.date, article.author) if d]
    if details:
        lines.append(", ".join(details))
    if is_web_link(article.url):
        assert article.url is not None
        lines.append(link(article.url, texts.ORIGINAL_LINK))
    return fit("\n".join(lines))


def sources_messages(articles: Sequence[Article], *, max_messages: int = 5) -> list[str]:
    """The article list, split into messages under the limit (the rest summarised)."""
    heading = texts.SOURCES_HEADING.format(count=len(articles))
    messages: list[str] = []
    current = heading
    for number, article in enumerate(articles, start=1):
        line = fit(article_line(number, article), MAX_MESSAGE - 100)
        if size(current) + 1 + size(line) <= MAX_MESSAGE - 100:
            current += "\n" + line
            continue
        messages.append(current)
        if len(messages) == max_messages:
            remaining = len(articles) - number + 1
            messages[-1] += "\n" + texts.SOURCES_MORE.format(count=remaining)
            return messages
        current = line
    messages.append(current)
    return messages


def reload_html(report: ReloadReport, *, preface: Sequence[str] = (), max_skipped: int = 30) -> str:
    """The outcome of a reload; `preface` lines are HTML already (e.g. what was saved)."""
    lines: list[str] = list(preface)
    if report.ok:
        lines.append(
            texts.RELOAD_DONE.format(
                articles=report.articles, passages=report.passages, seconds=report.seconds
            )
        )
    else:
        lines.append(
            texts.RELOAD_FAILED.format(
                error=escape(report.error or "?"),
                articles=report.articles,
                passages=report.passages,
            )
        )
    if report.skipped:
        lines.append(texts.RELOAD_SKIPPED.format(count=len(report.skipped)))
        for skipped in report.skipped[:max_skipped]:
            lines.append(f"• <code>{escape(skipped.file)}</code>: {escape(skipped.reason)}")
        if len(report.skipped) > max_skipped:
            lines.append(texts.AND_MORE.format(count=len(report.skipped) - max_skipped))
    return fit("\n".join(lines))


def skipped_after_saving(report: ReloadReport, file: str) -> str | None:
    """The line saying that a file just saved was skipped by the reload, None if it loaded."""
    skipped = next((s for s in report.skipped if s.file == file), None)
    if skipped is None:
        return None
    return texts.UPLOAD_SKIPPED_AFTER.format(reason=escape(skipped.reason))


def snippet(text: str, limit: int = MAX_INLINE_DESCRIPTION) -> str:
    """Plain text cut for an inline result description (not HTML)."""
    return _cut(" ".join(text.split()), limit)
