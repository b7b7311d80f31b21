"""Buttons under an answer, and their callback data (at most 64 bytes, survives a reload).

Callback data never holds a raw passage id: "Cả đoạn" carries the engine's passage key
(stable while the file is unchanged) and "Đoạn khác" carries the rank of the passage to show
and a short hash of the question. 👍/👎 carry the question log's row id (`v:+:<id>`).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram_bot import texts

MAX_CALLBACK_BYTES = 64
FULL_PARAGRAPH = "p"
NEXT_PASSAGE = "n"
VOTE = "v"


@dataclass(frozen=True, slots=True)
class FullParagraph:
    key: str


@dataclass(frozen=True, slots=True)
class NextPassage:
    rank: int  # position of the passage to show in the question's ranked hits
    question_id: str


@dataclass(frozen=True, slots=True)
class Vote:
    row_id: int  # the question log's row
    value: int  # +1 or -1


def question_id(question: str) -> str:
    """A short, stable id of a question for callback data (8 characters)."""
    digest = hashlib.blake2b(question.encode("utf-8"), digest_size=6).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def full_paragraph_data(key: str) -> str:
    return f"{FULL_PARAGRAPH}:{key}"


def next_passage_data(rank: int, question_id: str) -> str:
    return f"{NEXT_PASSAGE}:{rank}:{question_id}"


def parse_callback(data: str | None) -> FullParagraph | NextPassage | None:
    """The action a callback query asks for, or None for data this module did not make."""
    if not data:
        return None
    kind, _, rest = data.partition(":")
    if kind == FULL_PARAGRAPH and rest:
        return FullParagraph(rest)
    if kind == NEXT_PASSAGE:
        rank, _, question_id = rest.partition(":")
        if rank.isdigit() and question_id:
            return NextPassage(int(rank), question_id)
    return None


def vote_data(row_id: int, value: int) -> str:
    return f"{VOTE}:{'+' if value > 0 else '-'}:{row_id}"


def parse_vote(data: str | None) -> Vote | None:
    kind, _, rest = (data or "").partition(":")
    sign, _, row = rest.partition(":")
    if kind != VOTE or sign not in ("+", "-") or not row.isdigit():
        return None
    return Vote(int(row), 1 if sign == "+" else -1)


def vote_buttons(row_id: int) -> list[InlineKeyboardButton]:
    """👍 and 👎 for an answer logged as `row_id` (they go in answer_keyboard's `extra`)."""
    return [
        InlineKeyboardButton(texts.BUTTON_VOTE_UP, callback_data=vote_data(row_id, 1)),
        InlineKeyboardButton(texts.BUTTON_VOTE_DOWN, callback_data=vote_data(row_id, -1)),
    ]


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES


def answer_keyboard(
    *,
    full_key: str | None = None,
    next_rank: int | None = None,
    question_id: str | None = None,
    extra: Sequence[InlineKeyboardButton] = (),
) -> InlineKeyboardMarkup | None:
    """The keyboard under an answer: "Cả đoạn", "Đoạn khác", then a row of `extra` buttons.

    `extra` is where other features add theirs (e.g. 👍/👎 votes). Returns None when there
    is no button at all.
    """
    first_row: list[InlineKeyboardButton] = []
    if full_key is not None and _fits(data := full_paragraph_data(full_key)):
        first_row.append(InlineKeyboardButton(texts.BUTTON_FULL_PARAGRAPH, callback_data=data))
    if (
        next_rank is not None
        and question_id is not None
        and _fits(data := next_passage_data(next_rank, question_id))
    ):
        first_row.append(InlineKeyboardButton(texts.BUTTON_NEXT_PASSAGE, callback_data=data))
    rows = [row for row in (first_row, list(extra)) if row]
    return InlineKeyboardMarkup(rows) if rows else None


def buttons_except(
    markup: InlineKeyboardMarkup | None, *prefixes: str
) -> list[InlineKeyboardButton]:
    """The buttons of a keyboard whose callback data starts with none of `prefixes`."""
    if markup is None:
        return []
    kept = []
    for row in markup.inline_keyboard:
        for button in row:
            data = button.callback_data
            if isinstance(data, str) and any(data.startswith(p + ":") for p in prefixes):
                continue
            kept.append(button)
    return kept
