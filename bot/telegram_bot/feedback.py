"""Between the handlers and the question log: what is logged, when, and the vote toasts.

Every call into the log runs in a worker thread, so a slow or locked database never holds up
the event loop; the log itself never raises (a failed write is None), so answering goes on.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

from bot.core.model import Answer, AnswerKind
from bot.querylog import Entry, QuestionLog, VoteResult, entry_for
from bot.telegram_bot import texts

# Telegram sends an inline query at almost every keystroke. Queries from the same person within
# this many seconds of the previous one are one question being typed: they rewrite the same
# log row, so the log keeps what was finally asked, not every prefix.
INLINE_TYPING_WINDOW = 10.0
REMEMBERED_TYPISTS = 2000


def is_logged(answer: Answer) -> bool:
    """Greetings, empty and punctuation-only input are not questions: not logged."""
    return answer.kind is not AnswerKind.HELP


async def log_answer(
    question_log: QuestionLog | None,
    answer: Answer,
    chat_type: str,
    latency_ms: float,
    *,
    user_id: int | None,
    chat_id: int | None,
) -> int | None:
    """The log row of an answer, or None (log off, not a question, or the write failed)."""
    if question_log is None or not question_log.enabled or not is_logged(answer):
        return None
    entry = entry_for(answer, chat_type, latency_ms)
    return await asyncio.to_thread(question_log.record, entry, user_id=user_id, chat_id=chat_id)


class InlineLogger:
    """Logs inline queries, one row per typing burst of each person (kept in memory only)."""

    def __init__(self, window: float = INLINE_TYPING_WINDOW) -> None:
        self.window = window
        self._last: OrderedDict[int, tuple[int, float]] = OrderedDict()  # user -> (row, when)
        self._lock = asyncio.Lock()

    async def log(
        self,
        question_log: QuestionLog | None,
        answer: Answer,
        found: bool,
        latency_ms: float,
        user_id: int,
    ) -> int | None:
        if question_log is None or not question_log.enabled or not is_logged(answer):
            return None
        entry: Entry = entry_for(answer, "inline", latency_ms, found=found)
        # One at a time: two keystrokes answered concurrently must not both insert a row.
        async with self._lock:
            now = time.monotonic()
            previous = self._last.get(user_id)
            replace_id = previous[0] if previous and now - previous[1] < self.window else None
            row = await asyncio.to_thread(
                question_log.record, entry, user_id=user_id, chat_id=None, replace_id=replace_id
            )
            if row is not None:
                self._last[user_id] = (row, now)
                self._last.move_to_end(user_id)
                while len(self._last) > REMEMBERED_TYPISTS:
                    self._last.popitem(last=False)
            return row


def vote_toast(result: VoteResult, value: int) -> str:
    emoji = texts.BUTTON_VOTE_UP if value > 0 else texts.BUTTON_VOTE_DOWN
    if result is VoteResult.NEW:
        return texts.VOTE_THANKS.format(emoji=emoji)
    if result is VoteResult.CHANGED:
        return texts.VOTE_CHANGED.format(emoji=emoji)
    if result is VoteResult.SAME:
        return texts.VOTE_SAME.format(emoji=emoji)
    return texts.VOTE_FAILED
