"""Admins remove an article: `/xoa N` (`/remove N`), N as /sources numbers the articles, then
a confirmation button. The file moves to the folder's .trash (bot.ingest), and the engine
reloads as /reload does."""

from __future__ import annotations

import asyncio
import hashlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import ingest
from bot.core.engine import Engine
from bot.telegram_bot import render, texts
from bot.telegram_bot.access import admin_message
from bot.telegram_bot.messages import edit_html, reply
from bot.telegram_bot.state import BotApplication, BotContext

log = logging.getLogger(__name__)

REMOVE = "rm"  # callback data: "rm:<article key>" confirms, "rm:-" cancels
CANCEL = "-"


def article_key(file: str, fingerprint: str) -> str:
    """Names one version of one file: a button pressed after the article changed or moved
    (its number in /sources with it) removes nothing."""
    return hashlib.blake2b(f"{file}\0{fingerprint}".encode(), digest_size=8).hexdigest()


def _article_by_key(engine: Engine, key: str) -> int | None:
    for position, (file, fingerprint) in enumerate(engine.knowledge.versions):
        if article_key(file, fingerprint) == key:
            return position
    return None


async def on_remove(update: Update, context: BotContext) -> None:
    """/xoa N, /remove N: a button confirms."""
    message = await admin_message(update, context, private_only=texts.ADMIN_PRIVATE_ONLY)
    if message is None:
        return
    args = context.args or []
    if len(args) != 1 or not args[0].isdecimal() or len(args[0]) > 6:
        await reply(message, texts.REMOVE_USAGE)
        return
    engine = context.bot_data.engine
    number = int(args[0])
    if not 1 <= number <= len(engine.articles):
        count = len(engine.articles)
        await reply(message, texts.REMOVE_NO_SUCH.format(number=number, count=count))
        return
    article = engine.articles[number - 1]
    key = article_key(*engine.knowledge.versions[number - 1])
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BUTTON_REMOVE, callback_data=f"{REMOVE}:{key}"),
                InlineKeyboardButton(texts.BUTTON_CANCEL, callback_data=f"{REMOVE}:{CANCEL}"),
            ]
        ]
    )
    title, file = render.escape(article.title), render.escape(article.file)
    await reply(message, texts.REMOVE_CONFIRM.format(number=number, title=title, file=file), markup)


async def on_remove_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    data = context.bot_data
    if not data.is_admin(query.from_user):
        await query.answer(texts.ADMIN_ONLY, show_alert=True)
        return
    key = (query.data or "").partition(":")[2]
    if key == CANCEL:
        await query.answer()
        await query.edit_message_text(texts.REMOVE_CANCELLED)
        return
    engine = data.engine
    position = _article_by_key(engine, key)
    if position is None:
        await query.answer(texts.REMOVE_GONE, show_alert=True)
        return
    if len(engine.articles) == 1:
        await query.answer(texts.REMOVE_LAST, show_alert=True)
        return
    article = engine.articles[position]
    title = render.escape(article.title)
    await query.answer()
    status = query.message
    await edit_html(status, texts.REMOVING.format(title=title))
    try:
        async with data.upload_lock:
            removed = await asyncio.to_thread(
                ingest.move_to_trash, data.settings.knowledge_dir, article.file
            )
    except ingest.IngestError as exc:
        await edit_html(status, texts.REMOVE_FAILED.format(reason=render.escape(str(exc))))
        return
    log.info("admin %s removed %s (kept as %s)", query.from_user.id, removed.file, removed.kept_as)
    report = await data.live.reload()
    kept = render.escape(removed.kept_as)
    preface = [texts.REMOVED.format(title=title, kept=kept)]
    await edit_html(status, render.reload_html(report, preface=preface))


def register(application: BotApplication) -> None:
    """Before buttons.register, whose last handler takes every other button."""
    application.add_handlers(
        [
            CommandHandler(["xoa", "remove"], on_remove, filters=filters.UpdateType.MESSAGE),
            CallbackQueryHandler(on_remove_button, pattern=f"^{REMOVE}:", block=False),
        ]
    )
