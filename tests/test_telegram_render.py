"""The pieces of the Telegram layer that need no server: HTML, buttons, file names."""

from __future__ import annotations

import datetime as dtm
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Chat, InlineKeyboardButton, Message, MessageEntity

from bot.core.engine import Engine
from bot.core.model import Answer, AnswerKind, Article, Source
from bot.telegram_bot import answers, render, texts
from bot.telegram_bot.keyboards import (
    FullParagraph,
    NextPassage,
    answer_keyboard,
    buttons_except,
    parse_callback,
    question_id,
)
from bot.telegram_bot.messages import question_text
from bot.telegram_bot.state import AnswerMemory
from bot.telegram_bot.upload import safe_file_name, save_new_file, upload_suffix
from tests.fake_bot_api import check_telegram_html, decode_body, entities_for

SOURCE = Source(
    'Tiêu đề <b> & "x"',
    "27/02/2014 - 17:20",
    "Quốc Hùng",
    'https://example.org/a?b=1&c="2"',
    3,
    "a.txt",
)


# --- HTML ---------------------------------------------------------------------------------------


def test_highlight_bolds_the_matched_phrase_and_escapes() -> None:
    text = "Đồng chí A <b>chủ trì</b> hội nghị & an ninh; hội nghị kết thúc."
    out = answers.highlight(text, ["chủ", "trì", "hội", "nghị", "an"])
    check_telegram_html(out)
    assert "&lt;b&gt;" in out and "&amp;" in out
    assert out.count("<b>hội nghị</b>") == 2
    assert "<b>an</b>" not in out  # a lone syllable when phrases matched
    assert answers.highlight("Hội Nghị lớn", ["hội", "nghị"]) == "<b>Hội Nghị</b> lớn"
    assert answers.highlight("hoà bình", ["hòa"]) == "<b>hoà</b> bình"  # either tone style
    assert answers.highlight("a < b", []) == "a &lt; b"


def test_source_line_escapes_and_links_only_web_addresses() -> None:
    line = answers.source_html(SOURCE)
    plain = check_telegram_html(line)
    assert '«Tiêu đề <b> & "x"»' in plain
    assert "27/02/2014 - 17:20" in plain and "đoạn 3" in plain and "tác giả Quốc Hùng" in plain
    assert 'href="https://example.org/a?b=1&amp;c=&quot;2&quot;"' in line
    bad = Source("T", None, None, "javascript:alert(1)", None, "a.txt")
    assert "href" not in answers.source_html(bad)


def test_long_quote_is_cut_to_fit_and_collapsed() -> None:
    quote = ("Tăng cường <bảo đảm> & an toàn thông tin mạng. " * 400).strip()
    out = answers.quote_html(quote, SOURCE, ["an", "toàn"])
    plain = check_telegram_html(out)
    assert render.size(out) <= render.MAX_MESSAGE
    assert out.startswith("<blockquote expandable>") and "</blockquote>\n📰 Nguồn:" in out
    assert render.ELLIPSIS in plain and "Quốc Hùng" in plain
    short = answers.quote_html("Ngắn gọn.", SOURCE)
    assert short.startswith("<blockquote>Ngắn gọn.</blockquote>")


def test_limit_is_measured_after_escaping() -> None:
    quote = "&" * 5000  # 5 characters each once escaped
    out = answers.quote_html(quote, None)
    assert render.size(out) <= render.MAX_MESSAGE
    assert out.count("&amp;") > 700


@settings(max_examples=60, deadline=None)
@given(
    st.text(min_size=0, max_size=6000),
    st.lists(st.text(min_size=1, max_size=8), max_size=5),
)
def test_any_quote_renders_to_valid_html_under_the_limit(quote: str, words: list[str]) -> None:
    out = answers.quote_html(quote, SOURCE, words)
    assert render.size(out) <= render.MAX_MESSAGE
    check_telegram_html(out)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=9000))
def test_any_plain_reply_is_escaped_under_the_limit(text: str) -> None:
    out = render.escaped(text)
    assert render.size(out) <= render.MAX_MESSAGE
    check_telegram_html(out)


def test_answers_by_kind(seed_engine: Engine) -> None:
    found = seed_engine.ask("Ai chủ trì hội nghị?")
    out = answers.answer_html(found, group=True)
    check_telegram_html(out)
    # The answer first, in one line; in the quote the answer is bold, not the question.
    assert out.startswith("<b>Người chủ trì:</b> Nguyễn Quốc Bảo, Huỳnh Văn Bưu\n<blockquote>")
    assert "<b>Đồng chí Nguyễn Quốc Bảo - Phó Bí thư Thường trực Tỉnh ủy</b>" in out
    assert "<b>chủ trì hội nghị</b>" not in out
    refused = seed_engine.ask("Giá vàng hôm nay bao nhiêu?")
    assert answers.answer_html(refused, group=True) == texts.NOT_FOUND_GROUP
    private = answers.answer_html(refused, group=False)
    assert "/sources" in private and len(private) < 300
    author = answers.answer_html(seed_engine.ask("Ai viết bài này?"), group=False)
    assert "Quốc Hùng" in check_telegram_html(author)
    greeting = answers.answer_html(seed_engine.ask("xin chào"), group=True)
    assert greeting == texts.ASK_HINT_GROUP
    which = Answer("?", AnswerKind.METADATA, None, None, 0.0, "Bạn hỏi bài <nào>?\n• A\n• B")
    assert answers.answer_html(which, group=False) == "Bạn hỏi bài &lt;nào&gt;?\n• A\n• B"
    assert answers.answer_html(which, group=True) == f"Bạn hỏi bài &lt;nào&gt;? {texts.SEE_SOURCES}"


def test_sources_are_split_under_the_limit() -> None:
    articles = [
        Article(
            f"{i}.txt",
            f"Bài số {i} " + "rất dài " * 30,
            "01/01/2024",
            "Tác giả",
            f"https://example.org/{i}",
            ("Đoạn.",),
        )
        for i in range(200)
    ]
    messages = render.sources_messages(articles)
    assert 1 < len(messages) <= 5
    for message in messages:
        check_telegram_html(message)
        assert render.size(message) <= render.MAX_MESSAGE
    assert "bài khác" in messages[-1]
    assert render.sources_messages(articles[:2])[0].startswith("📚 Kho có <b>2</b>")


# --- Buttons ------------------------------------------------------------------------------------


def test_callback_data_round_trips_and_fits() -> None:
    key = "13d150b1631f:12:3"
    markup = answer_keyboard(full_key=key, next_rank=4, question_id=question_id("câu hỏi"))
    assert markup is not None
    [row] = markup.inline_keyboard
    assert [b.text for b in row] == [texts.BUTTON_FULL_PARAGRAPH, texts.BUTTON_NEXT_PASSAGE]
    assert all(len(str(b.callback_data).encode()) <= 64 for b in row)
    assert parse_callback(str(row[0].callback_data)) == FullParagraph(key)
    assert parse_callback(str(row[1].callback_data)) == NextPassage(4, question_id("câu hỏi"))
    assert parse_callback("vote:up") is None and parse_callback(None) is None
    assert answer_keyboard() is None
    assert answer_keyboard(full_key="x" * 80) is None  # too long for Telegram: no button


def test_keyboard_takes_extra_buttons_for_later_features() -> None:
    votes = [
        InlineKeyboardButton("👍", callback_data="v:+"),
        InlineKeyboardButton("👎", callback_data="v:-"),
    ]
    markup = answer_keyboard(full_key="k:1:0", extra=votes)
    assert markup is not None
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [
        [texts.BUTTON_FULL_PARAGRAPH],
        ["👍", "👎"],
    ]
    assert [b.text for b in buttons_except(markup, "p", "n")] == ["👍", "👎"]


def test_answer_memory_is_bounded_and_keyed_by_message(seed_engine: Engine) -> None:
    answer = seed_engine.ask("Ai chủ trì hội nghị?")
    found = answers.alternatives_of(answer, seed_engine, question_id(answer.question))
    assert found is not None and found.hits == answer.hits[: answers.MAX_ALTERNATIVES]
    memory = AnswerMemory(capacity=2)
    for message_id in (1, 2, 3):
        memory.remember(-5, message_id, found)
    assert memory.get(-5, 1) is None and memory.get(-5, 3) is found and len(memory) == 2
    assert memory.get(-6, 3) is None  # the same message id in another chat
    assert len(question_id("x" * 1000)) == 8
    refused = seed_engine.ask("Giá vàng hôm nay bao nhiêu?")
    assert answers.alternatives_of(refused, seed_engine, "q") is None


def _message(text: str) -> Message:
    entities = [MessageEntity(e["type"], e["offset"], e["length"]) for e in entities_for(text)]
    return Message(
        1, dtm.datetime.now(dtm.UTC), Chat(-1, "supergroup"), text=text, entities=entities
    )


def test_question_text_drops_command_and_mention() -> None:
    assert question_text(_message("/ask@TinTucBot  Ai chủ trì?"), "TinTucBot") == "Ai chủ trì?"
    assert question_text(_message("@tintucbot ai chu tri"), "TinTucBot") == "ai chu tri"
    assert question_text(_message("Hỏi @TinTucBot: ai?"), "TinTucBot") == "Hỏi : ai?"
    assert question_text(_message("email a@TinTucBot.vn"), "TinTucBot") == "email a@TinTucBot.vn"


# --- Uploads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("bai-viet.txt", "bai-viet.txt"),
        ("Bài viết mới.MD", "Bai-viet-moi.md"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\win.txt", "win.txt"),
        ("/abs/path/Đà Nẵng.txt", "Da-Nang.txt"),
        (".hidden.txt", "hidden.txt"),
        ("...txt", "bai-viet.txt"),
        ("a  b--c__d.txt", "a-b-c-d.txt"),
        ("漢字.md", "bai-viet.md"),
    ],
)
def test_safe_file_names(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_only_txt_and_md_are_accepted() -> None:
    assert upload_suffix("x.TXT") == ".txt" and upload_suffix("x.md") == ".md"
    for bad in ("x.pdf", "x", "x.txt.exe", "x.md/"):
        assert upload_suffix(bad) is None
    with pytest.raises(ValueError):
        safe_file_name("x.exe")


def test_saving_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("cũ", encoding="utf-8")
    first = save_new_file(tmp_path, "a.txt", "mới".encode())
    second = save_new_file(tmp_path, "a.txt", "mới nữa".encode())
    assert (first.name, second.name) == ("a-1.txt", "a-2.txt")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "cũ"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-1.txt", "a-2.txt", "a.txt"]
    with pytest.raises(ValueError):
        save_new_file(tmp_path, "../b.txt", b"x")


# --- The fake server's body decoding ------------------------------------------------------------


def test_fake_server_decodes_json_form_and_multipart() -> None:
    params, _ = decode_body("application/json", b'{"chat_id": 5, "text": "123"}')
    assert params == {"chat_id": 5, "text": "123"}
    params, _ = decode_body(
        "application/x-www-form-urlencoded", b"chat_id=5&text=123&reply_markup=%7B%22a%22%3A1%7D"
    )
    assert params == {"chat_id": 5, "text": "123", "reply_markup": {"a": 1}}
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n5\r\n'
        b'--XX\r\nContent-Disposition: form-data; name="document"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nn\xe1\xbb\x99i dung\r\n--XX--\r\n"
    )
    params, files = decode_body("multipart/form-data; boundary=XX", body)
    assert params == {"chat_id": 5} and files == {"document": "nội dung".encode()}
