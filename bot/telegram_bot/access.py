"""Who may use the admin features, and the steps they share: an admin's message (in a
private chat where the command requires it) and an uploaded document's bytes."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import TelegramError

from bot.telegram_bot import texts
from bot.telegram_bot.messages import is_group, reply
from bot.telegram_bot.state import BotContext

log = logging.getLogger(__name__)


async def admin_message(
    update: Update,
    context: BotContext,
    *,
    refusal: str = texts.ADMIN_ONLY,
    private_only: str | None = None,
    quote: bool | None = None,
) -> Message | None:
    """The message of an admin's command or upload, or None after telling anyone else why
    not: `refusal` to a non-admin, `private_only` (when given) to an admin in a group."""
    message = update.effective_message
    if message is None:
        return None
    if not context.bot_data.is_admin(update.effective_user):
        await reply(message, refusal, quote=quote)
        return None
    if private_only is not None and is_group(message):
        await reply(message, private_only, quote=quote)
        return None
    return message


def too_big_text(limit: int) -> str:
    return texts.UPLOAD_TOO_BIG.format(limit=f"{limit:,}".replace(",", "."))


async def downloaded_document(message: Message, limit: int) -> bytes | None:
    """The bytes of the message's document, at most `limit` of them, or None after telling
    the admin why not (too big, declared or actual; Telegram would not hand it over)."""
    document = message.document
    assert document is not None
    if document.file_size is not None and document.file_size > limit:
        await reply(message, quote=True, text=too_big_text(limit))
        return None
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
    except TelegramError:
        log.warning("could not download an uploaded document", exc_info=True)
        await reply(message, quote=True, text=texts.UPLOAD_DOWNLOAD_FAILED)
        return None
    if len(data) > limit:  # the declared size may lie
        await reply(message, quote=True, text=too_big_text(limit))
        return None
    return data
