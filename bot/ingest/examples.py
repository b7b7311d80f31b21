"""One question a newly added article can answer, to show the admin it works.

Questions are built from the article's own sentences (who did it, when, how many), then
asked of the engine: only one answered from that very article is offered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.core.engine import Engine
from bot.core.model import AnswerKind, Article

MAX_TRIES = 12
MAX_QUESTION_WORDS = 20

_SENTENCE_RE = re.compile(r"[^.!?…]+[.!?…]?")
# "Sáng 15-3-2024, tỉnh Bến Tre khánh thành ..." -> "... khi nào?"
_TIME_LEAD_RE = re.compile(
    r"^(?:(?:sáng|chiều|trưa|tối|đêm|ngày|hôm)(?: nay| qua| mai)?(?: ngày)?|từ ngày|vào ngày)"
    r"\s*[\d/.-]*\d(?:\s*năm\s*\d{4})?\s*,\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
# "Ông Trần Ngọc Tam, Chủ tịch UBND tỉnh, cắt băng khánh thành ..." -> "Ai cắt băng ...?"
_PERSON_RE = re.compile(
    r"^(?i:ông|bà|đồng chí|anh|chị|thượng tướng|trung tướng|thiếu tướng|đại tá|tiến sĩ|"
    r"bác sĩ|nhà báo)\s+(?:[A-ZĐ][^\W\d]*\s*){1,4},\s*[^,]{3,100},\s*(?P<act>[^,;:]{8,})$",
)
# "Cây cầu dài 17 km" -> "Cây cầu dài bao nhiêu km?": only before a word that counts.
_UNITS = (
    "tỷ đồng|triệu đồng|nghìn đồng|ngàn đồng|cán bộ|hội viên|đại biểu|học sinh|sinh viên|"
    "doanh nghiệp|dự án|công trình|người dân|hộ dân|gia đình|phần trăm|km|ha|m2|m|tấn|đồng|"
    "người|hộ|xe|chiếc|tuyến|cây|con|căn|trường|xã|huyện|tỉnh|đội|chỗ|phút|lượt|ca|vụ|"
    "tiết mục|giải|hecta|héc-ta|lít|kg|USD|%"
)
_COUNT_RE = re.compile(
    r"^(?P<before>(?:\S+\s+){2,10}?)(?:hơn|gần|khoảng|trên|dưới|tới|đến)?\s*"
    rf"\d[\d.,]*\s*(?P<unit>{_UNITS})(?!\w)"
)
_REPORTING_RE = re.compile(r"^(?:cho biết|nói|khẳng định|nhấn mạnh|phát biểu|chia sẻ)\b")
_PREPOSITION_RE = re.compile(r"^(?i:với|của|trong|từ|theo|sau|tại|ở|cho|về)\s")
# "... nhớ ơn Bác Hồ tại xã Phú Nhuận, với sự tham gia ..." : the event, not where or with whom
_EVENT_END_RE = re.compile(r"\s(?:tại|với sự|với hơn|nhằm|để|sau khi|trong đó)\s")


def _clauses(article: Article) -> Iterator[str]:
    for paragraph in article.paragraphs[:6]:
        for sentence in _SENTENCE_RE.findall(paragraph):
            sentence = sentence.strip().rstrip(".!?…").strip()
            if len(sentence.split()) >= 5:
                yield sentence


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(text: str) -> str:
    words = text.split()
    return " ".join(words[:MAX_QUESTION_WORDS])


def candidate_questions(article: Article) -> Iterator[str]:
    """Questions the article's sentences answer, most natural first; the title last."""
    clauses = list(_clauses(article))
    for clause in clauses:
        person = _PERSON_RE.match(clause)
        if person and not _REPORTING_RE.match(person.group("act")):
            yield f"Ai {_short(person.group('act').split(',')[0])}?"
    for clause in clauses:
        time_lead = _TIME_LEAD_RE.match(clause)
        if time_lead:
            rest = time_lead.group("rest").split(",")[0]
            cut = _EVENT_END_RE.search(rest)
            if cut and len(rest[: cut.start()].split()) >= 4:
                rest = rest[: cut.start()]
            yield f"{_capital(_short(rest))} khi nào?"
    for clause in clauses:
        for part in clause.split(","):
            count = _COUNT_RE.match(part.strip())
            if (
                count
                and not _PREPOSITION_RE.match(part.strip())
                and not any(c.isdigit() for c in count.group("before"))
            ):
                unit = "phần trăm" if count.group("unit") == "%" else count.group("unit")
                yield f"{_capital(count.group('before').strip())} bao nhiêu {unit}?"
    yield f"{article.title}?"


def example_question(engine: Engine, file: str) -> str | None:
    """A question the engine answers with a quote from the article in `file`, or None."""
    article = next((a for a in engine.articles if a.file == file), None)
    if article is None:
        return None
    seen: set[str] = set()
    for question in candidate_questions(article):
        if question in seen:
            continue
        seen.add(question)
        answer = engine.ask(question)
        if answer.kind is AnswerKind.FOUND and answer.source and answer.source.file == file:
            return question
        if len(seen) >= MAX_TRIES:
            break
    return None
