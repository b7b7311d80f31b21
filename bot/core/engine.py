"""The answer engine: from a question to a quoted, cited answer, or a plain refusal.

Ranking has two stages. BM25 (rank-bm25's BM25Okapi) picks candidate passages; then each
candidate is judged by how much of the question's meaningful content it holds (its
*coverage*: the question's content syllables, weighted by rarity, plus the word pairs it
keeps together), with a small bonus when the passage holds the kind of answer asked for
(a date for "khi nào", a name for "ai", a number for "bao nhiêu"). A question is answered
only when the best passage's coverage reaches ANSWER_THRESHOLD, calibrated on question
sets with and without answers; a positive BM25 score alone never means "answered".
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rank_bm25_rs import BM25Okapi

from bot.core import replies
from bot.core.articles import DEFAULT_MAX_FILE_BYTES
from bot.core.cache import CachedIndex, load_index, save_index
from bot.core.errors import KnowledgeError
from bot.core.index import SearchIndex, build_bm25
from bot.core.knowledge import Knowledge, Progress, build_knowledge
from bot.core.model import (
    Answer,
    AnswerKind,
    Article,
    Hit,
    Passage,
    Source,
)
from bot.core.questions import AnswerType, MetaIntent, Question, meta_words, understand
from bot.core.text import Abbreviations, Syllable, Tokenizer

ANSWER_THRESHOLD = 0.5  # minimum coverage of the question's content by the quoted passage
CANDIDATES = 40  # passages re-judged after BM25
MAX_QUESTION_CHARS = 1000  # longer input is read up to here
TITLE_CREDIT = 0.7  # a word found only in the article's title counts for less
UNMARKED_MATCH_CREDIT = 0.25  # "hôi" typed, "hồi" found: the letters agree, the tones do not
PAIR_SHARE = 0.35  # share of coverage given to keeping the question's word pairs together

_DATE_RE = re.compile(
    r"\d{1,2}\s*[-/]\s*\d{1,2}(?:\s*[-/]\s*\d{2,4})?|\b(?:ngày|tháng|năm|hôm|sáng|chiều|tối)\s+"
    r"(?:\d|nay|qua|mai)",
    re.IGNORECASE,
)
_NAME_RE = re.compile(r"(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s+){2,}[A-ZĐÀ-Ỹ][\wÀ-ỹ]*")
_NUMBER_RE = re.compile(r"\d")
# A name followed by a position: "Nguyễn Quốc Bảo - Phó Bí thư Thường trực Tỉnh ủy".
_ROLE_RE = re.compile(
    r"(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s+){1,3}[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s*[-–,(]\s*(?:nguyên\s+)?"
    r"(?:Phó|Ủy viên|Uỷ viên|Bí thư|Chủ tịch|Giám đốc|Trưởng|Tổng|Bộ trưởng|Thứ trưởng|"
    r"Đại biểu|Chánh|Viện trưởng|Tỉnh ủy viên|Tỉnh uỷ viên|Thiếu tướng|Trung tướng|Đại tá|"
    r"Thượng tá|Trung tá|Thiếu tá|Hiệu trưởng|Chỉ huy)"
)
# "... Chỉ thị số 28 của Ban Bí thư (khóa XI) về tăng cường ...": the topic follows "về".
_ABOUT_RE = re.compile(r"^(?:\S+\s+){0,10}?về\s", re.IGNORECASE)
_TYPE_PATTERNS = {
    AnswerType.WHEN: _DATE_RE,
    AnswerType.ROLE: _ROLE_RE,
    AnswerType.WHO: _NAME_RE,
    AnswerType.QUANTITY: _NUMBER_RE,
}


_MARKUP_RES = (
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # Markdown link: keep its text
    (re.compile(r"<[^<>]{0,200}>"), " "),  # HTML tags
    (re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE), " "),  # addresses
    (re.compile(r"&(?:[a-z]+|#\d+);", re.IGNORECASE), " "),  # entities
)


def strip_markup(text: str) -> str:
    """Questions pasted from web pages or chats: drop tags, links and entities, keep words."""
    for pattern, replacement in _MARKUP_RES:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True, slots=True)
class _Judged:
    position: int
    bm25: float
    coverage: float
    rank: float


def _digest(name: str, content_fingerprint: str) -> str:
    return hashlib.sha1(f"{name}\0{content_fingerprint}".encode()).hexdigest()[:12]


class Engine:
    """Answers questions over one fixed set of articles. Immutable once built."""

    def __init__(self, knowledge: Knowledge, bm25: BM25Okapi | None = None) -> None:
        self.knowledge = knowledge
        self.articles = tuple(f.article for f in knowledge.files)
        if not self.articles:
            raise KnowledgeError("Không có bài viết nào để lập chỉ mục")
        self.skipped = knowledge.skipped
        self.warnings = knowledge.warnings
        abbreviations = Abbreviations()
        for analyzed in knowledge.files:
            for short, long in analyzed.abbreviations:
                abbreviations.add(short, long)
        self.tokenizer = Tokenizer(abbreviations)

        passages: list[Passage] = []
        self._keys: dict[str, int] = {}
        for article_id, analyzed in enumerate(knowledge.files):
            # The content fingerprint is part of the key: a button under an old answer must
            # not open a different passage after the file was edited.
            digest = _digest(analyzed.file, analyzed.fingerprint)
            for number, part, text in analyzed.passages:
                passage = Passage(len(passages), article_id, number, text)
                self._keys[f"{digest}:{number}:{part}"] = passage.passage_id
                passages.append(passage)
        if not passages:
            raise KnowledgeError("Các bài viết không có đoạn nội dung nào để lập chỉ mục")
        self.passages = tuple(passages)
        if bm25 is None:
            bm25 = build_bm25([terms for analyzed in knowledge.files for terms in analyzed.terms])
        self.index = SearchIndex(bm25)
        self._passage_key = {pid: key for key, pid in self._keys.items()}
        self._features = lru_cache(maxsize=8192)(self._passage_features)
        self._title_features = lru_cache(maxsize=8192)(self._article_title_features)

    # --- Public API -------------------------------------------------------------------

    def ask(self, question: str) -> Answer:
        text = strip_markup(question[:MAX_QUESTION_CHARS])
        q = understand(text, self.tokenizer)
        if q.is_empty or q.is_greeting:
            return Answer(question, AnswerKind.HELP, None, None, 0.0, replies.HELP)
        if q.meta is not None:
            return self._metadata_answer(question, q)
        if not q.content:
            return Answer(question, AnswerKind.NOT_FOUND, None, None, 0.0, replies.VAGUE)
        judged = self._judge(q)
        hits = tuple(self._hit(j, q) for j in judged if j.coverage >= ANSWER_THRESHOLD)
        if not hits:
            best = judged[0].coverage if judged else 0.0
            return Answer(question, AnswerKind.NOT_FOUND, None, None, best, replies.NOT_FOUND)
        best_hit = hits[0]
        reply = replies.quote_reply(best_hit.passage.text, best_hit.source)
        return Answer(
            question, AnswerKind.FOUND, best_hit.passage.text, best_hit.source,
            best_hit.coverage, reply, hits,
        )

    def search(self, question: str, limit: int = 5) -> list[Hit]:
        """The answering passages for a question, best first; empty when it is refused."""
        return list(self.ask(question).hits[:limit])

    def source(self, passage: Passage, *, with_paragraph: bool = True) -> Source:
        article = self.articles[passage.article_id]
        return Source(
            article.title, article.date, article.author, article.url,
            passage.paragraph if with_paragraph else None, article.file,
        )

    def paragraph_text(self, passage: Passage) -> str:
        return self.articles[passage.article_id].paragraphs[passage.paragraph - 1]

    def passage_key(self, passage: Passage) -> str:
        return self._passage_key[passage.passage_id]

    def passage_by_key(self, key: str) -> Passage | None:
        position = self._keys.get(key)
        return None if position is None else self.passages[position]

    def example_questions(self, limit: int = 3) -> list[str]:
        examples = [f"{a.title}?" for a in self.articles[: max(1, limit - 1)]]
        examples.append("Bài viết đăng lúc nào?" if len(self.articles) == 1 else "Ai viết bài này?")
        return examples[:limit]

    # --- Ranking ----------------------------------------------------------------------

    def _query_terms(self, q: Question) -> list[str]:
        content_folds = {s.folded for s in q.content}
        content_accents = {s.accented for s in q.content if s.accented}
        stop_folds = {s.folded for s in q.analyzed.syllables} - content_folds
        stop_accents = {s.accented for s in q.analyzed.syllables if s.accented} - content_accents
        terms: list[str] = []
        for term in q.analyzed.terms:
            kind, body = term[0], term[2:]
            if kind == "f" and body in stop_folds:
                continue
            if kind == "a" and body in stop_accents:
                continue
            if kind == "b" and all(part in stop_folds for part in body.split("_")):
                continue
            if kind == "w" and all(
                part in stop_accents or part in stop_folds for part in body.split("_")
            ):
                continue
            terms.append(term)
        return terms

    def _passage_features(self, position: int) -> frozenset[str]:
        return frozenset(self.tokenizer.analyze(self.passages[position].text, segment=False).terms)

    def _article_title_features(self, article_id: int) -> frozenset[str]:
        title = self.articles[article_id].title
        return frozenset(self.tokenizer.analyze(title, segment=False).terms)

    def _credit(self, word: Syllable, features: frozenset[str]) -> float:
        if word.accented is not None:
            if "a:" + word.accented in features:
                return 1.0
            return UNMARKED_MATCH_CREDIT if "f:" + word.folded in features else 0.0
        return 1.0 if "f:" + word.folded in features else 0.0

    def _weight(self, word: Syllable) -> float:
        key = "a:" + word.accented if word.accented else "f:" + word.folded
        return self.index.term_weight(key)

    def _content_pairs(self, q: Question) -> list[str]:
        content = set(q.content)
        words = q.analyzed.syllables
        return [
            f"b:{a.folded}_{b.folded}"
            for a, b in itertools.pairwise(words)
            if a in content and b in content
        ]

    def _coverage(self, q: Question, position: int) -> float:
        features = self._features(position)
        title = self._title_features(self.passages[position].article_id)
        total = got = 0.0
        for word in q.content:
            weight = self._weight(word)
            total += weight
            credit = self._credit(word, features)
            if credit < 1.0:
                credit = max(credit, TITLE_CREDIT * self._credit(word, title))
            got += weight * credit
        coverage = got / total if total else 0.0
        pairs = self._content_pairs(q)
        if pairs:
            kept = sum(1.0 if p in features else TITLE_CREDIT if p in title else 0.0 for p in pairs)
            coverage = (1 - PAIR_SHARE) * coverage + PAIR_SHARE * kept / len(pairs)
        return coverage

    def _matched_words(self, q: Question, position: int) -> tuple[str, ...]:
        passage_words = self.tokenizer.analyze(self.passages[position].text, segment=False)
        wanted_accents = {w.accented for w in q.content if w.accented}
        wanted_folds = {w.folded for w in q.content if not w.accented}
        matched: dict[str, None] = {}
        for word in passage_words.syllables:
            if (word.accented and word.accented in wanted_accents) or word.folded in wanted_folds:
                matched.setdefault(word.surface, None)
        return tuple(matched)

    def _judge(self, q: Question) -> list[_Judged]:
        candidates = self.index.top(self._query_terms(q), CANDIDATES)
        if not candidates:
            return []
        best_bm25 = max(score for _, score in candidates)
        scale = best_bm25 if best_bm25 > 0 else 1.0
        pattern = _TYPE_PATTERNS.get(q.answer_type)
        judged = []
        for position, score in candidates:
            coverage = self._coverage(q, position)
            rank = 0.4 * max(score, 0.0) / scale + 0.6 * coverage
            if self._has_answer_type(q, self.passages[position].text, pattern):
                rank += 0.1
            judged.append(_Judged(position, score, coverage, rank))
        judged.sort(key=lambda j: (-j.rank, j.position))
        return judged

    def _has_answer_type(self, q: Question, text: str, pattern: re.Pattern[str] | None) -> bool:
        if pattern is not None:
            return pattern.search(text) is not None
        if q.answer_type is AnswerType.ABOUT and q.content:
            # The topic follows "về" shortly after the last word of the subject.
            last = q.content[-1].surface
            at = text.lower().find(last.lower())
            return at >= 0 and _ABOUT_RE.match(text[at + len(last) :].lstrip()) is not None
        return False

    def _hit(self, judged: _Judged, q: Question) -> Hit:
        passage = self.passages[judged.position]
        matched = self._matched_words(q, judged.position)
        return Hit(passage, self.source(passage), judged.bm25, judged.coverage, matched)

    # --- Questions about the articles themselves --------------------------------------

    def _target_article(self, q: Question) -> Article | None:
        if len(self.articles) == 1:
            return self.articles[0]
        skip = meta_words(q)
        topic = [w for i, w in enumerate(q.analyzed.syllables) if i not in skip]
        if not topic:
            return None
        probe = understand(" ".join(w.surface for w in topic), self.tokenizer)
        if not probe.content:
            return None
        judged = self._judge(probe)
        if not judged or judged[0].coverage < ANSWER_THRESHOLD:
            return None
        return self.articles[self.passages[judged[0].position].article_id]

    def _metadata_answer(self, question: str, q: Question) -> Answer:
        article = self._target_article(q)
        if article is None:
            reply = replies.which_article(self.articles)
            return Answer(question, AnswerKind.METADATA, None, None, 0.0, reply)
        statements: dict[MetaIntent, Callable[[Article], str]] = {
            MetaIntent.AUTHOR: replies.author_statement,
            MetaIntent.DATE: replies.date_statement,
            MetaIntent.TITLE: replies.title_statement,
            MetaIntent.LINK: replies.link_statement,
        }
        article_id = self.articles.index(article)
        first = next(p for p in self.passages if p.article_id == article_id)
        if q.meta is MetaIntent.TOPIC:
            source = self.source(first)
            quote = first.text
            reply = f"{replies.title_statement(article)}\n{replies.quote_reply(quote, source)}"
        else:
            assert q.meta is not None
            source = self.source(first, with_paragraph=False)
            quote = statements[q.meta](article)
            reply = f"{quote}\n— {replies.source_line(source)}"
        return Answer(question, AnswerKind.METADATA, quote, source, 1.0, reply)


def load_engine(
    folder: Path,
    *,
    cache_dir: Path | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    previous: Engine | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Engine:
    """Build the engine for the folder, reusing whatever is still valid.

    The analysis of unchanged files comes from `previous` (a reload) or from the index cache
    in `cache_dir` (a start); when no file changed at all, the BM25 index is reused too.
    Raises KnowledgeError when the folder is missing or holds no usable article.
    """
    prior: CachedIndex | None = None
    if previous is not None:
        prior = CachedIndex(previous.knowledge, previous.index.bm25)
    elif cache_dir is not None:
        prior = load_index(cache_dir)
    knowledge = build_knowledge(
        folder,
        max_file_bytes=max_file_bytes,
        previous=prior.knowledge if prior else None,
        workers=workers,
        progress=progress,
    )
    unchanged = prior is not None and _same_files(prior.knowledge, knowledge)
    engine = Engine(knowledge, prior.bm25 if unchanged and prior else None)
    if cache_dir is not None and not (
        unchanged and prior and prior.knowledge.manifest == knowledge.manifest
        and previous is None
    ):
        save_index(cache_dir, CachedIndex(knowledge, engine.index.bm25))
    return engine


def _same_files(before: Knowledge, after: Knowledge) -> bool:
    return [(f.file, f.fingerprint) for f in before.files] == [
        (f.file, f.fingerprint) for f in after.files
    ]
