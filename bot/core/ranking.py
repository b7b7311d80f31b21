"""Ranking passages for a question, and judging whether the best one answers it.

Two stages. BM25 (rank-bm25's BM25Okapi) picks candidate passages; each candidate is then
judged by its *coverage*: the share of the question's content units it holds, each weighted
by its rarity in the knowledge, blended with the share of the question's word pairs it keeps
together. Ranking adds the BM25 score, how close together the matched words sit, and whether
the passage holds the kind of answer asked for (a date for "khi nào", a name for "ai", ...).
Only coverage decides whether a question is answered at all: a positive BM25 score merely
says that some word is shared.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.index import SearchIndex
from bot.core.model import Passage
from bot.core.questions import AnswerType, ContentUnit, Question
from bot.core.text import Syllable, Tokenizer
from bot.core.views import PassageView as _PassageView
from bot.core.views import view_of_runs, view_of_text

CANDIDATES = 40  # passages re-judged after BM25
TITLE_CREDIT = 0.7  # a word found only in the article's title counts for less
UNMARKED_MATCH_CREDIT = 0.25  # "hôi" typed, "hồi" found: the letters agree, the tones do not
SPLIT_PHRASE_CREDIT = 0.6  # a phrase whose syllables are all there, but not together
PAIR_SHARE = 0.35  # share of coverage given to keeping the question's word pairs together
QUANTITY_WITHOUT_NUMBER = 0.7  # coverage kept by a "bao nhiêu" passage with no number near

_DATE_RE = re.compile(
    r"\d{1,2}\s*[-/]\s*\d{1,2}(?:\s*[-/]\s*\d{2,4})?|\b(?:ngày|tháng|năm|hôm|sáng|chiều|tối)\s+"
    r"(?:\d|nay|qua|mai)",
    re.IGNORECASE,
)
_NAME_RE = re.compile(r"(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s+){2,}[A-ZĐÀ-Ỹ][\wÀ-ỹ]*")
_NUMBER_RE = re.compile(r"\d")
# A name followed by a position: "Nguyễn Quốc Bảo - Phó Bí thư Thường trực Tỉnh ủy".
_ROLE_RE = re.compile(
    r"(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s+){1,3}[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s*[-–,(]\s*(?:nguyên\s+)?"
    r"(?:Phó|Ủy viên|Uỷ viên|Bí thư|Chủ tịch|Giám đốc|Trưởng|Tổng|Bộ trưởng|Thứ trưởng|"
    r"Đại biểu|Chánh|Viện trưởng|Tỉnh ủy viên|Tỉnh uỷ viên|Thiếu tướng|Trung tướng|Đại tá|"
    r"Thượng tá|Trung tá|Thiếu tá|Hiệu trưởng|Chỉ huy)"
)
_PLACE_RE = re.compile(
    r"\b(?:tại|ở)\s+[A-ZĐÀ-Ỹ]|(?:tỉnh|huyện|xã|phường|quận|thành phố|thị xã|TP\.?|"
    r"Tỉnh ủy|Tỉnh uỷ|Huyện ủy|Huyện uỷ|Thành ủy|Thành uỷ)\s+[A-ZĐÀ-Ỹ]"
)
_VE = "vê2"  # the accent key of "về" ("about")
_TYPE_PATTERNS = {
    AnswerType.WHEN: _DATE_RE,
    AnswerType.ROLE: _ROLE_RE,
    AnswerType.WHO: _NAME_RE,
    AnswerType.QUANTITY: _NUMBER_RE,
    AnswerType.WHERE: _PLACE_RE,
}


@dataclass(frozen=True, slots=True)
class Judged:
    position: int  # of the passage in the index
    bm25: float
    coverage: float
    rank: float


class Ranker:
    def __init__(
        self,
        index: SearchIndex,
        passages: Sequence[Passage],
        tokenizer: Tokenizer,
        title_of: Callable[[int], str],
        runs: Sequence[str] | None = None,
    ) -> None:
        self.index = index
        self._runs = runs  # per passage, its syllable runs (views.encode_runs), if known
        self.passages = passages
        self.tokenizer = tokenizer
        self._title_of = title_of
        self._view = lru_cache(maxsize=16384)(self._passage_view)
        self._title_terms = lru_cache(maxsize=16384)(self._article_title_terms)

    # --- Views of passages (cached: the same passages come back for related questions) --

    def _passage_view(self, position: int) -> _PassageView:
        if self._runs is not None:
            return view_of_runs(self._runs[position], self.tokenizer)
        return view_of_text(self.passages[position].text, self.tokenizer)

    def _article_title_terms(self, article_id: int) -> frozenset[str]:
        return frozenset(self.tokenizer.analyze(self._title_of(article_id), segment=False).terms)

    # --- Matching -----------------------------------------------------------------------

    @staticmethod
    def _word_credit(word: Syllable, terms: Container[str]) -> float:
        if word.accented is not None:
            if "a:" + word.accented in terms:
                return 1.0
            return UNMARKED_MATCH_CREDIT if "f:" + word.folded in terms else 0.0
        return 1.0 if "f:" + word.folded in terms else 0.0

    def _spelling_credit(self, spelling: Sequence[Syllable], terms: Container[str]) -> float:
        credits = [self._word_credit(word, terms) for word in spelling]
        if len(spelling) == 1:
            return credits[0]
        together = all(
            f"b:{a.folded}_{b.folded}" in terms for a, b in itertools.pairwise(spelling)
        )
        mean = sum(credits) / len(credits)
        return mean if together else mean * SPLIT_PHRASE_CREDIT

    def _unit_credit(self, unit: ContentUnit, terms: Container[str]) -> float:
        return max(self._spelling_credit(spelling, terms) for spelling in unit.spellings)

    def _unit_weight(self, unit: ContentUnit) -> float:
        return sum(
            self.index.term_weight("a:" + w.accented if w.accented else "f:" + w.folded)
            for w in unit.words
        )

    @staticmethod
    def _content_pairs(q: Question) -> list[str]:
        """Adjacent content words of the question, as the index writes word pairs."""
        content: dict[int, Syllable] = {}
        for unit in q.content:
            if len(unit.words) == 1:
                content[unit.position] = unit.words[0]
        return [
            f"b:{content[i].folded}_{content[i + 1].folded}" for i in content if i + 1 in content
        ]

    def coverage(self, q: Question, position: int) -> float:
        weights = [self._unit_weight(unit) for unit in q.content]
        return self._coverage(q, position, weights, self._content_pairs(q))

    def _coverage(
        self, q: Question, position: int, weights: Sequence[float], pairs: Sequence[str]
    ) -> float:
        """`coverage` with the question's unit weights and word pairs worked out once."""
        view = self._view(position)
        title = self._title_terms(self.passages[position].article_id)
        total = got = 0.0
        for unit, weight in zip(q.content, weights, strict=True):
            total += weight
            credit = self._unit_credit(unit, view.terms)
            if credit < 1.0:
                credit = max(credit, TITLE_CREDIT * self._unit_credit(unit, title))
            got += weight * credit
        coverage = got / total if total else 0.0
        if pairs:
            kept = sum(
                1.0 if p in view.terms else TITLE_CREDIT if p in title else 0.0 for p in pairs
            )
            coverage = (1 - PAIR_SHARE) * coverage + PAIR_SHARE * kept / len(pairs)
        if q.answer_type is AnswerType.QUANTITY and not self._number_near_match(q, view):
            coverage *= QUANTITY_WITHOUT_NUMBER
        return coverage

    @staticmethod
    def _unit_positions(unit: ContentUnit, view: _PassageView) -> list[int]:
        places: set[int] = set()
        words = view.words
        last = len(words)
        for spelling in unit.spellings:
            size = len(spelling)
            if size == 0:  # matches everywhere; never made by `understand`
                places.update(range(last + 1))
                continue
            first, rest = spelling[0], spelling[1:]
            for i in view.starts(first):
                if i + size > last:
                    break
                if all(_same(words[i + k], wanted) for k, wanted in enumerate(rest, start=1)):
                    places.add(i)
        return sorted(places)

    def _match_positions(self, q: Question, view: _PassageView) -> list[list[int]]:
        """For each content unit, where in the passage it starts (exact matches only)."""
        return [self._unit_positions(unit, view) for unit in q.content]

    def proximity(self, q: Question, position: int) -> float:
        """How tightly the matched content units sit together: 1.0 when side by side."""
        lists = [p for p in self._match_positions(q, self._view(position)) if p]
        if len(lists) < 2:
            return 1.0 if lists else 0.0
        events = sorted((pos, unit) for unit, places in enumerate(lists) for pos in places)
        need, have, counts, best, left = len(lists), 0, [0] * len(lists), None, 0
        for right_pos, unit in events:
            counts[unit] += 1
            have += counts[unit] == 1
            while have == need:
                left_pos, left_unit = events[left]
                span = right_pos - left_pos + 1
                best = span if best is None or span < best else best
                counts[left_unit] -= 1
                have -= counts[left_unit] == 0
                left += 1
        return min(1.0, need / best) if best else 0.0

    def _number_near_match(self, q: Question, view: _PassageView) -> bool:
        places = [p for places in self._match_positions(q, view) for p in places]
        numbers = [i for i, w in enumerate(view.words) if w.folded.isdigit()]
        return any(abs(n - p) <= 4 for n in numbers for p in places)

    def has_answer_type(self, q: Question, position: int) -> bool:
        text = self.passages[position].text
        pattern = _TYPE_PATTERNS.get(q.answer_type)
        if pattern is not None:
            return pattern.search(text) is not None
        if q.answer_type is AnswerType.ABOUT:
            # "Chỉ thị 28 về vấn đề gì?": the topic follows "về" shortly after the subject.
            subject = [u for u in q.content if u.words[-1].folded != "ve"]
            if not subject:
                return False
            view = self._view(position)
            return any(
                word.accented == _VE
                for start in self._unit_positions(subject[-1], view)
                for word in view.words[start + 1 : start + 12]
            )
        return False

    def matched_words(self, q: Question, position: int) -> tuple[str, ...]:
        """Surface words of the passage that match the question, for highlighting."""
        view = self._view(position)
        matched: dict[str, None] = {}
        for places, unit in zip(self._match_positions(q, view), q.content, strict=True):
            size = min(len(s) for s in unit.spellings)
            for i in places:
                for word in view.words[i : i + max(size, 1)]:
                    matched.setdefault(word.surface, None)
        return tuple(matched)

    # --- The two stages -----------------------------------------------------------------

    def query_terms(self, q: Question) -> list[str]:
        """BM25 query: the question's terms without its question words, plus synonyms."""
        content_words = [w for unit in q.content for w in unit.words]
        content_folds = {w.folded for w in content_words}
        content_accents = {w.accented for w in content_words if w.accented}
        stop_folds = {w.folded for w in q.analyzed.syllables} - content_folds
        stop_accents = {w.accented for w in q.analyzed.syllables if w.accented} - content_accents
        terms: list[str] = []
        for term in q.analyzed.terms:
            kind, body = term[0], term[2:]
            parts = body.split("_")
            if (
                (kind == "f" and body in stop_folds)
                or (kind == "a" and body in stop_accents)
                or (kind == "b" and all(part in stop_folds for part in parts))
                or (kind == "w" and all(p in stop_accents or p in stop_folds for p in parts))
            ):
                continue
            terms.append(term)
        # Synonyms add their phrase, not their separate words: "cuộc họp" should find
        # "hội nghị", not every passage that mentions "họp".
        extra: dict[str, None] = {}
        for unit in q.content:
            for spelling in unit.alternatives:
                if len(spelling) == 1:
                    word = spelling[0]
                    extra["a:" + word.accented if word.accented else "f:" + word.folded] = None
                for a, b in itertools.pairwise(spelling):
                    extra[f"b:{a.folded}_{b.folded}"] = None
        return terms + [t for t in extra if t not in terms]

    def judge(self, q: Question) -> list[Judged]:
        candidates = self.index.top(self.query_terms(q), CANDIDATES)
        if not candidates:
            return []
        best_bm25 = max(score for _, score in candidates)
        scale = best_bm25 if best_bm25 > 0 else 1.0
        weights = [self._unit_weight(unit) for unit in q.content]
        pairs = self._content_pairs(q)
        judged = []
        for position, score in candidates:
            coverage = self._coverage(q, position, weights, pairs)
            rank = 0.35 * max(score, 0.0) / scale + 0.55 * coverage
            rank += 0.1 * self.proximity(q, position)
            if self.has_answer_type(q, position):
                rank += 0.1
            judged.append(Judged(position, score, coverage, rank))
        judged.sort(key=lambda j: (-j.rank, j.position))
        return judged


def _same(found: Syllable, wanted: Syllable) -> bool:
    if wanted.accented is not None:
        return found.accented == wanted.accented
    return found.folded == wanted.folded
