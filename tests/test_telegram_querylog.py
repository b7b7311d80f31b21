"""End to end: the question log, 👍/👎 votes and admin reports, through the fake Bot API server."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.core.live import LiveEngine
from bot.querylog import DAY, Entry, QuestionLog
from bot.telegram_bot import texts
from bot.telegram_bot.app import build_application
from bot.telegram_bot.runner import build_live_engine
from tests.fake_bot_api import (
    TOKEN,
    Call,
    FakeBotApi,
    check_telegram_html,
    group_chat,
    polling,
    private_chat,
)
from tests.test_telegram_bot import ADMIN, OTHER, SEED_TITLE, USER, Scenario, ask, buttons

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

SEED_FILE = "000_796d2ca824a9a6ee.txt"


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def settings(knowledge_copy: Path, server: FakeBotApi, tmp_path: Path) -> Settings:
    return Settings(
        knowledge_dir=knowledge_copy,
        admin_ids=frozenset({ADMIN["id"]}),
        api_url=server.api_url,
        token=TOKEN,
        log_db=tmp_path / "log" / "questions.sqlite3",
        inline_results=5,
    )


@pytest.fixture
def live(settings: Settings) -> LiveEngine:
    return build_live_engine(settings)


def run_bot(
    settings: Settings,
    live: LiveEngine,
    server: FakeBotApi,
    scenario: Scenario,
    question_log: QuestionLog | None = None,
) -> None:
    async def main() -> None:
        application = build_application(settings, live, question_log=question_log)
        try:
            async with polling(application):
                await scenario(server)
        finally:
            await application.post_shutdown(application)  # closes the log, as run_polling does

    asyncio.run(asyncio.wait_for(main(), timeout=40))


def logged(path: Path, table: str = "questions") -> list[dict[str, Any]]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return [
            dict(r)
            for r in connection.execute(
                f"SELECT * FROM {table} ORDER BY id"
                if table == "questions"
                else f"SELECT * FROM {table}"
            )
        ]
    finally:
        connection.close()


def vote_data(call: Call) -> dict[str, str]:
    return {
        b["text"]: b["callback_data"]
        for b in buttons(call)
        if b["text"] in (texts.BUTTON_VOTE_UP, texts.BUTTON_VOTE_DOWN)
    }


async def press(
    server: FakeBotApi, user: dict[str, Any], data: str, message: dict[str, Any]
) -> Call:
    pressed = server.press_button(user, data, message=message)
    [answer] = await server.wait_for(
        "answerCallbackQuery", lambda c: c["callback_query_id"] == pressed
    )
    return answer


async def report(server: FakeBotApi, chat: dict[str, Any], user: dict[str, Any], text: str) -> str:
    """Send a command and return the text of the next message the bot sends to that chat."""
    before = len(server.calls_to("sendMessage"))
    server.send_text(chat, user, text)
    calls = await server.wait_for("sendMessage", count=before + 1)
    reply = calls[before]
    assert reply["chat_id"] == chat["id"]
    return str(reply["text"])


# --- What is logged ---------------------------------------------------------------------------


def test_private_group_and_inline_questions_are_logged(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    group = group_chat(-100201, "Nhóm đọc báo")

    async def scenario(server: FakeBotApi) -> None:
        await ask(server, private_chat(USER), USER, "  Ai CHỦ TRÌ hội nghị?? ")
        await ask(server, group, OTHER, "/ask Giá vàng hôm nay bao nhiêu?")
        await ask(server, group, USER, "@TinTucHoiDapBot bài này của tác giả nào?")
        await ask(server, private_chat(USER), USER, "xin chào")  # a greeting, not a question
        # Inline: typed in steps; one row per typing burst, holding the final text.
        for partial in ("an", "an toàn", "an toàn thông tin mạng"):
            query_id = server.inline_query(USER, partial)
            await server.wait_for(
                "answerInlineQuery", lambda c, q=query_id: c["inline_query_id"] == q
            )
        query_id = server.inline_query(OTHER, "Giá vàng?")
        await server.wait_for("answerInlineQuery", lambda c: c["inline_query_id"] == query_id)

    run_bot(settings, live, server, scenario)
    rows = logged(settings.log_db)
    assert [(r["chat_type"], r["question"], r["found"], r["kind"]) for r in rows] == [
        ("private", "ai chủ trì hội nghị", 1, "found"),
        ("group", "giá vàng hôm nay bao nhiêu", 0, "not_found"),
        ("group", "bài này của tác giả nào", 1, "metadata"),
        ("inline", "an toàn thông tin mạng", 1, "found"),
        ("inline", "giá vàng", 0, "not_found"),
    ]
    found, refused, metadata, inline, _ = rows
    assert (found["article_title"], found["article_file"], found["paragraph"]) == (
        SEED_TITLE,
        SEED_FILE,
        1,
    )
    assert 0.5 < found["score"] <= 1.0 and found["latency_ms"] > 0  # the answer's probability
    assert refused["article_file"] is None and refused["paragraph"] is None
    assert refused["score"] < 0.5 and refused["latency_ms"] > 0
    assert metadata["article_file"] == SEED_FILE and metadata["paragraph"] is None
    assert inline["article_file"] == SEED_FILE and inline["paragraph"] == 2
    assert all(abs(r["asked_at"] - time.time()) < 60 for r in rows)
    # Privacy by default: no ids anywhere.
    assert all(r["user_id"] is None and r["chat_id"] is None for r in rows)


def test_user_and_chat_ids_are_kept_only_when_enabled(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    settings = replace(settings, log_user_ids=True)
    group = group_chat(-100202)

    async def scenario(server: FakeBotApi) -> None:
        _, call = await ask(server, group, USER, "/ask Ai chủ trì hội nghị?")
        await press(server, OTHER, vote_data(call)[texts.BUTTON_VOTE_UP], call.result)

    run_bot(settings, live, server, scenario)
    [row] = logged(settings.log_db)
    assert (row["user_id"], row["chat_id"]) == (USER["id"], group["id"])
    [vote] = logged(settings.log_db, "votes")
    assert vote["user_id"] == OTHER["id"]


# --- Votes --------------------------------------------------------------------------------------


def test_vote_buttons_record_and_change_a_vote(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    chat = private_chat(USER)

    async def scenario(server: FakeBotApi) -> None:
        _, call = await ask(server, chat, USER, "an toàn thông tin mạng")
        check_telegram_html(call["text"])
        rows = [[b["text"] for b in row] for row in call["reply_markup"]["inline_keyboard"]]
        assert rows == [
            [texts.BUTTON_FULL_PARAGRAPH, texts.BUTTON_NEXT_PASSAGE],
            [texts.BUTTON_VOTE_UP, texts.BUTTON_VOTE_DOWN],
        ]
        votes = vote_data(call)
        assert all(len(d.encode()) <= 64 for d in votes.values())
        message = call.result

        up = await press(server, USER, votes[texts.BUTTON_VOTE_UP], message)
        assert up["text"] == texts.VOTE_THANKS.format(emoji="👍")
        again = await press(server, USER, votes[texts.BUTTON_VOTE_UP], message)
        assert again["text"] == texts.VOTE_SAME.format(emoji="👍")
        down = await press(server, USER, votes[texts.BUTTON_VOTE_DOWN], message)
        assert down["text"] == texts.VOTE_CHANGED.format(emoji="👎")
        other = await press(server, OTHER, votes[texts.BUTTON_VOTE_UP], message)
        assert other["text"] == texts.VOTE_THANKS.format(emoji="👍")
        assert server.calls_to("editMessageText") == []  # a vote never edits the answer

        # "Cả đoạn" and "Đoạn khác" keep the vote buttons.
        keyboard = {b["text"]: b["callback_data"] for b in buttons(call)}
        await press(server, USER, keyboard[texts.BUTTON_FULL_PARAGRAPH], message)
        [full] = await server.wait_for("editMessageText")
        check_telegram_html(full["text"])
        assert vote_data(full) == votes
        await press(server, USER, keyboard[texts.BUTTON_NEXT_PASSAGE], message)
        edits = await server.wait_for("editMessageText", count=2)
        assert vote_data(edits[1]) == votes
        assert texts.BUTTON_NEXT_PASSAGE in [b["text"] for b in buttons(edits[1])]

        # No vote buttons under a refusal; a forged vote is answered politely.
        _, refused = await ask(server, chat, USER, "Giá vàng hôm nay bao nhiêu?")
        assert refused.get("reply_markup") is None
        gone = await press(server, USER, "v:+:99999", message)
        assert gone["text"] == texts.VOTE_FAILED

    run_bot(settings, live, server, scenario)
    [question, _refusal] = logged(settings.log_db)
    votes = sorted(v["value"] for v in logged(settings.log_db, "votes"))
    assert votes == [-1, 1]  # USER's changed vote and OTHER's
    assert {v["question_id"] for v in logged(settings.log_db, "votes")} == {question["id"]}


# --- Reports ------------------------------------------------------------------------------------


def test_admin_reports_show_the_right_numbers(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    admin_chat = private_chat(ADMIN)
    group = group_chat(-100203)

    async def scenario(server: FakeBotApi) -> None:
        await ask(server, private_chat(USER), USER, "Giá vàng hôm nay bao nhiêu?")
        await ask(server, group, OTHER, "/ask Ai là thủ tướng Nhật Bản?")
        await ask(server, private_chat(OTHER), OTHER, "GIÁ VÀNG hôm nay bao nhiêu")
        _, first = await ask(server, private_chat(USER), USER, "Ai chủ trì hội nghị?")
        _, second = await ask(server, group, OTHER, "/ask ai chủ trì hội nghị")
        await press(server, USER, vote_data(first)[texts.BUTTON_VOTE_UP], first.result)
        await press(server, OTHER, vote_data(second)[texts.BUTTON_VOTE_UP], second.result)
        await press(server, USER, vote_data(second)[texts.BUTTON_VOTE_DOWN], second.result)

        unanswered = await report(server, admin_chat, ADMIN, "/unanswered")
        plain = check_telegram_html(unanswered)
        lines = plain.splitlines()
        assert "30 ngày" in lines[0]
        assert lines[1].startswith("1. giá vàng hôm nay bao nhiêu — 2 lần, lần cuối ")
        assert lines[2].startswith("2. ai là thủ tướng nhật bản — 1 lần, lần cuối ")
        assert len(lines) == 3

        stats = check_telegram_html(await report(server, admin_chat, ADMIN, "/stats 7"))
        today = datetime.now().strftime("%d/%m/%Y")
        assert "Thống kê 7 ngày qua" in stats
        assert "Câu hỏi: 5, trả lời được 2 (40%)" in stats
        assert "Góp ý: 👍 2, 👎 1 (67% 👍)" in stats
        assert f"1. «{SEED_TITLE}» — 2 lần" in stats
        assert f"{today}: 5 / 2" in stats
        # Beside the figures, the picture: questions per day and the answer rate, a PNG photo.
        [photo] = await server.wait_for("sendPhoto")
        assert photo["chat_id"] == ADMIN["id"]
        assert photo["caption"] == texts.STATS_CHART_CAPTION.format(days=7)
        assert photo.files["photo"].startswith(b"\x89PNG\r\n\x1a\n")
        assert photo.file_names["photo"].endswith(".png")

        bad = await report(server, admin_chat, ADMIN, "/stats bảy")
        assert bad == texts.REPORT_BAD_DAYS.format(max_days=3650, command="stats")

        server.send_text(admin_chat, ADMIN, "/export")
        [document] = await server.wait_for("sendDocument")
        assert document["chat_id"] == ADMIN["id"]
        assert document["caption"] == texts.EXPORT_CAPTION.format(days=30, count=5)
        data = document.files["document"]
        assert document.file_names["document"].startswith("nhat-ky-cau-hoi-")
        assert document.file_names["document"].endswith(".csv")
        assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads Vietnamese
        table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert table[0][:4] == ["mã", "thời điểm", "loại chat", "câu hỏi"]
        assert [row[3] for row in table[1:]] == [
            "giá vàng hôm nay bao nhiêu",
            "ai là thủ tướng nhật bản",
            "giá vàng hôm nay bao nhiêu",
            "ai chủ trì hội nghị",
            "ai chủ trì hội nghị",
        ]
        assert [(row[11], row[12]) for row in table[1:]][-2:] == [("1", "0"), ("1", "1")]

    run_bot(settings, live, server, scenario)


def test_reports_are_for_admins_in_private_chats_only(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    group = group_chat(-100204)

    async def scenario(server: FakeBotApi) -> None:
        for text in ("/unanswered", "/stats", "/export 7"):
            assert await report(server, private_chat(USER), USER, text) == texts.ADMIN_ONLY
            assert await report(server, group, USER, text) == texts.ADMIN_ONLY
            assert await report(server, group, ADMIN, text) == texts.REPORT_PRIVATE_ONLY
        assert server.calls_to("sendDocument") == []
        menus = {
            (c["scope"]["type"], c.get("language_code")): [i["command"] for i in c["commands"]]
            for c in server.calls_to("setMyCommands")
        }
        for scope in (("chat", None), ("chat", "en")):
            assert {"unanswered", "stats", "export"} <= set(menus[scope])
        assert not {"unanswered", "stats", "export"} & set(menus[("default", None)])

    run_bot(settings, live, server, scenario)


def test_retention_deletes_old_questions_at_start(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    settings = replace(settings, log_retention_days=30)
    clock_now = [time.time() - 45 * DAY]
    old_log = QuestionLog(settings.log_db, clock=lambda: clock_now[0])
    old_log.record(Entry("private", "câu hỏi cũ", False, "not_found", None, None, None, 0.1, 5))
    clock_now[0] = time.time() - 10 * DAY
    old_log.record(
        Entry("private", "câu hỏi gần đây", False, "not_found", None, None, None, 0.1, 5)
    )
    old_log.close()

    async def scenario(server: FakeBotApi) -> None:
        text = check_telegram_html(
            await report(server, private_chat(ADMIN), ADMIN, "/unanswered 90")
        )
        assert "câu hỏi gần đây" in text and "câu hỏi cũ" not in text

    run_bot(settings, live, server, scenario)
    assert [r["question"] for r in logged(settings.log_db)] == ["câu hỏi gần đây"]


# --- A log that cannot be written never stops the answers --------------------------------------


def test_read_only_database_still_answers(
    settings: Settings, live: LiveEngine, server: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    QuestionLog(settings.log_db).close()
    os.chmod(settings.log_db, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)

    async def scenario(server: FakeBotApi) -> None:
        _, call = await ask(server, private_chat(USER), USER, "Ai chủ trì hội nghị?")
        assert "<b>Người chủ trì:</b> Nguyễn Quốc Bảo" in call["text"]
        assert vote_data(call) == {}  # nothing logged, so nothing to vote on
        _, group_call = await ask(server, group_chat(-100205), USER, "/ask ai chu tri hoi nghi")
        assert "chủ trì hội nghị" in group_call["text"]
        query_id = server.inline_query(USER, "an toàn thông tin mạng")
        [inline] = await server.wait_for(
            "answerInlineQuery", lambda c: c["inline_query_id"] == query_id
        )
        assert inline["results"]
        stats = await report(server, private_chat(ADMIN), ADMIN, "/stats")
        assert "Chưa có câu hỏi nào" in stats  # reports still read it

    try:
        with caplog.at_level(logging.WARNING, logger="bot"):
            run_bot(settings, live, server, scenario)
    finally:
        os.chmod(settings.log_db, stat.S_IRUSR | stat.S_IWUSR)
    assert "read-only" in caplog.text
    assert logged(settings.log_db) == []


def test_locked_or_unopenable_database_still_answers(
    settings: Settings, live: LiveEngine, server: FakeBotApi, tmp_path: Path
) -> None:
    question_log = QuestionLog(settings.log_db, busy_timeout=0.2)
    blocker = sqlite3.connect(settings.log_db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock

    async def scenario(server: FakeBotApi) -> None:
        _, call = await ask(server, private_chat(USER), USER, "Ai chủ trì hội nghị?")
        assert "<b>Người chủ trì:</b> Nguyễn Quốc Bảo" in call["text"] and vote_data(call) == {}
        blocker.execute("ROLLBACK")
        _, call = await ask(server, private_chat(USER), USER, "ai chu tri hoi nghi")
        assert vote_data(call)  # logged again once the lock is gone

    try:
        run_bot(settings, live, server, scenario, question_log=question_log)
    finally:
        blocker.close()
    # The question the lock kept out was held in memory and written after the next one.
    questions = [r["question"] for r in logged(settings.log_db)]
    assert sorted(questions) == ["ai chu tri hoi nghi", "ai chủ trì hội nghị"]

    # A path that cannot be a database (its folder is a file): the log is off, answers go on.
    (tmp_path / "not-a-folder").write_text("x")
    broken = replace(settings, log_db=tmp_path / "not-a-folder" / "q.sqlite3")

    async def still_answers(server: FakeBotApi) -> None:
        _, call = await ask(server, private_chat(USER), USER, "Ai chủ trì hội nghị?")
        assert "chủ trì hội nghị" in call["text"]
        assert await report(server, private_chat(ADMIN), ADMIN, "/stats") == (texts.REPORT_LOG_OFF)

    run_bot(broken, live, server, still_answers)
