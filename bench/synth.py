"""A reproducible synthetic knowledge folder of Vietnamese news-like articles.

The sentences come from an order-2 syllable Markov model trained on the real articles (the
seed article in ``knowledge/`` and the fictional distractors in ``tests/data/eval/``), in which
people, places, departments, numbers and dates were first replaced by slots. Generation fills
the slots from pools (persons as Họ + tên đệm + tên, provinces, districts, departments,
numbers, dates consistent with the article's own date), so the articles read like the seed,
in its exact plain-text format, while names and figures vary from one article to the next.

Everything is drawn from one ``random.Random(seed)`` stream in a fixed order and never from
set or hash order, so the same seed gives byte-identical files, and the first N articles of
a larger folder are the N articles of a smaller one.

    python -m bench.synth OUT_DIR --articles 1000 [--seed 2014]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 1
DEFAULT_SEED = 2014

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "knowledge", ROOT / "tests" / "data" / "eval" / "distractors")

MIN_SYLLABLES, MAX_SYLLABLES = 15, 60
PARAGRAPHS = (4, 8)
SENTENCE_WEIGHTS = {1: 1, 2: 2, 3: 3, 4: 3, 5: 2}  # sentences per paragraph
START = "<s>"
END = "."

# --- Pools --------------------------------------------------------------------------------

SURNAMES = (
    "Nguyễn",
    "Nguyễn",
    "Nguyễn",
    "Trần",
    "Trần",
    "Lê",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
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
    "Đinh",
    "Trương",
    "Lâm",
    "Mai",
    "Tô",
    "Châu",
    "Lương",
    "Tạ",
    "Kiều",
)
MIDDLE_NAMES = (
    "Văn",
    "Văn",
    "Thị",
    "Thị",
    "Minh",
    "Quốc",
    "Hữu",
    "Thanh",
    "Ngọc",
    "Đức",
    "Thành",
    "Hoàng",
    "Xuân",
    "Thu",
    "Kim",
    "Anh",
    "Hồng",
    "Công",
    "Trọng",
    "Phương",
    "Bảo",
    "Gia",
    "Khánh",
    "Mỹ",
    "Như",
    "Tuấn",
    "Đình",
    "Quang",
    "Thái",
    "Bích",
    "Diệu",
    "Tấn",
)
GIVEN_NAMES = (
    "Bảo",
    "Bưu",
    "Tâm",
    "Nhung",
    "Sang",
    "Thành",
    "Hùng",
    "Trúc",
    "Nghĩa",
    "Khôi",
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Dung",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hoa",
    "Hương",
    "Huy",
    "Khang",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Ngân",
    "Nhân",
    "Phong",
    "Phúc",
    "Phượng",
    "Quân",
    "Quyên",
    "Sơn",
    "Tài",
    "Thảo",
    "Thắng",
    "Thịnh",
    "Thủy",
    "Tiến",
    "Toàn",
    "Trang",
    "Trí",
    "Trinh",
    "Trung",
    "Tú",
    "Tuấn",
    "Uyên",
    "Vân",
    "Việt",
    "Vinh",
    "Vy",
    "Xuân",
    "Yến",
    "Lộc",
    "Đạt",
    "Điệp",
    "Hậu",
    "Kiên",
    "Lực",
    "Oanh",
)
PROVINCES = (
    "Bến Tre",
    "Vĩnh Long",
    "Trà Vinh",
    "Tiền Giang",
    "Long An",
    "Đồng Tháp",
    "An Giang",
    "Kiên Giang",
    "Cần Thơ",
    "Hậu Giang",
    "Sóc Trăng",
    "Bạc Liêu",
    "Cà Mau",
    "Tây Ninh",
    "Bình Dương",
    "Đồng Nai",
    "Bình Phước",
    "Lâm Đồng",
    "Đắk Lắk",
    "Gia Lai",
    "Kon Tum",
    "Khánh Hòa",
    "Phú Yên",
    "Bình Định",
    "Quảng Ngãi",
    "Quảng Nam",
    "Đà Nẵng",
    "Thừa Thiên Huế",
    "Quảng Trị",
    "Quảng Bình",
    "Hà Tĩnh",
    "Nghệ An",
    "Thanh Hóa",
    "Ninh Bình",
    "Nam Định",
    "Thái Bình",
    "Hải Dương",
    "Hưng Yên",
    "Bắc Ninh",
    "Vĩnh Phúc",
    "Phú Thọ",
    "Tuyên Quang",
    "Hà Giang",
    "Lào Cai",
    "Yên Bái",
    "Sơn La",
    "Điện Biên",
    "Lai Châu",
    "Hòa Bình",
    "Thái Nguyên",
    "Bắc Giang",
    "Lạng Sơn",
    "Cao Bằng",
    "Bắc Kạn",
    "Quảng Ninh",
    "Hải Phòng",
    "Hà Nam",
    "Bình Thuận",
    "Ninh Thuận",
    "Bà Rịa - Vũng Tàu",
)
DISTRICTS = (
    "Giồng Trôm",
    "Châu Thành",
    "Mỏ Cày Nam",
    "Mỏ Cày Bắc",
    "Ba Tri",
    "Bình Đại",
    "Thạnh Phú",
    "Chợ Lách",
    "Long Hồ",
    "Mang Thít",
    "Vũng Liêm",
    "Tam Bình",
    "Trà Ôn",
    "Cầu Kè",
    "Tiểu Cần",
    "Cầu Ngang",
    "Duyên Hải",
    "Trà Cú",
    "Cai Lậy",
    "Cái Bè",
    "Gò Công Tây",
    "Tân Phước",
    "Cần Giuộc",
    "Đức Hòa",
    "Bến Lức",
    "Thủ Thừa",
    "Cao Lãnh",
    "Lai Vung",
    "Tháp Mười",
    "Tân Hồng",
    "Phú Tân",
    "Chợ Mới",
    "Tri Tôn",
    "Tịnh Biên",
    "Hòn Đất",
    "Giồng Riềng",
    "Phong Điền",
    "Cờ Đỏ",
    "Vị Thủy",
    "Long Mỹ",
    "Mỹ Xuyên",
    "Ngã Năm",
    "Hồng Dân",
    "Phước Long",
    "Năm Căn",
    "Ngọc Hiển",
    "Trảng Bàng",
    "Gò Dầu",
    "Hớn Quản",
    "Định Quán",
    "Xuân Lộc",
    "Di Linh",
    "Krông Pắc",
    "Chư Sê",
    "Đắk Hà",
    "Diên Khánh",
    "Tuy An",
    "Hoài Nhơn",
    "Bình Sơn",
    "Thăng Bình",
    "Phong Điền",
    "Hải Lăng",
)
DEPARTMENTS = (
    "Sở Thông tin và Truyền thông",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Giao thông vận tải",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Xây dựng",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Tài nguyên và Môi trường",
    "Sở Khoa học và Công nghệ",
    "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Liên đoàn Lao động tỉnh",
    "Hội Nông dân tỉnh",
    "Tỉnh đoàn",
    "Hội Liên hiệp Phụ nữ tỉnh",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Thanh tra tỉnh",
    "Đài Phát thanh và Truyền hình tỉnh",
    "Ngân hàng Chính sách xã hội",
    "Trung tâm Ứng cứu khẩn cấp máy tính Việt Nam",
    "Trung tâm Y tế huyện",
    "Trường Chính trị tỉnh",
    "Ban Quản lý các khu công nghiệp",
    "Cục Thuế tỉnh",
)
TIMES_OF_DAY = ("Sáng", "Chiều", "Tối", "Ngày", "Trưa")

# --- Reading the real articles --------------------------------------------------------------

_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9“\"])")
_PAREN_RE = re.compile(r"\s*\([^()]*\)")
_QUOTES_RE = re.compile(r"[“”\"‘’']")
_TRAILING_RE = re.compile(r"^(.*?)([,;:.!?]*)$")
_DATE_RE = re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$")
_MONTH_YEAR_RE = re.compile(r"^\d{1,2}-\d{4}$")
_YEAR_RE = re.compile(r"^(?:19|20)\d\d$")
_PERCENT_RE = re.compile(r"^\d[\d.,]*%$")
_LEFTOVER_RE = re.compile(r"^(?:chia sẻ bài viết|bình luận)$", re.IGNORECASE)
_DATE_LINE_RE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}\s*-\s*\d{1,2}:\d{2}$")

PER, PROV, DIST, DEPT = "<PER>", "<PROV>", "<DIST>", "<DEPT>"
DATE, MONTHY, YEAR, NUM, PCT = "<DATE>", "<MONTHY>", "<YEAR>", "<NUM>", "<PCT>"
_MULTI = ((DEPT, DEPARTMENTS), (PROV, PROVINCES), (DIST, DISTRICTS))


def _source_files() -> list[Path]:
    files: list[Path] = []
    for folder in SOURCES:
        if folder.is_dir():
            files.extend(sorted(p for p in folder.glob("*.txt") if not p.name.startswith(".")))
    return files


def _body_paragraphs(text: str) -> list[str]:
    """The body paragraphs of a plain-text article: no title, date, author or leftovers."""
    blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text.strip())]
    blocks = [b for b in blocks[1:] if b and not _DATE_LINE_RE.match(b)]
    blocks = [b for b in blocks if not _LEFTOVER_RE.match(b)]
    if blocks and len(blocks[-1].split()) <= 6 and not blocks[-1].endswith("."):
        blocks.pop()  # the author line
    return blocks


def _replace_phrases(text: str) -> str:
    """Known departments, provinces and districts become slots (longest names first)."""
    for slot, pool in _MULTI:
        for name in sorted(dict.fromkeys(pool), key=len, reverse=True):
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", f" {slot} ", text)
    return text


def _slot_tokens(tokens: list[str]) -> list[str]:
    """Persons (a surname followed by capitalised syllables) and figures become slots."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in SURNAMES:
            j = i + 1
            while j < len(tokens) and j - i < 4 and tokens[j][:1].isupper() and tokens[j].isalpha():
                j += 1
            if j - i >= 2:
                out.append(PER)
                i = j
                continue
        if any(c.isdigit() for c in token):
            if _DATE_RE.match(token):
                token = DATE
            elif _MONTH_YEAR_RE.match(token):
                token = MONTHY
            elif _YEAR_RE.match(token):
                token = YEAR
            elif _PERCENT_RE.match(token):
                token = PCT
            else:
                token = NUM
        out.append(token)
        i += 1
    return out


def tokenize_sentence(sentence: str) -> list[str]:
    """Syllables, punctuation marks and slots of one training sentence."""
    sentence = _QUOTES_RE.sub("", _PAREN_RE.sub("", sentence))
    tokens: list[str] = []
    for raw in _replace_phrases(sentence).split():
        body, trailing = _TRAILING_RE.match(raw).groups()  # type: ignore[union-attr]
        if body:
            tokens.append(body)
        tokens.extend(trailing)
    return _slot_tokens(tokens)


def training_sentences(files: list[Path] | None = None) -> list[list[str]]:
    sentences: list[list[str]] = []
    for path in files if files is not None else _source_files():
        for paragraph in _body_paragraphs(path.read_text(encoding="utf-8")):
            for sentence in _SENTENCE_END_RE.split(paragraph):
                tokens = tokenize_sentence(sentence)
                while tokens and tokens[-1] in ",;:.!?":
                    tokens.pop()
                if len(tokens) >= 4:
                    sentences.append([*tokens, END])
    if not sentences:
        raise RuntimeError("no training text: knowledge/ and tests/data/eval/distractors/ empty")
    return sentences


# --- The Markov model -----------------------------------------------------------------------


@dataclass
class Markov:
    """Order-2 syllable chain: (previous, current) -> the tokens seen next, with repeats."""

    follow: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @classmethod
    def train(cls, sentences: list[list[str]]) -> Markov:
        model = cls()
        for tokens in sentences:
            a, b = START, START
            for token in tokens:
                model.follow.setdefault((a, b), []).append(token)
                a, b = b, token
        return model

    def walk(self, rng: random.Random, limit: int = 120) -> list[str]:
        a, b = START, START
        out: list[str] = []
        while len(out) < limit:
            token = rng.choice(self.follow[(a, b)])
            if token == END:
                break
            out.append(token)
            a, b = b, token
        return out


# --- Generation -----------------------------------------------------------------------------


def _person(rng: random.Random) -> str:
    middles = rng.choice((1, 1, 1, 2))
    parts = [rng.choice(SURNAMES)]
    parts += [rng.choice(MIDDLE_NAMES) for _ in range(middles)]
    parts.append(rng.choice(GIVEN_NAMES))
    return " ".join(parts)


def _abbreviation(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"\w+", name)).upper()


@dataclass
class _Cast:
    """The people, places and dates one article keeps coming back to."""

    day: int
    month: int
    year: int
    people: list[str]
    province: str
    district: str
    defined: set[str] = field(default_factory=set)


def _fill(tokens: list[str], cast: _Cast, rng: random.Random) -> list[str]:
    out: list[str] = []
    for i, token in enumerate(tokens):
        if token == PER:
            out.append(rng.choice(cast.people) if rng.random() < 0.8 else _person(rng))
        elif token == PROV:
            out.append(cast.province if rng.random() < 0.8 else rng.choice(PROVINCES))
        elif token == DIST:
            out.append(cast.district if rng.random() < 0.7 else rng.choice(DISTRICTS))
        elif token == DEPT:
            name = rng.choice(DEPARTMENTS)
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            if following in ("tỉnh", "huyện") and name.endswith(" " + following):
                name = name.rsplit(" ", 1)[0]  # not "Công an tỉnh tỉnh Bến Tre"
            out.append(name)
            if name not in cast.defined and rng.random() < 0.1:
                cast.defined.add(name)
                out.append(f"(gọi tắt là {_abbreviation(name)})")
        elif token == DATE:
            day = max(1, cast.day - rng.choice((0, 1, 1, 1, 2)))
            out.append(f"{day}-{cast.month}-{cast.year}")
        elif token == MONTHY:
            out.append(f"{rng.randint(1, 12)}-{cast.year + rng.choice((0, 0, 1))}")
        elif token == YEAR:
            out.append(str(cast.year + rng.choice((-1, -1, 0, 0, 0, 1, 2))))
        elif token == PCT:
            out.append(
                f"{rng.randint(5, 99)}%"
                if rng.random() < 0.7
                else f"{rng.randint(5, 99)},{rng.randint(1, 9)}%"
            )
        elif token == NUM:
            roll = rng.random()
            number = (
                rng.randint(2, 60)
                if roll < 0.65
                else rng.randint(61, 999)
                if roll < 0.9
                else rng.randint(1, 99) * 1000 + rng.randint(0, 999)
            )
            out.append(f"{number:,}".replace(",", "."))
            # "Ban Chỉ đạo 94 (gọi tắt là BCĐ 94)", as the seed defines its steering committee.
            if (
                tokens[max(0, i - 3) : i] == ["Ban", "Chỉ", "đạo"]
                and "BCĐ" not in cast.defined
                and rng.random() < 0.5
            ):
                cast.defined.add("BCĐ")
                out.append(f"(gọi tắt là BCĐ {out[-1]})")
        else:
            out.append(token)
    return out


def _join(tokens: list[str]) -> str:
    text = ""
    for token in tokens:
        if token in (",", ";", ":", ".", "!", "?") and text:
            text += token
        else:
            text += (" " if text else "") + token
    return text


def _syllable_count(tokens: list[str]) -> int:
    return sum(len(re.findall(r"\w+", t)) for t in tokens)


def _loops(tokens: list[str]) -> bool:
    """Whether the chain went round in circles ("phê bình và phê bình và phê bình")."""
    grams = [tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)]
    return len(grams) - len(dict.fromkeys(grams)) > 1


def _sentence(model: Markov, cast: _Cast, rng: random.Random) -> str:
    for _ in range(30):
        tokens = model.walk(rng)
        if _loops(tokens):
            continue
        tokens = _fill(tokens, cast, rng)
        if MIN_SYLLABLES <= _syllable_count(tokens) <= MAX_SYLLABLES:
            break
        if _syllable_count(tokens) > MAX_SYLLABLES:
            # Too long: end it at the last comma or semicolon that keeps it within bounds.
            cuts = [
                i
                for i, t in enumerate(tokens)
                if t in ",;" and MIN_SYLLABLES <= _syllable_count(tokens[:i]) <= MAX_SYLLABLES
            ]
            if cuts:
                tokens = tokens[: cuts[-1]]
                break
    while tokens and tokens[-1] in ",;:-":
        tokens.pop()
    text = _join(tokens)
    return text[:1].upper() + text[1:] + "."


def _title(model: Markov, cast: _Cast, rng: random.Random, used: set[str]) -> str:
    for attempt in range(200):
        tokens = _fill(model.walk(rng), cast, rng)
        clauses: list[list[str]] = [[]]
        for token in tokens:
            if token in (",", ";", ":", "-") or token.startswith("("):
                clauses.append([])
            else:
                clauses[-1].append(token)
        clauses = [c for c in clauses if len(c) >= 5]
        if not clauses:
            continue
        clause = rng.choice(clauses)
        start = rng.randint(0, max(0, len(clause) - 6))
        words = clause[start : start + rng.randint(6, 12)]
        if attempt >= 3 or rng.random() < 0.3:
            words += rng.choice((["tại", "tỉnh"], ["ở", "huyện"], ["năm"]))
            words.append(
                cast.province
                if words[-1] == "tỉnh"
                else cast.district
                if words[-1] == "huyện"
                else str(cast.year)
            )
        title = " ".join(words).rstrip(".")
        title = title[:1].upper() + title[1:]
        if title not in used:
            used.add(title)
            return title
    raise RuntimeError("could not find a unique title")


def _cast(rng: random.Random) -> _Cast:
    year = rng.randint(2010, 2024)
    return _Cast(
        day=rng.randint(2, 28),
        month=rng.randint(1, 12),
        year=year,
        people=[_person(rng) for _ in range(rng.randint(2, 3))],
        province=rng.choice(PROVINCES),
        district=rng.choice(DISTRICTS),
    )


def article_text(model: Markov, rng: random.Random, used_titles: set[str]) -> str:
    """One article in the seed's plain-text format."""
    cast = _cast(rng)
    title = _title(model, cast, rng, used_titles)
    hour, minute = rng.randint(6, 22), rng.randint(0, 59)
    date_line = f"{cast.day:02d}/{cast.month:02d}/{cast.year} - {hour:02d}:{minute:02d}"
    counts, weights = zip(*SENTENCE_WEIGHTS.items(), strict=True)
    paragraphs = []
    for number in range(rng.randint(*PARAGRAPHS)):
        sentences = [_sentence(model, cast, rng) for _ in range(rng.choices(counts, weights)[0])]
        if number == 0:  # news leads start with when it happened
            sentences[0] = (
                f"{rng.choice(TIMES_OF_DAY)} {cast.day}-{cast.month}-{cast.year}, "
                f"{sentences[0][:1].lower()}{sentences[0][1:]}"
            )
        paragraphs.append(" ".join(sentences))
    author = f"{rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
    blocks = [title, date_line, *paragraphs, author, "Chia sẻ bài viết", "BÌNH LUẬN"]
    return "\n\n".join(blocks)


def iter_articles(articles: int, seed: int = DEFAULT_SEED) -> Iterator[tuple[str, str]]:
    """(file name, text) of each article, in order."""
    rng = random.Random(seed)
    model = Markov.train(training_sentences())
    used: set[str] = set()
    for number in range(articles):
        text = article_text(model, rng, used)
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
        yield f"{number:05d}_{digest}.txt", text


def generate(folder: Path, articles: int, seed: int = DEFAULT_SEED) -> dict:
    """Write `articles` files into `folder` (created); return files, words and bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    words = size = 0
    digest = hashlib.sha1()
    for name, text in iter_articles(articles, seed):
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        words += len(text.split())
        size += len(data)
        digest.update(name.encode() + b"\0" + data)
    return {
        "files": articles,
        "words": words,
        "bytes": size,
        "seed": seed,
        "version": GENERATOR_VERSION,
        "sha1": digest.hexdigest(),
    }


def folder_digest(folder: Path) -> str:
    """The digest `generate` reports, recomputed from the files on disk."""
    digest = hashlib.sha1()
    for path in sorted(folder.glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    print(json.dumps(generate(args.folder, args.articles, args.seed)), file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
