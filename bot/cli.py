"""Command line: a thin layer over the answer engine.

    python -m bot                 # the bot's main job: Telegram with a token, else console chat
    python -m bot ask "CÂU HỎI"   # one answer; without a question, one per line of stdin
    python -m bot ask --json      # one JSON object a line
    python -m bot chat            # console conversation over the same engine
    python -m bot index           # build the index and report what was read
    python -m bot add URL|FILE    # add an article from a link, a saved page, a .docx or a .pdf
    python -m bot run             # the Telegram bot
    python -m bot report stats    # question-log reports (unanswered | stats | export)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from tqdm import tqdm

from bot.config import ConfigError, Settings, load_settings
from bot.core.engine import Engine, load_engine
from bot.core.errors import KnowledgeError
from bot.core.knowledge import Progress

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
QUIT_WORDS = {"thoat", "thoát", "exit", "quit", "q", "/quit", "/thoat"}


class _Parser(argparse.ArgumentParser):
    """Bad options are one clear line, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {message} (xem --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--knowledge", metavar="DIR", type=Path, help="thư mục bài viết (mặc định: theo config/)"
    )
    parser = _Parser(prog="python -m bot", description=__doc__, parents=[common],
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    ask = commands.add_parser("ask", parents=[common], help="trả lời câu hỏi")
    ask.add_argument("question", nargs="*", help="câu hỏi; bỏ trống để đọc từng dòng từ stdin")
    ask.add_argument("--json", action="store_true", help="mỗi câu trả lời một dòng JSON")
    commands.add_parser("chat", parents=[common], help="trò chuyện trên cửa sổ dòng lệnh")
    index = commands.add_parser("index", parents=[common], help="lập chỉ mục và báo cáo")
    index.add_argument("--quiet", action="store_true", help="không hiện thanh tiến độ")
    add = commands.add_parser("add", parents=[common], help="thêm bài từ đường dẫn hoặc tệp")
    add.add_argument("source", metavar="URL|FILE",
                     help="đường dẫn http(s) tới bài báo, hoặc tệp .html/.htm/.docx/.pdf")
    commands.add_parser("run", parents=[common], help="chạy bot Telegram")
    report = commands.add_parser("report", parents=[common], help="báo cáo nhật ký câu hỏi")
    report.add_argument("kind", choices=["unanswered", "stats", "export"])
    report.add_argument("--days", type=int, default=30, help="số ngày gần nhất (mặc định 30)")
    report.add_argument(
        "--out", metavar="FILE", type=Path, help="ghi vào tệp thay vì màn hình (CSV cho export)"
    )
    return parser


def _warn_files(engine: Engine, out: TextIO) -> None:
    for skipped in engine.skipped:
        print(f"cảnh báo: bỏ qua {skipped.file}: {skipped.reason}", file=out)
    for warning in engine.warnings:
        print(f"cảnh báo: {warning.file}: {warning.message}", file=out)


def _load(settings: Settings, progress: Progress | None = None) -> Engine:
    from bot.ingest import convert_dropped_in

    for conversion in convert_dropped_in(settings):  # .html/.docx/.pdf dropped in the folder
        if conversion.added is not None:
            print(f"đã chuyển {conversion.file} thành {conversion.added.article.file}",
                  file=sys.stderr)
        else:
            print(f"cảnh báo: không chuyển được {conversion.file}: {conversion.reason}",
                  file=sys.stderr)
    engine = load_engine(
        settings.knowledge_dir,
        cache_dir=settings.index_cache_dir,
        max_file_bytes=settings.max_file_bytes,
        progress=progress,
    )
    _warn_files(engine, sys.stderr)
    return engine


def _questions(arguments: Sequence[str], stdin: TextIO) -> Iterable[str]:
    if arguments:
        yield " ".join(arguments)
        return
    for line in stdin:
        yield line.rstrip("\r\n")


def cmd_ask(settings: Settings, arguments: Sequence[str], as_json: bool) -> int:
    engine = _load(settings)
    first = True
    for question in _questions(arguments, sys.stdin):
        answer = engine.ask(question)
        if as_json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        else:
            print(("" if first else "\n") + answer.reply, flush=True)
        first = False
    return EXIT_OK


def cmd_chat(settings: Settings) -> int:
    engine = _load(settings)
    print(
        f"Đã nạp {len(engine.articles)} bài viết ({len(engine.passages)} đoạn). "
        "Gõ câu hỏi rồi Enter; /nguon để xem danh sách bài; 'thoát' hoặc Ctrl-D để kết thúc."
    )
    interactive = sys.stdin.isatty()
    while True:
        try:
            question = input("Bạn: " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        if question.strip().lower() in QUIT_WORDS:
            return EXIT_OK
        if question.strip().lower() in ("/nguon", "/nguồn", "/sources"):
            from bot.core.replies import article_summary

            reply = "\n".join(f"• {article_summary(a)}" for a in engine.articles)
        else:
            reply = engine.ask(question).reply
        print(f"Bot: {reply}\n", flush=True)


def cmd_index(settings: Settings, quiet: bool) -> int:
    """Build (or refresh) the index cache with a progress bar, then summarise."""
    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit=" tệp", desc="Phân tích bài viết", file=sys.stderr)
        bar.update(done - bar.n)

    started = time.perf_counter()
    try:
        engine = _load(settings, None if quiet else progress)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - started
    analysed = "không có tệp nào thay đổi" if bar is None else f"phân tích lại {bar.n} tệp"
    print(
        f"Đã lập chỉ mục {len(engine.articles)} bài viết, {len(engine.passages)} đoạn trích "
        f"trong {seconds:.1f} giây ({analysed}); bỏ qua {len(engine.skipped)} tệp. "
        f"Bộ nhớ đệm: {settings.index_cache_dir}"
    )
    return EXIT_OK


def cmd_add(settings: Settings, source: str) -> int:
    """Add an article from a link or a file, index it, and show a question it now answers."""
    from bot import ingest
    from bot.core.articles import read_file_bytes
    from bot.core.errors import ArticleError

    try:
        if ingest.is_http_url(source):
            policy = ingest.FetchPolicy.from_settings(settings)
            added = ingest.add_link(settings.knowledge_dir, source, policy,
                                    max_file_bytes=settings.max_file_bytes)
        elif not Path(source).is_file():
            raise ingest.IngestError("không có tệp này (hoặc đường dẫn thiếu http:// hay https://)")
        else:
            data = read_file_bytes(Path(source), settings.fetch_max_bytes)
            added = ingest.add_file(settings.knowledge_dir, Path(source).name, data,
                                    max_bytes=settings.fetch_max_bytes,
                                    max_file_bytes=settings.max_file_bytes)
    except (ingest.IngestError, ArticleError) as exc:
        print(f"lỗi: không thêm được bài từ {source}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    article = added.article
    verb = "Đã cập nhật" if added.replaced else "Đã thêm"
    print(f"{verb} bài «{article.title}» ({article.date or 'không rõ ngày'}, "
          f"{len(article.paragraphs)} đoạn) vào {settings.knowledge_dir / article.file}")
    for note in added.notes:
        print(f"ghi chú: {note}")
    engine = _load(settings)
    question = ingest.example_question(engine, article.file)
    if question:
        print(f"Thử hỏi: {question}")
    return EXIT_OK


def cmd_run(settings: Settings) -> int:
    from bot.telegram_bot.runner import run

    return run(settings)


def cmd_report(settings: Settings, kind: str, days: int, out: Path | None = None) -> int:
    from bot.reports import run_report

    if settings.log_db is None:
        print("Nhật ký câu hỏi đang tắt ([log] database trong config/bot.toml).", file=sys.stderr)
        return EXIT_ERROR
    if out is None:
        return run_report(kind, settings.log_db, days, sys.stdout)
    try:
        # newline="": the csv module writes its own line endings.
        with out.open("w", encoding="utf-8", newline="") as stream:
            return run_report(kind, settings.log_db, days, stream)
    except OSError as exc:
        print(f"lỗi: không ghi được {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    args = _build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings().with_knowledge_dir(args.knowledge)
        command = args.command or ("run" if settings.token else "chat")
        if command == "ask":
            return cmd_ask(settings, args.question, args.json)
        if command == "chat":
            return cmd_chat(settings)
        if command == "index":
            return cmd_index(settings, args.quiet)
        if command == "add":
            return cmd_add(settings, args.source)
        if command == "run":
            return cmd_run(settings)
        return cmd_report(settings, args.kind, args.days, args.out)
    except (ConfigError, KnowledgeError) as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
