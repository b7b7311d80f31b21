"""Benchmark of the answer engine on knowledge folders of growing size, synthetic or real.

    python -m bench.run [--sizes 100 1000 10000] [--questions 300] [--out bench/out]
    python -m bench.run --corpus DIR [--sizes 1000 10000 40000] [--question-file FILE...]

With --corpus the folders hold real articles (bench/corpus.py), the retrieval step is also
timed against bm25s and tantivy on the same terms (bench/peers.py), each answer's stages are
timed, and growth curves are fitted over the sizes measured.

Each size runs in a fresh subprocess (so that its memory is its own): the folder is
generated (or reused) under OUT/kN, then the index is built cold, started warm in yet
another process, reloaded after one file changes, and questions are timed through
``engine.ask`` and through plain rank-bm25 over the same passages. Speeds are also given as
ratios against a baseline measured in the same process, because the machine is shared and
its absolute speed varies. Progress goes to stderr, a Markdown table to stdout, and every
figure to OUT/results.json (merged by size with earlier runs unless --fresh).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from bench.corpus import build_folder, corpus_files, real_questions
from bench.peers import percentile, retrieval_peers
from bench.synth import DEFAULT_SEED, GENERATOR_VERSION, folder_digest, generate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "out"
TOKENIZER_SAMPLE_PARAGRAPHS = 2000
WARMUP_QUESTIONS = 20
PLAIN_QUESTIONS = 300  # timed through plain rank-bm25 (the first ones drawn)

TARGETS = {  # figure: (comparison, bound, the size it is judged at; None = every size)
    "build_vs_tokenizer": (">=", 1.6, None),
    "warm_load_s": ("<", 3.0, 10000),
    "reload_s": ("<", 2.0, None),
    "ask_p95_ms": ("<", 10.0, None),
    "plain_over_engine_p95": (">=", 20.0, 10000),
    "plain_over_engine_median": (">=", 20.0, 10000),
    "rss_peak_mb": ("<", 1024.0, 10000),
}
# Real news (--corpus), issue 13: judged at 10,000 articles.
CORPUS_TARGETS = {
    "build_vs_tokenizer": (">=", 1.6, 10000),
    "warm_process_s": ("<", 1.5, 10000),
    "reload_s": ("<", 1.0, 10000),
    "ask_p95_ms": ("<", 8.0, 10000),
    "bm25s_over_ours_median": (">", 1.0, 10000),
    "bm25s_over_ours_p95": (">", 1.0, 10000),
    "scores_equal_share": (">=", 1.0, 10000),
    "rss_peak_mb": ("<", 500.0, 10000),
}

_started = time.perf_counter()
_label = "bench"


def log(message: str) -> None:
    print(
        f"[{_label} {time.perf_counter() - _started:7.1f}s] {message}", file=sys.stderr, flush=True
    )


def rss_mb() -> float:
    """Peak RSS of this process in MB, as getrusage reports it (Linux: in kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def proc_mb(field: str) -> float | None:
    """VmRSS (now) or VmHWM (peak) from /proc/self/status, in MB; None elsewhere.

    A process started by another one inherits the parent's RSS as the floor of its
    ru_maxrss (Linux keeps the high-water mark across exec), so a child started by a big
    process reads VmHWM, which belongs to its own address space only.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else None


@contextmanager
def profiled(enabled: bool, path: Path) -> Iterator[None]:
    """cProfile the block into PATH.prof and the 30 costliest calls into PATH.txt."""
    if not enabled:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(path.with_suffix(".prof"))
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(30)
        path.with_suffix(".txt").write_text(text.getvalue(), encoding="utf-8")
        log(f"profile written to {path.with_suffix('.txt')}")


# --- The knowledge folder -------------------------------------------------------------------


def ensure_folder(out: Path, size: int, seed: int) -> dict[str, Any]:
    """Generate OUT/kN, or reuse it when it holds exactly what this seed and size give."""
    folder = out / f"k{size}"
    manifest = out / f"k{size}.synth.json"
    if folder.is_dir() and manifest.is_file():
        stats = json.loads(manifest.read_text(encoding="utf-8"))
        if (
            stats.get("seed") == seed
            and stats.get("files") == size
            and stats.get("version") == GENERATOR_VERSION
            and stats.get("sha1") == folder_digest(folder)
        ):
            log(f"reusing {folder} ({stats['words']:,} words)")
            return {**stats, "reused": True, "generate_s": None}
    log(f"generating {size} articles into {folder}")
    shutil.rmtree(folder, ignore_errors=True)
    manifest.unlink(missing_ok=True)
    started = time.perf_counter()
    stats = generate(folder, size, seed)
    seconds = time.perf_counter() - started
    manifest.write_text(json.dumps(stats, indent=1), encoding="utf-8")
    log(f"generated {stats['words']:,} words, {stats['bytes']:,} bytes in {seconds:.1f} s")
    return {**stats, "reused": False, "generate_s": round(seconds, 2)}


def article_words(article: Any) -> int:
    """The words the index is built from: the title and the body paragraphs."""
    return len(article.title.split()) + sum(len(p.split()) for p in article.paragraphs)


# --- Tokenizer baseline ---------------------------------------------------------------------


def article_paths(folder: Path) -> list[Path]:
    """The folder's article files, in name order."""
    return corpus_files(folder)


def tokenizer_sample(folder: Path) -> list[str]:
    """At least TOKENIZER_SAMPLE_PARAGRAPHS body paragraphs (cycled on small folders)."""
    from bot.core.articles import read_article

    paragraphs: list[str] = []
    for path in article_paths(folder):
        article, _ = read_article(path, path.name, 10_000_000)
        paragraphs.extend(article.paragraphs)
        if len(paragraphs) >= TOKENIZER_SAMPLE_PARAGRAPHS:
            break
    while len(paragraphs) < TOKENIZER_SAMPLE_PARAGRAPHS:
        paragraphs.extend(paragraphs[: TOKENIZER_SAMPLE_PARAGRAPHS - len(paragraphs)])
    return paragraphs


def tokenizer_throughput(paragraphs: list[str]) -> float:
    """Single-core underthesea.word_tokenize speed in words/s, one paragraph per call."""
    from underthesea import word_tokenize

    for paragraph in paragraphs[:20]:  # the model is loaded and warm before timing
        word_tokenize(paragraph)
    words = sum(len(p.split()) for p in paragraphs)
    started = time.perf_counter()
    for paragraph in paragraphs:
        word_tokenize(paragraph)
    return words / (time.perf_counter() - started)


# --- Questions ------------------------------------------------------------------------------

ANSWERABLE_FORMS = (
    "Ai {x}?",
    "{x} như thế nào?",
    "{x} là gì?",
    "Khi nào {x}?",
    "Vì sao {x}?",
    "{x} ở đâu?",
    "Cho tôi biết {x}.",
    "{x} ra sao?",
    "Bao nhiêu {x}?",
    "{x}?",
    "Có phải {x} không?",
    "Tại sao {x}?",
    "Xin hỏi {x} thế nào?",
    "{x} vào lúc nào?",
)
OFF_TOPICS = (
    "thời tiết ngày mai",
    "giá vàng hôm nay",
    "giá vàng SJC",
    "tỷ số trận chung kết bóng đá",
    "lịch thi đấu Ngoại hạng Anh",
    "cách nấu phở bò",
    "công thức làm bánh flan",
    "giá xăng tuần này",
    "tỷ giá đô la Mỹ",
    "giá bitcoin",
    "cách luộc trứng lòng đào",
    "dự báo bão số 3",
    "kết quả xổ số miền Nam",
    "cách trồng hoa hồng",
    "phim chiếu rạp cuối tuần",
    "giá vé máy bay Tết",
    "món canh chua cá lóc",
    "đội tuyển Argentina vô địch World Cup mấy lần",
    "cách làm kim chi",
    "nhiệt độ Đà Lạt",
    "giá iPhone mới",
    "cầu thủ ghi nhiều bàn thắng nhất",
    "cách pha cà phê sữa đá",
    "cách chữa cảm cúm",
    "lãi suất tiết kiệm ngân hàng",
    "giá thịt heo",
    "mưa đá ở Sa Pa",
    "bài hát được nghe nhiều nhất",
    "cách giảm cân nhanh",
    "tuyết rơi ở Nhật Bản",
    "công thức nấu bún bò Huế",
    "giá cà phê nhân xô",
    "kết quả trận Manchester United",
    "cách làm bánh mì",
    "dự báo nắng nóng miền Bắc",
)
OFF_TOPIC_FORMS = (
    "{t} thế nào?",
    "Cho tôi hỏi {t}?",
    "{t} là bao nhiêu?",
    "Bạn có biết {t} không?",
    "Hôm nay {t} ra sao?",
    "{t}",
    "Làm ơn cho biết {t}.",
    "Xin hỏi {t} nhé",
    "Mình muốn biết {t}",
    "{t} như nào vậy?",
    "Ai biết {t} không?",
    "{t} sao rồi?",
)
_SENTENCE_RE = re.compile(r"(?<=[.!?;:])\s+")
_EDGE_PUNCT_RE = re.compile(r"^\W+|\W+$")


def _passage_question(text: str, rng: random.Random) -> str:
    """4-8 consecutive words of one sentence of the passage, turned into a question."""
    sentences = [s.split() for s in _SENTENCE_RE.split(text)]
    sentences = [s for s in sentences if len(s) >= 4] or [text.split()]
    words = rng.choice(sentences)
    size = min(len(words), rng.randint(4, 8))
    start = rng.randint(0, len(words) - size)
    picked = [w for w in (_EDGE_PUNCT_RE.sub("", w) for w in words[start : start + size]) if w]
    form = rng.choice(ANSWERABLE_FORMS)
    phrase = " ".join(picked)
    if form.startswith("{x}"):
        phrase = phrase[:1].upper() + phrase[1:]
    elif not (len(picked[0]) > 1 and picked[0][1:2].isupper()):  # keep BCĐ, UBND as written
        first = picked[0]
        keep = first[:1].isupper() and len(picked) > 1 and picked[1][:1].isupper()
        phrase = phrase if keep else phrase[:1].lower() + phrase[1:]
    return form.format(x=phrase)


def make_questions(passages: list[str], count: int, rng: random.Random) -> list[dict[str, str]]:
    """About half accented from passages, a quarter the same unaccented, a quarter off-topic."""
    from bot.core.text import fold

    accented = count // 2
    unaccented = count // 4
    unanswerable = count - accented - unaccented
    questions: list[dict[str, str]] = []
    for _ in range(accented):
        questions.append({"group": "accented", "q": _passage_question(rng.choice(passages), rng)})
    for _ in range(unaccented):
        text = fold(_passage_question(rng.choice(passages), rng))
        questions.append({"group": "unaccented", "q": text.lower() if rng.random() < 0.5 else text})
    for _ in range(unanswerable):
        text = rng.choice(OFF_TOPIC_FORMS).format(t=rng.choice(OFF_TOPICS))
        text = text[:1].upper() + text[1:]
        if rng.random() < 0.3:
            text = fold(text).lower()
        questions.append({"group": "unanswerable", "q": text})
    rng.shuffle(questions)
    return questions


def summarize(milliseconds: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(milliseconds), 3),
        "p95_ms": round(percentile(milliseconds, 95), 3),
        "mean_ms": round(statistics.fmean(milliseconds), 3),
        "max_ms": round(max(milliseconds), 3),
    }


# --- One size, in its own process ----------------------------------------------------------


def change_one_article(path: Path, version: int) -> None:
    """Rewrite the first sentence of the article's second paragraph."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    # .txt: title, date line, first paragraph, second paragraph, ...; .md: front matter,
    # first paragraph, second paragraph, ...
    number = 3 if path.suffix == ".txt" else 2
    number = min(number, len(blocks) - 1)
    paragraph = blocks[number]
    rest = paragraph.split(". ", 1)[1] if ". " in paragraph else ""
    blocks[number] = f"Nội dung đoạn này đã được biên tập viên cập nhật lần thứ {version}. {rest}"
    path.write_text("\n\n".join(blocks).rstrip(), encoding="utf-8")


def run_child(
    flag: str, arguments: list[str], profile_to: Path | None, *, show_log: bool
) -> tuple[dict[str, Any], float]:
    """Run `python -m bench.run <flag> <arguments>` in a new process: the figures it prints as
    its last line of JSON, and how long the process took. Its log goes to our stderr when
    `show_log`, and is kept for the error message otherwise."""
    command = [sys.executable, "-m", "bench.run", flag, *arguments]
    if profile_to is not None:
        command += ["--profile-to", str(profile_to)]
    started = time.perf_counter()
    result = subprocess.run(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None if show_log else subprocess.PIPE,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{flag} failed:\n{result.stderr or '(its errors are above)'}")
    return json.loads(result.stdout.strip().splitlines()[-1]), seconds


def cold_build(folder: Path, cache: Path, profile_to: Path | None) -> dict[str, Any]:
    """Run in a new process: the cold build, from the raw files into an empty cache."""
    figures, _ = run_child("--cold-child", [str(folder), str(cache)], profile_to, show_log=True)
    return figures


def cold_child(folder: Path, cache: Path, profile_to: Path | None) -> None:
    from bot.core.engine import load_engine

    marks: list[tuple[int, float]] = []

    def progress(done: int, total: int) -> None:
        before = marks[-1][0] if marks else 0
        marks.append((done, time.perf_counter()))
        if done * 10 // total != before * 10 // total:
            log(f"cold build: {done:,}/{total:,} files analysed")

    workers = os.cpu_count() or 1
    log(f"cold build with workers={workers}")
    with profiled(profile_to is not None, profile_to or Path()):
        started = time.perf_counter()
        engine = load_engine(folder, cache_dir=cache, workers=workers, progress=progress)
        cold_s = time.perf_counter() - started
    words = sum(article_words(a) for a in engine.articles)
    analysed_at = marks[-1][1] - started if marks else None
    print(
        json.dumps(
            {
                "articles": len(engine.articles),
                "passages": len(engine.passages),
                "words": words,
                "skipped": len(engine.skipped),
                "cold_build_s": round(cold_s, 2),
                "cold_first_batch_s": round(marks[0][1] - started, 2) if marks else None,
                "cold_analysis_s": round(analysed_at, 2) if analysed_at else None,
                "cold_after_analysis_s": round(cold_s - analysed_at, 2) if analysed_at else None,
                "build_words_per_s": round(words / cold_s),
                "cache_bytes": (cache / "index.bin").stat().st_size,
                "rss_now_mb": proc_mb("VmRSS"),
                "rss_peak_mb": proc_mb("VmHWM") or round(rss_mb(), 1),
            }
        )
    )


def peers_child(folder: Path, cache: Path, asked: Path, check: bool) -> None:
    from bot.core.engine import load_engine

    engine = load_engine(folder, cache_dir=cache)
    questions = json.loads(asked.read_text(encoding="utf-8"))
    print(json.dumps(retrieval_peers(engine, questions, check_scores=check, log=log)))


def warm_start(folder: Path, cache: Path, question: str, profile_to: Path | None) -> dict:
    """Run in a new process: time the import and load_engine from the cache just built."""
    figures, process_s = run_child(
        "--warm-child", [str(folder), str(cache), question], profile_to, show_log=False
    )
    return {**figures, "process_s": round(process_s, 3)}


def warm_child(folder: Path, cache: Path, question: str, profile_to: Path | None) -> None:
    started = time.perf_counter()
    from bot.core.engine import load_engine  # the import is part of starting the bot

    import_s = time.perf_counter() - started
    from bot.core.text import warm_up_in_background

    with profiled(profile_to is not None, profile_to or Path()):
        started = time.perf_counter()
        # As the bot starts (bot/telegram_bot/runner.py): underthesea's model loads in a
        # thread while the index does.
        warming = warm_up_in_background()
        engine = load_engine(folder, cache_dir=cache)
        load_s = time.perf_counter() - started
        warming.result()
        ready_s = time.perf_counter() - started
    warm_up_s = ready_s - load_s  # how long the tokenizer was still waited for
    started = time.perf_counter()
    found = engine.ask(question).found
    first_ask_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "import_s": round(import_s, 3),
                "load_s": round(load_s, 3),
                "tokenizer_wait_after_load_s": round(warm_up_s, 3),
                "ready_s": round(ready_s, 3),
                "first_ask_s": round(first_ask_s, 4),
                "first_ask_found": found,
                "passages": len(engine.passages),
                "rss_mb": proc_mb("VmHWM") or round(rss_mb(), 1),
            }
        )
    )


def folder_prefix(args: argparse.Namespace) -> str:
    """OUT/kN holds synthetic articles, OUT/cN real ones (from --corpus)."""
    return "k" if args.corpus is None else "c"


def stage_times(engine: Any, questions: list[dict[str, str]]) -> dict[str, Any]:
    """Each stage of `engine.ask` (see bot/core/timings.py) at the 50th and 95th percentile,
    over the questions that reached it, in a pass of its own after the timed one."""
    from bot.core.timings import STAGES, StageClock

    clock = StageClock()
    spent: dict[str, list[float]] = {stage: [] for stage in STAGES}
    totals: list[float] = []
    for item in questions:
        clock.start()
        started = time.perf_counter_ns()
        engine.ask(item["q"], clock=clock)
        totals.append((time.perf_counter_ns() - started) / 1e6)
        for stage, nanoseconds in clock.spent.items():
            spent[stage].append(nanoseconds / 1e6)
    figures: dict[str, Any] = {
        stage: {
            "questions": len(values),
            "p50_ms": round(percentile(values, 50), 3),
            "p95_ms": round(percentile(values, 95), 3),
            "mean_ms": round(statistics.fmean(values), 3),
        }
        for stage, values in spent.items()
        if values
    }
    figures["total"] = {
        "questions": len(totals),
        "p50_ms": round(percentile(totals, 50), 3),
        "p95_ms": round(percentile(totals, 95), 3),
        "mean_ms": round(statistics.fmean(totals), 3),
    }
    return figures


def stage_line(stages: dict[str, Any]) -> str:
    return ", ".join(f"{name} {f['p50_ms']:.2f} / {f['p95_ms']:.2f}" for name, f in stages.items())


def time_asks(ask: Callable[[str], Any], questions: list[dict[str, str]]) -> list[float]:
    times: list[float] = []
    for item in questions:
        started = time.perf_counter_ns()
        ask(item["q"])
        times.append((time.perf_counter_ns() - started) / 1e6)
    return times


def measure_size(size: int, args: argparse.Namespace) -> dict:
    from bot.core.cache import wait_for_saves
    from bot.core.engine import load_engine  # imported here: the parent never loads it

    questions_count, out, seed, profile = args.questions, args.out, args.seed, args.profile
    result: dict[str, Any] = {"size": size, "seed": seed, "profiled": profile}
    prefix = folder_prefix(args)
    folder = out / f"{prefix}{size}"
    cache = out / f"{prefix}{size}-cache"
    if args.corpus is not None:
        log(f"real articles from {args.corpus} into {folder}")
        folder_stats = build_folder(args.corpus, folder, size, seed)
    else:
        folder_stats = ensure_folder(out, size, seed)
    result["folder"] = folder_stats
    result["corpus"] = str(args.corpus) if args.corpus else None

    # Single-core tokenizer speed, before and after the build (the machine's speed drifts).
    sample = tokenizer_sample(folder)
    log(f"tokenizer baseline on {len(sample)} paragraphs")
    tokenizer_before = tokenizer_throughput(sample)
    log(f"tokenizer: {tokenizer_before:,.0f} words/s")

    # Cold build from the raw files into an empty cache, on every core, in its own process
    # (as `python -m bot index` runs it), so that this one measures a serving bot's memory.
    shutil.rmtree(cache, ignore_errors=True)
    gc.collect()
    cold = cold_build(folder, cache, out / f"{prefix}{size}-cold" if profile else None)
    memory: dict[str, float | None] = {
        "now_after_cold_build": cold.pop("rss_now_mb"),
        "peak_after_cold_build": cold.pop("rss_peak_mb"),
    }
    result.update(cold)
    result["cold_build_rss_peak_mb"] = memory["peak_after_cold_build"]
    result["rss_phases_mb"] = memory
    cold_s, words = result["cold_build_s"], result["words"]
    log(
        f"cold build: {cold_s:.1f} s, {words / cold_s:,.0f} words/s, "
        f"{result['passages']:,} passages, peak RSS {memory['peak_after_cold_build']} MB"
    )
    tokenizer_after = tokenizer_throughput(sample)
    log(f"tokenizer: {tokenizer_after:,.0f} words/s")
    # The faster of the two runs is the baseline: a slow-down of the shared machine during
    # one of them must not make the build look better than it is.
    tokenizer = max(tokenizer_before, tokenizer_after)
    mean = (tokenizer_before + tokenizer_after) / 2
    result.update(
        {
            "tokenizer_words_per_s": round(tokenizer),
            "tokenizer_words_per_s_before": round(tokenizer_before),
            "tokenizer_words_per_s_after": round(tokenizer_after),
            "build_vs_tokenizer": round(words / cold_s / tokenizer, 3),
            "build_vs_tokenizer_mean": round(words / cold_s / mean, 3),
        }
    )

    # This process now serves as the bot does: started from the cache the cold build wrote.
    engine = load_engine(folder, cache_dir=cache)
    memory["serving_started"] = proc_mb("VmRSS")

    # Questions (drawn now, asked later) and the warm start in a new process.
    rng = random.Random(seed * 100_003 + size)
    texts = [p.text for p in engine.passages]
    warmup = make_questions(texts, WARMUP_QUESTIONS, rng)
    questions = make_questions(texts, questions_count, rng)
    if args.question_file:
        fitting = real_questions(args.question_file, folder)
        log(f"{len(fitting)} questions of the real question sets fit this folder")
        questions += [{"group": "real", "q": q} for q in fitting]
        rng.shuffle(questions)
    log("warm start in a new process")
    warm = warm_start(
        folder, cache, questions[0]["q"], out / f"{prefix}{size}-warm" if profile else None
    )
    result["warm"] = warm
    result.update(
        {
            "warm_load_s": warm["load_s"],
            "import_s": warm["import_s"],
            "warm_process_s": warm["process_s"],
        }
    )
    log(
        f"warm start: import {warm['import_s']:.2f} s, load_engine {warm['load_s']:.2f} s, "
        f"RSS {warm['rss_mb']:.0f} MB"
    )

    if args.peers:
        # In a process of its own, started from the cache the cold build wrote: the peers'
        # memory stays out of this one's, and the index checked against rank-bm25 is the
        # cold build's, term order and all.
        asked = out / f"{prefix}{size}.questions.json"
        asked.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        check = "1" if size <= args.plain_max else "0"
        log("retrieval step of ours, bm25s and tantivy, in a new process")
        result["retrieval"], _ = run_child(
            "--peers-child", [str(folder), str(cache), str(asked), check], None, show_log=True
        )

    # Reload after one file changed (then changed back), as /reload does.
    changed = article_paths(folder)[size // 2]
    original = changed.read_bytes()
    reloads: list[float] = []
    cache_writes: list[float] = []
    try:
        for version in (1, 2):
            if version == 1:
                change_one_article(changed, version)
            else:
                changed.write_bytes(original)
            with profiled(profile and version == 1, out / f"{prefix}{size}-reload"):
                started = time.perf_counter()
                engine = load_engine(folder, cache_dir=cache, previous=engine)
                reloads.append(time.perf_counter() - started)
            # The cache is written by a background thread after the reload returns; it is
            # waited for here, so that the next measurement does not share the CPU with it.
            started = time.perf_counter()
            wait_for_saves()
            cache_writes.append(time.perf_counter() - started)
            log(
                f"reload after one changed file: {reloads[-1]:.2f} s "
                f"(then {cache_writes[-1]:.2f} s more to write the cache behind it)"
            )
    finally:
        changed.write_bytes(original)
    memory["now_after_reload"] = proc_mb("VmRSS")
    memory["peak_after_reload"] = proc_mb("VmHWM")
    result.update(
        {
            "reload_s": round(statistics.fmean(reloads), 3),
            "reload_runs_s": [round(s, 3) for s in reloads],
            "reload_cache_write_behind_s": [round(s, 3) for s in cache_writes],
        }
    )

    # Latency of the whole ask path.
    log(f"asking {len(warmup)} warm-up and {len(questions)} timed questions")
    time_asks(engine.ask, warmup)
    answers: list[bool] = []

    def ask(question: str) -> None:
        answers.append(engine.ask(question).found)

    with profiled(profile, out / f"{prefix}{size}-ask"):
        times = time_asks(ask, questions)
    groups: dict[str, list[bool]] = {}
    for item, found in zip(questions, answers, strict=True):
        groups.setdefault(item["group"], []).append(found)
    result["ask"] = summarize(times)
    result["ask_by_group"] = {
        group: summarize([t for t, q in zip(times, questions, strict=True) if q["group"] == group])
        for group in groups
    }
    result["answered_share"] = {g: round(sum(v) / len(v), 3) for g, v in groups.items()}
    result["questions"] = {g: len(v) for g, v in groups.items()}
    result["ask_p95_ms"] = result["ask"]["p95_ms"]
    memory["now_after_asks"] = proc_mb("VmRSS")
    memory["peak_after_asks"] = proc_mb("VmHWM")
    # The serving peak (warm start, reloads, asks), before the plain baseline's memory.
    result["rss_peak_mb"] = proc_mb("VmHWM") or round(rss_mb(), 1)
    log(
        f"engine.ask: median {result['ask']['median_ms']:.2f} ms, "
        f"p95 {result['ask']['p95_ms']:.2f} ms; answered {result['answered_share']}"
    )

    result["stages"] = stage_times(engine, questions)
    log("stages (p50 / p95 ms): " + stage_line(result["stages"]))
    if size > args.plain_max:
        log(f"plain rank-bm25 left out above {args.plain_max:,} articles (--plain-max)")
        result["components"] = components(engine, folder)
        result["targets"] = judge(result)
        return result

    # The plain approach on the same passages and questions.
    from rank_bm25 import BM25Okapi

    log("plain rank-bm25 baseline: building")
    started = time.perf_counter()
    plain = BM25Okapi([text.lower().split() for text in texts])
    result["plain_build_s"] = round(time.perf_counter() - started, 2)

    def plain_ask(question: str, index: BM25Okapi = plain) -> None:
        scores = index.get_scores(question.lower().split())
        int(scores.argmax())

    time_asks(plain_ask, warmup)
    # Enough questions for a median and a p95; all of them would take minutes at 10,000.
    plain_times = time_asks(plain_ask, questions[:PLAIN_QUESTIONS])
    result["plain"] = summarize(plain_times)
    result["plain_over_engine_median"] = round(
        result["plain"]["median_ms"] / result["ask"]["median_ms"], 3
    )
    result["plain_over_engine_p95"] = round(result["plain"]["p95_ms"] / result["ask"]["p95_ms"], 3)
    result["rss_end_mb"] = round(rss_mb(), 1)
    log(
        f"plain: median {result['plain']['median_ms']:.1f} ms, p95 "
        f"{result['plain']['p95_ms']:.1f} ms; ratio {result['plain_over_engine_p95']}x (p95)"
    )
    del plain, plain_ask
    gc.collect()

    result["components"] = components(engine, folder)
    result["targets"] = judge(result)
    return result


def components(engine: Any, folder: Path) -> dict[str, float]:
    """The steps of load_engine timed one by one, to show where start and reload time goes."""
    from bot.core.cache import CachedIndex, load_index, save_index
    from bot.core.engine import Engine
    from bot.core.index import IndexedFile, SearchIndex
    from bot.core.knowledge import build_knowledge

    log("timing load_engine's steps one by one")
    figures: dict[str, float] = {}
    knowledge = engine.knowledge
    started = time.perf_counter()
    build_knowledge(folder, previous=knowledge)
    figures["scan_unchanged_folder_s"] = time.perf_counter() - started
    # Every file carried over: the linear passes of a reload's merge, without new postings.
    entries = [IndexedFile(f.file, f.fingerprint, len(f.passages)) for f in knowledge.files]
    started = time.perf_counter()
    index = SearchIndex.build(entries, engine.index)
    figures["merge_index_s"] = time.perf_counter() - started
    started = time.perf_counter()
    Engine(knowledge, index)
    figures["engine_init_s"] = time.perf_counter() - started
    with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:
        started = time.perf_counter()
        save_index(Path(scratch), CachedIndex(knowledge, index))
        figures["save_index_s"] = time.perf_counter() - started
        started = time.perf_counter()
        load_index(Path(scratch))
        figures["load_index_s"] = time.perf_counter() - started
    return {name: round(seconds, 3) for name, seconds in figures.items()}


def retrieval_ratios(result: dict[str, Any]) -> None:
    """bm25s's time over ours (above 1: ours is faster), and the share of checked queries
    whose scores equal rank-bm25's, from the retrieval figures."""
    retrieval = result.get("retrieval") or {}
    ours, theirs = retrieval.get("ours"), (retrieval.get("bm25s") or {}).get("retrieve")
    if ours and theirs:
        for stat in ("median", "p95"):
            value = theirs[f"{stat}_ms"] / ours[f"{stat}_ms"]
            result[f"bm25s_over_ours_{stat}"] = round(value, 3)
    check = retrieval.get("rank_bm25_check")
    if check and check["queries"]:
        result["scores_equal_share"] = round(check["bit_equal"] / check["queries"], 3)


def judge(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    retrieval_ratios(result)
    verdicts = {}
    targets = TARGETS if result.get("corpus") is None else CORPUS_TARGETS
    for name, (comparison, bound, at_size) in targets.items():
        if at_size is not None and result["size"] != at_size:
            continue
        value = result.get(name)
        if value is None:
            continue
        met = {">=": value >= bound, ">": value > bound, "<": value < bound}[comparison]
        verdicts[name] = {"value": value, "target": f"{comparison} {bound:g}", "met": met}
    return verdicts


# --- The parent: one subprocess per size, then the table ------------------------------------

COLUMNS = (
    ("articles", "articles", "{:,}"),
    ("passages", "passages", "{:,}"),
    ("words", "words", "{:,}"),
    ("cold build s", "cold_build_s", "{:.1f}"),
    ("build words/s", "build_words_per_s", "{:,}"),
    ("tokenizer words/s (1 core)", "tokenizer_words_per_s", "{:,}"),
    ("build / tokenizer", "build_vs_tokenizer", "{:.2f}"),
    ("import s", "import_s", "{:.2f}"),
    ("warm start s", "warm_load_s", "{:.2f}"),
    ("warm process s", "warm_process_s", "{:.2f}"),
    ("reload s", "reload_s", "{:.2f}"),
    ("ask median ms", ("ask", "median_ms"), "{:.2f}"),
    ("ask p95 ms", ("ask", "p95_ms"), "{:.2f}"),
    ("plain median ms", ("plain", "median_ms"), "{:.1f}"),
    ("plain p95 ms", ("plain", "p95_ms"), "{:.1f}"),
    ("plain/engine median", lambda r: r["plain"]["median_ms"] / r["ask"]["median_ms"], "{:.2f}×"),
    ("plain/engine p95", lambda r: r["plain"]["p95_ms"] / r["ask"]["p95_ms"], "{:.2f}×"),
    ("peak RSS MB serving", "rss_peak_mb", "{:,.0f}"),
    ("peak RSS MB cold build", "cold_build_rss_peak_mb", "{:,.0f}"),
    ("answered (acc/unacc)", None, None),
    ("refused off-topic", None, None),
)


def _cell(result: dict[str, Any], key: Any, fmt: str | None, header: str) -> str:
    if "error" in result and header != "articles":
        return "error"
    if header == "answered (acc/unacc)":
        share = result["answered_share"]
        return f"{share.get('accented', 0):.0%} / {share.get('unaccented', 0):.0%}"
    if header == "refused off-topic":
        return f"{1 - result['answered_share'].get('unanswerable', 0):.0%}"
    if callable(key):
        try:
            value = key(result)
        except KeyError:  # a figure this size did not measure (plain rank-bm25 above --plain-max)
            value = None
    elif isinstance(key, tuple):
        value = result.get(key[0], {}).get(key[1])
    else:
        value = result.get(key)
    if value is None:
        return "–"
    return fmt.format(value) if fmt else str(value)


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| " + " | ".join(h for h, _, _ in COLUMNS) + " |",
        "|" + "|".join("---:" for _ in COLUMNS) + "|",
    ]
    for result in sorted(results, key=lambda r: r["size"]):
        row = [_cell(result, key, fmt, header) for header, key, fmt in COLUMNS]
        if "error" in result:
            row[0] = f"{result['size']:,}"
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def peer_table(results: list[dict[str, Any]]) -> str:
    """The retrieval step alone (top 30, the same terms), each engine's median / p95 in ms."""
    lines = [
        "| articles | queries | ours | bm25s retrieve() | bm25s scores+topk | tantivy search "
        "| bm25s/ours median | bm25s/ours p95 | scores = rank-bm25 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in sorted(results, key=lambda r: r["size"]):
        retrieval = result.get("retrieval")
        if not retrieval:
            continue

        def cell(figures: dict[str, Any] | None) -> str:
            if not figures:
                return "–"
            if "skipped" in figures:
                return "skipped"
            return f"{figures['median_ms']:.3f} / {figures['p95_ms']:.3f}"

        bm25s = retrieval.get("bm25s") or {}
        tantivy = retrieval.get("tantivy") or {}
        check = retrieval.get("rank_bm25_check")
        equal = f"{check['bit_equal']}/{check['queries']}" if check else "–"
        ratio_median = result.get("bm25s_over_ours_median")
        ratio_p95 = result.get("bm25s_over_ours_p95")
        lines.append(
            f"| {result['size']:,} | {retrieval['queries']} | {cell(retrieval.get('ours'))} "
            f"| {cell(bm25s.get('retrieve'))} | {cell(bm25s.get('scores_topk'))} "
            f"| {cell(tantivy.get('search'))} "
            f"| {'–' if ratio_median is None else f'{ratio_median:.2f}×'} "
            f"| {'–' if ratio_p95 is None else f'{ratio_p95:.2f}×'} | {equal} |"
        )
    return "\n".join(lines)


def stage_table(results: list[dict[str, Any]]) -> str:
    """Each stage of an answer at p50 / p95, in ms (the questions that reached it)."""
    from bot.core.timings import STAGES

    names = [*STAGES, "total"]
    lines = [
        "| articles | " + " | ".join(names) + " |",
        "|---:|" + "|".join("---:" for _ in names) + "|",
    ]
    for result in sorted(results, key=lambda r: r["size"]):
        stages = result.get("stages")
        if not stages:
            continue
        cells = [
            f"{stages[n]['p50_ms']:.2f} / {stages[n]['p95_ms']:.2f}" if n in stages else "–"
            for n in names
        ]
        lines.append(f"| {result['size']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


MACHINE_GB = 24


def growth(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Curves of cost against the number of articles, fitted on the sizes measured.

    Build time and ask p95 as power laws (``y = a * n**b``, least squares on the logs, so b
    says how they grow); memory and the cache file as lines (``y = c + d * n``), which is
    what they are (a fixed part plus so much per article), and where the line reaches the
    machine's memory is the size one machine stops being enough.
    """
    done = [r for r in results if "error" not in r]
    if len(done) < 2:
        return {}
    sizes = np.array([r["articles"] for r in done], dtype=float)
    fits: dict[str, Any] = {"sizes": [int(n) for n in sizes]}
    for name, key in (("cold_build_s", "cold_build_s"), ("ask_p95_ms", "ask_p95_ms")):
        values = np.array([r[key] for r in done], dtype=float)
        slope, intercept = np.polyfit(np.log(sizes), np.log(values), 1)
        fits[name] = {"a": float(np.exp(intercept)), "b": round(float(slope), 3)}
    for name, key in (
        ("rss_peak_mb", "rss_peak_mb"),
        ("cold_build_rss_peak_mb", "cold_build_rss_peak_mb"),
        ("cache_mb", "cache_bytes"),
    ):
        values = np.array([r[key] for r in done], dtype=float)
        if key == "cache_bytes":
            values = values / 1e6
        per_article, fixed = np.polyfit(sizes, values, 1)
        fits[name] = {"fixed": round(float(fixed), 1), "per_article": round(float(per_article), 5)}
    # The cold build's workers are processes of their own, about 250 MB each at any size.
    workers = (os.cpu_count() or 1) * 250
    limit = MACHINE_GB * 1024
    serving = fits["rss_peak_mb"]
    building = fits["cold_build_rss_peak_mb"]
    fits["articles_at_machine_limit"] = {
        "serving": int((limit - serving["fixed"]) / serving["per_article"]),
        "cold_build": int((limit - workers - building["fixed"]) / building["per_article"]),
    }
    fits["cache_kb_per_article"] = round(fits["cache_mb"]["per_article"] * 1000, 2)
    return fits


def growth_lines(fits: dict[str, Any]) -> str:
    if not fits:
        return ""
    build, p95 = fits["cold_build_s"], fits["ask_p95_ms"]
    serving, building, cache = fits["rss_peak_mb"], fits["cold_build_rss_peak_mb"], fits["cache_mb"]
    limit = fits["articles_at_machine_limit"]
    return "\n".join(
        [
            f"Growth over {', '.join(f'{n:,}' for n in fits['sizes'])} articles:",
            f"- cold build s = {build['a']:.4g} × n^{build['b']}",
            f"- ask p95 ms = {p95['a']:.4g} × n^{p95['b']}",
            f"- serving peak RSS MB = {serving['fixed']} + {serving['per_article']} × n",
            f"- cold build peak RSS MB = {building['fixed']} + {building['per_article']} × n "
            "(plus the workers)",
            f"- index cache MB = {cache['fixed']} + {cache['per_article']} × n "
            f"({fits['cache_kb_per_article']} kB per article)",
            f"- {MACHINE_GB} GB is reached at about {limit['serving']:,} articles serving, "
            f"{limit['cold_build']:,} for a cold build",
        ]
    )


def target_lines(results: list[dict[str, Any]]) -> str:
    lines = []
    for result in sorted(results, key=lambda r: r["size"]):
        for name, verdict in result.get("targets", {}).items():
            mark = "met" if verdict["met"] else "MISSED"
            lines.append(
                f"- {result['size']:,} articles: {name} = {verdict['value']} "
                f"(target {verdict['target']}): {mark}"
            )
    return "\n".join(lines)


def run_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--size-child",
        str(size),
        "--questions",
        str(args.questions),
        "--out",
        str(args.out),
        "--seed",
        str(args.seed),
    ]
    if args.profile:
        command.append("--profile")
    if args.corpus is not None:
        command += ["--corpus", str(args.corpus)]
    if args.question_file:
        command += ["--question-file", *map(str, args.question_file)]
    if not args.peers:
        command.append("--no-peers")
    command += ["--plain-max", str(args.plain_max)]
    log(f"size {size:,}: starting a fresh process")
    path = args.out / f"{folder_prefix(args)}{size}.result.json"
    path.unlink(missing_ok=True)
    done = subprocess.run(command, cwd=ROOT, check=False)
    if done.returncode != 0 or not path.is_file():
        log(f"size {size:,} failed (exit status {done.returncode})")
        return {"size": size, "error": f"exit status {done.returncode}"}
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    global _label
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the cold build, warm start, reload and asks into OUT",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="forget the results of earlier runs instead of merging by size",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="print the table from OUT/results.json without running anything",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        help="a folder of real articles: the sizes are its first N articles (repeated with "
        "perturbed names and numbers past its own size); default size: all of it",
    )
    parser.add_argument(
        "--question-file",
        type=Path,
        nargs="+",
        default=[],
        help="real question sets (questions.jsonl beside a knowledge/ folder with the "
        "article): their questions are asked too where the article is in the folder",
    )
    parser.add_argument(
        "--plain-max",
        type=int,
        default=10_000,
        help="sizes above this skip plain rank-bm25 (about 1 s per question at 40,000)",
    )
    parser.add_argument(
        "--no-peers",
        dest="peers",
        action="store_false",
        help="leave out the retrieval step of bm25s and tantivy",
    )
    parser.add_argument("--size-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warm-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--cold-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--peers-child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    if args.corpus is not None:
        args.corpus = args.corpus.resolve()
        if "--sizes" not in (argv if argv is not None else sys.argv):
            args.sizes = [len(corpus_files(args.corpus))]
    args.question_file = [path.resolve() for path in args.question_file]

    if args.cold_child:
        _label = "cold"
        folder, cache = args.cold_child
        cold_child(Path(folder), Path(cache), args.profile_to)
        return 0
    if args.peers_child:
        _label = "peers"
        folder, cache, asked, check = args.peers_child
        peers_child(Path(folder), Path(cache), Path(asked), check == "1")
        return 0
    if args.warm_child:
        folder, cache, question = args.warm_child
        warm_child(Path(folder), Path(cache), question, args.profile_to)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    if args.size_child is not None:
        _label = f"{folder_prefix(args)}{args.size_child}"
        result = measure_size(args.size_child, args)
        path = args.out / f"{folder_prefix(args)}{args.size_child}.result.json"
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
        log(f"done, figures in {path}")
        return 0

    results_path = args.out / ("results.json" if args.corpus is None else "corpus-results.json")
    stored: dict[str, Any] = {}
    if results_path.is_file() and not args.fresh:
        stored = json.loads(results_path.read_text(encoding="utf-8"))
    by_size = {r["size"]: r for r in stored.get("results", [])}
    if not args.report:
        for size in args.sizes:
            by_size[size] = run_size(size, args)
        stored = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "updated": time.strftime("%Y-%m-%d %H:%M:%S"),
            "results": [by_size[s] for s in sorted(by_size)],
        }
        results_path.write_text(json.dumps(stored, indent=1, ensure_ascii=False), encoding="utf-8")
        log(f"figures written to {results_path}")
    results = [by_size[s] for s in sorted(by_size)]
    if not results:
        print("no results yet", file=sys.stderr)
        return 1
    print(table(results))
    print()
    if any(r.get("retrieval") for r in results):
        print("Retrieval alone, top 30 of the same terms (median / p95 ms):")
        print(peer_table(results))
        print()
    if any(r.get("stages") for r in results):
        print("Stages of an answer (p50 / p95 ms):")
        print(stage_table(results))
        print()
    if args.corpus is not None:
        fits = growth(results)
        if fits:
            print(growth_lines(fits))
            print()
            stored["growth"] = fits
            results_path.write_text(
                json.dumps(stored, indent=1, ensure_ascii=False), encoding="utf-8"
            )
    print(target_lines(results))
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
