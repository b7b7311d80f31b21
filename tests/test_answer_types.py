"""Each answer type's passage pattern, on small sentences: the spans it finds, exactly."""

from __future__ import annotations

import pytest

from bot.core.answer_types import (
    RULES,
    AnswerType,
    Sentence,
    find_money,
    find_people,
    listed_with,
    name_of,
    position_of,
)
from bot.core.text import Tokenizer, normalize_text
from bot.core.views import view_of_text

TOKENIZER = Tokenizer()


def _sentence(text: str) -> Sentence:
    view = view_of_text(normalize_text(text), TOKENIZER)
    return Sentence(view.words, view.terms.runs, 0, len(view.words))


def _found(kind: AnswerType, text: str) -> list[str]:
    s = _sentence(text)
    return [" ".join(w.surface for w in s.words[a:b]) for a, b in RULES[kind].find(s)]


@pytest.mark.parametrize(
    ("kind", "text", "spans"),
    [
        pytest.param(
            AnswerType.WHEN,
            "Chiều 26-2-2014, tỉnh tổ chức hội nghị.",
            ["Chiều 26 2 2014"],
            id="when-date-after-a-time-noun",
        ),
        pytest.param(
            AnswerType.WHEN,
            "Khoảng 7h30 sáng 27-6, xe bị lật.",
            ["7h30", "sáng 27 6"],
            id="when-clock-time",
        ),
        pytest.param(
            AnswerType.WHEN,
            "Ngày 11 tháng 1 năm 2007, Việt Nam gia nhập.",
            ["Ngày 11 tháng 1 năm 2007"],
            id="when-one-date-in-parts",
        ),
        pytest.param(
            AnswerType.WHEN,
            "Đỉnh điểm có xấp xỉ 1.100 gia đình.",
            [],
            id="when-a-figure-is-not-a-date",
        ),
        pytest.param(
            AnswerType.WHEN,
            "Chỉ thị 28 của Ban Bí thư (khóa XI).",
            [],
            id="when-khoa-names-a-term-not-a-time",
        ),
        pytest.param(
            AnswerType.WHEN,
            "Bị cáo bị phạt 15 năm 6 tháng tù.",
            [],
            id="when-a-duration-is-not-a-date",
        ),
        pytest.param(
            AnswerType.WHEN,
            "Ngày Bộ Y tế công bố, có tháng 13 người mắc.",
            [],
            id="when-time-noun-limits-and-no-name-after-a-date-word",
        ),
        pytest.param(
            AnswerType.WHEN,
            "Dưới triều Nguyễn, ngày 26 tháng 2 năm 2014, thời Lý.",
            ["triều Nguyễn", "ngày 26 tháng 2 năm 2014", "thời Lý"],
            id="when-eras-take-names-and-a-date-stops-at-a-comma",
        ),
        pytest.param(
            AnswerType.QUANTITY,
            "Một số người dân và một người khác, một nửa số hộ, một trăm người.",
            ["một nửa số", "một trăm người"],
            id="quantity-mot-and-mot-so-are-not-counts",
        ),
        pytest.param(
            AnswerType.QUANTITY,
            "Tỉnh đầu tư cơ sở vật chất cho hai mươi tư xã.",
            ["hai mươi tư xã"],
            id="quantity-tu-counts-only-after-another-number-word",
        ),
        pytest.param(
            AnswerType.WHO,
            "Tại Hà Nội, ông Nguyễn Văn A phát biểu.",
            ["ông Nguyễn Văn A", "Hà Nội"],
            id="who-people-before-places-and-ha-noi-is-a-place",
        ),
        pytest.param(
            AnswerType.QUANTITY,
            "Huy bị tuyên phạt 12 năm tù.",
            ["12 năm"],
            id="quantity-count-with-its-unit",
        ),
        pytest.param(
            AnswerType.QUANTITY,
            "Tổng số tiền 3,2 tỷ đồng.",
            ["3 2 tỷ đồng"],
            id="quantity-decimal-with-currency",
        ),
        pytest.param(
            AnswerType.QUANTITY,
            "Chỉ thị số 28 năm 2014.",
            [],
            id="quantity-numbers-that-name",
        ),
        pytest.param(
            AnswerType.QUANTITY,
            "Hai hành khách bị thương.",
            ["Hai hành"],
            id="quantity-written-as-a-word",
        ),
        pytest.param(
            AnswerType.ROLE,
            "Đồng chí Nguyễn Quốc Bảo - Phó Bí thư Thường trực Tỉnh ủy chủ trì.",
            ["Đồng chí Nguyễn Quốc Bảo Phó Bí thư Thường trực Tỉnh ủy"],
            id="role-person-then-position",
        ),
        pytest.param(
            AnswerType.WHO,
            "Ban Thường vụ Tỉnh ủy Bến Tre tổ chức hội nghị.",
            ["Ban Thường vụ Tỉnh ủy Bến Tre"],
            id="who-a-body-mixes-cases",
        ),
        pytest.param(
            AnswerType.WHERE,
            "Hội nghị diễn ra tại Hà Nội.",
            ["tại Hà Nội"],
            id="where-tai",
        ),
        pytest.param(
            AnswerType.WHERE,
            "Xe lật ở xã Hưng Thịnh, huyện Hưng Nguyên.",
            ["ở xã Hưng Thịnh", "huyện Hưng Nguyên"],
            id="where-place-nouns",
        ),
        pytest.param(
            AnswerType.REASON,
            "Người dân chưa dùng vì chưa quen sử dụng.",
            ["vì chưa quen sử dụng"],
            id="reason-clause-after-vi",
        ),
        pytest.param(
            AnswerType.DEFINITION,
            "VNCERT là Trung tâm Ứng cứu khẩn cấp máy tính.",
            ["là Trung tâm Ứng cứu khẩn cấp máy tính"],
            id="definition-after-la",
        ),
        pytest.param(
            AnswerType.FREQUENCY,
            "BCĐ họp giao ban hàng tháng.",
            ["hàng tháng"],
            id="frequency",
        ),
        pytest.param(
            AnswerType.LIST,
            "Tỉnh sẽ đánh giá, triển khai, tuyên truyền.",
            ["triển khai tuyên truyền"],
            id="list-three-runs",
        ),
        pytest.param(
            AnswerType.ABOUT,
            "Chỉ thị số 28 về tăng cường an toàn thông tin mạng.",
            ["về tăng cường an toàn thông tin mạng"],
            id="about-after-ve",
        ),
        pytest.param(
            AnswerType.ROLE,
            "Tổng thống Donald Trump phát biểu tại New York.",
            ["Tổng thống Donald Trump"],
            id="role-foreign-name-after-a-position",
        ),
        pytest.param(
            AnswerType.ROLE,
            "Chủ tịch Tập Cận Bình đến thăm.",
            ["Chủ tịch Tập Cận Bình"],
            id="role-name-of-several-words-after-a-position",
        ),
        pytest.param(
            AnswerType.ROLE,
            "John Lloyd, nhà báo người Anh, cho biết.",
            ["John Lloyd nhà báo"],
            id="role-foreign-person-and-occupation",
        ),
        pytest.param(
            AnswerType.ROLE,
            "Tùng làm nghề lái xe ôm ở Hà Nội.",
            ["lái xe ôm"],
            id="role-occupation-without-a-person",
        ),
        pytest.param(AnswerType.OTHER, "Bất kỳ câu nào.", [], id="other-has-no-pattern"),
    ],
)
def test_each_answer_type_finds_its_spans(kind: AnswerType, text: str, spans: list[str]) -> None:
    assert _found(kind, text) == spans


def test_money_and_people() -> None:
    s = _sentence("Ông Nguyễn Tấn T. mất 970 triệu đồng, còn 12 người bị thương.")
    assert [" ".join(w.surface for w in s.words[a:b]) for a, b in find_money(s)] == [
        "970 triệu đồng"
    ]
    assert [" ".join(w.surface for w in s.words[a:b]) for a, b in find_people(s)] == [
        "Ông Nguyễn Tấn T"
    ]


def test_names_and_positions_inside_a_role_and_the_ones_listed_together() -> None:
    s = _sentence(
        "Đồng chí Nguyễn Quốc Bảo - Phó Bí thư Thường trực Tỉnh ủy, đồng chí Huỳnh Văn Bưu - "
        "Ủy viên Ban Thường vụ Tỉnh ủy chủ trì hội nghị."
    )
    spans = RULES[AnswerType.ROLE].find(s)
    listed = listed_with(spans, spans[0])
    assert len(listed) == 2

    def text(span: tuple[int, int]) -> str:
        return " ".join(w.surface for w in s.words[span[0] : span[1]])

    assert [text(name_of(s, span)) for span in listed] == ["Nguyễn Quốc Bảo", "Huỳnh Văn Bưu"]
    assert text(position_of(s, listed[0])) == "Phó Bí thư Thường trực Tỉnh ủy"


@pytest.mark.parametrize(
    ("text", "people"),
    [
        pytest.param("Ông Bảo gặp đại sứ Peter Zwack.", ["Ông Bảo", "Peter Zwack"], id="foreign"),
        pytest.param("Hai nhà báo người Anh đến.", [], id="a-country-is-not-anh"),
        pytest.param("Chủ tịch UBND xã dự.", [], id="initials-are-a-body"),
        pytest.param("Ông đến tại New York hôm qua.", [], id="a-place-after-tai"),
        pytest.param("Bí thư Thường trực dự.", [], id="one-vietnamese-word-after-a-position"),
    ],
)
def test_who_counts_as_a_person(text: str, people: list[str]) -> None:
    s = _sentence(text)
    assert [" ".join(w.surface for w in s.words[a:b]) for a, b in find_people(s)] == people
