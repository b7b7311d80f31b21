"""The best passages of a question: what sorting every passage's score would give, found
without sorting them (groups' best scores give a cut, see `index.best_positions`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.index import FilePostings, IndexedFile, SearchIndex, best_positions

# Few distinct values, so that ties (and the many zeros of real questions) are common.
VALUES = st.sampled_from([0.0, 0.0, 0.0, 0.5, 1.25, 1.25, 3.0, 7.5, -0.25, 2.0**-30])


def _sorted_best(scores: np.ndarray, limit: int) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:limit]


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUES, max_size=3000), st.integers(1, 40), st.integers(0, 3000))
def test_best_positions_equal_sorting_every_score(
    values: list[float], limit: int, spike: int
) -> None:
    scores = np.array(values, dtype=np.float64)
    if len(scores):  # one passage far ahead, as a question's best often is
        scores[spike % len(scores)] += 100.0
    assert best_positions(scores, limit) == _sorted_best(scores, limit)


@pytest.mark.parametrize("size", [64 * 24, 64 * 24 + 5, 10_000])
def test_best_positions_of_clustered_and_tied_scores(size: int) -> None:
    """The best passages of one article sit side by side; equal scores
    straddle the cut."""
    rng = np.random.default_rng(size)
    for _ in range(50):
        scores = np.zeros(size)
        scores[rng.integers(0, size, size // 3)] = rng.choice([0.5, 1.0, 2.0], size // 3)
        start = int(rng.integers(0, size - 40))
        scores[start : start + 40] = rng.choice([5.0, 6.0, 6.0, 7.0], 40)
        for limit in (1, 12, 30):
            assert best_positions(scores, limit) == _sorted_best(scores, limit)


def _index(passages: list[list[str]]) -> SearchIndex:
    files, per_file = [], 50
    for start in range(0, len(passages), per_file):
        part = passages[start : start + per_file]
        files.append(IndexedFile(f"{start:06d}.txt", str(start), len(part), FilePostings.of(part)))
    return SearchIndex.build(files)


@pytest.mark.parametrize("size", [3, 40, 4000])
def test_top_equals_sorting_every_score(size: int) -> None:
    """Random questions over random passages (tiny folders too, where an idf is negative):
    `top` gives the passages and the very scores that sorting all of `scores` gives."""
    rng = np.random.default_rng(size)
    vocabulary = [f"f:w{k}" for k in range(300)]
    weights = 1.0 / np.arange(1, len(vocabulary) + 1)  # a few words in most passages
    weights /= weights.sum()
    passages = [
        list(rng.choice(vocabulary, int(rng.integers(1, 40)), p=weights)) for _ in range(size)
    ]
    passages += passages[: size // 10]  # equal passages: equal scores
    index = _index(passages)
    for _ in range(200):
        query = list(rng.choice(vocabulary, int(rng.integers(1, 30)), p=weights))
        query += ["f:nowhere"] * int(rng.integers(0, 2))
        scores = index.scores(query)
        for limit in (1, 12, 30):
            expected = _sorted_best(scores, limit)
            assert index.top(query, limit) == [(i, float(scores[i])) for i in expected]
