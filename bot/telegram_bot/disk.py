"""Writes that fail in the background (the index cache, the question log), e.g. on a full
disk: the bot keeps answering from the index it has, each admin is told once, in one line,
what failed, the write is tried again every `disk_retry_seconds`, and the admins hear when
it succeeds. Uploads are not here: their admin is answered at once (admin.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from telegram.error import TelegramError

from bot.core import cache
from bot.telegram_bot import render, texts
from bot.telegram_bot.state import BotApplication, BotData

log = logging.getLogger(__name__)

CHECK_EVERY = 2.0  # seconds between two looks (cheap: no disk access)


def problems(data: BotData) -> dict[str, str]:
    """What cannot be written now: the one line for the admins, by kind."""
    found = {}
    reason = cache.failed_saves().get(data.settings.index_cache_dir.resolve())
    if reason is not None:
        found["cache"] = texts.DISK_CACHE_FAILED.format(reason=render.escape(reason))
    question_log = data.question_log
    if question_log is not None and question_log.problem is not None:
        found["log"] = texts.DISK_LOG_FAILED.format(
            reason=render.escape(question_log.problem), waiting=question_log.backlog
        )
    return found


def retry(data: BotData) -> None:
    """Blocking: run in a worker thread."""
    cache.retry_failed_saves()
    if data.question_log is not None:
        data.question_log.retry_backlog()


async def tell_admins(application: BotApplication, text: str) -> None:
    for admin_id in sorted(application.bot_data.settings.admin_ids):
        try:
            await application.bot.send_message(admin_id, text)
        except TelegramError as exc:  # e.g. the admin never opened a chat with the bot
            log.warning("could not tell admin %s about a failed write: %s", admin_id, exc)


async def watch(application: BotApplication) -> None:
    """Until cancelled: tell, retry, tell again when it is fixed."""
    data = application.bot_data
    told: dict[str, str] = {}
    last_retry = time.monotonic()
    while True:
        await asyncio.sleep(CHECK_EVERY)
        if told and time.monotonic() - last_retry >= data.settings.disk_retry_seconds:
            last_retry = time.monotonic()
            await asyncio.to_thread(retry, data)
        current = problems(data)
        for kind, line in current.items():
            if kind not in told:
                log.warning("told the admins: %s", line)
                await tell_admins(application, line)
        for kind in told.keys() - current.keys():
            await tell_admins(application, texts.DISK_WRITTEN_AGAIN[kind])
        if current and not told:
            last_retry = time.monotonic()
        told = current


def start(application: BotApplication) -> None:
    application.bot_data.watcher = asyncio.get_running_loop().create_task(
        watch(application), name="disk-watch"
    )


async def stop(application: BotApplication) -> None:
    watcher = application.bot_data.watcher
    if watcher is not None:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        application.bot_data.watcher = None
