"""A group that asks more than its budget of full answers a minute (limits.py) is answered in
fewer, shorter replies: its questions are gathered for `group_batch_seconds`, then answered
together in one message (a line each: the question, a short quote, the article), threaded
under the last of them. No buttons: the whole answer is one private question away."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram import Message

from bot.core.model import Answer
from bot.telegram_bot import feedback, render, texts
from bot.telegram_bot.answers import timed_ask
from bot.telegram_bot.messages import reply

if TYPE_CHECKING:  # state.py holds a BusyGroups
    from bot.telegram_bot.state import BotContext, BotData

log = logging.getLogger(__name__)

MAX_GATHERED = 10  # questions in one short reply; more start the next one
QUESTION_CHARS = 80
QUOTE_CHARS = 160


@dataclass
class _Batch:
    questions: list[tuple[Message, str]] = field(default_factory=list)


def short_line(number: int, question: str, answer: Answer) -> str:
    asked = render.escape(render.snippet(question, QUESTION_CHARS))
    if answer.found and answer.quote:
        quote = render.escape(render.snippet(answer.quote, QUOTE_CHARS))
        title = answer.source.title if answer.source is not None else ""
        where = f" — <i>{render.escape(render.snippet(title, 60))}</i>" if title else ""
        return f"{number}. <b>{asked}</b>\n«{quote}»{where}"
    return f"{number}. <b>{asked}</b>\n{render.escape(texts.NOT_FOUND_GROUP)}"


class BusyGroups:
    """The questions of busy groups waiting for their short reply, per group."""

    def __init__(self) -> None:
        self._batches: dict[int, _Batch] = {}

    def __len__(self) -> int:
        return len(self._batches)

    async def gather(self, message: Message, question: str, context: BotContext) -> None:
        chat_id = message.chat.id
        batch = self._batches.get(chat_id)
        if batch is None:
            batch = self._batches[chat_id] = _Batch()
            context.application.create_task(self._answer_later(chat_id, batch, context))
        batch.questions.append((message, question))
        if len(batch.questions) >= MAX_GATHERED:
            del self._batches[chat_id]  # full: the next question starts a new batch

    async def _answer_later(self, chat_id: int, batch: _Batch, context: BotContext) -> None:
        data = context.bot_data
        await asyncio.sleep(data.settings.group_batch_seconds)
        if self._batches.get(chat_id) is batch:
            del self._batches[chat_id]
        await answer_batch(batch.questions, data)


async def answer_batch(questions: list[tuple[Message, str]], data: BotData) -> None:
    engine = data.engine
    lines = [texts.GROUP_BUSY]
    for number, (message, question) in enumerate(questions, start=1):
        answer, latency_ms = await timed_ask(engine, question)
        user = message.from_user
        await feedback.log_answer(
            data.question_log,
            answer,
            "group",
            latency_ms,
            user_id=user.id if user else None,
            chat_id=message.chat.id,
        )
        lines.append(short_line(number, question, answer))
    last = questions[-1][0]
    await reply(last, render.fit("\n".join(lines)), quote=True)
