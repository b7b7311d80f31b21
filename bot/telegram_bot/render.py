"""Answers as Telegram HTML: a quote in a blockquote, matched words in bold, then the source.

Everything that comes from an article or a user is escaped. Messages are measured after
escaping, in UTF-16 code units as Telegram counts them, and never exceed MAX_MESSAGE: a long
quote is cut at a word boundary before it is rendered, so tags are never broken.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

from bot.core.live import ReloadReport
from bot.core.model import Answer, AnswerKind, Article, Source
from bot.core.text import normalize_syllable
from bot.telegram_bot import texts

MAX_MESSAGE = 4096  # Telegram's limit for a message text
MAX_INLINE_DESCRIPTION = 200
EXPANDABLE_CHARS = 800  # quotes longer than this are shown collapsed (expandable)
ELLIPSIS = "…"

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _word_key(word: str) -> str:
    return normalize_syllable(word).casefold()


def highlight(text: str, words: Iterable[str]) -> str:
    """Escaped `text` with the given words in bold; adjacent bold words form one run.

    When some run holds two or more words, lone bold words elsewhere are left plain: the
    phrase is what matched, not every stray syllable such as "an" in "an ninh".
    """
    wanted = {_word_key(w) for w in words if w.strip()}
    if not wanted:
        return escape(text)
    runs: list[list[int]] = []  # [start, end, word count] of bold runs in `text`
    for match in _WORD_RE.finditer(text):
        if _word_key(match.group(0)) not in wanted:
            continue
        if runs and not text[runs[-1][1] : match.start()].strip():
            runs[-1][1] = match.end()
            runs[-1][2] += 1
        else:
            runs.append([match.start(), match.end(), 1])
    if any(count > 1 for _, _, count in runs):
        runs = [run for run in runs if run[2] > 1]
    parts: list[str] = []
    position = 0
    for start, end, _ in runs:
        parts.append(escape(text[position:start]))
        parts.append(f"<b>{escape(text[start:end])}</b>")
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


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


def source_html(source: Source) -> str:
    """The source line: title, date, paragraph, author, and a link when there is one."""
    parts = [f"<i>«{escape(source.title)}»</i>"]
    if source.date:
        parts.append(escape(source.date))
    if source.paragraph is not None:
        parts.append(f"đoạn {source.paragraph}")
    if source.author:
        parts.append(f"tác giả {escape(source.author)}")
    line = "📰 Nguồn: " + ", ".join(parts)
    if is_web_link(source.url):
        assert source.url is not None
        line += " — " + link(source.url, texts.ORIGINAL_LINK)
    return line


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters of text, ending at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    piece = text[: max(limit - 1, 0)]
    space = piece.rfind(" ")
    if space > len(piece) // 2:
        piece = piece[:space]
    return piece.rstrip(" ,;:-–") + ELLIPSIS


def quote_html(
    quote: str,
    source: Source | None,
    words: Iterable[str] = (),
    *,
    heading: str = "",
    footer: str = "",
    limit: int = MAX_MESSAGE,
) -> str:
    """heading, the quote in a blockquote (bold matches), the source line, footer.

    `heading` and `footer` are HTML already. The quote is cut to make the whole fit.
    """
    words = tuple(words)
    tail = ("\n" + source_html(source) if source else "") + footer

    def render(text: str) -> str:
        tag = "blockquote expandable" if len(text) > EXPANDABLE_CHARS else "blockquote"
        return f"{heading}<{tag}>{highlight(text, words)}</blockquote>{tail}"

    return _longest_fit(quote, render, limit)


def _longest_fit(text: str, render: Callable[[str], str], limit: int) -> str:
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
    return _longest_fit(text, escape, limit)


# --- Answers -----------------------------------------------------------------------------


def answer_html(answer: Answer, *, group: bool) -> str:
    """The reply to a question. In groups, refusals are one short line."""
    if answer.kind is AnswerKind.FOUND and answer.quote is not None:
        hit = answer.hits[0] if answer.hits else None
        words = hit.matched_words if hit and hit.passage.text == answer.quote else ()
        return quote_html(answer.quote, answer.source, words)
    if answer.kind is AnswerKind.METADATA and answer.quote is not None:
        if answer.source is not None and answer.source.paragraph is not None:
            return quote_html(answer.quote, answer.source)
        tail = "\n" + source_html(answer.source) if answer.source is not None else ""
        return escaped(answer.quote, MAX_MESSAGE - size(tail)) + tail
    if answer.kind is AnswerKind.NOT_FOUND:
        if group:
            return escape(texts.NOT_FOUND_GROUP)
        tip = "\n" + texts.NOT_FOUND_TIP
        return escaped(answer.reply, MAX_MESSAGE - size(tip)) + tip
    if answer.kind is AnswerKind.HELP:
        return texts.ASK_HINT_GROUP if group else escaped(answer.reply)
    # METADATA without a quote: which article? In groups only its first line, not the list.
    if group:
        return escaped(answer.reply.split("\n", 1)[0], 500) + " " + texts.SEE_SOURCES
    return escaped(answer.reply)


def passage_html(quote: str, source: Source, words: Iterable[str] = ()) -> str:
    return quote_html(quote, source, words)


def paragraph_html(paragraph: str, source: Source, words: Iterable[str] = ()) -> str:
    return quote_html(paragraph, source, words, heading=texts.FULL_PARAGRAPH_HEADING)


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


def snippet(text: str, limit: int = MAX_INLINE_DESCRIPTION) -> str:
    """Plain text cut for an inline result description (not HTML)."""
    return _cut(" ".join(text.split()), limit)
