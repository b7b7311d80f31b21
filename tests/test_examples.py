"""Example questions (/start) are made from the articles and answered by the engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core import examples
from bot.core.engine import Engine, load_engine
from bot.core.model import Answer, AnswerKind, Article, Source
from tests.conftest import DATA


def test_seed_examples_are_questions_the_engine_answers_from_the_seed(
    seed_engine: Engine,
) -> None:
    offered = examples.example_questions(seed_engine, 3)
    assert len(offered) == 3
    title = seed_engine.articles[0].title
    for question in offered:
        assert question.endswith("?") and title not in question  # not the title made a question
        answer = seed_engine.ask(question)
        assert answer.found and answer.quote, question
        assert answer.source is not None and answer.source.file == seed_engine.articles[0].file


def test_candidates_of_the_seed_cut_no_word_in_two(seed_engine: Engine) -> None:
    """Golden: what the patterns read in the seed article (underthesea 9.5.0's words)."""
    found = [(c.kind, c.question) for c in examples.candidates(seed_engine.articles[0])]
    assert found == [
        ("when", "Ban Thường vụ Tỉnh ủy Bến Tre tổ chức hội nghị triển khai khi nào?"),
        ("who", "Ai chủ trì hội nghị?"),
        ("position", "Ai là Phó Bí thư Thường trực Tỉnh ủy?"),
        ("position", "Ai là Ủy viên Ban Thường vụ Tỉnh ủy?"),
        ("metadata", "Bài «Tăng cường công tác bảo đảm an toàn thông tin mạng» đăng ngày nào?"),
    ]


def test_examples_vary_and_come_from_the_article_that_answers(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for article in [
        DATA / "seed" / "000_796d2ca824a9a6ee.txt",
        *sorted((DATA / "eval" / "distractors").glob("*.txt")),
    ]:
        (folder / article.name).write_bytes(article.read_bytes())
    engine = load_engine(folder)
    offered = examples.example_questions(engine, 3)
    assert len(offered) == 3 and len(set(offered)) == 3
    # "Ai chủ trì hội nghị?" is made from the seed, but among four articles the engine cites
    # another one: it is not offered.
    assert "Ai chủ trì hội nghị?" not in offered
    for question in offered:
        answer = engine.ask(question)
        assert answer.found and answer.quote and answer.kind is AnswerKind.FOUND, question


@dataclass
class _Engine:
    """An engine that gives one fixed answer to everything."""

    articles: Sequence[Article]
    answer: Answer

    def ask(self, question: str) -> Answer:
        return self.answer


def test_questions_the_engine_refuses_or_answers_elsewhere_are_not_offered(
    seed_engine: Engine,
) -> None:
    article = seed_engine.articles[0]
    refusal = Answer("?", AnswerKind.NOT_FOUND, None, None, 0.0, "Xin lỗi …")
    assert examples.example_questions(_Engine([article], refusal)) == []
    elsewhere = Source("Bài khác", None, None, None, 1, "khac.txt")
    other = Answer("?", AnswerKind.FOUND, "Một đoạn khác.", elsewhere, 0.9, "…")
    assert examples.example_questions(_Engine([article], other)) == []
    which = Answer("?", AnswerKind.METADATA, None, None, 0.0, "Bạn hỏi bài nào?")
    assert examples.example_questions(_Engine([article], which)) == []
