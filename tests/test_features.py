"""What each named feature gives on a small article: one test a rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.engine import Engine, load_engine
from bot.core.features import FEATURES, INDEX
from bot.core.fitted import ANSWERABILITY, FittedModel, ModelError

ARTICLE = """Tập huấn an toàn thông tin cho cán bộ

12/05/2024 - 08:30

Sáng 10-5, Sở Thông tin và Truyền thông tỉnh Vĩnh Long tổ chức lớp tập huấn an toàn thông \
tin. Lớp học kéo dài 3 ngày.

Có 120 cán bộ tham dự lớp tập huấn. Ông Trần Minh Tâm - Giám đốc Sở phát biểu khai mạc.

Lớp học được tổ chức vì nhiều cơ quan bị tấn công mạng trong năm qua.

Minh Anh
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("features") / "knowledge"
    folder.mkdir()
    (folder / "tap-huan.txt").write_text(ARTICLE, encoding="utf-8")
    return load_engine(folder)


def _row(engine: Engine, question: str, holding: str) -> dict[str, float]:
    """The features of the candidate sentence holding `holding`."""
    ranking = engine.ranker.rank(engine.understand(question))
    assert ranking is not None
    for candidate, row in zip(ranking.candidates, ranking.rows, strict=True):
        if holding in engine.passages[candidate.position].sentences[candidate.sentence]:
            return dict(zip(FEATURES, map(float, row), strict=True))
    raise AssertionError(f"no candidate holds {holding!r}")


def test_coverage_counts_the_question_words_the_sentence_holds(engine: Engine) -> None:
    full = _row(engine, "Có bao nhiêu cán bộ tham dự lớp tập huấn?", "120 cán bộ")
    partial = _row(engine, "Có bao nhiêu cán bộ tham dự lớp tập huấn?", "kéo dài 3 ngày")
    assert full["coverage"] == pytest.approx(1.0)
    assert partial["coverage"] < full["coverage"]
    assert partial["coverage_window"] > partial["coverage"]  # its neighbour holds the rest


def test_a_count_next_to_what_is_counted(engine: Engine) -> None:
    row = _row(engine, "Có bao nhiêu cán bộ tham dự lớp tập huấn?", "120 cán bộ")
    assert row["count_near_focus"] == 1.0 and row["answer_quantity"] == 1.0
    other = _row(engine, "Có bao nhiêu cán bộ tham dự lớp tập huấn?", "kéo dài 3 ngày")
    assert other["count_near_focus"] == 0.0  # "3 ngày" counts days, not officials


def test_a_date_for_when_and_a_clause_for_why(engine: Engine) -> None:
    when = _row(engine, "Lớp tập huấn khai giảng khi nào?", "Sáng 10-5")
    assert when["answer_when"] == 1.0 and when["answer_quantity"] == 0.0
    why = _row(engine, "Vì sao tổ chức lớp học?", "vì nhiều cơ quan")
    assert why["answer_reason"] == 1.0


def test_a_person_with_the_position_asked_about(engine: Engine) -> None:
    row = _row(engine, "Giám đốc Sở là ai?", "Trần Minh Tâm")
    assert row["role_holder"] == 1.0 and row["answer_role"] == 1.0


def test_names_and_numbers_the_story_does_not_hold(engine: Engine) -> None:
    here = _row(engine, "Lớp tập huấn ở Vĩnh Long có bao nhiêu cán bộ?", "120 cán bộ")
    elsewhere = _row(engine, "Lớp tập huấn ở Trà Vinh có bao nhiêu cán bộ?", "120 cán bộ")
    assert here["names_missing"] == 0.0 and elsewhere["names_missing"] == 1.0
    year = _row(engine, "Năm 2019 có bao nhiêu cán bộ tham dự?", "120 cán bộ")
    assert year["numbers_missing"] == 1.0


def test_where_a_sentence_stands(engine: Engine) -> None:
    lead = _row(engine, "Sở Thông tin tổ chức lớp gì?", "Sáng 10-5")
    assert lead["first_paragraph"] == 1.0 and lead["first_sentence"] == 1.0
    later = _row(engine, "Có bao nhiêu cán bộ tham dự lớp tập huấn?", "120 cán bộ")
    assert later["first_paragraph"] == 0.0


def test_the_refusal_sees_what_is_missing(engine: Engine) -> None:
    ranking = engine.ranker.rank(engine.understand("Kinh phí lớp tập huấn là bao nhiêu?"))
    assert ranking is not None
    inputs = dict(zip(ANSWERABILITY, ranking.answerability(0), strict=True))
    assert inputs["money_missing"] == 1.0 and inputs["count_missing"] == 1.0
    assert engine.ranker.probability(ranking) < engine.model.threshold


def test_a_parameters_file_for_other_features_is_refused(tmp_path: Path) -> None:
    model = FittedModel.load()
    assert len(model.ranker_weights) == len(FEATURES)
    broken = model.to_json().replace('"coverage"', '"coverage_old"', 1)
    with pytest.raises(ModelError):
        FittedModel.from_json(broken)
    with pytest.raises(ModelError):
        FittedModel.from_json("{not json")
    assert INDEX["bm25"] == 0
