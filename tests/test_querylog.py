"""The question log on its own: schema and upgrades, privacy, votes, retention, failures."""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from bot import reports
from bot.config import load_settings
from bot.core.engine import Engine
from bot.querylog import (
    DAY,
    SCHEMA_VERSION,
    Entry,
    QuestionLog,
    VoteResult,
    connect,
    entry_for,
    migrate,
)
from tests.conftest import ROOT

NOW = 1_780_000_000.0  # a fixed "now" (2026) for the fake clock


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def entry(
    question: str = "Ai chủ trì hội nghị?", *, found: bool = True, chat_type: str = "private"
) -> Entry:
    return Entry(
        chat_type=chat_type,
        question=question,
        found=found,
        kind="found" if found else "not_found",
        article_title="Bài A" if found else None,
        article_file="a.txt" if found else None,
        paragraph=1 if found else None,
        score=0.9 if found else 0.1,
        latency_ms=12.5,
    )


def rows(path: Path, table: str = "questions") -> list[sqlite3.Row]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
    finally:
        connection.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "questions.sqlite3"


def test_creates_folder_schema_and_uses_wal(db: Path) -> None:
    log = QuestionLog(db)
    assert log.enabled and db.is_file()
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    log.close()


def test_records_normalized_question_and_fields(db: Path, seed_engine: Engine) -> None:
    clock = Clock()
    log = QuestionLog(db, clock=clock)
    answer = seed_engine.ask("  Ai  CHỦ TRÌ hội nghị?? ")
    row_id = log.record(entry_for(answer, "group", 42.0))
    refused = log.record(entry_for(seed_engine.ask("Giá vàng hôm nay bao nhiêu?"), "private", 3))
    assert row_id is not None and refused == row_id + 1
    found, missing = rows(db)
    assert found["question"] == "ai chủ trì hội nghị"  # NFC, lower case, no punctuation
    assert found["chat_type"] == "group" and found["found"] == 1 and found["kind"] == "found"
    assert found["article_file"] == "000_796d2ca824a9a6ee.txt" and found["paragraph"] == 1
    assert found["article_title"].startswith("Tăng cường công tác")
    assert found["score"] == pytest.approx(answer.score) and found["latency_ms"] == 42.0
    assert found["asked_at"] == NOW
    assert missing["found"] == 0 and missing["article_file"] is None
    assert missing["question"] == "giá vàng hôm nay bao nhiêu"
    log.close()


def test_tone_styles_group_together(db: Path) -> None:
    log = QuestionLog(db)
    log.record(entry("Ai là chủ tịch UBND tỉnh Thanh Hoá?", found=False))  # old-style tone
    log.record(entry("ai là chủ tịch ubnd tỉnh thanh hóa", found=False))
    [group] = log.read(lambda c: reports.unanswered(c, 30, log.now()))
    assert group.count == 2 and group.question == "ai là chủ tịch ubnd tỉnh thanh hóa"
    log.close()


def test_user_ids_absent_unless_enabled(tmp_path: Path) -> None:
    secret_user, secret_chat = 987654321, -100777
    off = QuestionLog(tmp_path / "off.sqlite3")
    row = off.record(entry(), user_id=secret_user, chat_id=secret_chat)
    assert row is not None
    assert off.vote(row, secret_user, 1) is VoteResult.NEW
    off.close()
    # Every column of every table: the ids appear nowhere, not even as text.
    connection = sqlite3.connect(tmp_path / "off.sqlite3")
    for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for values in connection.execute(f"SELECT * FROM {table}"):
            for value in values:
                assert str(secret_user) not in str(value) and str(secret_chat) not in str(value)
    connection.close()

    on = QuestionLog(tmp_path / "on.sqlite3", store_user_ids=True)
    row = on.record(entry(), user_id=secret_user, chat_id=secret_chat)
    on.vote(row, secret_user, -1)
    on.close()
    [question] = rows(tmp_path / "on.sqlite3")
    assert question["user_id"] == secret_user and question["chat_id"] == secret_chat
    [vote] = rows(tmp_path / "on.sqlite3", "votes")
    assert vote["user_id"] == secret_user


def test_one_vote_per_person_and_changeable(db: Path) -> None:
    log = QuestionLog(db)
    row = log.record(entry())
    assert row is not None
    assert log.vote(row, 1, 1) is VoteResult.NEW
    assert log.vote(row, 1, 1) is VoteResult.SAME
    assert log.vote(row, 1, -1) is VoteResult.CHANGED
    assert log.vote(row, 2, 1) is VoteResult.NEW
    assert sorted(v["value"] for v in rows(db, "votes")) == [-1, 1]
    assert log.vote(row + 99, 1, 1) is VoteResult.FAILED  # no such question
    with pytest.raises(ValueError):
        log.vote(row, 1, 0)
    summary = log.read(lambda c: reports.stats(c, 30, log.now()))
    assert (summary.votes_up, summary.votes_down, summary.up_share) == (1, 1, 0.5)
    log.close()


def test_retention_deletes_old_rows_and_their_votes(db: Path) -> None:
    clock = Clock()
    log = QuestionLog(db, retention_days=7, clock=clock)
    old = log.record(entry("câu cũ"))
    log.vote(old, 1, 1)
    clock.now += 5 * DAY
    log.record(entry("câu mới"))
    clock.now += 3 * DAY  # the old one is now 8 days old; a day has passed since the purge
    log.record(entry("câu mới nhất"))
    assert [r["question"] for r in rows(db)] == ["câu mới", "câu mới nhất"]
    assert rows(db, "votes") == []
    log.close()
    # On start, too.
    clock.now += 6 * DAY
    QuestionLog(db, retention_days=7, clock=clock).close()
    assert [r["question"] for r in rows(db)] == ["câu mới nhất"]


def test_upgrades_a_version_1_database_in_place(db: Path) -> None:
    db.parent.mkdir(parents=True)
    connection = connect(db)
    assert migrate(connection, upto=1) == 1
    connection.execute(
        "INSERT INTO questions (asked_at, chat_type, question, found, kind, score, latency_ms)"
        " VALUES (?, 'private', 'câu hỏi cũ', 0, 'not_found', 0.1, 5)",
        (NOW,),
    )
    connection.close()
    log = QuestionLog(db, clock=Clock())
    assert log.read(lambda c: c.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION
    [old] = rows(db)
    assert old["question"] == "câu hỏi cũ"
    assert log.vote(old["id"], 5, -1) is VoteResult.NEW  # the votes table now exists
    log.close()


def test_a_newer_schema_is_left_alone(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    db.parent.mkdir(parents=True)
    connection = sqlite3.connect(db)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with caplog.at_level(logging.WARNING):
        log = QuestionLog(db)
    assert not log.enabled and log.record(entry()) is None
    assert "disabled" in caplog.text


def test_read_only_file_never_raises(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = QuestionLog(db)
    log.record(entry())
    log.close()
    os.chmod(db, stat.S_IRUSR | stat.S_IRGRP)
    try:
        with caplog.at_level(logging.WARNING):
            log = QuestionLog(db)
            assert log.record(entry("câu khác")) is None
            assert log.vote(1, 1, 1) is VoteResult.FAILED
        assert "read-only" in caplog.text and "could not record" in caplog.text
        # Reports still read it.
        assert log.read(lambda c: reports.stats(c, 30, log.now()).questions) == 1
        log.close()
    finally:
        os.chmod(db, stat.S_IRUSR | stat.S_IWUSR)
    assert len(rows(db)) == 1


def test_unopenable_path_disables_the_log(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    log = QuestionLog(blocker / "questions.sqlite3")
    assert not log.enabled
    assert log.record(entry()) is None and log.vote(1, 1, 1) is VoteResult.FAILED
    assert log.read(lambda c: 1) is None


def test_locked_database_fails_fast_and_recovers(db: Path) -> None:
    log = QuestionLog(db, busy_timeout=0.1)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    assert log.record(entry()) is None  # gives up after the busy timeout, no exception
    other.execute("ROLLBACK")
    other.close()
    assert log.record(entry()) is not None
    log.close()


def test_concurrent_writes_from_many_threads(db: Path) -> None:
    log = QuestionLog(db)
    second = QuestionLog(db)  # another process's connection, in effect
    ids: list[int | None] = []

    def work(which: QuestionLog, number: int) -> None:
        for i in range(25):
            row = which.record(entry(f"câu {number} {i}", found=i % 2 == 0))
            ids.append(row)
            if row is not None:
                which.vote(row, number, 1)

    threads = [threading.Thread(target=work, args=(log if n % 2 else second, n)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert None not in ids and len(set(ids)) == 200
    assert len(rows(db)) == 200 and len(rows(db, "votes")) == 200
    log.close()
    second.close()


def test_reports_numbers_and_csv(db: Path) -> None:
    clock = Clock()
    log = QuestionLog(db, clock=clock)
    for question, found in [
        ("câu a", False),
        ("câu b", False),
        ("câu a", False),
        ("hỏi được", True),
        ("hỏi được", True),
    ]:
        clock.now += 60
        log.record(entry(question, found=found))
    groups = log.read(lambda c: reports.unanswered(c, 7, clock.now))
    assert [(g.question, g.count) for g in groups] == [("câu a", 2), ("câu b", 1)]
    assert groups[0].last_asked == NOW + 180
    summary = log.read(lambda c: reports.stats(c, 7, clock.now))
    assert (summary.questions, summary.answered, summary.answer_rate) == (5, 2, 0.4)
    assert [(a.title, a.count) for a in summary.top_articles] == [("Bài A", 2)]
    text = reports.render_stats(summary)
    assert "Câu hỏi: 5, trả lời được 2 (40%)" in text and "«Bài A» — 2 lần" in text
    assert "1. câu a — 2 lần" in reports.render_unanswered(groups, 7)
    out = io.StringIO()
    assert log.read(lambda c: reports.export_csv(c, 7, clock.now, out)) == 5
    data = out.getvalue()
    assert data.startswith("\ufeffmã,thời điểm")
    assert data.count("\r\n") == 6 and "câu a" in data
    log.close()


def test_csv_cells_never_run_as_formulas(db: Path) -> None:
    log = QuestionLog(db)
    log.record(Entry("private", "câu hỏi", True, "found", '=HYPERLINK("x")', "a.txt", 1, 0.9, 1.0))
    out = io.StringIO()
    log.read(lambda c: reports.export_csv(c, 30, log.now(), out))
    assert "'=HYPERLINK" in out.getvalue()
    log.close()


def test_html_reports_are_escaped_and_fit() -> None:
    groups = [reports.Unanswered(f"<b>câu {n}</b> & " + "x" * 300, 1, NOW) for n in range(50)]
    text = reports.render_unanswered(groups, 30, as_html=True)
    assert "&lt;b&gt;câu 0&lt;/b&gt; &amp;" in text and "<b>câu" not in text
    assert len(text.encode("utf-16-le")) // 2 <= 4096 and text.endswith("…")


def test_empty_log_setting_turns_the_log_off(tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text('[log]\ndatabase = "q.sqlite3"\nretention_days = 30\n', encoding="utf-8")
    assert load_settings(config, {}).log_db == ROOT / "q.sqlite3"
    assert load_settings(config, {"BOT_LOG_DB": ""}).log_db is None
    assert load_settings(config, {"BOT_LOG_DB": "off"}).log_db is None
    assert load_settings(config, {"BOT_LOG_RETENTION_DAYS": ""}).log_retention_days == 30
    config.write_text('[log]\ndatabase = ""\n', encoding="utf-8")
    assert load_settings(config, {}).log_db is None
