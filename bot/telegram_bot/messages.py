"""Reading a message (what it asks, whether it is meant for the bot) and replying to it."""

from __future__ import annotations

import re

from telegram import (
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
)
from telegram.constants import ChatType, ParseMode
from telegram.ext import filters

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def mentions_bot(message: Message, username: str, bot_id: int) -> bool:
    for entity, text in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    ).items():
        if entity.type == MessageEntity.MENTION and text[1:].lower() == username.lower():
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
    return False


def replies_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == bot_id
        # In a forum topic every message "replies" to the topic's creation message.
        and replied.forum_topic_created is None
    )


def question_text(message: Message, username: str) -> str:
    """The question a message asks: without a leading command or a mention of the bot."""
    text = message.text or ""
    commands = message.parse_entities([MessageEntity.BOT_COMMAND])
    for entity, command in commands.items():
        if entity.offset == 0:
            text = text[len(command) :]
            break
    if username:
        text = re.sub(rf"(?<![\w@])@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


class _AddressedToBot(filters.MessageFilter):
    """A group message that mentions the bot or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        return mentions_bot(message, bot.username, bot.id) or replies_to_bot(message, bot.id)


ADDRESSED_TO_BOT = _AddressedToBot(name="addressed_to_bot")


def is_group(message: Message) -> bool:
    return message.chat.type != ChatType.PRIVATE


def from_this_bot(message: Message, bot_id: int) -> bool:
    """One of our own inline results, sent in a chat by someone: not a question to answer."""
    return message.via_bot is not None and message.via_bot.id == bot_id


async def reply(
    message: Message,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    quote: bool | None = None,
) -> Message:
    """Send HTML in the message's chat (and forum topic); as a threaded reply when quoting.

    Replies quote the message in groups by default, and always for answers.
    """
    if quote is None:
        quote = is_group(message)
    parameters = (
        ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
        if quote
        else None
    )
    return await message.reply_text(
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        reply_parameters=parameters,
        link_preview_options=NO_PREVIEW,
        do_quote=None if quote else False,
    )


async def edit_html(status: Message, text: str) -> None:
    """Replace the text of a status message the bot sent ("⏳ …") with the outcome."""
    await status.edit_text(text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
