"""The shortcuts that make a question's rows cheap give what the plain readings give: the
same matches, credits, runs, distances, BM25 split and answer spans, value for value."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import terms as index_terms
from bot.core.answer_types import DERIVED, Sentence
from bot.core.engine import Engine, load_engine
from bot.core.features import (
    _B,
    _K1,
    NEAR,
    UNMARKED_MATCH_CREDIT,
    QuestionContext,
    _by_sentence,
    _count,
    _distance,
    _longest_run,
    _longest_runs,
    _match_spellings,
    _nearest_first,
    _nearness,
    _spelled_unit_credit,
    _spelled_units,
    _view_unit_credit,
    bm25_by_kind,
    found_in,
    match_unit,
    unit_credit,
)
from bot.core.questions import Question
from bot.core.terms import TermKind
from bot.core.views import PassageView, view_of_text

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The seed article and the distractors: names, dates, sums, abbreviations, lists."""
    folder = tmp_path_factory.mktemp("speed") / "knowledge"
    folder.mkdir()
    for source in [*(DATA / "seed").glob("*.txt"), *(DATA / "eval" / "distractors").glob("*.txt")]:
        shutil.copy(source, folder / source.name)
    return load_engine(folder)


@pytest.fixture(scope="module")
def questions(engine: Engine) -> list[Question]:
    texts = [
        json.loads(line)["question"]
        for name in ("dev.jsonl", "eval/seed_heldout.jsonl", "eval/distractor_heldout.jsonl")
        for line in (DATA / name).read_text("utf-8").splitlines()
        if line.strip()
    ]
    texts += ["ai chu tri hoi nghi", "Số tiền phạt là bao nhiêu đồng?", "UBND tỉnh họp ở đâu?"]
    understood = [engine.understand(text) for text in texts]
    return [q for q in understood if q.content]


def _views(engine: Engine) -> list[PassageView]:
    return [engine.ranker.view(position) for position in range(len(engine.passages))]


def _sentences(view: PassageView) -> list[tuple[int, int, int]]:
    starts = view.sentence_starts
    return [(k, starts[k], starts[k + 1]) for k in range(view.sentence_count)]


def test_finders_made_from_others_give_their_own_spans(engine: Engine) -> None:
    for view in _views(engine):
        for _, start, end in _sentences(view):
            sentence = Sentence(view.words, view.terms.runs, start, end)
            for finder in DERIVED:
                view.found.clear()
                assert found_in(view, finder, start, end) == finder(sentence)


@pytest.mark.parametrize(
    "text",
    [
        "Nhiều người ở đây làm nghề lái xe ôm.",  # an occupation, nobody named beside it
        "Tổng thống Donald Trump gặp nhà báo John Lloyd tại Hà Nội.",  # foreign names, roles
        "Người Anh và UBND tỉnh Bến Tre cùng dự họp.",  # a country, a body's initials
    ],
)
def test_finders_made_from_others_read_names_as_their_own_do(engine: Engine, text: str) -> None:
    view = view_of_text(text, engine.tokenizer)
    for _, start, end in _sentences(view):
        sentence = Sentence(view.words, view.terms.runs, start, end)
        for finder in DERIVED:
            view.found.clear()
            assert found_in(view, finder, start, end) == finder(sentence), finder.__name__


def test_a_unit_matches_as_its_spellings_do(engine: Engine, questions: list[Question]) -> None:
    for q in questions:
        for view in _views(engine):
            for unit in q.content:
                assert match_unit(unit, view) == _match_spellings(unit.spellings, view)


def test_credits_in_a_title_or_a_lead_equal_the_terms_credits(
    engine: Engine, questions: list[Question]
) -> None:
    titles = [engine.ranker.title_view(a) for a in range(len(engine.articles))]
    leads = [engine.ranker._lead_terms(a) for a in range(len(engine.articles))]
    for q in questions:
        spelled = _spelled_units(q.content)
        for unit, spellings in zip(q.content, spelled, strict=True):
            for title in titles:
                assert _view_unit_credit(unit, title.terms) == unit_credit(unit, title.terms)
            for lead in leads:
                assert _spelled_unit_credit(spellings, lead) == unit_credit(unit, lead)


def test_longest_runs_of_all_sentences_at_once(engine: Engine, questions: list[Question]) -> None:
    for q in questions:
        ctx = QuestionContext(q, engine.index, engine.ranker.query_terms(q))
        for view in _views(engine):
            runs = _longest_runs(ctx, view)
            for k, start, end in _sentences(view):
                assert runs[k] == _longest_run(ctx, view, start, end)


def _plain_bm25_by_kind(
    ctx: QuestionContext, view: PassageView, title: PassageView, length: int
) -> dict[TermKind, float]:
    """The split as first written: every query term, its count by `_count`."""
    norm = _K1 * (1 - _B + _B * length / ctx.average_length)
    parts = dict.fromkeys(TermKind, 0.0)
    for kind, term_parts, idf in ctx.query:
        if kind is TermKind.WORD:
            continue
        tf = _count(view, kind, term_parts) + _count(title, kind, term_parts)
        if tf:
            parts[kind] += idf * tf * (_K1 + 1) / (tf + norm)
    return parts


def test_bm25_split_by_kind_bit_for_bit(engine: Engine, questions: list[Question]) -> None:
    for q in questions:
        ctx = QuestionContext(q, engine.index, engine.ranker.query_terms(q))
        for position, view in enumerate(_views(engine)):
            title = engine.ranker.title_view(engine.passages[position].article_id)
            length = engine.index.length(position)
            fast = bm25_by_kind(ctx, view, title, length)
            plain = _plain_bm25_by_kind(ctx, view, title, length)
            assert list(fast) == list(plain)
            assert [v.hex() for v in fast.values()] == [v.hex() for v in plain.values()]


def test_title_counts_are_the_terms_counts(engine: Engine, questions: list[Question]) -> None:
    for q in questions:
        ctx = QuestionContext(q, engine.index, engine.ranker.query_terms(q))
        for article in range(len(engine.articles)):
            title = engine.ranker.title_view(article)
            expected = [_count(title, kind, parts) for kind, parts, _ in ctx.query]
            assert ctx.title_counts(title) == expected
            for (kind, parts, _), count in zip(ctx.query, expected, strict=True):
                term = index_terms.folded_term(parts[0]) if kind is TermKind.FOLDED else None
                if term is not None:
                    assert (count > 0) == (term in title.terms)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 60), unique=True, max_size=12), st.lists(st.integers(0, 60)))
def test_positions_cut_by_sentence(positions: list[int], cuts: list[int]) -> None:
    starts = [0, *sorted(set(cuts) - {0, 61}), 61]
    ordered = tuple(sorted(positions))
    assert _by_sentence(ordered, starts) == [
        tuple(i for i in ordered if a <= i < b) for a, b in itertools.pairwise(starts)
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.sets(st.integers(0, 80), min_size=1, max_size=15),
    st.lists(st.tuples(st.integers(0, 80), st.integers(1, 6)), max_size=6),
)
def test_distances_by_bisection(near: set[int], raw: list[tuple[int, int]]) -> None:
    ordered = sorted(near)
    for i in range(-3, 90):
        assert _distance(ordered, i) == min(abs(i - m) for m in near)
    spans = [(a, a + size) for a, size in raw]

    def plain_distance(span: tuple[int, int]) -> int:
        return min(abs(i - m) for m in near for i in (span[0], span[1] - 1))

    assert _nearest_first(list(spans), near) == sorted(
        spans, key=lambda span: (plain_distance(span), span)
    )
    if spans:
        distance = min(plain_distance(span) for span in spans)
        assert _nearness(spans, near) == 1.0 / (1.0 + max(0, distance - 1) / NEAR)


def test_unmarked_credit_is_a_quarter() -> None:
    # match_unit's shortcut writes the loose credit of a one-syllable unit as the constant.
    assert sum([UNMARKED_MATCH_CREDIT]) / 1 * 1.0 == UNMARKED_MATCH_CREDIT


class _Sequence:
    """What `_longest_run` reads of a question: its syllables' letters, in order."""

    def __init__(self, sequence: list[str]) -> None:
        self.sequence = sequence


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=8), max_size=5),
    st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=8),
)
def test_longest_runs_never_cross_a_sentence(
    engine: Engine, sentences: list[list[str]], sequence: list[str]
) -> None:
    text, ends = "", []
    for words in sentences:
        text += " ".join(words) + ". "
        ends.append(len(text))
    view = view_of_text(text, engine.tokenizer, ends)
    ctx = _Sequence(sequence)
    runs = _longest_runs(ctx, view)  # type: ignore[arg-type]
    for k, start, end in _sentences(view):
        assert runs[k] == _longest_run(ctx, view, start, end)  # type: ignore[arg-type]
