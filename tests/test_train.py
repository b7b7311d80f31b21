"""`python -m bot train`: fits on question sets, the same parameters for the same seed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.core.engine import load_engine
from bot.core.fitted import FittedModel
from bot.train.cases import find_cases, in_validation
from bot.train.evaluate import evaluate
from bot.train.fit import choose_threshold
from bot.train.main import train
from tests.conftest import DATA, ROOT

DISTRACTOR = DATA / "eval" / "distractors" / "101_fb1372b1ab839d35.txt"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two one-article cases in the layout of the real sets: the seed with its dev questions,
    a distractor with the held-out questions about it."""
    root = tmp_path_factory.mktemp("sets") / "fixture"
    seed_case = root / "per_article" / "seed"
    (seed_case / "knowledge").mkdir(parents=True)
    shutil.copy(DATA / "seed" / "000_796d2ca824a9a6ee.txt", seed_case / "knowledge")
    shutil.copy(DATA / "dev.jsonl", seed_case / "questions.jsonl")
    other = root / "per_article" / "other"
    (other / "knowledge").mkdir(parents=True)
    shutil.copy(DISTRACTOR, other / "knowledge")
    title = load_engine(other / "knowledge").articles[0].title
    lines = [
        line
        for line in (DATA / "eval" / "distractor_heldout.jsonl").read_text("utf-8").splitlines()
        if json.loads(line).get("title") == title
    ]
    (other / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _seed_splitting(data: Path) -> int:
    """A seed that puts one case in training and the other in validation."""
    titles = [load_engine(c.folder / "knowledge").articles[0].title for c in find_cases(data)]
    for seed in range(100):
        if len({in_validation(t, seed, 0.5) for t in titles}) == 2:
            return seed
    raise AssertionError("no seed splits the two cases")


def test_the_same_seed_fits_the_same_parameters(data: Path) -> None:
    seed = _seed_splitting(data)
    first = train([data], seed=seed, validation_share=0.5, unaccented=0.5)
    second = train([data], seed=seed, validation_share=0.5, unaccented=0.5)
    assert first.to_json() == second.to_json()
    assert 0.0 < first.threshold <= 1.0
    assert set(first.info["validation"]) >= {"all"} and first.info["seed"] == seed
    # the widening's gain is measured: a quote holds at least what its sentence alone holds
    seen = first.info["training"]["all"]
    assert seen["answerable_right"] >= seen["answerable_right_sentence_only"]
    assert first.info["questions"]["training"] > 0 and first.info["questions"]["validation"] > 0


def test_the_command_writes_a_file_the_engine_serves_from(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "ranker.json"
    seed = _seed_splitting(data)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "train",
            "--data",
            str(data),
            "--out",
            str(out),
            "--seed",
            str(seed),
            "--validation",
            "0.5",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    model = FittedModel.load(out)
    engine = load_engine(DATA / "seed", model=model, cache_dir=tmp_path / "cache")
    answer = engine.ask("Ai chủ trì hội nghị?")
    assert 0.0 <= answer.score <= 1.0
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "train", "--data", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_evaluate_counts_right_answers_refusals_and_the_answer_line(data: Path) -> None:
    figures = evaluate([data], seed=_seed_splitting(data), validation_share=0.5)
    overall = figures["all"]["all"]
    assert overall["questions"] == sum(
        1
        for c in find_cases(data)
        for line in (c.folder / "questions.jsonl").open()
        if line.strip()
    ) - _metadata_questions(data)
    # the seed's dev questions are answered by the shipped model (26/27 at least, README)
    seed_group = figures["all"]["fixture/per_article"]
    assert seed_group["answerable_right"] is not None and seed_group["answerable_right"] > 0.8
    assert figures["validation"], "the validation part has its own figures"
    assert any(key.startswith("type:") for key in figures["all"])


def _metadata_questions(data: Path) -> int:
    return sum(
        json.loads(line).get("where") == "reply"
        for c in find_cases(data)
        for line in (c.folder / "questions.jsonl").open()
        if line.strip()
    )


def test_the_threshold_reaches_the_precision_asked_for() -> None:
    probabilities = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    right = np.array([True, True, False, True, False, False])
    # answering from 0.6 down to 0.9 gives 3 right of 4: 0.75
    assert choose_threshold(probabilities, right, 0.75) == 0.6
    assert choose_threshold(probabilities, right, 1.0) == 0.8


def test_the_threshold_also_refuses_the_share_of_other_articles_questions_asked_for() -> None:
    probabilities = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    right = np.array([True, True, False, True, False, False, False, False])
    offtopic = np.array([False, False, False, False, True, True, True, True])
    plain = choose_threshold(probabilities, right, 0.6)
    assert plain == 0.5  # 3 right of 5 answered, one of them off-topic
    strict = choose_threshold(probabilities, right, 0.6, offtopic=offtopic, offtopic_refused=1.0)
    assert strict > 0.5 and strict <= 0.6  # every off-topic question is now refused
    refused = (probabilities[offtopic] < strict).mean()
    assert refused == 1.0
    three_quarters = choose_threshold(
        probabilities, right, 0.6, offtopic=offtopic, offtopic_refused=0.75
    )
    assert three_quarters == plain  # 0.5 already refuses three of the four
