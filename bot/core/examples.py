"""Example questions that the bot really answers, made from the articles themselves.

Candidates come from patterns news articles share (someone "chủ trì hội nghị", "đồng chí X -
<chức vụ>", a sentence that opens with its date, a count, "(gọi tắt là X)"), read from
underthesea's words and parts of speech so that no question cuts a word in two. Then each is
asked: only a question the engine answers with a quote from the article it was made from is
kept, so an example never leads a new user to a refusal, whatever the articles or the
ranking rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.model import Answer, Article

MAX_ARTICLES = 12  # candidates come from the first articles only
MAX_CHECKS = 40  # questions asked at most (a few ms each) for one set of examples
MAX_QUESTION_CHARS = 90  # longer questions make poor examples on a phone
MAX_TITLE_CHARS = 60  # a title quoted in a question about the article
KINDS = ("who", "position", "when", "count", "definition", "metadata")  # offered in this order

Token = tuple[str, str]  # (word, part of speech), as underthesea's pos_tag gives them

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_PUNCTUATION = "CH"
_BREAKS = {"CH", "E", "C"}  # punctuation, prepositions, conjunctions end a phrase
_NOUNS = {"N", "Np", "Nc", "Ny", "M"}
_WHO_VERBS = {"chủ trì", "khai mạc", "chỉ đạo", "trình bày", "phát biểu khai mạc"}
_TIMES_OF_DAY = {"sáng", "chiều", "trưa", "tối", "đêm", "ngày", "hôm nay", "hôm qua"}
_POSITION_ENDS = {"chủ trì", "dự", "tham dự", "phát biểu", "cho biết", "nhấn mạnh", "cùng"}
_PEOPLE = {"đồng chí", "ông", "bà"}
_CLAUSE_ENDS = {",", ".", ";", "!", "?"}
_TRAILING = {"A", "R", "L", "T", "P"}  # an adjective, adverb, determiner ... ends no phrase
_COUNT_RE = re.compile(r"\d{1,3}(?:\.\d{3})*")
_NOT_COUNTED = {
    "năm",
    "tháng",
    "ngày",
    "giờ",
    "phút",
    "giây",
    "tuần",
    "quý",
    "lần",
    "km",
    "ha",
    "tỷ",
    "triệu",
    "nghìn",
    "ngàn",
    "trăm",
    "đồng",
    "mức độ",
    "mức",
    "người",
}
_COUNT_INTRODUCERS = {"có", "với", "gồm", "là", "được"}
_DEFINED_RE = re.compile(r"\(gọi tắt là ([^()]{2,40})\)")
_ABBREVIATION_RE = re.compile(r"\b[A-ZĐ]{2,}")


class AnsweringEngine(Protocol):
    """What the examples need of an engine: its articles, and answers."""

    @property
    def articles(self) -> Sequence[Article]: ...

    def ask(self, question: str) -> Answer: ...


@dataclass(frozen=True, slots=True)
class Candidate:
    question: str
    article: Article
    kind: str  # which pattern made it (one of KINDS): examples vary in kind


def _tagged(sentence: str) -> list[Token]:
    from underthesea import pos_tag  # heavy: loaded on the first use only

    return [(str(word), str(tag)) for word, tag in pos_tag(sentence)]


def _sentences(article: Article) -> Iterator[str]:
    for paragraph in article.paragraphs:
        yield from (s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip())


def _phrase(tokens: Sequence[Token], limit: int) -> list[str]:
    """The phrase at the start of `tokens`: up to a break, at most `limit` words, not ending
    on an adjective, adverb or determiner; empty unless it holds a noun."""
    words: list[Token] = []
    for word, tag in tokens:
        if tag in _BREAKS or len(words) == limit:
            break
        words.append((word, tag))
    while words and words[-1][1] in _TRAILING:
        words.pop()
    if not any(tag in _NOUNS for _, tag in words):
        return []
    return [word for word, _ in words]


def _who(tokens: list[Token]) -> Iterator[str]:
    """'… Nguyễn Văn A … chủ trì hội nghị' -> 'Ai chủ trì hội nghị?'"""
    for i, (word, _) in enumerate(tokens):
        verb = word.lower()
        if verb == "phát biểu" and i + 1 < len(tokens) and tokens[i + 1][0].lower() == "khai mạc":
            verb, i = "phát biểu khai mạc", i + 1
        if verb not in _WHO_VERBS or not any(tag == "Np" for _, tag in tokens[max(0, i - 12) : i]):
            continue  # no person named before the verb: "Ai" would not fit
        target = _phrase(tokens[i + 1 :], 6)
        if target:
            yield f"Ai {verb} {' '.join(target)}?"


def _position(tokens: list[Token]) -> Iterator[str]:
    """'đồng chí Nguyễn Văn A - Phó Bí thư Tỉnh ủy, …' -> 'Ai là Phó Bí thư Tỉnh ủy?'"""
    for i in range(len(tokens) - 2):
        if tokens[i][1] != "Np" or tokens[i + 1][0] != "-":
            continue
        words: list[str] = []
        rest = tokens[i + 2 :]
        for j, (word, tag) in enumerate(rest):
            another = (
                word.lower() == "và" and j + 1 < len(rest) and rest[j + 1][0].lower() in _PEOPLE
            )
            if tag == _PUNCTUATION or word.lower() in _POSITION_ENDS or another or len(words) == 8:
                break
            words.append(word)
        if len(" ".join(words).split()) >= 2:
            yield f"Ai là {' '.join(words)}?"


def _when(tokens: list[Token]) -> Iterator[str]:
    """'Chiều 26-2-2014, Ban X tổ chức hội nghị, …' -> 'Ban X tổ chức hội nghị khi nào?'"""
    if len(tokens) < 5 or tokens[0][0].lower() not in _TIMES_OF_DAY:
        return
    start = next((i for i, (w, _) in enumerate(tokens[:4]) if w == ","), None)
    if start is None:
        return
    clause: list[Token] = []
    end = ""
    for token in tokens[start + 1 :]:
        if token[1] == _PUNCTUATION:
            end = token[0]
            break
        clause.append(token)
    # A clause cut by a bracket or a dash is not whole: "Ban Chỉ đạo 35 tỉnh (gọi tắt …"
    if end in _CLAUSE_ENDS and 3 <= len(clause) <= 12 and any(tag == "V" for _, tag in clause):
        yield f"{' '.join(word for word, _ in clause)} khi nào?"


def _count(tokens: list[Token]) -> Iterator[str]:
    """'… với 120 học viên …' -> 'Có bao nhiêu học viên?'"""
    for i in range(1, len(tokens) - 1):
        before, (number, _), (noun, tag) = tokens[i - 1], tokens[i], tokens[i + 1]
        introduced = before[1] in ("V", "E") or before[0].lower() in _COUNT_INTRODUCERS
        if (
            introduced
            and _COUNT_RE.fullmatch(number)
            and tag == "N"
            and noun[:1].isalpha()
            and noun.lower() not in _NOT_COUNTED
        ):
            yield f"Có bao nhiêu {noun.lower()}?"


def _defined(sentence: str) -> Iterator[str]:
    """'… (gọi tắt là VNCERT) …' -> 'VNCERT là gì?' (abbreviations and short names only)."""
    for match in _DEFINED_RE.finditer(sentence):
        name = match.group(1).strip()
        if _ABBREVIATION_RE.search(name) or len(name.split()) <= 3:
            yield f"{name} là gì?"


def candidates(article: Article) -> Iterator[Candidate]:
    """Questions an article looks able to answer, by pattern, in reading order."""
    for sentence in _sentences(article):
        tokens = _tagged(sentence)
        for kind, questions in (
            ("who", _who(tokens)),
            ("position", _position(tokens)),
            ("when", _when(tokens)),
            ("count", _count(tokens)),
            ("definition", _defined(sentence)),
        ):
            for question in questions:
                yield Candidate(question, article, kind)
    if len(article.title) <= MAX_TITLE_CHARS:
        yield Candidate(f"Bài «{article.title}» đăng ngày nào?", article, "metadata")


def answers_from(answer: Answer, article: Article) -> bool:
    """The engine answered, with a quote from this article (not a refusal, help or a question
    back about which article is meant)."""
    return (
        answer.found
        and bool(answer.quote)
        and answer.source is not None
        and answer.source.file == article.file
    )


def example_questions(engine: AnsweringEngine, limit: int = 3) -> list[str]:
    """Up to `limit` questions the engine answers from the article each was made from, of
    different kinds where possible, from the first articles on (most often the first one is
    enough, so few sentences are read)."""
    kept: list[Candidate] = []
    untried: list[Candidate] = []  # kinds already shown: tried only if examples are missing
    about_articles: list[Candidate] = []  # "Bài … đăng ngày nào?": the last resort
    seen: set[str] = set()
    checks = 0

    def check(candidate: Candidate) -> bool:
        nonlocal checks
        checks += 1
        if answers_from(engine.ask(candidate.question), candidate.article):
            kept.append(candidate)
        return len(kept) == limit or checks == MAX_CHECKS

    for article in list(engine.articles)[:MAX_ARTICLES]:
        found = sorted(candidates(article), key=lambda c: KINDS.index(c.kind))
        for candidate in found:
            key = candidate.question.casefold()
            if key in seen or len(candidate.question) > MAX_QUESTION_CHARS:
                continue
            seen.add(key)
            if candidate.kind == "metadata":
                about_articles.append(candidate)
            elif any(k.kind == candidate.kind for k in kept):
                untried.append(candidate)
            elif check(candidate):
                return [k.question for k in kept]
    for candidate in untried + about_articles:
        if check(candidate):
            break
    return [k.question for k in kept]
