"""Settings: `config/bot.toml`, each value overridable from the environment.

Secrets (the bot token, the webhook secret) are read from the environment only and are
never stored on the settings object's repr.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config" / "bot.toml"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one clear line for the operator."""


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    cache_dir: Path | None = None  # None: <knowledge_dir>/.cache
    max_file_bytes: int = 5_000_000
    inline_results: int = 5
    admin_ids: frozenset[int] = frozenset()
    api_url: str | None = None  # root of a self-hosted Bot API server; None: Telegram's
    webhook_url: str | None = None  # public HTTPS URL; None: long polling
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    log_db: Path | None = PROJECT_ROOT / "data" / "questions.sqlite3"  # None: no question log
    log_user_ids: bool = False
    log_retention_days: int = 90
    # Adding articles by link (bot/ingest): what the fetcher may reach and how much it reads.
    fetch_allow_private: bool = False  # private, loopback, link-local addresses (intranet, tests)
    fetch_timeout: float = 20.0  # seconds for a whole download, redirects included
    fetch_max_bytes: int = 10_000_000  # largest page or file downloaded or converted
    fetch_max_redirects: int = 5
    # Fair limits (bot/telegram_bot/limits.py); admins are exempt from them.
    user_questions_per_minute: int = 20  # then one "slow down" notice, then silence
    inline_debounce: float = 0.7  # seconds: keystrokes closer than this are one query
    group_answers_per_minute: int = 10  # full answers a group gets; then short ones, gathered
    group_batch_seconds: float = 4.0  # how long a group's questions beyond it are gathered
    disk_retry_seconds: float = 60.0  # a failed cache or log write is tried again this often
    token: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)

    @property
    def index_cache_dir(self) -> Path:
        return self.cache_dir or self.knowledge_dir / ".cache"

    def with_knowledge_dir(self, folder: Path | str | None) -> Settings:
        return self if folder is None else replace(self, knowledge_dir=Path(folder))


# (section, key in the file, environment variable, field name, parser)
def _path(value: object) -> Path:
    return _resolve(Path(str(value)))


def _optional_path(value: object) -> Path | None:
    return None if str(value).strip() in ("", "none", "off") else _path(value)


def _int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("cần một số nguyên")
    return int(str(value).strip())


def _positive_int(value: object) -> int:
    number = _int(value)
    if number <= 0:
        raise ValueError("phải lớn hơn 0")
    return number


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError("cần một số")
    number = float(str(value).strip())
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("cần một số hữu hạn")
    return number


def _positive_number(value: object) -> float:
    number = _number(value)
    if not number > 0:
        raise ValueError("phải lớn hơn 0")
    return number


def _seconds(value: object) -> float:
    """A duration, 0 included (it turns a delay off)."""
    number = _number(value)
    if number < 0:
        raise ValueError("không được âm")
    return number


def _redirects(value: object) -> int:
    number = _int(value)
    if not 0 <= number <= 20:
        raise ValueError("phải từ 0 đến 20")
    return number


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("cần true hoặc false")


def _ids(value: object) -> frozenset[int]:
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    return frozenset(_int(item) for item in items if str(item).strip())


def _url(value: object) -> str | None:
    text = str(value).strip().rstrip("/")
    if not text:
        return None
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError("cần một URL http(s)://")
    return text


def _text(value: object) -> str:
    return str(value).strip()


_FIELDS: tuple[tuple[str, str, str, str, object], ...] = (
    ("knowledge", "dir", "BOT_KNOWLEDGE_DIR", "knowledge_dir", _path),
    ("knowledge", "cache_dir", "BOT_CACHE_DIR", "cache_dir", _optional_path),
    ("knowledge", "max_file_bytes", "BOT_MAX_FILE_BYTES", "max_file_bytes", _positive_int),
    ("answers", "inline_results", "BOT_INLINE_RESULTS", "inline_results", _positive_int),
    ("telegram", "admin_ids", "TELEGRAM_ADMIN_IDS", "admin_ids", _ids),
    ("telegram", "api_url", "TELEGRAM_API_URL", "api_url", _url),
    ("telegram", "webhook_url", "TELEGRAM_WEBHOOK_URL", "webhook_url", _url),
    ("telegram", "webhook_listen", "TELEGRAM_WEBHOOK_LISTEN", "webhook_listen", _text),
    ("telegram", "webhook_port", "TELEGRAM_WEBHOOK_PORT", "webhook_port", _positive_int),
    ("log", "database", "BOT_LOG_DB", "log_db", _optional_path),
    ("log", "store_user_ids", "BOT_LOG_USER_IDS", "log_user_ids", _bool),
    ("log", "retention_days", "BOT_LOG_RETENTION_DAYS", "log_retention_days", _positive_int),
    ("fetch", "allow_private", "BOT_FETCH_ALLOW_PRIVATE", "fetch_allow_private", _bool),
    ("fetch", "timeout", "BOT_FETCH_TIMEOUT", "fetch_timeout", _positive_number),
    ("fetch", "max_bytes", "BOT_FETCH_MAX_BYTES", "fetch_max_bytes", _positive_int),
    ("fetch", "max_redirects", "BOT_FETCH_MAX_REDIRECTS", "fetch_max_redirects", _redirects),
    (
        "limits",
        "user_questions_per_minute",
        "BOT_USER_QUESTIONS_PER_MINUTE",
        "user_questions_per_minute",
        _positive_int,
    ),
    ("limits", "inline_debounce", "BOT_INLINE_DEBOUNCE", "inline_debounce", _seconds),
    (
        "limits",
        "group_answers_per_minute",
        "BOT_GROUP_ANSWERS_PER_MINUTE",
        "group_answers_per_minute",
        _positive_int,
    ),
    ("limits", "group_batch_seconds", "BOT_GROUP_BATCH_SECONDS", "group_batch_seconds", _seconds),
    ("disk", "retry_seconds", "BOT_DISK_RETRY_SECONDS", "disk_retry_seconds", _positive_number),
)


def _resolve(path: Path) -> Path:
    # Relative paths in the config file are relative to the project, not the working directory.
    return path if path.is_absolute() else PROJECT_ROOT / path


def load_settings(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the config file (if present), then the environment; raise ConfigError on bad values."""
    environ = os.environ if environ is None else environ
    path = config_file or Path(environ.get("BOT_CONFIG", DEFAULT_CONFIG_FILE))
    data: dict[str, dict[str, object]] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise ConfigError(f"Tệp cấu hình {path} không đọc được: {exc}") from None
    elif config_file is not None:
        raise ConfigError(f"Không tìm thấy tệp cấu hình {path}")

    values: dict[str, object] = {}
    for section, key, env_name, field_name, parse in _FIELDS:
        raw: object | None = None
        origin = ""
        # An empty variable is unset, except for optional paths where "" means "none"
        # (BOT_LOG_DB="" turns the question log off, as database = "" does in the file).
        if env_name in environ and (environ[env_name].strip() != "" or parse is _optional_path):
            raw, origin = environ[env_name], f"biến môi trường {env_name}"
        elif isinstance(data.get(section), dict) and key in data[section]:
            raw, origin = data[section][key], f"[{section}] {key} trong {path.name}"
        if raw is None:
            continue
        try:
            values[field_name] = parse(raw)  # type: ignore[operator]
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"Giá trị không hợp lệ ở {origin}: {raw!r} ({exc})") from None

    token = environ.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    secret = environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None
    return Settings(**values, token=token, webhook_secret=secret)  # type: ignore[arg-type]
