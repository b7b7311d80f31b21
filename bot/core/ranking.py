"""Ranking passages for a question, and judging whether the best one answers it.

Two stages. BM25 (rank-bm25's BM25Okapi) picks candidate passages; each candidate is then
judged by its *coverage*: the share of the question's content units it holds, each weighted
by its rarity in the knowledge, blended with the share of the question's word pairs it keeps
together. Ranking adds the BM25 score, how close together the matched words sit, and whether
the passage holds the kind of answer asked for (a date for "khi nào", a name for "ai", ...).
Only coverage decides whether a question is answered at all: a positive BM25 score merely
says that some word is shared.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from bot.core.index import SearchIndex
from bot.core.model import Passage
from bot.core.questions import AnswerType, ContentUnit, Question
from bot.core.text import Syllable, Tokenizer
from bot.core.views import PassageView as _PassageView
from bot.core.views import ViewTerms, view_of_runs, view_of_text, words_of_runs

CANDIDATES = 30  # passages re-judged after BM25
TITLE_CREDIT = 0.7  # a word found only in the article's title counts for less
UNMARKED_MATCH_CREDIT = 0.25  # "hôi" typed, "hồi" found: the letters agree, the tones do not
SPLIT_PHRASE_CREDIT = 0.6  # a phrase whose syllables are all there, but not together
PAIR_SHARE = 0.35  # share of coverage given to keeping the question's word pairs together
QUANTITY_WITHOUT_NUMBER = 0.45  # coverage kept by a "bao nhiêu" passage with no count near
UNKNOWN_WORD_WEIGHT = 2.0  # a word no article has: the question is likely outside them
LEAD_CREDIT = 0.5  # a word found only in the article's first paragraph, its context
MISSING_NUMBER = 0.45  # coverage kept when a number of the question is nowhere near
MISSING_NAME = 0.45  # coverage kept when a name the question gives is not in the story
ROLE_MISMATCH = 0.45  # coverage kept when nobody holds the position asked about
ANNOUNCING_TAIL = 8  # syllables at a passage's end that may announce a list
NUMBER_BEFORE, NUMBER_AFTER = 3, 10  # how far a count may sit from what it counts
ROLE_NAME_BEFORE, ROLE_NAME_AFTER = 12, 6  # how far a holder's name may sit from the title

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
_PLACE_RE = re.compile(
    r"\b(?:tại|ở)\s+[A-ZĐÀ-Ỹ]|(?:tỉnh|huyện|xã|phường|quận|thành phố|thị xã|TP\.?|"
    r"Tỉnh ủy|Tỉnh uỷ|Huyện ủy|Huyện uỷ|Thành ủy|Thành uỷ)\s+[A-ZĐÀ-Ỹ]"
)
_DEFINITION_RE = re.compile(
    r"gọi tắt|viết tắt|còn gọi là|tức là|nghĩa là|được hiểu là", re.IGNORECASE
)
_FREQUENCY_RE = re.compile(
    r"\b(?:hàng|hằng|mỗi)\s+(?:ngày|tuần|tháng|quý|năm)|định kỳ|thường kỳ|\d+\s+lần|"
    r"thường xuyên",
    re.IGNORECASE,
)
_REASON_RE = re.compile(
    r"nguyên nhân|lý do|bởi vì|tại vì|vì vậy|do đó|dẫn đến|gây ra|\bvì\b", re.IGNORECASE
)
_LIST_RE = re.compile(r";.*;|:\s*\S")  # items separated by ";" or introduced by ":"
_VE = "vê2"  # the accent key of "về" ("about")
_TYPE_PATTERNS = {
    AnswerType.WHEN: _DATE_RE,
    AnswerType.ROLE: _ROLE_RE,
    AnswerType.WHO: _NAME_RE,
    AnswerType.QUANTITY: _NUMBER_RE,
    AnswerType.WHERE: _PLACE_RE,
    AnswerType.DEFINITION: _DEFINITION_RE,
    AnswerType.FREQUENCY: _FREQUENCY_RE,
    AnswerType.REASON: _REASON_RE,
    AnswerType.LIST: _LIST_RE,
}
# Family names that start a person's name ("Nguyễn Quốc Bảo"), to tell people from bodies.
_SURNAMES = frozenset(
    {
        "Nguyễn",
        "Trần",
        "Lê",
        "Phạm",
        "Hoàng",
        "Huỳnh",
        "Phan",
        "Vũ",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Thạch",
        "Trương",
        "Đinh",
        "Lâm",
        "Mai",
        "Cao",
        "Tô",
        "Đoàn",
        "Châu",
        "Lương",
        "Tạ",
        "Hà",
        "Kiều",
        "Quách",
        "Triệu",
        "Từ",
        "Đào",
        "La",
        "Thái",
        "Tăng",
        "Lưu",
        "Văn",
        "Trịnh",
        "Vương",
        "Chu",
        "Diệp",
        "Lạc",
        "Khưu",
        "Kim",
        "Sơn",
        "Thân",
        "Tống",
        "Giang",
        "Mạc",
        "Nghiêm",
        "Quan",
        "Âu",
        "Ông",
        "Hứa",
        "Lữ",
        "Danh",
        "Kha",
        "Đồng",
        "Phùng",
        "Khổng",
        "Tôn",
    }
)
# Numbers that name rather than count: a year, a date, "Chỉ thị (số) 28", "khóa XI".
_NAMING_BEFORE_NUMBER = frozenset({"so", "ngay", "thang", "nam", "khoa"})
_ROMAN_RE = re.compile(r"[IVXLC]+")
_SHARE_WORDS = frozenset({("hau", "het"), ("tat", "ca"), ("da", "so"), ("phan", "lon")})
# Capitalized words that start sentences rather than names ("Trong 3 ngày ...").
_SENTENCE_STARTERS = frozenset(
    {
        "trong",
        "theo",
        "co",
        "voi",
        "du",
        "nam",
        "sau",
        "tu",
        "den",
        "hon",
        "gan",
        "tren",
        "khoang",
        "tong",
        "hien",
        "nhu",
        "ca",
        "tai",
        "o",
        "da",
        "moi",
        "ngoai",
        "qua",
    }
)


@dataclass(frozen=True, slots=True)
class Judged:
    position: int  # of the passage in the index
    bm25: float
    coverage: float
    rank: float


@dataclass(frozen=True, slots=True)
class _Weighed:
    weights: tuple[float, ...]  # of each content unit, by rarity
    unknown_kinds: frozenset[int]  # kind nouns the knowledge never mentions
    pairs: list[str]  # the question's adjacent content words, as word-pair terms


def _passage_view(
    runs: Sequence[str] | None, passages: Sequence[Passage], tokenizer: Tokenizer, position: int
) -> _PassageView:
    if runs is not None:
        return view_of_runs(runs[position], tokenizer)
    return view_of_text(passages[position].text, tokenizer)


def _passage_words(
    runs: Sequence[str] | None,
    view: Callable[[int], _PassageView],
    tokenizer: Tokenizer,
    position: int,
) -> Sequence[Syllable]:
    """The passage's view's words; without building the view when it is not cached."""
    if runs is None:
        return view(position).words
    return words_of_runs(runs[position], tokenizer)


def _title_terms(
    tokenizer: Tokenizer,
    title_of: Callable[[int], str],
    title_runs: Sequence[str] | None,
    article_id: int,
) -> Container[str]:
    """The title's terms (`Tokenizer.analyze(title, segment=False)`), from its runs when the
    analysis kept them: about five times faster than analysing the title again."""
    if title_runs is not None:
        return view_of_runs(title_runs[article_id], tokenizer).terms
    return frozenset(tokenizer.analyze(title_of(article_id), segment=False).terms)


def _lead_terms(
    passages: Sequence[Passage],
    first_passage: dict[int, int],
    words: Callable[[int], Sequence[Syllable]],
    article_id: int,
) -> frozenset[str]:
    """The names and numbers of the article's first paragraph: the who, where and when
    that the rest of the story does not repeat ("Trà Vinh", "BCĐ 35")."""
    terms: set[str] = set()
    position = first_passage[article_id]
    while (
        position < len(passages)
        and passages[position].paragraph == 1
        and (passages[position].article_id == article_id)
    ):
        previous = None
        for word in words(position):
            if word.surface[:1].isupper() or word.folded.isdigit():
                terms.add("f:" + word.folded)
                if word.accented:
                    terms.add("a:" + word.accented)
                if previous is not None:
                    terms.add(f"b:{previous.folded}_{word.folded}")
                previous = word
            else:
                previous = None
        position += 1
    return frozenset(terms)


class Ranker:
    def __init__(
        self,
        index: SearchIndex,
        passages: Sequence[Passage],
        tokenizer: Tokenizer,
        title_of: Callable[[int], str],
        runs: Sequence[str] | None = None,
        title_runs: Sequence[str] | None = None,
    ) -> None:
        self.index = index
        self.passages = passages
        self.tokenizer = tokenizer
        first_passage: dict[int, int] = {}
        for position, passage in enumerate(passages):
            first_passage.setdefault(passage.article_id, position)
        # Caches over plain functions, not bound methods: a cache that held the ranker would
        # make a reference cycle, and an old engine would then outlive a reload until a full
        # collection (which `load_engine` spares the serving index by freezing it).
        self._view = lru_cache(maxsize=16384)(partial(_passage_view, runs, passages, tokenizer))
        words = partial(_passage_words, runs, self._view, tokenizer)
        self._title_terms = lru_cache(maxsize=16384)(
            partial(_title_terms, tokenizer, title_of, title_runs)
        )
        self._lead_terms = lru_cache(maxsize=16384)(
            partial(_lead_terms, passages, first_passage, words)
        )

    # --- Matching -----------------------------------------------------------------------

    @staticmethod
    def _word_credit(word: Syllable, terms: Container[str]) -> float:
        if type(terms) is ViewTerms:  # a passage or a title: its indexes, no term strings
            if word.accented is not None:
                if word.accented in terms.by_accent:
                    return 1.0
                return UNMARKED_MATCH_CREDIT if word.folded in terms.by_fold else 0.0
            return 1.0 if word.folded in terms.by_fold else 0.0
        if word.accented is not None:
            if "a:" + word.accented in terms:
                return 1.0
            return UNMARKED_MATCH_CREDIT if "f:" + word.folded in terms else 0.0
        return 1.0 if "f:" + word.folded in terms else 0.0

    def _spelling_credit(self, spelling: Sequence[Syllable], terms: Container[str]) -> float:
        credits = [self._word_credit(word, terms) for word in spelling]
        if len(spelling) == 1:
            return credits[0]
        together = all(f"b:{a.folded}_{b.folded}" in terms for a, b in itertools.pairwise(spelling))
        mean = sum(credits) / len(credits)
        return mean if together else mean * SPLIT_PHRASE_CREDIT

    def _unit_credit(self, unit: ContentUnit, terms: Container[str]) -> float:
        return max(self._spelling_credit(spelling, terms) for spelling in unit.spellings)

    def _known(self, words: Sequence[Syllable]) -> bool:
        """Whether the knowledge holds these words anywhere (as a phrase when several)."""
        if len(words) == 1:
            word = words[0]
            return self.index.document_frequency(_term(word)) > 0
        return all(
            self.index.document_frequency(f"b:{a.folded}_{b.folded}") > 0
            for a, b in itertools.pairwise(words)
        )

    def _unknown_kinds(self, q: Question) -> set[int]:
        """Units of a kind noun ("hội trường nào") that the knowledge never mentions."""
        unknown: set[int] = set()
        run: list[int] = []
        for k, unit in enumerate([*q.content, None]):
            if (
                unit is not None
                and unit.weight < 1.0
                and (not run or q.content[run[-1]].position + 1 == unit.position)
            ):
                run.append(k)
                continue
            if run and not self._known([w for i in run for w in q.content[i].words]):
                unknown.update(run)
            run = [k] if unit is not None and unit.weight < 1.0 else []
        return unknown

    def _unit_weight(self, unit: ContentUnit) -> float:
        return sum(self.index.term_weight(_term(w)) for w in unit.words)

    @staticmethod
    def _content_pairs(q: Question) -> list[str]:
        """Adjacent content words of the question, as the index writes word pairs."""
        content: dict[int, Syllable] = {}
        for unit in q.content:
            if len(unit.words) == 1:
                content[unit.position] = unit.words[0]
        return [
            f"b:{content[i].folded}_{content[i + 1].folded}" for i in content if i + 1 in content
        ]

    def _weigh(self, q: Question) -> _Weighed:
        """What coverage needs of the question, worked out once for all its candidates."""
        weights = []
        for unit in q.content:
            weight = self._unit_weight(unit)
            if not self._known(unit.words) and not unit.alternatives:
                weight *= UNKNOWN_WORD_WEIGHT
            weights.append(weight)
        return _Weighed(tuple(weights), frozenset(self._unknown_kinds(q)), self._content_pairs(q))

    def coverage(
        self,
        q: Question,
        position: int,
        name_pairs: Sequence[str] = (),
        weighed: _Weighed | None = None,
    ) -> float:
        weighed = weighed or self._weigh(q)
        view = self._view(position)
        article_id = self.passages[position].article_id
        title = self._title_terms(article_id)
        lead = self._lead_terms(article_id)
        total = got = 0.0
        number_missing = False
        unknown_kinds = weighed.unknown_kinds
        for number, (unit, weight) in enumerate(zip(q.content, weighed.weights, strict=True)):
            credit = self._unit_credit(unit, view.terms)
            if credit < 1.0:
                credit = max(
                    credit,
                    TITLE_CREDIT * self._unit_credit(unit, title),
                    LEAD_CREDIT * self._unit_credit(unit, lead),
                )
            if credit == 0.0 and all(w.folded.isdigit() for w in unit.words):
                number_missing = True
            if credit < 1.0 and unit.weight < 1.0 and number not in unknown_kinds:
                # "lĩnh vực gì": the answer need not repeat "lĩnh vực"; but a kind the
                # knowledge never mentions ("hội trường nào") it cannot name either.
                weight *= unit.weight
            total += weight
            got += weight * credit
        coverage = got / total if total else 0.0
        pairs = weighed.pairs
        if pairs:
            kept = sum(
                1.0 if p in view.terms else TITLE_CREDIT if p in title else 0.0 for p in pairs
            )
            coverage = (1 - PAIR_SHARE) * coverage + PAIR_SHARE * kept / len(pairs)
        if q.answer_type is AnswerType.QUANTITY and not self._count_near_focus(q, view):
            coverage *= QUANTITY_WITHOUT_NUMBER
        if number_missing:
            coverage *= MISSING_NUMBER
        if q.role and not self._role_holder(q, view):
            coverage *= ROLE_MISMATCH

        def in_story(term: str) -> bool:
            return term in view.terms or term in title or term in lead

        if any(not any(in_story(f"f:{w.folded}") for w in name) for name in q.names) or any(
            not in_story(pair) for pair in name_pairs
        ):
            coverage *= MISSING_NAME
        return coverage

    @staticmethod
    def _unit_positions(unit: ContentUnit, view: _PassageView) -> list[int]:
        places: set[int] = set()
        words = view.words
        last = len(words)
        for spelling in unit.spellings:
            size = len(spelling)
            if size == 0:  # matches everywhere; never made by `understand`
                places.update(range(last + 1))
                continue
            first, rest = spelling[0], spelling[1:]
            for i in view.starts(first):
                if i + size > last:
                    break
                if all(_same(words[i + k], wanted) for k, wanted in enumerate(rest, start=1)):
                    places.add(i)
        return sorted(places)

    def _match_positions(self, q: Question, view: _PassageView) -> list[list[int]]:
        """For each content unit, where in the passage it starts (exact matches only)."""
        return [self._unit_positions(unit, view) for unit in q.content]

    def proximity(self, q: Question, position: int) -> float:
        """How tightly the matched content units sit together: 1.0 when side by side."""
        lists = [p for p in self._match_positions(q, self._view(position)) if p]
        if len(lists) < 2:
            return 1.0 if lists else 0.0
        events = sorted((pos, unit) for unit, places in enumerate(lists) for pos in places)
        need, have, counts, best, left = len(lists), 0, [0] * len(lists), None, 0
        for right_pos, unit in events:
            counts[unit] += 1
            have += counts[unit] == 1
            while have == need:
                left_pos, left_unit = events[left]
                span = right_pos - left_pos + 1
                best = span if best is None or span < best else best
                counts[left_unit] -= 1
                have -= counts[left_unit] == 0
                left += 1
        # Scaled by the share of units found: two words side by side are not a match of six.
        return min(1.0, need / best) * need / len(q.content) if best else 0.0

    def _count_near_focus(self, q: Question, view: _PassageView) -> bool:
        """A number that counts (not a date, a year or a document's number) sits next to
        what the question counts, or next to any of its words when that is unknown."""
        units = [q.content[k] for k in q.focus] or list(q.content)
        places = [
            (start, start + min(len(s) for s in unit.spellings))
            for unit in units
            for start in self._unit_positions(unit, view)
        ]
        counts = _number_positions(view.words) if q.any_number else _count_positions(view.words)
        return any(
            start - NUMBER_BEFORE <= n < end + NUMBER_AFTER for n in counts for start, end in places
        )

    @staticmethod
    def _role_holder(q: Question, view: _PassageView) -> bool:
        """The position asked about appears as asked (not its deputy: "Phó ...") with a
        person's name near it (or, for "Ai làm ...?", any named person or body)."""
        words = view.words
        role = q.role
        size = len(role)
        if q.role_needs_person:
            names = [
                i
                for i in range(len(words) - 1)
                if words[i].surface in _SURNAMES and words[i + 1].surface[:1].isupper()
            ]
        else:
            names = [
                i
                for i, w in enumerate(words)
                if w.surface[:1].isupper() and w.folded not in _SENTENCE_STARTERS
            ]
        for i in range(len(words) - size + 1):
            if not all(_same(words[i + k], role[k]) for k in range(size)):
                continue
            if i > 0 and words[i - 1].folded == "pho" and role[0].folded != "pho":
                continue
            if any(
                i - ROLE_NAME_BEFORE <= n <= i + size + ROLE_NAME_AFTER and not i <= n < i + size
                for n in names
            ):
                return True
        return False

    def has_answer_type(self, q: Question, position: int) -> bool:
        text = self.passages[position].text
        pattern = _TYPE_PATTERNS.get(q.answer_type)
        if pattern is not None:
            return pattern.search(text) is not None
        if q.answer_type is AnswerType.ABOUT:
            # "Chỉ thị 28 về vấn đề gì?": the topic follows "về" shortly after the subject.
            subject = [u for u in q.content if u.words[-1].folded != "ve"]
            if not subject:
                return False
            view = self._view(position)
            return any(
                word.accented == _VE
                for start in self._unit_positions(subject[-1], view)
                for word in view.words[start + 1 : start + 12]
            )
        return False

    def matched_words(self, q: Question, position: int) -> tuple[str, ...]:
        """Surface words of the passage that match the question, for highlighting."""
        view = self._view(position)
        matched: dict[str, None] = {}
        for places, unit in zip(self._match_positions(q, view), q.content, strict=True):
            size = min(len(s) for s in unit.spellings)
            for i in places:
                for word in view.words[i : i + max(size, 1)]:
                    matched.setdefault(word.surface, None)
        return tuple(matched)

    # --- The two stages -----------------------------------------------------------------

    def query_terms(self, q: Question) -> list[str]:
        """BM25 query: the question's terms without its question words, plus synonyms."""
        content_words = [w for unit in q.content for w in unit.words]
        content_folds = {w.folded for w in content_words}
        content_accents = {w.accented for w in content_words if w.accented}
        stop_folds = {w.folded for w in q.analyzed.syllables} - content_folds
        stop_accents = {w.accented for w in q.analyzed.syllables if w.accented} - content_accents
        terms: list[str] = []
        for term in q.analyzed.terms:
            kind, body = term[0], term[2:]
            parts = body.split("_")
            if (
                (kind == "f" and body in stop_folds)
                or (kind == "a" and body in stop_accents)
                or (kind == "b" and all(part in stop_folds for part in parts))
                or (kind == "w" and all(p in stop_accents or p in stop_folds for p in parts))
            ):
                continue
            terms.append(term)
        # Synonyms add their phrase, not their separate words: "cuộc họp" should find
        # "hội nghị", not every passage that mentions "họp".
        extra: dict[str, None] = {}
        for unit in q.content:
            for spelling in unit.alternatives:
                if len(spelling) == 1:
                    word = spelling[0]
                    extra[_term(word)] = None
                for a, b in itertools.pairwise(spelling):
                    extra[f"b:{a.folded}_{b.folded}"] = None
        return terms + [t for t in extra if t not in terms]

    def _names_typed_plain(self, q: Question, positions: Sequence[int]) -> list[str]:
        """Word pairs of the question that the candidates write as a name ("tra vinh" is
        mostly "Trà Vinh"): what capitals would have told, for questions typed without."""
        typed_plain = {
            f"b:{a.folded}_{b.folded}"
            for a, b in itertools.pairwise(q.analyzed.syllables)
            if not (a.surface[:1].isupper() or b.surface[:1].isupper())
        }
        wanted = typed_plain & set(self._content_pairs(q))
        if not wanted:
            return []
        names = []
        for pair in wanted:
            first, _, second = pair[2:].partition("_")
            capitalized = seen = 0
            for position in positions:
                view = self._view(position)
                words = view.words
                for i in view.by_fold.get(first, ()):
                    if i + 1 < len(words) and words[i + 1].folded == second:
                        seen += 1
                        capitalized += (
                            words[i].surface[:1].isupper() and words[i + 1].surface[:1].isupper()
                        )
            if seen and capitalized * 2 > seen:
                names.append(pair)
        return names

    def _list_follows(self, q: Question, position: int) -> int | None:
        """The next passage of the same paragraph when this one ends by announcing the kind
        of items asked for and the next one lists them ("... với một số nhiệm vụ cụ thể."
        then "Theo kế hoạch, tỉnh sẽ ...; ...; ...")."""
        here = self.passages[position]
        if _LIST_RE.search(here.text) or position + 1 >= len(self.passages):
            return None
        view = self._view(position)
        tail = len(view.words) - ANNOUNCING_TAIL
        kinds = [unit for unit in q.content if unit.weight < 1.0]
        if not any(p >= tail for unit in kinds for p in self._unit_positions(unit, view)):
            return None
        after = self.passages[position + 1]
        same = after.article_id == here.article_id and after.paragraph == here.paragraph
        return position + 1 if same and _LIST_RE.search(after.text) else None

    def judge(self, q: Question) -> list[Judged]:
        candidates = self.index.top(self.query_terms(q), CANDIDATES)
        if not candidates:
            return []
        name_pairs = self._names_typed_plain(q, [position for position, _ in candidates])
        weighed = self._weigh(q)
        best_bm25 = max(score for _, score in candidates)
        scale = best_bm25 if best_bm25 > 0 else 1.0
        judged = []
        for position, score in candidates:
            coverage = self.coverage(q, position, name_pairs, weighed)
            rank = 0.35 * max(score, 0.0) / scale + 0.55 * coverage
            rank += 0.1 * self.proximity(q, position)
            if self.has_answer_type(q, position):
                rank += 0.1
            judged.append(Judged(position, score, coverage, rank))
        judged.sort(key=lambda j: (-j.rank, j.position))
        if q.answer_type is AnswerType.LIST and judged:
            follow = self._list_follows(q, judged[0].position)
            if follow is not None:
                best = judged[0]
                judged = [
                    Judged(follow, best.bm25, best.coverage, best.rank),
                    *(j for j in judged if j.position != follow),
                ]
        return judged


def _is_roman(word: Syllable) -> bool:
    return word.surface.isupper() and _ROMAN_RE.fullmatch(word.surface) is not None


def _digit_run(words: Sequence[Syllable], i: int) -> tuple[int, int]:
    """(first position, length) of the run of numbers holding position i: 26-2-2014 is 3."""
    start = end = i
    while start > 0 and words[start - 1].folded.isdigit():
        start -= 1
    while end + 1 < len(words) and words[end + 1].folded.isdigit():
        end += 1
    return start, end - start + 1


def _number_positions(words: Sequence[Syllable]) -> list[int]:
    """Numbers of any kind (counts, "số 05", "khóa IX", "thứ 3"), but not dates or years."""
    return [
        i
        for i, w in enumerate(words)
        if _is_roman(w) or (w.folded.isdigit() and not _is_year(w) and _digit_run(words, i)[1] < 3)
    ]


def _is_year(word: Syllable) -> bool:
    return len(word.folded) == 4 and word.folded[:2] in ("19", "20")


def _count_positions(words: Sequence[Syllable]) -> list[int]:
    """Positions of numbers that count things: not years, dates or numbered names; and of
    words that give a share without a figure ("hầu hết", "tất cả")."""
    counts = []
    for i, word in enumerate(words):
        if i + 1 < len(words) and (word.folded, words[i + 1].folded) in _SHARE_WORDS:
            counts.append(i)
            continue
        if not word.folded.isdigit():
            continue
        previous = words[i - 1] if i > 0 else None
        j, run = _digit_run(words, i)
        # "Ban Chỉ đạo 35", "Kết luận 94": a number right after a name names it.
        named = j == i and any(
            w.surface[:1].isupper() and w.folded not in _SENTENCE_STARTERS
            for w in words[max(0, i - 2) : i]
        )
        if (
            run >= 3  # 26-2-2014
            or _is_year(word)
            or named
            or (previous is not None and j == i and previous.folded in _NAMING_BEFORE_NUMBER)
        ):
            continue
        counts.append(i)
    return counts


def _term(word: Syllable) -> str:
    """The index term a question's syllable is looked up by: with its marks when typed."""
    return "a:" + word.accented if word.accented else "f:" + word.folded


def _same(found: Syllable, wanted: Syllable) -> bool:
    if wanted.accented is not None:
        return found.accented == wanted.accented
    return found.folded == wanted.folded
