"""Questions as people type them in a chat, read the way a careful typist would write them.

Before a question is understood (``questions.understand``), each of its words that the
articles do not hold as typed is read, in this order:

1. a chat abbreviation (``ko``, ``dc``, ``bn``, ``j``; ``lexicon.CHAT_ABBREVIATIONS``), the
   reading the articles' words make most likely when it has several (``hn``); an
   abbreviation an article defines (``BCĐ``) is left to the tokenizer, which expands it;
2. stretched letters (``nghiii``) shortened;
3. raw Telex (``hooij`` -> ``hội``) or VNI (``ho6i5`` -> ``hội``), with the tone the
   articles write that syllable with when the typed one is not among them (``tris`` ->
   ``trì`` beside ``chủ``);
4. a typo: one edit (or a doubled letter) away from a syllable the articles hold, when it is
   not a Vietnamese syllable as typed. Names (typed with a capital) and numbers are never
   corrected.

A decoded word whose tone the articles do not write takes the tone they write it with beside
its neighbour (a compound word they hold), else their most frequent one. Words typed plainly
without marks are left so: the engine already matches them on their letters, and restoring
their marks from the articles cost more answers than it won (docs/how-it-answers.md). The
articles are never re-indexed: all of this happens to the question only.

Whole-message rules live here too: capitals (a question shouted in capitals is read in lower
case), emoji and repeated punctuation, a question typed in English (``is_english``), and a
short follow-up read with the question before it (``combine_follow_up``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise, product

from bot.core import lexicon
from bot.core.phrases import PhraseSet
from bot.core.terms import accented_term, folded_term, pair_term, word_term
from bot.core.text import (
    Abbreviations,
    Syllable,
    accent_key,
    fold,
    has_diacritics,
    is_vietnamese_syllable,
    normalize_syllable,
    normalize_text,
    syllables,
)

DocumentFrequency = Callable[[str], int]  # how many passages hold an index term

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# Emoji, pictographs, dingbats and other symbols: nothing a question asks with.
_SYMBOL_CATEGORIES = frozenset({"So", "Sk", "Cs", "Co"})
_REPEATED_PUNCTUATION_RE = re.compile(r"([?!.,;:])[?!.,;:\s]*\1+")
_TELEX_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_VNI_TONES = {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
_TELEX_LETTERS = (
    ("dd", "đ"),
    ("uwow", "ươ"),
    ("uow", "ươ"),
    ("aa", "â"),
    ("aw", "ă"),
    ("ee", "ê"),
    ("oo", "ô"),
    ("ow", "ơ"),
    ("uw", "ư"),
    ("w", "ư"),
)
# Letters no Vietnamese word is spelled with: Telex for â, ê, đ, ư/ơ/ă.
_TELEX_EVIDENT_RE = re.compile(r"aa|ee|dd|w")
_TELEX_INNER_TONE_RE = re.compile(r"(.*[aeiouyw])([sfrxj])(ch|ng|nh|[cmnpt])")
# A syllable whose vowels are ones Vietnamese writes together ("nguyên", not "ngyuen").
_STRICT_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:uye|uya|uyu|ieu|yeu|oai|oay|oao|oeo|uay|uoi|uou|uo|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|"
    r"oi|oo|ua|ue|ui|uu|uy|ye|[aeiouy])(?:ch|ng|nh|[cmnpt])?"
)
_VNI_RE = re.compile(r"[a-zđ]+(?:[1-9][a-zđ]*)+")
# The letters a syllable without marks may stand for, its marks restored.
_MARKED_LETTERS = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "d": "dđ"}
_TONE_MARKS = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_VIETNAMESE_LETTERS = "abcdeghiklmnopqrstuvxy"
MAX_VARIANTS = 4  # marked spellings of one syllable tried together with a neighbour's
MIN_TYPO_LETTERS = 3  # shorter words have too many neighbours one edit away

# One-syllable asking and function words ("ai", "gì", "nào", "của"): never read otherwise.
_LEXICON_WORDS = frozenset(
    parts[0].folded
    for group in (lexicon.QUESTION_WORDS, lexicon.QUESTION_END_PARTICLES, lexicon.STOPWORDS)
    for phrase in group
    if len(parts := syllables(phrase)) == 1
)
_END_PARTICLES = PhraseSet(lexicon.QUESTION_END_PARTICLES)
_PARTICLES = frozenset(lexicon.CHAT_CLOSING_PARTICLES)
_PARTICLE_LETTERS = frozenset(fold(p) for p in lexicon.QUESTION_END_PARTICLES if " " not in p)
_ENGLISH = lexicon.ENGLISH_QUESTION_WORDS
_FOLLOW_UP_STARTS = PhraseSet(lexicon.FOLLOW_UP_STARTS)
_FOLLOW_UP_ENDS = PhraseSet(lexicon.FOLLOW_UP_ENDS)
_QUESTION_WORDS = PhraseSet(lexicon.QUESTION_WORDS)
_PERSON_MARKERS = PhraseSet(lexicon.PERSON_MARKERS)


def _chat_table(table: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Keys as typed, lower case; never folded ("hông" is không, "hong" may be hồng)."""
    return {normalize_text(k).lower(): v for k, v in table.items()}


CHAT_ABBREVIATIONS = _chat_table(lexicon.CHAT_ABBREVIATIONS)


# --- Whole messages ------------------------------------------------------------------------


def tidy(text: str) -> str:
    """Without emoji and symbols, repeated punctuation made single, and a question typed in
    capitals ("AI CHỦ TRÌ HỘI NGHỊ???") in lower case."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) in _SYMBOL_CATEGORIES else c for c in text)
    text = _REPEATED_PUNCTUATION_RE.sub(r"\1", text)
    words = _WORD_RE.findall(text)
    letters = [w for w in words if not w.isdigit()]
    if len(letters) >= 3 and all(w.isupper() for w in letters):
        text = text.lower()
    return re.sub(r"\s+", " ", text).strip()


def is_english(text: str) -> bool:
    """A question written in English: English question words, no Vietnamese marks, and
    mostly words that cannot be Vietnamese syllables."""
    words = [w.lower() for w in _WORD_RE.findall(normalize_text(text)) if not w.isdigit()]
    if len(words) < 2 or any(has_diacritics(w) for w in words):
        return False
    english = sum(w in _ENGLISH for w in words)
    foreign = sum(not is_vietnamese_syllable(w) for w in words)
    return english >= 1 and foreign * 2 >= len(words) and words[0] in _ENGLISH


def has_question_word(text: str) -> bool:
    """Whether a message asks by itself ("ai", "khi nào", "bao nhiêu" ...)."""
    return bool(_QUESTION_WORDS.find(syllables(normalize_text(text))))


FOLLOW_UP_SECONDS = 60.0  # a follow-up comes within a minute of the question it continues
FOLLOW_UP_MAX_SYLLABLES = 6  # and is short


def is_follow_up(text: str, seconds_after: float, previous: str) -> bool:
    """Whether a message continues the previous question ("còn ông Bảo?", "hội nghị"): it
    comes within a minute, is short, and asks nothing of its own once its opening "còn" and
    closing "thì sao" are set aside; and it opens with "còn" or the message before asked a
    question ("ai chủ trì"). A search for a topic after another ("an toàn thông tin mạng",
    then "diễn biến hòa bình") stays a search of its own; greetings and thanks, and English,
    never continue a question."""
    if not 0 <= seconds_after <= FOLLOW_UP_SECONDS or is_english(text):
        return False
    words = syllables(normalize_text(tidy(text)))
    if not words or len(words) > FOLLOW_UP_MAX_SYLLABLES:
        return False
    if all(w.folded in lexicon.GREETING_WORDS for w in words):
        return False
    kept = _follow_up_core(words)
    if not kept or _QUESTION_WORDS.find(kept):
        return False
    continues = _FOLLOW_UP_STARTS.longest_at(words, 0, lenient=True) > 0
    return continues or has_question_word(previous)


def _follow_up_core(words: Sequence[Syllable]) -> Sequence[Syllable]:
    start = _FOLLOW_UP_STARTS.longest_at(words, 0, lenient=True)
    end = len(words)
    while end > start:
        size = _FOLLOW_UP_ENDS.ending_at(words, end)
        if not size or end - size < start:
            break
        end -= size
    return words[start:end]


def combine_follow_up(previous: str, follow_up: str) -> str:
    """The question a short follow-up means with the question before it: "còn ông Bảo?"
    after "ông Bưu giữ chức gì?" is "ông Bảo giữ chức gì?" (the new name takes the place
    of the old one after the same title); "hội nghị" after "ai chủ trì" completes it."""
    words = syllables(normalize_text(tidy(follow_up)))
    kept = _follow_up_core(words)
    if not kept:
        return previous
    before = syllables(normalize_text(previous))
    span = _PERSON_MARKERS.find(kept, lenient=True)
    if span and span[0][0] == 0:  # "ông Bảo": replace the previous question's "ông ..."
        title = kept[: span[0][1]]
        for i in range(len(before) - len(title)):
            if all(before[i + k].folded == t.folded for k, t in enumerate(title)):
                j = i + len(title)
                while j < len(before) and before[j].surface[:1].isupper():
                    j += 1
                if j == i + len(title):  # typed in lower case: as many words as the new name
                    j = min(len(before), j + len(kept) - len(title))
                if j > i + len(title):
                    return " ".join(
                        [w.surface for w in before[:i]]
                        + [w.surface for w in kept]
                        + [w.surface for w in before[j:]]
                    )
    # Otherwise the follow-up completes the previous message ("ai chủ trì" + "hội nghị").
    return " ".join([previous.rstrip(" ?"), *(w.surface for w in kept)])


# --- Words -----------------------------------------------------------------------------------


def _is_syllable(base: str) -> bool:
    """A Vietnamese syllable, or a place name's "Đắk"/"Lắk" (a final k)."""
    return is_vietnamese_syllable(base) or (
        base.endswith("k") and is_vietnamese_syllable(base[:-1] + "c")
    )


def _with_tone(base: str, mark: str) -> str:
    return normalize_syllable(unicodedata.normalize("NFC", base + mark)) if mark else base


def decode_telex(word: str) -> str | None:
    """The syllable raw Telex typing stands for ("hooij" -> "hội", "dduwowcj" -> "được"),
    None when the word is not Telex for a Vietnamese syllable."""
    if not word.isascii() or not word.isalpha():
        return None
    lower = word.lower()
    mark = ""
    inner = _TELEX_INNER_TONE_RE.fullmatch(lower)
    if inner:  # the tone typed before the final consonant: "hoajt" -> "hoạt"
        mark = _TELEX_TONES[inner.group(2)]
        lower = inner.group(1) + inner.group(3)
    elif len(lower) > 1 and lower[-1] in _TELEX_TONES:
        mark = _TELEX_TONES[lower[-1]]
        lower = lower[:-1]
    elif len(lower) > 1 and lower[-1] == "z":
        lower = lower[:-1]
    base = lower
    for typed, letter in _TELEX_LETTERS:
        base = base.replace(typed, letter)
    if (base == word.lower() and not mark) or not _is_syllable(base):
        return None
    if any(c in "fjwz" for c in fold(base)):
        return None
    return _with_tone(base, mark)


def decode_vni(word: str) -> str | None:
    """The syllable VNI typing stands for ("ho6i5" -> "hội", "d9u7o7c5" -> "được")."""
    lower = word.lower()
    digits = [c for c in lower if c.isdigit()]
    tones = [c for c in digits if c in _VNI_TONES]
    # A name with a number ("U23", "F35") is not VNI: at most one tone, each mark once.
    marks = [c for c in digits if c not in _VNI_TONES and c != "7"]  # "u7o7": ươ
    if not _VNI_RE.fullmatch(lower) or len(tones) > 1 or len(set(marks)) < len(marks):
        return None
    letters: list[str] = []
    mark = ""
    for c in lower:
        if c in _VNI_TONES:
            mark = _VNI_TONES[c]
        elif c in "6789":
            marked = {"6": "aâeêoô", "7": "oơuư", "8": "aă", "9": "dđ"}[c]
            for k in range(len(letters) - 1, -1, -1):
                i = marked.find(letters[k])
                if i >= 0 and i % 2 == 0:
                    letters[k] = marked[i + 1]
                    if c == "7" and k > 0 and letters[k - 1] == "u" and letters[k] == "ơ":
                        letters[k - 1] = "ư"  # "uo7": ươ
                    break
            else:
                return None
        else:
            letters.append(c)
    base = "".join(letters)
    if not _is_syllable(base):
        return None
    return _with_tone(base, mark)


def shorten_stretched(word: str) -> str:
    """Letters held down ("nghiii", "vậyyy") typed once."""
    return re.sub(r"(\w)\1{2,}", r"\1", word)


def undouble(word: str) -> str:
    """A last letter typed twice ("vayy", "jj", "khachh") typed once."""
    return word[:-1] if len(word) > 1 and word[-1] == word[-2] else word


@lru_cache(maxsize=20_000)
def marked_variants(folded: str) -> tuple[str, ...]:
    """Every spelling with marks of a syllable typed without them ("hoi" -> "hồi", "hội", ...),
    as accent keys ("hôi5")."""
    options = [_MARKED_LETTERS.get(c, c) for c in folded]
    found: list[str] = []
    for letters in product(*options):
        base = "".join(letters)
        for mark in _TONE_MARKS:
            if mark and not any(c in "aăâeêioôơuưy" for c in base):
                continue
            spelled = _with_tone(base, mark)
            if spelled != folded:
                found.append(accent_key(spelled))
    return tuple(found)


def one_edit(word: str) -> set[str]:
    """Every string one deletion, insertion, substitution or swap of letters away."""
    letters = _VIETNAMESE_LETTERS
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
    edits |= {a + c + b for a, b in splits for c in letters}
    edits.discard(word)
    return edits


def _from_key(key: str) -> str:
    """ "hôi5" -> "hội"."""
    tone = key[-1] if key[-1:].isdigit() else ""
    base = key[:-1] if tone else key
    marks = {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
    return _with_tone(base, marks.get(tone, ""))


@dataclass(frozen=True, slots=True)
class Reading:
    """How a question was read: the text to understand and what was changed."""

    text: str
    changes: tuple[tuple[str, str], ...] = ()  # (as typed, as read)
    corrected: tuple[str, ...] = ()  # words read as typos of the articles' words


class ChatReader:
    """Reads chat-typed questions against one index's words. Everything it learns about a
    word (whether the articles hold it, which marks they write it with) is remembered, so a
    question costs a few dictionary lookups once its words have been seen."""

    def __init__(self, frequency: DocumentFrequency, abbreviations: Abbreviations) -> None:
        self._frequency = frequency
        self._abbreviations = abbreviations
        self._held: dict[str, int] = {}
        self._cache: dict[str, Reading] = {}
        # How each word was read, by the word and its neighbours' letters.
        self._words: dict[tuple[str, str, str], tuple[str, bool]] = {}

    def df(self, term: str) -> int:
        found = self._held.get(term)
        if found is None:
            if len(self._held) > 200_000:
                self._held.clear()
            found = self._held[term] = self._frequency(term)
        return found

    def holds(self, word: str) -> bool:
        """Whether the articles hold the word as typed (its letters, and its marks if any)."""
        lower = word.lower()
        if not self.df(folded_term(fold(lower))):
            return False
        return not has_diacritics(lower) or self.df(accented_term(accent_key(lower))) > 0

    def read(self, text: str) -> Reading:
        found = self._cache.get(text)
        if found is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            found = self._cache[text] = self._read(text)
        return found

    # --- one word -------------------------------------------------------------------------

    def _abbreviation(self, word: str, before: str, after: str) -> str | None:
        lower = normalize_text(word).lower()
        readings = CHAT_ABBREVIATIONS.get(lower)
        if readings is None or (len(word) <= 2 and not word.islower()):
            return None  # "R.B. Bean", "ông K.", "HN": initials and capitals are not chat
        if self._abbreviations.expand(word):
            return None  # defined by an article ("BCĐ"): the tokenizer expands it
        if readings[0] in _PARTICLES and after and after not in _PARTICLE_LETTERS:
            return None  # "v" is "vậy" only where a question ends ("... v ạ"), not "Costa v ENEL"
        if len(readings) == 1:
            return readings[0]
        return max(readings, key=lambda r: self._reading_weight(r, before, after))

    def _reading_weight(self, reading: str, before: str, after: str) -> float:
        parts = [s.folded for s in syllables(reading)]
        score = 0.0
        for a, b in pairwise(parts):
            score += self.df(pair_term(a, b))
        if before:
            score += 0.5 * self.df(pair_term(before, parts[0]))
        if after:
            score += 0.5 * self.df(pair_term(parts[-1], after))
        return score

    def _decoded(self, word: str) -> str | None:
        """Telex or VNI for a syllable: one the articles hold (any tone), or any when the
        word cannot be Vietnamese as typed ("naof", "laau")."""
        foreign = not is_vietnamese_syllable(word) or _TELEX_EVIDENT_RE.search(word.lower())
        for decode in (decode_telex, decode_vni):
            decoded = decode(word)
            if decoded and (foreign or self.df(folded_term(fold(decoded)))):
                return decoded
        return None

    def _typo(self, word: str) -> str | None:
        """The articles' syllable one edit away from a word that is not Vietnamese as typed
        (or only is with a letter doubled), the most frequent one."""
        lower = fold(word.lower())
        if len(lower) < MIN_TYPO_LETTERS or not lower.isalpha() or not lower.isascii():
            return None
        if any(c in "fjwz" for c in lower) and not has_diacritics(word):
            return None  # a foreign word ("fan", "jazz"), not a Vietnamese one ("ngjhị")
        if _STRICT_SYLLABLE_RE.fullmatch(lower) and not re.search(r"(\w)\1", lower):
            return None
        best, best_df = None, 0
        for candidate in sorted(one_edit(lower)):
            if not is_vietnamese_syllable(candidate):
                continue
            found = self.df(folded_term(candidate))
            if found > best_df:
                best, best_df = candidate, found
        return best

    def _best_marks(self, folded: str, wanted: str | None = None) -> list[str]:
        """Accent keys the articles write `folded` with, most frequent first; `wanted` (a
        key) first when they hold it."""
        variants = marked_variants(folded)
        if wanted is not None:  # typed in Telex/VNI: its letters' marks stand, the tone may not
            letters = wanted.rstrip("12345")
            variants = tuple(k for k in variants if k.rstrip("12345") == letters)
        held = [(self.df(accented_term(k)), k) for k in variants]
        keys = [k for n, k in sorted(held, key=lambda x: -x[0]) if n > 0][:MAX_VARIANTS]
        if wanted in keys:
            keys.remove(wanted)
            keys.insert(0, wanted)
        return keys

    # --- a question -----------------------------------------------------------------------

    def _read(self, text: str) -> Reading:
        text = tidy(normalize_text(text))  # composed first: "vậ" + a combining dot is one word
        tokens = re.split(r"([^\W_]+)", text)  # words at odd positions
        words = tokens[1::2]
        changes: list[tuple[str, str]] = []
        corrected: list[str] = []
        read: list[str] = []
        decoded: set[str] = set()
        for i, word in enumerate(words):
            before = fold(words[i - 1].lower()) if i else ""
            after = fold(words[i + 1].lower()) if i + 1 < len(words) else ""
            key = (word, before, after)
            remembered = self._words.get(key)
            if remembered is None:
                if len(self._words) > 100_000:
                    self._words.clear()
                typos: list[str] = []
                remembered = self._words[key] = (
                    self._word(word, before, after, typos),
                    bool(typos),
                )
            new, typo = remembered
            if typo:
                corrected.append(word)
            if new != word:
                changes.append((word, new))
                if new.lower() in {decode_telex(word), decode_vni(word)}:
                    decoded.add(new)
            read.append(new)
        for i, new in enumerate(read):
            tokens[2 * i + 1] = new
        if not decoded:
            return Reading("".join(tokens), tuple(changes), tuple(corrected))
        # Again in words, now that an abbreviation may have become several.
        tokens = re.split(r"([^\W_]+)", "".join(tokens))
        words = tokens[1::2]
        restored = self._restore_marks(words, {i for i, w in enumerate(words) if w in decoded})
        for i, new in enumerate(restored):
            if new != words[i]:
                changes.append((words[i], new))
            tokens[2 * i + 1] = new
        return Reading("".join(tokens), tuple(changes), tuple(corrected))

    def _word(self, word: str, before: str, after: str, corrected: list[str]) -> str:
        if any(c.isdigit() for c in word) and not decode_vni(word):
            return word
        if self._abbreviations.expand(word):
            return word
        abbreviation = self._abbreviation(word, before, after)
        if abbreviation:
            return abbreviation
        if self.holds(word) or (fold(word.lower()) in _LEXICON_WORDS and not _telex_like(word)):
            return word
        name = word[:1].isupper()
        short = shorten_stretched(word)
        for shorter in dict.fromkeys((short, undouble(short))):
            if shorter == word:
                continue
            if self.holds(shorter) or fold(shorter.lower()) in _LEXICON_WORDS:
                return shorter
            abbreviation = self._abbreviation(shorter, before, after)
            if abbreviation:
                return abbreviation
        decoded = self._decoded(short)
        if decoded:
            return decoded.capitalize() if name else decoded
        if name:
            return short
        typo = self._typo(short)
        if typo:
            corrected.append(word)
            tone = accent_key(short.lower())[-1:]
            if has_diacritics(short) and tone.isdigit():  # the typed tone, on the right letters
                keys = [k for k in self._best_marks(typo) if k.endswith(tone)]
                if keys:
                    return _from_key(keys[0])
            return typo
        return short

    def _restore_marks(self, words: list[str], decoded: set[int]) -> list[str]:
        """Telex/VNI-decoded words (positions `decoded`) with the tone the articles write:
        the one typed when they hold it, else the one of a compound word they hold with a
        neighbour, else their most frequent one. Asking words are left alone."""
        typed = syllables(" ".join(words))
        asking = {i for start, stop in _QUESTION_WORDS.find(typed) for i in range(start, stop)}
        end = len(typed)
        while end > 1 and (size := _END_PARTICLES.ending_at(typed, end)):
            asking.update(range(end - size, end))
            end -= size
        plain = [
            i
            for i, w in enumerate(words)
            if i not in asking and i in decoded and w.isalpha() and is_vietnamese_syllable(w)
        ]
        options: dict[int, list[str]] = {}
        for i in plain:
            lower = words[i].lower()
            wanted = accent_key(lower) if i in decoded else None
            options[i] = self._best_marks(fold(lower), wanted)
        fixed = {
            i: [accent_key(w.lower())]
            for i, w in enumerate(words)
            if i not in options and has_diacritics(w) and w.isalpha()
        }
        chosen: dict[int, str] = {}
        for i in range(len(words) - 1):
            j = i + 1
            if i not in options and j not in options:
                continue
            first = options.get(i) or fixed.get(i) or []
            second = options.get(j) or fixed.get(j) or []
            for a, b in product(first, second):
                if self.df(word_term([a, b])):
                    if i in options:
                        chosen.setdefault(i, a)
                    if j in options:
                        chosen.setdefault(j, b)
                    break
        for i in plain:
            if i in chosen or not options[i]:
                continue
            lower = fold(words[i].lower())
            keys = options[i]
            if i in decoded:
                if accent_key(words[i].lower()) not in keys:
                    chosen[i] = keys[0]
            elif len(keys) == 1 and self.df(accented_term(keys[0])) >= self.df(folded_term(lower)):
                chosen[i] = keys[0]
        out = list(words)
        for i, key in chosen.items():
            spelled = _from_key(key)
            out[i] = spelled.capitalize() if words[i][:1].isupper() else spelled
        return out


def _telex_like(word: str) -> bool:
    lower = word.lower()
    return lower[-1:] in _TELEX_TONES or any(d in lower for d in ("aa", "ee", "oo", "dd", "w"))


__all__: Sequence[str] = (
    "ChatReader",
    "Reading",
    "combine_follow_up",
    "decode_telex",
    "decode_vni",
    "has_question_word",
    "is_english",
    "is_follow_up",
    "marked_variants",
    "one_edit",
    "shorten_stretched",
    "tidy",
)
