"""The BM25 index over passages.

Scores are rank-bm25's ``BM25Okapi`` (k1=1.5, b=0.75, epsilon=0.25); the index runs on
rank-bm25-rs, a drop-in Rust core that gives bit-identical scores far faster. Its fast path
needs the corpus as a list of lists of ``str``: anything else silently falls back to Python.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from rank_bm25_rs import BM25Okapi

from bot.core.model import Passage

BM25_PARAMETERS = {"k1": 1.5, "b": 0.75, "epsilon": 0.25}


class SearchIndex:
    """Passages with their BM25 index and the document frequencies of their syllables."""

    def __init__(self, passages: Sequence[Passage], corpus: list[list[str]]) -> None:
        if not passages or len(passages) != len(corpus):
            raise ValueError("an index needs one term list per passage, and at least one")
        self.passages = tuple(passages)
        self._bm25 = BM25Okapi(corpus, **BM25_PARAMETERS)
        # Syllable document frequencies ("f:" and "a:" terms) weigh a question's words.
        frequencies: Counter[str] = Counter()
        for terms in corpus:
            frequencies.update({t for t in terms if t[0] in "fa"})
        self._document_frequency = dict(frequencies)

    def __len__(self) -> int:
        return len(self.passages)

    def scores(self, query_terms: list[str]) -> np.ndarray:
        return self._bm25.get_scores(query_terms)

    def top(self, query_terms: list[str], limit: int) -> list[tuple[int, float]]:
        """(passage position, BM25 score) of the `limit` best passages, best first."""
        if not query_terms:
            return []
        scores = self.scores(query_terms)
        limit = min(limit, len(scores))
        candidates = np.argpartition(-scores, limit - 1)[:limit]
        ranked = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))
        return [(i, float(scores[i])) for i in ranked]

    def term_weight(self, term: str) -> float:
        """A smoothed, always positive idf: words no passage has weigh the most.

        BM25Okapi's own idf is zero or floored for terms in half the passages or more, which
        on a small folder would make a question's common words count for nothing.
        """
        n = len(self.passages)
        df = self._document_frequency.get(term, 0)
        return math.log((n + 1) / (df + 0.5)) + 0.1
