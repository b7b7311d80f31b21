"""The fitted parameters of the ranker and of the refusal: a small versioned data file.

``data/ranker.json`` is written by ``python -m bot train --data DIR`` (see ``bot/train``) and
read here; nothing else in the engine holds a weight. It names the features it was fitted
on: a file that does not match the code's features is refused, so the two cannot drift apart
unnoticed (retrain after changing `features.FEATURES`).

- The ranker is linear: a candidate sentence's score is ``weights · features``; the best
  score is the quote's centre.
- The refusal is a logistic model over the best candidate (`ANSWERABILITY`): its output is
  the estimated probability that the quote answers the question, and a question is answered
  when it reaches `threshold`, chosen on the validation part for `target_precision`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.features import FEATURES

FORMAT_VERSION = 1
DEFAULT_FILE = "ranker.json"

# What the refusal sees of the best candidate and of the question, and which way each may
# pull the probability (+1 only up, -1 only down, 0 either): what a feature means is known
# before any fit, e.g. a name of the question missing from the story never makes an answer
# likelier, whatever a few hundred questions seem to say.
ANSWERABILITY_SIGNS = {
    "score": 1,
    "margin": 1,
    "share": 1,
    "paragraph_share": 1,
    "article_share": 1,
    "entropy": -1,
    "agreement": 1,
    "candidates": 0,
    "coverage": 1,
    "coverage_window": 1,
    "coverage_story": 1,
    "missing_weight": -1,
    "names_missing": -1,
    "numbers_missing": -1,
    "answer_found": 1,
    "answer_near": 1,
    "type_missing": -1,
    "count_missing": -1,
    "money_missing": -1,
    "role_missing": -1,
    "kind_missing": -1,
    "longest_run": 1,
    "unknown_weight": -1,
    "unknown_share": -1,
    "content_units": 0,
    "bm25_log": 0,
}
ANSWERABILITY = tuple(ANSWERABILITY_SIGNS)


class ModelError(ValueError):
    """The parameters file is missing, damaged or fitted on other features."""


@dataclass(frozen=True)
class FittedModel:
    ranker_weights: np.ndarray  # one per feature of FEATURES
    answer_weights: np.ndarray  # one per ANSWERABILITY feature
    answer_bias: float
    threshold: float  # answered from this probability up
    target_precision: float
    features: tuple[str, ...] = FEATURES
    answerability: tuple[str, ...] = ANSWERABILITY
    info: dict[str, Any] = field(default_factory=dict)  # how it was made: data, seed, figures

    def __post_init__(self) -> None:
        if tuple(self.features) != FEATURES or tuple(self.answerability) != ANSWERABILITY:
            raise ModelError(
                "ranker parameters were fitted on other features; run `python -m bot train`"
            )
        if len(self.ranker_weights) != len(FEATURES) or len(self.answer_weights) != len(
            ANSWERABILITY
        ):
            raise ModelError("ranker parameters have the wrong number of weights")

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(rows @ self.ranker_weights, dtype=np.float64)

    def probability(self, row: Sequence[float]) -> float:
        z = float(np.dot(self.answer_weights, row)) + self.answer_bias
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_json(self) -> str:
        data = {
            "format": FORMAT_VERSION,
            "features": list(self.features),
            "ranker_weights": [round(float(w), 6) for w in self.ranker_weights],
            "answerability": list(self.answerability),
            "answer_weights": [round(float(w), 6) for w in self.answer_weights],
            "answer_bias": round(float(self.answer_bias), 6),
            "threshold": round(float(self.threshold), 6),
            "target_precision": self.target_precision,
            "info": self.info,
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> FittedModel:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT_VERSION:
                raise ModelError(f"ranker parameters of format {data.get('format')!r}")
            return cls(
                np.array(data["ranker_weights"], dtype=np.float64),
                np.array(data["answer_weights"], dtype=np.float64),
                float(data["answer_bias"]),
                float(data["threshold"]),
                float(data["target_precision"]),
                tuple(data["features"]),
                tuple(data["answerability"]),
                dict(data.get("info", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ModelError):
                raise
            raise ModelError(f"ranker parameters are damaged: {exc}") from None

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> FittedModel:
        if path is not None:
            return cls.from_json(path.read_text(encoding="utf-8"))
        text = resources.files("bot.core").joinpath("data", DEFAULT_FILE).read_text("utf-8")
        return cls.from_json(text)


def neutral_model() -> FittedModel:
    """Weights that rank by coverage and answer from half of it: what the engine uses to
    compute features before any fit (training), never to serve."""
    ranker = np.zeros(len(FEATURES))
    ranker[FEATURES.index("coverage_window")] = 1.0
    ranker[FEATURES.index("bm25")] = 0.5
    answer = np.zeros(len(ANSWERABILITY))
    answer[ANSWERABILITY.index("coverage_window")] = 10.0
    return FittedModel(ranker, answer, -5.0, 0.5, 0.0, info={"neutral": True})
