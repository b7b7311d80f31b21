"""The answer engine: from a question to a quoted, cited answer, or a plain refusal.

Greetings get help, questions about an article itself (author, date, title, link) are
answered from its metadata, and every other question goes to the ranker (`ranking.py`). It
is answered only when the fitted probability that the quote answers reaches the model's
threshold, chosen on real questions for a stated precision (`fitted.py`).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from bot.core import examples, replies
from bot.core.answer_types import (
    RULES,
    AnswerType,
    Sentence,
    listed_with,
    name_of,
    position_of,
)
from bot.core.articles import DEFAULT_MAX_FILE_BYTES
from bot.core.cache import (
    CachedIndex,
    PendingIndex,
    save_index,
    save_index_later,
    start_loading_index,
    without_postings,
)
from bot.core.chat_typing import ChatReader, is_english
from bot.core.errors import KnowledgeError
from bot.core.features import same
from bot.core.fitted import FittedModel
from bot.core.index import IndexedFile, SearchIndex
from bot.core.knowledge import Knowledge, Progress, build_knowledge
from bot.core.memory import return_free_memory
from bot.core.model import (
    Answer,
    AnswerKind,
    Article,
    Hit,
    Passage,
    Source,
    Span,
)
from bot.core.questions import MetaIntent, Question, meta_words, understand
from bot.core.quotes import Quote, build_quote, in_quote
from bot.core.ranking import Candidate, Ranker, Ranking
from bot.core.terms import pair_term
from bot.core.text import Abbreviations, Tokenizer
from bot.core.timings import StageClock

MAX_HITS = 20  # answering quotes kept per question: more is never shown
# Other quotes offered after the answer ("Đoạn khác", inline results) may be less likely than
# the answer itself, down to this share of the threshold: the reader asked for more.
ALTERNATIVE_SHARE = 0.25
MAX_QUESTION_CHARS = 1000  # longer input is read up to here

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


_BUILDER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bm25-build")


@functools.cache
def default_model() -> FittedModel:
    """The shipped fitted parameters (``bot/core/data/ranker.json``), read once."""
    return FittedModel.load()


def _digest(name: str, content_fingerprint: str) -> str:
    return hashlib.sha1(f"{name}\0{content_fingerprint}".encode()).hexdigest()[:12]


class Engine:
    """Answers questions over one fixed set of articles. Immutable once built."""

    def __init__(
        self,
        knowledge: Knowledge,
        index: SearchIndex | None = None,
        previous_index: SearchIndex | None = None,
        model: FittedModel | None = None,
    ) -> None:
        """`index` when it is already built for exactly these files; otherwise one is built,
        carrying over from `previous_index` every file it holds unchanged (the others must
        come with their postings)."""
        self.articles = tuple(f.article for f in knowledge.files)
        if not self.articles:
            raise KnowledgeError("Không có bài viết nào để lập chỉ mục")
        building: Future[SearchIndex] | None = None
        if index is None:
            entries = [
                IndexedFile(f.file, f.fingerprint, len(f.passages), f.postings)
                for f in knowledge.files
            ]
            if sum(entry.passages for entry in entries):
                # numpy works without the GIL for most of the build: passages are set up meanwhile.
                building = _BUILDER.submit(SearchIndex.build, entries, previous_index)
        # The index holds the postings now; the knowledge need not keep a second copy.
        self.knowledge = knowledge = without_postings(knowledge)
        self.skipped = knowledge.skipped
        self.warnings = knowledge.warnings
        abbreviations = Abbreviations()
        for analyzed in knowledge.files:
            for short, long in analyzed.abbreviations:
                abbreviations.add(short, long)
        self.tokenizer = Tokenizer(abbreviations)

        passages: list[Passage] = []
        self._keys: dict[str, int] = {}
        self._example: str | None = None
        for article_id, analyzed in enumerate(knowledge.files):
            # The content fingerprint is part of the key: a button under an old answer must
            # not open a different passage after the file was edited.
            digest = _digest(analyzed.file, analyzed.fingerprint)
            for number, part, text, ends in analyzed.passages:
                passage = Passage(len(passages), article_id, number, text, ends)
                self._keys[f"{digest}:{number}:{part}"] = passage.passage_id
                passages.append(passage)
        if not passages:
            raise KnowledgeError("Các bài viết không có đoạn nội dung nào để lập chỉ mục")
        self.passages = tuple(passages)
        self._passage_key = {pid: key for key, pid in self._keys.items()}
        runs: list[str] | None = [r for f in knowledge.files for r in f.runs]
        if runs is not None and len(runs) != len(passages):
            runs = None  # analysed without runs: the ranker reads the passages' text
        kept_titles = [f.title_runs for f in knowledge.files]
        title_runs: list[str] | None = [r for r in kept_titles if r is not None]
        if title_runs is not None and len(title_runs) != len(kept_titles):
            title_runs = None  # analysed without them: the ranker analyses the titles
        if building is not None:
            index = building.result()
        assert index is not None
        self.index = index
        self.model = model or default_model()
        self.reader = ChatReader(self.index.document_frequency, abbreviations)
        self.ranker = Ranker(
            self.index,
            self.passages,
            self.tokenizer,
            tuple(a.title for a in self.articles).__getitem__,
            self.model,
            runs,
            title_runs,
        )

    # --- Public API -------------------------------------------------------------------

    def ask(self, question: str, *, clock: StageClock | None = None) -> Answer:
        """The answer to a question; `clock`, when given, records where the time went."""
        if is_english(question[:MAX_QUESTION_CHARS]):
            reply = replies.english_question(self.example_question())
            return Answer(question, AnswerKind.HELP, None, None, 0.0, reply)
        q = self.understand(question)
        if clock is not None:
            clock.mark("analysis")
        if q.is_empty or q.is_greeting:
            return Answer(question, AnswerKind.HELP, None, None, 0.0, replies.HELP)
        if q.meta is not None:
            return self._metadata_answer(question, q)
        if not q.content:
            return Answer(question, AnswerKind.NOT_FOUND, None, None, 0.0, replies.VAGUE)
        ranking = self.ranker.rank(q, clock=clock)
        if ranking is None:
            return Answer(question, AnswerKind.NOT_FOUND, None, None, 0.0, replies.NOT_FOUND)
        hits = self._hits(ranking, clock=clock)
        if not hits:
            best = self.ranker.probability(ranking, 0)
            return Answer(question, AnswerKind.NOT_FOUND, None, None, best, replies.NOT_FOUND)
        best_hit = hits[0]
        reply = replies.quote_reply(best_hit.quote, best_hit.source)
        if best_hit.answer:
            reply = f"{best_hit.answer_label}: {best_hit.answer}\n{reply}"
        if clock is not None:
            clock.mark("rendering")
        return Answer(
            question,
            AnswerKind.FOUND,
            best_hit.quote,
            best_hit.source,
            best_hit.score,
            reply,
            hits,
            best_hit.answer,
            best_hit.answer_label,
        )

    def understand(self, question: str) -> Question:
        """What a question asks, read against these articles' words."""
        text = strip_markup(question[:MAX_QUESTION_CHARS])
        return understand(self.reader.read(text).text, self.tokenizer, self._known_pair)

    def _known_pair(self, first: str, second: str) -> bool:
        return self.index.document_frequency(pair_term(first, second)) > 0

    def _hits(
        self, ranking: Ranking, limit: int = MAX_HITS, clock: StageClock | None = None
    ) -> tuple[Hit, ...]:
        """The quotes that answer, best first; none when the best candidate is not likely
        enough to answer. After it, each other candidate the fitted model finds likely
        enough gets its own quote, none repeating another's sentences."""
        threshold = self.model.threshold
        answers = self.ranker.probability(ranking, 0) >= threshold
        if clock is not None:
            clock.mark("judging")  # the refusal model's call; what follows renders quotes
        if not answers:
            return ()
        scores = {(c.position, c.sentence): c.score for c in ranking.candidates}
        hits: list[Hit] = []
        quoted: set[tuple[int, int]] = set()
        for i, candidate in enumerate(ranking.candidates[: 2 * limit]):
            if len(hits) >= limit:
                break
            if (candidate.position, candidate.sentence) in quoted:
                continue
            probability = self.ranker.probability(ranking, i)
            if probability < threshold * (ALTERNATIVE_SHARE if hits else 1.0):
                continue
            quote = build_quote(
                self.passages,
                candidate.position,
                candidate.sentence,
                scores,
                announces=self.ranker.announces_list(ranking, candidate),
            )
            quoted.update((p.position, p.sentence) for p in quote.pieces)
            hits.append(self._hit(ranking, candidate, quote, probability))
        return tuple(hits)

    def _hit(self, ranking: Ranking, candidate: Candidate, quote: Quote, probability: float) -> Hit:
        q = ranking.question
        passage = self.passages[candidate.position]
        view = self.ranker.view(candidate.position)
        found = self.ranker.answer_spans(ranking, candidate)
        answer = label = None
        person = True
        highlights: list[Span] = []
        if found:
            spans = found[:1]
            sentence = self.ranker.sentence(candidate)
            if q.answer_type in (AnswerType.WHO, AnswerType.ROLE) and not q.names:
                spans = listed_with(found, found[0])  # "A - ..., B - ... chủ trì": both
            highlights = in_quote(quote, passage, candidate.sentence, view.tokens, spans)
            if highlights and RULES[q.answer_type].short:
                if q.answer_type in (AnswerType.WHO, AnswerType.ROLE):
                    # "X giữ chức vụ gì?" names the person and asks the position; "Ai ...?"
                    # and "X là ai?" ask who.
                    part: Callable[[Sentence, Span], Span] = (
                        position_of if q.answer_type is AnswerType.ROLE and q.names else name_of
                    )
                    person = self.ranker.is_person(sentence, spans[0])
                    if not person:
                        part = _whole
                    pieces = [part(sentence, span) for span in spans]
                    parts = in_quote(quote, passage, candidate.sentence, view.tokens, pieces)
                else:
                    parts = highlights[:1]
                answer = ", ".join(quote.text[a:b] for a, b in parts) or None
                label = _answer_label(q, sentence, person) if answer else None
        if not highlights:
            highlights = in_quote(
                quote,
                passage,
                candidate.sentence,
                view.tokens,
                self.ranker.matched_spans(q, candidate),
            )
        return Hit(
            passage,
            self.source(passage),
            quote.text,
            probability,
            tuple(highlights),
            answer,
            label,
        )

    def search(self, question: str, limit: int = 5) -> list[Hit]:
        """The answering passages for a question, best first; empty when it is refused."""
        return list(self.ask(question).hits[:limit])

    def source(self, passage: Passage, *, with_paragraph: bool = True) -> Source:
        article = self.articles[passage.article_id]
        return Source(
            article.title,
            article.date,
            article.author,
            article.url,
            passage.paragraph if with_paragraph else None,
            article.file,
        )

    def paragraph_text(self, passage: Passage) -> str:
        return self.articles[passage.article_id].paragraphs[passage.paragraph - 1]

    def passage_key(self, passage: Passage) -> str:
        return self._passage_key[passage.passage_id]

    def passage_by_key(self, key: str) -> Passage | None:
        position = self._keys.get(key)
        return None if position is None else self.passages[position]

    def example_question(self) -> str:
        """A question these articles really answer, for replies that show one (the English
        question's note); worked out on first use, a few asks, then kept."""
        if self._example is None:
            found = examples.example_questions(self, 1)
            self._example = found[0] if found else "Bài viết đăng lúc nào?"
        return self._example

    # --- Questions about the articles themselves --------------------------------------

    def _target_article(self, q: Question) -> tuple[Article | None, bool]:
        """The article a metadata question is about, and whether the question names a topic
        ("bài về giá lúa ..."); no article with a topic named means none covers it."""
        skip = meta_words(q)
        topic = [w for i, w in enumerate(q.analyzed.syllables) if i not in skip]
        probe = self.understand(" ".join(w.surface for w in topic)) if topic else None
        if probe is None or not probe.content:
            return (self.articles[0] if len(self.articles) == 1 else None), False
        ranking = self.ranker.rank(probe)
        if ranking is None or not self._hits(ranking, limit=1):
            return None, True
        return self.articles[self.passages[ranking.candidates[0].position].article_id], True

    def _metadata_answer(self, question: str, q: Question) -> Answer:
        article, topic_named = self._target_article(q)
        if article is None and topic_named:
            return Answer(question, AnswerKind.NOT_FOUND, None, None, 0.0, replies.NOT_FOUND)
        if article is None:
            reply = replies.which_article(self.articles)
            return Answer(question, AnswerKind.CLARIFICATION, None, None, 0.0, reply)
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
    model: FittedModel | None = None,
) -> Engine:
    """Build the engine for the folder, reusing whatever is still valid.

    The analysis of unchanged files comes from `previous` (a reload) or from the index cache
    in `cache_dir` (a start); when no file changed at all, the BM25 index is reused too.
    Raises KnowledgeError when the folder is missing or holds no usable article.
    """
    with _collector_paused():
        engine = _load_engine(folder, cache_dir, max_file_bytes, previous, workers, progress, model)
        # The index's objects live as long as the engine: moved out of the collector's
        # generations, full collections no longer walk them (they took 0.1-0.3 s at 10,000
        # articles, in the middle of answers). An engine holds no reference cycles, so an old
        # one is still freed by reference counting when a reload replaces it.
        gc.freeze()
    return_free_memory()
    return engine


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while an index is built: it makes millions of objects
    that live on, and each full collection would walk every object of the serving index."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_engine(
    folder: Path,
    cache_dir: Path | None,
    max_file_bytes: int,
    previous: Engine | None,
    workers: int | None,
    progress: Progress | None,
    model: FittedModel | None = None,
) -> Engine:
    prior: CachedIndex | None = None
    pending: PendingIndex | None = None
    if previous is not None:
        prior = CachedIndex(previous.knowledge, previous.index)
    elif cache_dir is not None:
        pending = start_loading_index(cache_dir)  # its index arrays load while the folder is read
    known = prior.knowledge if prior else pending.knowledge if pending else None
    try:
        knowledge = build_knowledge(
            folder,
            max_file_bytes=max_file_bytes,
            previous=known,
            workers=workers,
            progress=progress,
        )
    except BaseException:
        if pending is not None:
            pending.result()  # let its thread finish and close the file
        raise
    if pending is not None:
        prior = pending.result()
        if prior is None:  # the rest of the cache is damaged: nothing of it is trusted
            knowledge = build_knowledge(
                folder, max_file_bytes=max_file_bytes, workers=workers, progress=progress
            )
    unchanged = prior is not None and prior.index.files == knowledge.versions
    engine = Engine(
        knowledge,
        prior.index if unchanged and prior else None,
        previous_index=prior.index if prior else None,
        model=model or (previous.model if previous is not None else None),
    )
    save = cache_dir is not None and not (
        unchanged and prior and prior.knowledge.manifest == knowledge.manifest and previous is None
    )
    if save:
        assert cache_dir is not None
        cached = CachedIndex(engine.knowledge, engine.index)
        if previous is not None:
            # A reload: the new engine can serve at once; the cache is written behind it.
            save_index_later(cache_dir, cached)
        else:
            save_index(cache_dir, cached)
    return engine


def _whole(sentence: Sentence, span: Span) -> Span:
    return span


def _answer_label(q: Question, sentence: Sentence, person: bool = True) -> str:
    """What the short answer is: "Người chủ trì" for "Ai chủ trì ...?" (the two words after
    "ai", spelled as the article writes them there, when it writes them together; "Đơn vị
    tổ chức" when the answer is a body), else the answer type's own heading ("Thời gian")."""
    rule = RULES[q.answer_type]
    words = q.analyzed.syllables
    if q.answer_type is not AnswerType.WHO or not q.asked or words[q.asked[0]].folded != "ai":
        return rule.label
    after = q.asked[1]
    pair = words[after : after + 2]
    if len(pair) < 2:
        return rule.label
    found = sentence.words
    for i in range(sentence.start, sentence.end - 1):
        if same(found[i], pair[0]) and same(found[i + 1], pair[1]):
            who = "Người" if person else "Đơn vị"
            return f"{who} " + " ".join(w.surface.lower() for w in found[i : i + 2])
    return rule.label
