"""The command line as its user meets it: options in any order, Vietnamese help, the question
log from the console, and warnings that never break the progress bar."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import DATA

QUESTION = "Ai chủ trì hội nghị?"


@pytest.fixture
def log_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "log" / "questions.sqlite3"
    monkeypatch.setenv("BOT_LOG_DB", str(path))
    return path


def _ask_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _logged(path: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT chat_type, question, found FROM questions ORDER BY id"
        ).fetchall()


# --- --knowledge before or after the command ----------------------------------------------


def test_knowledge_before_and_after_the_command_are_the_same(
    tmp_path: Path, knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    distractor = DATA / "eval" / "distractors" / "101_fb1372b1ab839d35.txt"
    (other / distractor.name).write_bytes(distractor.read_bytes())
    question = "Lớp tập huấn an toàn thông tin mạng ở Vĩnh Long có bao nhiêu học viên?"
    before = _ask_json(capsys, "--knowledge", str(other), "ask", "--json", question)
    after = _ask_json(capsys, "ask", "--json", question, "--knowledge", str(other))
    assert before == after
    assert before[0] == 0
    assert json.loads(before[1])["source"]["file"] == distractor.name  # not the default folder


def test_a_missing_folder_before_the_command_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nonexistent"
    code, out, err = _ask_json(capsys, "--knowledge", str(missing), "ask", QUESTION)
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [f"lỗi: Không tìm thấy thư mục kiến thức: {missing}"]


def test_report_takes_no_knowledge_folder(log_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["report", "stats", "--knowledge", "x"], ["--knowledge", "x", "report", "stats"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "--knowledge" in err


# --- Help in Vietnamese ---------------------------------------------------------------------

ENGLISH = re.compile(
    r"\b(usage|options|positional arguments|show this help|message and exit|the bot|"
    r"command line|answer engine|question-log|one JSON|build the index|unrecognized|invalid|"
    r"required|expected|choose from)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "command", [[], ["ask"], ["chat"], ["index"], ["add"], ["run"], ["report"]]
)
def test_help_is_all_vietnamese(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "cách dùng: python -m bot" in out
    assert ENGLISH.findall(out) == [], out


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "--bogus"],
        ["report", "foo"],
        ["report", "stats", "--days", "x"],
        ["report"],
        ["report", "unanswered", "--chart", "x.png"],
        ["add"],
    ],
)
def test_usage_errors_are_one_vietnamese_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "lỗi:" in err
    assert ENGLISH.findall(err) == [], err


# --- The console logs its questions ----------------------------------------------------------


def test_chat_questions_are_logged_and_reported(
    log_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = [QUESTION, "giá vàng hôm nay bao nhiêu", "xin chào", "/nguon", "thoát"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(questions) + "\n"))
    assert main(["chat"]) == 0
    assert "chủ trì hội nghị" in capsys.readouterr().out
    # Greetings and the article list are not questions; the rest is logged as from the console.
    assert _logged(log_db) == [
        ("console", "ai chủ trì hội nghị", 1),
        ("console", "giá vàng hôm nay bao nhiêu", 0),
    ]
    chart = log_db.parent / "thong-ke.png"
    assert main(["report", "stats", "--chart", str(chart)]) == 0
    captured = capsys.readouterr()
    assert "Câu hỏi: 2, trả lời được 1 (50%)" in captured.out
    assert chart.read_bytes().startswith(b"\x89PNG") and str(chart) in captured.err


def test_ask_logs_only_when_asked_to(log_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", QUESTION]) == 0
    assert not log_db.exists()
    assert main(["ask", "--log", QUESTION]) == 0
    assert _logged(log_db) == [("console", "ai chủ trì hội nghị", 1)]
    capsys.readouterr()


def test_chat_without_a_question_log_still_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_LOG_DB", "")
    monkeypatch.setattr("sys.stdin", io.StringIO(QUESTION + "\n"))
    assert main(["chat"]) == 0
    assert "chủ trì hội nghị" in capsys.readouterr().out


# --- index: warnings above the progress bar ------------------------------------------------


def test_index_warnings_print_above_the_bar_and_the_bar_stays_on_stderr(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (knowledge_copy / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    (knowledge_copy / "extra.txt").write_bytes(
        (DATA / "seed" / "000_796d2ca824a9a6ee.txt").read_bytes().replace(b"2014", b"2015")
    )
    assert main(["index", "--knowledge", str(knowledge_copy)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Đã lập chỉ mục 2 bài viết") and "%|" not in captured.out
    assert "Phân tích bài viết" in captured.err  # the bar
    # What a terminal shows of each line is what follows its last carriage return: a warning
    # must start its own line, not trail after the bar's text.
    shown = [line.rsplit("\r", 1)[-1] for line in captured.err.split("\n")]
    warnings = [line for line in captured.err.split("\n") if "cảnh báo" in line]
    assert warnings and all(
        line.rsplit("\r", 1)[-1].startswith("cảnh báo: ") for line in warnings
    ), captured.err
    assert any(line.startswith("cảnh báo: bỏ qua broken.txt") for line in shown)
