"""Ranking the sentences of the articles for a question, and judging whether the best answers.

BM25 (rank-bm25's BM25Okapi scores, ``index.py``) picks the candidate passages; every
sentence of them becomes a row of named features (``features.py``); the fitted model
(``fitted.py``) scores the rows, and its refusal part gives the probability that the quote
built around the best sentence answers the question. A positive BM25 score only says that
some word is shared: whether to answer is the fitted probability's call.
"""

from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache, partial

import numpy as np

from bot.core import terms as index_terms
from bot.core.answer_types import AnswerType, Sentence, find_people
from bot.core.features import (
    ANSWER_FEATURES,
    FEATURES,
    INDEX,
    PassageFacts,
    QuestionContext,
    announces,
    answer_spans,
    match_unit,
    passage_rows,
)
from bot.core.fitted import ANSWERABILITY, FittedModel
from bot.core.index import SearchIndex
from bot.core.model import Passage
from bot.core.phrases import Span
from bot.core.questions import Question
from bot.core.text import Syllable, Tokenizer
from bot.core.timings import StageClock
from bot.core.views import PassageView, view_of_runs, view_of_text, words_of_runs

# Passages whose sentences are judged after BM25: 12 judges as well as 15 did on the
# validation part (answerable right 0.748 against 0.747, first quote right 0.836 against
# 0.838) for a fifth less of the ask's time.
CANDIDATE_PASSAGES = 12
# Views (and titles' views, leads' terms) kept for the questions that follow. A view costs
# about 12 kB and 40-70 us to build; at 10,000 articles a first pass over 1,385 questions
# built 10,873 views with room for 16,384 and 11,326 with room for 4,096 (4 % more), for
# 67 MB less memory.
CACHED_VIEWS = 4096


@dataclass(frozen=True, slots=True)
class Candidate:
    """One sentence of a passage, as the ranker judged it."""

    position: int  # of the passage in the index
    sentence: int  # in the passage
    score: float  # the fitted ranker's score
    paragraph: tuple[int, int] = (0, 0)  # (article, paragraph) the sentence is in
    answers: tuple[str, ...] = ()  # the answers of the kind asked for it gives, best first


@dataclass(frozen=True)
class Ranking:
    """A question's candidate sentences, best first, with their features."""

    question: Question
    context: QuestionContext
    candidates: tuple[Candidate, ...]
    rows: np.ndarray  # FEATURES of each candidate, in the order of `candidates`
    best_bm25: float

    @cached_property
    def best_answerability(self) -> list[float]:
        """`answerability(0)`, computed once: every candidate's probability starts from it,
        and an answer asks for up to 40 of them."""
        return self.answerability(0)

    def answerability(self, i: int) -> list[float]:
        """The refusal model's inputs for candidate i (`fitted.ANSWERABILITY`)."""
        row = self.rows[i]
        scores = [c.score for c in self.candidates]
        others = max((s for k, s in enumerate(scores) if k != i), default=scores[i] - 5.0)
        peak = max(scores)
        exp = [math.exp(s - peak) for s in scores]
        total = sum(exp)
        shares = [e / total for e in exp]
        here = self.candidates[i].paragraph
        paragraph_share = sum(
            p for c, p in zip(self.candidates, shares, strict=True) if c.paragraph == here
        )
        article_share = sum(
            p for c, p in zip(self.candidates, shares, strict=True) if c.paragraph[0] == here[0]
        )
        entropy = -sum(p * math.log(p) for p in shares if p > 0)
        # Sentences that give the same answer back each other up ("Chỉ thị số 28 của Ban Bí
        # thư" in two paragraphs): their shares add up.
        given = self.candidates[i].answers
        agreement = (
            sum(p for c, p in zip(self.candidates, shares, strict=True) if given[0] in c.answers)
            if given
            else shares[i]
        )
        answer_found = max((row[INDEX[name]] for name in ANSWER_FEATURES), default=0.0)
        q = self.question
        typed = q.answer_type is not AnswerType.OTHER
        kind_asked = any(unit.is_kind for unit in q.content)
        values = {
            "score": scores[i],
            "margin": scores[i] - others,
            "share": shares[i],
            "paragraph_share": paragraph_share,
            "article_share": article_share,
            "entropy": entropy,
            "agreement": agreement,
            # A share of the probability means less among few sentences than among many.
            "candidates": math.log(len(scores)),
            "coverage": row[INDEX["coverage"]],
            "coverage_window": row[INDEX["coverage_window"]],
            "coverage_story": row[INDEX["coverage_story"]],
            "missing_weight": row[INDEX["missing_weight"]],
            "names_missing": row[INDEX["names_missing"]],
            "numbers_missing": row[INDEX["numbers_missing"]],
            "answer_found": answer_found,
            "answer_near": row[INDEX["answer_near"]],
            # What the question asks for, missing from the quote's centre and neighbours.
            "type_missing": float(typed and not row[INDEX["answer_window"]]),
            "count_missing": float(
                q.answer_type is AnswerType.QUANTITY and not row[INDEX["count_near_focus"]]
            ),
            "money_missing": float(self.context.asks_money and not row[INDEX["answer_money"]]),
            "role_missing": float(bool(q.role) and not row[INDEX["role_holder"]]),
            "kind_missing": float(kind_asked and not row[INDEX["kind_window"]]),
            "longest_run": row[INDEX["longest_run"]],
            "unknown_weight": self.context.unknown_weight,
            "unknown_share": self.context.unknown_share,
            "content_units": math.log1p(len(q.content)),
            "bm25_log": math.log1p(max(0.0, self.best_bm25)),
        }
        return [float(values[name]) for name in ANSWERABILITY]


def _passage_view(
    runs: Sequence[str] | None, passages: Sequence[Passage], tokenizer: Tokenizer, position: int
) -> PassageView:
    if runs is not None:
        return view_of_runs(runs[position], tokenizer)
    passage = passages[position]
    return view_of_text(passage.text, tokenizer, passage.sentence_ends)


def _title_view(
    tokenizer: Tokenizer,
    title_of: Callable[[int], str],
    title_runs: Sequence[str] | None,
    article_id: int,
) -> PassageView:
    """The title's view, from its runs when the analysis kept them."""
    if title_runs is not None:
        return view_of_runs(title_runs[article_id], tokenizer)
    return view_of_text(title_of(article_id), tokenizer)


def _passage_words(
    runs: Sequence[str] | None,
    view: Callable[[int], PassageView],
    tokenizer: Tokenizer,
    position: int,
) -> Sequence[Syllable]:
    """The passage's view's words; without building the view when it is not cached."""
    if runs is None:
        return view(position).words
    return words_of_runs(runs[position], tokenizer)


def _lead_terms(
    passages: Sequence[Passage],
    first_passage: dict[int, int],
    words: Callable[[int], Sequence[Syllable]],
    article_id: int,
) -> frozenset[str]:
    """The names and numbers of the article's first paragraph: the who, where and when
    that the rest of the story does not repeat ("Trà Vinh", "BCĐ 35")."""
    terms: set[str] = set()
    position = first_passage[article_id]
    while (
        position < len(passages)
        and passages[position].paragraph == 1
        and (passages[position].article_id == article_id)
    ):
        previous = None
        for word in words(position):
            if word.surface[:1].isupper() or word.folded.isdigit():
                terms.add(index_terms.folded_term(word.folded))
                if word.accented:
                    terms.add(index_terms.accented_term(word.accented))
                if previous is not None:
                    terms.add(index_terms.pair_term(previous.folded, word.folded))
                previous = word
            else:
                previous = None
        position += 1
    return frozenset(terms)


class Ranker:
    def __init__(
        self,
        index: SearchIndex,
        passages: Sequence[Passage],
        tokenizer: Tokenizer,
        title_of: Callable[[int], str],
        model: FittedModel,
        runs: Sequence[str] | None = None,
        title_runs: Sequence[str] | None = None,
    ) -> None:
        self.index = index
        self.passages = passages
        self.tokenizer = tokenizer
        self.model = model
        first_passage: dict[int, int] = {}
        for position, passage in enumerate(passages):
            first_passage.setdefault(passage.article_id, position)
        # Caches over plain functions, not bound methods: a cache that held the ranker would
        # make a reference cycle, and an old engine would then outlive a reload until a full
        # collection (which `load_engine` spares the serving index by freezing it).
        self.view = lru_cache(maxsize=CACHED_VIEWS)(
            partial(_passage_view, runs, passages, tokenizer)
        )
        words = partial(_passage_words, runs, self.view, tokenizer)
        self.title_view = lru_cache(maxsize=CACHED_VIEWS)(
            partial(_title_view, tokenizer, title_of, title_runs)
        )
        self._lead_terms = lru_cache(maxsize=CACHED_VIEWS)(
            partial(_lead_terms, passages, first_passage, words)
        )
        # The refusal model's probability for the last ranking asked about (not kept alive).
        self._best: tuple[weakref.ref[Ranking], float] | None = None

    def query_terms(self, q: Question) -> list[str]:
        """BM25 query: the question's terms without its question words, plus synonyms."""
        content_words = q.content_words
        content_folds = {w.folded for w in content_words}
        content_accents = {w.accented for w in content_words if w.accented}
        stop_folds = {w.folded for w in q.analyzed.syllables} - content_folds
        stop_accents = {w.accented for w in q.analyzed.syllables if w.accented} - content_accents
        terms: list[str] = []
        for term in q.analyzed.terms:
            parsed = index_terms.parse(term)
            if parsed is None:
                continue
            kind, parts = parsed
            if (
                (kind is index_terms.TermKind.FOLDED and parts[0] in stop_folds)
                or (kind is index_terms.TermKind.ACCENTED and parts[0] in stop_accents)
                or (kind is index_terms.TermKind.PAIR and all(p in stop_folds for p in parts))
                or (
                    kind is index_terms.TermKind.WORD
                    and all(p in stop_accents or p in stop_folds for p in parts)
                )
            ):
                continue
            terms.append(term)
        # Synonyms add their phrase, not their separate words: "cuộc họp" should find
        # "hội nghị", not every passage that mentions "họp".
        extra: dict[str, None] = {}
        for unit in q.content:
            for spelling in unit.alternatives:
                if len(spelling) == 1:
                    extra[index_terms.lookup_term(spelling[0])] = None
                for a, b in itertools.pairwise(spelling):
                    extra[index_terms.pair_term(a.folded, b.folded)] = None
        return terms + [t for t in extra if t not in terms]

    def rank(
        self, q: Question, passages: int = CANDIDATE_PASSAGES, *, clock: StageClock | None = None
    ) -> Ranking | None:
        """The sentences of the best BM25 passages, scored by the fitted ranker."""
        query = self.query_terms(q)
        top = self.index.top(query, passages)
        if clock is not None:
            clock.mark("bm25")
        if not top or not q.content:
            return None
        context = QuestionContext(q, self.index, query)
        best_bm25 = max(score for _, score in top)
        refs: list[tuple[int, int]] = []
        places: list[tuple[int, int]] = []
        rows: list[list[float]] = []
        keys: list[tuple[str, ...]] = []
        for rank, (position, score) in enumerate(top):
            passage = self.passages[position]
            previous = self.passages[position - 1] if position else None
            facts = PassageFacts(
                position,
                rank,
                passage.paragraph,
                previous is None
                or previous.article_id != passage.article_id
                or previous.paragraph != passage.paragraph,
                score,
                self.index.length(position),
                self.title_view(passage.article_id),
                self._lead_terms(passage.article_id),
            )
            place = (passage.article_id, passage.paragraph)
            found, answers = passage_rows(context, self.view(position), facts, best_bm25)
            for k, row in enumerate(found):
                refs.append((position, k))
                places.append(place)
                rows.append(row)
            keys.extend(answers)
        matrix = np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))
        if clock is not None:
            clock.mark("features")
        scores = self.model.scores(matrix)
        order = sorted(range(len(refs)), key=lambda i: (-scores[i], refs[i]))
        candidates = tuple(Candidate(*refs[i], float(scores[i]), places[i], keys[i]) for i in order)
        return Ranking(q, context, candidates, matrix[order], best_bm25)

    def probability(self, ranking: Ranking, i: int = 0) -> float:
        """The estimated probability that the quote around candidate i answers the question.

        The refusal model judges the best candidate; another one gets that probability in
        the proportion of the ranker's shares (the chance that the question is answered at
        all, times the chance that this is the sentence that answers it)."""
        known = self._best  # an answer asks for many candidates' probabilities in a row
        if known is not None and known[0]() is ranking:
            best = known[1]
        else:
            best = self.model.probability(ranking.best_answerability)
            self._best = (weakref.ref(ranking), best)
        if i == 0:
            return best
        candidates = ranking.candidates
        return best * math.exp(candidates[i].score - candidates[0].score)

    # --- What to bold -------------------------------------------------------------------

    def matched_spans(self, q: Question, candidate: Candidate) -> list[Span]:
        """The words of the candidate's passage that match the question (word spans)."""
        view = self.view(candidate.position)
        spans: list[Span] = []
        for unit in q.content:
            match = match_unit(unit, view)
            spans.extend((i, i + 1) for i in match.positions)
        return spans

    def sentence(self, candidate: Candidate) -> Sentence:
        """The candidate's sentence, as the answer types read it."""
        view = self.view(candidate.position)
        start = view.sentence_starts[candidate.sentence]
        end = view.sentence_starts[candidate.sentence + 1]
        return Sentence(view.words, view.terms.runs, start, end)

    def announces_list(self, ranking: Ranking, candidate: Candidate) -> bool:
        """Whether the candidate ends announcing the list asked for, given by what follows."""
        view = self.view(candidate.position)
        sentence = self.sentence(candidate)
        matches = [match_unit(unit, view) for unit in ranking.question.content]
        return announces(ranking.context, matches, sentence.start, sentence.end)

    @staticmethod
    def is_person(sentence: Sentence, span: Span) -> bool:
        """Whether an answer span starts with a person ("ông Bảo", "Nguyễn Quốc Bảo - ...")."""
        return any(start == span[0] for start, _ in find_people(sentence))

    def answer_spans(self, ranking: Ranking, candidate: Candidate) -> list[Span]:
        """Where the kind of answer asked for is, in the candidate sentence, nearest the
        question's words first; empty for a question of no particular kind."""
        view = self.view(candidate.position)
        sentence = self.sentence(candidate)
        matches = [match_unit(unit, view) for unit in ranking.question.content]
        return answer_spans(ranking.context, view, matches, sentence.start, sentence.end)
