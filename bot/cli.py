"""Command line: a thin layer over the answer engine (`python -m bot --help` lists it all).

Every text a user reads here is Vietnamese, argparse's own included: its usage line, group
titles, the -h option and its error messages are replaced or translated.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Never, NoReturn, TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from bot.config import ConfigError, Settings, load_settings
from bot.core.engine import Engine, load_engine
from bot.core.errors import KnowledgeError
from bot.core.model import Answer
from bot.querylog import QuestionLog, open_question_log, record_answer

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
QUIT_WORDS = {"thoat", "thoát", "exit", "quit", "q", "/quit", "/thoat"}
SOURCES_WORDS = {"/nguon", "/nguồn", "/sources"}
CONSOLE = "console"  # the chat type of questions asked here, in the question log

DESCRIPTION = """\
Hỏi đáp tin tức: trả lời câu hỏi về các bài báo trong thư mục bài viết, trích nguyên văn
đoạn trả lời kèm nguồn (tên bài, ngày đăng, đoạn, tác giả).
Không có lệnh: chạy bot Telegram khi đã đặt TELEGRAM_BOT_TOKEN, nếu không thì trò chuyện
ngay trên cửa sổ này."""
EXAMPLES = """ví dụ:
  python -m bot ask "Ai chủ trì hội nghị?"
  python -m bot ask --json < cau-hoi.txt       mỗi dòng một câu hỏi, mỗi câu trả lời một dòng JSON
  python -m bot --knowledge /srv/tin chat      trò chuyện với một thư mục bài viết khác
  python -m bot index                          lập chỉ mục trước, để bot khởi động nhanh
  python -m bot add https://bao.vn/bai.html    thêm bài từ trang báo (hoặc tệp .html/.docx/.pdf)
  python -m bot report stats --chart tk.png    thống kê câu hỏi, kèm biểu đồ PNG
"""

# argparse's own messages (Python 3.11-3.13 wordings), in Vietnamese.
_ARGPARSE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"unrecognized arguments: (.*)"), "không hiểu tham số: {0}"),
    (
        re.compile(r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)"),
        "{0}: không có lựa chọn {1} (chọn một trong: {2})",
    ),
    (
        re.compile(r"argument (\S+): invalid int value: (.*)"),
        "{0}: cần một số nguyên, không phải {1}",
    ),
    (re.compile(r"argument (\S+): expected one argument"), "{0}: thiếu giá trị"),
    (re.compile(r"the following arguments are required: (.*)"), "thiếu tham số: {0}"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "không dùng {0} cùng {1}"),
)


def _vietnamese(message: str) -> str:
    for pattern, template in _ARGPARSE_ERRORS:
        match = pattern.fullmatch(message)
        if match:
            return template.format(*match.groups())
    return message


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "cách dùng: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """Help in Vietnamese; a bad option is one clear Vietnamese line, not a usage dump."""

    def __init__(self, *, with_help: bool = True, **kwargs: Any) -> None:
        super().__init__(**{"formatter_class": _HelpFormatter, **kwargs, "add_help": False})
        # argparse names its two default groups in English; these titles are what --help shows.
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        if with_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help="hiện hướng dẫn này"
            )

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {_vietnamese(message)} (xem --help)\n")


def _knowledge_option() -> _Parser:
    """--knowledge, defined once: before the command and after it alike. Its default is
    SUPPRESS so that a command's parser never overwrites a value given before the command."""
    option = _Parser(with_help=False)
    option.add_argument(
        "--knowledge",
        metavar="THƯ_MỤC",
        type=Path,
        default=argparse.SUPPRESS,
        help="thư mục bài viết (mặc định: [knowledge] dir trong config/bot.toml)",
    )
    return option


def build_parser() -> argparse.ArgumentParser:
    knowledge = _knowledge_option()
    parser = _Parser(
        prog="python -m bot", description=DESCRIPTION, epilog=EXAMPLES, parents=[knowledge]
    )
    commands = parser.add_subparsers(
        dest="command", title="lệnh", metavar="LỆNH", parser_class=_Parser
    )

    ask = commands.add_parser(
        "ask", parents=[knowledge], help="trả lời câu hỏi", description="Trả lời câu hỏi."
    )
    ask.add_argument(
        "question",
        nargs="*",
        metavar="CÂU_HỎI",
        help="câu hỏi; bỏ trống để đọc từng dòng từ đầu vào chuẩn (stdin)",
    )
    ask.add_argument("--json", action="store_true", help="mỗi câu trả lời một dòng JSON")
    ask.add_argument(
        "--log",
        action="store_true",
        help="ghi câu hỏi vào nhật ký câu hỏi, như lệnh chat và bot Telegram",
    )
    commands.add_parser(
        "chat",
        parents=[knowledge],
        help="trò chuyện trên cửa sổ dòng lệnh",
        description="Trò chuyện trên cửa sổ dòng lệnh; câu hỏi được ghi vào nhật ký câu hỏi.",
    )
    index = commands.add_parser(
        "index",
        parents=[knowledge],
        help="lập chỉ mục và báo cáo các tệp đã đọc",
        description="Lập (hoặc cập nhật) chỉ mục, rồi báo cáo các tệp đã đọc và bỏ qua.",
    )
    index.add_argument("--quiet", action="store_true", help="không hiện thanh tiến độ")
    add = commands.add_parser(
        "add",
        parents=[knowledge],
        help="thêm bài từ đường dẫn hoặc tệp",
        description=(
            "Thêm một bài vào thư mục bài viết từ đường dẫn trang báo, trang đã lưu (.html), "
            "tệp Word (.docx) hoặc PDF, lập chỉ mục, rồi gợi ý một câu hỏi bài trả lời được."
        ),
    )
    add.add_argument(
        "source",
        metavar="URL|TỆP",
        help="đường dẫn http(s) tới bài báo, hoặc tệp .html/.htm/.docx/.pdf",
    )
    commands.add_parser(
        "run",
        parents=[knowledge],
        help="chạy bot Telegram",
        description="Chạy bot Telegram (cần biến môi trường TELEGRAM_BOT_TOKEN).",
    )
    report = commands.add_parser(
        "report",
        help="báo cáo từ nhật ký câu hỏi",
        description="Báo cáo từ nhật ký câu hỏi (chỉ đọc, không bao giờ tạo cơ sở dữ liệu).",
    )
    report.add_argument(
        "kind",
        choices=["unanswered", "stats", "export"],
        metavar="LOẠI",
        help="unanswered: câu hỏi chưa trả lời được; stats: thống kê; export: xuất CSV",
    )
    report.add_argument(
        "--days",
        type=int,
        default=30,
        metavar="SỐ_NGÀY",
        help="số ngày gần nhất (mặc định 30)",
    )
    report.add_argument(
        "--out", metavar="TỆP", type=Path, help="ghi vào tệp thay vì màn hình (CSV cho export)"
    )
    report.add_argument(
        "--chart",
        metavar="TỆP_PNG",
        type=Path,
        help="với stats: vẽ biểu đồ câu hỏi theo ngày và tỉ lệ trả lời được vào tệp PNG này",
    )
    train = commands.add_parser(
        "train",
        help="khớp bộ xếp hạng và ngưỡng từ chối trên các bộ câu hỏi",
        description=(
            "Khớp trọng số xếp hạng câu trả lời và ngưỡng từ chối trên các bộ câu hỏi thật, "
            "ghi tệp tham số (cần cài thêm: pip install -e '.[train]')."
        ),
    )
    train.add_argument(
        "--data",
        metavar="THƯ_MỤC",
        type=Path,
        action="append",
        required=True,
        help="thư mục bộ câu hỏi (questions.jsonl + knowledge/, hoặc case.json); lặp lại được",
    )
    train.add_argument(
        "--weight",
        metavar="THƯ_MỤC=HỆ_SỐ",
        action="append",
        default=[],
        help="câu hỏi của một thư mục --data được tính nặng hơn (vd. bộ tin tức =3)",
    )
    train.add_argument(
        "--out", metavar="TỆP", type=Path, help="tệp tham số (mặc định: tệp kèm theo bot)"
    )
    train.add_argument("--seed", type=int, default=0, help="hạt giống chia tập (mặc định 0)")
    train.add_argument(
        "--validation",
        type=float,
        default=0.3,
        metavar="TỈ_LỆ",
        help="phần bài viết dành để kiểm định (mặc định 0.3)",
    )
    train.add_argument(
        "--precision",
        type=float,
        default=0.85,
        metavar="TỈ_LỆ",
        help="độ chính xác nhắm tới khi chọn ngưỡng (mặc định 0.85)",
    )
    train.add_argument(
        "--offtopic",
        type=float,
        default=0.0,
        metavar="TỈ_LỆ",
        help=(
            "phần câu hỏi về bài khác (offtopic.jsonl) ít nhất phải bị từ chối trên phần "
            "kiểm định khi chọn ngưỡng (mặc định 0: chỉ xét độ chính xác)"
        ),
    )
    train.add_argument(
        "--unaccented",
        type=float,
        default=0.25,
        metavar="TỈ_LỆ",
        help="phần câu hỏi huấn luyện được hỏi lại không dấu, chữ thường (mặc định 0.25)",
    )
    train.add_argument(
        "--cache", metavar="THƯ_MỤC", type=Path, help="giữ chỉ mục của các bộ giữa các lần chạy"
    )
    return parser


# --- Loading --------------------------------------------------------------------------------


def _file_warnings(engine: Engine) -> list[str]:
    return [f"cảnh báo: bỏ qua {s.file}: {s.reason}" for s in engine.skipped] + [
        f"cảnh báo: {w.file}: {w.message}" for w in engine.warnings
    ]


def _converted_dropped(settings: Settings) -> list[str]:
    """Converts the .html/.docx/.pdf files dropped in the folder; one line for each."""
    from bot.ingest import convert_dropped_in

    return [
        f"đã chuyển {c.file} thành {c.added.article.file}"
        if c.added is not None
        else f"cảnh báo: không chuyển được {c.file}: {c.reason}"
        for c in convert_dropped_in(settings)
    ]


def _load(settings: Settings) -> Engine:
    for line in _converted_dropped(settings):
        print(line, file=sys.stderr)
    engine = load_engine(
        settings.knowledge_dir,
        cache_dir=settings.index_cache_dir,
        max_file_bytes=settings.max_file_bytes,
    )
    for line in _file_warnings(engine):
        print(line, file=sys.stderr)
    return engine


# --- ask and chat ----------------------------------------------------------------------------


class _Console:
    """The engine and, when on, the question log: a console question is logged as Telegram's
    are (same privacy settings: no ids at all here)."""

    def __init__(self, engine: Engine, question_log: QuestionLog | None) -> None:
        self.engine = engine
        self.question_log = question_log

    def ask(self, question: str) -> Answer:
        started = time.perf_counter()
        answer = self.engine.ask(question)
        latency_ms = (time.perf_counter() - started) * 1000
        record_answer(self.question_log, answer, CONSOLE, latency_ms)
        return answer

    def close(self) -> None:
        if self.question_log is not None:
            self.question_log.close()


def _questions(arguments: Sequence[str], stdin: TextIO) -> Iterable[str]:
    if arguments:
        yield " ".join(arguments)
        return
    for line in stdin:
        yield line.rstrip("\r\n")


def cmd_ask(settings: Settings, arguments: Sequence[str], as_json: bool, log: bool) -> int:
    console = _Console(_load(settings), open_question_log(settings) if log else None)
    try:
        for number, question in enumerate(_questions(arguments, sys.stdin)):
            answer = console.ask(question)
            if as_json:
                print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
            else:
                print(("\n" if number else "") + answer.reply, flush=True)
    finally:
        console.close()
    return EXIT_OK


def cmd_chat(settings: Settings) -> int:
    console = _Console(_load(settings), open_question_log(settings))
    engine = console.engine
    print(
        f"Đã nạp {len(engine.articles)} bài viết ({len(engine.passages)} đoạn). "
        "Gõ câu hỏi rồi Enter; /nguon để xem danh sách bài; 'thoát' hoặc Ctrl-D để kết thúc."
    )
    interactive = sys.stdin.isatty()
    try:
        while True:
            try:
                question = input("Bạn: " if interactive else "")
            except (EOFError, KeyboardInterrupt):
                print()
                return EXIT_OK
            command = question.strip().lower()
            if command in QUIT_WORDS:
                return EXIT_OK
            if command in SOURCES_WORDS:
                from bot.core.replies import article_summary

                reply = "\n".join(f"• {article_summary(a)}" for a in engine.articles)
            else:
                reply = console.ask(question).reply
            print(f"Bot: {reply}\n", flush=True)
    finally:
        console.close()


# --- index -----------------------------------------------------------------------------------


def cmd_index(settings: Settings, quiet: bool) -> int:
    """Build (or refresh) the index cache with a progress bar on standard error, then
    summarise on standard output. Warnings and log lines are written above the bar."""
    bar: tqdm[Never] | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit=" tệp", desc="Phân tích bài viết", file=sys.stderr)
        bar.update(done - bar.n)

    started = time.perf_counter()
    try:
        with logging_redirect_tqdm():
            for line in _converted_dropped(settings):
                tqdm.write(line, file=sys.stderr)
            engine = load_engine(
                settings.knowledge_dir,
                cache_dir=settings.index_cache_dir,
                max_file_bytes=settings.max_file_bytes,
                progress=None if quiet else progress,
            )
            for line in _file_warnings(engine):
                tqdm.write(line, file=sys.stderr)
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


# --- add -------------------------------------------------------------------------------------


def cmd_add(settings: Settings, source: str) -> int:
    """Add an article from a link or a file, index it, and show a question it now answers."""
    from bot import ingest
    from bot.core.articles import read_file_bytes
    from bot.core.errors import ArticleError

    try:
        if ingest.is_http_url(source):
            policy = ingest.FetchPolicy.from_settings(settings)
            added = ingest.add_link(
                settings.knowledge_dir, source, policy, max_file_bytes=settings.max_file_bytes
            )
        elif not Path(source).is_file():
            raise ingest.IngestError("không có tệp này (hoặc đường dẫn thiếu http:// hay https://)")
        else:
            data = read_file_bytes(Path(source), settings.fetch_max_bytes)
            added = ingest.add_file(
                settings.knowledge_dir,
                Path(source).name,
                data,
                max_bytes=settings.fetch_max_bytes,
                max_file_bytes=settings.max_file_bytes,
            )
    except (ingest.IngestError, ArticleError) as exc:
        print(f"lỗi: không thêm được bài từ {source}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    article = added.article
    verb = "Đã cập nhật" if added.replaced else "Đã thêm"
    print(
        f"{verb} bài «{article.title}» ({article.date or 'không rõ ngày'}, "
        f"{len(article.paragraphs)} đoạn) vào {settings.knowledge_dir / article.file}"
    )
    for note in added.notes:
        print(f"ghi chú: {note}")
    engine = _load(settings)
    question = ingest.example_question(engine, article.file)
    if question:
        print(f"Thử hỏi: {question}")
    return EXIT_OK


# --- run and report --------------------------------------------------------------------------


def cmd_run(settings: Settings) -> int:
    from bot.telegram_bot.runner import run

    return run(settings)


def cmd_report(
    settings: Settings, kind: str, days: int, out: Path | None = None, chart: Path | None = None
) -> int:
    from bot.reports import run_report

    if settings.log_db is None:
        print("Nhật ký câu hỏi đang tắt ([log] database trong config/bot.toml).", file=sys.stderr)
        return EXIT_ERROR
    if out is None:
        return run_report(kind, settings.log_db, days, sys.stdout, chart=chart)
    try:
        # newline="": the csv module writes its own line endings.
        with out.open("w", encoding="utf-8", newline="") as stream:
            return run_report(kind, settings.log_db, days, stream, chart=chart)
    except OSError as exc:
        print(f"lỗi: không ghi được {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR


def cmd_train(args: argparse.Namespace) -> int:
    try:
        from bot.train.main import train
    except ImportError as exc:
        print(f"lỗi: cần cài thêm: pip install -e '.[train]' ({exc.name})", file=sys.stderr)
        return EXIT_ERROR
    out = args.out or Path(__file__).resolve().parent / "core" / "data" / "ranker.json"
    weights: dict[Path, float] = {}
    for item in args.weight:
        folder, _, factor = item.rpartition("=")
        try:
            weights[Path(folder)] = float(factor)
        except ValueError:
            print(f"lỗi: --weight {item!r}: cần THƯ_MỤC=HỆ_SỐ", file=sys.stderr)
            return EXIT_USAGE
    missing = [str(folder) for folder in args.data if not folder.is_dir()]
    if missing:
        print(f"lỗi: không có thư mục {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    try:
        model = train(
            args.data,
            weights=weights,
            seed=args.seed,
            validation_share=args.validation,
            target_precision=args.precision,
            offtopic_refused=args.offtopic,
            unaccented=args.unaccented,
            cache=args.cache,
            progress=lambda name: print(f"  {name}", file=sys.stderr),
        )
    except ValueError as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return EXIT_ERROR
    model.save(out)
    print(f"Đã ghi {out}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    knowledge: Path | None = getattr(args, "knowledge", None)
    if args.command == "report" and knowledge is not None:
        parser.error("--knowledge không dùng cho report (báo cáo đọc nhật ký câu hỏi)")
    if args.command == "report" and args.chart is not None and args.kind != "stats":
        parser.error("--chart chỉ dùng cho report stats")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "train":
        return cmd_train(args)
    try:
        settings = load_settings().with_knowledge_dir(knowledge)
        command = args.command or ("run" if settings.token else "chat")
        if command == "ask":
            return cmd_ask(settings, args.question, args.json, args.log)
        if command == "chat":
            return cmd_chat(settings)
        if command == "index":
            return cmd_index(settings, args.quiet)
        if command == "add":
            return cmd_add(settings, args.source)
        if command == "run":
            return cmd_run(settings)
        return cmd_report(settings, args.kind, args.days, args.out, args.chart)
    except (ConfigError, KnowledgeError) as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
