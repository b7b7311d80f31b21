"""The retrieval step alone, ours against the best BM25 engines, on the same passages and terms.

Each engine gets the passages as our index holds them: every passage's index terms with
their counts (read back from the index's postings), each term written as a token ``t<id>``.
A question's query is our ranker's query terms (``Ranker.query_terms``), the terms the index
knows written the same way. So all three score the same bags of terms; only the engines
differ.

- ours: ``SearchIndex.top(terms, 30)``, rank-bm25's BM25Okapi scores (k1 1.5, b 0.75);
- bm25s (``pip install bm25s``): ``BM25(method="robertson", k1=1.5, b=0.75)`` indexed from
  token ids, and ``retrieve(k=30)``, its public path; also its scoring plus its top-k
  selection without the batch wrapper;
- tantivy (``pip install tantivy``): a whitespace-tokenized field fed the tokens, a boolean
  OR of term queries, ``searcher.search(query, 30)``: tantivy's own BM25 (k1 1.2, b 0.75).

A peer whose package is missing is skipped with a message. Every query is run once as a
warm-up for every engine before the timed pass, so that each engine's caches are as warm as
ours (our index remembers recent term ids; bm25s and tantivy keep their vocabularies in
memory anyway).
"""

from __future__ import annotations

import gc
import importlib.util
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

TOP = 30
SCORE_CHECK_QUERIES = 40


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile, interpolated between the two nearest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _summary(milliseconds: list[float]) -> dict[str, float]:
    ordered = sorted(milliseconds)
    p95 = percentile(ordered, 95)
    return {
        "median_ms": round(statistics.median(ordered), 4),
        "p95_ms": round(p95, 4),
        "mean_ms": round(statistics.fmean(ordered), 4),
    }


def _timed(run: Callable[[Any], object], queries: Sequence[Any]) -> list[float]:
    for query in queries:  # warm-up, see the module's description
        run(query)
    times: list[float] = []
    for query in queries:
        started = time.perf_counter_ns()
        run(query)
        times.append((time.perf_counter_ns() - started) / 1e6)
    return times


def passage_tokens(index: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every passage's term ids, each repeated by its count, passage after passage, and
    where each passage's run ends: read back from the term-grouped postings."""
    arrays = index.arrays
    offsets = arrays["offsets"]
    docs = np.asarray(arrays["docs"])
    counts = np.asarray(arrays["counts"]).astype(np.int64)
    term_of = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    # Within a passage, terms in order of their first appearance in the corpus: rank-bm25
    # sums the average idf (its floor for common terms) in that order.
    file_terms = np.asarray(arrays["file_terms"])
    first = np.full(len(offsets) - 1, len(file_terms), dtype=np.int64)
    np.minimum.at(first, file_terms, np.arange(len(file_terms), dtype=np.int64))
    order = np.lexsort((first[term_of], docs))
    docs, term_of, counts = docs[order], term_of[order], counts[order]
    tokens = np.repeat(term_of, counts)
    token_docs = np.repeat(docs, counts)
    ends = np.searchsorted(token_docs, np.arange(1, len(index) + 1), side="left")
    return tokens, ends


def _token_lists(tokens: np.ndarray, ends: np.ndarray) -> list[list[int]]:
    starts = np.concatenate([[0], ends[:-1]])
    flat = tokens.tolist()
    return [flat[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def retrieval_peers(
    engine: Any,
    questions: list[dict[str, str]],
    *,
    check_scores: bool,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Median and p95 of the top-30 retrieval of ours, bm25s and tantivy on the same terms;
    with `check_scores`, our scores against rank-bm25's on the same bags of terms."""
    index = engine.index
    queries: list[list[str]] = []
    for item in questions:
        q = engine.understand(item["q"])
        if q.meta is not None or not q.content:
            continue
        terms = engine.ranker.query_terms(q)
        if any(index._term_id(t) is not None for t in terms):
            queries.append(terms)
    id_queries = [
        [i for i in (index._term_id(t) for t in terms) if i is not None] for terms in queries
    ]
    token_queries = [[f"t{i}" for i in ids] for ids in id_queries]
    result: dict[str, Any] = {"queries": len(queries), "top": TOP}
    log(f"retrieval peers: {len(queries)} queries, top {TOP}")

    result["ours"] = _summary(_timed(lambda terms: index.top(terms, TOP), queries))
    log(f"ours: {result['ours']}")

    started = time.perf_counter()
    tokens, ends = passage_tokens(index)
    vocabulary = len(index.arrays["offsets"]) - 1
    result["tokens"] = len(tokens)
    result["read_back_s"] = round(time.perf_counter() - started, 2)

    if check_scores:
        result["rank_bm25_check"] = _check_against_rank_bm25(
            index, tokens, ends, id_queries[:SCORE_CHECK_QUERIES], queries, log
        )
    if importlib.util.find_spec("bm25s") is None:
        log("bm25s is not installed (pip install -e '.[bench]'): its figures are left out")
        result["bm25s"] = {"skipped": "bm25s is not installed"}
    else:
        result["bm25s"] = _bm25s(tokens, ends, vocabulary, token_queries, id_queries, log)
    gc.collect()
    if importlib.util.find_spec("tantivy") is None:
        log("tantivy is not installed (pip install -e '.[bench]'): its figures are left out")
        result["tantivy"] = {"skipped": "tantivy is not installed"}
    else:
        result["tantivy"] = _tantivy(tokens, ends, token_queries, log)
    gc.collect()
    return result


def _check_against_rank_bm25(
    index: Any,
    tokens: np.ndarray,
    ends: np.ndarray,
    id_queries: list[list[int]],
    queries: list[list[str]],
    log: Callable[[str], None],
) -> dict[str, Any]:
    """rank-bm25 over the same bags of term ids: are our scores its scores, bit for bit?"""
    from rank_bm25 import BM25Okapi

    log("rank-bm25 over the same terms, to check the scores")
    plain = BM25Okapi(_token_lists(tokens, ends))
    equal = 0
    worst = 0.0
    for ids, terms in zip(id_queries, queries, strict=False):
        theirs = plain.get_scores(ids)
        ours = index.scores(terms)
        equal += bool(np.array_equal(theirs, ours))
        worst = max(worst, float(np.max(np.abs(theirs - ours))))
    del plain
    log(f"scores equal to rank-bm25's on {equal}/{len(id_queries)} queries (max diff {worst})")
    return {"queries": len(id_queries), "bit_equal": equal, "max_abs_diff": worst}


def _bm25s(
    tokens: np.ndarray,
    ends: np.ndarray,
    vocabulary: int,
    token_queries: list[list[str]],
    id_queries: list[list[int]],
    log: Callable[[str], None],
) -> dict[str, Any]:
    import bm25s
    import bm25s.selection

    log("bm25s: indexing")
    started = time.perf_counter()
    retriever = bm25s.BM25(method="robertson", k1=1.5, b=0.75)
    vocab = {f"t{i}": i for i in range(vocabulary)}
    retriever.index((_token_lists(tokens, ends), vocab), show_progress=False)
    build_s = time.perf_counter() - started

    def retrieve(query: list[str]) -> object:
        return retriever.retrieve([query], k=TOP, show_progress=False, n_threads=1)

    def scores_and_topk(ids: list[int]) -> object:
        scores = retriever.get_scores_from_ids(ids)
        return bm25s.selection.topk(scores, TOP, backend="numpy", sorted=True)

    figures = {
        "build_s": round(build_s, 2),
        "retrieve": _summary(_timed(retrieve, token_queries)),
        "scores_topk": _summary(_timed(scores_and_topk, id_queries)),
    }
    log(f"bm25s: {figures}")
    return figures


def _tantivy(
    tokens: np.ndarray, ends: np.ndarray, token_queries: list[list[str]], log: Callable[..., None]
) -> dict[str, Any]:
    import tantivy

    log("tantivy: indexing")
    started = time.perf_counter()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("terms", stored=False, tokenizer_name="whitespace", index_option="freq")
    schema = builder.build()
    store = tantivy.Index(schema)  # in memory
    writer = store.writer(heap_size=200_000_000, num_threads=1)
    starts = np.concatenate([[0], ends[:-1]])
    flat = tokens.tolist()
    word = [f"t{i}" for i in range(int(tokens.max(initial=0)) + 1)]  # one string per term
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        writer.add_document(tantivy.Document(terms=" ".join(map(word.__getitem__, flat[a:b]))))
    writer.commit()
    writer.wait_merging_threads()
    store.reload()
    searcher = store.searcher()
    build_s = time.perf_counter() - started
    should = tantivy.Occur.Should

    def search(query: list[str]) -> object:
        clauses = [(should, tantivy.Query.term_query(schema, "terms", t)) for t in query]
        return searcher.search(tantivy.Query.boolean_query(clauses), TOP).hits

    figures = {
        "build_s": round(build_s, 2),
        "segments": searcher.num_segments,
        "search": _summary(_timed(search, token_queries)),
    }
    log(f"tantivy: {figures}")
    return figures
