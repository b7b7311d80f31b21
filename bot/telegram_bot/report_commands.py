"""The question log's reports for admins, in a private chat: /unanswered, /stats (with a
chart of questions per day), /export.

The numbers come from bot/reports.py, the same functions `python -m bot report` uses; reading
the log runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from telegram import InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, filters

from bot import charts, reports
from bot.querylog import QuestionLog
from bot.telegram_bot import texts
from bot.telegram_bot.access import admin_message
from bot.telegram_bot.messages import reply
from bot.telegram_bot.state import BotApplication, BotContext

log = logging.getLogger(__name__)
T = TypeVar("T")


async def _report_request(
    update: Update, context: BotContext, command: str
) -> tuple[Message, QuestionLog, int] | None:
    """The message, the log and the number of days of an admin's report command, or None
    after telling the sender why not."""
    # The numbers are not for the group.
    message = await admin_message(update, context, private_only=texts.REPORT_PRIVATE_ONLY)
    if message is None:
        return None
    data = context.bot_data
    if data.question_log is None or not data.question_log.enabled:
        await reply(message, texts.REPORT_LOG_OFF)
        return None
    args = context.args or []
    days = reports.DEFAULT_DAYS
    if args:
        days = int(args[0]) if args[0].isdecimal() and len(args[0]) < 6 else 0
        if not 1 <= days <= reports.MAX_DAYS or len(args) > 1:
            text = texts.REPORT_BAD_DAYS.format(max_days=reports.MAX_DAYS, command=command)
            await reply(message, text)
            return None
    return message, data.question_log, days


async def _read_report(
    message: Message, question_log: QuestionLog, work: Callable[[sqlite3.Connection], T]
) -> T | None:
    try:
        return await asyncio.to_thread(question_log.read, work)
    except sqlite3.Error:
        log.warning("could not read the question log for a report", exc_info=True)
        await reply(message, texts.REPORT_FAILED)
        return None


async def on_unanswered(update: Update, context: BotContext) -> None:
    request = await _report_request(update, context, "unanswered")
    if request is None:
        return
    message, question_log, days = request
    now = question_log.now()
    groups = await _read_report(message, question_log, lambda c: reports.unanswered(c, days, now))
    if groups is not None:
        await reply(message, reports.render_unanswered(groups, days, as_html=True))


async def on_stats(update: Update, context: BotContext) -> None:
    request = await _report_request(update, context, "stats")
    if request is None:
        return
    message, question_log, days = request
    now = question_log.now()
    summary = await _read_report(message, question_log, lambda c: reports.stats(c, days, now))
    if summary is None:
        return
    await reply(message, reports.render_stats(summary, as_html=True))
    today = datetime.fromtimestamp(now).date()
    try:
        picture = await asyncio.to_thread(charts.stats_chart_png, summary, today)
    except Exception:  # the figures are sent; a picture that fails must not apologise for them
        log.warning("could not draw the /stats chart", exc_info=True)
        return
    if picture is not None:
        await message.reply_photo(
            InputFile(picture, filename=texts.STATS_CHART_FILE_NAME),
            caption=texts.STATS_CHART_CAPTION.format(days=days),
            parse_mode=ParseMode.HTML,
            do_quote=False,
        )


async def on_export(update: Update, context: BotContext) -> None:
    request = await _report_request(update, context, "export")
    if request is None:
        return
    message, question_log, days = request
    now = question_log.now()
    exported = await _read_report(
        message, question_log, lambda c: reports.export_bytes(c, days, now)
    )
    if exported is None:
        return
    content, count = exported
    name = texts.EXPORT_FILE_NAME.format(date=time.strftime("%Y%m%d", time.localtime(now)))
    await message.reply_document(
        InputFile(content, filename=name),
        caption=texts.EXPORT_CAPTION.format(days=days, count=count),
        parse_mode=ParseMode.HTML,
        do_quote=False,
    )


def register(application: BotApplication) -> None:
    new = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("unanswered", on_unanswered, filters=new),
            CommandHandler("stats", on_stats, filters=new),
            CommandHandler("export", on_export, filters=new),
        ]
    )
