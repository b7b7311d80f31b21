"""What a question asks: its content words, its expected answer type, or a metadata intent.

Phrases here are written with diacritics. A syllable the user typed with marks must match a
phrase syllable exactly (tone style aside); a syllable typed without marks matches on its
letters alone, except where that would be ambiguous ("co" may be "có" or "cơ sở").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.core.text import AnalyzedText, Syllable, Tokenizer


class AnswerType(StrEnum):
    WHEN = "when"  # a date or a time
    ROLE = "role"  # a person's position: "X là ai?", "X giữ chức vụ gì?"
    WHO = "who"  # a person or an organisation
    QUANTITY = "quantity"  # a number
    ABOUT = "about"  # what something is about: "Chỉ thị 28 về vấn đề gì?"
    WHERE = "where"  # a place
    OTHER = "other"


class MetaIntent(StrEnum):
    AUTHOR = "author"
    DATE = "date"
    TITLE = "title"
    LINK = "link"
    TOPIC = "topic"


def _phrases(*items: str) -> tuple[tuple[Syllable, ...], ...]:
    from bot.core.text import syllables

    return tuple(tuple(syllables(item)) for item in items)


# Question words and function words: they say what kind of answer is wanted, not where it is.
QUESTION_PHRASES = _phrases(
    "như thế nào", "thế nào", "ra sao", "là gì", "là ai", "những ai", "những gì", "cái gì",
    "khi nào", "lúc nào", "bao giờ", "bao nhiêu", "bao lâu", "mấy", "ở đâu", "tại sao",
    "vì sao", "ngày nào", "năm nào", "người nào", "ai", "gì", "nào", "đâu", "không", "chưa",
    "hả", "vậy", "thế", "nhỉ", "ntn", "chức vụ", "giữ chức", "giữ chức vụ", "cương vị",
)
STOPWORDS = _phrases(
    "là", "của", "và", "các", "những", "có", "được", "bị", "cho", "với", "về", "trong",
    "tại", "ở", "đã", "đang", "sẽ", "thì", "mà", "này", "đó", "kia", "ấy", "một", "hay",
    "hoặc", "nhé", "ạ", "vào", "ra", "do", "để", "từ", "theo", "gồm", "như", "cũng", "rất",
    "nên", "cần", "phải", "bởi", "nhằm", "việc", "điều", "người", "cái", "vấn đề", "hãy",
    "cho biết", "cho tôi", "tôi", "bạn", "mình", "xin", "muốn", "biết", "hỏi", "em", "anh",
    "chị", "ơi",
)
# A syllable typed without marks matches a one-syllable stopword or question word only when
# its letters cannot easily be a content word: "thi" may be "thị" (Chỉ thị), "ban" may be
# "Ban" (Ban Chỉ đạo), "hoi" may be "hội", so those stay in the question.
UNAMBIGUOUS_FOLDS = frozenset(
    {"la", "cua", "va", "cac", "nhung", "duoc", "voi", "mot", "nay", "kia", "ay", "hay",
     "hoac", "nhe", "a", "vao", "theo", "gom", "nhu", "rat", "nham", "viec", "dieu", "nguoi",
     "xin", "oi", "ai", "gi", "nao", "sao", "khong", "vay", "nhi", "ha", "ntn", "se", "ma"}
)
_WHEN = _phrases(
    "khi nào", "lúc nào", "bao giờ", "ngày nào", "ngày mấy", "hôm nào", "năm nào", "tháng nào",
    "thời gian nào", "thời điểm nào", "mấy giờ", "thời gian", "thời điểm", "ngày tháng",
)
_WHO = _phrases(
    "ai", "những ai", "người nào", "đồng chí nào", "vị nào", "cơ quan nào", "đơn vị nào"
)
_QUANTITY = _phrases("bao nhiêu", "mấy", "số lượng")
_WHERE = _phrases(
    "ở đâu", "tại đâu", "nơi nào", "địa điểm", "chỗ nào", "tỉnh nào", "địa phương nào"
)
_ROLE = _phrases("chức vụ", "giữ chức", "cương vị", "là ai")
_ABOUT = _phrases(
    "về vấn đề gì", "về việc gì", "về gì", "về nội dung gì", "về điều gì", "về cái gì",
    "nội dung gì", "nói gì",
)
# "bài" alone is too loose ("bài phát biểu"): it counts only at the start of the question.
_DOCUMENT = _phrases(
    "bài viết", "bài báo", "bài này", "tin này", "tin bài", "bản tin", "bài đăng", "tác phẩm"
)
_DOCUMENT_START = _phrases("bài", "tin")
_AUTHOR_STRONG = _phrases("tác giả", "ai viết", "người viết", "viết bởi", "bút danh", "ký tên")
_META: dict[MetaIntent, tuple[tuple[Syllable, ...], ...]] = {
    MetaIntent.AUTHOR: (*_AUTHOR_STRONG, *_phrases("do ai", "của ai", "phóng viên", "ai")),
    MetaIntent.DATE: _phrases(
        "đăng", "đăng tải", "xuất bản", "phát hành", "công bố", "ngày đăng", "đăng ngày",
    ),
    MetaIntent.TITLE: _phrases("tiêu đề", "tựa đề", "tên bài", "tít", "tựa bài", "tên bài viết"),
    MetaIntent.LINK: _phrases("đường dẫn", "link", "liên kết", "url", "địa chỉ bài", "nguồn bài"),
    MetaIntent.TOPIC: _phrases("nói về", "nội dung chính", "tóm tắt", "chủ đề", "đề cập"),
}
# Words people ask with that news articles write differently. Each group is one meaning;
# a question's phrase is matched by any phrase of its group.
SYNONYM_GROUPS = tuple(
    _phrases(*group)
    for group in (
        ("hội nghị", "cuộc họp", "buổi họp", "phiên họp", "cuộc hội nghị"),
        ("tổ chức", "diễn ra", "được tổ chức", "khai mạc"),
        ("tham dự", "tham gia", "dự"),
        ("người dân", "nhân dân", "dân"),
        ("công chức", "cán bộ"),
        ("an ninh mạng", "an toàn thông tin mạng", "an ninh thông tin"),
        ("internet", "mạng"),
        ("tập huấn", "bồi dưỡng", "đào tạo"),
        ("gọi tắt", "viết tắt"),
        ("mục đích", "nhằm"),
        ("hằng tháng", "hàng tháng", "mỗi tháng", "thường kỳ"),
        ("chống", "phòng chống", "đấu tranh"),
    )
)
GREETING_WORDS = frozenset(
    {"xin", "chao", "hello", "hi", "hey", "alo", "oi", "bot", "ban", "ad", "admin", "cam", "on",
     "thanks", "thank", "you", "ok", "oke", "okay", "help", "giup", "tro", "huong", "dan",
     "start", "a", "nhe", "nha", "em", "anh", "chi", "minh"}
)


def _syllable_matches(typed: Syllable, phrase: Syllable, *, strict: bool) -> bool:
    if typed.accented is not None:
        return typed.accented == (phrase.accented or phrase.folded)
    if typed.folded != phrase.folded:
        return False
    return phrase.accented is None or not strict or typed.folded in UNAMBIGUOUS_FOLDS


def _match_at(
    words: Sequence[Syllable], start: int, phrase: Sequence[Syllable], *, lenient: bool = False
) -> bool:
    """Whether `phrase` starts at `start`; single ambiguous syllables need marks unless lenient."""
    if start + len(phrase) > len(words):
        return False
    strict = len(phrase) == 1 and not lenient
    return all(
        _syllable_matches(words[start + i], part, strict=strict) for i, part in enumerate(phrase)
    )


def find_phrases(
    words: Sequence[Syllable], phrases: Sequence[Sequence[Syllable]]
) -> list[tuple[int, int]]:
    """Spans (start, end) of the longest phrases found, left to right, not overlapping."""
    ordered = sorted(phrases, key=len, reverse=True)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        for phrase in ordered:
            if _match_at(words, i, phrase):
                spans.append((i, i + len(phrase)))
                i += len(phrase)
                break
        else:
            i += 1
    return spans


def _match_any_at_start(
    words: Sequence[Syllable], phrases: Sequence[Sequence[Syllable]]
) -> bool:
    return any(_match_at(words, 0, phrase) for phrase in phrases)


def _contains(
    words: Sequence[Syllable], phrases: Sequence[Sequence[Syllable]], *, lenient: bool = False
) -> bool:
    if lenient:
        return any(_match_at(words, i, p, lenient=True) for i in range(len(words)) for p in phrases)
    return bool(find_phrases(words, phrases))


@dataclass(frozen=True, slots=True)
class ContentUnit:
    """One meaningful word (or synonym phrase) of a question that a passage should hold."""

    position: int  # of its first syllable in the question
    words: tuple[Syllable, ...]  # as typed: one syllable, or a phrase with synonyms
    alternatives: tuple[tuple[Syllable, ...], ...] = ()  # the synonyms' spellings

    @property
    def spellings(self) -> tuple[tuple[Syllable, ...], ...]:
        return (self.words, *self.alternatives)


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    analyzed: AnalyzedText
    content: tuple[ContentUnit, ...]  # what the answer's passage should contain
    answer_type: AnswerType
    meta: MetaIntent | None
    is_greeting: bool

    @property
    def is_empty(self) -> bool:
        return not self.analyzed.syllables


def understand(text: str, tokenizer: Tokenizer) -> Question:
    analyzed = tokenizer.analyze(text)
    words = analyzed.syllables
    # Question words first, then synonym phrases (which may hold a stopword: "diễn ra"),
    # then the remaining stopwords.
    removed = set()
    for start, end in find_phrases(words, QUESTION_PHRASES):
        removed.update(range(start, end))
    units: list[ContentUnit] = []
    seen: set[tuple[tuple[str, str | None], ...]] = set()

    def add(position: int, typed: tuple[Syllable, ...], alternatives=()) -> None:  # type: ignore[no-untyped-def]
        key = tuple((w.folded, w.accented) for w in typed)
        if key not in seen:
            seen.add(key)
            units.append(ContentUnit(position, typed, tuple(alternatives)))

    for group in SYNONYM_GROUPS:
        for start, end in find_phrases(words, group):
            if removed.isdisjoint(range(start, end)):
                typed = tuple(words[start:end])
                others = [p for p in group if [w.folded for w in p] != [w.folded for w in typed]]
                add(start, typed, others)
                removed.update(range(start, end))
    remaining = [w if i not in removed else Syllable("", "", None) for i, w in enumerate(words)]
    for start, end in find_phrases(remaining, STOPWORDS):
        removed.update(range(start, end))
    for position, word in enumerate(words):
        if position not in removed:
            add(position, (word,))
    units.sort(key=lambda unit: unit.position)

    if _contains(words, _WHEN):
        answer_type = AnswerType.WHEN
    elif _contains(words, _ROLE):
        answer_type = AnswerType.ROLE
    elif _contains(words, _QUANTITY):
        answer_type = AnswerType.QUANTITY
    elif _contains(words, _ABOUT):
        answer_type = AnswerType.ABOUT
    elif _contains(words, _WHERE):
        answer_type = AnswerType.WHERE
    elif _contains(words, _WHO):
        answer_type = AnswerType.WHO
    else:
        answer_type = AnswerType.OTHER

    meta = None
    about_document = _contains(words, _DOCUMENT) or _match_any_at_start(words, _DOCUMENT_START)
    if about_document or _contains(words, _AUTHOR_STRONG):
        for intent in (MetaIntent.AUTHOR, MetaIntent.TITLE, MetaIntent.LINK, MetaIntent.TOPIC):
            if _contains(words, _META[intent]):
                meta = intent
                break
        else:
            # Once the question is about the article, "dang" can only be "đăng".
            date_words = _META[MetaIntent.DATE]
            if answer_type is AnswerType.WHEN and _contains(words, date_words, lenient=True):
                meta = MetaIntent.DATE
    greeting = bool(words) and all(w.folded in GREETING_WORDS for w in words)
    return Question(text, analyzed, tuple(units), answer_type, meta, greeting)


def meta_words(question: Question) -> set[int]:
    """Positions in the question's syllables that only serve the metadata intent."""
    words = question.analyzed.syllables
    positions: set[int] = set()
    groups = [_DOCUMENT, _DOCUMENT_START, *_META.values(), _WHEN, QUESTION_PHRASES, STOPWORDS]
    for group in groups:
        for start, end in find_phrases(words, group):
            positions.update(range(start, end))
    return positions
