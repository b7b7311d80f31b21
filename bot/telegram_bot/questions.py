"""Questions: any text in a private chat; in groups `/ask`, a mention of the bot or a reply.

The engine is CPU-bound, so a question runs in a worker thread and never waits for a reload.
The answer's passages are remembered by its message for the "Đoạn khác" button.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.core.chat_typing import combine_follow_up, is_follow_up
from bot.telegram_bot import answers, feedback, texts
from bot.telegram_bot.answers import timed_ask
from bot.telegram_bot.keyboards import question_id, vote_buttons
from bot.telegram_bot.limits import Verdict
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


async def answer_question(message: Message, context: BotContext, question: str) -> None:
    data = context.bot_data
    user = message.from_user
    if user is not None and not data.is_admin(user):  # admins are exempt from the limits
        verdict = data.limits.users.check(user.id)
        if verdict is Verdict.NOTICE:
            log.info("user %s is over the question rate: one notice, then silence", user.id)
            await reply(message, texts.SLOW_DOWN, quote=True)
        if verdict is not Verdict.ANSWER:
            return
        if is_group(message) and not data.limits.groups.spend(message.chat.id):
            await data.busy_groups.gather(message, question, context)
            return
    engine = data.engine  # one engine for the answer and its buttons
    answer, latency_ms = await timed_ask(engine, question)
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
    question = question_text(message, context.bot.username)
    await answer_question(message, context, with_previous(message, context, question))


def with_previous(message: Message, context: BotContext, question: str) -> str:
    """The question a private message asks: a short follow-up within a minute of the last
    question ("còn ông Bảo?") is read with it (``chat_typing.is_follow_up``)."""
    recent = context.bot_data.recent_questions
    at = message.date.timestamp()
    previous = recent.get(message.chat.id)
    if previous is not None and is_follow_up(question, at - previous[0], previous[1]):
        question = combine_follow_up(previous[1], question)
        log.debug("follow-up read with the previous question")
    recent.remember(message.chat.id, at, question)
    return question


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
