"""The knowledge folder, analysed: every article with its passages and their index terms.

Analysing a file (parsing, sentence splitting, word segmentation) is the expensive part of
building the index, so it happens once per file content: a rebuild reuses the analysis of
every file whose bytes did not change, and analyses the rest on all cores when there are
many. A file's terms depend only on that file (its own abbreviation definitions plus the
common table), which is what makes the reuse exact.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.articles import (
    DEFAULT_MAX_FILE_BYTES,
    check_folder,
    decode_article_bytes,
    parse_article_text,
    read_file_bytes,
    scan_knowledge_files,
)
from bot.core.errors import ArticleError, KnowledgeError
from bot.core.index import FilePostings
from bot.core.lexicon import ABBREVIATIONS
from bot.core.model import Article, FileWarning, SkippedFile
from bot.core.passages import plan_paragraph
from bot.core.text import (
    Abbreviations,
    Tokenizer,
    find_defined_abbreviations,
    use_fast_segmenter,
)
from bot.core.views import encode_phrases

# Bump when passages or terms would come out differently: cached analyses are then rebuilt.
PIPELINE_VERSION = 4
PARALLEL_MIN_FILES = 40  # below this, starting worker processes costs more than it saves

Progress = Callable[[int, int], None]  # (files analysed so far, files to analyse)


PassageEntry = tuple[int, int, str, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class AnalyzedFile:
    """One article and its passages, with the index terms of each passage."""

    file: str
    fingerprint: str
    article: Article
    warning: str | None
    # (paragraph number, part in paragraph, text, where each of its sentences ends)
    passages: tuple[PassageEntry, ...]
    abbreviations: tuple[tuple[str, str], ...]  # defined in this article
    runs: tuple[str, ...] = ()  # per passage, its syllable runs (views.encode_runs)
    # The passages' counted terms: only until the index holds them (the engine drops them).
    postings: FilePostings | None = None
    title_runs: str | None = None  # the title's syllable runs (views.encode_runs)


Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
RECENT_NS = 2_000_000_000  # a file changed this shortly before a scan is read regardless


def _signature(path: str | Path, scan_started_ns: int) -> Signature | None:
    """What `stat` says of the file, or None when it cannot vouch for the content.

    Any write changes the ctime, which no program can set back, so an equal signature means
    equal bytes, as git's index assumes. Except for a write in the same tick of a coarse
    clock as the previous look: files changed just before the scan get no signature.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    if max(st.st_mtime_ns, st.st_ctime_ns) >= scan_started_ns - RECENT_NS:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@dataclass(frozen=True, slots=True)
class Knowledge:
    files: tuple[AnalyzedFile, ...]
    skipped: tuple[SkippedFile, ...]
    rejected: dict[str, tuple[str, str]] = field(default_factory=dict)  # file: (fingerprint, why)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    pipeline_version: int = PIPELINE_VERSION
    # file: its stat when last read, to know it unchanged without reading it (see _signature)
    signatures: dict[str, Signature] = field(default_factory=dict)

    @property
    def manifest(self) -> dict[str, str]:
        """File name -> content fingerprint of every file that was read."""
        entries = {f.file: f.fingerprint for f in self.files}
        entries.update({name: fp for name, (fp, _) in self.rejected.items()})
        return entries

    @property
    def versions(self) -> tuple[tuple[str, str], ...]:
        """(file, fingerprint) of each analysed file, in order: what its index is built of."""
        return tuple((f.file, f.fingerprint) for f in self.files)

    @property
    def warnings(self) -> tuple[FileWarning, ...]:
        return tuple(FileWarning(f.file, f.warning) for f in self.files if f.warning)


def fingerprint(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


_Analyzed = tuple[PassageEntry, list[str], str]  # passage, its terms, its runs


def passage_terms(article: Article) -> list[list[str]]:
    """Each passage's index terms, then its title's: what BM25 counts for the passage."""
    return [terms for _, terms, _ in _analyze_passages(article)[2]]


def _analyze_passages(article: Article) -> tuple[dict[str, str], str, list[_Analyzed]]:
    """The abbreviations the article defines, its title's runs, and its passages analysed."""
    defined = find_defined_abbreviations(" ".join(article.paragraphs))
    table = dict(ABBREVIATIONS)
    table.update(defined)
    tokenizer = Tokenizer(Abbreviations(table))
    title = tokenizer.analyze(article.title)
    title_terms = list(title.terms)
    analyzed = []
    for number, paragraph in enumerate(article.paragraphs, start=1):
        for part, planned in enumerate(plan_paragraph(paragraph)):
            text, ends = planned.text, planned.sentence_ends
            text_analysis = tokenizer.analyze(text, sentence_ends=ends)
            terms = [*text_analysis.terms, *title_terms]
            runs = encode_phrases(text_analysis.runs, text_analysis.sentence_starts)
            analyzed.append(((number, part, text, ends), terms, runs))
    return defined, encode_phrases(title.runs), analyzed


def analyze_article(article: Article, file_fingerprint: str, warning: str | None) -> AnalyzedFile:
    defined, title_runs, analyzed = _analyze_passages(article)
    return AnalyzedFile(
        article.file,
        file_fingerprint,
        article,
        warning,
        tuple(passage for passage, _, _ in analyzed),
        tuple(sorted(defined.items())),
        tuple(runs for _, _, runs in analyzed),
        FilePostings.of([terms for _, terms, _ in analyzed]),
        title_runs,
    )


Outcome = tuple[str | None, "AnalyzedFile | SkippedFile"]  # (content fingerprint, result)


def analyze_file(path: Path, rel: str, max_file_bytes: int) -> Outcome:
    """Read, parse and analyse one file; a bad file becomes a SkippedFile with the reason."""
    try:
        data = read_file_bytes(path, max_file_bytes)
    except ArticleError as exc:
        return None, SkippedFile(rel, str(exc))
    file_fingerprint = fingerprint(data)
    try:
        text, warning = decode_article_bytes(data)
        article = parse_article_text(rel, text)
    except ArticleError as exc:
        return file_fingerprint, SkippedFile(rel, str(exc))
    return file_fingerprint, analyze_article(article, file_fingerprint, warning)


def _analyze_batch(batch: list[tuple[str, str, int]]) -> list[Outcome]:
    use_fast_segmenter()  # a worker analyses many files: worth the faster segmenter's load
    return [analyze_file(Path(path), rel, limit) for path, rel, limit in batch]


def _analyze_all(
    jobs: list[tuple[Path, str]], max_file_bytes: int, workers: int, progress: Progress | None
) -> Iterable[Outcome]:
    total = len(jobs)
    if workers <= 1 or total < PARALLEL_MIN_FILES:
        if total >= PARALLEL_MIN_FILES:
            use_fast_segmenter()  # many files in this process: worth the faster one's load
        for done, (path, rel) in enumerate(jobs, start=1):
            yield analyze_file(path, rel, max_file_bytes)
            if progress:
                progress(done, total)
        return
    # Spawned (not forked) workers: the bot reloads from a thread, and forking a threaded
    # process can deadlock. Small batches keep the progress bar moving and the cores busy.
    size = max(1, min(25, total // (workers * 8)))
    batches = [
        [(str(path), rel, max_file_bytes) for path, rel in jobs[i : i + size]]
        for i in range(0, total, size)
    ]
    done = 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for results in pool.map(_analyze_batch, batches):
            yield from results
            done += len(results)
            if progress:
                progress(done, total)


def build_knowledge(
    folder: Path,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    previous: Knowledge | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Knowledge:
    """Analyse the folder, reusing `previous` for every file whose content is unchanged."""
    check_folder(folder)
    if previous is not None and (
        previous.pipeline_version != PIPELINE_VERSION or previous.max_file_bytes != max_file_bytes
    ):
        previous = None
    known = {f.file: f for f in previous.files} if previous else {}
    known_rejected = previous.rejected if previous else {}
    known_signatures = previous.signatures if previous else {}

    results: dict[str, AnalyzedFile | SkippedFile] = {}
    rejected: dict[str, tuple[str, str]] = {}
    signatures: dict[str, Signature] = {}
    jobs: list[tuple[Path, str]] = []
    order: list[str] = []
    scan_started = time.time_ns()
    for rel, full, reason in scan_knowledge_files(folder):
        order.append(rel)
        if full is None:
            results[rel] = SkippedFile(rel, reason or "")
            continue
        signature = _signature(full, scan_started)  # taken before reading: a later write shows
        current = None
        if signature is not None and known_signatures.get(rel) == signature:
            # Unchanged since it was last read: its fingerprint then is its fingerprint now.
            if rel in known:
                current = known[rel].fingerprint
            elif rel in known_rejected:
                current = known_rejected[rel][0]
        if current is None:
            try:
                current = fingerprint(read_file_bytes(Path(full), max_file_bytes))
            except ArticleError as exc:
                results[rel] = SkippedFile(rel, str(exc))
                continue
        if signature is not None:
            signatures[rel] = signature
        if rel in known and known[rel].fingerprint == current:
            results[rel] = known[rel]
        elif rel in known_rejected and known_rejected[rel][0] == current:
            results[rel] = SkippedFile(rel, known_rejected[rel][1])
            rejected[rel] = known_rejected[rel]
        else:
            jobs.append((Path(full), rel))

    jobs_total = workers or os.cpu_count() or 1
    for file_fingerprint, outcome in _analyze_all(jobs, max_file_bytes, jobs_total, progress):
        results[outcome.file] = outcome
        if isinstance(outcome, SkippedFile) and file_fingerprint is not None:
            # Remembered so that an unchanged bad file is not parsed again on every start.
            rejected[outcome.file] = (file_fingerprint, outcome.reason)
        elif isinstance(outcome, SkippedFile):
            signatures.pop(outcome.file, None)  # unreadable now: look again next time

    files = tuple(r for name in order if isinstance(r := results[name], AnalyzedFile))
    skipped = tuple(r for name in order if isinstance(r := results[name], SkippedFile))
    if not files:
        raise KnowledgeError(
            f"Thư mục kiến thức {folder} không có bài viết nào đọc được (.txt, .md)"
        )
    return Knowledge(files, skipped, rejected, max_file_bytes, signatures=signatures)
