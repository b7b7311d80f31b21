"""The buttons under an answer: "Cả đoạn", "Đoạn khác" and the 👍/👎 votes.

"Đoạn khác" pages through the passages the answer found, remembered by its message; only when
they are forgotten (a restart, or long ago) is the question asked again, read from the
message the answer replied to.
"""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.telegram_bot import answers, feedback, texts
from bot.telegram_bot.answers import NO_PREVIEW, Alternatives, Reply
from bot.telegram_bot.keyboards import (
    FULL_PARAGRAPH,
    NEXT_PASSAGE,
    VOTE,
    FullParagraph,
    NextPassage,
    buttons_except,
    parse_callback,
    parse_vote,
    question_id,
)
from bot.telegram_bot.messages import question_text
from bot.telegram_bot.state import BotApplication, BotContext


def _bold_words(message: Message | None) -> list[str]:
    """The words shown in bold in a message: the highlights of the answer it holds."""
    if message is None:
        return []
    bold = message.parse_entities([MessageEntity.BOLD]).values()
    return [word for run in bold for word in run.split()]


def _kept_buttons(message: Message | None) -> tuple[NextPassage | None, list[InlineKeyboardButton]]:
    """The "Đoạn khác" action and the other features' buttons of a message's keyboard."""
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return None, []
    next_action = None
    for row in markup.inline_keyboard:
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else None
            action = parse_callback(data)
            if isinstance(action, NextPassage):
                next_action = action
    return next_action, buttons_except(markup, FULL_PARAGRAPH, NEXT_PASSAGE)


def _question_from_reply(message: Message | None, username: str, qid: str) -> str | None:
    """The question an answer replied to, when the memory lost it (e.g. after a restart)."""
    replied = message.reply_to_message if message is not None else None
    if replied is None or not replied.text:
        return None
    question = question_text(replied, username)
    return question if question and question_id(question) == qid else None


async def _alternatives(
    message: Message | None, action: NextPassage, context: BotContext
) -> Alternatives | str:
    """The passages the message's answer found, or the toast saying why there are none."""
    data = context.bot_data
    found = data.answers.get(message.chat.id, message.message_id) if message else None
    if found is None or found.question_id != action.question_id:
        question = _question_from_reply(message, context.bot.username, action.question_id)
        if question is None:
            return texts.CALLBACK_NO_QUESTION
        engine = data.engine
        answer = await asyncio.to_thread(engine.ask, question)
        found = answers.alternatives_of(answer, engine, action.question_id)
        if found is not None and message is not None:
            data.answers.remember(message.chat.id, message.message_id, found)
    if found is None or len(found.hits) < 2:
        return texts.CALLBACK_NO_MORE
    return found


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    action = parse_callback(query.data)
    if action is None:
        await query.answer(texts.CALLBACK_UNKNOWN)
        return
    message = query.message if isinstance(query.message, Message) else None
    next_action, extra = _kept_buttons(message)
    shown: Reply
    if isinstance(action, FullParagraph):
        engine = context.bot_data.engine
        passage = engine.passage_by_key(action.key)
        if passage is None:
            await query.answer(texts.CALLBACK_GONE, show_alert=True)
            return
        shown = answers.paragraph_reply(
            engine.paragraph_text(passage),
            engine.source(passage),
            _bold_words(message),
            next_action,
            extra,
        )
    else:
        found = await _alternatives(message, action, context)
        if isinstance(found, str):
            await query.answer(found, show_alert=found == texts.CALLBACK_NO_QUESTION)
            return
        shown = answers.alternative_reply(found, action.rank, extra)
    await query.answer()
    try:
        await query.edit_message_text(
            shown.text,
            parse_mode=ParseMode.HTML,
            reply_markup=shown.markup,
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def on_vote(update: Update, context: BotContext) -> None:
    """👍/👎 under an answer: one vote per person and answer; pressing the other changes it."""
    query = update.callback_query
    if query is None:
        return
    vote = parse_vote(query.data)
    question_log = context.bot_data.question_log
    if vote is None or question_log is None:
        await query.answer(texts.CALLBACK_UNKNOWN)
        return
    result = await asyncio.to_thread(question_log.vote, vote.row_id, query.from_user.id, vote.value)
    await query.answer(feedback.vote_toast(result, vote.value))


def register(application: BotApplication) -> None:
    application.add_handlers(
        [
            CallbackQueryHandler(on_vote, pattern=f"^{VOTE}:"),
            CallbackQueryHandler(on_button),
        ]
    )
