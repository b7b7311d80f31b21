"""The named features of a candidate sentence, which the fitted ranker weighs.

A question's candidates are the sentences of the passages BM25 ranks highest. Each sentence
gets one row of `FEATURES`: how much of the question's content it holds (weighted by rarity,
in the sentence, its neighbours, its passage, the article's title and first paragraph),
BM25 by term kind, how its matched words sit, whether it holds the kind of answer asked for
and something the question did not already say, the question's names and numbers, and
where it stands in the article. The weights are fitted on real questions (``bot.train``);
nothing here is a threshold.
"""

from __future__ import annotations

import itertools
import math
import operator
from bisect import bisect_left
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.core import terms as index_terms
from bot.core.answer_types import (
    DERIVED,
    RULES,
    AnswerType,
    Finder,
    Sentence,
    find_money,
    find_people,
    is_capitalized,
    is_year,
)
from bot.core.index import BM25_PARAMETERS, SearchIndex
from bot.core.lexicon import (
    MONEY_WORDS,
    NUMBER_WORDS,
    SENTENCE_STARTERS,
    SHARE_WORDS,
)
from bot.core.phrases import PhraseSet, Span
from bot.core.questions import ContentUnit, Question
from bot.core.terms import TermKind
from bot.core.text import Syllable
from bot.core.views import PassageView, ViewTerms

UNMARKED_MATCH_CREDIT = 0.25  # "hôi" typed, "hồi" found: the letters agree, the tones do not
SPLIT_PHRASE_CREDIT = 0.6  # a phrase whose syllables are all there, but not together
NEIGHBOUR_CREDIT = 0.8  # a word found in the next or previous sentence, for the window
TITLE_CREDIT = 0.7  # a word found only in the article's title
LEAD_CREDIT = 0.5  # a word found only in the article's first paragraph, its context
UNKNOWN_WORD_WEIGHT = 2.0  # a word no article has: the question is likely outside them
NUMBER_BEFORE, NUMBER_AFTER = 3, 10  # how far a count may sit from what it counts
ROLE_NAME_BEFORE, ROLE_NAME_AFTER = 12, 6  # how far a holder's name may sit from the title
ANNOUNCING_TAIL = 8  # syllables at a sentence's end that may announce a list
NEAR = 6  # syllables between an answer and the question's words that still count as near

ANSWER_FEATURES = tuple(RULES[t].feature for t in AnswerType if t is not AnswerType.OTHER)
FEATURES = (
    "bm25",
    "bm25_rank",
    "bm25_folded",
    "bm25_accented",
    "bm25_pair",
    "bm25_word",
    "coverage",
    "coverage_window",
    "coverage_passage",
    "coverage_title",
    "coverage_story",
    "coverage_folded",
    "matched_share",
    "missing_weight",
    "pairs",
    "pairs_window",
    "longest_run",
    "proximity",
    "novel_share",
    *ANSWER_FEATURES,
    "answer_window",
    "answer_near",
    "answer_which",
    "answer_person",
    "answer_money",
    "answer_anchor",
    "kind_sentence",
    "kind_window",
    "list_announced",
    "role_holder",
    "count_near_focus",
    "names_sentence",
    "names_missing",
    "numbers_sentence",
    "numbers_missing",
    "first_paragraph",
    "first_sentence",
    "paragraph_position",
    "sentence_words",
)
INDEX = {name: i for i, name in enumerate(FEATURES)}
_K1, _B = BM25_PARAMETERS["k1"], BM25_PARAMETERS["b"]
_T = TypeVar("_T")
_NOWHERE: tuple[int, ...] = ()
_SHARES = PhraseSet(SHARE_WORDS)
_MONEY_WORDS = PhraseSet(MONEY_WORDS)
# Numbers written as words count too ("hai người", "hàng trăm hộ"); not "năm", which is
# mostly the year's, nor "tư" or "ba", mostly other words.
_COUNT_WORDS = PhraseSet(w for w in NUMBER_WORDS if w not in ("năm", "tư", "ba", "nửa"))
_NAMING_FOLDS = frozenset({"so", "ngay", "thang", "nam", "khoa"})
_COUNTING_FIRSTS = _SHARES.firsts | _COUNT_WORDS.firsts


def same(found: Syllable, wanted: Syllable) -> bool:
    """A passage's syllable matches a question's: exactly when typed with marks."""
    if wanted.accented is not None:
        return found.accented == wanted.accented
    return found.folded == wanted.folded


def word_credit(word: Syllable, terms: Container[str]) -> float:
    """How well a set of terms (a title's, a lead's) holds one question syllable."""
    if word.accented is not None:
        if index_terms.accented_term(word.accented) in terms:
            return 1.0
        return UNMARKED_MATCH_CREDIT if index_terms.folded_term(word.folded) in terms else 0.0
    return 1.0 if index_terms.folded_term(word.folded) in terms else 0.0


def spelling_credit(spelling: Sequence[Syllable], terms: Container[str]) -> float:
    credits = [word_credit(word, terms) for word in spelling]
    if len(spelling) == 1:
        return credits[0]
    together = all(
        index_terms.pair_term(a.folded, b.folded) in terms for a, b in itertools.pairwise(spelling)
    )
    mean = sum(credits) / len(credits)
    return mean if together else mean * SPLIT_PHRASE_CREDIT


def unit_credit(unit: ContentUnit, terms: Container[str]) -> float:
    return max(spelling_credit(spelling, terms) for spelling in unit.spellings)


def phrase_starts(spelling: Sequence[Syllable], view: PassageView) -> list[int]:
    """Where the spelling starts in the view, its syllables together and exactly."""
    first, rest = spelling[0], spelling[1:]
    words = view.words
    last = len(words)
    found = []
    for i in view.starts(first):
        if i + len(spelling) > last:
            break
        if all(same(words[i + k], wanted) for k, wanted in enumerate(rest, start=1)):
            found.append(i)
    return found


def unit_starts(unit: ContentUnit, view: PassageView) -> list[int]:
    """Where the unit starts in the view, by any of its spellings (exact matches only)."""
    places: set[int] = set()
    for spelling in unit.spellings:
        places.update(phrase_starts(spelling, view))
    return sorted(places)


@dataclass(frozen=True, slots=True)
class UnitMatch:
    """Where in a passage one content unit is, by sentence."""

    credits: dict[int, float]  # sentence -> best credit there
    positions: tuple[int, ...]  # the words it matched (exactly or by its letters)
    exact: tuple[int, ...] = ()  # the words of its exact matches, a whole spelling together


_NO_MATCH = UnitMatch({}, ())  # shared: nothing changes a match once made


def match_unit(unit: ContentUnit, view: PassageView) -> UnitMatch:
    if not unit.alternatives and len(unit.words) == 1:
        # Most units are one syllable without synonyms: its exact matches are where the view
        # has it; failing those, a syllable typed with marks matches its letters elsewhere.
        word = unit.words[0]
        terms = view.terms
        sentence_of = view.sentences
        accented = word.accented
        if accented is not None:
            exact = terms.by_accent.get(accented, _NOWHERE)
        else:
            exact = terms.by_fold.get(word.folded, _NOWHERE)
        if exact:
            return UnitMatch(dict.fromkeys(map(sentence_of.__getitem__, exact), 1.0), exact, exact)
        if accented is not None:
            loose = terms.by_fold.get(word.folded, _NOWHERE)
            if loose:
                credits = dict.fromkeys(map(sentence_of.__getitem__, loose), UNMARKED_MATCH_CREDIT)
                return UnitMatch(credits, loose, ())
        return _NO_MATCH
    return _match_spellings(unit.spellings, view)


def _match_spellings(spellings: Sequence[Sequence[Syllable]], view: PassageView) -> UnitMatch:
    credits: dict[int, float] = {}
    positions: set[int] = set()
    whole: set[int] = set()
    sentence_of = view.sentences
    for spelling in spellings:
        size = len(spelling)
        exact = phrase_starts(spelling, view)
        for i in exact:
            credits[sentence_of[i]] = 1.0
            whole.update(range(i, i + size))
        loose: dict[int, list[float]] = {}
        for k, word in enumerate(spelling):
            found = view.starts(word)
            partial = 1.0
            if not found and word.accented is not None:
                found = view.by_fold.get(word.folded, _NOWHERE)
                partial = UNMARKED_MATCH_CREDIT
            for i in found:
                sentence = sentence_of[i]
                seen = loose.setdefault(sentence, [0.0] * size)
                seen[k] = max(seen[k], partial)
                positions.add(i)
        for sentence, seen in loose.items():
            credit = sum(seen) / size * (1.0 if size == 1 else SPLIT_PHRASE_CREDIT)
            if credit > credits.get(sentence, 0.0):
                credits[sentence] = credit
    return UnitMatch(credits, tuple(sorted(positions | whole)), tuple(sorted(whole)))


class QuestionContext:
    """What every candidate of one question is measured against, worked out once."""

    def __init__(self, q: Question, index: SearchIndex, query_terms: Sequence[str]) -> None:
        self.q = q
        self.units = q.content
        raw = []
        known = []
        for unit in q.content:
            weight = sum(index.term_weight(index_terms.lookup_term(w)) for w in unit.words)
            is_known = any(_known(index, spelling) for spelling in unit.spellings)
            if not is_known and not unit.alternatives:
                weight *= UNKNOWN_WORD_WEIGHT
            if unit.is_kind:
                weight *= unit.weight
            raw.append(weight)
            known.append(is_known)
        total = sum(raw) or 1.0
        self.weights = [w / total for w in raw]
        self.unknown_weight = sum(w for w, k in zip(self.weights, known, strict=True) if not k)
        self.unknown_share = known.count(False) / len(known) if known else 0.0
        self.pairs = [(a.folded, b.folded) for a, b in q.content_pairs()]
        self.numbers = q.numbers
        self.names = [tuple(w.folded for w in name) for name in q.names]
        self.rule = RULES[q.answer_type]
        words = q.analyzed.syllables
        self.asks_person = q.answer_type in (AnswerType.WHO, AnswerType.ROLE) and any(
            w.folded == "ai" for w in words
        )
        self.asks_money = q.answer_type is AnswerType.QUANTITY and any(
            _MONEY_WORDS.longest_at(words, i) for i in range(len(words))
        )
        self.anchor = _anchor(q)
        # BM25 by term kind, from the query's terms as the index scores them.
        self.query: list[tuple[TermKind, tuple[str, ...], float]] = []
        for term in query_terms:
            parsed = index_terms.parse(term)
            idf = index.idf(term)
            if parsed is not None and idf is not None:
                self.query.append((parsed[0], parsed[1], idf))
        self.average_length = index.average_length
        # The same by kind, each with its place in `query` (a kind's sum runs in its order).
        self._by_kind: dict[TermKind, list[tuple[int, tuple[str, ...], float]]] = {
            kind: [] for kind in TermKind
        }
        for at, (kind, parts, idf) in enumerate(self.query):
            self._by_kind[kind].append((at, parts, idf))
        skip = set(range(*q.asked)) if q.asked else set()
        self.sequence = [w.folded for i, w in enumerate(q.analyzed.syllables) if i not in skip]
        self._kinds_at = [k for k, unit in enumerate(q.content) if unit.is_kind]
        # Per title or lead (one per article, shared by its passages): kept with the object,
        # so that its id stays its own while the question is answered.
        self._credits: dict[int, tuple[object, list[float]]] = {}
        self._title_counts: dict[int, tuple[PassageView, list[int]]] = {}
        self._unit_terms: list[list[tuple[list[tuple[str | None, str]], list[str]]]] | None = None

    def credits_in(self, terms: Container[str]) -> list[float]:
        """Each content unit's credit in a title's or a lead's terms, worked out once."""
        known = self._credits.get(id(terms))
        if known is None:
            if isinstance(terms, ViewTerms):  # a title's: read from its positions
                credits = [_view_unit_credit(u, terms) for u in self.units]
            else:
                if self._unit_terms is None:
                    self._unit_terms = _spelled_units(self.units)
                credits = [_spelled_unit_credit(u, terms) for u in self._unit_terms]
            known = self._credits[id(terms)] = (terms, credits)
        return known[1]

    def title_counts(self, title: PassageView) -> list[int]:
        """How often each query term occurs in a title, worked out once per title."""
        known = self._title_counts.get(id(title))
        if known is None:
            counts = [0] * len(self.query)
            by_fold, by_accent = title.by_fold, title.by_accent
            for at, (key,), _ in self._by_kind[TermKind.FOLDED]:
                counts[at] = len(by_fold.get(key, _NOWHERE))
            for at, (key,), _ in self._by_kind[TermKind.ACCENTED]:
                counts[at] = len(by_accent.get(key, _NOWHERE))
            for at, parts, _ in self._by_kind[TermKind.PAIR]:
                if parts[0] in by_fold and parts[1] in by_fold:
                    counts[at] = _count(title, TermKind.PAIR, parts)
            known = self._title_counts[id(title)] = (title, counts)
        return known[1]


def _spelled_units(
    units: Sequence[ContentUnit],
) -> list[list[tuple[list[tuple[str | None, str]], list[str]]]]:
    """Each unit's spellings as the terms `unit_credit` looks up: each syllable's accented
    term (None without marks) and folded term, and the pairs' terms."""
    return [
        [
            (
                [
                    (
                        None if w.accented is None else index_terms.accented_term(w.accented),
                        index_terms.folded_term(w.folded),
                    )
                    for w in spelling
                ],
                [
                    index_terms.pair_term(a.folded, b.folded)
                    for a, b in itertools.pairwise(spelling)
                ],
            )
            for spelling in unit.spellings
        ]
        for unit in units
    ]


def _view_word_credit(word: Syllable, terms: ViewTerms) -> float:
    """`word_credit` against a view's terms, from its positions instead of term strings."""
    if word.accented is not None:
        if word.accented in terms.by_accent:
            return 1.0
        return UNMARKED_MATCH_CREDIT if word.folded in terms.by_fold else 0.0
    return 1.0 if word.folded in terms.by_fold else 0.0


def _view_unit_credit(unit: ContentUnit, terms: ViewTerms) -> float:
    """`unit_credit` against a view's terms (the same values: ``f:``, ``a:`` and ``b:`` terms
    are there exactly when `ViewTerms` says so)."""
    best: float | None = None
    for spelling in unit.spellings:
        credits = [_view_word_credit(word, terms) for word in spelling]
        if len(spelling) == 1:
            credit = credits[0]
        else:
            together = all(
                terms.has_pair(a.folded, b.folded) for a, b in itertools.pairwise(spelling)
            )
            mean = sum(credits) / len(credits)
            credit = mean if together else mean * SPLIT_PHRASE_CREDIT
        if best is None or credit > best:
            best = credit
    assert best is not None
    return best


def _spelled_unit_credit(
    spellings: Sequence[tuple[Sequence[tuple[str | None, str]], Sequence[str]]],
    terms: Container[str],
) -> float:
    """`unit_credit` of a unit whose spellings' terms are spelled out: (each syllable's
    accented term, or None, and folded term; the pairs' terms)."""
    best: float | None = None
    for words, pairs in spellings:
        credits = [
            (1.0 if folded in terms else 0.0)
            if accented is None
            else (1.0 if accented in terms else UNMARKED_MATCH_CREDIT if folded in terms else 0.0)
            for accented, folded in words
        ]
        if len(words) == 1:
            credit = credits[0]
        else:
            mean = sum(credits) / len(credits)
            credit = mean if all(pair in terms for pair in pairs) else mean * SPLIT_PHRASE_CREDIT
        if best is None or credit > best:
            best = credit
    assert best is not None
    return best


def _anchor(q: Question) -> int | None:
    """The content unit the asking words lean on: the one right after them ("Ai *chủ trì*
    ...?"), else the one right before ("Hội nghị *diễn ra* khi nào?")."""
    if q.asked is None or not q.content:
        return None
    start, end = q.asked
    after = [k for k, unit in enumerate(q.content) if unit.position >= end]
    if after and q.content[after[0]].position == end:
        return after[0]
    before = [k for k, unit in enumerate(q.content) if unit.position < start]
    return before[-1] if before else (after[0] if after else None)


def _known(index: SearchIndex, words: Sequence[Syllable]) -> bool:
    """Whether the knowledge holds these words anywhere (as a phrase when several)."""
    if len(words) == 1:
        return index.document_frequency(index_terms.lookup_term(words[0])) > 0
    return all(
        index.document_frequency(index_terms.pair_term(a.folded, b.folded)) > 0
        for a, b in itertools.pairwise(words)
    )


def _count(view: PassageView, kind: TermKind, parts: tuple[str, ...]) -> int:
    """How often a term occurs in a view (the ``w:`` compounds are not in views)."""
    if kind is TermKind.FOLDED:
        return len(view.by_fold.get(parts[0], _NOWHERE))
    if kind is TermKind.ACCENTED:
        return len(view.by_accent.get(parts[0], _NOWHERE))
    if kind is TermKind.PAIR:
        first, second = parts
        if second not in view.by_fold:  # "second" is one of the words either way
            return 0
        words, runs = view.words, view.terms.runs
        count = 0
        for i in view.by_fold.get(first, _NOWHERE):
            j = i + 1
            if (j < len(words) and runs[j] == runs[i] and words[j].folded == second) or (
                j + 1 < len(words)
                and runs[j + 1] == runs[i]
                and words[j].folded == "so"
                and words[j + 1].folded == second
                and second.isdigit()
            ):
                count += 1
        return count
    return 0


def bm25_by_kind(
    ctx: QuestionContext, view: PassageView, title: PassageView, length: int
) -> dict[TermKind, float]:
    """The passage's BM25 score split by term kind (tf counted in the passage and its title,
    which the index counts as one document)."""
    norm = _K1 * (1 - _B + _B * length / ctx.average_length)
    in_title = ctx.title_counts(title)
    by_fold, by_accent = view.by_fold, view.by_accent
    by_kind = ctx._by_kind
    # Each kind's sum is added in the query's order, as one sum per kind.
    folded = 0.0
    for at, (key,), idf in by_kind[TermKind.FOLDED]:
        tf = len(by_fold.get(key, _NOWHERE)) + in_title[at]
        if tf:
            folded += idf * tf * (_K1 + 1) / (tf + norm)
    accented = 0.0
    for at, (key,), idf in by_kind[TermKind.ACCENTED]:
        tf = len(by_accent.get(key, _NOWHERE)) + in_title[at]
        if tf:
            accented += idf * tf * (_K1 + 1) / (tf + norm)
    pair = 0.0
    for at, parts, idf in by_kind[TermKind.PAIR]:
        tf = in_title[at]
        if parts[0] in by_fold and parts[1] in by_fold:  # both words, for the pair to be
            tf += _count(view, TermKind.PAIR, parts)
        if tf:
            pair += idf * tf * (_K1 + 1) / (tf + norm)
    return {
        TermKind.FOLDED: folded,
        TermKind.ACCENTED: accented,
        TermKind.PAIR: pair,
        TermKind.WORD: 0.0,
    }


def _longest_run(ctx: QuestionContext, view: PassageView, start: int, end: int) -> int:
    """The longest stretch of the question's syllables the sentence repeats in order."""
    best = 0
    previous: dict[int, int] = {}
    by_fold = view.by_fold
    for folded in ctx.sequence:
        current = {}
        for j in by_fold.get(folded, _NOWHERE):
            if start <= j < end:
                length = previous.get(j - 1, 0) + 1
                current[j] = length
                best = max(best, length)
        previous = current
    return best


def _longest_runs(ctx: QuestionContext, view: PassageView) -> list[int]:
    """`_longest_run` of every sentence of the view, in one pass over the question: a stretch
    never continues from one sentence into the next."""
    best = [0] * view.sentence_count
    previous: dict[int, int] = {}
    by_fold = view.by_fold
    sentence_of = view.sentences
    for folded in ctx.sequence:
        current = {}
        for j in by_fold.get(folded, _NOWHERE):
            sentence = sentence_of[j]
            before = previous.get(j - 1, 0)
            length = before + 1 if before and sentence_of[j - 1] == sentence else 1
            current[j] = length
            if length > best[sentence]:
                best[sentence] = length
        previous = current
    return best


def _by_sentence(positions: tuple[int, ...], starts: Sequence[int]) -> list[tuple[int, ...]]:
    """Sorted positions, cut sentence by sentence (`starts`: each sentence's first word, then
    the end)."""
    if not positions:
        return [_NOWHERE] * (len(starts) - 1)
    cut = []
    low = 0
    for end in starts[1:]:
        high = bisect_left(positions, end, low)
        cut.append(positions[low:high])
        low = high
    return cut


def _proximity(lists: Sequence[Sequence[int]], units: int) -> float:
    """How tightly the matched units sit together: 1.0 when side by side."""
    lists = [places for places in lists if places]
    if len(lists) < 2:
        return (1.0 if lists else 0.0) * len(lists) / max(1, units)
    events = sorted((pos, unit) for unit, places in enumerate(lists) for pos in places)
    need, have, counts, best, left = len(lists), 0, [0] * len(lists), 0, 0
    for right_pos, unit in events:
        counts[unit] += 1
        have += counts[unit] == 1
        while have == need:
            left_pos, left_unit = events[left]
            span = right_pos - left_pos + 1
            best = span if not best or span < best else best
            counts[left_unit] -= 1
            have -= counts[left_unit] == 0
            left += 1
    return min(1.0, need / best) * need / units if best else 0.0


def _count_positions(words: Sequence[Syllable], start: int, end: int) -> list[int]:
    """Numbers that count things: not years, dates or numbered names; and words that give a
    share without a figure ("hầu hết", "tất cả")."""
    counts = []
    for i in range(start, end):
        word = words[i]
        if word.folded not in _COUNTING_FIRSTS and not word.folded.isdigit():
            continue  # neither a number nor the start of a share or a number word
        if _SHARES.longest_at(words, i) or (
            word.accented is not None and _COUNT_WORDS.longest_at(words, i)
        ):
            counts.append(i)
            continue
        if not word.folded.isdigit():
            continue
        j = i
        while j > start and words[j - 1].folded.isdigit():
            j -= 1
        k = i
        while k + 1 < end and words[k + 1].folded.isdigit():
            k += 1
        previous = words[i - 1] if i > start else None
        named = j == i and any(
            is_capitalized(w) and w.folded not in SENTENCE_STARTERS
            for w in words[max(start, i - 2) : i]
        )
        if (
            k - j + 1 >= 3
            or is_year(word)
            or named
            or (previous is not None and j == i and previous.folded in _NAMING_FOLDS)
        ):
            continue
        counts.append(i)
    return counts


def _role_holder(q: Question, view: PassageView, start: int, end: int) -> bool:
    """The position asked about appears as asked (not its deputy: "Phó ...") with a
    person's name near it (or, for "Ai làm ...?", any named person or body)."""
    role = q.role
    size = len(role)
    words = view.words
    if q.role_needs_person:
        names = [a for a, _ in found_in(view, find_people, start, end)]
    else:
        names = [
            i
            for i in range(start, end)
            if is_capitalized(words[i]) and words[i].folded not in SENTENCE_STARTERS
        ]
    for i in range(start, end - size + 1):
        if not all(same(words[i + k], role[k]) for k in range(size)):
            continue
        if i > start and words[i - 1].folded == "pho" and role[0].folded != "pho":
            continue
        if any(
            i - ROLE_NAME_BEFORE <= n <= i + size + ROLE_NAME_AFTER and not i <= n < i + size
            for n in names
        ):
            return True
    return False


@dataclass(frozen=True, slots=True)
class PassageFacts:
    """What one candidate passage gives its sentences' rows."""

    position: int
    rank: int
    paragraph: int
    first_part: bool  # the passage starts its paragraph
    bm25: float
    length: int  # BM25's document length of the passage
    title: PassageView
    lead: Container[str]


_AT = INDEX
_BM25, _BM25_RANK = _AT["bm25"], _AT["bm25_rank"]
_BM25_FOLDED, _BM25_ACCENTED = _AT["bm25_folded"], _AT["bm25_accented"]
_BM25_PAIR, _BM25_WORD = _AT["bm25_pair"], _AT["bm25_word"]
_COVERAGE, _COVERAGE_WINDOW = _AT["coverage"], _AT["coverage_window"]
_COVERAGE_PASSAGE, _COVERAGE_TITLE = _AT["coverage_passage"], _AT["coverage_title"]
_COVERAGE_STORY, _COVERAGE_FOLDED = _AT["coverage_story"], _AT["coverage_folded"]
_MATCHED_SHARE, _MISSING_WEIGHT = _AT["matched_share"], _AT["missing_weight"]
_PAIRS, _PAIRS_WINDOW = _AT["pairs"], _AT["pairs_window"]
_LONGEST_RUN, _PROXIMITY, _NOVEL_SHARE = _AT["longest_run"], _AT["proximity"], _AT["novel_share"]
_ANSWER_WINDOW, _ANSWER_NEAR = _AT["answer_window"], _AT["answer_near"]
_ANSWER_WHICH, _ANSWER_PERSON = _AT["answer_which"], _AT["answer_person"]
_ANSWER_MONEY, _ANSWER_ANCHOR = _AT["answer_money"], _AT["answer_anchor"]
_KIND_SENTENCE, _KIND_WINDOW = _AT["kind_sentence"], _AT["kind_window"]
_LIST_ANNOUNCED, _ROLE_HOLDER = _AT["list_announced"], _AT["role_holder"]
_COUNT_NEAR_FOCUS = _AT["count_near_focus"]
_NAMES_SENTENCE, _NAMES_MISSING = _AT["names_sentence"], _AT["names_missing"]
_NUMBERS_SENTENCE, _NUMBERS_MISSING = _AT["numbers_sentence"], _AT["numbers_missing"]
_FIRST_PARAGRAPH, _FIRST_SENTENCE = _AT["first_paragraph"], _AT["first_sentence"]
_PARAGRAPH_POSITION, _SENTENCE_WORDS = _AT["paragraph_position"], _AT["sentence_words"]


def passage_rows(
    ctx: QuestionContext, view: PassageView, facts: PassageFacts, best_bm25: float
) -> tuple[list[list[float]], list[tuple[str, ...]]]:
    """One row of `FEATURES` for each sentence of the passage, and the answers each sentence
    gives (`answer_key`, the nearest the question's words first), to compare candidates."""
    q = ctx.q
    weights = ctx.weights
    sentences = view.sentence_count
    starts = view.sentence_starts
    matches = [match_unit(unit, view) for unit in ctx.units]
    title_credit = ctx.credits_in(facts.title.terms)
    lead_credit = ctx.credits_in(facts.lead)
    passage_credit = [max(m.credits.values()) if m.credits else 0.0 for m in matches]
    story = [
        max(p, TITLE_CREDIT * t, LEAD_CREDIT * lead)
        for p, t, lead in zip(passage_credit, title_credit, lead_credit, strict=True)
    ]
    scale = best_bm25 if best_bm25 > 0 else 1.0
    kinds = bm25_by_kind(ctx, view, facts.title, facts.length)
    in_story = _story_holds(view, facts)
    # The features every sentence of the passage shares; the answer types' are 0.0 unless set.
    shared = [0.0] * len(FEATURES)
    shared[_BM25] = facts.bm25 / scale
    shared[_BM25_RANK] = math.log1p(facts.rank)
    shared[_BM25_FOLDED] = kinds[TermKind.FOLDED] / scale
    shared[_BM25_ACCENTED] = kinds[TermKind.ACCENTED] / scale
    shared[_BM25_PAIR] = kinds[TermKind.PAIR] / scale
    shared[_BM25_WORD] = max(0.0, facts.bm25 - sum(kinds.values())) / scale
    shared[_COVERAGE_PASSAGE] = _weighted(weights, passage_credit)
    shared[_COVERAGE_TITLE] = _weighted(weights, title_credit)
    shared[_COVERAGE_STORY] = _weighted(weights, story)
    if ctx.names:
        shared[_NAMES_MISSING] = _share(ctx.names, lambda name: not all(map(in_story, name)))
    if ctx.numbers:
        shared[_NUMBERS_MISSING] = _share(ctx.numbers, lambda n: not in_story(n))
    shared[_FIRST_PARAGRAPH] = float(facts.paragraph == 1)
    shared[_PARAGRAPH_POSITION] = math.log1p(facts.paragraph)
    shared[_NAMES_SENTENCE] = shared[_NUMBERS_SENTENCE] = 1.0  # when the question has none
    sentence_of = view.sentences
    by_fold = view.by_fold
    # How many of the question's word pairs each sentence holds, and holds around it.
    pairs_here = [0] * sentences
    pairs_around = [0] * sentences
    for pair in ctx.pairs:
        together = _pair_sentences(view, pair)
        if not together:
            continue
        for k in together:
            pairs_here[k] += 1
        for k in {j for t in together for j in (t - 1, t, t + 1) if 0 <= j < sentences}:
            pairs_around[k] += 1
    kinds_at = ctx._kinds_at
    units = len(matches)
    # Each unit: its weight, its credits by sentence, whether the title holds it whole (then
    # it is never missing); and sentence by sentence the matched words of the units that
    # have some there (positions are sorted: cut by sentence once).
    held = [
        (w, m.credits, t >= 1.0) for w, m, t in zip(weights, matches, title_credit, strict=True)
    ]
    placed: list[list[tuple[int, ...]]] = [[] for _ in range(sentences)]
    for m in matches:
        if m.positions:
            for k, places in enumerate(_by_sentence(m.positions, starts)):
                if places:
                    placed[k].append(places)
    anchor = _by_sentence(matches[ctx.anchor].positions, starts) if ctx.anchor is not None else None
    subject = matches[-1].positions if matches else ()
    longest = _longest_runs(ctx, view) if ctx.sequence else [0] * sentences
    sequence_size = max(1, len(ctx.sequence))
    # How many of the question's names (all their words) and numbers each sentence holds.
    names_held = [0] * sentences
    if ctx.names:
        for name in ctx.names:
            holding = set(range(sentences))  # a sentence holds a name with all its words
            for f in name:
                holding &= {sentence_of[i] for i in by_fold.get(f, _NOWHERE)}
            for k in holding:
                names_held[k] += 1
    numbers_held = [0] * sentences
    for n in ctx.numbers:
        for k in {sentence_of[i] for i in by_fold.get(n, _NOWHERE)}:
            numbers_held[k] += 1
    rule_at = _AT.get(ctx.rule.feature)
    quantity = q.answer_type is AnswerType.QUANTITY
    # What each sentence holds on its own, for the sentence's row and its neighbours'.
    answers: list[float] = []
    kind_found: list[float] = []
    kind_at_end: list[bool] = []
    found_spans: list[list[Span]] = []
    matched_in: list[set[int]] = []
    rows: list[list[float]] = []
    for k in range(sentences):
        start, end = starts[k], starts[k + 1]
        matched_here = placed[k]
        matched = set().union(*matched_here)
        size = end - start
        spans = novel_answers(ctx, view, start, end, matched, subject)
        found_spans.append(spans)
        matched_in.append(matched)
        answers.append(float(bool(spans)))
        kind_found.append(
            float(all(matches[j].credits.get(k, 0.0) >= 1.0 for j in kinds_at)) if kinds_at else 1.0
        )
        kind_at_end.append(announces(ctx, matches, start, end))
        row = shared.copy()
        # The weighted sums over the units, in their order (a unit with no credit adds 0.0,
        # which changes no sum: it is skipped), and the heaviest unit missing around here.
        coverage = folded = coverage_window = missing = 0.0
        whole = 0
        for w, credits, in_title in held:
            if credits:
                c = credits.get(k, 0.0)
                if c:
                    coverage += w * c
                    folded += w
                    if c >= 1.0:
                        whole += 1
                window = max(
                    c, NEIGHBOUR_CREDIT * max(credits.get(k - 1, 0.0), credits.get(k + 1, 0.0))
                )
                if window:
                    coverage_window += w * window
                if window < 1.0 and not in_title and w > missing:
                    missing = w
            elif not in_title and w > missing:
                missing = w
        row[_COVERAGE] = coverage
        row[_COVERAGE_FOLDED] = folded
        row[_MATCHED_SHARE] = whole / units if units else 0.0
        row[_COVERAGE_WINDOW] = coverage_window
        row[_MISSING_WEIGHT] = missing
        if ctx.pairs:
            row[_PAIRS] = pairs_here[k] / len(ctx.pairs)
            row[_PAIRS_WINDOW] = pairs_around[k] / len(ctx.pairs)
        row[_LONGEST_RUN] = longest[k] / sequence_size
        row[_PROXIMITY] = _proximity(matched_here, units)
        row[_NOVEL_SHARE] = 1.0 - len(matched) / size if size else 0.0
        if spans:
            if rule_at is not None:
                row[rule_at] = 1.0
            row[_ANSWER_NEAR] = _nearness(spans, matched)
            if anchor is not None:
                row[_ANSWER_ANCHOR] = _nearness(spans, set(anchor[k]))
        if kinds_at:
            row[_ANSWER_WHICH] = float(_which_named(view, matches, kinds_at, start, end, matched))
        if ctx.asks_person:
            row[_ANSWER_PERSON] = float(
                any(
                    any(i not in matched for i in range(a, b))
                    for a, b in found_in(view, find_people, start, end)
                )
            )
        if ctx.asks_money:
            row[_ANSWER_MONEY] = float(
                any(
                    any(i not in matched for i in range(a, b))
                    for a, b in found_in(view, find_money, start, end)
                )
            )
        if q.role:
            row[_ROLE_HOLDER] = float(_role_holder(q, view, start, end))
        if quantity and size:
            row[_COUNT_NEAR_FOCUS] = float(_count_near_focus(ctx, view, matches, start, end))
        if ctx.names:
            row[_NAMES_SENTENCE] = names_held[k] / len(ctx.names)
        if ctx.numbers:
            row[_NUMBERS_SENTENCE] = numbers_held[k] / len(ctx.numbers)
        row[_FIRST_SENTENCE] = float(facts.first_part and k == 0)
        row[_SENTENCE_WORDS] = math.log1p(size)
        rows.append(row)
    for k, row in enumerate(rows):
        row[_ANSWER_WINDOW] = max(answers[max(0, k - 1) : k + 2])
        row[_KIND_SENTENCE] = kind_found[k]
        row[_KIND_WINDOW] = max(kind_found[max(0, k - 1) : k + 2])
        # "... với một số nhiệm vụ cụ thể." announces the list the next sentence gives.
        row[_LIST_ANNOUNCED] = float(k > 0 and kind_at_end[k - 1])
    keys: list[tuple[str, ...]] = []
    for k in range(sentences):
        found: list[Span] = []
        if answers[k]:  # `answer_spans` of the sentence, from what the row worked out
            start, end = starts[k], starts[k + 1]
            exact = {i for match in matches for i in match.exact if start <= i < end}
            found = _nearest_first(found_spans[k], exact or matched_in[k])
        keys.append(tuple(answer_key(view, span) for span in found))
    return rows, keys


def announces(ctx: QuestionContext, matches: Sequence[UnitMatch], start: int, end: int) -> bool:
    """Whether a sentence ends naming the kind of items a list question asks for ("... với
    một số nhiệm vụ cụ thể."): the items follow in the next sentence."""
    if ctx.q.answer_type is not AnswerType.LIST:
        return False
    tail = max(start, end - ANNOUNCING_TAIL)
    return any(
        tail <= i < end
        for unit, match in zip(ctx.units, matches, strict=True)
        if unit.is_kind
        for i in match.positions
    )


def _weighted(weights: Sequence[float], credits: Sequence[float]) -> float:
    if len(weights) != len(credits):
        raise ValueError("a weight for each credit")
    total: float = sum(map(operator.mul, weights, credits))  # the products, summed in order
    return total


def _share(items: Sequence[_T], test: Callable[[_T], bool], empty: float = 0.0) -> float:
    """The share of items that pass the test; `empty` when there are none."""
    if not items:
        return empty
    return sum(1 for item in items if test(item)) / len(items)


def found_in(view: PassageView, finder: Finder, start: int, end: int) -> list[Span]:
    """What an answer type's finder finds in the sentence view[start:end], worked out once
    per passage view (the finders read the passage only, never the question)."""
    key = (finder, start, end)
    spans = view.found.get(key)
    if spans is None:
        sentence = Sentence(view.words, view.terms.runs, start, end)
        derived = DERIVED.get(finder)
        if derived is None:
            spans = finder(sentence)
        else:  # from another finder's spans, kept too
            source, read = derived
            spans = read(sentence, found_in(view, source, start, end))
        view.found[key] = spans
    return spans


def novel_answers(
    ctx: QuestionContext,
    view: PassageView,
    start: int,
    end: int,
    matched: set[int],
    subject: Sequence[int] = (),
) -> list[Span]:
    """Spans of the sentence that could answer (the question's kind of answer) and say
    something the question did not; after the question's subject when the kind of answer
    follows it ("Chỉ thị 28 *về* ...", "VNCERT *là* ...")."""
    if ctx.rule.answer_type is AnswerType.OTHER or end <= start:
        return []
    spans = [
        (a, b)
        for a, b in found_in(view, ctx.rule.find, start, end)
        if any(i not in matched for i in range(a, b))
    ]
    if ctx.rule.after_subject:
        first = min((i for i in subject if start <= i < end), default=None)
        spans = [(a, b) for a, b in spans if first is not None and a > first]
    return spans


def answer_spans(
    ctx: QuestionContext, view: PassageView, matches: Sequence[UnitMatch], start: int, end: int
) -> list[Span]:
    """The sentence's answers of the kind asked for (`novel_answers`), nearest the question's
    own words first (exact matches, not lookalikes such as "diễn biến" for "diễn ra")."""
    matched = {i for match in matches for i in match.positions if start <= i < end}
    exact = {i for match in matches for i in match.exact if start <= i < end}
    subject = matches[-1].positions if matches else ()
    spans = novel_answers(ctx, view, start, end, matched, subject)
    return _nearest_first(spans, exact or matched)


def _nearest_first(spans: list[Span], near: set[int]) -> list[Span]:
    """The spans, nearest the words `near` first (as they are when `near` is empty)."""
    if not near:
        return spans
    ordered = sorted(near)

    def distance(span: Span) -> int:
        return min(_distance(ordered, span[0]), _distance(ordered, span[1] - 1))

    return sorted(spans, key=lambda span: (distance(span), span))


def _distance(ordered: Sequence[int], i: int) -> int:
    """min(abs(i - m) for m in ordered), for sorted, non-empty `ordered`."""
    at = bisect_left(ordered, i)
    if at == len(ordered):
        return i - ordered[-1]
    if at == 0:
        return ordered[0] - i
    return min(ordered[at] - i, i - ordered[at - 1])


def answer_key(view: PassageView, span: Span) -> str:
    """An answer as candidates are compared by: its words' letters ("26 2 2014")."""
    return " ".join(w.folded for w in view.words[span[0] : span[1]])


def _nearness(spans: Sequence[Span], matched: set[int]) -> float:
    """1.0 when an answer touches the question's words, less the further it is."""
    if not spans or not matched:
        return 0.0
    ordered = sorted(matched)
    distance = min(min(_distance(ordered, a), _distance(ordered, b - 1)) for a, b in spans)
    return 1.0 / (1.0 + max(0, distance - 1) / NEAR)


def _which_named(
    view: PassageView,
    matches: Sequence[UnitMatch],
    kinds_at: Sequence[int],
    start: int,
    end: int,
    matched: set[int],
) -> bool:
    """ "Công ty nào ...?" answered by "Công ty Formosa": the kind noun the question asks
    with, followed in the sentence by a name or a word the question does not have."""
    words, runs = view.words, view.terms.runs
    for k in kinds_at:
        places = [i for i in matches[k].positions if start <= i < end]
        for i in places:
            j = i + 1
            while j in places:
                j += 1
            if (
                j < end
                and runs[j] == runs[i]
                and j not in matched
                and (is_capitalized(words[j]) or words[j].folded.isdigit())
            ):
                return True
    return False


def _story_holds(view: PassageView, facts: PassageFacts) -> Callable[[str], bool]:
    title = facts.title.by_fold
    lead = facts.lead

    def holds(folded: str) -> bool:
        return folded in view.by_fold or folded in title or index_terms.folded_term(folded) in lead

    return holds


def _pair_sentences(view: PassageView, pair: tuple[str, str]) -> set[int]:
    first, second = pair
    words, runs = view.words, view.terms.runs
    found = set()
    for i in view.by_fold.get(first, _NOWHERE):
        j = i + 1
        if j < len(words) and runs[j] == runs[i] and words[j].folded == second:
            found.add(view.sentences[i])
    return found


def _count_near_focus(
    ctx: QuestionContext, view: PassageView, matches: list[UnitMatch], start: int, end: int
) -> bool:
    """A number that counts sits next to what the question counts (or, when the question
    does not say, next to any of its words)."""
    q = ctx.q
    wanted = q.focus or tuple(range(len(q.content)))
    places = [i for k in wanted for i in matches[k].positions if start <= i < end]
    if not places:
        return False
    if q.any_number:
        counts = [i for i in range(start, end) if view.words[i].folded.isdigit()]
    else:
        counts = _count_positions(view.words, start, end)
    return any(p - NUMBER_BEFORE <= n <= p + NUMBER_AFTER for n in counts for p in places)
