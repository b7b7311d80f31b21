"""`python -m bot train`: fit the ranker and the refusal on question sets, write the file.

Deterministic for a seed: the split, the folds and the fits depend on nothing else. Prints
the figures of the training and the validation parts, and keeps them in the file's `info`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from bot.core.fitted import ANSWERABILITY_SIGNS, FittedModel
from bot.core.ranking import Ranking
from bot.train.cases import find_cases
from bot.train.collect import Sample, collect
from bot.train.fit import choose_threshold, fit_logistic, fit_ranker

FOLDS = 5
PRECISION_TABLE = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)


@dataclass
class Outcome:
    """One question's fate under a model: the best quote's probability and whether it is right."""

    sample: Sample
    probability: float
    right: bool
    sentence_right: bool = False  # the answering sentence alone, before the quote widens it


@dataclass
class Figures:
    answerable: list[int] = field(default_factory=lambda: [0, 0])
    unanswerable: list[int] = field(default_factory=lambda: [0, 0])
    offtopic: list[int] = field(default_factory=lambda: [0, 0])
    answered: int = 0
    answered_right: int = 0
    sentence_right: int = 0

    def add(self, outcome: Outcome, threshold: float) -> None:
        q = outcome.sample.question
        answered = outcome.probability >= threshold
        if q.offtopic:
            self.offtopic[0] += not answered
            self.offtopic[1] += 1
        elif q.answerable:
            self.answerable[0] += answered and outcome.right
            self.answerable[1] += 1
            self.sentence_right += answered and outcome.sentence_right
        else:
            self.unanswerable[0] += not answered
            self.unanswerable[1] += 1
        self.answered += answered
        self.answered_right += answered and outcome.right

    def as_dict(self) -> dict[str, Any]:
        def share(pair: list[int]) -> float | None:
            return round(pair[0] / pair[1], 3) if pair[1] else None

        return {
            "answerable_right": share(self.answerable),
            "answerable_right_sentence_only": share([self.sentence_right, self.answerable[1]]),
            "unanswerable_refused": share(self.unanswerable),
            "offtopic_refused": share(self.offtopic),
            "precision": share([self.answered_right, self.answered]),
            "questions": self.answerable[1] + self.unanswerable[1] + self.offtopic[1],
        }


def _fold(sample: Sample, seed: int) -> int:
    digest = hashlib.sha1(f"fold:{seed}:{sample.question.article}".encode()).digest()
    return digest[0] % FOLDS


def _ranked(samples: Sequence[Sample]) -> list[Sample]:
    return [s for s in samples if s.question.answerable and s.ranking is not None]


def _fittable(samples: Sequence[Sample]) -> bool:
    return any(s.labels.any() and not s.labels.all() for s in _ranked(samples))


def _fit_ranker(samples: Sequence[Sample]) -> np.ndarray:
    ranked = _ranked(samples)
    return fit_ranker(ranked, weights=[s.question.case.weight for s in ranked])


def _outcome(
    sample: Sample, weights: np.ndarray
) -> tuple[Ranking | None, list[float] | None, bool]:
    ranking = sample.rescored(weights)
    if ranking is None:
        return None, None, False
    return ranking, ranking.answerability(0), sample.quote_is_right(ranking, 0)


def train(
    data: Sequence[Path],
    *,
    weights: dict[Path, float] | None = None,
    seed: int = 0,
    validation_share: float = 0.3,
    target_precision: float = 0.85,
    offtopic_refused: float = 0.0,
    unaccented: float = 0.25,
    cache: Path | None = None,
    out: TextIO = sys.stdout,
    progress: Callable[[str], None] | None = None,
) -> FittedModel:
    weights = weights or {}
    cases = [case for folder in data for case in find_cases(folder, weights.get(folder, 1.0))]
    if not cases:
        raise ValueError(
            "không thấy bộ câu hỏi nào (thư mục có questions.jsonl và knowledge/, hoặc case.json)"
        )
    collected = collect(
        cases,
        seed=seed,
        validation_share=validation_share,
        cache=cache,
        unaccented=unaccented,
        progress=progress,
    )
    samples = [s for s in collected if not s.question.metadata]
    training = [s for s in samples if not s.validation]
    validation = [s for s in samples if s.validation]
    if not training or not validation:
        raise ValueError(
            "cách chia không để lại câu hỏi nào cho phần huấn luyện hoặc phần kiểm định: "
            "cần thêm bài viết, hoặc đổi --validation hay --seed"
        )
    ranker_weights = _fit_ranker(training)

    # The refusal learns from rankings made without the question's own article.
    inputs: list[list[float]] = []
    rights: list[bool] = []
    importance: list[float] = []
    for fold in range(FOLDS):
        inside = [s for s in training if _fold(s, seed) == fold]
        others = [s for s in training if _fold(s, seed) != fold]
        # With very few articles a fold may leave nothing to fit on: the full ranker then.
        fold_weights = _fit_ranker(others) if _fittable(others) else ranker_weights
        for sample in inside:
            _, row, right = _outcome(sample, fold_weights)
            if row is not None:
                inputs.append(row)
                rights.append(right)
                importance.append(sample.question.case.weight)
    answer_weights, answer_bias = fit_logistic(
        np.array(inputs),
        np.array(rights),
        signs=list(ANSWERABILITY_SIGNS.values()),
        weights=np.array(importance),
    )
    model = FittedModel(ranker_weights, answer_weights, answer_bias, 0.5, target_precision)

    def outcomes(part: Sequence[Sample]) -> list[Outcome]:
        found = []
        for sample in part:
            ranking, row, right = _outcome(sample, ranker_weights)
            probability = model.probability(row) if row is not None else 0.0
            alone = ranking is not None and sample.sentence_is_right(ranking, 0)
            found.append(Outcome(sample, probability, right, alone))
        return found

    seen, unseen = outcomes(training), outcomes(validation)
    threshold = choose_threshold(
        np.array([o.probability for o in unseen]),
        np.array([o.right for o in unseen]),
        target_precision,
        offtopic=np.array([o.sample.question.offtopic for o in unseen]),
        offtopic_refused=offtopic_refused,
    )
    table = []
    for precision in PRECISION_TABLE:
        at = choose_threshold(
            np.array([o.probability for o in unseen]),
            np.array([o.right for o in unseen]),
            precision,
        )
        figures = _figures(unseen, at)["all"]
        table.append({"precision_target": precision, "threshold": round(at, 3), **figures})
    info = {
        "made": dt.date.today().isoformat(),
        "command": "python -m bot train "
        + " ".join(f"--data {p}" for p in data)
        + "".join(f" --weight {p}={w:g}" for p, w in weights.items())
        + f" --seed {seed} --validation {validation_share} --precision {target_precision}"
        + f" --offtopic {offtopic_refused} --unaccented {unaccented}",
        "seed": seed,
        "validation_share": validation_share,
        "offtopic_refused_target": offtopic_refused,
        "cases": len(cases),
        "questions": {"training": len(training), "validation": len(validation)},
        "training": _figures(seen, threshold),
        "validation": _figures(unseen, threshold),
        "precision_recall": table,
        # the ranker alone: the first quote of every question, as if nothing were refused
        "always_answering": _figures(unseen, 0.0)["all"],
    }
    fitted = FittedModel(
        ranker_weights, answer_weights, answer_bias, threshold, target_precision, info=info
    )
    print(
        json.dumps({k: info[k] for k in ("training", "validation")}, indent=1, ensure_ascii=False),
        file=out,
    )
    print(
        f"threshold {threshold:.3f} for precision {target_precision}"
        f" and other articles' questions refused {offtopic_refused}",
        file=out,
    )
    return fitted


def _figures(outcomes: Sequence[Outcome], threshold: float) -> dict[str, dict[str, Any]]:
    groups: dict[str, Figures] = {}
    for outcome in outcomes:
        for name in ("all", outcome.sample.question.case.group):
            groups.setdefault(name, Figures()).add(outcome, threshold)
    return {name: figures.as_dict() for name, figures in sorted(groups.items())}
