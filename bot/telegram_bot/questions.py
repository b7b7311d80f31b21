"""Questions: any text in a private chat; in groups `/ask`, a mention of the bot or a reply.

The engine is CPU-bound, so a question runs in a worker thread and never waits for a reload.
The answer's passages are remembered by its message for the "Đoạn khác" button.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.core.engine import Engine
from bot.core.model import Answer
from bot.telegram_bot import answers, feedback, texts
from bot.telegram_bot.keyboards import question_id, vote_buttons
from bot.telegram_bot.messages import (
    ADDRESSED_TO_BOT,
    from_this_bot,
    is_group,
    question_text,
    replies_to_bot,
    reply,
)
from bot.telegram_bot.state import BotApplication, BotContext

log = logging.getLogger(__name__)


async def timed_ask(engine: Engine, question: str) -> tuple[Answer, float]:
    """The answer, and how long the user waited for it (milliseconds)."""
    started = time.perf_counter()
    answer = await asyncio.to_thread(engine.ask, question)
    return answer, (time.perf_counter() - started) * 1000


async def answer_question(message: Message, context: BotContext, question: str) -> None:
    data = context.bot_data
    engine = data.engine  # one engine for the answer and its buttons
    answer, latency_ms = await timed_ask(engine, question)
    user = message.from_user
    row_id = await feedback.log_answer(
        data.question_log,
        answer,
        "group" if is_group(message) else "private",
        latency_ms,
        user_id=user.id if user else None,
        chat_id=message.chat.id,
    )
    votes = vote_buttons(row_id) if row_id is not None and answer.found else []
    alternatives = answers.alternatives_of(answer, engine, question_id(question))
    shown = answers.answer_reply(answer, alternatives, group=is_group(message), votes=votes)
    log.debug("question answered: kind=%s score=%.2f", answer.kind.value, answer.score)
    sent = await reply(message, shown.text, shown.markup, quote=True)
    if alternatives is not None:
        data.answers.remember(sent.chat.id, sent.message_id, alternatives)


async def on_ask(update: Update, context: BotContext) -> None:
    """/ask QUESTION; /ask alone under someone's question asks that question."""
    message = update.effective_message
    if message is None:
        return
    question = question_text(message, context.bot.username)
    replied = message.reply_to_message
    if (
        not question
        and replied is not None
        and replied.text
        and not replies_to_bot(replied, context.bot.id)
        and replied.forum_topic_created is None
    ):
        question = question_text(replied, context.bot.username)
    if not question:
        await reply(message, texts.ASK_EMPTY)
        return
    await answer_question(message, context, question)


async def on_private_text(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or from_this_bot(message, context.bot.id):
        return
    await answer_question(message, context, question_text(message, context.bot.username))


async def on_group_text(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or from_this_bot(message, context.bot.id):
        return
    question = question_text(message, context.bot.username)
    if not question:
        await reply(message, texts.ASK_EMPTY)
        return
    await answer_question(message, context, question)


def register(application: BotApplication) -> None:
    new = filters.UpdateType.MESSAGE  # never edited messages, never channel posts
    application.add_handlers(
        [
            CommandHandler(["ask", "hoi"], on_ask, filters=new),
            MessageHandler(
                new & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_private_text
            ),
            MessageHandler(
                new & filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND & ADDRESSED_TO_BOT,
                on_group_text,
            ),
        ]
    )
