"""Small typed values that cross module boundaries: articles, passages, hits, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as parsed from a file in the knowledge folder."""

    file: str  # file name relative to the knowledge folder
    title: str
    date: str | None  # as the article prints it, e.g. "27/02/2014 - 17:20"
    author: str | None
    url: str | None
    paragraphs: tuple[str, ...]  # body paragraphs, 1-based when cited


@dataclass(frozen=True, slots=True)
class Source:
    """Where a quote comes from; `paragraph` is 1-based, None for metadata answers."""

    title: str
    date: str | None
    author: str | None
    url: str | None
    paragraph: int | None
    file: str

    def to_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "date": self.date,
            "author": self.author,
            "url": self.url,
            "paragraph": self.paragraph,
            "file": self.file,
        }


@dataclass(frozen=True, slots=True)
class Passage:
    """A focused piece of one paragraph (at most MAX_PASSAGE_CHARS characters)."""

    passage_id: int  # position in the index, stable for one index build
    article_id: int  # position of the article in the index's article list
    paragraph: int  # 1-based paragraph number within the article
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A ranked passage for a question."""

    passage: Passage
    source: Source
    score: float  # BM25 score (rank-bm25 BM25Okapi over the index terms)
    coverage: float  # weighted share of the question's content the passage holds (0..1)
    matched_words: tuple[str, ...] = ()  # surface words of the passage that matched


class AnswerKind(StrEnum):
    FOUND = "found"  # a quote from a passage
    METADATA = "metadata"  # about the article itself: author, date, title, link
    NOT_FOUND = "not_found"  # the articles do not say
    HELP = "help"  # greeting, empty or punctuation-only input


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    kind: AnswerKind
    quote: str | None
    source: Source | None
    score: float
    reply: str  # plain text exactly as a user reads it (quote, then source line)
    hits: tuple[Hit, ...] = field(default=())  # ranked alternatives, best first

    @property
    def found(self) -> bool:
        return self.kind in (AnswerKind.FOUND, AnswerKind.METADATA)

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "found": self.found,
            "quote": self.quote if self.found else None,
            "source": self.source.to_dict() if self.found and self.source else None,
            "score": round(self.score, 4),
            "reply": self.reply,
        }


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file in the knowledge folder that was not loaded, and why (Vietnamese, user-facing)."""

    file: str
    reason: str


@dataclass(frozen=True, slots=True)
class FileWarning:
    """A file that was loaded, but not quite as written (e.g. decoded from Windows-1258)."""

    file: str
    message: str
