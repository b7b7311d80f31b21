"""`python -m bot run`: check the settings, build the index, then poll or serve a webhook."""

from __future__ import annotations

import logging
import re
import secrets
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import ConfigError, Settings
from bot.core.engine import Engine, load_engine
from bot.core.live import LiveEngine
from bot.core.text import warm_up
from bot.ingest.dropped import convert_dropped_in
from bot.telegram_bot.app import build_application

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_NO_TOKEN = 0, 1, 2
MISSING_TOKEN = (
    "Thiếu token của bot: hãy đặt biến môi trường TELEGRAM_BOT_TOKEN (token lấy từ @BotFather), "
    "ví dụ: export TELEGRAM_BOT_TOKEN='123456:ABC...' rồi chạy lại python -m bot run"
)
# Only these updates are asked for: edited messages and channel posts never arrive.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]

BOOTSTRAP_RETRIES = 3  # a network hiccup at start-up is retried, a bad token is not

_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class _NetworkRetryWithoutTraceback(logging.Filter):
    """python-telegram-bot logs every failed network retry with a long traceback; one line
    (the error itself) is what an operator needs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and "Network Retry Loop" in record.getMessage():
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


_REDACTED: set[str] = set()


def redact_in_logs(secrets: Iterable[str | None]) -> None:
    """Replace these strings (and a token's part after the colon) in every log record made
    from now on, tracebacks included, whatever the logger and level: python-telegram-bot logs
    URLs holding the token at DEBUG."""
    for secret in secrets:
        if secret:
            _REDACTED.add(secret)
            if ":" in secret:
                _REDACTED.add(secret.split(":", 1)[1])
    if not _REDACTED or getattr(logging.getLogRecordFactory(), "redacting", False):
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        message = _redact(record.getMessage())
        if message != record.msg or record.args:
            record.msg, record.args = message, ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _redact(logging.Formatter().formatException(record.exc_info))
        return record

    redacting_factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


def _redact(text: str) -> str:
    for secret in sorted(_REDACTED, key=len, reverse=True):
        text = text.replace(secret, "<hidden>")
    return text


def configure_logging(secrets: Iterable[str | None] = ()) -> None:
    """Our own lines at INFO; httpx stays at WARNING since its lines hold the token in URLs;
    `secrets` (the token, the webhook secret) are blanked out of every record anyway."""
    redact_in_logs(secrets)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("bot").setLevel(logging.INFO)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    network_loop = logging.getLogger("telegram.ext")  # where its network loop logs
    if not any(isinstance(f, _NetworkRetryWithoutTraceback) for f in network_loop.filters):
        network_loop.addFilter(_NetworkRetryWithoutTraceback())


def check_settings(settings: Settings) -> None:
    """Raise ConfigError for a token or webhook setting that cannot work (never quoting it)."""
    if settings.token and not _TOKEN_RE.match(settings.token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN không đúng dạng <số>:<chuỗi> mà @BotFather cấp"
        )
    if settings.webhook_secret is not None and not _SECRET_RE.match(settings.webhook_secret):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET chỉ được gồm A-Z, a-z, 0-9, _ và -, dài 1-256 ký tự"
        )
    if settings.webhook_url and not (1 <= settings.webhook_port <= 65535):
        raise ConfigError(f"Cổng webhook không hợp lệ: {settings.webhook_port}")


def make_loader(settings: Settings, current: Callable[[], Engine | None]) -> Callable[[], Engine]:
    """The reload function: re-reads the folder, reusing the serving engine's analysis."""

    def load() -> Engine:
        convert_dropped_in(settings)  # saved pages, Word and PDF files dropped in the folder
        return load_engine(
            settings.knowledge_dir,
            cache_dir=settings.index_cache_dir,
            max_file_bytes=settings.max_file_bytes,
            previous=current(),
        )

    return load


def build_live_engine(settings: Settings) -> LiveEngine:
    """Warm the tokenizer and build the index (KnowledgeError when nothing can serve)."""
    warm_up()
    holder: list[LiveEngine] = []
    loader = make_loader(settings, lambda: holder[0].engine if holder else None)
    live = LiveEngine(loader(), loader)
    holder.append(live)
    for skipped in live.engine.skipped:  # the operator learns which files, not just how many
        log.warning("skipped %s: %s", skipped.file, skipped.reason)
    for warning in live.engine.warnings:
        log.warning("%s: %s", warning.file, warning.message)
    return live


def webhook_path(webhook_url: str) -> str:
    """The local path to listen on: the public URL's path (a reverse proxy keeps it)."""
    return urlsplit(webhook_url).path.strip("/")


def run(settings: Settings) -> int:
    """Run the bot until Ctrl-C or SIGTERM; the exit code for the command line."""
    if not settings.token:
        print(MISSING_TOKEN, file=sys.stderr)
        return EXIT_NO_TOKEN
    check_settings(settings)
    configure_logging(secrets=(settings.token, settings.webhook_secret))
    live = build_live_engine(settings)
    mode = "webhook" if settings.webhook_url else "polling"
    application = build_application(settings, live, mode=mode)
    try:
        if settings.webhook_url:
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=webhook_path(settings.webhook_url),
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret or secrets.token_urlsafe(32),
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            application.run_polling(
                allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES
            )
    except InvalidToken:
        print("Telegram từ chối token: TELEGRAM_BOT_TOKEN sai hoặc đã bị thu hồi.", file=sys.stderr)
        return EXIT_ERROR
    except NetworkError as exc:
        print(f"Không kết nối được tới Telegram Bot API: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except TelegramError as exc:
        print(f"Telegram báo lỗi khi khởi động: {exc}", file=sys.stderr)
        return EXIT_ERROR
    log.info("bot stopped")
    return EXIT_OK
