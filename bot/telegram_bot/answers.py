"""An engine's answer as Telegram shows it: HTML and the buttons under it.

Every rendering of a `bot.core` Answer for Telegram is here, and only here: the reply in a
chat, the passages "Đoạn khác" pages through, "Cả đoạn", inline results, and the source line.
When Answer changes (a kind, a short answer line, highlight spans, a probability), this module
is the one to change. Everything from an article or a user is escaped; messages stay under
Telegram's limit (see render.py).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode

from bot.core.engine import Engine
from bot.core.model import Answer, AnswerKind, Hit, Source, Span
from bot.core.text import normalize_syllable
from bot.telegram_bot import texts
from bot.telegram_bot.keyboards import NextPassage, answer_keyboard
from bot.telegram_bot.render import (
    MAX_MESSAGE,
    escape,
    escaped,
    is_web_link,
    link,
    longest_fit,
    size,
    snippet,
)

MAX_ALTERNATIVES = 10  # passages "Đoạn khác" cycles through
EXPANDABLE_CHARS = 800  # quotes longer than this are shown collapsed (expandable)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to send or edit: HTML and its keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True, slots=True)
class Alternatives:
    """The passages one answer found, best first, kept for the buttons of its message."""

    question_id: str
    hits: tuple[Hit, ...]
    full_keys: tuple[str | None, ...]  # "Cả đoạn" key of each; None: the passage is the paragraph


# --- HTML of a quote --------------------------------------------------------------------------


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


def highlight_spans(text: str, spans: Iterable[Span]) -> str:
    """Escaped `text` with the given character spans in bold (spans past its end are cut)."""
    parts: list[str] = []
    position = 0
    for start, end in sorted(spans):
        start, end = max(start, position), min(end, len(text))
        if end <= start:
            continue
        parts.append(escape(text[position:start]))
        parts.append(f"<b>{escape(text[start:end])}</b>")
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def answer_line_html(label: str | None, answer: str | None) -> str:
    """The short answer above the quote: "<b>Người chủ trì:</b> Nguyễn Quốc Bảo, ..."."""
    if not answer:
        return ""
    return f"<b>{escape(label or texts.ANSWER_LABEL)}:</b> {escape(answer)}\n"


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
    if source.url is not None and is_web_link(source.url):
        line += " — " + link(source.url, texts.ORIGINAL_LINK)
    return line


def quote_html(
    quote: str,
    source: Source | None,
    words: Iterable[str] = (),
    *,
    spans: Sequence[Span] | None = None,
    heading: str = "",
    limit: int = MAX_MESSAGE,
) -> str:
    """heading, the quote in a blockquote (the answer in bold), the source line.

    What is bold: the character `spans` when given (the answer the engine found), else every
    run of the given `words`. `heading` is HTML already. The quote is cut to make it fit.
    """
    words = tuple(words)
    tail = "\n" + source_html(source) if source else ""

    def render(text: str) -> str:
        tag = "blockquote expandable" if len(text) > EXPANDABLE_CHARS else "blockquote"
        body = highlight_spans(text, spans) if spans is not None else highlight(text, words)
        return f"{heading}<{tag}>{body}</blockquote>{tail}"

    return longest_fit(quote, render, limit)


def passage_html(hit: Hit) -> str:
    """One answering quote: its short answer first when the engine found one."""
    heading = answer_line_html(hit.answer_label, hit.answer)
    return quote_html(hit.quote, hit.source, spans=hit.highlights, heading=heading)


def paragraph_html(paragraph: str, source: Source, words: Iterable[str] = ()) -> str:
    return quote_html(paragraph, source, words, heading=texts.FULL_PARAGRAPH_HEADING)


def answer_html(answer: Answer, *, group: bool) -> str:
    """The reply to a question. In groups, refusals are one short line."""
    if answer.kind is AnswerKind.FOUND and answer.hits:
        return passage_html(answer.hits[0])
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
    # Which article is meant? In groups only its first line, not the list.
    if group:
        return escaped(answer.reply.split("\n", 1)[0], 500) + " " + texts.SEE_SOURCES
    return escaped(answer.reply)


# --- Replies with their buttons -----------------------------------------------------------------


def _full_key(engine: Engine, hit: Hit) -> str | None:
    """The "Cả đoạn" key of a quote that is part of a longer paragraph."""
    passage = hit.passage
    return engine.passage_key(passage) if engine.paragraph_text(passage) != hit.quote else None


async def timed_ask(engine: Engine, question: str) -> tuple[Answer, float]:
    """The answer, and how long the user waited for it (milliseconds)."""
    started = time.perf_counter()
    answer = await asyncio.to_thread(engine.ask, question)
    return answer, (time.perf_counter() - started) * 1000


def alternatives_of(answer: Answer, engine: Engine, question_id: str) -> Alternatives | None:
    """The passages an answer quoting a passage found (None for any other answer)."""
    if answer.kind is not AnswerKind.FOUND or not answer.hits:
        return None
    hits = answer.hits[:MAX_ALTERNATIVES]
    return Alternatives(question_id, hits, tuple(_full_key(engine, hit) for hit in hits))


def _passage_keyboard(
    alternatives: Alternatives, rank: int, extra: Sequence[InlineKeyboardButton]
) -> InlineKeyboardMarkup | None:
    total = len(alternatives.hits)
    return answer_keyboard(
        full_key=alternatives.full_keys[rank],
        next_rank=(rank + 1) % total if total > 1 else None,
        question_id=alternatives.question_id,
        extra=extra,
    )


def answer_reply(
    answer: Answer,
    alternatives: Alternatives | None,
    *,
    group: bool,
    votes: Sequence[InlineKeyboardButton] = (),
) -> Reply:
    """The message answering a question: the answer, "Cả đoạn" and "Đoạn khác" when it quotes
    a passage, and the 👍/👎 `votes` when it was logged."""
    text = answer_html(answer, group=group)
    if alternatives is None:
        return Reply(text, answer_keyboard(extra=votes))
    return Reply(text, _passage_keyboard(alternatives, 0, votes))


def alternative_reply(
    alternatives: Alternatives, rank: int, extra: Sequence[InlineKeyboardButton]
) -> Reply:
    """The answer's message showing its passage number `rank` (cycling) instead."""
    rank %= len(alternatives.hits)
    return Reply(
        passage_html(alternatives.hits[rank]), _passage_keyboard(alternatives, rank, extra)
    )


def paragraph_reply(
    paragraph: str,
    source: Source,
    words: Iterable[str],
    next_passage: NextPassage | None,
    extra: Sequence[InlineKeyboardButton],
) -> Reply:
    """The answer's message showing the whole paragraph, keeping its "Đoạn khác"."""
    return Reply(
        paragraph_html(paragraph, source, words),
        answer_keyboard(
            next_rank=next_passage.rank if next_passage else None,
            question_id=next_passage.question_id if next_passage else None,
            extra=extra,
        ),
    )


def inline_results(answer: Answer, engine: Engine, limit: int) -> list[InlineQueryResultArticle]:
    """An answer as inline results: each passage it found, a ready message with its source."""
    results = []
    for hit in answer.hits[:limit]:
        source = hit.source
        title = texts.INLINE_PASSAGE_TITLE.format(title=source.title, paragraph=source.paragraph)
        results.append(
            InlineQueryResultArticle(
                id=engine.passage_key(hit.passage)[:64],
                title=snippet(title, 100),
                description=snippet(hit.answer or hit.quote),
                input_message_content=InputTextMessageContent(
                    passage_html(hit), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                ),
                reply_markup=answer_keyboard(full_key=_full_key(engine, hit)),
            )
        )
    return results
