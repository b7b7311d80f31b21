"""Fitting the ranker and the refusal, deterministically (L-BFGS from zero weights).

- The ranker is a conditional logit: for each answerable question, a softmax over its
  candidate sentences, fitted to put probability on those that hold the evidence.
- The refusal is a logistic regression on the best candidate of every question (answerable,
  unanswerable and off-topic alike): is the quote built around it right? Its inputs come
  from rankers fitted without the question's own article (cross-fitting), so that it learns
  how sure to be of rankings it has not seen, as in use.
- The threshold is the lowest probability at which the validation part's answers reach the
  target precision and enough of the other articles' questions are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from bot.train.collect import Sample

RANKER_L2 = 1.0
ANSWER_L2 = 1.0


@dataclass(frozen=True)
class Standardized:
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def of(cls, rows: np.ndarray) -> Standardized:
        scale = rows.std(axis=0)
        return cls(rows.mean(axis=0), np.where(scale > 1e-9, scale, 1.0))

    def apply(self, rows: np.ndarray) -> np.ndarray:
        return (rows - self.mean) / self.scale

    def raw_weights(self, weights: np.ndarray, bias: float = 0.0) -> tuple[np.ndarray, float]:
        """Weights on standardized inputs as weights (and bias) on raw ones."""
        raw = weights / self.scale
        return raw, bias - float(raw @ self.mean)


def fit_ranker(
    samples: Sequence[Sample], l2: float = RANKER_L2, weights: Sequence[float] | None = None
) -> np.ndarray:
    """Linear weights on raw features, one per feature (a softmax over each question's
    candidates; the weight of a question is `weights`, 1 by default)."""
    groups = [
        (s.rows, s.labels, 1.0 if weights is None else weights[k])
        for k, s in enumerate(samples)
        if s.ranking is not None and s.labels.any() and not s.labels.all()
    ]  # `weights` are per sample, in the order given
    if not groups:
        raise ValueError("không câu hỏi nào có cả ứng viên đúng lẫn sai để khớp bộ xếp hạng")
    scaler = Standardized.of(np.concatenate([rows for rows, _, _ in groups]))
    scaled = [(scaler.apply(rows), labels, w) for rows, labels, w in groups]
    total = sum(w for _, _, w in scaled)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        value = 0.5 * l2 * float(w @ w)
        gradient = l2 * w
        for rows, labels, weight in scaled:
            scores = rows @ w
            scores -= scores.max()
            exp = np.exp(scores)
            p = exp / exp.sum()
            right = p[labels].sum()
            value -= weight * np.log(max(right, 1e-300)) * len(scaled) / total
            wanted = np.where(labels, p, 0.0) / max(right, 1e-300)
            gradient = gradient - weight * (wanted - p) @ rows * len(scaled) / total
        return value, gradient

    result = minimize(loss, np.zeros(scaler.mean.shape[0]), jac=True, method="L-BFGS-B")
    raw, _ = scaler.raw_weights(result.x)
    return raw


def fit_logistic(
    rows: np.ndarray,
    outcomes: np.ndarray,
    l2: float = ANSWER_L2,
    signs: Sequence[int] | None = None,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Logistic regression: weights and bias on raw inputs. `signs` (one per input: +1, -1
    or 0) keeps a weight on the side that its meaning says ("a missing name never makes an
    answer likelier"); `weights` weigh the examples."""
    scaler = Standardized.of(rows)
    x = scaler.apply(rows)
    y = outcomes.astype(np.float64)
    sample = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    n = float(sample.sum())

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))
        value = float(np.sum(sample * (np.logaddexp(0.0, z) - y * z))) / n
        value += 0.5 * l2 * float(w @ w) / n
        error = sample * (p - y) / n
        gradient = np.concatenate([x.T @ error + l2 * w / n, [error.sum()]])
        return value, gradient

    bounds = None
    if signs is not None:
        side = {1: (0.0, None), -1: (None, 0.0), 0: (None, None)}
        bounds = [side[sign] for sign in signs] + [(None, None)]
    start = np.zeros(x.shape[1] + 1)
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    weights, bias = scaler.raw_weights(result.x[:-1], float(result.x[-1]))
    return weights, bias


def choose_threshold(
    probabilities: np.ndarray,
    right: np.ndarray,
    target: float,
    floor: float = 0.05,
    *,
    offtopic: np.ndarray | None = None,
    offtopic_refused: float = 0.0,
) -> float:
    """The lowest probability from which the answers given are right at least `target` of
    the time (answers counted over every question, refusals included as not given), and, when
    `offtopic` marks the questions of other articles, from which at least `offtopic_refused`
    of them are refused: a precision over a mix of questions depends on the mix, and a bot
    that quotes an unrelated article to one question in twenty is not one people trust."""
    order = np.argsort(-probabilities, kind="stable")
    hits = np.cumsum(right[order])
    given = np.arange(1, len(order) + 1)
    precision = hits / given
    ok = np.flatnonzero(precision >= target)
    if not len(ok):
        return 1.0
    last = ok[-1]
    threshold = float(max(floor, probabilities[order][last]))
    if offtopic is not None and offtopic_refused > 0 and offtopic.any():
        asked = np.sort(probabilities[offtopic])
        must = int(np.ceil(offtopic_refused * len(asked) - 1e-9))
        if must > 0:
            # refused means below the threshold: just above the must-th lowest probability
            threshold = max(threshold, float(np.nextafter(asked[must - 1], np.inf)))
    return min(threshold, 1.0)
