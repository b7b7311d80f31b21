"""Thin async handlers: an update becomes a question, an answer becomes a message.

Nothing here decides what the answer is; that is the engine's job (`bot.core`). The engine
is CPU-bound, so questions run in a worker thread and never wait for a reload.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputFile,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes, filters

from bot import reports
from bot.config import Settings
from bot.core.articles import parse_article_text
from bot.core.engine import Engine
from bot.core.errors import ArticleError
from bot.core.live import LiveEngine
from bot.core.model import Answer, AnswerKind, Hit
from bot.querylog import QuestionLog
from bot.telegram_bot import feedback, render, texts
from bot.telegram_bot.keyboards import (
    FULL_PARAGRAPH,
    NEXT_PASSAGE,
    FullParagraph,
    NextPassage,
    answer_keyboard,
    buttons_except,
    parse_callback,
    parse_vote,
    vote_buttons,
)
from bot.telegram_bot.upload import safe_file_name, save_new_file, upload_suffix

log = logging.getLogger(__name__)

STATE_KEY = "state"
MAX_ALTERNATIVES = 10  # passages "Đoạn khác" cycles through
MAX_INLINE_RESULTS = 50  # Telegram's limit per answer
INLINE_CACHE_SECONDS = 30
REMEMBERED_QUESTIONS = 5000
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
T = TypeVar("T")


# --- State ----------------------------------------------------------------------------------


def question_id(question: str) -> str:
    """A short, stable id of a question for callback data (8 characters)."""
    digest = hashlib.blake2b(question.encode("utf-8"), digest_size=6).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


class QuestionMemory:
    """Recent questions by id, so "Đoạn khác" can rank again (bounded, newest kept)."""

    def __init__(self, capacity: int = REMEMBERED_QUESTIONS) -> None:
        self._items: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def remember(self, question: str) -> str:
        key = question_id(question)
        self._items[key] = question
        self._items.move_to_end(key)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> str | None:
        return self._items.get(key)


@dataclass
class BotState:
    """What the handlers share; kept in application.bot_data[STATE_KEY]."""

    settings: Settings
    live: LiveEngine
    mode: str = "polling"
    questions: QuestionMemory = field(default_factory=QuestionMemory)
    upload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    question_log: QuestionLog | None = None  # None: questions are not logged
    inline_logger: feedback.InlineLogger = field(default_factory=feedback.InlineLogger)

    def is_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.settings.admin_ids


def state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    return context.bot_data[STATE_KEY]  # type: ignore[no-any-return]


# --- Reading messages -----------------------------------------------------------------------


def mentions_bot(message: Message, username: str, bot_id: int) -> bool:
    for entity, text in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    ).items():
        if entity.type == MessageEntity.MENTION and text[1:].lower() == username.lower():
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
    return False


def replies_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == bot_id
        # In a forum topic every message "replies" to the topic's creation message.
        and replied.forum_topic_created is None
    )


def question_text(message: Message, username: str) -> str:
    """The question a message asks: without a leading command or a mention of the bot."""
    text = message.text or ""
    commands = message.parse_entities([MessageEntity.BOT_COMMAND])
    for entity, command in commands.items():
        if entity.offset == 0:
            text = text[len(command) :]
            break
    if username:
        text = re.sub(rf"(?<![\w@])@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


class _AddressedToBot(filters.MessageFilter):
    """A group message that mentions the bot or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        return mentions_bot(message, bot.username, bot.id) or replies_to_bot(message, bot.id)


ADDRESSED_TO_BOT = _AddressedToBot(name="addressed_to_bot")


def is_group(message: Message) -> bool:
    return message.chat.type != ChatType.PRIVATE


async def reply(
    message: Message,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    quote: bool | None = None,
) -> Message:
    """Send HTML in the message's chat (and forum topic); as a threaded reply when quoting.

    Replies quote the message in groups by default, and always for answers.
    """
    if quote is None:
        quote = is_group(message)
    parameters = (
        ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
        if quote
        else None
    )
    return await message.reply_text(
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        reply_parameters=parameters,
        link_preview_options=NO_PREVIEW,
        do_quote=None if quote else False,
    )


# --- Answers --------------------------------------------------------------------------------


def keyboard_for(
    engine: Engine,
    hit: Hit,
    *,
    rank: int,
    total: int,
    qid: str | None,
    extra: list[InlineKeyboardButton] | None = None,
) -> InlineKeyboardMarkup | None:
    """ "Cả đoạn" when the passage is part of a longer paragraph, "Đoạn khác" when there is
    another passage to show."""
    passage = hit.passage
    full_key = (
        engine.passage_key(passage) if engine.paragraph_text(passage) != passage.text else None
    )
    next_rank = (rank + 1) % total if total > 1 and qid is not None else None
    return answer_keyboard(
        full_key=full_key, next_rank=next_rank, question_id=qid, extra=extra or ()
    )


async def timed_ask(engine: Engine, question: str) -> tuple[Answer, float]:
    """The answer, and how long the user waited for it (milliseconds)."""
    started = time.perf_counter()
    answer = await asyncio.to_thread(engine.ask, question)
    return answer, (time.perf_counter() - started) * 1000


async def answer_question(
    message: Message, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    st = state(context)
    engine = st.live.engine  # one engine for the answer and its buttons
    answer, latency_ms = await timed_ask(engine, question)
    user = message.from_user
    row_id = await feedback.log_answer(
        st.question_log,
        answer,
        "group" if is_group(message) else "private",
        latency_ms,
        user_id=user.id if user else None,
        chat_id=message.chat.id,
    )
    text = render.answer_html(answer, group=is_group(message))
    votes = vote_buttons(row_id) if row_id is not None and answer.found else []
    markup = answer_keyboard(extra=votes)
    if answer.kind is AnswerKind.FOUND and answer.hits:
        qid = st.questions.remember(question)
        total = min(len(answer.hits), MAX_ALTERNATIVES)
        markup = keyboard_for(engine, answer.hits[0], rank=0, total=total, qid=qid, extra=votes)
    log.debug("question answered: kind=%s score=%.2f", answer.kind.value, answer.score)
    await reply(message, text, markup, quote=True)


# --- Commands -------------------------------------------------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    engine = state(context).live.engine
    user = update.effective_user
    examples = "\n".join(f"• <i>{render.escape(q)}</i>" for q in engine.example_questions(3))
    name = f", {render.escape(user.first_name)}" if user and user.first_name else ""
    await reply(
        message, texts.START.format(name=name, articles=len(engine.articles), examples=examples)
    )


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    text = texts.HELP.format(username=render.escape(context.bot.username))
    if state(context).is_admin(update.effective_user) and not is_group(message):
        text += texts.HELP_ADMIN
    await reply(message, text)


async def on_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    for number, text in enumerate(render.sources_messages(state(context).live.engine.articles)):
        await reply(message, text, quote=None if number == 0 else False)


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    question = question_text(message, context.bot.username)
    replied = message.reply_to_message
    if (
        not question
        and replied is not None
        and replied.text
        and not replies_to_bot(replied, context.bot.id)
        and replied.forum_topic_created is None
    ):
        question = question_text(replied, context.bot.username)  # "/ask" under a question
    if not question:
        await reply(message, texts.ASK_EMPTY)
        return
    await answer_question(message, context, question)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or (message.via_bot and message.via_bot.id == context.bot.id):
        return  # one of our own inline results, sent in this chat
    await answer_question(message, context, question_text(message, context.bot.username))


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or (message.via_bot and message.via_bot.id == context.bot.id):
        return
    question = question_text(message, context.bot.username)
    if not question:
        await reply(message, texts.ASK_EMPTY)
        return
    await answer_question(message, context, question)


async def on_private_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice ... in a private chat: a short hint."""
    message = update.effective_message
    if message is not None:
        await reply(message, texts.NON_TEXT_PRIVATE)


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await reply(message, texts.UNKNOWN_COMMAND)


async def on_new_members(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not any(m.id == context.bot.id for m in message.new_chat_members):
        return
    await reply(
        message,
        texts.GROUP_WELCOME.format(username=render.escape(context.bot.username)),
        quote=False,
    )


# --- Buttons --------------------------------------------------------------------------------


def _bold_words(message: Message | None) -> list[str]:
    """The words shown in bold in a message: the highlights of the answer it holds."""
    if message is None:
        return []
    bold = message.parse_entities([MessageEntity.BOLD]).values()
    return [word for run in bold for word in run.split()]


def _kept_buttons(message: Message | None) -> tuple[NextPassage | None, list[InlineKeyboardButton]]:
    """The "Đoạn khác" action and the other features' buttons of a message's keyboard."""
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return None, []
    next_action = None
    for row in markup.inline_keyboard:
        for button in row:
            action = parse_callback(
                button.callback_data if isinstance(button.callback_data, str) else None
            )
            if isinstance(action, NextPassage):
                next_action = action
    return next_action, buttons_except(markup, FULL_PARAGRAPH, NEXT_PASSAGE)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    action = parse_callback(query.data)
    if action is None:
        await query.answer(texts.CALLBACK_UNKNOWN)
        return
    st = state(context)
    engine = st.live.engine
    message = query.message if isinstance(query.message, Message) else None
    next_action, extra = _kept_buttons(message)

    if isinstance(action, FullParagraph):
        passage = engine.passage_by_key(action.key)
        if passage is None:
            await query.answer(texts.CALLBACK_GONE, show_alert=True)
            return
        text = render.paragraph_html(
            engine.paragraph_text(passage), engine.source(passage), _bold_words(message)
        )
        markup = answer_keyboard(
            next_rank=next_action.rank if next_action else None,
            question_id=next_action.question_id if next_action else None,
            extra=extra,
        )
    else:
        question = st.questions.get(action.question_id) or _question_from_reply(
            message, context.bot.username, action.question_id
        )
        if question is None:
            await query.answer(texts.CALLBACK_NO_QUESTION, show_alert=True)
            return
        st.questions.remember(question)
        hits = await asyncio.to_thread(engine.search, question, MAX_ALTERNATIVES)
        if len(hits) < 2:
            await query.answer(texts.CALLBACK_NO_MORE)
            return
        rank = action.rank % len(hits)
        hit = hits[rank]
        text = render.passage_html(hit.passage.text, hit.source, hit.matched_words)
        markup = keyboard_for(
            engine, hit, rank=rank, total=len(hits), qid=action.question_id, extra=extra
        )
    await query.answer()
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def _question_from_reply(message: Message | None, username: str, qid: str) -> str | None:
    """The question an answer replied to, when the memory lost it (e.g. after a restart)."""
    replied = message.reply_to_message if message is not None else None
    if replied is None or not replied.text:
        return None
    question = question_text(replied, username)
    return question if question and question_id(question) == qid else None


async def on_vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍/👎 under an answer: one vote per person and answer; pressing the other changes it."""
    query = update.callback_query
    if query is None:
        return
    vote = parse_vote(query.data)
    question_log = state(context).question_log
    if vote is None or question_log is None:
        await query.answer(texts.CALLBACK_UNKNOWN)
        return
    result = await asyncio.to_thread(question_log.vote, vote.row_id, query.from_user.id, vote.value)
    await query.answer(feedback.vote_toast(result, vote.value))


# --- Inline mode ----------------------------------------------------------------------------


def _passage_result(engine: Engine, hit: Hit) -> InlineQueryResultArticle:
    key = engine.passage_key(hit.passage)
    source = hit.source
    title = texts.INLINE_PASSAGE_TITLE.format(title=source.title, paragraph=source.paragraph)
    return InlineQueryResultArticle(
        id=key[:64],
        title=render.snippet(title, 100),
        description=render.snippet(hit.passage.text),
        input_message_content=InputTextMessageContent(
            render.passage_html(hit.passage.text, source, hit.matched_words),
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
        ),
        reply_markup=keyboard_for(engine, hit, rank=0, total=1, qid=None),
    )


def _article_results(engine: Engine, offset: int) -> tuple[list[InlineQueryResultArticle], str]:
    page = engine.articles[offset : offset + MAX_INLINE_RESULTS]
    results = []
    for number, article in enumerate(page, start=offset):
        details = ", ".join(d for d in (article.date, article.author) if d)
        results.append(
            InlineQueryResultArticle(
                id=f"a{number}",
                title=render.snippet(article.title, 100),
                description=details or None,
                input_message_content=InputTextMessageContent(
                    render.article_card(article),
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                ),
            )
        )
    more = offset + MAX_INLINE_RESULTS < len(engine.articles)
    return results, str(offset + MAX_INLINE_RESULTS) if more else ""


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    if query is None:
        return
    st = state(context)
    engine = st.live.engine
    text = " ".join(query.query.split())
    next_offset = ""
    if not text:
        offset = int(query.offset) if query.offset.isdigit() else 0
        results, next_offset = _article_results(engine, offset)
    else:
        limit = min(st.settings.inline_results, MAX_INLINE_RESULTS)
        answer, latency_ms = await timed_ask(engine, text)
        hits = answer.hits[:limit]
        results = [_passage_result(engine, hit) for hit in hits]
        await st.inline_logger.log(
            st.question_log, answer, bool(hits), latency_ms, query.from_user.id
        )
    button = (
        None
        if results
        else InlineQueryResultsButton(text=texts.INLINE_NOTHING, start_parameter="inline")
    )
    await query.answer(
        results,
        cache_time=INLINE_CACHE_SECONDS,
        is_personal=False,
        next_offset=next_offset or None,
        button=button,
    )


# --- Admins ---------------------------------------------------------------------------------


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    st = state(context)
    if not st.is_admin(update.effective_user):
        await reply(message, texts.ADMIN_ONLY)
        return
    status = await reply(message, texts.RELOAD_STARTED)
    report = await st.live.reload()
    await status.edit_text(
        render.reload_html(report), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
    )


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin's .txt or .md article: check, save under a safe name, reload."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    st = state(context)
    if not st.is_admin(update.effective_user):
        await reply(message, quote=True, text=texts.UPLOAD_REFUSED)
        return
    document = message.document
    limit = st.settings.max_file_bytes
    name = document.file_name or ""
    too_big = texts.UPLOAD_TOO_BIG.format(limit=f"{limit:,}".replace(",", "."))
    if upload_suffix(name) is None:
        await reply(message, quote=True, text=texts.UPLOAD_BAD_SUFFIX)
        return
    if document.file_size is not None and document.file_size > limit:
        await reply(message, quote=True, text=too_big)
        return
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
    except TelegramError:
        log.warning("could not download an uploaded document", exc_info=True)
        await reply(message, quote=True, text=texts.UPLOAD_DOWNLOAD_FAILED)
        return
    if len(data) > limit:
        await reply(message, quote=True, text=too_big)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        await reply(message, quote=True, text=texts.UPLOAD_NOT_UTF8)
        return
    if "\x00" in text:
        await reply(message, quote=True, text=texts.UPLOAD_BINARY)
        return
    safe_name = safe_file_name(name)
    try:
        article = parse_article_text(safe_name, text)
    except ArticleError as exc:
        await reply(
            message,
            quote=True,
            text=texts.UPLOAD_BAD_ARTICLE.format(
                name=render.escape(name), reason=render.escape(str(exc))
            ),
        )
        return
    async with st.upload_lock:
        folder = st.settings.knowledge_dir
        saved = await asyncio.to_thread(save_new_file, folder, safe_name, data)
    log.info(
        "admin %s saved an article as %s",
        update.effective_user.id if update.effective_user else "?",
        saved.name,
    )
    preface = [
        texts.UPLOAD_SAVED.format(
            title=render.escape(article.title), name=render.escape(saved.name)
        )
    ]
    if saved.name != safe_name:
        preface.append(texts.UPLOAD_RENAMED)
    status = await reply(message, "\n".join([*preface, texts.RELOAD_STARTED]), quote=True)
    report = await st.live.reload()
    skipped = next((s for s in report.skipped if s.file == saved.name), None)
    if skipped is not None:
        preface.append(texts.UPLOAD_SKIPPED_AFTER.format(reason=render.escape(skipped.reason)))
    await status.edit_text(
        render.reload_html(report, preface=preface),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
    )


# --- Reports (admins, private chat) ------------------------------------------------------------


async def _report_request(
    update: Update, context: ContextTypes.DEFAULT_TYPE, command: str
) -> tuple[Message, QuestionLog, int] | None:
    """The message, the log and the number of days of an admin's report command, or None
    after telling the sender why not."""
    message = update.effective_message
    if message is None:
        return None
    st = state(context)
    if not st.is_admin(update.effective_user):
        await reply(message, texts.ADMIN_ONLY)
        return None
    if is_group(message):
        await reply(message, texts.REPORT_PRIVATE_ONLY)  # the numbers are not for the group
        return None
    if st.question_log is None or not st.question_log.enabled:
        await reply(message, texts.REPORT_LOG_OFF)
        return None
    args = context.args or []
    days = reports.DEFAULT_DAYS
    if args:
        days = int(args[0]) if args[0].isdecimal() and len(args[0]) < 6 else 0
        if not 1 <= days <= reports.MAX_DAYS or len(args) > 1:
            await reply(
                message, texts.REPORT_BAD_DAYS.format(max_days=reports.MAX_DAYS, command=command)
            )
            return None
    return message, st.question_log, days


async def _read_report(
    message: Message, question_log: QuestionLog, work: Callable[[sqlite3.Connection], T]
) -> T | None:
    try:
        return await asyncio.to_thread(question_log.read, work)
    except sqlite3.Error:
        log.warning("could not read the question log for a report", exc_info=True)
        await reply(message, texts.REPORT_FAILED)
        return None


async def on_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    request = await _report_request(update, context, "unanswered")
    if request is None:
        return
    message, question_log, days = request
    now = question_log.now()
    groups = await _read_report(message, question_log, lambda c: reports.unanswered(c, days, now))
    if groups is not None:
        await reply(message, reports.render_unanswered(groups, days, as_html=True))


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    request = await _report_request(update, context, "stats")
    if request is None:
        return
    message, question_log, days = request
    now = question_log.now()
    summary = await _read_report(message, question_log, lambda c: reports.stats(c, days, now))
    if summary is not None:
        await reply(message, reports.render_stats(summary, as_html=True))


async def on_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    request = await _report_request(update, context, "export")
    if request is None:
        return
    message, question_log, days = request
    now = question_log.now()
    exported = await _read_report(
        message, question_log, lambda c: reports.export_bytes(c, days, now)
    )
    if exported is None:
        return
    data, count = exported
    name = texts.EXPORT_FILE_NAME.format(date=time.strftime("%Y%m%d", time.localtime(now)))
    await message.reply_document(
        InputFile(data, filename=name),
        caption=texts.EXPORT_CAPTION.format(days=days, count=count),
        parse_mode=ParseMode.HTML,
        do_quote=False,
    )
