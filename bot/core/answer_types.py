"""The kinds of answer a question asks for, each one unit: how a question asks for it, what
it looks like in a passage, and the feature the ranker weighs it by.

A rule's `find` returns the spans of a sentence's words that could be the answer ("26-2-2014"
for *khi nào*, "Nguyễn Quốc Bảo - Phó Bí thư ..." for *là ai*, "12 năm tù" for *bao
nhiêu*). The ranker's feature ``answer_<kind>`` says whether the sentence holds such a span
that the question did not already say; the engine bolds the best one and, when it is sure,
puts it above the quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.core import lexicon
from bot.core.phrases import PhraseSet, Span
from bot.core.text import Syllable, is_vietnamese_syllable

MAX_CLAUSE = 24  # syllables a reason, a definition or a topic may run to
ROLE_GAP = 3  # syllables allowed between a name and the position after it


class AnswerType(StrEnum):
    WHEN = "when"  # a date or a time
    ROLE = "role"  # a person's position: "X là ai?", "X giữ chức vụ gì?"
    WHO = "who"  # a person or an organisation
    QUANTITY = "quantity"  # a number, a duration
    ABOUT = "about"  # what something is about: "Chỉ thị 28 về vấn đề gì?"
    WHERE = "where"  # a place
    REASON = "reason"  # "vì sao", "nguyên nhân ... là gì", "để làm gì"
    LIST = "list"  # "gồm những nhiệm vụ nào?": several items
    DEFINITION = "definition"  # "VNCERT là gì?": what a name or an abbreviation stands for
    FREQUENCY = "frequency"  # "họp bao lâu một lần?": how often
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a passage's view: words[start:end], with the run (the stretch between
    punctuation marks) of every word."""

    words: Sequence[Syllable]
    runs: Sequence[int]
    start: int
    end: int

    def run_end(self, i: int, limit: int = MAX_CLAUSE) -> int:
        """Where the run holding word i ends (a clause stops at punctuation)."""
        j = i
        while j + 1 < self.end and self.runs[j + 1] == self.runs[i] and j + 1 - i < limit:
            j += 1
        return j + 1


Finder = Callable[[Sentence], list[Span]]


def _phrases(*items: str) -> PhraseSet:
    return PhraseSet(items)


_TIME_NOUNS = _phrases(*lexicon.TIME_NOUNS)
_TIME_EXPRESSIONS = _phrases(*lexicon.TIME_EXPRESSIONS)
_ERAS = _phrases(*lexicon.ERAS)
_TIME_NOUN_LIMITS = tuple(
    (_phrases(noun), limit) for noun, limit in lexicon.TIME_NOUN_LIMITS.items()
)
_NOT_COUNTS = _phrases(*lexicon.NOT_COUNTS)
_AFTER_NUMBER_ONLY = _phrases(*lexicon.AFTER_NUMBER_ONLY)
_NUMBER_WORDS = _phrases(*lexicon.NUMBER_WORDS)
_COUNT_UNITS = _phrases(*lexicon.COUNT_UNITS)
_SHARE_WORDS = _phrases(*lexicon.SHARE_WORDS)
_NAMING = _phrases(*lexicon.NAMING_BEFORE_NUMBER)
_PLACE_NOUNS = _phrases(*lexicon.PLACE_NOUNS)
_PLACE_PREPOSITIONS = _phrases(*lexicon.PLACE_PREPOSITIONS)
_CAUSE_WORDS = _phrases(*lexicon.CAUSE_WORDS)
_DEFINING_WORDS = _phrases(*lexicon.DEFINING_WORDS)
_FREQUENCY_WORDS = _phrases(*lexicon.FREQUENCY_WORDS)
_POSITIONS = _phrases(*lexicon.POSITION_STARTS, *lexicon.TITLES)
_OCCUPATIONS = _phrases(*lexicon.OCCUPATIONS)
# What a person is introduced by or described as: a position or an occupation.
_ROLES = _phrases(*lexicon.POSITION_STARTS, *lexicon.TITLES, *lexicon.OCCUPATIONS)
_PERSON_MARKERS = _phrases(*lexicon.PERSON_MARKERS)
_ORGANISATIONS = _phrases(*lexicon.ORGANISATION_WORDS)
_SURNAMES = frozenset(lexicon.SURNAMES)
_ABOUT = _phrases("về")


def is_number(word: Syllable) -> bool:
    return word.folded.isdigit() or is_roman(word)


def is_roman(word: Syllable) -> bool:
    surface = word.surface
    return surface.isupper() and all(c in "IVXLC" for c in surface)


def is_year(word: Syllable) -> bool:
    return len(word.folded) == 4 and word.folded.isdigit() and 1000 <= int(word.folded) <= 2100


def is_capitalized(word: Syllable) -> bool:
    return word.surface[:1].isupper()


def _digit_chain(s: Sentence, i: int) -> int:
    """The end of the run of numbers starting at i: "26-2-2014" is three numbers."""
    j = i
    while j < s.end and s.words[j].folded.isdigit():
        j += 1
    return j


def _capitalized_run(s: Sentence, i: int) -> int:
    """The end of the run of capitalized words (and numbers inside it) starting at i."""
    j = i
    while (
        j < s.end
        and (is_capitalized(s.words[j]) or (j > i and s.words[j].folded.isdigit()))
        and s.runs[j] == s.runs[i]
    ):
        j += 1
    return j


def _is_name_start(s: Sentence, i: int) -> bool:
    """A capitalized word that is not a sentence's ordinary first word; an acronym (NATO)."""
    word = s.words[i]
    if not is_capitalized(word):
        return False
    if word.surface.isupper() and len(word.surface) > 1:
        return True
    return not (i == s.start and word.folded in lexicon.SENTENCE_STARTERS)


_CLOCK_RE = re.compile(r"\d{1,2}h(?:\d{1,2}(?:p|ph)?)?")  # "7h30", "19h", "7h30p"
_CLOCK_UNITS = _phrases("giờ", "h", "phút", "tiếng")


def is_clock(word: Syllable) -> bool:
    """A time of day written as one word: "7h30", "19h"."""
    folded = word.folded
    return folded[:1].isdigit() and _CLOCK_RE.fullmatch(folded) is not None


def _is_date_pair(s: Sentence, i: int) -> bool:
    """Two numbers in a row that make a day and a month ("11/8", "16-3"), not a figure
    ("1.100 gia đình", "3,2 tỷ"): the second is a month and no unit follows."""
    day, month = s.words[i].folded, s.words[i + 1].folded
    if int(day) > 31 or not 1 <= int(month) <= 12 or len(month) > 2:
        return False
    return not _COUNT_UNITS.longest_at(s.words, i + 2)


def _starts_time(s: Sentence, i: int, size: int) -> bool:
    """Whether the time noun of `size` words at i begins a time: a number it can take
    ("tháng 12", not "tháng 13") or, after an era word, a name ("triều Nguyễn"); not a
    duration's unit ("15 năm 6 tháng") nor a subject after a date word ("ngày Bộ Y tế ...")."""
    after = i + size
    if after >= s.end or (
        i > s.start and s.words[i - 1].folded.isdigit() and s.runs[i - 1] == s.runs[i]
    ):
        return False
    word = s.words[after]
    if word.folded.isdigit():
        for noun, limit in _TIME_NOUN_LIMITS:
            if noun.longest_at(s.words, i) == size and int(word.folded) > limit:
                return False
        return True
    if is_roman(word):
        return True
    return is_capitalized(word) and _ERAS.longest_at(s.words, i) == size


_WHEN_FIRSTS = _TIME_EXPRESSIONS.firsts | _TIME_NOUNS.firsts


def find_when(s: Sentence) -> list[Span]:
    spans: list[Span] = []
    i = s.start
    words = s.words
    while i < s.end:
        folded = words[i].folded
        if folded not in _WHEN_FIRSTS and not folded[:1].isdigit():
            i += 1  # starts no time phrase, and is no number nor clock time ("7h30")
            continue
        size = _TIME_EXPRESSIONS.longest_at(words, i)
        if size:
            spans.append((i, i + size))
            i += size
            continue
        if is_clock(words[i]):
            spans.append((i, i + 1))
            i += 1
            continue
        size = _TIME_NOUNS.longest_at(words, i)
        after = i + size
        if size and _starts_time(s, i, size):
            end = _digit_chain(s, after) if words[after].folded.isdigit() else after + 1
            if not words[after].folded.isdigit() and not is_roman(words[after]):
                end = _capitalized_run(s, after)
            # "ngày 26 tháng 2 năm 2014": the parts of one date, not across a comma
            while end < s.end and s.runs[end] == s.runs[end - 1]:
                more = _TIME_NOUNS.longest_at(words, end)
                if not more or end + more >= s.end or not is_number(words[end + more]):
                    break
                end = (
                    _digit_chain(s, end + more)
                    if words[end + more].folded.isdigit()
                    else (end + more + 1)
                )
            spans.append((i, end))
            i = end
            continue
        if words[i].folded.isdigit():
            end = _digit_chain(s, i)
            before = words[i - 1].folded if i > s.start else ""
            if before != "so" and (end - i >= 3 or (end - i == 2 and _is_date_pair(s, i))):
                spans.append((i, end))  # 26-2-2014, 11/8
            elif end - i == 1 and _CLOCK_UNITS.longest_at(words, end):
                unit = _CLOCK_UNITS.longest_at(words, end)  # "7 giờ 30", "8 giờ sáng"
                stop = end + unit
                if stop < s.end and words[stop].folded.isdigit():
                    stop += 1
                spans.append((i, stop))
                end = stop
            elif end - i == 1 and is_year(words[i]) and not _NAMING.ending_at(words, i):
                spans.append((i, end))
            i = end
            continue
        i += 1
    return spans


def _counted(s: Sentence, end: int) -> int:
    """The end of the unit a count goes with: "12 năm tù", "3,2 tỷ đồng", "208 giáo viên"."""
    unit = _COUNT_UNITS.longest_at(s.words, end)
    if unit:
        end += unit
        more = _COUNT_UNITS.longest_at(s.words, end)  # "tỷ đồng"
        return end + more
    if end < s.end and not is_capitalized(s.words[end]) and not s.words[end].folded.isdigit():
        return end + 1  # "208 giáo" of "208 giáo viên": the next word names what is counted
    return end


def _not_a_count(s: Sentence, i: int, size: int) -> bool:
    """ "một" alone is mostly "a" ("một người dân"), "một số" is "some": not answers to "bao
    nhiêu"; "một trăm", "một nửa" are."""
    if _AFTER_NUMBER_ONLY.longest_at(s.words, i) >= size:
        return True  # "đầu tư": a chain of number words never starts with it
    return _NOT_COUNTS.longest_at(s.words, i) >= size and not (
        i + size < s.end and _NUMBER_WORDS.longest_at(s.words, i + size)
    )


_QUANTITY_FIRSTS = _NUMBER_WORDS.firsts | _SHARE_WORDS.firsts


def find_quantity(s: Sentence) -> list[Span]:
    spans: list[Span] = []
    words = s.words
    i = s.start
    dates = {k for a, b in find_when(s) for k in range(a, b)}
    while i < s.end:
        folded = words[i].folded
        if folded not in _QUANTITY_FIRSTS and not folded.isdigit():
            i += 1  # neither a number nor the start of a number word or a share
            continue
        if words[i].folded.isdigit() and i not in dates and not _NAMING.ending_at(words, i):
            end = _counted(s, _digit_chain(s, i))
            spans.append((i, end))
            i = end
            continue
        size = max(_NUMBER_WORDS.longest_at(words, i), _SHARE_WORDS.longest_at(words, i))
        if size and i not in dates and _not_a_count(s, i, size):
            i += max(1, _NOT_COUNTS.longest_at(words, i))
            continue
        if size and i not in dates:
            end = i + size
            while end < s.end and _NUMBER_WORDS.longest_at(words, end):
                end += _NUMBER_WORDS.longest_at(words, end)
            counted = _counted(s, end)
            if counted > end or _SHARE_WORDS.longest_at(words, i):
                spans.append((i, counted))
            i = end
            continue
        i += 1
    return spans


def find_names(s: Sentence) -> list[Span]:
    """People and bodies: runs of capitalized words, with the word that says what they are
    ("ông Bảo", "Công ty Formosa")."""
    spans: list[Span] = []
    words = s.words
    i = s.start
    while i < s.end:
        word = words[i]
        if word.folded not in _PERSON_MARKERS.firsts and not is_capitalized(word):
            i += 1  # starts no person marker, and no name
            continue
        marker = _PERSON_MARKERS.longest_at(words, i)
        if marker and i + marker < s.end and is_capitalized(words[i + marker]):
            end = _capitalized_run(s, i + marker)
            spans.append((i, end))
            i = end
            continue
        if _is_name_start(s, i):
            end = _body_end(s, i) if _ORGANISATIONS.longest_at(words, i) else _capitalized_run(s, i)
            start = i
            if end - i == 1 and i == s.start and words[i].folded in lexicon.SENTENCE_STARTERS:
                i += 1
                continue
            spans.append((start, end))
            i = end
            continue
        i += 1
    return spans


BODY_BRIDGE = 2  # lower-case words a body's name may hold between capitalized ones


def _body_end(s: Sentence, i: int) -> int:
    """The end of a body's or a position's name, which mixes cases: "Ban Thường vụ Tỉnh ủy
    Bến Tre", "Sở Thông tin và Truyền thông tỉnh Vĩnh Long", "Phó Bí thư Thường trực Tỉnh
    ủy": a lower-case word belongs to it when a capitalized one follows within BODY_BRIDGE
    words, and a body's own name ("Tỉnh ủy") is taken whole."""

    def whole(at: int) -> int:
        size = _ORGANISATIONS.longest_at(s.words, at)
        if size and s.runs[at + size - 1] == s.runs[i]:
            return at + size
        return _capitalized_run(s, at)

    end = whole(i)
    while end < s.end and s.runs[end] == s.runs[i]:
        if is_capitalized(s.words[end]):
            end = whole(end)
            continue
        gap = 0
        while (
            end + gap < s.end
            and s.runs[end + gap] == s.runs[i]
            and not is_capitalized(s.words[end + gap])
            and gap < BODY_BRIDGE
        ):
            gap += 1
        after = end + gap
        if gap and after < s.end and s.runs[after] == s.runs[i] and is_capitalized(s.words[after]):
            end = whole(after)
            continue
        break
    return end


_MONEY_UNITS = _phrases(*lexicon.MONEY_UNITS)


def find_money(s: Sentence) -> list[Span]:
    """Sums of money: a figure with its currency ("600.000 đồng", "5 tỉ đồng", "2 triệu USD")."""
    return _money_among(s, find_quantity(s))


def _money_among(s: Sentence, quantities: Sequence[Span]) -> list[Span]:
    spans = []
    for start, end in quantities:
        if any(_MONEY_UNITS.longest_at(s.words, i) for i in range(start, end)):
            spans.append((start, end))
    return spans


def _after_place_word(s: Sentence, i: int) -> bool:
    """ "tại Hà Nội", "tỉnh Hà Giang": a family name's look-alike after a word of place."""
    return i > s.start and (
        _PLACE_PREPOSITIONS.ending_at(s.words, i) > 0 or _PLACE_NOUNS.ending_at(s.words, i) > 0
    )


def find_people(s: Sentence) -> list[Span]:
    """Names that are a person's: a family name first, or a word such as "ông" before."""
    return _people_among(s, find_names(s))


def _people_among(s: Sentence, names: Sequence[Span]) -> list[Span]:
    return [(start, end) for start, end in names if _is_person(s, start, end)]


FOREIGN_NAME_WORDS = (2, 4)  # how many capitalized words a foreign person's name has


def _is_person(s: Sentence, start: int, end: int) -> bool:
    """A name is a person's when it starts with a family name ("Nguyễn Quốc Bảo") or a word
    such as "ông"; when a position or an occupation comes right before it ("Tổng thống
    Donald Trump"); or when it is a foreign person's name: a few capitalized words, one of
    them not spelled like a Vietnamese syllable ("John Lloyd"), neither a body nor a place."""
    words = s.words
    marker = _PERSON_MARKERS.longest_at(words, start)
    if marker:
        return end - start > marker  # "người Anh": the country, not "anh"
    placed = _after_place_word(s, start)
    if words[start].surface in _SURNAMES and end - start >= 2 and not placed:
        return True
    if placed or _ORGANISATIONS.longest_at(words, start):
        return False
    if not all(_title_case(w) for w in words[start:end]):
        return False  # "UBND", "WHO": a body's initials
    foreign = any(not is_vietnamese_syllable(w.surface) for w in words[start:end])
    if start > s.start and s.runs[start - 1] == s.runs[start] and (end - start >= 2 or foreign):
        # one Vietnamese word after a position is as likely its own ("Bí thư Thường trực")
        size = _ROLES.ending_at(words, start)
        if size and start - size >= s.start:
            return True
    low, high = FOREIGN_NAME_WORDS
    return foreign and low <= end - start <= high


def _title_case(word: Syllable) -> bool:
    surface = word.surface
    return surface[:1].isupper() and not (len(surface) > 1 and surface.isupper())


def find_role(s: Sentence) -> list[Span]:
    """A person with the position beside it: "Nguyễn Quốc Bảo - Phó Bí thư Thường trực";
    without one, the occupations the sentence names ("... làm nghề lái xe ôm")."""
    return _role_among(s, find_people(s))


def _role_among(s: Sentence, people: Sequence[Span]) -> list[Span]:
    return _roles_of(s, people) or _OCCUPATIONS.find(s.words, s.start, s.end)


def _roles_of(s: Sentence, people: Sequence[Span]) -> list[Span]:
    spans: list[Span] = []
    words = s.words
    for start, end in people:
        marker = _PERSON_MARKERS.longest_at(words, start)
        if marker and _OCCUPATIONS.longest_at(words, start) == marker:
            spans.append((start, end))  # "nhà báo John Lloyd": the occupation leads the name
            continue
        for gap in range(ROLE_GAP + 1):
            at = end + gap
            size = _ROLES.longest_at(words, at) if at < s.end else 0
            if size:  # "Phó Bí thư Thường trực Tỉnh ủy", "nhà báo": the position is part of it
                spans.append((start, max(_body_end(s, at), at + size)))
                break
        else:
            before = start - 1
            while before >= s.start and start - before <= 6:
                if _ROLES.longest_at(words, before):
                    spans.append((before, end))
                    break
                before -= 1
    return spans


def name_of(s: Sentence, span: Span) -> Span:
    """The name inside a person's span: "Nguyễn Quốc Bảo" of "đồng chí Nguyễn Quốc Bảo - Phó
    Bí thư ...", without the word before it or the position after it."""
    start, end = span
    marker = _PERSON_MARKERS.longest_at(s.words, start)
    if marker and start + marker < end and is_capitalized(s.words[start + marker]):
        start += marker
    stop = start
    while stop < end and is_capitalized(s.words[stop]) and s.runs[stop] == s.runs[start]:
        if stop > start and _POSITIONS.longest_at(s.words, stop):
            break
        stop += 1
    return (start, stop) if stop > start else span


def position_of(s: Sentence, span: Span) -> Span:
    """The position in a person's span, after the name: "Phó Bí thư Thường trực Tỉnh ủy"."""
    _, name_end = name_of(s, span)
    start = name_end
    if start < span[1] and _ROLES.longest_at(s.words, start):
        return (start, span[1])
    return span


def listed_with(spans: Sequence[Span], chosen: Span, gap: int = 2) -> list[Span]:
    """The answers listed together with the chosen one ("A - Phó Bí thư, B - Ủy viên ..."):
    the spans that follow each other with at most `gap` words between them."""
    ordered = sorted(spans)
    at = ordered.index(chosen)
    first = last = at
    while first > 0 and ordered[first][0] - ordered[first - 1][1] <= gap:
        first -= 1
    while last + 1 < len(ordered) and ordered[last + 1][0] - ordered[last][1] <= gap:
        last += 1
    return ordered[first : last + 1]


def find_who(s: Sentence) -> list[Span]:
    """ "Ai ...?" asks for a person first: people before the bodies and places named."""
    return _who_among(s, find_names(s))


def _who_among(s: Sentence, names: Sequence[Span]) -> list[Span]:
    people = _people_among(s, names)
    role = _roles_of(s, people)
    if role:
        return role
    return people + [span for span in names if span not in people]


# Finders that read another finder's spans: that finder, and how its spans are read. A
# caller that keeps each finder's spans for a sentence (`features.found_in`) then works
# out, say, the names once for people, positions and "who" alike: the same spans.
DERIVED: dict[Finder, tuple[Finder, Callable[[Sentence, Sequence[Span]], list[Span]]]] = {
    find_money: (find_quantity, _money_among),
    find_people: (find_names, _people_among),
    find_role: (find_people, _role_among),
    find_who: (find_names, _who_among),
}

_WHERE_FIRSTS = _PLACE_PREPOSITIONS.firsts | _PLACE_NOUNS.firsts


def find_where(s: Sentence) -> list[Span]:
    spans: list[Span] = []
    words = s.words
    i = s.start
    while i < s.end:
        if words[i].folded not in _WHERE_FIRSTS:
            i += 1  # starts neither a place preposition nor a place noun
            continue
        size = _PLACE_PREPOSITIONS.longest_at(words, i)
        at = i + size if size else i
        noun = _PLACE_NOUNS.longest_at(words, at)
        after = at + noun
        if noun and after < s.end and (is_capitalized(words[after]) or is_number(words[after])):
            end = _capitalized_run(s, after) if is_capitalized(words[after]) else after + 1
            spans.append((i, end))
            i = end
            continue
        if size and at < s.end and is_capitalized(words[at]):
            end = _capitalized_run(s, at)
            spans.append((i, end))
            i = end
            continue
        i += 1
    return spans


def _clause_after(phrases: PhraseSet, s: Sentence, *, skip_first: bool = False) -> list[Span]:
    spans = []
    for start, end in phrases.find(s.words, s.start, s.end):
        if skip_first and start == s.start:
            continue
        if end < s.end:
            spans.append((start, s.run_end(end)))
    return spans


def find_reason(s: Sentence) -> list[Span]:
    return _clause_after(_CAUSE_WORDS, s)


def find_definition(s: Sentence) -> list[Span]:
    return [(a, b) for a, b in _clause_after(_DEFINING_WORDS, s, skip_first=True)]


def find_about(s: Sentence) -> list[Span]:
    return _clause_after(_ABOUT, s, skip_first=True)


def find_frequency(s: Sentence) -> list[Span]:
    spans = _FREQUENCY_WORDS.find(s.words, s.start, s.end)
    return [
        (a, b)
        for a, b in spans
        if s.words[a].folded != "lan" or (a > s.start and is_number(s.words[a - 1]))
    ]


def find_list(s: Sentence) -> list[Span]:
    """Items separated by commas or semicolons: three runs or more after the first."""
    runs = {s.runs[i] for i in range(s.start, s.end)}
    if len(runs) < 3:
        return []
    first_run = s.runs[s.start]
    begin = next((i for i in range(s.start, s.end) if s.runs[i] != first_run), s.start)
    return [(begin, s.end)]


def find_nothing(s: Sentence) -> list[Span]:
    return []


@dataclass(frozen=True, slots=True)
class AnswerTypeRule:
    """One kind of answer: how questions ask for it, and how a passage holds it."""

    answer_type: AnswerType
    label: str  # the heading of the short answer line: "Thời gian: 26-2-2014"
    asks: PhraseSet
    find: Finder
    short: bool  # whether a found span is a short answer worth a line above the quote
    after_subject: bool = False  # the answer follows what the question is about

    @property
    def feature(self) -> str:
        return f"answer_{self.answer_type.value}"


RULES: dict[AnswerType, AnswerTypeRule] = {
    rule.answer_type: rule
    for rule in (
        AnswerTypeRule(
            AnswerType.WHEN,
            "Thời gian",
            _phrases(
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
                "năm bao nhiêu",
                "thế kỷ nào",
                "thập niên nào",
                "giai đoạn nào",
                "thời kỳ nào",
                "ngày bao nhiêu",
                "vào lúc nào",
                "hồi nào",
                "năm mấy",
                "tháng mấy",
                "giờ nào",
                "buổi nào",
                "ngày giờ",
            ),
            find_when,
            True,
        ),
        AnswerTypeRule(
            AnswerType.ROLE,
            "Chức vụ",
            _phrases(
                "chức vụ",
                "giữ chức",
                "cương vị",
                "là ai",
                "tên là gì",
                "tên gì",
                "họ tên",
                "chức danh",
                "làm nghề gì",
                "nghề nghiệp",
            ),
            find_role,
            True,
        ),
        AnswerTypeRule(
            AnswerType.FREQUENCY,
            "Tần suất",
            _phrases(
                "bao lâu một lần",
                "bao lâu 1 lần",
                "mấy lần",
                "thường xuyên không",
                "bao nhiêu lần",
                "có thường",
            ),
            find_frequency,
            True,
        ),
        AnswerTypeRule(
            AnswerType.QUANTITY,
            "Số lượng",
            _phrases(
                "bao nhiêu",
                "mấy",
                "số lượng",
                "bao lâu",
                "bao xa",
                "tỷ lệ",
                "tổng số",
                "bao nhiêu phần trăm",
                "số tiền",
                "bao nhiêu tiền",
            ),
            find_quantity,
            True,
        ),
        AnswerTypeRule(
            AnswerType.ABOUT,
            "Nội dung",
            _phrases(
                "về vấn đề gì",
                "về việc gì",
                "về gì",
                "về nội dung gì",
                "về điều gì",
                "về cái gì",
                "nội dung gì",
                "nói gì",
            ),
            find_about,
            False,
            after_subject=True,
        ),
        AnswerTypeRule(
            AnswerType.REASON,
            "Lý do",
            _phrases(
                "tại sao",
                "vì sao",
                "nguyên nhân",
                "lý do",
                "lí do",
                "do đâu",
                "vì đâu",
                "vì lý do gì",
                "để làm gì",
                "mục đích gì",
                "nhằm mục đích",
                "vì cớ gì",
                "làm sao mà",
                "vì sao mà",
                "tại vì sao",
            ),
            find_reason,
            False,
        ),
        AnswerTypeRule(
            AnswerType.LIST,
            "Gồm",
            _phrases("gồm", "bao gồm", "những", "các", "một số"),
            find_list,
            False,
        ),
        AnswerTypeRule(
            AnswerType.DEFINITION,
            "Nghĩa là",
            _phrases(
                "là gì",
                "là cái gì",
                "nghĩa là gì",
                "viết tắt của gì",
                "là viết tắt của gì",
                "là tổ chức gì",
                "là cơ quan gì",
                "là đơn vị gì",
                "có nghĩa là gì",
            ),
            find_definition,
            False,
            after_subject=True,
        ),
        AnswerTypeRule(
            AnswerType.WHERE,
            "Địa điểm",
            _phrases(
                "ở đâu",
                "tại đâu",
                "nơi nào",
                "địa điểm",
                "chỗ nào",
                "tỉnh nào",
                "địa phương nào",
                "nước nào",
                "quốc gia nào",
                "thành phố nào",
                "vùng nào",
                "khu vực nào",
                "nơi đâu",
                "đi đâu",
                "về đâu",
                "từ đâu",
                "huyện nào",
                "xã nào",
                "châu lục nào",
                "miền nào",
                "đến đâu",
                "tới đâu",
                "đâu",
            ),
            find_where,
            True,
        ),
        AnswerTypeRule(
            AnswerType.WHO,
            "Người/đơn vị",
            _phrases(
                "ai",
                "những ai",
                "người nào",
                "đồng chí nào",
                "vị nào",
                "cơ quan nào",
                "đơn vị nào",
                "tổ chức nào",
                "công ty nào",
                "nhân vật nào",
                "đội nào",
                "nhóm nào",
                "ông nào",
                "bà nào",
                "vua nào",
                "doanh nghiệp nào",
                "trường nào",
                "bệnh viện nào",
                "ai là người",
                "người đó",
                "tác giả",
            ),
            find_who,
            True,
        ),
        AnswerTypeRule(AnswerType.OTHER, "Trả lời", _phrases(), find_nothing, False),
    )
}
# The list marks ask for a list only with one of these ("gồm những nhiệm vụ nào?").
LIST_ASKS = _phrases("nào", "gì", "những gì")
# "X là gì?" asks what X is when X is short (a name, an abbreviation); a long X is a topic.
DEFINITION_MAX_SYLLABLES = 5
DEFINITION_STARTS = _phrases("thế nào là", "như thế nào là", "định nghĩa", "khái niệm")


_LIST_NOUNS = _phrases("những", "các", "một số", "mấy")
_INCLUDES = _phrases("gồm", "bao gồm", "gồm có", "kể tên", "liệt kê")


def _asks_for_list(words: Sequence[Syllable]) -> bool:
    """ "gồm những gì", "kể tên", or a plural right before what is asked ("những nhiệm vụ
    nào", "các loài nào"); a plural elsewhere ("Các hành khách ... bệnh viện nào") is not."""
    if _INCLUDES.contains(words):
        return True
    for _, end in _LIST_NOUNS.find(words):
        for gap in range(1, 4):
            if LIST_ASKS.longest_at(words, end + gap):
                return True
    return False


_DURATION_ASKS = _phrases("bao lâu")


def answer_type_of(words: Sequence[Syllable], content_size: int) -> AnswerType:
    """The first kind of answer the question's words ask for, in order of precedence."""
    if _DURATION_ASKS.contains(words) and not RULES[AnswerType.FREQUENCY].asks.contains(words):
        return AnswerType.QUANTITY  # "trong thời gian bao lâu" asks for a length, not a date
    for answer_type in (
        AnswerType.WHEN,
        AnswerType.ROLE,
        AnswerType.FREQUENCY,
        AnswerType.QUANTITY,
        AnswerType.ABOUT,
        AnswerType.REASON,
    ):
        if RULES[answer_type].asks.contains(words):
            return answer_type
    where = RULES[AnswerType.WHERE].asks.contains(words)
    if not where and _asks_for_list(words):
        return AnswerType.LIST
    definition = RULES[AnswerType.DEFINITION].asks
    if DEFINITION_STARTS.at_start(words) or (
        content_size <= DEFINITION_MAX_SYLLABLES and definition.ending_at(words, len(words))
    ):
        return AnswerType.DEFINITION
    if where:
        return AnswerType.WHERE
    if RULES[AnswerType.WHO].asks.contains(words):
        return AnswerType.WHO
    return AnswerType.OTHER
