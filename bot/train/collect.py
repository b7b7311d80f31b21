"""Candidate sentences and their features for every question of the cases, labelled.

The engine that serves builds the rows (`Ranker.rank`): training sees exactly what answering
sees. A candidate is labelled right when its sentence holds the question's evidence (from the
article the question names, where it names one).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot.core.engine import Engine, load_engine
from bot.core.errors import KnowledgeError
from bot.core.fitted import neutral_model
from bot.core.quotes import build_quote
from bot.core.ranking import Candidate, Ranking
from bot.core.text import fold
from bot.train.cases import Case, LabelledQuestion, in_validation, read_questions

log = logging.getLogger(__name__)


@dataclass
class Sample:
    """One question, its candidates' features and labels, and what a quote needs."""

    question: LabelledQuestion
    validation: bool
    engine: Engine
    ranking: Ranking | None  # None: no candidate at all (nothing shared with the articles)
    labels: np.ndarray  # per candidate: its sentence holds the evidence

    @property
    def rows(self) -> np.ndarray:
        assert self.ranking is not None
        return self.ranking.rows

    def rescored(self, weights: np.ndarray) -> Ranking | None:
        """The ranking as a model with these weights would give it."""
        ranking = self.ranking
        if ranking is None:
            return None
        scores = ranking.rows @ weights
        refs = [(c.position, c.sentence) for c in ranking.candidates]
        order = sorted(range(len(refs)), key=lambda i: (-scores[i], refs[i]))
        candidates = tuple(replace(ranking.candidates[i], score=float(scores[i])) for i in order)
        return Ranking(
            ranking.question, ranking.context, candidates, ranking.rows[order], ranking.best_bm25
        )

    def sentence_is_right(self, ranking: Ranking, i: int = 0) -> bool:
        """Whether candidate i's sentence alone holds the evidence: what the quote's widening
        to its paragraph's neighbours gains is measured against this."""
        return _holds(self.engine, self.question, ranking.candidates[i])

    def quote_is_right(self, ranking: Ranking, i: int = 0) -> bool:
        """Whether the quote built around candidate i holds the evidence."""
        if self.question.evidence is None:
            return False
        candidate = ranking.candidates[i]
        passages = self.engine.passages
        scores = {(c.position, c.sentence): c.score for c in ranking.candidates}
        quote = build_quote(passages, candidate.position, candidate.sentence, scores)
        return self.question.answered_by(quote.text, _cited(self.engine, candidate))


def collect(
    cases: Sequence[Case],
    *,
    seed: int,
    validation_share: float,
    cache: Path | None = None,
    unaccented: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> list[Sample]:
    """`cache`: where the cases' index caches are kept between runs (none by default).
    `unaccented`: the share of training questions also asked again as many people type them,
    in lower case without diacritics (``typed_plainly``), so that the fit sees such typing."""
    samples: list[Sample] = []
    model = neutral_model()
    with tempfile.TemporaryDirectory(prefix="bot-train-") as tmp:
        for number, case in enumerate(cases):
            folder = case.copy_knowledge(Path(tmp) / str(number) / "knowledge")
            key = hashlib.sha1(str(case.folder.resolve()).encode()).hexdigest()[:16]
            try:
                engine = load_engine(folder, model=model, cache_dir=cache / key if cache else None)
            except KnowledgeError as exc:
                log.warning("case %s skipped: %s", case.name, exc)
                continue
            first_title = engine.articles[0].title
            for question in read_questions(case, first_title):
                sample = _sample(engine, question, seed, validation_share)
                samples.append(sample)
                if not sample.validation and _picked(question, seed, unaccented):
                    plain = replace(
                        question,
                        id=question.id + "~plain",
                        question=typed_plainly(question.question),
                    )
                    samples.append(_sample(engine, plain, seed, validation_share))
            if progress:
                progress(case.name)
    return samples


def typed_plainly(question: str) -> str:
    """The question as typed without the keyboard's Vietnamese marks, in lower case."""
    return fold(question.lower())


def _picked(question: LabelledQuestion, seed: int, share: float) -> bool:
    digest = hashlib.sha1(f"plain:{seed}:{question.id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _sample(
    engine: Engine, question: LabelledQuestion, seed: int, validation_share: float
) -> Sample:
    validation = not question.case.always_training and in_validation(
        question.article, seed, validation_share
    )
    q = engine.understand(question.question)
    ranking = None if q.meta is not None else engine.ranker.rank(q)
    labels = np.zeros(0, dtype=bool)
    if ranking is not None:
        labels = np.array([_holds(engine, question, c) for c in ranking.candidates], dtype=bool)
    return Sample(question, validation, engine, ranking, labels)


def _holds(engine: Engine, question: LabelledQuestion, candidate: Candidate) -> bool:
    sentence = engine.passages[candidate.position].sentences[candidate.sentence]
    return question.answered_by(sentence, _cited(engine, candidate))


def _cited(engine: Engine, candidate: Candidate) -> str:
    """The title of the article a candidate's quote would cite."""
    return engine.articles[engine.passages[candidate.position].article_id].title
