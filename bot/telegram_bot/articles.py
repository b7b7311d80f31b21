"""Admins add and remove articles from the chat: `/them URL` (`/add`), a saved page, Word or
PDF file sent as a document, `/xoa N` (`/remove`) with a confirmation button.

The work is `bot.ingest`'s; this module reads the update, runs it off the event loop,
reloads the engine as `/reload` does, and says what happened. After an add it offers one
question the new article answers, checked against the reloaded engine first.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import operator
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import ingest
from bot.core.engine import Engine
from bot.core.live import ReloadReport
from bot.telegram_bot import render, texts
from bot.telegram_bot.handlers import NO_PREVIEW, BotState, is_group, reply, state

log = logging.getLogger(__name__)

REMOVE = "rm"  # callback data: "rm:<article key>" confirms, "rm:-" cancels
CANCEL = "-"

# --- Texts (HTML) ---------------------------------------------------------------------------

ADD_USAGE = (
    "Gửi kèm đường dẫn của bài báo, ví dụ:\n<code>/them https://baodongkhoi.vn/bai-viet.html"
    "</code>\nHoặc gửi tệp <code>.html</code> (trang đã lưu), <code>.docx</code> hay "
    "<code>.pdf</code> vào đây."
)
ADD_NOT_A_LINK = "Đây không phải đường dẫn http:// hoặc https://. " + ADD_USAGE
PRIVATE_ONLY = "Lệnh này chỉ dùng trong chat riêng với bot."
FETCHING = "⏳ Đang tải và đọc bài từ {url}…"
CONVERTING = "⏳ Đang đọc tệp <code>{name}</code>…"
REFUSED = "❌ Không thêm được bài: {reason}.\nKho bài viết không thay đổi."
ADDED = "✅ Đã thêm bài <b>«{title}»</b>"
UPDATED = "🔄 Đã cập nhật bài <b>«{title}»</b> (cùng đường dẫn, không thêm bản sao)"
DETAILS = "📅 {date} · {paragraphs} đoạn{author}"
NO_DATE = "không rõ ngày đăng"
NOTE = "ℹ️ {note}."
SAVED_AS = "💾 Lưu thành <code>{name}</code>"
TRY_ASKING = "💡 Thử hỏi: <i>{question}</i>"
NO_EXAMPLE = "💡 Hãy thử hỏi về nội dung bài."
SKIPPED_AFTER = "⚠️ Tệp vừa lưu bị bỏ qua khi nạp: {reason}"
FILE_TOO_BIG = "Không nhận tệp này: tệp lớn quá giới hạn {limit} byte."
REMOVE_USAGE = (
    "Gửi kèm số thứ tự của bài trong /sources, ví dụ: <code>/xoa 3</code>"
)
REMOVE_NO_SUCH = "Không có bài số {number}: kho có {count} bài (xem /sources)."
REMOVE_CONFIRM = (
    "Xóa bài số {number}: <b>«{title}»</b> (tệp <code>{file}</code>)?\n"
    "Bot sẽ không dùng bài này để trả lời nữa; tệp được chuyển vào thư mục "
    "<code>.trash</code> của kho, có thể khôi phục."
)
BUTTON_REMOVE = "🗑 Xóa bài"
BUTTON_CANCEL = "Hủy"
REMOVE_CANCELLED = "Đã hủy, không xóa bài nào."
REMOVE_GONE = "Bài này đã thay đổi hoặc không còn trong kho. Gõ /sources để xem lại."
REMOVE_LAST = "Không xóa được bài cuối cùng: kho phải còn ít nhất một bài viết."
REMOVING = "⏳ Đang xóa bài «{title}»…"
REMOVED = "🗑 Đã xóa bài <b>«{title}»</b> (tệp cất ở <code>{kept}</code>)."
REMOVE_FAILED = "❌ Không xóa được bài: {reason}."

# --- Who may ---------------------------------------------------------------------------------


async def _admin_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Message, BotState, list[str]] | None:
    """The message, the state and the arguments of an admin's command in a private chat, or
    None after telling anyone else why not."""
    message = update.effective_message
    if message is None:
        return None
    st = state(context)
    if not st.is_admin(update.effective_user):
        await reply(message, texts.ADMIN_ONLY)
        return None
    if is_group(message):
        await reply(message, PRIVATE_ONLY)
        return None
    return message, st, list(context.args or [])


# --- Adding --------------------------------------------------------------------------------


def _added_lines(added: ingest.Added, question: str | None) -> list[str]:
    article = added.article
    title = render.escape(article.title)
    lines = [(UPDATED if added.replaced else ADDED).format(title=title)]
    author = f" · ✍️ {render.escape(article.author)}" if article.author else ""
    lines.append(DETAILS.format(date=render.escape(article.date or NO_DATE),
                                paragraphs=len(article.paragraphs), author=author))
    if render.is_web_link(article.url):
        assert article.url is not None
        lines.append("🔗 " + render.link(article.url, texts.ORIGINAL_LINK))
    lines.append(SAVED_AS.format(name=render.escape(article.file)))
    lines += [NOTE.format(note=render.escape(note)) for note in added.notes]
    lines.append(TRY_ASKING.format(question=render.escape(question)) if question else NO_EXAMPLE)
    return lines


async def _edit(status: Message, text: str) -> None:
    await status.edit_text(text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)


async def _add(status: Message, st: BotState, read: Callable[[], ingest.Draft],
               admin_id: int | None) -> None:
    """Read (off the event loop), write, reload, then tell; a refusal changes nothing."""
    try:
        draft = await asyncio.to_thread(read)
        async with st.upload_lock:
            added = await asyncio.to_thread(
                ingest.save_draft, st.settings.knowledge_dir, draft,
                max_file_bytes=st.settings.max_file_bytes,
            )
    except ingest.IngestError as exc:
        log.info("admin %s: article not added: %s", admin_id, exc)
        await _edit(status, REFUSED.format(reason=render.escape(str(exc).rstrip("."))))
        return
    log.info("admin %s %s %s", admin_id, "updated" if added.replaced else "added",
             added.article.file)
    report = await st.live.reload()
    await _edit(status, await _after_reload(st.live.engine, added, report))


async def _after_reload(engine: Engine, added: ingest.Added, report: ReloadReport) -> str:
    skipped = next((s for s in report.skipped if s.file == added.article.file), None)
    question = None
    if report.ok and skipped is None:
        question = await asyncio.to_thread(ingest.example_question, engine, added.article.file)
    lines = _added_lines(added, question)
    if skipped is not None:
        lines.append(SKIPPED_AFTER.format(reason=render.escape(skipped.reason)))
    return render.reload_html(report, preface=lines)


async def on_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/them URL, /add URL."""
    request = await _admin_command(update, context)
    if request is None:
        return
    message, st, args = request
    if not args:
        await reply(message, ADD_USAGE)
        return
    url = args[0]
    if not ingest.is_http_url(url):
        await reply(message, ADD_NOT_A_LINK)
        return
    status = await reply(message, FETCHING.format(url=render.escape(url)), quote=True)
    policy = ingest.FetchPolicy.from_settings(st.settings)
    user = update.effective_user
    await _add(status, st, lambda: ingest.read_link(url, policy), user.id if user else None)


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A saved page (.html, .htm), a Word (.docx) or a PDF file sent by an admin."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    st = state(context)
    if not st.is_admin(update.effective_user):
        await reply(message, texts.UPLOAD_REFUSED, quote=True)
        return
    document = message.document
    name = document.file_name or "bai"
    limit = st.settings.fetch_max_bytes
    too_big = FILE_TOO_BIG.format(limit=f"{limit:,}".replace(",", "."))
    if document.file_size is not None and document.file_size > limit:
        await reply(message, too_big, quote=True)
        return
    status = await reply(message, CONVERTING.format(name=render.escape(name)), quote=True)
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
    except TelegramError:
        log.warning("could not download an uploaded document", exc_info=True)
        await _edit(status, texts.UPLOAD_DOWNLOAD_FAILED)
        return
    user = update.effective_user
    await _add(status, st, lambda: ingest.read_file(name, data, max_bytes=limit),
               user.id if user else None)


# --- Removing ------------------------------------------------------------------------------


def article_key(file: str, fingerprint: str) -> str:
    """Names one version of one file: a button pressed after the article changed or moved
    (its number in /sources with it) removes nothing."""
    return hashlib.blake2b(f"{file}\0{fingerprint}".encode(), digest_size=8).hexdigest()


def _article_by_key(engine: Engine, key: str) -> int | None:
    for position, (file, fingerprint) in enumerate(engine.knowledge.versions):
        if article_key(file, fingerprint) == key:
            return position
    return None


async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/xoa N, /remove N: N as /sources numbers the articles; a button confirms."""
    request = await _admin_command(update, context)
    if request is None:
        return
    message, st, args = request
    if len(args) != 1 or not args[0].isdecimal() or len(args[0]) > 6:
        await reply(message, REMOVE_USAGE)
        return
    engine = st.live.engine
    number = int(args[0])
    if not 1 <= number <= len(engine.articles):
        await reply(message, REMOVE_NO_SUCH.format(number=number, count=len(engine.articles)))
        return
    article = engine.articles[number - 1]
    file, fingerprint = engine.knowledge.versions[number - 1]
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(BUTTON_REMOVE,
                             callback_data=f"{REMOVE}:{article_key(file, fingerprint)}"),
        InlineKeyboardButton(BUTTON_CANCEL, callback_data=f"{REMOVE}:{CANCEL}"),
    ]])
    await reply(message, REMOVE_CONFIRM.format(
        number=number, title=render.escape(article.title), file=render.escape(article.file)
    ), markup)


async def on_remove_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    st = state(context)
    if not st.is_admin(query.from_user):
        await query.answer(texts.ADMIN_ONLY, show_alert=True)
        return
    key = (query.data or "").partition(":")[2]
    if key == CANCEL:
        await query.answer()
        await query.edit_message_text(REMOVE_CANCELLED)
        return
    engine = st.live.engine
    position = _article_by_key(engine, key)
    if position is None:
        await query.answer(REMOVE_GONE, show_alert=True)
        return
    if len(engine.articles) == 1:
        await query.answer(REMOVE_LAST, show_alert=True)
        return
    article = engine.articles[position]
    title = render.escape(article.title)
    await query.answer()
    status = query.message
    await _edit(status, REMOVING.format(title=title))
    try:
        async with st.upload_lock:
            removed = await asyncio.to_thread(
                ingest.move_to_trash, st.settings.knowledge_dir, article.file
            )
    except ingest.IngestError as exc:
        await _edit(status, REMOVE_FAILED.format(reason=render.escape(str(exc))))
        return
    log.info("admin %s removed %s (kept as %s)", query.from_user.id, removed.file,
             removed.kept_as)
    report = await st.live.reload()
    await _edit(status, render.reload_html(report, preface=[
        REMOVED.format(title=title, kept=render.escape(removed.kept_as))
    ]))


# --- Registration ----------------------------------------------------------------------------

CONVERTED_DOCUMENTS = functools.reduce(operator.or_, (
    filters.Document.FileExtension(suffix.lstrip(".")) for suffix in ingest.CONVERTED_SUFFIXES
))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add this feature's handlers. Call it before the catch-all document and button
    handlers: in one group, the first handler that matches takes the update."""
    new = filters.UpdateType.MESSAGE
    application.add_handlers([
        # Fetching, converting and reloading take seconds: they must not hold up questions.
        CommandHandler(["them", "add"], on_add, filters=new, block=False),
        CommandHandler(["xoa", "remove"], on_remove, filters=new),
        MessageHandler(new & filters.ChatType.PRIVATE & CONVERTED_DOCUMENTS, on_document,
                       block=False),
        CallbackQueryHandler(on_remove_button, pattern=f"^{REMOVE}:", block=False),
    ])
