"""`python -m bot run`: check the settings, build the index, then poll or serve a webhook."""

from __future__ import annotations

import ipaddress
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
from bot.core.text import warm_up_in_background
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


class _RedactingFactory:
    """A log record factory that blanks out the secrets in a record's message and traceback."""

    def __init__(self, make_record: Callable[..., logging.LogRecord]) -> None:
        self._make_record = make_record

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._make_record(*args, **kwargs)
        message = _redact(record.getMessage())
        if message != record.msg or record.args:
            record.msg, record.args = message, ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _redact(logging.Formatter().formatException(record.exc_info))
        return record


def redact_in_logs(secrets: Iterable[str | None]) -> None:
    """Replace these strings (and a token's part after the colon) in every log record made
    from now on, tracebacks included, whatever the logger and level: python-telegram-bot logs
    URLs holding the token at DEBUG."""
    for secret in secrets:
        if secret:
            _REDACTED.add(secret)
            if ":" in secret:
                _REDACTED.add(secret.split(":", 1)[1])
    current = logging.getLogRecordFactory()
    if _REDACTED and not isinstance(current, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(current))


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
    """Raise ConfigError for a setting that cannot work, before any network: one line naming
    the variable (a token or secret is never quoted)."""
    if settings.token and not _TOKEN_RE.match(settings.token):
        raise ConfigError("TELEGRAM_BOT_TOKEN không đúng dạng <số>:<chuỗi> mà @BotFather cấp")
    if settings.webhook_secret is not None and not _SECRET_RE.match(settings.webhook_secret):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET chỉ được gồm A-Z, a-z, 0-9, _ và -, dài 1-256 ký tự"
        )
    if not settings.webhook_url:
        return  # long polling: the webhook settings are not used
    problem = webhook_url_problem(settings.webhook_url)
    if problem:
        raise ConfigError(
            f"TELEGRAM_WEBHOOK_URL không dùng được ({settings.webhook_url}): {problem}"
        )
    if not is_listen_address(settings.webhook_listen):
        raise ConfigError(
            f"TELEGRAM_WEBHOOK_LISTEN không phải địa chỉ IP hay tên máy hợp lệ: "
            f"{settings.webhook_listen!r} (ví dụ 127.0.0.1 hoặc 0.0.0.0)"
        )
    if not 1 <= settings.webhook_port <= 65535:
        raise ConfigError(
            f"TELEGRAM_WEBHOOK_PORT phải từ 1 đến 65535, không phải {settings.webhook_port}"
        )


_HOST_NAME_RE = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")


def _is_host_name(text: str) -> bool:
    return len(text) <= 253 and bool(_HOST_NAME_RE.fullmatch(text)) and not text.isdigit()


def webhook_url_problem(url: str) -> str | None:
    """Why Telegram could not deliver to this URL, or None. Telegram sends updates only to
    an https:// URL with a host name or address (ports 443, 80, 88 or 8443)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        return f"URL sai dạng ({exc})"
    if parts.scheme.lower() != "https":
        return "Telegram chỉ gửi tới địa chỉ https://"
    if not host:
        return "thiếu tên máy, ví dụ https://bot.example.org/telegram"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _is_host_name(host):
            return f"tên máy {host!r} không hợp lệ"
    if port is not None and not 1 <= port <= 65535:
        return f"cổng {port} không hợp lệ"
    return None


def is_listen_address(address: str) -> bool:
    """An IPv4 or IPv6 address, or a host name, for the local web server to listen on."""
    try:
        ipaddress.ip_address(address)
        return True
    except ValueError:
        return _is_host_name(address) and not re.fullmatch(r"[\d.]+", address)


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
    warming = warm_up_in_background()  # underthesea loads while the index does
    holder: list[LiveEngine] = []
    loader = make_loader(settings, lambda: holder[0].engine if holder else None)
    try:
        engine = loader()
    finally:
        warming.result()
    live = LiveEngine(engine, loader)
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
