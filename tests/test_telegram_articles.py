"""Admins add articles by link or file and remove them, through the real Application and the
fake Bot API; the pages come from a Vietnamese news site on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.core.live import LiveEngine
from bot.telegram_bot import texts
from bot.telegram_bot.runner import build_live_engine
from tests.conftest import SEED
from tests.fake_bot_api import (
    TOKEN,
    Call,
    FakeBotApi,
    check_telegram_html,
    group_chat,
    make_user,
    private_chat,
)
from tests.news_site import (
    BRIDGE,
    BUSES,
    FESTIVAL,
    LISTING_PAGE,
    NewsArticle,
    NewsSite,
    old_table_page,
    provincial_page,
    to_cp1258,
)
from tests.test_ingest_extract import FONT, make_docx, make_pdf
from tests.test_telegram_bot import replies_to, run_bot

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

ADMIN = make_user(1001, "Quản trị", username="quantri")
USER = make_user(2002, "Lan", username="lan")
SEED_TITLE = "Tăng cường công tác bảo đảm an toàn thông tin mạng"


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as news:
        yield news


@pytest.fixture
def settings(knowledge_copy: Path, server: FakeBotApi) -> Settings:
    return Settings(
        knowledge_dir=knowledge_copy,
        admin_ids=frozenset({ADMIN["id"]}),
        api_url=server.api_url,
        token=TOKEN,
        log_db=None,
        fetch_allow_private=True,  # the news site is on loopback
        fetch_timeout=2,
        fetch_max_bytes=1_000_000,
    )


@pytest.fixture
def live(settings: Settings) -> LiveEngine:
    return build_live_engine(settings)


async def outcome(server: FakeBotApi, message: dict[str, Any]) -> str:
    """The final text of the status message the bot posted in answer to `message`."""
    [status] = await server.wait_for("sendMessage", replies_to(message), timeout=20)
    status_id = status.result["message_id"]
    [done] = await server.wait_for(
        "editMessageText",
        lambda c: c.get("message_id") == status_id and not c["text"].startswith("⏳"),
        timeout=20,
    )
    return check_telegram_html(done["text"]) if "<" in done["text"] else done["text"]


async def answer(server: FakeBotApi, user: dict[str, Any], question: str) -> Call:
    message = server.send_text(private_chat(user), user, question)
    [call] = await server.wait_for("sendMessage", replies_to(message))
    return call


def suggested_question(text: str) -> str:
    match = re.search(r"Thử hỏi: (.+)", text)
    assert match, text
    return match.group(1).strip()


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def assert_answered_from(call: Call, article: NewsArticle, url: str | None) -> None:
    plain = check_telegram_html(call["text"])
    assert f"«{article.title}»" in plain, plain
    if url is not None:
        assert f'<a href="{url}">' in call["text"]


# --- Adding ------------------------------------------------------------------------------------


def test_admin_adds_an_article_by_link_and_it_is_answered_with_title_and_link(
    settings: Settings, live: LiveEngine, server: FakeBotApi, site: NewsSite
) -> None:
    url = site.page("/kinh-te/khanh-thanh-cau-rach-mieu-2.html", provincial_page(BRIDGE))
    chat = private_chat(ADMIN)

    async def scenario(server: FakeBotApi) -> None:
        text = await outcome(server, server.send_text(chat, ADMIN, f"/them {url}"))
        assert f"Đã thêm bài «{BRIDGE.title}»" in text
        assert f"📅 {BRIDGE.date} · 5 đoạn · ✍️ {BRIDGE.author}" in text
        assert "Đã nạp lại kho: 2 bài viết" in text
        example = suggested_question(text)

        # The question offered is answered from the article; so is a question of one's own.
        assert_answered_from(await answer(server, USER, example), BRIDGE, url)
        call = await answer(server, USER, BRIDGE.question)
        assert_answered_from(call, BRIDGE, url)
        assert BRIDGE.answer in check_telegram_html(call["text"])

        # /add, the same link shared from Zalo: the article is updated, not copied.
        again = await outcome(server, server.send_text(chat, ADMIN, f"/add {url}?zarsrc=30"))
        assert "Đã cập nhật bài" in again and "Đã nạp lại kho: 2 bài viết" in again

        # /sources numbers the articles and links the new one.
        server.send_text(chat, ADMIN, "/sources")
        [listing] = await server.wait_for("sendMessage", lambda c: "Kho có" in c["text"])
        assert f"2. <b>{BRIDGE.title}</b>" in listing["text"]
        assert f'<a href="{url}">' in listing["text"]

    run_bot(settings, live, server, scenario)
    assert len([name for name in files(settings.knowledge_dir) if name.endswith(".md")]) == 1


def test_a_windows_1258_page_is_added_and_the_admin_told(
    settings: Settings, live: LiveEngine, server: FakeBotApi, site: NewsSite
) -> None:
    url = site.page(
        "/tin/le-hoi-dua.htm",
        to_cp1258(old_table_page(FESTIVAL, charset=None)),
        content_type="text/html",
    )

    async def scenario(server: FakeBotApi) -> None:
        text = await outcome(server, server.send_text(private_chat(ADMIN), ADMIN, f"/them {url}"))
        assert "Đã thêm bài" in text and "Windows-1258; đã chuyển sang Unicode" in text
        call = await answer(server, USER, FESTIVAL.question)
        assert_answered_from(call, FESTIVAL, url)
        assert FESTIVAL.answer in check_telegram_html(call["text"])

    run_bot(settings, live, server, scenario)


def test_admin_sends_a_word_file_a_pdf_and_a_saved_page(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    chat = private_chat(ADMIN)
    uploads = [("Lễ hội Dừa.docx", make_docx(FESTIVAL), FESTIVAL)]
    if FONT.exists():  # the PDF needs a Unicode font for its text layer
        uploads.append(("xe-buyt-dien.pdf", make_pdf(BUSES), BUSES))
    saved = provincial_page(BRIDGE, url="https://baodongkhoi.example/tin/cau.html")
    uploads.append(("Khánh thành cầu.html", saved.encode(), BRIDGE))

    async def scenario(server: FakeBotApi) -> None:
        for count, (name, data, article) in enumerate(uploads, start=2):
            message = server.send_document(
                chat, ADMIN, name, data, mime_type="application/octet-stream"
            )
            text = await outcome(server, message)
            assert f"Đã thêm bài «{article.title}»" in text, text
            assert f"Đã nạp lại kho: {count} bài viết" in text
            assert_answered_from(
                await answer(server, USER, suggested_question(text)), article, None
            )
        call = await answer(server, USER, BRIDGE.question)
        assert_answered_from(call, BRIDGE, "https://baodongkhoi.example/tin/cau.html")

    run_bot(settings, live, server, scenario)


def test_a_word_file_dropped_into_the_folder_is_read_on_reload(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    (settings.knowledge_dir / "le-hoi-dua.docx").write_bytes(make_docx(FESTIVAL))

    async def scenario(server: FakeBotApi) -> None:
        server.send_text(private_chat(ADMIN), ADMIN, "/reload")
        [done] = await server.wait_for("editMessageText", timeout=20)
        assert "2 bài viết" in check_telegram_html(done["text"])
        call = await answer(server, USER, FESTIVAL.question)
        assert_answered_from(call, FESTIVAL, None)

    run_bot(settings, live, server, scenario)
    assert files(settings.knowledge_dir) == sorted([SEED.name, "le-hoi-dua.md"])
    assert (settings.knowledge_dir / ".originals" / "le-hoi-dua.docx").exists()


def test_anyone_but_an_admin_is_refused_and_nothing_is_fetched(
    settings: Settings, live: LiveEngine, server: FakeBotApi, site: NewsSite
) -> None:
    url = site.page("/tin/cau.html", provincial_page(BRIDGE))
    chat = private_chat(USER)

    async def scenario(server: FakeBotApi) -> None:
        for command in (f"/them {url}", f"/add {url}", "/xoa 1", "/remove 1"):
            message = server.send_text(chat, USER, command)
            [refusal] = await server.wait_for(
                "sendMessage",
                lambda c, m=message: (
                    c.get("chat_id") == USER["id"] and c.result["message_id"] > m["message_id"]
                ),
            )
            assert refusal["text"] == texts.ADMIN_ONLY
        message = server.send_document(chat, USER, "bai.docx", make_docx(FESTIVAL))
        [refusal] = await server.wait_for("sendMessage", replies_to(message))
        assert refusal["text"] == texts.UPLOAD_REFUSED
        group = group_chat(-100200, "Tòa soạn")
        message = server.send_text(group, ADMIN, f"/them {url}")
        [refusal] = await server.wait_for("sendMessage", replies_to(message))
        assert refusal["text"] == texts.ADMIN_PRIVATE_ONLY

    run_bot(settings, live, server, scenario)
    assert site.requests == [] and server.calls_to("getFile") == []
    assert files(settings.knowledge_dir) == [SEED.name]


# --- Bad input --------------------------------------------------------------------------------


def test_each_bad_link_gets_its_reason_and_the_index_stays_as_it_was(
    settings: Settings, live: LiveEngine, server: FakeBotApi, site: NewsSite
) -> None:
    site.redirect("/vong-a", "/vong-b")
    site.redirect("/vong-b", "/vong-a")
    russian = (
        "<html><body><h1>Новости</h1><p>Сегодня в провинции открыли новый мост через "
        "реку, который соединил два берега и сократил путь.</p></body></html>"
    )
    bad = [
        (site.page("/thoi-su", LISTING_PAGE), "không tìm thấy bài viết"),
        (site.huge("/video.html", 50_000_000, declare_length=True), "lớn quá giới hạn"),
        (site.huge("/luong.html", 50_000_000, declare_length=False), "lớn quá giới hạn"),
        (site.silent("/cham.html", 30), "quá chậm (quá 2 giây)"),
        (site.drip("/nho-giot.html"), "quá chậm"),
        (site.url("/vong-a"), "chuyển hướng vòng quanh"),
        (
            site.page("/nga.html", russian.encode("cp1251"), content_type="text/html"),
            "bảng mã không phải UTF-8, Windows-1258, VNI hay TCVN3",
        ),
        (site.url("/khong-co.html"), "lỗi 404"),
        (site.page("/anh.jpg", b"\xff\xd8\xff\xe0JFIF", content_type="image/jpeg"), "image/jpeg"),
        ("ftp://baodongkhoi.example/bai.html", "không phải đường dẫn http"),
    ]
    chat = private_chat(ADMIN)
    before = live.engine

    async def scenario(server: FakeBotApi) -> None:
        for url, reason in bad:
            message = server.send_text(chat, ADMIN, f"/them {url}")
            if url.startswith("ftp"):
                [reply] = await server.wait_for(
                    "sendMessage",
                    lambda c: (
                        "http" in c["text"]
                        and c.get("chat_id") == ADMIN["id"]
                        and "không phải" in c["text"]
                    ),
                )
                assert reason in reply["text"]
                continue
            text = await outcome(server, message)
            assert text.startswith("❌ Không thêm được bài:"), text
            assert reason in text, text
            assert "Kho bài viết không thay đổi" in text
        assert "Traceback" not in " ".join(c["text"] for c in server.calls_to("editMessageText"))
        assert live.engine is before  # never reloaded
        call = await answer(server, USER, "ai chu tri hoi nghi")
        assert SEED_TITLE in check_telegram_html(call["text"])

    run_bot(settings, live, server, scenario)
    assert files(settings.knowledge_dir) == [SEED.name]
    assert not (settings.knowledge_dir / ".trash").exists()


def test_bad_files_get_their_reason_and_the_index_stays_as_it_was(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    bad = [
        ("hong.docx", b"PK\x03\x04 hong", "không phải tệp Word"),
        ("trang-chu.html", LISTING_PAGE.encode(), "không tìm thấy bài viết"),
        ("rong.pdf", b"%PDF-1.4 hong", "PDF bị hỏng"),
    ]
    if FONT.exists():
        bad.append(("ban-chup.pdf", make_pdf(None), "không có lớp chữ"))
    chat = private_chat(ADMIN)
    before = live.engine

    async def scenario(server: FakeBotApi) -> None:
        for name, data, reason in bad:
            text = await outcome(server, server.send_document(chat, ADMIN, name, data))
            assert text.startswith("❌ Không thêm được bài:") and reason in text, text
        big = server.send_document(chat, ADMIN, "lon.pdf", b"%PDF", file_size=50_000_000)
        [refusal] = await server.wait_for("sendMessage", replies_to(big))
        assert "lớn quá giới hạn 1.000.000 byte" in refusal["text"]
        assert live.engine is before

    run_bot(settings, live, server, scenario)
    assert files(settings.knowledge_dir) == [SEED.name]


def test_a_link_into_the_bots_own_network_is_refused(
    settings: Settings, server: FakeBotApi, site: NewsSite
) -> None:
    settings = replace(settings, fetch_allow_private=False)
    live = build_live_engine(settings)
    site.page("/admin", provincial_page(BRIDGE))
    links = [
        site.url("/admin"),
        site.url("/admin", host="localhost"),
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/",
        "http://10.0.0.1/",
    ]

    async def scenario(server: FakeBotApi) -> None:
        for url in links:
            text = await outcome(
                server, server.send_text(private_chat(ADMIN), ADMIN, f"/them {url}")
            )
            assert "địa chỉ nội bộ" in text and "Kho bài viết không thay đổi" in text, text

    run_bot(settings, live, server, scenario)
    assert site.requests == []
    assert files(settings.knowledge_dir) == [SEED.name]


# --- Removing ---------------------------------------------------------------------------------


def test_remove_asks_first_then_removes_and_keeps_the_file_recoverable(
    settings: Settings, server: FakeBotApi
) -> None:
    folder = settings.knowledge_dir
    (folder / "le-hoi-dua.md").write_text(
        f"---\ntitle: {FESTIVAL.title}\nurl: https://baodongkhoi.example/le-hoi-dua.html\n"
        "---\n" + "\n\n".join(FESTIVAL.paragraphs) + "\n",
        encoding="utf-8",
    )
    live = build_live_engine(settings)
    number = [a.file for a in live.engine.articles].index("le-hoi-dua.md") + 1
    chat = private_chat(ADMIN)

    async def confirmation(command: str) -> Call:
        message = server.send_text(chat, ADMIN, command)
        [call] = await server.wait_for(
            "sendMessage",
            lambda c: (
                c.get("chat_id") == ADMIN["id"] and c.result["message_id"] > message["message_id"]
            ),
        )
        return call

    def data_of(call: Call, label: str) -> str:
        markup = call.get("reply_markup") or {}
        return next(
            b["callback_data"]
            for row in markup["inline_keyboard"]
            for b in row
            if b["text"] == label
        )

    async def scenario(server: FakeBotApi) -> None:
        asked = await confirmation(f"/xoa {number}")
        assert f"Xóa bài số {number}: <b>«{FESTIVAL.title}»</b>" in asked["text"]

        # Cancel: nothing removed.
        server.press_button(ADMIN, data_of(asked, texts.BUTTON_CANCEL), message=asked.result)
        [cancelled] = await server.wait_for("editMessageText")
        assert cancelled["text"] == texts.REMOVE_CANCELLED
        assert "le-hoi-dua.md" in files(folder)

        # Someone else pressing the button removes nothing.
        asked = await confirmation(f"/remove {number}")
        remove = data_of(asked, texts.BUTTON_REMOVE)
        pressed = server.press_button(USER, remove, message=asked.result)
        [refused] = await server.wait_for(
            "answerCallbackQuery", lambda c: c["callback_query_id"] == pressed
        )
        assert refused["text"] == texts.ADMIN_ONLY and "le-hoi-dua.md" in files(folder)

        # Confirmed: removed, reloaded, no longer answered.
        server.press_button(ADMIN, remove, message=asked.result)
        [done] = await server.wait_for(
            "editMessageText", lambda c: "Đã xóa bài" in c.get("text", ""), timeout=20
        )
        plain = check_telegram_html(done["text"])
        assert f"Đã xóa bài «{FESTIVAL.title}»" in plain and "1 bài viết" in plain
        call = await answer(server, USER, FESTIVAL.question)
        assert FESTIVAL.title not in call["text"]

        # The same button again: that article is gone.
        pressed = server.press_button(ADMIN, remove, message=asked.result)
        [gone] = await server.wait_for(
            "answerCallbackQuery", lambda c: c["callback_query_id"] == pressed
        )
        assert gone["text"] == texts.REMOVE_GONE

        # The last article stays; numbers outside the list are explained.
        asked = await confirmation("/xoa 1")
        pressed = server.press_button(
            ADMIN, data_of(asked, texts.BUTTON_REMOVE), message=asked.result
        )
        [last] = await server.wait_for(
            "answerCallbackQuery", lambda c: c["callback_query_id"] == pressed
        )
        assert last["text"] == texts.REMOVE_LAST
        assert (await confirmation("/xoa 7"))["text"] == texts.REMOVE_NO_SUCH.format(
            number=7, count=1
        )
        assert (await confirmation("/xoa"))["text"] == texts.REMOVE_USAGE

    run_bot(settings, live, server, scenario)
    assert files(folder) == [SEED.name]
    [kept] = (folder / ".trash").iterdir()
    assert kept.name.endswith("-le-hoi-dua.md")


def test_the_admin_menu_offers_adding_and_removing(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    async def scenario(server: FakeBotApi) -> None:
        await server.wait_for("getUpdates")
        admin_menu = next(
            c for c in server.calls_to("setMyCommands") if c["scope"].get("chat_id") == ADMIN["id"]
        )
        names = [item["command"] for item in admin_menu["commands"]]
        assert {"them", "xoa"} <= set(names) and names[-1] == "reload"
        public = next(
            c for c in server.calls_to("setMyCommands") if c["scope"]["type"] == "default"
        )
        assert "them" not in [item["command"] for item in public["commands"]]

    run_bot(settings, live, server, scenario)
