"""The BM25 index over passages: rank-bm25's ``BM25Okapi`` scores, held in flat numpy arrays.

Scores equal rank-bm25's (k1=1.5, b=0.75, epsilon=0.25) bit for bit, because they are made
by the same float64 operations in the same order:

- rank-bm25 adds, term by term of the query, ``idf * (tf * (k1 + 1) / (tf + k1 * (1 - b +
  b * len / avgdl)))`` to every passage; a passage without the term gets 0.0, which changes
  nothing. Here that product is computed once per (term, passage) *posting* and a query adds
  its terms' postings with ``np.bincount``, which sums in the order given.
- ``idf = ln(N - df + 0.5) - ln(df + 0.5)``; a negative idf becomes ``epsilon`` times the
  average idf, summed one term at a time in the order the terms first appear in the corpus.

Terms are kept as 64-bit keys (BLAKE2b of the term), not strings: millions of strings would
cost more memory than the whole index. Two terms sharing a key would merge; with a million
terms the odds are about 1 in 30 million.

Postings are grouped by term (CSR: ``offsets`` into ``docs`` and ``contributions``). Term ids
only grow, so a reload *merges*: the postings of unchanged files are carried over and
renumbered, those of removed or changed files dropped, those of new ones added, in a few
linear passes and without sorting the whole index again. The arrays are what the cache saves.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

BM25_PARAMETERS = {"k1": 1.5, "b": 0.75, "epsilon": 0.25}
_K1, _B, _EPSILON = BM25_PARAMETERS["k1"], BM25_PARAMETERS["b"], BM25_PARAMETERS["epsilon"]
_CHUNK = 1 << 20  # postings per step when a whole array is recomputed: bounds temporary memory
_MAX_COUNT = np.iinfo(np.uint16).max
_REMEMBERED_TERMS = 50_000  # term ids kept for the next questions (hashing is the cost)


def _key_bytes(term: str) -> bytes:
    return hashlib.blake2b(term.encode(), digest_size=8).digest()


_KEY_BYTES: dict[str, bytes] = {}
_REMEMBERED_KEYS = 1 << 17  # an analysis worker meets the same common terms in every file


def _remembered_key_bytes(term: str) -> bytes:
    """`_key_bytes`, remembered: most of a file's terms were in the files before it."""
    key = _KEY_BYTES.get(term)
    if key is None:
        if len(_KEY_BYTES) >= _REMEMBERED_KEYS:
            _KEY_BYTES.clear()
        key = _KEY_BYTES[term] = _key_bytes(term)
    return key


def term_key(term: str) -> int:
    """The 64-bit key a term is stored under; stable across processes (unlike ``hash``)."""
    return int.from_bytes(_key_bytes(term), "little")


@dataclass(frozen=True, slots=True)
class FilePostings:
    """The terms of one file's passages, counted: what the index needs of a file."""

    keys: np.ndarray  # uint64: the file's distinct terms, in order of first appearance
    terms: np.ndarray  # uint32 per posting: which of `keys`
    counts: np.ndarray  # uint16 per posting: how often the term is in the passage
    ends: np.ndarray  # int64 per passage: where its postings end
    lengths: np.ndarray  # int32 per passage: its number of terms (BM25's document length)

    @classmethod
    def of(cls, passages: Sequence[Sequence[str]]) -> FilePostings:
        local: dict[str, int] = {}
        terms: list[int] = []
        counts: list[int] = []
        ends: list[int] = []
        for passage in passages:
            # Counted in C; a Counter keeps the order of first appearance, as the ids do.
            frequencies = Counter(passage)
            terms.extend([local.setdefault(term, len(local)) for term in frequencies])
            counts.extend(frequencies.values())
            ends.append(len(terms))
        digests = b"".join(map(_remembered_key_bytes, local))
        keys = np.frombuffer(digests, dtype="<u8").astype(np.uint64)  # as term_key reads them
        # A passage is at most 600 characters and a title 300: no count comes near the cap.
        return cls(
            keys,
            np.array(terms, dtype=np.uint32),
            np.minimum(np.array(counts, dtype=np.int64), _MAX_COUNT).astype(np.uint16),
            np.array(ends, dtype=np.int64),
            np.array([len(p) for p in passages], dtype=np.int32),
        )


@dataclass(frozen=True, slots=True)
class IndexedFile:
    """A file as the index knows it; its postings are needed only when it is new."""

    name: str
    fingerprint: str
    passages: int
    postings: FilePostings | None = None


# The arrays an index is made of (and the cache stores), with their types.
ARRAYS = {
    "keys": np.uint64,  # term id -> key
    "lookup_keys": np.uint64,  # keys sorted, to find a term's id
    "lookup_ids": np.int32,
    "offsets": np.int64,  # term id -> its postings, offsets[id]:offsets[id + 1]
    "docs": np.int32,  # per posting: the passage
    "counts": np.uint16,  # per posting: the term's count in the passage
    "contributions": np.float64,  # per posting: what it adds to the passage's score
    "idf": np.float64,  # term id -> idf as rank-bm25 has it (0 for terms no longer used)
    "lengths": np.int32,  # passage -> number of terms
    "file_ends": np.int64,  # file -> end of its passages
    "file_terms": np.int32,  # each file's distinct terms, in order of first appearance
    "file_term_ends": np.int64,  # file -> end of its run in file_terms
}


class SearchIndex:
    """BM25 over the passages' terms, and the rarity of each term. What it answers never
    changes; where its arrays live may (see `adopt`)."""

    def __init__(
        self,
        files: Sequence[tuple[str, str]],
        arrays: dict[str, np.ndarray],
        release: Callable[[str, int, int], None] | None = None,
    ) -> None:
        """`release(name, first, last)`, for arrays mapped from a file, lets go of the pages
        under those items: a merge reads the old index once and need not keep it in memory."""
        self.files = tuple(files)  # (name, content fingerprint) of each file, in order
        self._release = release
        self._ids: dict[str, int | None] = {}  # terms looked up lately, and their ids
        for name, kind in ARRAYS.items():
            if arrays[name].dtype != kind:
                raise ValueError(f"index array {name} has type {arrays[name].dtype}")
        self._use(arrays)
        self._check()

    def _use(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self._offsets = arrays["offsets"]
        self._docs = arrays["docs"]
        self._contributions = arrays["contributions"]
        self._lookup_keys = arrays["lookup_keys"]
        self._lookup_ids = arrays["lookup_ids"]
        self._size = len(arrays["lengths"])
        lengths = arrays["lengths"]
        self._average_length = int(lengths.sum(dtype=np.int64)) / max(1, len(lengths))

    def adopt(self, copy: SearchIndex) -> None:
        """Serve from `copy`'s arrays, the same index stored elsewhere (mapped from its cache
        file). What the index answers does not change, so questions in flight are unaffected;
        a copy that is not the same is refused (ValueError)."""
        same = (
            copy.files == self.files
            and all(copy.arrays[name].shape == array.shape for name, array in self.arrays.items())
            and all(  # the small arrays in full; the big ones were written from these
                np.array_equal(copy.arrays[name], self.arrays[name])
                for name in ("offsets", "idf", "lengths", "file_ends")
            )
        )
        if not same:
            raise ValueError("not a copy of this index")
        self._use(copy.arrays)
        self._release = copy._release

    def let_go(self, name: str, first: int, last: int) -> None:
        """Items first..last of an array were read and are not needed again soon."""
        if self._release is not None and last > first:
            self._release(name, first, last)

    def _check(self) -> None:
        """Shapes that must agree; a cache that does not is rejected (ValueError)."""
        a = self.arrays
        terms = len(a["keys"])
        postings = len(a["docs"])
        agree = (
            len(a["lookup_keys"]) == len(a["lookup_ids"]) == len(a["idf"]) == terms
            and len(a["offsets"]) == terms + 1
            and int(a["offsets"][0]) == 0
            and int(a["offsets"][-1]) == postings == len(a["counts"]) == len(a["contributions"])
            and len(a["file_ends"]) == len(a["file_term_ends"]) == len(self.files)
            and (not self.files or int(a["file_ends"][-1]) == self._size)
            and (not self.files or int(a["file_term_ends"][-1]) == len(a["file_terms"]))
        )
        if not agree:
            raise ValueError("index arrays do not agree with each other")

    def __len__(self) -> int:
        return self._size

    # --- Queries ------------------------------------------------------------------------

    def _term_id(self, term: str) -> int | None:
        ids = self._ids
        if term in ids:
            return ids[term]
        key = term_key(term)
        keys = self._lookup_keys
        i = int(keys.searchsorted(np.uint64(key)))
        found = None
        if i < len(keys) and int(keys[i]) == key:
            found = int(self._lookup_ids[i])
        if len(ids) >= _REMEMBERED_TERMS:  # questions bring new words forever: stay bounded
            ids.clear()
        ids[term] = found
        return found

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """The BM25 score of every passage, as ``BM25Okapi.get_scores`` gives it."""
        docs: list[np.ndarray] = []
        contributions: list[np.ndarray] = []
        offsets = self._offsets
        for term in query_terms:  # every occurrence counts, as in rank-bm25
            i = self._term_id(term)
            if i is None:
                continue
            start, end = int(offsets[i]), int(offsets[i + 1])
            if start < end:
                docs.append(self._docs[start:end])
                contributions.append(self._contributions[start:end])
        if not docs:
            return np.zeros(self._size)
        if len(docs) == 1:
            return np.bincount(docs[0], weights=contributions[0], minlength=self._size)
        # Concatenated straight into the index type bincount works in: no second pass to
        # convert 32-bit passage numbers (a quarter of a long question's BM25 time).
        return np.bincount(
            np.concatenate(docs, dtype=np.intp),
            weights=np.concatenate(contributions),
            minlength=self._size,
        )

    def top(self, query_terms: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """(passage position, BM25 score) of the `limit` best passages, best first; equal
        scores in passage order."""
        if not query_terms or limit <= 0:
            return []
        scores = self.scores(query_terms)
        return [(i, float(scores[i])) for i in best_positions(scores, limit)]

    def document_frequency(self, term: str) -> int:
        """How many passages hold the term."""
        i = self._term_id(term)
        return 0 if i is None else int(self._offsets[i + 1] - self._offsets[i])

    def idf(self, term: str) -> float | None:
        """The term's idf as rank-bm25 has it; None for a term no passage holds."""
        i = self._term_id(term)
        if i is None or self._offsets[i + 1] == self._offsets[i]:
            return None
        return float(self.arrays["idf"][i])

    def length(self, position: int) -> int:
        """The passage's number of terms: BM25's document length."""
        return int(self.arrays["lengths"][position])

    @property
    def average_length(self) -> float:
        """BM25's average document length (avgdl)."""
        return self._average_length

    def term_weight(self, term: str) -> float:
        """A smoothed, always positive idf: words that no passage has weigh the most.

        BM25Okapi's own idf is zero or floored for terms in half the passages or more, which
        on a small folder would make a question's common words count for nothing.
        """
        df = self.document_frequency(term)
        return math.log((self._size + 1) / (df + 0.5)) + 0.1

    # --- Building -----------------------------------------------------------------------

    @classmethod
    def build(
        cls, files: Sequence[IndexedFile], previous: SearchIndex | None = None
    ) -> SearchIndex:
        """The index of `files`, carrying over from `previous` every file it holds unchanged.

        Every other file must come with its postings.
        """
        if not files or sum(f.passages for f in files) == 0:
            raise ValueError("BM25 needs at least one passage")  # rank-bm25 divides by zero
        return _Builder(files, previous).index()


class _Builder:
    """One merge of a previous index (possibly none) with the postings of new files."""

    def __init__(self, files: Sequence[IndexedFile], previous: SearchIndex | None) -> None:
        self.files = files
        self.previous = previous
        old = previous.arrays if previous is not None else None
        self.old = old
        slot = {f: i for i, f in enumerate(previous.files)} if previous is not None else {}
        old_ends = old["file_ends"] if old is not None else np.zeros(0, np.int64)
        starts = np.zeros(len(files) + 1, dtype=np.int64)
        np.cumsum([f.passages for f in files], out=starts[1:])
        self.starts = starts
        self.size = int(starts[-1])
        self.carried: list[tuple[int, int]] = []  # (file, its number in the previous index)
        self.fresh: list[int] = []
        for number, f in enumerate(files):
            j = slot.get((f.name, f.fingerprint))
            if j is not None:
                first, last = _span(old_ends, j)
                if last - first == f.passages:
                    self.carried.append((number, j))
                    continue
            if f.postings is None:
                raise ValueError(f"{f.name}: new to the index but given without its postings")
            if len(f.postings.lengths) != f.passages:
                raise ValueError(f"{f.name}: postings for another number of passages")
            self.fresh.append(number)

    def _postings(self, number: int) -> FilePostings:
        """A fresh file's postings (checked present when the builder was made)."""
        postings = self.files[number].postings
        assert postings is not None
        return postings

    # Vocabulary: ids of the previous index stay; new terms are appended.
    def _vocabulary(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """All term keys by id, and for each fresh file the ids of its local terms."""
        old_keys = self.old["keys"] if self.old is not None else np.zeros(0, np.uint64)
        local = [self._postings(n).keys for n in self.fresh]
        wanted = np.concatenate(local) if local else np.zeros(0, np.uint64)
        ids = np.empty(len(wanted), dtype=np.int64)
        known = np.zeros(len(wanted), dtype=bool)
        if self.old is not None and len(old_keys):
            lookup = self.old["lookup_keys"]
            at = np.minimum(np.searchsorted(lookup, wanted), len(lookup) - 1)
            known = lookup[at] == wanted
            ids[known] = self.old["lookup_ids"][at[known]]
        added = np.unique(wanted[~known])
        ids[~known] = len(old_keys) + np.searchsorted(added, wanted[~known])
        keys = np.concatenate([old_keys, added])
        bounds = np.cumsum([0, *(len(k) for k in local)])
        return keys, [ids[bounds[i] : bounds[i + 1]] for i in range(len(local))]

    def index(self) -> SearchIndex:
        keys, fresh_ids = self._vocabulary()
        terms = len(keys)
        old = self.old

        # Fresh postings, grouped by term. Made file by file as they are packed: a cold
        # build's 22 million are never held twice over.
        fresh_lengths: dict[int, np.ndarray] = {}

        def fresh_parts() -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
            for number, ids in zip(self.fresh, fresh_ids, strict=True):
                postings = self.files[number].postings
                assert postings is not None
                fresh_lengths[number] = postings.lengths
                passages = np.arange(self.starts[number], self.starts[number + 1], dtype=np.int32)
                yield (
                    ids[postings.terms].astype(np.int32),
                    np.repeat(passages, np.diff(postings.ends, prepend=0)),
                    postings.counts,
                )

        fresh_total = sum(len(self._postings(n).terms) for n in self.fresh)
        f_terms, f_docs, f_counts = _group_by_term(fresh_parts(), fresh_total, terms, self.size)
        per_term_fresh = np.bincount(f_terms, minlength=terms).astype(np.int64)

        # Each term's group: the carried postings (those of unchanged files, renumbered) in
        # their old order, then the fresh ones. The order within a group changes no score:
        # a passage has one posting per term, and a query's sums go term by term.
        if old is None or not self.carried:  # nothing carried: the fresh groups are the index
            per_term_kept = np.zeros(terms, dtype=np.int64)
            docs, counts = f_docs, f_counts
        else:
            docs, counts, per_term_kept = self._carry(terms, len(f_terms))
        offsets = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(per_term_kept + per_term_fresh, out=offsets[1:])
        if docs is not f_docs:
            docs, counts = _add_fresh(docs, counts, per_term_kept, f_terms, f_docs, f_counts)

        # Lengths and each file's terms in order of first appearance, file by file.
        lengths_parts, file_terms_parts = self._file_parts(fresh_lengths, fresh_ids)
        lengths = np.concatenate(lengths_parts).astype(np.int32)
        file_terms = np.concatenate(file_terms_parts).astype(np.int32)
        if self.previous is not None:
            self.previous.let_go("file_terms", 0, len(self.previous.arrays["file_terms"]))
        file_term_ends = np.cumsum([len(p) for p in file_terms_parts], dtype=np.int64)

        document_frequency = np.diff(offsets)
        idf = _idf(document_frequency, file_terms, self.size)
        contributions = _contributions(offsets, docs, counts, idf, lengths)
        order = np.argsort(keys, kind="stable")
        arrays = {
            "keys": keys,
            "lookup_keys": keys[order],
            "lookup_ids": order.astype(np.int32),
            "offsets": offsets,
            "docs": docs,
            "counts": counts,
            "contributions": contributions,
            "idf": idf,
            "lengths": lengths,
            "file_ends": self.starts[1:].copy(),
            "file_terms": file_terms,
            "file_term_ends": file_term_ends,
        }
        for array in arrays.values():
            array.flags.writeable = False
        return SearchIndex([(f.name, f.fingerprint) for f in self.files], arrays)

    def _carry(self, terms: int, room: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The previous index's postings of the carried files, renumbered, grouped by term as
        they were, at the start of arrays with `room` more places; and how many each term
        keeps. One pass in chunks, letting the previous arrays' pages go as they are read."""
        old, previous = self.old, self.previous
        assert old is not None and previous is not None  # carried files come from it
        renumber = np.full(len(old["lengths"]), -1, dtype=np.int32)
        for number, j in self.carried:
            first, last = _span(old["file_ends"], j)
            renumber[first:last] = np.arange(
                self.starts[number], self.starts[number + 1], dtype=np.int32
            )
        old_offsets, old_docs, old_counts = old["offsets"], old["docs"], old["counts"]
        docs = np.empty(len(old_docs) + room, dtype=np.int32)
        counts = np.empty(len(old_docs) + room, dtype=np.uint16)
        dropped: list[np.ndarray] = []  # where the postings of changed or removed files were
        kept = 0
        for start in range(0, len(old_docs), _CHUNK):
            end = min(start + _CHUNK, len(old_docs))
            numbers = renumber[old_docs[start:end]]
            keep = numbers >= 0
            size = int(np.count_nonzero(keep))
            docs[kept : kept + size] = numbers[keep]
            counts[kept : kept + size] = old_counts[start:end][keep]
            if size < end - start:
                dropped.append(np.flatnonzero(~keep) + start)
            previous.let_go("docs", start, end)
            previous.let_go("counts", start, end)
            kept += size
        per_term_kept = np.zeros(terms, dtype=np.int64)
        per_term_kept[: len(old_offsets) - 1] = np.diff(old_offsets)
        if dropped:
            at = np.concatenate(dropped)
            per_term_kept -= np.bincount(
                np.searchsorted(old_offsets, at, side="right") - 1, minlength=terms
            )
        return docs, counts, per_term_kept

    def _file_parts(
        self, fresh_lengths: dict[int, np.ndarray], fresh_ids: list[np.ndarray]
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        old = self.old
        carried = dict(self.carried)
        fresh_slot = {number: k for k, number in enumerate(self.fresh)}
        lengths, file_terms = [], []
        for number in range(len(self.files)):
            if number in fresh_slot:
                lengths.append(fresh_lengths[number])
                file_terms.append(fresh_ids[fresh_slot[number]])
                continue
            assert old is not None
            j = carried[number]
            first, last = _span(old["file_ends"], j)
            lengths.append(old["lengths"][first:last])
            first, last = _span(old["file_term_ends"], j)
            file_terms.append(old["file_terms"][first:last])
        return lengths, file_terms


_FEW_FRESH_TERMS = 20_000  # fresh terms put in place one by one; more: with a mask


def _add_fresh(
    docs: np.ndarray,
    counts: np.ndarray,
    per_term_kept: np.ndarray,
    f_terms: np.ndarray,
    f_docs: np.ndarray,
    f_counts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The index's postings: each term's carried ones (at the start of `docs` and `counts`,
    grouped by term, with room after them) followed by its fresh ones (grouped by term)."""
    # Where each term's carried postings end among the carried ones: a fresh posting goes
    # there, moved on by the fresh postings before it.
    kept_through = np.cumsum(per_term_kept)
    kept = int(kept_through[-1])
    postings = kept + len(f_terms)
    if not len(f_terms):
        return docs[:postings], counts[:postings]
    fresh_terms, sizes = np.unique(f_terms, return_counts=True)
    if len(fresh_terms) <= _FEW_FRESH_TERMS:
        # A reload of a few files: move the carried postings after each fresh term's group
        # right by the fresh postings before them, last first, in place; then fill the gap.
        kept_ends = kept_through[fresh_terms].tolist()
        # Fresh postings of the terms up to the j-th: how far the carried ones after its
        # group move, and where its own fresh postings end in f_docs (sorted by term).
        shifts = np.cumsum(sizes).tolist()
        end = kept
        for j in range(len(fresh_terms) - 1, -1, -1):
            at, shift, size = kept_ends[j], shifts[j], int(sizes[j])
            if end > at:
                docs[at + shift : end + shift] = docs[at:end]
                counts[at + shift : end + shift] = counts[at:end]
            docs[at + shift - size : at + shift] = f_docs[shift - size : shift]
            counts[at + shift - size : at + shift] = f_counts[shift - size : shift]
            end = at
        return docs[:postings], counts[:postings]
    # Many fresh terms (a large part of the folder changed): place them all at once.
    position = np.arange(len(f_terms), dtype=np.int64) + kept_through[f_terms]
    carried = np.ones(postings, dtype=bool)
    carried[position] = False
    all_docs = np.empty(postings, dtype=np.int32)
    all_counts = np.empty(postings, dtype=np.uint16)
    all_docs[carried] = docs[:kept]
    all_counts[carried] = counts[:kept]
    all_docs[position] = f_docs
    all_counts[position] = f_counts
    return all_docs, all_counts


_GROUP = 64  # passages whose best score stands for them, when the best are looked for
_FEW = 256  # candidates sorted in Python at most; more are narrowed down with numpy first


def best_positions(scores: np.ndarray, limit: int) -> list[int]:
    """The positions of the `limit` highest scores, highest first, equal scores in position
    order (what sorting every position by (-score, position) and keeping `limit` gives)."""
    limit = min(limit, len(scores))
    if limit <= 0:
        return []
    pool = None
    if len(scores) >= 2 * _GROUP * limit:
        # Each group's highest score is some passage's: at least `limit` passages score as
        # much as the `limit`-th highest of them, so all of the best do too. A cheap cut:
        # usually a few dozen passages reach it. A group takes every n-th passage (one
        # maximum across rows, fast), so an article's neighbouring passages, which often
        # score alike, fall in different groups.
        whole = len(scores) - len(scores) % _GROUP
        highest = scores[:whole].reshape(_GROUP, -1).max(axis=0)
        if whole < len(scores):
            highest = np.append(highest, scores[whole:].max())
        cut = np.partition(highest, len(highest) - limit)[len(highest) - limit]
        pool = np.flatnonzero(scores >= cut)
    if pool is None or len(pool) > _FEW:
        pool = _narrowed(scores, limit)
    return sorted(pool.tolist(), key=lambda i: (-scores[i], i))[:limit]


def _narrowed(scores: np.ndarray, limit: int) -> np.ndarray:
    """At most `limit` positions holding the best scores (ties at the cut: the first ones)."""
    # Most passages of a big folder score exactly 0, and numpy's selection degrades
    # badly on so many equal values (14 ms instead of 0.5 at 88k): select among the
    # positive scores when there are enough of them.
    pool = np.flatnonzero(scores > 0)
    if len(pool) < limit:
        pool = np.arange(len(scores))
    values = scores[pool]
    if len(pool) > limit:
        cut = np.partition(values, len(values) - limit)[len(values) - limit]
        above = pool[values > cut]
        tied = pool[values == cut]
        pool = np.concatenate([above, tied[: limit - len(above)]])
    return pool


def _span(ends: np.ndarray, j: int) -> tuple[int, int]:
    """Where item j runs, in an array of run ends (file_ends, file_term_ends)."""
    return (int(ends[j - 1]) if j else 0), int(ends[j])


def _group_by_term(
    parts: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]],
    total: int,
    term_count: int,
    passages: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Postings (term ids, passages, counts, given in parts that add up to `total`), ordered
    by term, then passage.

    When the three fit in 64 bits they are packed into one array as the parts come and
    sorted in place: a fraction of the memory and time of concatenating, an argsort and three
    gathers, which matters for a cold build's 20 million.
    """
    if term_count < 1 << 26 and passages < 1 << 21:  # 26 + 21 + 16 bits: positive int64
        packed = np.empty(total, dtype=np.int64)
        at = 0
        for terms, docs, counts in parts:
            window = packed[at : at + len(terms)]
            np.left_shift(terms, 37, out=window, dtype=np.int64)
            window |= docs.astype(np.int64) << 16
            window |= counts
            at += len(terms)
        packed.sort()
        counts_out = (packed & 0xFFFF).astype(np.uint16)
        shifted = packed >> 16
        shifted &= (1 << 21) - 1
        docs_out = shifted.astype(np.int32)
        del shifted
        packed >>= 37
        return packed.astype(np.int32), docs_out, counts_out
    listed = list(parts)
    terms = np.concatenate([p[0] for p in listed]) if listed else np.zeros(0, np.int32)
    docs = np.concatenate([p[1] for p in listed]) if listed else np.zeros(0, np.int32)
    counts = np.concatenate([p[2] for p in listed]) if listed else np.zeros(0, np.uint16)
    order = np.argsort(terms, kind="stable")
    return terms[order], docs[order], counts[order]


def _term_of_postings(
    offsets: np.ndarray, group_sizes: np.ndarray, start: int, end: int
) -> np.ndarray:
    """The term id of postings start..end of a CSR index."""
    first = int(np.searchsorted(offsets, start, side="right")) - 1
    last = int(np.searchsorted(offsets, end, side="left"))
    sizes = group_sizes[first:last].copy()
    sizes[0] -= start - int(offsets[first])
    sizes[-1] -= int(offsets[last]) - end
    return np.repeat(np.arange(first, last, dtype=np.int64), sizes)


def _idf(document_frequency: np.ndarray, file_terms: np.ndarray, size: int) -> np.ndarray:
    """rank-bm25's idf for every term id (0 for ids no passage uses any more)."""
    idf = np.zeros(len(document_frequency), dtype=np.float64)
    used = np.flatnonzero(document_frequency > 0)
    if not len(used):
        return idf
    # Few distinct frequencies: math.log on each, as rank-bm25 computes them.
    distinct, which = np.unique(document_frequency[used], return_inverse=True)
    table = np.array([math.log(size - df + 0.5) - math.log(df + 0.5) for df in distinct.tolist()])
    idf[used] = table[which]
    # The average idf is summed in order of first appearance, one term at a time
    # (np.cumsum adds sequentially, like rank-bm25's loop; np.sum would not).
    first = np.full(len(document_frequency), len(file_terms), dtype=np.int64)
    np.minimum.at(first, file_terms, np.arange(len(file_terms), dtype=np.int64))
    in_order = used[np.argsort(first[used], kind="stable")]
    average = float(np.cumsum(idf[in_order])[-1]) / len(used)
    negative = used[idf[used] < 0]
    idf[negative] = _EPSILON * average
    return idf


def _contributions(
    offsets: np.ndarray,
    docs: np.ndarray,
    counts: np.ndarray,
    idf: np.ndarray,
    lengths: np.ndarray,
) -> np.ndarray:
    """What each posting adds to its passage's score, by rank-bm25's exact expression."""
    average_length = int(lengths.sum(dtype=np.int64)) / len(lengths)
    # k1 * (1 - b + b * len / avgdl), evaluated as Python and numpy evaluate rank-bm25's.
    norm = _K1 * (1 - _B + _B * lengths.astype(np.int64) / average_length)
    contributions = np.empty(len(docs), dtype=np.float64)
    group_sizes = np.diff(offsets)
    for start in range(0, len(docs), _CHUNK):
        end = min(start + _CHUNK, len(docs))
        frequency = counts[start:end].astype(np.int64)
        share = frequency * (_K1 + 1) / (frequency + norm[docs[start:end]])
        term_idf = idf[_term_of_postings(offsets, group_sizes, start, end)]
        contributions[start:end] = term_idf * share
    return contributions
