"""Inline mode: `@bot câu hỏi` in any chat offers the passages that answer, each a ready
message with its source; an empty query pages through the articles."""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler

from bot.core.engine import Engine
from bot.telegram_bot import answers, render, texts
from bot.telegram_bot.answers import NO_PREVIEW
from bot.telegram_bot.limits import Verdict
from bot.telegram_bot.state import BotApplication, BotContext

MAX_INLINE_RESULTS = 50  # Telegram's limit per answer
INLINE_CACHE_SECONDS = 30


def article_results(engine: Engine, offset: int) -> tuple[list[InlineQueryResultArticle], str]:
    """One page of the article list, and the offset of the next page ("" at the end)."""
    page = engine.articles[offset : offset + MAX_INLINE_RESULTS]
    results = []
    for number, article in enumerate(page, start=offset):
        details = ", ".join(d for d in (article.date, article.author) if d)
        results.append(
            InlineQueryResultArticle(
                id=f"a{number}",
                title=render.snippet(article.title, 100),
                description=details or None,
                input_message_content=InputTextMessageContent(
                    render.article_card(article),
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                ),
            )
        )
    more = offset + MAX_INLINE_RESULTS < len(engine.articles)
    return results, str(offset + MAX_INLINE_RESULTS) if more else ""


async def on_inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    if query is None:
        return
    data = context.bot_data
    engine = data.engine
    text = " ".join(query.query.split())
    next_offset = ""
    if not text:
        offset = int(query.offset) if query.offset.isdigit() else 0
        results, next_offset = article_results(engine, offset)
    else:
        if not data.is_admin(query.from_user):  # admins are exempt from the limits
            if not await data.limits.inline.settled(query.from_user.id):
                return  # a newer keystroke of the same person is answered instead
            verdict = data.limits.users.check(query.from_user.id)
            if verdict is Verdict.NOTICE:
                slow = InlineQueryResultsButton(text=texts.SLOW_DOWN_INLINE, start_parameter="slow")
                await query.answer([], cache_time=0, is_personal=True, button=slow)
            if verdict is not Verdict.ANSWER:
                return
        limit = min(data.settings.inline_results, MAX_INLINE_RESULTS)
        answer, latency_ms = await answers.timed_ask(engine, text)
        results = answers.inline_results(answer, engine, limit)
        await data.inline_logger.log(
            data.question_log, answer, bool(results), latency_ms, query.from_user.id
        )
    button = (
        None
        if results
        else InlineQueryResultsButton(text=texts.INLINE_NOTHING, start_parameter="inline")
    )
    await query.answer(
        results,
        cache_time=INLINE_CACHE_SECONDS,
        is_personal=False,
        next_offset=next_offset or None,
        button=button,
    )


def register(application: BotApplication) -> None:
    application.add_handler(InlineQueryHandler(on_inline_query))
