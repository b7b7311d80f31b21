"""The one builder of the Telegram application, its command list and its error handler."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.config import ConfigError, Settings
from bot.core.live import LiveEngine
from bot.querylog import QuestionLog
from bot.telegram_bot import articles, handlers, texts
from bot.telegram_bot.handlers import STATE_KEY, BotState
from bot.telegram_bot.keyboards import VOTE
from bot.telegram_bot.retry import RetryingRateLimiter

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


def open_question_log(settings: Settings) -> QuestionLog | None:
    """The question log of the settings (None when turned off); disabled, not fatal, when the
    database cannot be opened."""
    if settings.log_db is None:
        return None
    return QuestionLog(
        settings.log_db,
        store_user_ids=settings.log_user_ids,
        retention_days=settings.log_retention_days,
    )


def build_application(
    settings: Settings, live_engine: LiveEngine, *, mode: str = "polling",
    question_log: QuestionLog | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot: handlers, error handler, rate limiter, start-up hook. Nothing is sent yet.

    The question log is opened from the settings unless one is given (tests).
    """
    if not settings.token:
        raise ConfigError("Thiếu TELEGRAM_BOT_TOKEN")
    builder = (
        Application.builder()
        .token(settings.token)
        .defaults(Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ))
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
    application.bot_data[STATE_KEY] = BotState(
        settings, live_engine, mode=mode, question_log=question_log
    )
    add_handlers(application)
    application.add_error_handler(on_error)
    return application


def add_handlers(application: Application) -> None:  # type: ignore[type-arg]
    articles.register(application)  # first: the catch-alls below would take its documents
    new = filters.UpdateType.MESSAGE  # never edited messages, never channel posts
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    commands = [
        CommandHandler("start", handlers.on_start, filters=new),
        CommandHandler("help", handlers.on_help, filters=new),
        CommandHandler(["sources", "nguon"], handlers.on_sources, filters=new),
        CommandHandler(["ask", "hoi"], handlers.on_ask, filters=new),
        # A reload takes a while: it must not hold up the questions behind it.
        CommandHandler("reload", handlers.on_reload, filters=new, block=False),
        CommandHandler("unanswered", handlers.on_unanswered, filters=new),
        CommandHandler("stats", handlers.on_stats, filters=new),
        CommandHandler("export", handlers.on_export, filters=new),
    ]
    application.add_handlers(commands)
    application.add_handlers([
        MessageHandler(new & private & filters.COMMAND, handlers.on_unknown_command),
        MessageHandler(new & private & filters.TEXT, handlers.on_private_text),
        MessageHandler(
            new & private & filters.Document.ALL, handlers.on_document, block=False
        ),
        MessageHandler(
            new & groups & filters.TEXT & ~filters.COMMAND & handlers.ADDRESSED_TO_BOT,
            handlers.on_group_text,
        ),
        MessageHandler(new & groups & filters.StatusUpdate.NEW_CHAT_MEMBERS,
                       handlers.on_new_members),
        MessageHandler(
            new & private & ~filters.StatusUpdate.ALL & ~filters.TEXT, handlers.on_private_other
        ),
        CallbackQueryHandler(handlers.on_vote, pattern=f"^{VOTE}:"),
        CallbackQueryHandler(handlers.on_button),
        InlineQueryHandler(handlers.on_inline_query),
    ])


def _commands(with_admin: bool, english: bool) -> list[BotCommand]:
    entries = texts.COMMANDS + (texts.ADMIN_COMMANDS if with_admin else ())
    return [BotCommand(name, en if english else vi) for name, vi, en in entries]


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """The command menu: Vietnamese by default, English for "en"; /reload for admins only."""
    bot = application.bot
    settings = application.bot_data[STATE_KEY].settings
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


async def on_startup(application: Application) -> None:  # type: ignore[type-arg]
    """After getMe: register the command menu and log one line with counts."""
    st: BotState = application.bot_data[STATE_KEY]
    try:
        await register_commands(application)
    except TelegramError as exc:
        log.warning("could not register the command menu: %s", exc)
    engine = st.live.engine
    log.info(
        "bot @%s ready (%s): %d articles, %d passages, %d files skipped, %d admins",
        application.bot.username, st.mode, len(engine.articles), len(engine.passages),
        len(engine.skipped), len(st.settings.admin_ids),
    )
    question_log = st.question_log
    if question_log is None:
        log.info("question log: off")
    elif question_log.enabled:
        log.info("question log: %s%s%s", question_log.path,
                 " (read-only)" if question_log.read_only else "",
                 " with user ids" if question_log.store_user_ids else "")


async def on_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    st: BotState = application.bot_data[STATE_KEY]
    if st.question_log is not None:
        st.question_log.close()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the exception, then tell the user briefly (never a traceback in a chat)."""
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
        log.warning("Telegram did not answer in time (the request may have gone through): %s",
                    error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.SOMETHING_WENT_WRONG, show_alert=True)
        elif isinstance(update.effective_message, Message) and update.inline_query is None:
            await handlers.reply(update.effective_message, texts.SOMETHING_WENT_WRONG, quote=True)
    except TelegramError as exc:
        log.warning("could not tell the user about the error: %s", exc)
