"""Reports over the question log, for the people who keep the knowledge folder.

Pure query functions return small typed values; renderers turn them into Vietnamese text,
plain for the command line or HTML for Telegram (escaped, under Telegram's 4096 limit).
The same functions serve `/unanswered`, `/stats`, `/export` and `python -m bot report`.
Dates are shown in the machine's local time zone.
"""

from __future__ import annotations

import csv
import html
import io
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from bot.querylog import DAY, SCHEMA_VERSION, connect

KINDS = ("unanswered", "stats", "export")
MAX_MESSAGE = 4096
DEFAULT_DAYS = 30
MAX_DAYS = 3650
UNANSWERED_LIMIT = 20
TOP_ARTICLES = 5
MAX_DAY_LINES = 31
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
CSV_COLUMNS = (
    "mã",
    "thời điểm",
    "loại chat",
    "câu hỏi",
    "trả lời được",
    "loại trả lời",
    "bài viết",
    "tệp",
    "đoạn",
    "điểm",
    "thời gian xử lý (ms)",
    "👍",
    "👎",
    "user_id",
    "chat_id",
)


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A question the bot could not answer, grouped by its normalized text."""

    question: str
    count: int
    last_asked: float  # Unix time


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    questions: int
    answered: int


@dataclass(frozen=True, slots=True)
class CitedArticle:
    title: str
    file: str
    count: int


@dataclass(frozen=True, slots=True)
class Stats:
    days: int
    since: float  # Unix time: start of the period
    questions: int
    answered: int
    votes_up: int
    votes_down: int
    per_day: tuple[DayCount, ...] = field(default=())  # newest first, days with questions
    top_articles: tuple[CitedArticle, ...] = field(default=())

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.questions if self.questions else None

    @property
    def up_share(self) -> float | None:
        votes = self.votes_up + self.votes_down
        return self.votes_up / votes if votes else None


# --- Queries ----------------------------------------------------------------------------------


def since(days: int, now: float) -> float:
    return now - days * DAY


def unanswered(
    connection: sqlite3.Connection, days: int, now: float, limit: int = UNANSWERED_LIMIT
) -> list[Unanswered]:
    """The most frequent unanswered questions of the last `days` days, then the most recent."""
    rows = connection.execute(
        """SELECT question, COUNT(*) AS n, MAX(asked_at) AS last FROM questions
        WHERE found = 0 AND asked_at >= ? AND question != ''
        GROUP BY question ORDER BY n DESC, last DESC, question LIMIT ?""",
        (since(days, now), limit),
    ).fetchall()
    return [Unanswered(question, int(count), float(last)) for question, count, last in rows]


def stats(connection: sqlite3.Connection, days: int, now: float) -> Stats:
    start = since(days, now)
    per_day: dict[date, list[int]] = {}
    for asked_at, found in connection.execute(
        "SELECT asked_at, found FROM questions WHERE asked_at >= ?", (start,)
    ):
        counts = per_day.setdefault(datetime.fromtimestamp(asked_at).date(), [0, 0])
        counts[0] += 1
        counts[1] += int(found)
    up, down = connection.execute(
        """SELECT COALESCE(SUM(v.value = 1), 0), COALESCE(SUM(v.value = -1), 0)
        FROM votes v JOIN questions q ON q.id = v.question_id WHERE q.asked_at >= ?""",
        (start,),
    ).fetchone()
    top = connection.execute(
        """SELECT article_title, article_file, COUNT(*) AS n FROM questions
        WHERE found = 1 AND asked_at >= ? AND article_file IS NOT NULL
        GROUP BY article_file ORDER BY n DESC, MAX(asked_at) DESC LIMIT ?""",
        (start, TOP_ARTICLES),
    ).fetchall()
    return Stats(
        days=days,
        since=start,
        questions=sum(c[0] for c in per_day.values()),
        answered=sum(c[1] for c in per_day.values()),
        votes_up=int(up),
        votes_down=int(down),
        per_day=tuple(DayCount(d, c[0], c[1]) for d, c in sorted(per_day.items(), reverse=True)),
        top_articles=tuple(CitedArticle(t or f, f, int(n)) for t, f, n in top),
    )


def export_csv(connection: sqlite3.Connection, days: int, now: float, out: TextIO) -> int:
    """The log of the last `days` days as CSV (UTF-8 with a BOM, for Excel); the row count."""
    out.write("\ufeff")  # without it Excel reads the Vietnamese as Windows-1252
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = connection.execute(
        """SELECT q.id, q.asked_at, q.chat_type, q.question, q.found, q.kind, q.article_title,
        q.article_file, q.paragraph, q.score, q.latency_ms,
        (SELECT COUNT(*) FROM votes v WHERE v.question_id = q.id AND v.value = 1),
        (SELECT COUNT(*) FROM votes v WHERE v.question_id = q.id AND v.value = -1),
        q.user_id, q.chat_id
        FROM questions q WHERE q.asked_at >= ? ORDER BY q.asked_at, q.id""",
        (since(days, now),),
    )
    count = 0
    for row in rows:
        values = list(row)
        values[1] = datetime.fromtimestamp(values[1]).strftime("%Y-%m-%d %H:%M:%S")
        values[4] = "có" if values[4] else "không"
        values[9] = f"{values[9]:.3f}"
        writer.writerow([_cell(v) for v in values])
        count += 1
    return count


def _cell(value: object) -> object:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with a '."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_bytes(connection: sqlite3.Connection, days: int, now: float) -> tuple[bytes, int]:
    buffer = io.StringIO(newline="")
    count = export_csv(connection, days, now, buffer)
    return buffer.getvalue().encode("utf-8"), count


# --- Rendering --------------------------------------------------------------------------------


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%d/%m/%Y %H:%M")


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _size(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(lines: Sequence[str], limit: int) -> str:
    """Whole lines only (HTML stays balanced), dropping the last ones to fit Telegram."""
    kept = list(lines)
    text = "\n".join(kept)
    while _size(text) > limit and len(kept) > 1:
        kept.pop()
        text = "\n".join([*kept, "…"])
    return text


def render_unanswered(
    groups: Sequence[Unanswered],
    days: int,
    *,
    as_html: bool = False,
    limit: int = MAX_MESSAGE,
) -> str:
    esc = html.escape if as_html else str
    bold = (lambda s: f"<b>{s}</b>") if as_html else str
    if not groups:
        return f"✅ Không có câu hỏi nào chưa trả lời được trong {days} ngày qua."
    heading = bold(f"❓ Câu hỏi chưa trả lời được trong {days} ngày qua")
    lines = [heading + " (số lần hỏi, lần cuối hỏi):"]
    for number, group in enumerate(groups, start=1):
        last = _when(group.last_asked)
        lines.append(f"{number}. {esc(group.question)} — {group.count} lần, lần cuối {last}")
    return _fit(lines, limit)


def render_stats(stats_: Stats, *, as_html: bool = False, limit: int = MAX_MESSAGE) -> str:
    esc = html.escape if as_html else str
    bold = (lambda s: f"<b>{s}</b>") if as_html else str
    lines = [bold(f"📊 Thống kê {stats_.days} ngày qua") + f" (từ {_when(stats_.since)})"]
    if not stats_.questions:
        lines.append("Chưa có câu hỏi nào.")
        return _fit(lines, limit)
    rate = stats_.answer_rate or 0.0
    lines.append(f"Câu hỏi: {stats_.questions}, trả lời được {stats_.answered} ({_percent(rate)})")
    if stats_.up_share is None:
        lines.append("Góp ý: chưa có lượt 👍/👎 nào.")
    else:
        lines.append(
            f"Góp ý: 👍 {stats_.votes_up}, 👎 {stats_.votes_down} ({_percent(stats_.up_share)} 👍)"
        )
    if stats_.top_articles:
        lines.append(bold("Bài được trích nhiều nhất:"))
        for number, article in enumerate(stats_.top_articles, start=1):
            lines.append(f"{number}. «{esc(article.title)}» — {article.count} lần")
    lines.append(bold("Theo ngày (câu hỏi / trả lời được):"))
    for day in stats_.per_day[:MAX_DAY_LINES]:
        lines.append(f"{_day(day.day)}: {day.questions} / {day.answered}")
    if len(stats_.per_day) > MAX_DAY_LINES:
        lines.append(f"… và {len(stats_.per_day) - MAX_DAY_LINES} ngày khác.")
    return _fit(lines, limit)


# --- Command line -------------------------------------------------------------------------------


def open_database(path: Path) -> sqlite3.Connection:
    """A read-only connection to an existing log (never creates one)."""
    if not path.is_file():
        raise FileNotFoundError(path)
    connection = connect(path, read_only=True)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        connection.close()
        raise sqlite3.DatabaseError(
            f"phiên bản lược đồ {version}, cần {SCHEMA_VERSION} (hãy chạy bot một lần để nâng cấp)"
        )
    return connection


def run_report(kind: str, db_path: Path, days: int, out: TextIO) -> int:
    """`python -m bot report KIND`: the report on `out`; errors are one line on stderr."""
    if kind not in KINDS:
        print(f"lỗi: không có báo cáo {kind!r} (chọn {', '.join(KINDS)})", file=sys.stderr)
        return EXIT_USAGE
    if not 1 <= days <= MAX_DAYS:
        print(f"lỗi: --days phải từ 1 đến {MAX_DAYS}", file=sys.stderr)
        return EXIT_USAGE
    try:
        connection = open_database(db_path)
    except FileNotFoundError:
        print(f"lỗi: chưa có nhật ký câu hỏi ({db_path} không tồn tại)", file=sys.stderr)
        return EXIT_ERROR
    except sqlite3.Error as exc:
        print(f"lỗi: không đọc được nhật ký câu hỏi {db_path}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    now = time.time()
    try:
        if kind == "unanswered":
            print(
                render_unanswered(unanswered(connection, days, now), days, limit=sys.maxsize),
                file=out,
            )
        elif kind == "stats":
            print(render_stats(stats(connection, days, now), limit=sys.maxsize), file=out)
        else:
            export_csv(connection, days, now, out)
    except sqlite3.Error as exc:
        print(f"lỗi: không đọc được nhật ký câu hỏi {db_path}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        connection.close()
    return EXIT_OK
