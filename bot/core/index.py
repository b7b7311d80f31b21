"""The BM25 index over passages.

Scores are rank-bm25's ``BM25Okapi`` (k1=1.5, b=0.75, epsilon=0.25); the index runs on
rank-bm25-rs, a drop-in Rust core that gives bit-identical scores far faster. Its fast path
needs the corpus as a list of lists of ``str``: anything else silently falls back to Python.
"""

from __future__ import annotations

import math

import numpy as np
from rank_bm25_rs import BM25Okapi

BM25_PARAMETERS = {"k1": 1.5, "b": 0.75, "epsilon": 0.25}


def build_bm25(corpus: list[list[str]]) -> BM25Okapi:
    if not corpus:
        raise ValueError("BM25 needs at least one passage")  # rank-bm25 divides by zero
    return BM25Okapi(corpus, **BM25_PARAMETERS)


class SearchIndex:
    """BM25 over the passages' terms, and the rarity of each term."""

    def __init__(self, bm25: BM25Okapi) -> None:
        self.bm25 = bm25
        self._size = int(bm25.corpus_size)
        # rank-bm25 replaces the idf of terms in half the passages or more by this floor.
        self._idf_floor = bm25.epsilon * bm25.average_idf
        # rank-bm25-rs looks one idf up in Rust; its public `idf` dict would first copy
        # every term of the index into Python.
        core = getattr(bm25, "_core", None)
        lookup = getattr(core, "idf_of", None)
        self._idf_of = lookup if callable(lookup) else lambda term: bm25.idf.get(term)

    def __len__(self) -> int:
        return self._size

    def scores(self, query_terms: list[str]) -> np.ndarray:
        return self.bm25.get_scores(query_terms)

    def top(self, query_terms: list[str], limit: int) -> list[tuple[int, float]]:
        """(passage position, BM25 score) of the `limit` best passages, best first."""
        if not query_terms:
            return []
        scores = self.scores(query_terms)
        limit = min(limit, len(scores))
        candidates = np.argpartition(-scores, limit - 1)[:limit]
        ranked = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))
        return [(i, float(scores[i])) for i in ranked]

    def document_frequency(self, term: str) -> float:
        """How many passages hold the term, recovered from BM25Okapi's idf.

        idf = ln((N - df + 0.5) / (df + 0.5)) is inverted where it is positive; terms whose
        idf was floored or is zero are in half the passages or more.
        """
        idf = self._idf_of(term)
        if idf is None:
            return 0.0
        if idf == self._idf_floor or idf <= 0:
            return self._size / 2
        return (self._size + 1) / (math.exp(idf) + 1) - 0.5

    def term_weight(self, term: str) -> float:
        """A smoothed, always positive idf: words that no passage has weigh the most.

        BM25Okapi's own idf is zero or floored for terms in half the passages or more, which
        on a small folder would make a question's common words count for nothing.
        """
        df = self.document_frequency(term)
        return math.log((self._size + 1) / (df + 0.5)) + 0.1
