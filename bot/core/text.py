"""The one text pipeline used for passages and questions alike.

Steps: Unicode NFC, one tone-mark style ("hoà" -> "hòa", "uỷ" -> "ủy", the style underthesea
itself writes), lower case, syllables, then the index terms of ``terms.py`` (folded,
accented, pairs, and underthesea's compound words for accented text).

Abbreviations (``BCĐ``) also emit the terms of their long form (``Ban Chỉ đạo``), in passages
and in questions, so either spelling matches the other.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import lru_cache

from bot.core import terms as index_terms
from bot.core.lexicon import ABBREVIATIONS

# Combining tone marks: grave (huyền), acute (sắc), tilde (ngã), hook above (hỏi), dot below (nặng).
_TONES = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}
_TONE_BY_DIGIT = {digit: mark for mark, digit in _TONES.items()}
_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")

_WORD_RE = re.compile(r"\w+", re.UNICODE)
# A run of syllables uninterrupted by punctuation: bigrams never span a comma or a full stop.
_PHRASE_SPLIT_RE = re.compile(r"[^\w\s]+|_", re.UNICODE)
# Syllables written in the other tone style ("hoà", "khoẻ", "thuỷ") or with the tone on the
# consonant-like u of "qu" / i of "gi" ("qúa", "gìa").
_MISPLACED_TONE_RE = re.compile(
    r"[oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ]|[qQ][ùúủũụÙÚỦŨỤ]|"
    r"[gG][ìíỉĩịÌÍỈĨỊ](?=[aeouyâăêôơưAEOUYÂĂÊÔƠƯ])"
)
_ZERO_WIDTH_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _split_tone(syllable: str) -> tuple[str, str]:
    """Return (base letters without tone mark in NFC, tone digit or "")."""
    tone = ""
    kept = []
    for char in unicodedata.normalize("NFD", syllable):
        if char in _TONES:
            tone = _TONES[char]
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(base: str) -> int | None:
    """Index in `base` (lower case, NFC, no tone) of the vowel that carries the tone mark."""
    lower = base.lower()
    start = 0
    # "qu" and "gi" (before another vowel) are consonants: their u / i take no tone.
    if lower.startswith("qu") or (
        lower.startswith("gi") and len(lower) > 2 and lower[2] in _VOWELS
    ):
        start = 2
    positions = [i for i in range(start, len(lower)) if lower[i] in _VOWELS]
    if not positions:
        positions = [i for i, c in enumerate(lower) if c in _VOWELS]
        if not positions:
            return None
    first, last = positions[0], positions[-1]
    cluster = [i for i in positions if first <= i <= last]
    marked = [i for i in cluster if lower[i] in _MARKED_VOWELS]
    if marked:
        return marked[-1]  # "ươ" takes the tone on ơ
    if last < len(lower) - 1:
        return last  # closed syllable: the last vowel ("hoàng", "thuận")
    if len(cluster) == 1:
        return cluster[0]
    if len(cluster) == 2:
        return cluster[0]  # traditional style, as underthesea writes it: "hòa", "thủy", "khỏe"
    return cluster[1]  # three vowels: the middle one ("ngoài", "khuỷu")


@lru_cache(maxsize=200_000)  # Vietnamese has a few thousand syllables: cache them
def normalize_syllable(syllable: str) -> str:
    """Place the tone mark in one style ("hoà" -> "hòa", "uỷ" -> "ủy"), keeping case."""
    base, tone = _split_tone(syllable)
    if not tone:
        return base
    position = _tone_position(base)
    if position is None:
        return unicodedata.normalize("NFC", syllable)
    decomposed = base[: position + 1] + _TONE_BY_DIGIT[tone] + base[position + 1 :]
    return unicodedata.normalize("NFC", decomposed)


def clean_text(text: str) -> str:
    """NFC without zero-width or control characters: what a quote displays, unchanged otherwise."""
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH_RE.sub("", text)
    return _CONTROL_RE.sub(" ", text)


def normalize_text(text: str) -> str:
    """NFC, one tone-mark style, no zero-width or control characters, tidy white space.

    The result keeps case and punctuation: it is what underthesea segments and what a
    passage displays.
    """
    # Only syllables whose tone may sit elsewhere in the other style need rewriting; finding
    # them first keeps this cheap on long passages.
    text = clean_text(text)
    if _MISPLACED_TONE_RE.search(text):
        text = _WORD_RE.sub(lambda m: normalize_syllable(m.group(0)), text)
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()


def fold(text: str) -> str:
    """Remove every diacritic ("Đồng chí" -> "Dong chi"); input should be NFC."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# A Vietnamese syllable, without its marks: an onset, one to three vowels, a final consonant.
_VIETNAMESE_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)


def is_vietnamese_syllable(syllable: str) -> bool:
    """Whether the letters can be one Vietnamese syllable ("nghiêng", "hoa") rather than a
    foreign word ("Ukraina", "Edward") or a number."""
    return _VIETNAMESE_SYLLABLE_RE.fullmatch(fold(syllable.lower())) is not None


def has_diacritics(syllable: str) -> bool:
    return fold(syllable) != syllable


def accent_key(syllable: str) -> str:
    """Lower-case syllable with its tone moved to a suffix digit: placement-independent."""
    base, tone = _split_tone(syllable.lower())
    return base + tone


def normalize_question(text: str) -> str:
    """The canonical form of a question for logs and grouping: normalized, lower case."""
    words = _WORD_RE.findall(normalize_text(text).lower())
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Syllable:
    surface: str  # as written (normalized), e.g. "Hội"
    folded: str  # "hoi"
    accented: str | None  # "hôi5"; None when the syllable carries no diacritics

    @classmethod
    def of(cls, surface: str) -> Syllable:
        return _syllable(surface)


@lru_cache(maxsize=200_000)
def _syllable(surface: str) -> Syllable:
    lower = surface.lower()
    folded = fold(lower)
    return Syllable(surface, folded, accent_key(lower) if folded != lower else None)


def syllables(text: str) -> list[Syllable]:
    """Syllables of already normalized text (words of letters and digits)."""
    return [_syllable(word) for word in _WORD_RE.findall(text.replace("_", " "))]


def phrases(text: str) -> list[list[Syllable]]:
    """Runs of syllables between punctuation marks."""
    return [run for part in _PHRASE_SPLIT_RE.split(text) if (run := syllables(part))]


# --- Abbreviations ----------------------------------------------------------------------

# "Ban Chỉ đạo 94 của tỉnh (gọi tắt là BCĐ 94)" / "Ban Chỉ đạo (BCĐ)": definitions in articles.
_DEFINED_ABBREVIATION_RE = re.compile(
    r"\(\s*(?:gọi tắt là|viết tắt là|sau đây gọi là)?\s*([^\W\d_]{2,8})\s*\)"
)
_ABBREVIATION_TOKEN_RE = re.compile(r"^[^\W\d_]{2,8}$")


def _initials(words: Iterable[str]) -> str:
    return "".join(word[0] for word in words).upper()


def find_defined_abbreviations(text: str) -> dict[str, str]:
    """Abbreviations an article defines: "... Ban Chỉ đạo (BCĐ)" -> {"BCĐ": "Ban Chỉ đạo"}."""
    found: dict[str, str] = {}
    for match in _DEFINED_ABBREVIATION_RE.finditer(text):
        short = match.group(1)
        if not short.isupper():
            continue
        before = _WORD_RE.findall(text[: match.start()])[-len(short) - 3 :]
        # The long form is the last words before the bracket whose initials spell the short one.
        for size in range(len(short), 1, -1):
            words = before[-size:]
            if len(words) == size and fold(_initials(words)) == fold(short):
                found[short] = " ".join(words)
                break
    return found


@lru_cache(maxsize=4096)  # every article's table starts with the same common entries
def _abbreviation_forms(short: str, long: str) -> tuple[str, str, str]:
    """(lookup key, its folded form, the normalized long form) of a table entry."""
    key = normalize_text(short).lower().replace("-", "")
    return key, fold(key), normalize_text(long)


class Abbreviations:
    """Maps short forms to long forms; lookups accept any case and missing diacritics."""

    def __init__(self, table: Mapping[str, str] = ABBREVIATIONS) -> None:
        self._exact: dict[str, str] = {}
        self._folded: dict[str, str] = {}
        self.candidates: set[str] = set()  # lower-case spellings worth a full lookup
        for short, long in table.items():
            self.add(short, long)

    def add(self, short: str, long: str) -> None:
        key, folded, expansion = _abbreviation_forms(short, long)
        self._exact.setdefault(key, expansion)
        self._folded.setdefault(folded, expansion)
        self.candidates.update((key, folded))

    def expand(self, token: str) -> str | None:
        """The long form of `token` when it is written like an abbreviation, else None."""
        key = token.lower().replace("-", "")
        if key not in self.candidates or not _ABBREVIATION_TOKEN_RE.match(key):
            return None
        if key in self._exact and (token.isupper() or len(key) >= 3):
            return self._exact[key]
        # Unaccented typing: "bcd" for "BCĐ"; short ones must be capitals ("CA", not "ca").
        if fold(key) == key and len(key) >= 3 and key in self._folded:
            return self._folded[key]
        return None

    def items(self) -> list[tuple[str, str]]:
        return sorted(self._exact.items())


# --- Tokenizer --------------------------------------------------------------------------

_SEGMENT_LOCK = threading.Lock()
_segmenter: Callable[[str], list[str]] | None = None
# bot.core.wordseg's Segmenter: underthesea's tokens, several times faster, after a load of
# about half a second and 20 MB. Used where many files are analysed (a cold build's workers).
_fast_segmenter: Callable[[str], list[str]] | None = None


# News repeats itself (author lines, "Chia sẻ bài viết", boilerplate paragraphs, the same
# notice in many articles): the same text is segmented once per process. The segmenter's
# output depends on the text alone, so the tokens are those a new call would give. Bounded:
# passages are at most a few hundred characters, so this holds a few megabytes.
_SEGMENTED_TEXTS = 4096


@lru_cache(maxsize=_SEGMENTED_TEXTS)
def _segment(text: str) -> tuple[str, ...]:
    global _segmenter
    if _fast_segmenter is not None:
        return tuple(_fast_segmenter(text))
    if _segmenter is None:
        with _SEGMENT_LOCK:
            if _segmenter is None:
                from underthesea import word_tokenize  # heavy import: load once, lazily

                from bot.core.wordseg import load_underthesea_model

                # underthesea sets its model global before the model is loaded: a second
                # thread calling it meanwhile would find it half made. The model is put in
                # place (faster than underthesea's own load) and first called here, under
                # the lock, before anyone else may call.
                load_underthesea_model()
                word_tokenize("Hội nghị.")
                _segmenter = word_tokenize
    return tuple(str(token) for token in _segmenter(text))


def use_fast_segmenter() -> None:
    """From now on, segment with ``bot.core.wordseg.Segmenter`` in this process: the same
    tokens as underthesea's ``word_tokenize``, computed several times faster. For a process
    that analyses many files; its load (about half a second) is not worth it for a few."""
    global _fast_segmenter
    if _fast_segmenter is None:
        with _SEGMENT_LOCK:  # the Segmenter loads underthesea's model: under the lock
            if _fast_segmenter is None:
                from bot.core.wordseg import Segmenter

                _fast_segmenter = Segmenter()


def _word_tokenize(text: str) -> list[str]:
    return list(_segment(text))


def warm_up() -> None:
    """Load underthesea's model now rather than on the first question."""
    _word_tokenize("Hội nghị triển khai nhiệm vụ năm 2014.")


def warm_up_in_background() -> Future[None]:
    """`warm_up` in a thread of its own, while the index loads: a start takes the longer of
    the two instead of their sum. `.result()` waits for it (and raises what it raised)."""
    done: Future[None] = Future()

    def run() -> None:
        try:
            warm_up()
        except BaseException as exc:  # handed to whoever waits, as a direct call would raise
            done.set_exception(exc)
        else:
            done.set_result(None)

    threading.Thread(target=run, name="tokenizer-warm-up", daemon=True).start()
    return done


def compound_words(text: str) -> list[list[Syllable]]:
    """Multi-syllable words found by underthesea in normalized, accented text."""
    words: list[list[Syllable]] = []
    for token in _word_tokenize(text):
        parts = syllables(token)
        if len(parts) > 1:
            words.append(parts)
    return words


# A token's ``w:`` term (None for a token of one syllable): tokens recur, and the term
# depends on the token alone.
_WORD_TERMS: dict[str, str | None] = {}
_UNSEEN = ""  # never a term: stands for a token not remembered
_REMEMBERED_TOKENS = 200_000


@dataclass(frozen=True, slots=True)
class AnalyzedText:
    normalized: str
    syllables: tuple[Syllable, ...]  # including the syllables of abbreviation expansions
    terms: tuple[str, ...]
    runs: tuple[tuple[Syllable, ...], ...] = ()  # syllables between punctuation, not expanded
    sentence_starts: tuple[int, ...] = (0,)  # the run each sentence starts with


class Tokenizer:
    """Turns text into index terms; the same object serves passages and questions."""

    def __init__(self, abbreviations: Abbreviations | None = None) -> None:
        self.abbreviations = abbreviations or Abbreviations()

    def expand_runs(self, runs: Iterable[Sequence[Syllable]]) -> list[list[Syllable]]:
        """Runs of syllables with each abbreviation followed by the syllables of its long form."""
        expanded: list[list[Syllable]] = []
        candidates = self.abbreviations.candidates
        for run in runs:
            out: list[Syllable] = []
            for syllable in run:
                out.append(syllable)
                if syllable.surface.lower() in candidates:
                    long_form = self.abbreviations.expand(syllable.surface)
                    if long_form:
                        out.extend(syllables(long_form))
            expanded.append(out)
        return expanded

    def analyze(
        self, text: str, *, segment: bool = True, sentence_ends: Sequence[int] = ()
    ) -> AnalyzedText:
        """The text's syllables and terms. With `sentence_ends` (character offsets, as a
        passage keeps them), no run of syllables crosses from one sentence to the next."""
        normalized = normalize_text(text)
        if len(sentence_ends) > 1:
            plain_runs: list[list[Syllable]] = []
            sentence_starts = []
            start = 0
            for end in sentence_ends:
                sentence_starts.append(len(plain_runs))
                plain_runs.extend(phrases(normalize_text(text[start:end])))
                start = end
        else:
            plain_runs = phrases(normalized)
            sentence_starts = [0]
        runs = self.expand_runs(plain_runs)
        terms: list[str] = []
        flat: list[Syllable] = []
        for run in runs:
            flat.extend(run)
            terms.extend(index_terms.run_terms(run))
        if segment and any(s.accented for s in flat):
            word_terms = _WORD_TERMS
            if len(word_terms) > _REMEMBERED_TOKENS:
                word_terms.clear()
            for token in _word_tokenize(normalized):
                # compound_words, then the word's term, remembered per token.
                found = word_terms.get(token, _UNSEEN)  # one lookup: another thread may clear
                if found is _UNSEEN:
                    parts = syllables(token)
                    found = word_terms[token] = (
                        index_terms.word_term([s.accented or s.folded for s in parts])
                        if len(parts) > 1
                        else None
                    )
                if found is not None:
                    terms.append(found)
        return AnalyzedText(
            normalized,
            tuple(flat),
            tuple(terms),
            tuple(tuple(run) for run in plain_runs),
            tuple(sentence_starts),
        )

    def terms(self, text: str) -> list[str]:
        return list(self.analyze(text).terms)
