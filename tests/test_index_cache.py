"""The index cache and incremental rebuilds: reuse what did not change, never trust junk."""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

import numpy as np
import pytest
import rank_bm25

import bot.core.knowledge as knowledge_module
from bot.core.cache import CACHE_FILE, load_index, wait_for_saves
from bot.core.engine import Engine, load_engine
from bot.core.index import BM25_PARAMETERS, SearchIndex
from bot.core.knowledge import RECENT_NS, passage_terms
from bot.core.text import normalize_text
from bot.core.views import (
    encode_phrases,
    encode_runs,
    view_of_runs,
    view_of_text,
    words_of_runs,
)

EXTRA = """Tập huấn an toàn thông tin

05/03/2015 - 09:45

Sáng 4-3-2015, Sở Thông tin và Truyền thông tổ chức lớp tập huấn an toàn thông tin cho 120 cán bộ.

Minh Anh
"""


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files analysed (parsed and segmented) from now on."""
    seen: list[str] = []
    real = knowledge_module.analyze_article

    def counting(article, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(article.file)
        return real(article, *args, **kwargs)

    monkeypatch.setattr(knowledge_module, "analyze_article", counting)
    return seen


def test_warm_start_reuses_the_cache(knowledge_copy: Path, analyses: list[str]) -> None:
    cache = knowledge_copy / ".cache"
    first = load_engine(knowledge_copy, cache_dir=cache)
    assert analyses == ["000_796d2ca824a9a6ee.txt"]
    assert (cache / CACHE_FILE).exists()
    second = load_engine(knowledge_copy, cache_dir=cache)
    assert analyses == ["000_796d2ca824a9a6ee.txt"]  # nothing analysed again
    question = "Ai chủ trì hội nghị?"
    assert second.ask(question).reply == first.ask(question).reply


def test_only_changed_files_are_analysed_again(knowledge_copy: Path, analyses: list[str]) -> None:
    cache = knowledge_copy / ".cache"
    engine = load_engine(knowledge_copy, cache_dir=cache)
    (knowledge_copy / "extra.txt").write_text(EXTRA, encoding="utf-8")
    engine = load_engine(knowledge_copy, cache_dir=cache, previous=engine)
    assert analyses == ["000_796d2ca824a9a6ee.txt", "extra.txt"]
    assert "120 cán bộ" in (engine.ask("Lớp tập huấn có bao nhiêu cán bộ?").quote or "")

    (knowledge_copy / "extra.txt").write_text(EXTRA.replace("120", "150"), encoding="utf-8")
    restarted = load_engine(knowledge_copy, cache_dir=cache)  # a stale cache, from disk
    assert analyses[2:] == ["extra.txt"]
    assert "150 cán bộ" in (restarted.ask("Lớp tập huấn có bao nhiêu cán bộ?").quote or "")

    (knowledge_copy / "extra.txt").unlink()
    after_removal = load_engine(knowledge_copy, cache_dir=cache, previous=restarted)
    assert analyses[3:] == []
    assert [a.file for a in after_removal.articles] == ["000_796d2ca824a9a6ee.txt"]
    assert not after_removal.ask("Lớp tập huấn có bao nhiêu cán bộ?").found


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-10] + b"0123456789",  # corrupt payload
        lambda data: b"garbage" + data[7:],  # wrong magic
        lambda data: b"",
    ],
)
def test_a_damaged_cache_is_rebuilt_not_trusted(
    knowledge_copy: Path, analyses: list[str], caplog: pytest.LogCaptureFixture, damage
) -> None:
    cache = knowledge_copy / ".cache"
    load_engine(knowledge_copy, cache_dir=cache)
    path = cache / CACHE_FILE
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.WARNING):
        engine = load_engine(knowledge_copy, cache_dir=cache)
    assert "ignored, rebuilding" in caplog.text
    assert len(analyses) == 2
    assert engine.ask("Ai chủ trì hội nghị?").found
    assert load_index(cache) is not None  # and a good cache was written again


QUERIES = [
    "Ai chủ trì hội nghị?",
    "ke hoach dau tu co so vat chat",
    "BCĐ 94",
    "hội nghị hội nghị tỉnh",
    "Lớp tập huấn có bao nhiêu cán bộ?",
    "zzz qqq",
]


def assert_equals_rank_bm25(engine: Engine) -> None:
    """Scores, idf and document frequencies equal rank-bm25's over the same tokens, exactly."""
    corpus = [terms for f in engine.knowledge.files for terms in passage_terms(f.article)]
    reference = rank_bm25.BM25Okapi(corpus, **BM25_PARAMETERS)
    index: SearchIndex = engine.index
    for question in QUERIES:
        terms = engine.tokenizer.terms(question)
        assert np.array_equal(index.scores(terms), reference.get_scores(terms)), question
    floored = 0
    for term in {t for doc in corpus for t in doc} | {"f:zzz"}:
        assert index.idf(term) == reference.idf.get(term), term
        assert index.document_frequency(term) == sum(term in doc for doc in corpus)
        floored += reference.idf.get(term) == reference.average_idf * reference.epsilon
    assert floored  # the epsilon floor, which depends on the order terms first appear, is hit


def test_bm25_scores_equal_rank_bm25(seed_engine: Engine) -> None:
    assert_equals_rank_bm25(seed_engine)


@pytest.mark.parametrize("few_fresh_terms", [20_000, -1], ids=["one-by-one", "all-at-once"])
def test_bm25_scores_stay_equal_through_reloads_and_the_cache(
    knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch, few_fresh_terms: int
) -> None:
    import bot.core.index as index_module

    monkeypatch.setattr(index_module, "_CHUNK", 97)  # many chunk boundaries, mid-group too
    # A reload puts the new files' postings in place term by term, or (many) all at once.
    monkeypatch.setattr(index_module, "_FEW_FRESH_TERMS", few_fresh_terms)
    cache = knowledge_copy / ".cache"
    engine = load_engine(knowledge_copy, cache_dir=cache)
    (knowledge_copy / "001_extra.txt").write_text(EXTRA, encoding="utf-8")
    (knowledge_copy / "000_a.txt").write_text(EXTRA.replace("120", "90"), encoding="utf-8")
    engine = load_engine(knowledge_copy, cache_dir=cache, previous=engine)  # merged
    assert_equals_rank_bm25(engine)
    (knowledge_copy / "000_a.txt").unlink()
    engine = load_engine(knowledge_copy, cache_dir=cache, previous=engine)
    assert_equals_rank_bm25(engine)
    wait_for_saves()
    warm = load_engine(knowledge_copy, cache_dir=cache)  # arrays read back from the cache
    assert_equals_rank_bm25(warm)
    for name, array in engine.index.arrays.items():
        assert np.array_equal(warm.index.arrays[name], array), name


def test_a_reload_writes_the_cache_behind_the_swap(knowledge_copy: Path) -> None:
    cache = knowledge_copy / ".cache"
    engine = load_engine(knowledge_copy, cache_dir=cache)
    (knowledge_copy / "extra.txt").write_text(EXTRA, encoding="utf-8")
    load_engine(knowledge_copy, cache_dir=cache, previous=engine)
    wait_for_saves()
    cached = load_index(cache)
    assert cached is not None
    assert sorted(f.file for f in cached.knowledge.files) == [
        "000_796d2ca824a9a6ee.txt",
        "extra.txt",
    ]


def test_passage_views_equal_the_tokenizer_analysis(seed_engine: Engine) -> None:
    """A view built from the runs the analysis kept is the analysis (segment=False) of the
    passage, sentence by sentence, without spelling out its terms."""
    tokenizer = seed_engine.tokenizer
    cases = [(p.text, p.sentence_ends) for p in seed_engine.passages]
    cases += [(a.title, ()) for a in seed_engine.articles]
    cases += [
        ("Chỉ thị số 28 của BCĐ 94; Sở TT-TT, UBND tỉnh (gọi tắt là UBND) họp ngày 26-2-2014.", ()),
        ("", ()),
        ("!!!", ()),
        ("so 5 so so 7 số 8, số 9", ()),
        ("Câu một. !!! Câu ba có BCĐ.", (9, 14, 27)),
    ]
    for text, ends in cases:
        analyzed = tokenizer.analyze(text, segment=False, sentence_ends=ends)
        view = view_of_text(text, tokenizer, ends)
        assert view.words == analyzed.syllables
        assert view.sentence_count == max(1, len(ends))
        terms = set(analyzed.terms)
        assert all(term in view.terms for term in terms)
        folds = sorted({w.folded for w in view.words})
        pairs = {f"b:{a}_{b}" for a in folds for b in folds}
        probes = pairs | {"f:zzz", "a:zzz1", "w:hôi5_nghi5", "b:", "b:x", "x", "b:a_b_c"}
        assert all((term in view.terms) == (term in terms) for term in probes)
        encoded = encode_phrases(analyzed.runs, analyzed.sentence_starts)
        assert view_of_runs(encoded, tokenizer) == view
        assert words_of_runs(encoded, tokenizer) == list(view.words)


def test_each_view_word_knows_its_written_word_and_sentence(seed_engine: Engine) -> None:
    """Highlighting maps the view's words back to the passage's text: the n-th written word
    of the passage, and the sentence it is in."""
    for position, passage in enumerate(seed_engine.passages):
        view = seed_engine.ranker.view(position)
        written = re.findall(r"[^\W_]+", passage.text)
        sentences = passage.sentences
        for i, word in enumerate(view.words):
            token = view.tokens[i]
            assert token < len(written)
            if i == 0 or view.tokens[i - 1] != token:  # not an abbreviation's long form
                assert normalize_text(written[token]).lower() == word.surface.lower()
            assert normalize_text(written[token]) in normalize_text(sentences[view.sentences[i]])


def test_a_reload_after_a_warm_start_analyses_only_the_new_file(
    knowledge_copy: Path, analyses: list[str]
) -> None:
    cache = knowledge_copy / ".cache"
    load_engine(knowledge_copy, cache_dir=cache)
    warm = load_engine(knowledge_copy, cache_dir=cache)
    assert all(f.postings is None for f in warm.knowledge.files)  # the index holds them
    (knowledge_copy / "extra.txt").write_text(EXTRA, encoding="utf-8")
    reloaded = load_engine(knowledge_copy, cache_dir=cache, previous=warm)
    assert analyses == ["000_796d2ca824a9a6ee.txt", "extra.txt"]
    fresh = load_engine(knowledge_copy)
    terms = fresh.tokenizer.terms("Lớp tập huấn có bao nhiêu cán bộ?")
    assert np.array_equal(reloaded.index.scores(terms), fresh.index.scores(terms))
    assert (
        reloaded.ask("Lớp tập huấn có bao nhiêu cán bộ?").quote
        == fresh.ask("Lớp tập huấn có bao nhiêu cán bộ?").quote
    )
    wait_for_saves()


def test_postings_are_grouped_alike_packed_or_not() -> None:
    from bot.core.index import _group_by_term

    rng = np.random.default_rng(7)
    pairs = np.unique(rng.integers(0, 50 * 300, 2000))  # a term is in a passage once
    docs, terms = (pairs // 50).astype(np.int32), (pairs % 50).astype(np.int32)
    counts = rng.integers(1, 65535, len(pairs)).astype(np.uint16)
    half = len(pairs) // 2
    parts = [(terms[:half], docs[:half], counts[:half]), (terms[half:], docs[half:], counts[half:])]
    packed = _group_by_term(iter(parts), len(pairs), 50, 300)
    sorted_plainly = _group_by_term(iter(parts), len(pairs), 1 << 26, 300)  # too wide to pack
    for a, b in zip(packed, sorted_plainly, strict=True):
        assert np.array_equal(a, b)
    assert np.all(np.diff(packed[0]) >= 0)


def test_top_passages_are_the_best_scores_ties_in_passage_order(seed_engine: Engine) -> None:
    index = seed_engine.index
    for question in [*QUERIES, "tỉnh", "Bến Tre"]:
        terms = seed_engine.tokenizer.terms(question)
        scores = index.scores(terms)
        for limit in (1, 5, 40):
            expected = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:limit]
            assert [i for i, _ in index.top(terms, limit)] == expected


def test_an_engine_is_freed_without_the_cycle_collector(knowledge_copy: Path) -> None:
    """`load_engine` freezes what it loads: an engine caught in a reference cycle would then
    never be freed after a reload."""
    import gc
    import weakref

    engine = load_engine(knowledge_copy)
    engine.ask("Ai chủ trì hội nghị?")  # fills the ranker's caches
    refs = [weakref.ref(engine), weakref.ref(engine.ranker), weakref.ref(engine.index)]
    gc.disable()
    try:
        del engine
        assert [ref() for ref in refs] == [None, None, None]
    finally:
        gc.enable()


def test_files_unchanged_since_the_last_scan_are_not_read_again(
    knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (knowledge_copy / "extra.txt").write_text(EXTRA, encoding="utf-8")
    monkeypatch.setattr(knowledge_module, "RECENT_NS", 0)  # as if written long ago
    cache = knowledge_copy / ".cache"
    engine = load_engine(knowledge_copy, cache_dir=cache)
    reads: list[str] = []
    real = knowledge_module.read_file_bytes

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(knowledge_module, "read_file_bytes", counting)
    engine = load_engine(knowledge_copy, cache_dir=cache, previous=engine)
    assert reads == []
    warm = load_engine(knowledge_copy, cache_dir=cache)  # the signatures are in the cache too
    assert reads == []

    # An edit of the same size, its modification time set back: the ctime still tells.
    extra = knowledge_copy / "extra.txt"
    before = extra.stat()
    extra.write_text(EXTRA.replace("120", "150"), encoding="utf-8")
    os.utime(extra, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert extra.stat().st_size == before.st_size
    reloaded = load_engine(knowledge_copy, cache_dir=cache, previous=warm)
    assert set(reads) == {"extra.txt"}  # read to fingerprint it, then to analyse it
    assert "150 cán bộ" in (reloaded.ask("Lớp tập huấn có bao nhiêu cán bộ?").quote or "")
    wait_for_saves()


def test_a_file_written_just_before_a_scan_is_read_regardless(knowledge_copy: Path) -> None:
    """A write in the same tick of a coarse clock would leave size and times unchanged."""
    path = knowledge_copy / "extra.txt"
    path.write_text(EXTRA, encoding="utf-8")
    assert knowledge_module._signature(path, time.time_ns()) is None
    later = time.time_ns() + RECENT_NS + 1
    assert knowledge_module._signature(path, later) is not None


def test_runs_kept_by_the_analysis_encode_as_the_text_does(seed_engine: Engine) -> None:
    for text in ["BCĐ 94; Sở TT-TT (gọi tắt là STT).", "!!", "Một câu thôi"]:
        runs = seed_engine.tokenizer.analyze(text).runs
        assert encode_phrases(runs) == encode_runs(text)


def test_after_a_save_the_index_is_served_from_its_cache_file(knowledge_copy: Path) -> None:
    """Its arrays are pages of the file then, not a copy in memory: a reload holding the old
    index and building the new one needs half the memory."""
    import mmap

    def mapped(engine: Engine) -> bool:
        return all(
            isinstance(a.base, memoryview) and isinstance(a.base.obj, mmap.mmap)
            for a in engine.index.arrays.values()
        )

    cache = knowledge_copy / ".cache"
    cold = load_engine(knowledge_copy, cache_dir=cache)
    assert mapped(cold)
    (knowledge_copy / "extra.txt").write_text(EXTRA, encoding="utf-8")
    reloaded = load_engine(knowledge_copy, cache_dir=cache, previous=cold)
    question = "Lớp tập huấn có bao nhiêu cán bộ?"
    before = reloaded.ask(question)
    wait_for_saves()
    assert mapped(reloaded)
    assert reloaded.ask(question) == before
    assert not mapped(load_engine(knowledge_copy))  # no cache: built in memory
