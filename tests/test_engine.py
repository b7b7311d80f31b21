"""The answer engine as a user meets it: the right quote and source, or a plain refusal."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.model import AnswerKind
from bot.core.text import fold
from tests.conftest import DATA, ROOT


def _run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        encoding="utf-8",
    )


def _score(questions: Path, answers: str, tmp_path: Path) -> str:
    answer_file = tmp_path / "answers.jsonl"
    answer_file.write_text(answers, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(DATA / "score.py"), str(questions), str(answer_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _right_answers(questions: Path, knowledge: Path, tmp_path: Path) -> tuple[int, str]:
    """Ask every question through `ask --json` and count what the scorer accepts."""
    lines = [json.loads(line)["question"] for line in questions.read_text("utf-8").splitlines()]
    result = _run_cli("ask", "--json", "--knowledge", str(knowledge), stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    report = _score(questions, result.stdout, tmp_path)
    answerable, refused = report.strip().splitlines()[-1].split(",")[:2]
    hits = int(answerable.split()[1].split("/")[0]) + int(refused.split()[1].split("/")[0])
    return hits, report


def test_dev_questions_score_at_least_26_of_27(seed_folder: Path, tmp_path: Path) -> None:
    hits, report = _right_answers(DATA / "dev.jsonl", seed_folder, tmp_path)
    assert hits >= 26, report


def test_held_out_questions_on_the_seed_score_95_percent(seed_folder: Path, tmp_path: Path) -> None:
    """Other wordings, a fifth typed without marks, eight questions the article cannot answer."""
    questions = DATA / "eval" / "seed_heldout.jsonl"
    hits, report = _right_answers(questions, seed_folder, tmp_path)
    assert hits >= 0.95 * len(questions.read_text("utf-8").splitlines()), report


def test_held_out_questions_among_distractor_articles_cite_the_right_one(
    seed_folder: Path, tmp_path: Path
) -> None:
    """Three articles of the same vocabulary beside the seed: the right article must be cited,
    and close-topic questions that none of them answers must be refused."""
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for article in [*seed_folder.glob("*.txt"), *(DATA / "eval" / "distractors").glob("*.txt")]:
        shutil.copy(article, knowledge / article.name)
    questions = DATA / "eval" / "distractor_heldout.jsonl"
    hits, report = _right_answers(questions, knowledge, tmp_path)
    assert hits >= 0.95 * len(questions.read_text("utf-8").splitlines()), report


def test_held_out_questions_typed_without_marks_score_95_percent(
    seed_folder: Path, tmp_path: Path
) -> None:
    """Every held-out question again, in lower case without diacritics, as many people type."""
    folded = tmp_path / "folded.jsonl"
    with folded.open("w", encoding="utf-8") as out:
        for line in (DATA / "eval" / "seed_heldout.jsonl").read_text("utf-8").splitlines():
            question = json.loads(line)
            question["question"] = fold(question["question"].lower())
            out.write(json.dumps(question, ensure_ascii=False) + "\n")
    hits, report = _right_answers(folded, seed_folder, tmp_path)
    assert hits >= 0.95 * len(folded.read_text("utf-8").splitlines()), report


def test_answer_quotes_the_passage_and_cites_the_source(seed_engine: Engine) -> None:
    answer = seed_engine.ask("Ai chủ trì hội nghị?")
    assert answer.kind is AnswerKind.FOUND
    assert answer.quote and "chủ trì hội nghị" in answer.quote
    assert answer.source and answer.source.paragraph == 1
    assert answer.source.title == "Tăng cường công tác bảo đảm an toàn thông tin mạng"
    assert answer.source.author == "Quốc Hùng" and answer.source.date == "27/02/2014 - 17:20"
    # The answer itself first, in one short line; then the quote and where it comes from.
    assert answer.answer == "Nguyễn Quốc Bảo, Huỳnh Văn Bưu"
    assert answer.reply.startswith("Người chủ trì: Nguyễn Quốc Bảo, Huỳnh Văn Bưu\n")
    assert f"“{answer.quote}”\n— Nguồn: «{answer.source.title}»" in answer.reply
    assert "đoạn 1" in answer.reply
    # What is bolded is the answer, not the question's own words.
    bold = " ".join(answer.quote[a:b] for a, b in answer.hits[0].highlights)
    assert "Nguyễn Quốc Bảo" in bold and "Huỳnh Văn Bưu" in bold
    assert "chủ trì hội nghị" not in bold
    assert 0.0 < answer.score <= 1.0


@pytest.mark.parametrize(
    "variant",
    [
        "ai chu tri hoi nghi",
        "AI CHỦ TRÌ HỘI NGHỊ",
        unicodedata.normalize("NFD", "Ai chủ trì hội nghị?"),
        "Ai chủ trì   hội nghị ???",
    ],
)
def test_spelling_variants_find_the_same_passage(seed_engine: Engine, variant: str) -> None:
    reference = seed_engine.ask("Ai chủ trì hội nghị?")
    answer = seed_engine.ask(variant)
    assert answer.found and answer.quote == reference.quote


def test_old_tone_style_and_abbreviation_match(seed_engine: Engine) -> None:
    old = seed_engine.ask("đấu tranh chống diễn biến hoà bình năm 2013")
    new = seed_engine.ask("đấu tranh chống diễn biến hòa bình năm 2013")
    assert old.found and old.quote == new.quote
    # The article writes "BCĐ các cấp"; the long form finds it too.
    answer = seed_engine.ask("Ban Chỉ đạo các cấp họp giao ban bao lâu một lần?")
    assert answer.found and "hàng tháng" in (answer.quote or "")


@pytest.mark.parametrize(
    "question",
    [
        "Giá vàng hôm nay bao nhiêu?",
        "Thời tiết ngày mai thế nào?",
        "Ai đoạt giải Oscar năm ngoái?",
        "cach lam banh xeo",
        "Đội tuyển bóng đá Việt Nam thắng mấy bàn?",
    ],
)
def test_questions_the_articles_do_not_answer_are_refused(
    seed_engine: Engine, question: str
) -> None:
    answer = seed_engine.ask(question)
    assert answer.kind is AnswerKind.NOT_FOUND
    assert answer.quote is None and answer.source is None
    assert answer.reply == "Xin lỗi, các bài viết hiện có không nói về điều này."


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("Bí thư Tỉnh ủy Bến Tre là ai?", "only the deputy, Phó Bí thư, is named"),
        ("Năm 2015 Bến Tre đã làm được gì về an toàn thông tin mạng?", "no 2015 in the story"),
        ("Năm 2013 có bao nhiêu vụ tấn công mạng ở Bến Tre?", "no count of attacks"),
        ("Kinh phí đầu tư cơ sở vật chất - kỹ thuật là bao nhiêu?", "no figure at all"),
        ("Hội nghị có bao nhiêu đại biểu tham dự?", "the date is not a count"),
        ("Chủ tịch UBND tỉnh Vĩnh Long là ai?", "Vĩnh Long is not in this story"),
    ],
)
def test_close_topic_questions_are_refused(seed_engine: Engine, question: str, why: str) -> None:
    """Questions in the article's own words whose answer it does not hold."""
    assert seed_engine.ask(question).kind is AnswerKind.NOT_FOUND, why


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Phó Bí thư Thường trực Tỉnh ủy là ai?", "Nguyễn Quốc Bảo - Phó Bí thư"),
        ("Hội nghị diễn ra buổi sáng hay buổi chiều?", "Chiều 26-2-2014"),
        ("Kết luận 94 là của Ban Bí thư khóa mấy?", "(khóa IX)"),
        ("Có bao nhiêu BCĐ các cấp duy trì họp giao ban?", "hầu hết BCĐ các cấp"),
        ("bcd 94 la gi", "gọi tắt là Ban Chỉ đạo 94"),
        ("BCĐ 94 họp giao ban bao lâu một lần?", "hàng tháng"),
        ("Kế hoạch của Tỉnh ủy gồm những nhiệm vụ cụ thể nào?", "Theo kế hoạch, tỉnh sẽ"),
        ("chi thi so 28 noi ve cai gi", "về tăng cường công tác bảo đảm an toàn thông tin mạng"),
    ],
)
def test_what_the_question_asks_for_picks_the_passage(
    seed_engine: Engine, question: str, expected: str
) -> None:
    """Either alternative of "A hay B", a figure for "bao nhiêu", a definition for "là gì",
    the list an earlier sentence announces, the topic after "về"."""
    answer = seed_engine.ask(question)
    assert answer.kind is AnswerKind.FOUND and answer.quote is not None
    assert expected in answer.quote


@pytest.mark.parametrize("question", ["", "   ", "?!...", "👋🙂", "xin chào", "Chào bot", "hello"])
def test_greetings_and_empty_input_get_help(seed_engine: Engine, question: str) -> None:
    answer = seed_engine.ask(question)
    assert answer.kind is AnswerKind.HELP
    assert "Xin chào" in answer.reply and not answer.found


def test_only_question_words_ask_for_more(seed_engine: Engine) -> None:
    answer = seed_engine.ask("là gì vậy?")
    assert answer.kind is AnswerKind.NOT_FOUND and "hỏi rõ hơn" in answer.reply


def test_metadata_questions_are_answered_from_the_article(seed_engine: Engine) -> None:
    author = seed_engine.ask("Ai là tác giả bài viết?")
    assert author.kind is AnswerKind.METADATA and "Quốc Hùng" in author.reply
    date = seed_engine.ask("bai viet dang luc nao")
    assert date.kind is AnswerKind.METADATA and "27/02/2014" in date.reply
    title = seed_engine.ask("Tiêu đề bài báo là gì?")
    assert "Tăng cường công tác bảo đảm an toàn thông tin mạng" in title.reply
    # "do ai" about the meeting is a question about the text, not its author.
    meeting = seed_engine.ask("Hội nghị do ai chủ trì?")
    assert meeting.kind is AnswerKind.FOUND and "chủ trì hội nghị" in (meeting.quote or "")


def test_hostile_inputs_do_not_break_the_engine(seed_engine: Engine) -> None:
    long_question = "Ai chủ trì hội nghị? " + "x" * 10_000
    assert seed_engine.ask(long_question).reply
    markup = seed_engine.ask("<b>Ai</b> chủ trì **hội nghị** & [link](http://x)?")
    assert markup.found and "chủ trì hội nghị" in (markup.quote or "")
    for text in ["\x00\x01", "\u202eai chu tri", "‍‍‍", "🙂" * 5000, "của và là"]:
        assert isinstance(seed_engine.ask(text).reply, str)


def test_json_output_shape(seed_folder: Path) -> None:
    result = _run_cli("ask", "--json", "Ai chủ trì hội nghị?", "--knowledge", str(seed_folder))
    record = json.loads(result.stdout)
    assert set(record) == {
        "question",
        "kind",
        "found",
        "quote",
        "answer",
        "source",
        "score",
        "reply",
    }
    assert record["kind"] == "answer" and record["answer"] == "Nguyễn Quốc Bảo, Huỳnh Văn Bưu"
    assert set(record["source"]) == {"title", "date", "author", "url", "paragraph", "file"}
    refused = json.loads(_run_cli("ask", "--json", "Giá vàng hôm nay?").stdout)
    assert refused["found"] is False and refused["quote"] is None and refused["source"] is None
    assert refused["kind"] == "refusal" and refused["answer"] is None


def test_cli_reads_questions_from_stdin_in_order() -> None:
    result = _run_cli("ask", "--json", stdin="Ai chủ trì hội nghị?\nGiá vàng hôm nay?\nxin chào\n")
    found = [json.loads(line)["found"] for line in result.stdout.splitlines()]
    assert found == [True, False, False]


def test_cli_errors_are_one_line_and_non_zero(tmp_path: Path) -> None:
    missing = _run_cli("ask", "x", "--knowledge", str(tmp_path / "nope"))
    assert missing.returncode != 0
    assert missing.stderr.strip().splitlines() == [
        f"lỗi: Không tìm thấy thư mục kiến thức: {tmp_path / 'nope'}"
    ]
    bad_option = _run_cli("ask", "--bogus")
    assert bad_option.returncode == 2 and len(bad_option.stderr.strip().splitlines()) == 1
    (tmp_path / "empty").mkdir()
    empty = _run_cli("index", "--knowledge", str(tmp_path / "empty"))
    assert empty.returncode != 0 and "không có bài viết nào" in empty.stderr
    assert "Traceback" not in missing.stderr + bad_option.stderr + empty.stderr


def test_bad_files_are_reported_and_skipped_by_the_cli(knowledge_copy: Path) -> None:
    (knowledge_copy / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    result = _run_cli("ask", "Ai chủ trì hội nghị?", "--knowledge", str(knowledge_copy))
    assert result.returncode == 0
    assert "bỏ qua broken.txt: tệp nhị phân" in result.stderr
    assert "chủ trì hội nghị" in result.stdout


def test_chat_console_answers_until_quit() -> None:
    result = _run_cli("chat", stdin="ai chu tri hoi nghi\n/nguon\nthoát\nkhông tới đây\n")
    assert result.returncode == 0
    assert "Bot: Người chủ trì: Nguyễn Quốc Bảo" in result.stdout
    assert "“Chiều 26-2-2014" in result.stdout and "chủ trì hội nghị" in result.stdout
    assert "Quốc Hùng" in result.stdout
    assert "không tới đây" not in result.stdout
