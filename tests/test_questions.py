"""What `understand()` makes of a question: its kind of answer, content words and names.

One row a rule: when a row fails, its id names the rule that broke.
"""

from __future__ import annotations

import pytest

from bot.core.answer_types import AnswerType
from bot.core.questions import MetaIntent, understand
from bot.core.text import Tokenizer

TOKENIZER = Tokenizer()


def _content(question: str) -> list[str]:
    return [
        " ".join(w.surface for w in unit.words) for unit in understand(question, TOKENIZER).content
    ]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        pytest.param("Hội nghị diễn ra khi nào?", AnswerType.WHEN, id="when-khi-nao"),
        pytest.param("Xe bị lật lúc mấy giờ?", AnswerType.WHEN, id="when-clock"),
        pytest.param("Thành Thanh Hóa thất thủ năm nào?", AnswerType.WHEN, id="when-nam-nao"),
        pytest.param("Nguyễn Quốc Bảo là ai?", AnswerType.ROLE, id="role-la-ai"),
        pytest.param("Ông Bưu giữ chức vụ gì?", AnswerType.ROLE, id="role-chuc-vu"),
        pytest.param("Ai chủ trì hội nghị?", AnswerType.WHO, id="who-ai"),
        pytest.param("Cơ quan nào tổ chức hội nghị?", AnswerType.WHO, id="who-co-quan-nao"),
        pytest.param("Có bao nhiêu đại biểu?", AnswerType.QUANTITY, id="quantity-bao-nhieu"),
        pytest.param("lop hoc may ngay", AnswerType.QUANTITY, id="quantity-may-unaccented"),
        pytest.param("BCĐ họp bao lâu một lần?", AnswerType.FREQUENCY, id="frequency"),
        pytest.param(
            "Hội nghị diễn ra trong thời gian bao lâu?",
            AnswerType.QUANTITY,
            id="duration-bao-lau-is-a-length-not-a-date",
        ),
        pytest.param("Chỉ thị 28 về vấn đề gì?", AnswerType.ABOUT, id="about"),
        pytest.param("Vì sao người dân còn ít dùng?", AnswerType.REASON, id="reason-vi-sao"),
        pytest.param("Hội nghị gồm những nhiệm vụ nào?", AnswerType.LIST, id="list-gom"),
        pytest.param(
            "Các hành khách được chở đến bệnh viện nào?",
            AnswerType.WHO,
            id="list-needs-the-plural-before-what-is-asked",
        ),
        pytest.param("VNCERT là gì?", AnswerType.DEFINITION, id="definition-short"),
        pytest.param(
            "Thế nào là chỉ thị mã nguồn?", AnswerType.DEFINITION, id="definition-the-nao-la"
        ),
        pytest.param("Malvik nằm ở đâu?", AnswerType.WHERE, id="where"),
        pytest.param("Hội nghị có ý nghĩa như thế nào?", AnswerType.OTHER, id="other"),
    ],
)
def test_the_kind_of_answer_asked_for(question: str, kind: AnswerType) -> None:
    assert understand(question, TOKENIZER).answer_type is kind


@pytest.mark.parametrize(
    ("question", "content"),
    [
        pytest.param("Ai chủ trì hội nghị?", ["chủ", "trì", "hội nghị"], id="synonym-phrase-unit"),
        pytest.param(
            "Bộ tư lệnh Tác chiến không gian mạng có bao nhiêu quân nhân?",
            ["Bộ", "tư", "lệnh", "Tác", "chiến", "không", "gian", "mạng", "quân", "nhân"],
            id="khong-inside-a-question-is-a-word",
        ),
        pytest.param(
            "Hội nghị tổ chức khi nào vậy ạ?", ["Hội nghị", "tổ chức"], id="closing-particles"
        ),
        pytest.param(
            "Thời kỳ đồ đồng Anh Quốc là gì?",
            ["Thời", "kỳ", "đồ", "đồng", "Anh", "Quốc"],
            id="a-capitalized-stopword-is-a-name",
        ),
        pytest.param(
            "Springsteen đã bán bao nhiêu triệu bản ghi trên thế giới?",
            ["Springsteen", "bán", "triệu", "bản", "ghi", "trên", "thế", "giới"],
            id="the-alone-is-a-word",
        ),
        pytest.param(
            "Hội nghị được tổ chức vào thời gian nào?",
            ["Hội nghị", "được tổ chức"],
            id="words-asking-a-date-are-not-content",
        ),
        pytest.param(
            "Có bao nhiêu đại biểu tham dự?", ["đại", "biểu", "tham dự"], id="co-bao-nhieu"
        ),
    ],
)
def test_the_content_a_passage_should_hold(question: str, content: list[str]) -> None:
    assert _content(question) == content


def test_the_noun_naming_the_kind_of_answer_weighs_less() -> None:
    q = understand("Rikyu được luyện Thiền tại ngôi đền nào ở Kyoto?", TOKENIZER)
    kinds = [" ".join(w.surface for w in u.words) for u in q.content if u.is_kind]
    assert kinds == ["ngôi", "đền"]
    numbers = understand("Thành lập chỉ thị 28 ngày nào?", TOKENIZER)
    assert not any(u.is_kind for u in numbers.content)  # a number is never a kind noun


@pytest.mark.parametrize(
    ("question", "names"),
    [
        pytest.param("Ông Nguyễn Quốc Bảo là ai?", ["Ông Nguyễn Quốc Bảo"], id="capitalized-run"),
        pytest.param("Ukraina đóng vai trò gì?", ["Ukraina"], id="foreign-first-word"),
        pytest.param("Hội nghị diễn ra khi nào?", [], id="vietnamese-first-word-is-not"),
        pytest.param("UBND tỉnh họp khi nào?", [], id="abbreviation-stands-for-its-long-form"),
    ],
)
def test_names_the_question_gives(question: str, names: list[str]) -> None:
    q = understand(question, TOKENIZER)
    assert [" ".join(w.surface for w in name) for name in q.names] == names


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        pytest.param("Ai viết bài này?", MetaIntent.AUTHOR, id="author"),
        pytest.param("bai viet dang luc nao", MetaIntent.DATE, id="date-unaccented"),
        pytest.param("Tiêu đề bài báo là gì?", MetaIntent.TITLE, id="title"),
        pytest.param("Cho tôi link bài viết", MetaIntent.LINK, id="link"),
        pytest.param("Ai chủ trì hội nghị?", None, id="not-about-the-article"),
    ],
)
def test_questions_about_the_article_itself(question: str, intent: MetaIntent | None) -> None:
    assert understand(question, TOKENIZER).meta is intent


def test_a_word_the_articles_hold_wins_over_a_question_phrase_typed_without_marks() -> None:
    """ "cu the nao": "cụ thể nào" when the articles write "cụ thể", not "cụ thế nào"."""
    plain = understand("nhiem vu cu the nao", TOKENIZER)
    knowing = understand("nhiem vu cu the nao", TOKENIZER, lambda a, b: (a, b) == ("cu", "the"))
    assert "the" not in {w.folded for u in plain.content for w in u.words}
    assert "the" in {w.folded for u in knowing.content for w in u.words}


def test_greetings_and_the_counted_noun() -> None:
    assert understand("xin chào bot", TOKENIZER).is_greeting
    q = understand("Lớp tập huấn có bao nhiêu học viên?", TOKENIZER)
    assert [" ".join(w.surface for w in q.content[k].words) for k in q.focus] == ["học", "viên"]
