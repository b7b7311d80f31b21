"""End to end: the real python-telegram-bot Application, polling a fake Bot API server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.live import LiveEngine
from bot.core.model import Answer
from bot.telegram_bot import texts
from bot.telegram_bot.app import build_application
from bot.telegram_bot.runner import build_live_engine, make_loader
from tests.fake_bot_api import (
    TOKEN,
    Call,
    FakeBotApi,
    check_telegram_html,
    group_chat,
    make_user,
    polling,
    private_chat,
)

pytestmark = pytest.mark.filterwarnings(  # raised inside python-telegram-bot's rate limiter
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

ADMIN = make_user(1001, "Quản trị", username="quantri")
USER = make_user(2002, "Lan", username="lan")
OTHER = make_user(3003, "Minh", language_code="en")
SEED_TITLE = "Tăng cường công tác bảo đảm an toàn thông tin mạng"

NEW_ARTICLE = "\n".join(
    [
        "Khánh thành cầu Rạch Miễu 2",
        "",
        "15/03/2024 - 08:00",
        "",
        "Sáng 15-3-2024, tỉnh Bến Tre khánh thành cầu Rạch Miễu 2 nối liền hai bờ sông Tiền. "
        "Cây cầu dài 17 km, tổng vốn đầu tư hơn 6.800 tỷ đồng.",
        "",
        "Ông Trần Ngọc Tam, Chủ tịch UBND tỉnh, cắt băng khánh thành công trình.",
        "",
        "Minh Anh",
        "",
    ]
)

SPECIAL_ARTICLE = "\n".join(
    [
        "Hội thảo về thẻ <b> & ký hiệu đặc biệt",
        "",
        "02/01/2024 - 09:00",
        "",
        "Công ty A&B trình bày cách viết thẻ <script>alert(1)</script> trong tài liệu & giáo "
        "trình tin học cho học sinh.",
        "",
        "Thu Hà",
        "",
    ]
)


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def settings(knowledge_copy: Path, server: FakeBotApi) -> Settings:
    return Settings(
        knowledge_dir=knowledge_copy,
        admin_ids=frozenset({ADMIN["id"]}),
        api_url=server.api_url,
        token=TOKEN,
        log_db=None,
        inline_results=5,
    )


@pytest.fixture
def live(settings: Settings) -> LiveEngine:
    return build_live_engine(settings)


Scenario = Callable[[FakeBotApi], Awaitable[None]]


def run_bot(settings: Settings, live: LiveEngine, server: FakeBotApi, scenario: Scenario) -> None:
    async def main() -> None:
        application = build_application(settings, live)
        async with polling(application):
            await scenario(server)

    asyncio.run(asyncio.wait_for(main(), timeout=40))


def replies_to(message: dict[str, Any]) -> Callable[[Call], bool]:
    """Calls that answer a given user message as a threaded reply."""

    def check(call: Call) -> bool:
        parameters = call.get("reply_parameters") or {}
        return (
            call.get("chat_id") == message["chat"]["id"]
            and parameters.get("message_id") == message["message_id"]
        )

    return check


async def ask(
    server: FakeBotApi, chat: dict[str, Any], user: dict[str, Any], text: str, **kwargs: Any
) -> tuple[dict[str, Any], Call]:
    message = server.send_text(chat, user, text, **kwargs)
    [call] = await server.wait_for("sendMessage", replies_to(message))
    return message, call


def buttons(call: Call) -> list[dict[str, Any]]:
    markup = call.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


# --- Start-up ---------------------------------------------------------------------------------


def test_start_up_registers_commands_and_polls(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    async def scenario(server: FakeBotApi) -> None:
        await server.wait_for("getUpdates")
        methods = server.methods()
        assert methods.index("getMe") < methods.index("deleteWebhook") < methods.index("getUpdates")
        commands = server.calls_to("setMyCommands")
        by_scope = {
            (c["scope"]["type"], c["scope"].get("chat_id"), c.get("language_code")): [
                item["command"] for item in c["commands"]
            ]
            for c in commands
        }
        assert by_scope[("default", None, None)] == ["start", "help", "ask", "sources"]
        assert by_scope[("default", None, "en")] == ["start", "help", "ask", "sources"]
        assert by_scope[("chat", ADMIN["id"], None)][-1] == "reload"
        assert by_scope[("chat", ADMIN["id"], "en")][-1] == "reload"
        default = next(
            c
            for c in commands
            if c["scope"]["type"] == "default" and c.get("language_code") is None
        )
        assert default["commands"][0]["description"] == texts.COMMANDS[0][1]  # Vietnamese

    run_bot(settings, live, server, scenario)


# --- Private chat -------------------------------------------------------------------------------


def test_private_question_is_answered_with_quote_and_source(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    async def scenario(server: FakeBotApi) -> None:
        _, call = await ask(server, private_chat(USER), USER, "Ai chủ trì hội nghị?")
        text = call["text"]
        assert call["parse_mode"] == "HTML"
        plain = check_telegram_html(text)
        # The short answer first, then the quote.
        assert text.startswith("<b>Người chủ trì:</b> Nguyễn Quốc Bảo, Huỳnh Văn Bưu\n<blockquote>")
        assert "Đồng chí Nguyễn Quốc Bảo" in plain
        assert f"«{SEED_TITLE}»" in plain
        assert "27/02/2014 - 17:20" in plain and "đoạn 1" in plain and "Quốc Hùng" in plain
        # The paragraph is a single passage: no "Cả đoạn"; no other passage either.
        assert all(b["text"] != texts.BUTTON_FULL_PARAGRAPH for b in buttons(call))

    run_bot(settings, live, server, scenario)


def test_unaccented_question_is_answered(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    async def scenario(server: FakeBotApi) -> None:
        _, call = await ask(server, private_chat(USER), USER, "ai chu tri hoi nghi")
        plain = check_telegram_html(call["text"])
        assert "chủ trì hội nghị" in plain

    run_bot(settings, live, server, scenario)


def test_unanswerable_question_is_refused(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    async def scenario(server: FakeBotApi) -> None:
        _, call = await ask(server, private_chat(USER), USER, "Giá vàng hôm nay bao nhiêu?")
        plain = check_telegram_html(call["text"])
        assert "không nói về điều này" in plain
        assert "<blockquote" not in call["text"] and "Nguồn" not in plain
        assert call.get("reply_markup") is None

    run_bot(settings, live, server, scenario)


def test_follow_up_within_a_minute_is_read_with_the_previous_question(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    """ "còn ông Bảo?" right after "ông Bưu giữ chức gì?" asks Mr Bảo's position; the same
    message two minutes later, or in another chat, is a question of its own (refused)."""

    async def scenario(server: FakeBotApi) -> None:
        chat = private_chat(USER)
        first, call = await ask(server, chat, USER, "ông Bưu giữ chức gì?")
        assert "Ủy viên Ban Thường vụ Tỉnh ủy" in check_telegram_html(call["text"])
        _, call = await ask(server, chat, USER, "còn ông Bảo?")
        assert "Chức vụ:</b> Phó Bí thư Thường trực Tỉnh ủy" in call["text"]
        later = {"date": first["date"] + 600}
        _, call = await ask(server, chat, USER, "còn ông Bảo?", extra=later)
        assert "không nói về điều này" in check_telegram_html(call["text"])
        _, call = await ask(server, private_chat(OTHER), OTHER, "còn ông Bảo?")
        assert "không nói về điều này" in check_telegram_html(call["text"])

    run_bot(settings, live, server, scenario)


def test_chat_typed_and_english_questions(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    async def scenario(server: FakeBotApi) -> None:
        chat = private_chat(USER)
        _, call = await ask(server, chat, USER, "ai chur tris hooij nghij 😊")
        assert "Người chủ trì:</b> Nguyễn Quốc Bảo, Huỳnh Văn Bưu" in call["text"]
        _, call = await ask(server, chat, USER, "Who chaired the meeting?")
        plain = check_telegram_html(call["text"])
        assert "tiếng Việt" in plain and "in Vietnamese" in plain and "for example" in plain
        _, call = await ask(server, chat, USER, "giá vàng hnay bn")
        assert "không nói về điều này" in check_telegram_html(call["text"])

    run_bot(settings, live, server, scenario)


def test_start_help_sources_and_ask(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    chat = private_chat(USER)

    async def scenario(server: FakeBotApi) -> None:
        for count, command in enumerate(("/start", "/help", "/sources"), start=1):
            server.send_text(chat, USER, command)
            await server.wait_for("sendMessage", count=count)
        sent = [c["text"] for c in server.calls_to("sendMessage")]
        start, help_text, sources = sent
        assert "Xin chào, Lan!" in start and f"{SEED_TITLE}?" not in start
        examples = [line[2:] for line in check_telegram_html(start).split("\n") if line[:2] == "• "]
        assert len(examples) == 3
        assert "/ask" in help_text and "@TinTucHoiDapBot" in help_text and "nhóm" in help_text
        assert "reload" not in help_text  # not an admin
        assert SEED_TITLE in sources and "Quốc Hùng" in sources and "27/02/2014" in sources
        for text in sent:
            check_telegram_html(text)
        _, call = await ask(server, chat, USER, "/ask Ai chủ trì hội nghị?")
        assert "<b>Người chủ trì:</b> Nguyễn Quốc Bảo" in call["text"]
        # Each example offered is a question the bot answers with a quote and its source.
        for example in examples:
            _, call = await ask(server, chat, USER, example)
            assert "<blockquote" in call["text"] and f"«{SEED_TITLE}»" in call["text"], example

    run_bot(settings, live, server, scenario)


def test_question_with_markup_and_article_with_markup_are_escaped(
    settings: Settings, server: FakeBotApi
) -> None:
    (settings.knowledge_dir / "special.txt").write_text(SPECIAL_ARTICLE, encoding="utf-8")
    live = build_live_engine(settings)

    async def scenario(server: FakeBotApi) -> None:
        chat = private_chat(USER)
        _, call = await ask(server, chat, USER, "<b>Công ty</b> A&B trình bày cách viết thẻ gì?")
        text = call["text"]
        plain = check_telegram_html(text)
        assert "<script>" not in text and "&lt;script&gt;" in text
        assert "A&amp;" in text and "A&B trình bày" in plain
        assert "<script>alert(1)</script>" in plain  # shown to the user as written
        assert "Hội thảo về thẻ <b> & ký hiệu đặc biệt" in plain  # the title, escaped
        _, call = await ask(server, chat, USER, "<b>Giá vàng</b> & đô la hôm nay?")
        assert "<b>Giá" not in call["text"]
        check_telegram_html(call["text"])

    run_bot(settings, live, server, scenario)


def test_stickers_photos_channel_posts_and_edits_do_not_crash(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    chat = private_chat(USER)
    group = group_chat(-100500, "Nhóm A")
    channel = {"id": -100900, "type": "channel", "title": "Kênh"}

    async def scenario(server: FakeBotApi) -> None:
        sticker = server.message(
            chat,
            USER,
            None,
            extra={
                "sticker": {
                    "file_id": "S1",
                    "file_unique_id": "US1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            },
        )
        server.push_update({"message": sticker})
        photo = server.message(
            group,
            USER,
            None,
            extra={
                "photo": [{"file_id": "P1", "file_unique_id": "UP1", "width": 90, "height": 90}],
                "caption": "@TinTucHoiDapBot ảnh",
            },
        )
        server.push_update({"message": photo})
        server.push_update({"channel_post": server.message(channel, None, "Ai chủ trì hội nghị?")})
        server.push_update(
            {"message": server.message(group, USER, None, extra={"new_chat_title": "Tên mới"})}
        )
        original, _ = await ask(server, chat, USER, "Ai chủ trì hội nghị?")
        server.edit_text(original, "Ai chủ trì hội nghị vậy?")
        _, sentinel = await ask(server, chat, USER, "ai chu tri hoi nghi")
        answered = server.calls_to("sendMessage", replies_to(original))
        assert len(answered) == 1  # the edit was not answered again
        hints = server.calls_to("sendMessage", replies_to(sticker))
        assert [c["text"] for c in hints] == []  # hints are not threaded replies in private
        assert any(c["text"] == texts.NON_TEXT_PRIVATE for c in server.calls_to("sendMessage"))
        for call in server.calls_to("sendMessage"):
            assert call.get("chat_id") != group["id"] and call.get("chat_id") != channel["id"]
            assert "Traceback" not in call["text"]
        assert sentinel

    run_bot(settings, live, server, scenario)


# --- Groups -------------------------------------------------------------------------------------


def test_group_message_not_addressed_gets_no_reply(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    group = group_chat(-100101, "Nhóm B")

    async def scenario(server: FakeBotApi) -> None:
        ignored = server.send_text(group, USER, "Ai chủ trì hội nghị?")
        other_bot = server.send_text(group, USER, "/ask@OtherBot Ai chủ trì hội nghị?")
        other_mention = server.send_text(group, USER, "@lan ai chu tri hoi nghi")
        _, sentinel = await ask(server, group, USER, "@TinTucHoiDapBot ai chu tri hoi nghi")
        assert sentinel
        for message in (ignored, other_bot, other_mention):
            assert server.calls_to("sendMessage", replies_to(message)) == []
        assert len(server.calls_to("sendMessage")) == 1

    run_bot(settings, live, server, scenario)


def test_group_mention_command_and_reply_are_threaded_replies(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    group = group_chat(-100102, "Nhóm C")

    async def scenario(server: FakeBotApi) -> None:
        _, by_mention = await ask(server, group, USER, "@TinTucHoiDapBot ai chủ trì hội nghị?")
        assert "<b>Người chủ trì:</b> Nguyễn Quốc Bảo" in by_mention["text"]
        _, by_command = await ask(server, group, USER, "/ask@TinTucHoiDapBot Ai chủ trì hội nghị?")
        assert "<b>Người chủ trì:</b> Nguyễn Quốc Bảo" in by_command["text"]
        _, plain_command = await ask(server, group, OTHER, "/ask ai chu tri hoi nghi")
        assert "chủ trì hội nghị" in plain_command["text"]
        bot_message = by_mention.result
        _, by_reply = await ask(
            server, group, OTHER, "Hội nghị triển khai chỉ thị số mấy?", reply_to=bot_message
        )
        assert "Chỉ thị số 28" in check_telegram_html(by_reply["text"])
        _, refused = await ask(server, group, USER, "/ask Giá vàng hôm nay bao nhiêu?")
        assert refused["text"] == texts.NOT_FOUND_GROUP  # short in groups
        _, empty = await ask(server, group, USER, "/ask@TinTucHoiDapBot")
        assert empty["text"] == texts.ASK_EMPTY
        # "/ask" in reply to someone's question asks that question.
        question = server.send_text(group, USER, "ai chu tri hoi nghi")
        _, relayed = await ask(server, group, OTHER, "/ask", reply_to=question)
        assert "chủ trì hội nghị" in relayed["text"]
        assert server.calls_to("sendMessage", replies_to(question)) == []
        for call in (by_mention, by_command, plain_command, by_reply, refused, empty):
            assert call.get("message_thread_id") is None
            assert call["reply_parameters"]["allow_sending_without_reply"] is True

    run_bot(settings, live, server, scenario)


def test_forum_topic_reply_keeps_the_thread(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    forum = group_chat(-100103, "Diễn đàn", forum=True)

    async def scenario(server: FakeBotApi) -> None:
        # A plain message in a topic "replies" to the topic's creation message: not addressed.
        ignored = server.send_text(forum, USER, "Ai chủ trì hội nghị?", thread_id=77)
        _, call = await ask(
            server, forum, USER, "@TinTucHoiDapBot Ai chủ trì hội nghị?", thread_id=77
        )
        assert call["message_thread_id"] == 77
        _, command = await ask(server, forum, USER, "/ask ai chu tri hoi nghi", thread_id=77)
        assert command["message_thread_id"] == 77
        assert server.calls_to("sendMessage", replies_to(ignored)) == []

    run_bot(settings, live, server, scenario)


# --- Inline mode --------------------------------------------------------------------------------


def test_inline_query_offers_passages_and_empty_query_the_articles(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    async def scenario(server: FakeBotApi) -> None:
        query_id = server.inline_query(USER, "an toàn thông tin mạng")
        [call] = await server.wait_for(
            "answerInlineQuery", lambda c: c["inline_query_id"] == query_id
        )
        results = call["results"]
        assert 1 < len(results) <= settings.inline_results
        assert len({r["id"] for r in results}) == len(results)
        for result in results:
            assert result["type"] == "article"
            content = result["input_message_content"]
            assert content["parse_mode"] == "HTML"
            plain = check_telegram_html(content["message_text"])
            assert SEED_TITLE in plain and "<blockquote" in content["message_text"]
            assert len(result["id"].encode()) <= 64

        empty_id = server.inline_query(USER, "")
        [call] = await server.wait_for(
            "answerInlineQuery", lambda c: c["inline_query_id"] == empty_id
        )
        [article] = call["results"]
        assert article["title"] == SEED_TITLE
        check_telegram_html(article["input_message_content"]["message_text"])

        nothing_id = server.inline_query(USER, "Giá vàng hôm nay bao nhiêu?")
        [call] = await server.wait_for(
            "answerInlineQuery", lambda c: c["inline_query_id"] == nothing_id
        )
        assert call["results"] == [] and call["button"]["start_parameter"] == "inline"

        # "Cả đoạn" under a sent inline result edits it through its inline_message_id.
        full = next(
            button["callback_data"]
            for r in results
            for row in (r.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
            if button["text"] == texts.BUTTON_FULL_PARAGRAPH
        )
        server.press_button(USER, full, inline_message_id="IM-1")
        [edit] = await server.wait_for("editMessageText")
        assert edit["inline_message_id"] == "IM-1"
        assert texts.FULL_PARAGRAPH_HEADING.strip() in edit["text"]
        check_telegram_html(edit["text"])

    run_bot(settings, live, server, scenario)


# --- Buttons ------------------------------------------------------------------------------------


def test_full_paragraph_and_next_passage_buttons(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    chat = private_chat(USER)
    engine = live.engine

    async def scenario(server: FakeBotApi) -> None:
        _, call = await ask(server, chat, USER, "an toàn thông tin mạng")
        keyboard = {b["text"]: b["callback_data"] for b in buttons(call)}
        assert set(keyboard) == {texts.BUTTON_FULL_PARAGRAPH, texts.BUTTON_NEXT_PASSAGE}
        assert all(len(data.encode()) <= 64 for data in keyboard.values())
        bot_message = call.result

        # "Cả đoạn": the whole paragraph in place of the passage, "Đoạn khác" kept.
        first = engine.search("an toàn thông tin mạng", 10)[0]
        paragraph = engine.paragraph_text(first.passage)
        assert paragraph != first.quote
        pressed = server.press_button(
            USER, keyboard[texts.BUTTON_FULL_PARAGRAPH], message=bot_message
        )
        await server.wait_for("answerCallbackQuery", lambda c: c["callback_query_id"] == pressed)
        [edit] = await server.wait_for("editMessageText")
        assert edit["message_id"] == bot_message["message_id"]
        plain = check_telegram_html(edit["text"])
        assert paragraph in plain and f"đoạn {first.passage.paragraph}" in plain
        assert [b["text"] for b in buttons(edit)] == [texts.BUTTON_NEXT_PASSAGE]

        # "Đoạn khác": the next-best passage.
        second = engine.search("an toàn thông tin mạng", 10)[1]
        pressed = server.press_button(
            USER, keyboard[texts.BUTTON_NEXT_PASSAGE], message=bot_message
        )
        await server.wait_for("answerCallbackQuery", lambda c: c["callback_query_id"] == pressed)
        edits = await server.wait_for("editMessageText", count=2)
        plain = check_telegram_html(edits[1]["text"])
        assert second.quote in plain
        assert f"đoạn {second.passage.paragraph}" in plain
        assert texts.BUTTON_NEXT_PASSAGE in [b["text"] for b in buttons(edits[1])]

        # A stale key (e.g. the file changed) is answered politely, nothing is edited.
        pressed = server.press_button(USER, "p:000000000000:9:9", message=bot_message)
        [answer] = await server.wait_for(
            "answerCallbackQuery", lambda c: c["callback_query_id"] == pressed
        )
        assert answer["text"] == texts.CALLBACK_GONE
        assert len(server.calls_to("editMessageText")) == 2

    run_bot(settings, live, server, scenario)


def test_next_passage_shows_the_passages_found_for_that_message(
    settings: Settings, live: LiveEngine, server: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Đoạn khác" pages through the hits the answer found, without asking the engine again,
    and each message keeps its own: a later question does not change an earlier answer's."""
    chat = private_chat(USER)
    engine = live.engine
    asked: list[str] = []
    real_ask = engine.ask

    def counting_ask(question: str) -> Answer:
        asked.append(question)
        return real_ask(question)

    monkeypatch.setattr(engine, "ask", counting_ask)

    async def scenario(server: FakeBotApi) -> None:
        _, first = await ask(server, chat, USER, "an toàn thông tin mạng")
        _, later = await ask(server, chat, USER, "diễn biến hòa bình")
        hits = real_ask("an toàn thông tin mạng").hits
        next_data = {b["text"]: b["callback_data"] for b in buttons(first)}[
            texts.BUTTON_NEXT_PASSAGE
        ]
        shown = []
        for count in range(1, 4):
            server.press_button(USER, next_data, message=first.result)
            [*_, edit] = await server.wait_for("editMessageText", count=count)
            next_data = {b["text"]: b["callback_data"] for b in buttons(edit)}[
                texts.BUTTON_NEXT_PASSAGE
            ]
            shown.append(check_telegram_html(edit["text"]))
        for rank, plain in enumerate(shown, start=1):
            assert hits[rank % len(hits)].quote in plain
        assert asked == ["an toàn thông tin mạng", "diễn biến hòa bình"]  # no second ask
        assert later.result["message_id"] != first.result["message_id"]

    run_bot(settings, live, server, scenario)


def test_next_passage_survives_a_restart_through_the_replied_question(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    """The question memory is lost on restart; the answer's replied-to message has it."""
    chat = private_chat(USER)
    holder: dict[str, Any] = {}

    async def first_run(server: FakeBotApi) -> None:
        _, call = await ask(server, chat, USER, "an toàn thông tin mạng")
        holder["call"] = call

    run_bot(settings, live, server, first_run)

    async def second_run(server: FakeBotApi) -> None:
        call = holder["call"]
        data = next(
            b["callback_data"] for b in buttons(call) if b["text"] == texts.BUTTON_NEXT_PASSAGE
        )
        server.press_button(USER, data, message=call.result)
        [edit] = await server.wait_for("editMessageText")
        assert "<blockquote" in edit["text"]

    run_bot(settings, build_live_engine(settings), server, second_run)


# --- Admins -------------------------------------------------------------------------------------


def test_non_admin_reload_and_upload_are_refused(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    chat = private_chat(USER)
    before = sorted(p.name for p in settings.knowledge_dir.iterdir())

    async def scenario(server: FakeBotApi) -> None:
        server.send_text(chat, USER, "/reload")
        await server.wait_for("sendMessage", lambda c: c["text"] == texts.ADMIN_ONLY)
        message = server.send_document(chat, USER, "bai.txt", NEW_ARTICLE.encode())
        [refusal] = await server.wait_for("sendMessage", replies_to(message))
        assert refusal["text"] == texts.UPLOAD_REFUSED
        assert server.calls_to("getFile") == []

    run_bot(settings, live, server, scenario)
    assert sorted(p.name for p in settings.knowledge_dir.iterdir()) == before


def test_admin_reload_keeps_answering_from_the_old_index(
    settings: Settings, server: FakeBotApi
) -> None:
    started, release = threading.Event(), threading.Event()
    real_loader = make_loader(settings, lambda: None)

    def slow_loader() -> Engine:
        started.set()
        assert release.wait(20), "test never released the reload"
        return real_loader()

    live = LiveEngine(real_loader(), slow_loader)
    chat = private_chat(ADMIN)
    new_question = "Ai cắt băng khánh thành cầu Rạch Miễu 2?"

    async def scenario(server: FakeBotApi) -> None:
        (settings.knowledge_dir / "001_cau.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        server.send_text(chat, ADMIN, "/reload")
        [status] = await server.wait_for("sendMessage", lambda c: c["text"] == texts.RELOAD_STARTED)
        await asyncio.to_thread(started.wait, 10)

        # While the new index is being built, questions are answered from the old one.
        _, old = await ask(server, chat, USER, new_question)
        assert "không nói về điều này" in old["text"]
        _, seed = await ask(server, private_chat(USER), USER, "ai chu tri hoi nghi")
        assert "chủ trì hội nghị" in seed["text"]
        assert server.calls_to("editMessageText") == []

        release.set()
        [done] = await server.wait_for("editMessageText")
        assert done["message_id"] == status.result["message_id"]
        plain = check_telegram_html(done["text"])
        assert "2 bài viết" in plain and f"{len(live.engine.passages)} đoạn" in plain

        _, new = await ask(server, chat, USER, new_question)
        assert "Trần Ngọc Tam" in new["text"] and "Khánh thành cầu Rạch Miễu 2" in new["text"]

    run_bot(settings, live, server, scenario)


def test_failed_reload_keeps_the_old_index_and_lists_skipped_files(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    chat = private_chat(ADMIN)

    async def scenario(server: FakeBotApi) -> None:
        (settings.knowledge_dir / "rong.txt").write_bytes(b"")
        server.send_text(chat, ADMIN, "/reload")
        [done] = await server.wait_for("editMessageText")
        plain = check_telegram_html(done["text"])
        assert "1 bài viết" in plain and "rong.txt" in plain and "tệp rỗng" in plain

        # Every article gone: the reload fails, the old index keeps serving.
        for path in settings.knowledge_dir.glob("*.txt"):
            path.unlink()
        server.send_text(chat, ADMIN, "/reload")
        edits = await server.wait_for("editMessageText", count=2)
        plain = check_telegram_html(edits[1]["text"])
        assert "không thành công" in plain and "dữ liệu cũ" in plain
        _, answer = await ask(server, chat, ADMIN, "ai chu tri hoi nghi")
        assert "chủ trì hội nghị" in answer["text"]

    run_bot(settings, live, server, scenario)


def test_admin_uploads_an_article(settings: Settings, live: LiveEngine, server: FakeBotApi) -> None:
    chat = private_chat(ADMIN)
    folder = settings.knowledge_dir

    async def scenario(server: FakeBotApi) -> None:
        server.send_document(chat, ADMIN, "../../Cầu Rạch Miễu.txt", NEW_ARTICLE.encode())
        [done] = await server.wait_for("editMessageText")
        assert server.calls_to("getFile")
        assert server.calls_to("<download>")[0].status == 200
        plain = check_telegram_html(done["text"])
        assert "Cau-Rach-Mieu.txt" in plain and "2 bài viết" in plain
        assert (folder / "Cau-Rach-Mieu.txt").read_text(encoding="utf-8") == NEW_ARTICLE
        _, answer = await ask(server, chat, USER, "Ai cắt băng khánh thành cầu Rạch Miễu 2?")
        assert "Trần Ngọc Tam" in answer["text"]

        # The same name again: saved beside it, never overwriting.
        server.send_document(chat, ADMIN, "Cầu Rạch Miễu.txt", NEW_ARTICLE.encode())
        edits = await server.wait_for("editMessageText", count=2)
        assert "Cau-Rach-Mieu-1.txt" in edits[1]["text"]
        assert texts.UPLOAD_RENAMED in edits[1]["text"]

        # Refused with the reason, nothing saved.
        checks = [
            ("anh.png", b"\x89PNG", texts.UPLOAD_BAD_SUFFIX),
            ("latin.txt", "Tiêu đề\n\nNội dung bài.".encode("utf-16-le"), None),
            ("rong.md", b"   \n", None),
            ("win.txt", b"Tieu de\n\nNoi dung \xe0 \xe1 bai.\n", texts.UPLOAD_NOT_UTF8),
        ]
        for name, content, expected in checks:
            message = server.send_document(chat, ADMIN, name, content)
            [call] = await server.wait_for("sendMessage", replies_to(message))
            check_telegram_html(call["text"])
            assert call["text"].startswith("Không nhận tệp"), call["text"]
            if expected:
                assert call["text"] == expected
        big = server.send_document(chat, ADMIN, "lon.txt", b"x", file_size=10**8)
        [call] = await server.wait_for("sendMessage", replies_to(big))
        assert "lớn quá giới hạn" in call["text"]
        assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
            "000_796d2ca824a9a6ee.txt",
            "Cau-Rach-Mieu-1.txt",
            "Cau-Rach-Mieu.txt",
        ]

    run_bot(settings, live, server, scenario)


# --- Reliability --------------------------------------------------------------------------------


def test_errors_are_logged_and_apologised_without_traceback(
    settings: Settings,
    live: LiveEngine,
    server: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_ask(question: str) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(live.engine, "ask", broken_ask)
    chat = private_chat(USER)

    async def scenario(server: FakeBotApi) -> None:
        _, call = await ask(server, chat, USER, "Ai chủ trì hội nghị?")
        assert call["text"] == texts.SOMETHING_WENT_WRONG

    with caplog.at_level("ERROR"):
        run_bot(settings, live, server, scenario)
    assert "secret internal detail" in caplog.text
    assert all("secret" not in c["text"] for c in server.calls_to("sendMessage"))


def test_server_errors_and_flood_limits(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    chat = private_chat(USER)

    async def scenario(server: FakeBotApi) -> None:
        # A 500 on the answer: sent again after a short pause (bot/telegram_bot/retry.py).
        server.fail_next("sendMessage", status=500)
        message = server.send_text(chat, USER, "Ai chủ trì hội nghị?")
        calls = await server.wait_for("sendMessage", replies_to(message), count=2)
        assert calls[0].status == 500 and calls[1].status == 200
        assert "chủ trì hội nghị" in calls[1]["text"]

        # A 429 with retry_after: the rate limiter waits and sends again.
        server.fail_next("sendMessage", retry_after=1)
        message = server.send_text(chat, USER, "ai chu tri hoi nghi")
        calls = await server.wait_for("sendMessage", replies_to(message), count=2)
        assert calls[0].status == 429 and calls[1].status == 200
        assert calls[1].time - calls[0].time >= 1.0
        assert "chủ trì hội nghị" in calls[1]["text"]

        # A dropped getUpdates connection: polling goes on.
        server.fail_next("getUpdates", drop=True)
        await server.wait_for("getUpdates", lambda c: c.status == 0)
        _, call = await ask(server, chat, USER, "Ai chủ trì hội nghị?")
        assert "chủ trì hội nghị" in call["text"]

    run_bot(settings, live, server, scenario)


def test_build_uses_the_configured_api_url(settings: Settings, live: LiveEngine) -> None:
    application = build_application(replace(settings, api_url="http://127.0.0.1:8081"), live)
    assert application.bot.base_url == f"http://127.0.0.1:8081/bot{TOKEN}"
    assert application.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{TOKEN}"
    default = build_application(replace(settings, api_url=None), live)
    assert default.bot.base_url.startswith("https://api.telegram.org/bot")
