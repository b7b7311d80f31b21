"""The error handler: log the exception, then tell the user briefly (never a traceback)."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import Forbidden, NetworkError, TelegramError, TimedOut

from bot.telegram_bot import texts
from bot.telegram_bot.messages import reply
from bot.telegram_bot.state import BotApplication, BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        log.info("cannot reach a chat (blocked or removed): %s", error)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("network problem talking to Telegram: %s", error)
        return
    if isinstance(error, TimedOut):
        # Not retried (see retry.py): the request most likely reached Telegram, so the reply
        # was probably delivered; an apology on top would only confuse.
        log.warning(
            "Telegram did not answer in time (the request may have gone through): %s", error
        )
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.SOMETHING_WENT_WRONG, show_alert=True)
        elif isinstance(update.effective_message, Message) and update.inline_query is None:
            await reply(update.effective_message, texts.SOMETHING_WENT_WRONG, quote=True)
    except TelegramError as exc:
        log.warning("could not tell the user about the error: %s", exc)


def register(application: BotApplication) -> None:
    application.add_error_handler(on_error)
