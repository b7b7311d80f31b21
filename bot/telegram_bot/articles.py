"""Admins add articles from the chat: `/them URL` (`/add`), or a saved page, Word or PDF file
sent as a document (removing them is removal.py's).

The work is `bot.ingest`'s; this module reads the update, runs it off the event loop,
reloads the engine as `/reload` does, and says what happened. After an add it offers one
question the new article answers, checked against the reloaded engine first.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import operator
from collections.abc import Callable

from telegram import Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import ingest
from bot.core.engine import Engine
from bot.core.live import ReloadReport
from bot.telegram_bot import render, texts
from bot.telegram_bot.access import admin_message, downloaded_document
from bot.telegram_bot.messages import edit_html, reply
from bot.telegram_bot.state import BotApplication, BotContext, BotData

log = logging.getLogger(__name__)


def _added_lines(added: ingest.Added, question: str | None) -> list[str]:
    article = added.article
    title = render.escape(article.title)
    lines = [(texts.ADDED_AGAIN if added.replaced else texts.ADDED).format(title=title)]
    author = f" · ✍️ {render.escape(article.author)}" if article.author else ""
    date = render.escape(article.date or texts.ADDED_NO_DATE)
    lines.append(
        texts.ADDED_DETAILS.format(date=date, paragraphs=len(article.paragraphs), author=author)
    )
    if render.is_web_link(article.url):
        assert article.url is not None
        lines.append("🔗 " + render.link(article.url, texts.ORIGINAL_LINK))
    lines.append(texts.ADDED_SAVED_AS.format(name=render.escape(article.file)))
    lines += [texts.ADDED_NOTE.format(note=render.escape(note)) for note in added.notes]
    if question:
        lines.append(texts.ADDED_TRY_ASKING.format(question=render.escape(question)))
    else:
        lines.append(texts.ADDED_NO_EXAMPLE)
    return lines


async def _add(
    status: Message, data: BotData, read: Callable[[], ingest.Draft], admin_id: int | None
) -> None:
    """Read (off the event loop), write, reload, then tell; a refusal changes nothing."""
    try:
        draft = await asyncio.to_thread(read)
        async with data.upload_lock:
            added = await asyncio.to_thread(
                ingest.save_draft,
                data.settings.knowledge_dir,
                draft,
                max_file_bytes=data.settings.max_file_bytes,
            )
    except ingest.IngestError as exc:
        log.info("admin %s: article not added: %s", admin_id, exc)
        reason = render.escape(str(exc).rstrip("."))
        await edit_html(status, texts.ADD_REFUSED.format(reason=reason))
        return
    verb = "updated" if added.replaced else "added"
    log.info("admin %s %s %s", admin_id, verb, added.article.file)
    report = await data.live.reload()
    await edit_html(status, await _after_reload(data.live.engine, added, report))


async def _after_reload(engine: Engine, added: ingest.Added, report: ReloadReport) -> str:
    skipped = render.skipped_after_saving(report, added.article.file)
    question = None
    if report.ok and skipped is None:
        question = await asyncio.to_thread(ingest.example_question, engine, added.article.file)
    lines = _added_lines(added, question)
    if skipped is not None:
        lines.append(skipped)
    return render.reload_html(report, preface=lines)


async def on_add(update: Update, context: BotContext) -> None:
    """/them URL, /add URL."""
    message = await admin_message(update, context, private_only=texts.ADMIN_PRIVATE_ONLY)
    if message is None:
        return
    args = context.args or []
    if not args:
        await reply(message, texts.ADD_USAGE)
        return
    url = args[0]
    if not ingest.is_http_url(url):
        await reply(message, texts.ADD_NOT_A_LINK)
        return
    status = await reply(message, texts.ADD_FETCHING.format(url=render.escape(url)), quote=True)
    data = context.bot_data
    policy = ingest.FetchPolicy.from_settings(data.settings)
    user = update.effective_user
    await _add(status, data, lambda: ingest.read_link(url, policy), user.id if user else None)


async def on_document(update: Update, context: BotContext) -> None:
    """A saved page (.html, .htm), a Word (.docx) or a PDF file sent by an admin."""
    message = await admin_message(update, context, refusal=texts.UPLOAD_REFUSED, quote=True)
    if message is None or message.document is None:
        return
    data = context.bot_data
    name = message.document.file_name or "bai"
    limit = data.settings.fetch_max_bytes
    content = await downloaded_document(message, limit)
    if content is None:
        return
    status = await reply(message, texts.ADD_CONVERTING.format(name=render.escape(name)), quote=True)
    user = update.effective_user
    await _add(
        status,
        data,
        lambda: ingest.read_file(name, content, max_bytes=limit),
        user.id if user else None,
    )


CONVERTED_DOCUMENTS = functools.reduce(
    operator.or_,
    (filters.Document.FileExtension(suffix.lstrip(".")) for suffix in ingest.CONVERTED_SUFFIXES),
)


def register(application: BotApplication) -> None:
    """Before admin.register: in one group, the first handler that matches takes the update,
    and its document handler takes every other document."""
    new = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            # Fetching, converting and reloading take seconds: they must not hold up questions.
            CommandHandler(["them", "add"], on_add, filters=new, block=False),
            MessageHandler(
                new & filters.ChatType.PRIVATE & CONVERTED_DOCUMENTS, on_document, block=False
            ),
        ]
    )
