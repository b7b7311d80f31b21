"""The one builder of the Telegram application: its features, command menu and start-up.

Each feature is a module that registers its own handlers (as python-telegram-bot's examples
and its rules-bot do); the order below is the order in which a message is offered to them.
"""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, Defaults

from bot.config import ConfigError, Settings
from bot.core.live import LiveEngine
from bot.querylog import QuestionLog, open_question_log
from bot.telegram_bot import (
    admin,
    articles,
    buttons,
    disk,
    errors,
    inline,
    intro,
    questions,
    removal,
    report_commands,
    texts,
)
from bot.telegram_bot.retry import RetryingRateLimiter
from bot.telegram_bot.state import CONTEXT_TYPES, BotApplication

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 16
RATE_LIMIT_RETRIES = 2  # a 429 is waited out and retried this many times
# 5xx answers and broken connections are retried too: see bot/telegram_bot/retry.py


def api_urls(api_url: str | None) -> tuple[str, str] | None:
    """(base_url, base_file_url) of a self-hosted Bot API server, None for Telegram's."""
    if not api_url:
        return None
    root = api_url.rstrip("/")
    return f"{root}/bot", f"{root}/file/bot"


def build_application(
    settings: Settings,
    live_engine: LiveEngine,
    *,
    mode: str = "polling",
    question_log: QuestionLog | None = None,
) -> BotApplication:
    """The bot: handlers, error handler, rate limiter, start-up hook. Nothing is sent yet.

    The question log is opened from the settings unless one is given (tests).
    """
    if not settings.token:
        raise ConfigError("Thiếu TELEGRAM_BOT_TOKEN")
    builder = (
        Application.builder()
        .token(settings.token)
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(RetryingRateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(CONCURRENT_UPDATES)
        # At shutdown one last getUpdates confirms what was fetched; with the default single
        # connection it can wait on the cancelled long poll and fail, re-delivering updates.
        .get_updates_connection_pool_size(2)
        .get_updates_pool_timeout(5)
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
    )
    urls = api_urls(settings.api_url)
    if urls is not None:
        builder = builder.base_url(urls[0]).base_file_url(urls[1])
    application = builder.build()
    if question_log is None:
        question_log = open_question_log(settings)
    application.bot_data.attach(settings, live_engine, mode=mode, question_log=question_log)
    add_handlers(application)
    return application


def add_handlers(application: BotApplication) -> None:
    """Every feature's handlers. Commands and the features' own messages come first; what
    none of them took in a private chat gets a hint last."""
    features = (
        intro,
        questions,
        articles,
        removal,
        admin,
        report_commands,
        buttons,
        inline,
        errors,
    )
    for feature in features:
        feature.register(application)
    intro.register_fallbacks(application)


def _commands(with_admin: bool, english: bool) -> list[BotCommand]:
    entries = texts.COMMANDS + (texts.ADMIN_COMMANDS if with_admin else ())
    return [BotCommand(name, en if english else vi) for name, vi, en in entries]


async def register_commands(application: BotApplication) -> None:
    """The command menu: Vietnamese by default, English for "en"; /reload for admins only."""
    bot = application.bot
    settings = application.bot_data.settings
    await bot.set_my_commands(_commands(False, False), scope=BotCommandScopeDefault())
    await bot.set_my_commands(
        _commands(False, True), scope=BotCommandScopeDefault(), language_code="en"
    )
    for admin_id in sorted(settings.admin_ids):
        scope = BotCommandScopeChat(admin_id)
        try:
            await bot.set_my_commands(_commands(True, False), scope=scope)
            await bot.set_my_commands(_commands(True, True), scope=scope, language_code="en")
        except TelegramError as exc:  # e.g. the admin never opened a chat with the bot
            log.warning("could not set the admin command menu for user %s: %s", admin_id, exc)


async def on_startup(application: BotApplication) -> None:
    """After getMe: register the command menu and log one line with counts."""
    st = application.bot_data
    disk.start(application)
    try:
        await register_commands(application)
    except TelegramError as exc:
        log.warning("could not register the command menu: %s", exc)
    engine = st.live.engine
    log.info(
        "bot @%s ready (%s): %d articles, %d passages, %d files skipped, %d admins",
        application.bot.username,
        st.mode,
        len(engine.articles),
        len(engine.passages),
        len(engine.skipped),
        len(st.settings.admin_ids),
    )
    question_log = st.question_log
    if question_log is None:
        log.info("question log: off")
    elif question_log.enabled:
        log.info(
            "question log: %s%s%s",
            question_log.path,
            " (read-only)" if question_log.read_only else "",
            " with user ids" if question_log.store_user_ids else "",
        )


async def on_shutdown(application: BotApplication) -> None:
    st = application.bot_data
    await disk.stop(application)
    if st.question_log is not None:
        st.question_log.close()
