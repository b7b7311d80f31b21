"""What a question asks: its content words, its expected answer type, or a metadata intent.

Phrases here are written with diacritics. A syllable the user typed with marks must match a
phrase syllable exactly (tone style aside); a syllable typed without marks matches on its
letters alone, except where that would be ambiguous ("co" may be "có" or "cơ sở").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.core.text import AnalyzedText, Syllable, Tokenizer


class AnswerType(StrEnum):
    WHEN = "when"  # a date or a time
    ROLE = "role"  # a person's position: "X là ai?", "X giữ chức vụ gì?"
    WHO = "who"  # a person or an organisation
    QUANTITY = "quantity"  # a number
    ABOUT = "about"  # what something is about: "Chỉ thị 28 về vấn đề gì?"
    WHERE = "where"  # a place
    REASON = "reason"  # "vì sao", "nguyên nhân ... là gì"
    LIST = "list"  # "gồm những nhiệm vụ nào?": several items
    DEFINITION = "definition"  # "VNCERT là gì?": what a name or an abbreviation stands for
    FREQUENCY = "frequency"  # "họp bao lâu một lần?": how often
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
    "như thế nào",
    "thế nào",
    "ra sao",
    "là gì",
    "là ai",
    "những ai",
    "những gì",
    "cái gì",
    "khi nào",
    "lúc nào",
    "bao giờ",
    "bao nhiêu",
    "bao lâu",
    "mấy",
    "ở đâu",
    "tại sao",
    "vì sao",
    "ngày nào",
    "năm nào",
    "người nào",
    "ai",
    "gì",
    "nào",
    "đâu",
    "không",
    "chưa",
    "hả",
    "vậy",
    "thế",
    "nhỉ",
    "ntn",
    "chức vụ",
    "giữ chức",
    "giữ chức vụ",
    "cương vị",
    "nói về",
    "nói gì",
    "nhắc tới",
    "nhắc đến",
    "đề cập đến",
    "đề cập tới",
    "liên quan đến",
    "liên quan tới",
    "tên là gì",
    "tên gì",
    "họ tên",
    "bao lâu một lần",
    "bao lâu 1 lần",
    "mấy lần",
    "hay không",
    "có phải",
)
STOPWORDS = _phrases(
    "là",
    "của",
    "và",
    "các",
    "những",
    "có",
    "được",
    "bị",
    "cho",
    "với",
    "về",
    "trong",
    "tại",
    "ở",
    "đã",
    "đang",
    "sẽ",
    "thì",
    "mà",
    "này",
    "đó",
    "kia",
    "ấy",
    "một",
    "hay",
    "hoặc",
    "nhé",
    "ạ",
    "vào",
    "ra",
    "do",
    "để",
    "từ",
    "theo",
    "gồm",
    "như",
    "cũng",
    "rất",
    "nên",
    "cần",
    "phải",
    "bởi",
    "nhằm",
    "việc",
    "điều",
    "người",
    "cái",
    "vấn đề",
    "hãy",
    "cho biết",
    "cho tôi",
    "tôi",
    "bạn",
    "mình",
    "xin",
    "muốn",
    "biết",
    "hỏi",
    "em",
    "anh",
    "chị",
    "ơi",
    "ông",
    "bà",
    "đồng chí",
    "ngoài việc",
    "ngoài ra",
    "còn",
    "khác",
)
# A syllable typed without marks matches a one-syllable stopword or question word only when
# its letters cannot easily be a content word: "thi" may be "thị" (Chỉ thị), "ban" may be
# "Ban" (Ban Chỉ đạo), "hoi" may be "hội", so those stay in the question.
UNAMBIGUOUS_FOLDS = frozenset(
    {
        "la",
        "cua",
        "va",
        "cac",
        "nhung",
        "duoc",
        "voi",
        "mot",
        "nay",
        "kia",
        "ay",
        "hay",
        "hoac",
        "nhe",
        "a",
        "vao",
        "theo",
        "gom",
        "nhu",
        "rat",
        "nham",
        "viec",
        "dieu",
        "nguoi",
        "xin",
        "oi",
        "ai",
        "gi",
        "nao",
        "sao",
        "khong",
        "vay",
        "nhi",
        "ha",
        "ntn",
        "se",
        "ma",
        "khac",
    }
)
_WHEN = _phrases(
    "khi nào",
    "lúc nào",
    "bao giờ",
    "ngày nào",
    "ngày mấy",
    "hôm nào",
    "năm nào",
    "tháng nào",
    "thời gian nào",
    "thời điểm nào",
    "mấy giờ",
    "thời gian",
    "thời điểm",
    "ngày tháng",
)
_WHO = _phrases(
    "ai", "những ai", "người nào", "đồng chí nào", "vị nào", "cơ quan nào", "đơn vị nào"
)
_QUANTITY = _phrases("bao nhiêu", "mấy", "số lượng")
# "may" typed without marks is "mấy" before a unit of counting, else perhaps "máy".
_COUNT_NOUNS = frozenset(
    {
        "ngay",
        "thang",
        "nam",
        "tuan",
        "gio",
        "phut",
        "nguoi",
        "lan",
        "buoi",
        "lop",
        "khoa",
        "dot",
        "ca",
        "nhan",
        "vien",
    }
)
_RANK_WORDS = frozenset({"thu", "hang", "so", "khoa"})  # "thứ may" can only be "thứ mấy"
# "số mấy", "thứ mấy": the number asked for names or ranks (Quyết định số 05, xếp thứ 3).
_NUMBER_NAME = _phrases(
    "số mấy",
    "số bao nhiêu",
    "thứ mấy",
    "thứ bao nhiêu",
    "hạng mấy",
    "hạng bao nhiêu",
    "khóa mấy",
    "khóa bao nhiêu",
    "lần thứ mấy",
)
_LIST_MARKS = _phrases("gồm", "bao gồm", "những", "các", "một số")
_LIST_ASKS = _phrases("nào", "gì", "những gì")
_REASON = _phrases("tại sao", "vì sao", "nguyên nhân", "lý do", "do đâu", "vì đâu")
_WHERE = _phrases(
    "ở đâu", "tại đâu", "nơi nào", "địa điểm", "chỗ nào", "tỉnh nào", "địa phương nào"
)
_ROLE = _phrases("chức vụ", "giữ chức", "cương vị", "là ai", "tên là gì", "tên gì", "họ tên")
_FREQUENCY = _phrases("bao lâu một lần", "bao lâu 1 lần", "mấy lần", "thường xuyên không")
# "X là gì?" asks what X is when X is short (a name, an abbreviation); a long X is a topic.
_DEFINITION_END = _phrases(
    "là gì",
    "là cái gì",
    "nghĩa là gì",
    "viết tắt của gì",
    "là viết tắt của gì",
    "là tổ chức gì",
    "là cơ quan gì",
    "là đơn vị gì",
)
DEFINITION_MAX_SYLLABLES = 5
# Positions people ask about; "Bí thư Tỉnh ủy" and "Phó Bí thư Thường trực Tỉnh ủy" differ.
_TITLES = _phrases(
    "phó bí thư",
    "bí thư",
    "tổng bí thư",
    "phó giám đốc",
    "giám đốc",
    "tổng giám đốc",
    "phó chủ tịch",
    "chủ tịch",
    "phó trưởng ban",
    "trưởng ban",
    "phó trưởng phòng",
    "trưởng phòng",
    "bộ trưởng",
    "thứ trưởng",
    "chánh văn phòng",
    "chánh án",
    "viện trưởng",
    "hiệu trưởng",
    "đội trưởng",
    "tổng biên tập",
    "chỉ huy trưởng",
    "giám đốc sở",
)
ROLE_EXTRA_SYLLABLES = 2  # the organ after the title: "Bí thư" + "Tỉnh ủy"
# Alternatives: "buổi sáng hay buổi chiều" is answered by either.
_OR_WORDS = _phrases("hay", "hoặc", "hay là")
# The noun right before "gì"/"nào" names the kind of answer ("lĩnh vực gì"), which the
# answering passage need not repeat.
_WHICH = _phrases("gì", "nào")
ANSWER_KIND_WEIGHT = 0.6
_ABOUT = _phrases(
    "về vấn đề gì",
    "về việc gì",
    "về gì",
    "về nội dung gì",
    "về điều gì",
    "về cái gì",
    "nội dung gì",
    "nói gì",
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
        "đăng",
        "đăng tải",
        "xuất bản",
        "phát hành",
        "công bố",
        "ngày đăng",
        "đăng ngày",
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
        ("kéo dài", "diễn ra trong", "trong vòng"),
        ("yêu cầu", "đề nghị", "nhấn mạnh", "lưu ý"),
        ("xếp hạng", "xếp thứ", "đứng thứ", "xếp vị trí"),
        ("hằng tháng", "hàng tháng", "mỗi tháng", "thường kỳ"),
        ("chống", "phòng chống", "đấu tranh"),
    )
)
GREETING_WORDS = frozenset(
    {
        "xin",
        "chao",
        "hello",
        "hi",
        "hey",
        "alo",
        "oi",
        "bot",
        "ban",
        "ad",
        "admin",
        "cam",
        "on",
        "thanks",
        "thank",
        "you",
        "ok",
        "oke",
        "okay",
        "help",
        "giup",
        "tro",
        "huong",
        "dan",
        "start",
        "a",
        "nhe",
        "nha",
        "em",
        "anh",
        "chi",
        "minh",
    }
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


_PHRASE_INDEXES: dict[int, tuple[object, dict[str, list[Sequence[Syllable]]]]] = {}


def _by_first_syllable(
    phrases: Sequence[Sequence[Syllable]],
) -> dict[str, list[Sequence[Syllable]]]:
    """The phrases by the letters of their first syllable, longest first: a typed syllable
    can only match a phrase syllable with the same letters."""
    cached = _PHRASE_INDEXES.get(id(phrases))
    if cached is not None and cached[0] is phrases:
        return cached[1]
    index: dict[str, list[Sequence[Syllable]]] = {}
    for phrase in sorted(phrases, key=len, reverse=True):
        if phrase:
            index.setdefault(phrase[0].folded, []).append(phrase)
    if isinstance(phrases, tuple):  # the module's phrase lists: index them once
        _PHRASE_INDEXES[id(phrases)] = (phrases, index)
    return index


def find_phrases(
    words: Sequence[Syllable], phrases: Sequence[Sequence[Syllable]]
) -> list[tuple[int, int]]:
    """Spans (start, end) of the longest phrases found, left to right, not overlapping."""
    by_first = _by_first_syllable(phrases)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        for phrase in by_first.get(words[i].folded, ()):
            if _match_at(words, i, phrase):
                spans.append((i, i + len(phrase)))
                i += len(phrase)
                break
        else:
            i += 1
    return spans


def _match_any_at_start(words: Sequence[Syllable], phrases: Sequence[Sequence[Syllable]]) -> bool:
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
    weight: float = 1.0  # relative importance: less for the noun naming the answer's kind

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
    # What the answer must be about: the counted noun of "bao nhiêu", the subject otherwise
    # (indexes into `content`).
    focus: tuple[int, ...] = ()
    role: tuple[Syllable, ...] = ()  # a position asked about: "bí thư tỉnh ủy"
    role_needs_person: bool = False  # "X là ai?" wants a name; "Ai làm X?" may get a body
    names: tuple[tuple[Syllable, ...], ...] = ()  # proper names typed with capitals
    any_number: bool = False  # a number that names or ranks answers too, not only a count

    @property
    def is_empty(self) -> bool:
        return not self.analyzed.syllables


def _alternative_units(
    words: Sequence[Syllable], content: set[int]
) -> list[tuple[int, set[int], tuple[Syllable, ...], tuple[Syllable, ...]]]:
    """ "A hay B" between content words: (position, positions used, A's words, B's words).

    Words shared by both sides ("buổi" in "buổi sáng hay buổi chiều") frame the choice and
    are left out; only the words that differ decide between the alternatives.
    """
    found = []
    for start, end in find_phrases(words, _OR_WORDS):
        right = []
        i = end
        while i in content and len(right) < 4:
            right.append(i)
            i += 1
        left = []
        i = start - 1
        while i in content and len(left) < len(right):
            left.insert(0, i)
            i -= 1
        if not left or not right:
            continue
        right = right[: len(left)]
        shared = {k for k in range(len(left)) if words[left[k]].folded == words[right[k]].folded}
        a = tuple(words[left[k]] for k in range(len(left)) if k not in shared)
        b = tuple(words[right[k]] for k in range(len(right)) if k not in shared)
        if a and b:
            found.append((left[0], set(left) | set(right), a, b))
    return found


def _answer_type(words: Sequence[Syllable], content_size: int) -> AnswerType:
    """The first kind of answer the question's words ask for, in order of precedence."""
    for phrases, answer_type in (
        (_WHEN, AnswerType.WHEN),
        (_ROLE, AnswerType.ROLE),
        (_FREQUENCY, AnswerType.FREQUENCY),
        (_QUANTITY, AnswerType.QUANTITY),
        (_ABOUT, AnswerType.ABOUT),
        (_REASON, AnswerType.REASON),
    ):
        if _contains(words, phrases):
            return answer_type
    where = _contains(words, _WHERE)
    if _contains(words, _LIST_MARKS) and _contains(words, _LIST_ASKS) and not where:
        return AnswerType.LIST
    if content_size <= DEFINITION_MAX_SYLLABLES and any(
        len(p) <= len(words) and _match_at(words, len(words) - len(p), p) for p in _DEFINITION_END
    ):
        return AnswerType.DEFINITION
    if where:
        return AnswerType.WHERE
    if _contains(words, _WHO):
        return AnswerType.WHO
    return AnswerType.OTHER


def _focus_positions(
    words: Sequence[Syllable], content: set[int], answer_type: AnswerType
) -> set[int]:
    """Where the thing a quantity question counts sits: after "bao nhiêu", else the subject."""
    if answer_type is not AnswerType.QUANTITY:
        return set()
    for _, end in find_phrases(words, _QUANTITY):
        after = set()
        i = end
        while i in content and len(after) < 3:
            after.add(i)
            i += 1
        if after:
            return after
    return set()  # "... đạt bao nhiêu?": any of the question's words may carry the number


def _role_words(
    words: Sequence[Syllable], content: set[int], *, with_organ: bool
) -> tuple[Syllable, ...]:
    """The position a question asks about; "X là ai?" names it in full ("Bí thư Tỉnh ủy"),
    "Ai làm X?" may name the task the way the answer does not ("đội trưởng Đội ...")."""
    spans = find_phrases(words, _TITLES)
    if not spans:
        return ()
    start, end = spans[0]
    while with_organ and end in content and end < spans[0][1] + ROLE_EXTRA_SYLLABLES:
        end += 1
    return tuple(words[start:end])


def _proper_names(normalized: str) -> tuple[tuple[Syllable, ...], ...]:
    """Runs of capitalized words ("Vĩnh Long", "Sở Thông tin"): the places, people and
    bodies a question is about. The question's first word counts only inside a longer run;
    abbreviations ("UBND") are left out, since they stand for their long forms."""
    from bot.core.text import syllables

    names: list[tuple[Syllable, ...]] = []
    run: list[Syllable] = []
    run_start = 0
    words = syllables(normalized)
    for i, word in enumerate([*words, None]):
        if word is not None and word.surface[:1].isupper() and not word.surface.isupper():
            if not run:
                run_start = i
            run.append(word)
            continue
        if run and (len(run) >= 2 or run_start > 0):
            names.append(tuple(run))
        run = []
    return tuple(names)


def understand(text: str, tokenizer: Tokenizer) -> Question:
    analyzed = tokenizer.analyze(text)
    words = analyzed.syllables
    # Question words first, then synonym phrases (which may hold a stopword: "diễn ra"),
    # then the remaining stopwords.
    removed = set()
    quantity_typed_plain = False
    for start, end in find_phrases(words, QUESTION_PHRASES):
        removed.update(range(start, end))
    for i, word in enumerate(words):
        if word.accented is not None or word.folded != "may":
            continue
        before = words[i - 1].folded if i else ""
        after = words[i + 1].folded if i + 1 < len(words) else ""
        if after in _COUNT_NOUNS or before in _RANK_WORDS:
            removed.add(i)
            quantity_typed_plain = True
    units: list[ContentUnit] = []
    seen: set[tuple[tuple[str, str | None], ...]] = set()
    unit_positions: list[set[int]] = []

    def add(position: int, typed: tuple[Syllable, ...], alternatives=(), used=None) -> None:  # type: ignore[no-untyped-def]
        key = tuple((w.folded, w.accented) for w in typed)
        if key not in seen:
            seen.add(key)
            units.append(ContentUnit(position, typed, tuple(alternatives)))
            unit_positions.append(used or set(range(position, position + len(typed))))

    synonym_spans: list[tuple[int, int, list[tuple[Syllable, ...]]]] = []
    group_ends: dict[int, int] = {}  # where a synonym span ends -> its group
    for number, group in enumerate(SYNONYM_GROUPS):
        for start, end in find_phrases(words, group):
            if removed.isdisjoint(range(start, end)):
                removed.update(range(start, end))
                if group_ends.get(start) == number:
                    continue  # "cán bộ công chức": one meaning said twice, counted once
                group_ends[end] = number
                typed = tuple(words[start:end])
                others = [p for p in group if [w.folded for w in p] != [w.folded for w in typed]]
                synonym_spans.append((start, end, others))
    remaining = [w if i not in removed else Syllable("", "", None) for i, w in enumerate(words)]
    for start, end in find_phrases(remaining, STOPWORDS):
        removed.update(range(start, end))
    synonym_positions = {i for start, end, _ in synonym_spans for i in range(start, end)}
    single = {i for i in range(len(words)) if i not in removed}
    content = single | synonym_positions
    for position, used, a, b in _alternative_units(words, single):
        add(position, a, [b], used)
        single -= used
    for start, end, others in synonym_spans:
        add(start, tuple(words[start:end]), others)
    for position in sorted(single):
        add(position, (words[position],))

    answer_type = _answer_type(words, len(content))
    if quantity_typed_plain and answer_type is AnswerType.OTHER:
        answer_type = AnswerType.QUANTITY
    kind_nouns: set[int] = set()
    for start, _ in find_phrases(words, _WHICH):
        i = start - 1
        while i in content and start - i <= 2:
            kind_nouns.add(i)
            i -= 1
    focus_positions = _focus_positions(words, content, answer_type)
    order = sorted(range(len(units)), key=lambda k: units[k].position)
    final: list[ContentUnit] = []
    focus: list[int] = []
    for k in order:
        unit, used = units[k], unit_positions[k]
        if used <= kind_nouns and len(used) < len(content):
            unit = replace(unit, weight=ANSWER_KIND_WEIGHT)
        if used & focus_positions:
            focus.append(len(final))
        final.append(unit)
    names = _proper_names(analyzed.normalized)
    role = (
        _role_words(words, content, with_organ=answer_type is AnswerType.ROLE)
        if answer_type in (AnswerType.ROLE, AnswerType.WHO)
        else ()
    )

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
    return Question(
        text,
        analyzed,
        tuple(final),
        answer_type,
        meta,
        greeting,
        tuple(focus),
        role,
        answer_type is AnswerType.ROLE,
        names,
        _contains(words, _NUMBER_NAME),
    )


def meta_words(question: Question) -> set[int]:
    """Positions in the question's syllables that only serve the metadata intent."""
    words = question.analyzed.syllables
    positions: set[int] = set()
    groups = [_DOCUMENT, _DOCUMENT_START, *_META.values(), _WHEN, QUESTION_PHRASES, STOPWORDS]
    for group in groups:
        for start, end in find_phrases(words, group):
            positions.update(range(start, end))
    return positions
