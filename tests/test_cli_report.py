"""`python -m bot report unanswered|stats|export` over a known question log."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.querylog import Entry, QuestionLog
from tests.conftest import ROOT


def _entry(question: str, found: bool) -> Entry:
    return Entry(
        "private",
        question,
        found,
        "found" if found else "not_found",
        "Bài A" if found else None,
        "a.txt" if found else None,
        1 if found else None,
        0.9 if found else 0.2,
        10.0,
    )


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "questions.sqlite3"
    log = QuestionLog(path)
    for question, found in [
        ("Giá vàng?", False),
        ("giá vàng", False),
        ("Ai chủ trì?", True),
        ("Thời tiết mai?", False),
    ]:
        log.record(_entry(question, found))
    row = log.record(_entry("Ai chủ trì?", True))
    assert row is not None
    log.vote(row, 1, 1)
    log.close()
    monkeypatch.setenv("BOT_LOG_DB", str(path))
    return path


def test_unanswered_and_stats(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "unanswered", "--days", "7"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("❓ Câu hỏi chưa trả lời được trong 7 ngày qua")
    assert lines[1].startswith("1. giá vàng — 2 lần, lần cuối ")
    assert lines[2].startswith("2. thời tiết mai — 1 lần")
    assert main(["report", "stats"]) == 0
    out = capsys.readouterr().out
    assert "Câu hỏi: 5, trả lời được 2 (40%)" in out
    assert "Góp ý: 👍 1, 👎 0 (100% 👍)" in out and "1. «Bài A» — 2 lần" in out
    assert "<b>" not in out  # plain text on the command line


def test_export_to_a_file(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "log.csv"
    assert main(["report", "export", "--out", str(target)]) == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 6 and rows[1][3] == "giá vàng" and rows[1][4] == "không"
    assert rows[5][11:13] == ["1", "0"]  # the 👍 on the last question


def test_missing_database_is_one_line_and_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_LOG_DB", str(tmp_path / "none.sqlite3"))
    assert main(["report", "stats"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert "chưa có nhật ký câu hỏi" in captured.err
    assert not (tmp_path / "none.sqlite3").exists()  # a report never creates the database
    assert main(["report", "stats", "--days", "0"]) == 2


def test_report_runs_as_a_command(db: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env["BOT_LOG_DB"] = str(db)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "report", "unanswered"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "1. giá vàng — 2 lần" in result.stdout
    assert time.monotonic() - started < 30
