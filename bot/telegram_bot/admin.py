"""Admins keep the articles: /reload re-reads the folder, a .txt or .md file sent in a private
chat is checked, saved under a safe name and loaded. Anyone else is politely refused."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.core.articles import parse_article_text
from bot.core.errors import ArticleError
from bot.telegram_bot import render, texts
from bot.telegram_bot.access import admin_message, downloaded_document
from bot.telegram_bot.messages import edit_html, reply
from bot.telegram_bot.state import BotApplication, BotContext
from bot.telegram_bot.upload import safe_file_name, save_new_file, upload_suffix

log = logging.getLogger(__name__)


async def on_reload(update: Update, context: BotContext) -> None:
    message = await admin_message(update, context)
    if message is None:
        return
    status = await reply(message, texts.RELOAD_STARTED)
    report = await context.bot_data.live.reload()
    await edit_html(status, render.reload_html(report))


async def _downloaded_text(message: Message, limit: int) -> tuple[bytes, str] | None:
    """The bytes and text of an uploaded article, or None after telling the admin why not."""
    document = message.document
    assert document is not None
    if upload_suffix(document.file_name or "") is None:
        await reply(message, quote=True, text=texts.UPLOAD_BAD_SUFFIX)
        return None
    data = await downloaded_document(message, limit)
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        await reply(message, quote=True, text=texts.UPLOAD_NOT_UTF8)
        return None
    if "\x00" in text:
        await reply(message, quote=True, text=texts.UPLOAD_BINARY)
        return None
    return data, text


async def on_document(update: Update, context: BotContext) -> None:
    """An admin's .txt or .md article: check, save under a safe name, reload."""
    message = await admin_message(update, context, refusal=texts.UPLOAD_REFUSED, quote=True)
    if message is None or message.document is None:
        return
    data = context.bot_data
    downloaded = await _downloaded_text(message, data.settings.max_file_bytes)
    if downloaded is None:
        return
    content, text = downloaded
    name = message.document.file_name or ""
    safe_name = safe_file_name(name)
    try:
        article = parse_article_text(safe_name, text)
    except ArticleError as exc:
        reason = render.escape(str(exc))
        await reply(
            message,
            quote=True,
            text=texts.UPLOAD_BAD_ARTICLE.format(name=render.escape(name), reason=reason),
        )
        return
    try:
        async with data.upload_lock:
            saved = await asyncio.to_thread(
                save_new_file, data.settings.knowledge_dir, safe_name, content
            )
    except OSError as exc:  # a full disk, a read-only folder: nothing of it is left behind
        log.warning("could not save an uploaded article: %s", exc)
        reason = render.escape(exc.strerror or str(exc))
        await reply(message, quote=True, text=texts.UPLOAD_SAVE_FAILED.format(reason=reason))
        return
    user = update.effective_user
    log.info("admin %s saved an article as %s", user.id if user else "?", saved.name)
    preface = [
        texts.UPLOAD_SAVED.format(
            title=render.escape(article.title), name=render.escape(saved.name)
        )
    ]
    if saved.name != safe_name:
        preface.append(texts.UPLOAD_RENAMED)
    status = await reply(message, "\n".join([*preface, texts.RELOAD_STARTED]), quote=True)
    report = await data.live.reload()
    skipped = render.skipped_after_saving(report, saved.name)
    if skipped is not None:
        preface.append(skipped)
    await edit_html(status, render.reload_html(report, preface=preface))


def register(application: BotApplication) -> None:
    new = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            # A reload takes a while: it must not hold up the questions behind it.
            CommandHandler("reload", on_reload, filters=new, block=False),
            MessageHandler(
                new & filters.ChatType.PRIVATE & filters.Document.ALL, on_document, block=False
            ),
        ]
    )
