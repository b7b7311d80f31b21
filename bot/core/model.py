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
    """A focused piece of one paragraph (at most MAX_PASSAGE_CHARS characters), made of
    whole sentences."""

    passage_id: int  # position in the index, stable for one index build
    article_id: int  # position of the article in the index's article list
    paragraph: int  # 1-based paragraph number within the article
    text: str
    sentence_ends: tuple[int, ...] = ()  # where each sentence ends in `text`

    @property
    def sentences(self) -> list[str]:
        """The passage's sentences, in order (the whole text when it was not split)."""
        ends = self.sentence_ends or (len(self.text),)
        out, start = [], 0
        for end in ends:
            out.append(self.text[start:end].strip())
            start = end
        return out


Span = tuple[int, int]  # (start, end) character offsets


@dataclass(frozen=True, slots=True)
class Hit:
    """A quote that answers a question: the sentence that answers and its neighbours."""

    passage: Passage  # the passage holding the sentence that answers
    source: Source
    quote: str
    score: float  # estimated probability that the quote answers the question (0..1)
    highlights: tuple[Span, ...] = ()  # what to bold in the quote: the answer, else the match
    answer: str | None = None  # the short answer found in the quote ("26-2-2014"), if any
    answer_label: str | None = None  # what it is ("Thời gian")

    @property
    def matched_words(self) -> tuple[str, ...]:
        """The highlighted words of the quote, in order, each once."""
        seen: dict[str, None] = {}
        for start, end in self.highlights:
            for word in self.quote[start:end].split():
                seen.setdefault(word, None)
        return tuple(seen)


class AnswerKind(StrEnum):
    FOUND = "found"  # a quote from a passage
    METADATA = "metadata"  # about the article itself: author, date, title, link
    NOT_FOUND = "not_found"  # the articles do not say
    HELP = "help"  # greeting, empty or punctuation-only input
    CLARIFICATION = "clarification"  # which article is meant?

    @property
    def public(self) -> str:
        """The kind as `ask --json` names it."""
        return _PUBLIC_KINDS[self]


_PUBLIC_KINDS = {
    AnswerKind.FOUND: "answer",
    AnswerKind.METADATA: "metadata",
    AnswerKind.NOT_FOUND: "refusal",
    AnswerKind.HELP: "help",
    AnswerKind.CLARIFICATION: "clarification",
}


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    kind: AnswerKind
    quote: str | None
    source: Source | None
    score: float  # estimated probability that the quote answers (1.0 for metadata)
    reply: str  # plain text exactly as a user reads it (quote, then source line)
    hits: tuple[Hit, ...] = field(default=())  # the answering quotes, best first
    answer: str | None = None  # the short answer inside the quote, when found with confidence
    answer_label: str | None = None

    @property
    def found(self) -> bool:
        return self.kind in (AnswerKind.FOUND, AnswerKind.METADATA) and self.quote is not None

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "kind": self.kind.public,
            "found": self.found,
            "quote": self.quote if self.found else None,
            "answer": self.answer if self.found else None,
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
