"""What the handlers share, typed: `context.bot_data` is a BotData (see CONTEXT_TYPES).

python-telegram-bot makes `bot_data` itself, without arguments, when the Application is built;
`build_application` then attaches the settings, the engine and the question log once. Every
handler takes a BotContext, so reading the state needs no cast and no `type: ignore`.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from telegram import User
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.live import LiveEngine
from bot.querylog import QuestionLog
from bot.telegram_bot.answers import Alternatives
from bot.telegram_bot.busy_groups import BusyGroups
from bot.telegram_bot.feedback import InlineLogger
from bot.telegram_bot.limits import Limits

REMEMBERED_ANSWERS = 5000  # answers whose passages "Đoạn khác" can page through


class AnswerMemory:
    """The passages each recent answer found, by its message (bounded, newest kept), so that
    "Đoạn khác" shows them without asking the engine again."""

    def __init__(self, capacity: int = REMEMBERED_ANSWERS) -> None:
        self._items: OrderedDict[tuple[int, int], Alternatives] = OrderedDict()
        self._capacity = capacity

    def remember(self, chat_id: int, message_id: int, alternatives: Alternatives) -> None:
        key = (chat_id, message_id)
        self._items[key] = alternatives
        self._items.move_to_end(key)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def get(self, chat_id: int, message_id: int) -> Alternatives | None:
        return self._items.get((chat_id, message_id))

    def __len__(self) -> int:
        return len(self._items)


REMEMBERED_QUESTIONS = 10_000  # private chats whose last question a follow-up may continue


class RecentQuestions:
    """Each private chat's last question and when it came (bounded, newest kept), so that a
    short follow-up ("còn ông Bảo?") is read with it."""

    def __init__(self, capacity: int = REMEMBERED_QUESTIONS) -> None:
        self._items: OrderedDict[int, tuple[float, str]] = OrderedDict()
        self._capacity = capacity

    def remember(self, chat_id: int, at: float, question: str) -> None:
        self._items[chat_id] = (at, question)
        self._items.move_to_end(chat_id)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def get(self, chat_id: int) -> tuple[float, str] | None:
        return self._items.get(chat_id)


@dataclass
class BotData:
    """The state every handler reads, as `context.bot_data`."""

    settings: Settings = field(default_factory=Settings)
    mode: str = "polling"
    question_log: QuestionLog | None = None  # None: questions are not logged
    upload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    inline_logger: InlineLogger = field(default_factory=InlineLogger)
    answers: AnswerMemory = field(default_factory=AnswerMemory)
    recent_questions: RecentQuestions = field(default_factory=RecentQuestions)
    # The /start examples of one engine (made again after a reload; no reference keeps an
    # old engine alive).
    examples: tuple[weakref.ref[Engine], tuple[str, ...]] | None = None
    limits: Limits = field(default_factory=lambda: Limits(Settings()))
    busy_groups: BusyGroups = field(default_factory=BusyGroups)
    watcher: asyncio.Task[None] | None = None  # disk.watch: failed writes retried, admins told
    _live: LiveEngine | None = None

    def attach(
        self,
        settings: Settings,
        live: LiveEngine,
        *,
        mode: str,
        question_log: QuestionLog | None,
    ) -> None:
        self.settings, self._live = settings, live
        self.limits = Limits(settings)
        self.mode, self.question_log = mode, question_log

    @property
    def live(self) -> LiveEngine:
        if self._live is None:
            raise RuntimeError(
                "BotData.attach was not called (build the bot with build_application)"
            )
        return self._live

    @property
    def engine(self) -> Engine:
        """The engine serving now. A handler reads it once, so that an answer and its buttons
        come from the same engine even if a reload swaps it meanwhile."""
        return self.live.engine

    def is_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.settings.admin_ids


# As python-telegram-bot's builder types them: ExtBot[int] for the rate limiter's per-call
# argument (AIORateLimiter's retries); no job queue is used.
BotContext = CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]
BotApplication = Application[ExtBot[int], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)
