"""What a question asks: its content words, the kind of answer it wants, its names and
numbers, or a question about an article itself (its author, date, title, link).

The words come from the lexicon (``lexicon.py``) and the answer types' own phrases
(``answer_types.py``); this module only decides which of the question's syllables are
content a passage should hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.core import lexicon
from bot.core.answer_types import RULES, AnswerType, answer_type_of
from bot.core.phrases import PhraseSet, Span
from bot.core.text import AnalyzedText, Syllable, Tokenizer, is_vietnamese_syllable

__all__ = ["AnswerType", "ContentUnit", "MetaIntent", "Question", "meta_words", "understand"]


class MetaIntent(StrEnum):
    AUTHOR = "author"
    DATE = "date"
    TITLE = "title"
    LINK = "link"
    TOPIC = "topic"


QUESTION_WORDS = PhraseSet(lexicon.QUESTION_WORDS)
END_PARTICLES = PhraseSet(lexicon.QUESTION_END_PARTICLES)
STOPWORDS = PhraseSet(lexicon.STOPWORDS)
SYNONYM_GROUPS = tuple(PhraseSet(group) for group in lexicon.SYNONYM_GROUPS)
TITLES = PhraseSet(lexicon.TITLES)
_OR_WORDS = PhraseSet(("hay", "hoặc", "hay là"))
# The noun right before "gì"/"nào" names the kind of answer ("lĩnh vực gì"), which the
# answering passage need not repeat.
_WHICH = PhraseSet(("gì", "nào"))
ANSWER_KIND_WEIGHT = 0.6
ROLE_EXTRA_SYLLABLES = 2  # the organ after the title: "Bí thư" + "Tỉnh ủy"
# "số mấy", "thứ mấy": the number asked for names or ranks (Quyết định số 05, xếp thứ 3).
_NUMBER_NAME = PhraseSet(
    (
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
)
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
_DOCUMENT = PhraseSet(lexicon.DOCUMENT_WORDS)
_DOCUMENT_START = PhraseSet(lexicon.DOCUMENT_STARTS)
_AUTHOR_STRONG = PhraseSet(lexicon.AUTHOR_STRONG)
_META: dict[MetaIntent, PhraseSet] = {
    MetaIntent.AUTHOR: PhraseSet((*lexicon.AUTHOR_STRONG, *lexicon.AUTHOR_WEAK)),
    MetaIntent.DATE: PhraseSet(lexicon.PUBLICATION_WORDS),
    MetaIntent.TITLE: PhraseSet(lexicon.TITLE_WORDS),
    MetaIntent.LINK: PhraseSet(lexicon.LINK_WORDS),
    MetaIntent.TOPIC: PhraseSet(lexicon.TOPIC_WORDS),
}


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

    @property
    def is_kind(self) -> bool:
        """The noun naming the kind of answer ("lĩnh vực" of "lĩnh vực gì")."""
        return self.weight < 1.0


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    analyzed: AnalyzedText
    content: tuple[ContentUnit, ...]  # what the answer's passage should contain
    answer_type: AnswerType
    meta: MetaIntent | None
    is_greeting: bool
    # What the answer must be about: the counted noun of "bao nhiêu" (indexes into `content`).
    focus: tuple[int, ...] = ()
    role: tuple[Syllable, ...] = ()  # a position asked about: "bí thư tỉnh ủy"
    role_needs_person: bool = False  # "X là ai?" wants a name; "Ai làm X?" may get a body
    names: tuple[tuple[Syllable, ...], ...] = ()  # proper names typed with capitals
    any_number: bool = False  # a number that names or ranks answers too, not only a count
    asked: Span | None = None  # the phrase that asks ("ai", "bao nhiêu"), in the syllables

    @property
    def is_empty(self) -> bool:
        return not self.analyzed.syllables

    @property
    def numbers(self) -> tuple[str, ...]:
        """The numbers the question gives ("năm 2015", "Chỉ thị 28")."""
        return tuple(w.folded for w in self.analyzed.syllables if w.folded.isdigit())

    @property
    def content_words(self) -> list[Syllable]:
        return [w for unit in self.content for w in unit.words]

    def content_pairs(self) -> list[tuple[Syllable, Syllable]]:
        """Adjacent one-syllable content units: the word pairs a passage may keep together."""
        single = {u.position: u.words[0] for u in self.content if len(u.words) == 1}
        return [(single[i], single[i + 1]) for i in sorted(single) if i + 1 in single]


def _alternative_units(
    words: Sequence[Syllable], content: set[int]
) -> list[tuple[int, set[int], tuple[Syllable, ...], tuple[Syllable, ...]]]:
    """ "A hay B" between content words: (position, positions used, A's words, B's words).

    Words shared by both sides ("buổi" in "buổi sáng hay buổi chiều") frame the choice and
    are left out; only the words that differ decide between the alternatives.
    """
    found = []
    for start, end in _OR_WORDS.find(words):
        right: list[int] = []
        i = end
        while i in content and len(right) < 4:
            right.append(i)
            i += 1
        left: list[int] = []
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


def _focus_positions(
    words: Sequence[Syllable], content: set[int], answer_type: AnswerType
) -> set[int]:
    """Where the thing a quantity question counts sits: after "bao nhiêu"."""
    if answer_type is not AnswerType.QUANTITY:
        return set()
    for _, end in RULES[AnswerType.QUANTITY].asks.find(words):
        after: set[int] = set()
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
    spans = TITLES.find(words)
    if not spans:
        return ()
    start, end = spans[0]
    while with_organ and end in content and end < spans[0][1] + ROLE_EXTRA_SYLLABLES:
        end += 1
    return tuple(words[start:end])


def _is_name_word(words: Sequence[Syllable], i: int) -> bool:
    """A capitalized word inside the question, or the first word of a run of them: a name
    ("Anh Quốc", "Phan Anh Tuấn"), never a stopword ("anh", "nam")."""
    word = words[i]
    if not word.surface[:1].isupper() or (word.surface.isupper() and len(word.surface) > 1):
        return False
    if i > 0:
        return True
    return len(words) > 1 and words[1].surface[:1].isupper()


def _proper_names(words: Sequence[Syllable]) -> tuple[tuple[Syllable, ...], ...]:
    """Runs of capitalized words ("Vĩnh Long", "Sở Thông tin"): the places, people and
    bodies a question is about. The question's first word counts only inside a longer run
    or when it cannot be a Vietnamese word ("Ukraina"); abbreviations ("UBND") are left
    out, since they stand for their long forms."""
    names: list[tuple[Syllable, ...]] = []
    run: list[Syllable] = []
    run_start = 0
    for i, word in enumerate([*words, None]):
        if word is not None and word.surface[:1].isupper() and not word.surface.isupper():
            if not run:
                run_start = i
            run.append(word)
            continue
        if run and (len(run) >= 2 or run_start > 0 or not is_vietnamese_syllable(run[0].folded)):
            names.append(tuple(run))
        run = []
    return tuple(names)


def _trailing_particles(words: Sequence[Syllable]) -> int:
    """Where the question's closing particles start ("... không ạ?" -> before "không")."""
    end = len(words)
    while end > 1:
        size = END_PARTICLES.ending_at(words, end)
        if not size or size >= end:
            break
        end -= size
    return end


KnownPair = Callable[[str, str], bool]


def _question_words(words: Sequence[Syllable], known_pair: KnownPair | None) -> list[Span]:
    """Where the question's asking words are. Typed without marks, "cu the nao" is "cụ thể
    nào", not "cụ thế nào": a phrase whose first syllable makes a word the articles hold
    with the syllable before it ("cụ thể") gives that syllable up."""
    spans = []
    for start, stop in QUESTION_WORDS.find(words):
        first = words[start]
        if (
            known_pair is not None
            and start > 0
            and first.accented is None
            and stop - start > 1
            and known_pair(words[start - 1].folded, first.folded)
        ):
            if QUESTION_WORDS.longest_at(words, start + 1) == stop - start - 1:
                spans.append((start + 1, stop))
            continue
        spans.append((start, stop))
    return spans


def understand(text: str, tokenizer: Tokenizer, known_pair: KnownPair | None = None) -> Question:
    """What the question asks. `known_pair(a, b)`: whether the articles hold the folded
    syllables a b together, which settles some readings of questions typed without marks."""
    analyzed = tokenizer.analyze(text)
    words = analyzed.syllables
    end = _trailing_particles(words)
    asking = words[:end]
    removed = set(range(end, len(words)))
    asked: Span | None = None
    for start, stop in _question_words(asking, known_pair):
        removed.update(range(start, stop))
        asked = asked or (start, stop)
    quantity_typed_plain = False
    for i, word in enumerate(asking):
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

    def add(
        position: int,
        typed: tuple[Syllable, ...],
        alternatives: Sequence[tuple[Syllable, ...]] = (),
        used: set[int] | None = None,
    ) -> None:
        key = tuple((w.folded, w.accented) for w in typed)
        if key not in seen:
            seen.add(key)
            units.append(ContentUnit(position, typed, tuple(alternatives)))
            unit_positions.append(used or set(range(position, position + len(typed))))

    # Synonym phrases (which may hold a stopword: "diễn ra"), then the remaining stopwords.
    synonym_spans: list[tuple[int, int, list[tuple[Syllable, ...]]]] = []
    group_ends: dict[int, int] = {}  # where a synonym span ends -> its group
    for number, group in enumerate(SYNONYM_GROUPS):
        for start, stop in group.find(asking):
            if removed.isdisjoint(range(start, stop)):
                removed.update(range(start, stop))
                if group_ends.get(start) == number:
                    continue  # "cán bộ công chức": one meaning said twice, counted once
                group_ends[stop] = number
                typed = tuple(words[start:stop])
                folded = [w.folded for w in typed]
                others = [p for p in group if [w.folded for w in p] != folded]
                synonym_spans.append((start, stop, others))
    blank = Syllable("", "", None)
    remaining = [w if i not in removed else blank for i, w in enumerate(asking)]
    for start, stop in STOPWORDS.find(remaining):
        kept = [i for i in range(start, stop) if _is_name_word(words, i)]
        removed.update(i for i in range(start, stop) if i not in kept)
    synonym_positions = {i for start, stop, _ in synonym_spans for i in range(start, stop)}
    single = {i for i in range(len(words)) if i not in removed}
    content = single | synonym_positions
    for position, used, a, b in _alternative_units(words, single):
        add(position, a, [b], used)
        single -= used
    for start, stop, others in synonym_spans:
        add(start, tuple(words[start:stop]), others)
    for position in sorted(single):
        add(position, (words[position],))

    answer_type = answer_type_of(asking, len(content))
    if quantity_typed_plain and answer_type is AnswerType.OTHER:
        answer_type = AnswerType.QUANTITY
    # "ngày nào", "thời gian nào": words that only ask for a date are not content.
    asking_time: set[int] = set()
    if answer_type is AnswerType.WHEN:
        for start, stop in RULES[AnswerType.WHEN].asks.find(asking):
            asking_time.update(range(start, stop))
    kind_nouns: set[int] = set()
    for start, _ in _WHICH.find(asking):
        i = start - 1
        while (
            i in content
            and start - i <= 2
            and i not in asking_time
            and not words[i].folded.isdigit()
        ):
            kind_nouns.add(i)
            i -= 1
    focus_positions = _focus_positions(words, content, answer_type)
    order = sorted(range(len(units)), key=lambda k: units[k].position)
    final: list[ContentUnit] = []
    focus: list[int] = []
    for k in order:
        unit, used = units[k], unit_positions[k]
        if used <= asking_time and len(used) < len(content):
            continue
        if used <= kind_nouns and len(used) < len(content):
            unit = replace(unit, weight=ANSWER_KIND_WEIGHT)
        if used & focus_positions:
            focus.append(len(final))
        final.append(unit)
    role = (
        _role_words(words, content, with_organ=answer_type is AnswerType.ROLE)
        if answer_type in (AnswerType.ROLE, AnswerType.WHO)
        else ()
    )
    greeting = bool(words) and all(w.folded in lexicon.GREETING_WORDS for w in words)
    return Question(
        text,
        analyzed,
        tuple(final),
        answer_type,
        _meta_intent(words, answer_type),
        greeting,
        tuple(focus),
        role,
        answer_type is AnswerType.ROLE,
        _proper_names([w for run in analyzed.runs for w in run]),
        _NUMBER_NAME.contains(words),
        asked,
    )


def _meta_intent(words: Sequence[Syllable], answer_type: AnswerType) -> MetaIntent | None:
    about_document = _DOCUMENT.contains(words) or _DOCUMENT_START.at_start(words)
    if not (about_document or _AUTHOR_STRONG.contains(words)):
        return None
    for intent in (MetaIntent.AUTHOR, MetaIntent.TITLE, MetaIntent.LINK, MetaIntent.TOPIC):
        if _META[intent].contains(words):
            return intent
    # Once the question is about the article, "dang" can only be "đăng".
    date_words = _META[MetaIntent.DATE]
    if answer_type is AnswerType.WHEN and date_words.contains(words, lenient=True):
        return MetaIntent.DATE
    return None


def meta_words(question: Question) -> set[int]:
    """Positions in the question's syllables that only serve the metadata intent."""
    words = question.analyzed.syllables
    positions: set[int] = set()
    groups = [
        _DOCUMENT,
        _DOCUMENT_START,
        *_META.values(),
        RULES[AnswerType.WHEN].asks,
        QUESTION_WORDS,
        STOPWORDS,
    ]
    for group in groups:
        # Once a question is about an article, "dang" can only be "đăng", "bai" "bài".
        for start, end in group.find(words, lenient=group in _META.values()):
            positions.update(range(start, end))
    return positions
