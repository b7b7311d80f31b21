"""Knowledge folders of real news for the benchmark, of any size.

A folder of N articles holds the first N articles of the corpus (copied: the benchmark edits
one of them to time a reload, and must never touch the corpus itself). Past the corpus's own
size the corpus is repeated, each round with its names and numbers perturbed: the same real
sentences, with different people, figures and dates, so that the vocabulary of names and
numbers grows with the size as it would with more news.

The real question sets (``questions.jsonl`` lines of ``{"question": ...}`` in a folder whose
``knowledge/`` holds the article) are read here too, keeping those whose article is in the
folder.

    python -m bench.corpus CORPUS_DIR OUT_DIR --articles 40000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from pathlib import Path

CORPUS_VERSION = 1
SUFFIXES = (".txt", ".md", ".markdown")

# Syllables of Vietnamese personal names: a capitalised one of these is swapped for another.
_NAME_SYLLABLES_TEXT = (
    "Nguyễn Trần Lê Phạm Huỳnh Hoàng Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Lâm "
    "Mai Tô Châu Lương Tạ Kiều Văn Thị Minh Quốc Hữu Thanh Ngọc Đức Công Xuân Thu Hồng Anh "
    "Tuấn Hùng Dũng Hải Hà Lan Linh Nam Sơn Bình Phong Long Tâm Trung Huy Khánh Tú Hạnh "
    "Hương Nga Phương Quang Thắng Vinh Hiếu Toàn Tài Thảo Trang Yến Bảo Cường Đạt Hiền"
)
NAME_SYLLABLES = _NAME_SYLLABLES_TEXT.split()
_WORD_RE = re.compile(r"\w+")
_NUMBER_RE = re.compile(r"\d+")


def corpus_files(corpus: Path) -> list[Path]:
    """The corpus's articles, in name order (the order `build_knowledge` reads them in)."""
    return sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def _perturbed_number(digits: str, rng: random.Random) -> str:
    """Another number of the same length; a year stays a plausible year, a day or month a
    plausible one (so "25/2" stays a date)."""
    value = int(digits)
    if len(digits) == 4 and 1900 <= value <= 2030:
        return str(min(2030, max(1900, value + rng.randint(-6, 6))))
    if len(digits) <= 2 and 1 <= value <= 12:
        return str(rng.randint(1, 12)).zfill(len(digits))
    if len(digits) <= 2 and value <= 31:
        return str(rng.randint(1, 28)).zfill(len(digits))
    low = 10 ** (len(digits) - 1) if len(digits) > 1 else 0
    return str(rng.randint(low, 10 ** len(digits) - 1))


def perturb(text: str, rng: random.Random) -> str:
    """The article with its names' syllables swapped consistently and its numbers changed."""
    names = list(NAME_SYLLABLES)
    rng.shuffle(names)
    swap = dict(zip(NAME_SYLLABLES, names, strict=True))
    text = _WORD_RE.sub(lambda m: swap.get(m.group(0), m.group(0)), text)
    return _NUMBER_RE.sub(lambda m: _perturbed_number(m.group(0), rng), text)


def build_folder(corpus: Path, folder: Path, size: int, seed: int) -> dict[str, object]:
    """Fill FOLDER with SIZE articles (see the module's description), reusing it when its
    manifest says it holds exactly that. Returns the manifest."""
    sources = corpus_files(corpus)
    if not sources:
        raise SystemExit(f"{corpus} holds no article (.txt, .md)")
    manifest_path = folder.with_name(folder.name + ".corpus.json")
    wanted = {
        "corpus": str(corpus.resolve()),
        "corpus_files": len(sources),
        "files": size,
        "seed": seed,
        "version": CORPUS_VERSION,
    }
    if manifest_path.is_file() and folder.is_dir():
        stored = json.loads(manifest_path.read_text(encoding="utf-8"))
        present = sum(1 for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
        if {k: stored.get(k) for k in wanted} == wanted and present == size:
            return {**stored, "reused": True}
    shutil.rmtree(folder, ignore_errors=True)
    manifest_path.unlink(missing_ok=True)
    folder.mkdir(parents=True)
    real = min(size, len(sources))
    for path in sources[:real]:
        shutil.copyfile(path, folder / path.name)
    perturbed = 0
    for extra in range(size - real):
        source = sources[extra % len(sources)]
        round_number = extra // len(sources) + 1
        rng = random.Random(f"{seed}:{round_number}:{source.name}")
        text = perturb(source.read_text(encoding="utf-8"), rng)
        # After every real article in name order, like news that came later.
        name = f"{len(sources) + extra + 1:06d}_r{round_number}_{source.name}"
        (folder / name).write_text(text, encoding="utf-8")
        perturbed += 1
    stats = {**wanted, "real": real, "perturbed": perturbed, "reused": False}
    manifest_path.write_text(json.dumps(stats, indent=1), encoding="utf-8")
    return stats


def real_questions(files: list[Path], folder: Path) -> list[str]:
    """The questions of the question sets whose article is in FOLDER (by file name).

    A question set is a ``questions.jsonl`` file; its article is the one file under the
    ``knowledge/`` folder beside it. Questions of an article the folder lacks are left out.
    """
    present = {p.name for p in folder.iterdir()}
    questions: list[str] = []
    for path in files:
        articles = sorted((path.parent / "knowledge").glob("*.*"))
        if len(articles) != 1 or articles[0].name not in present:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    return questions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2014)
    args = parser.parse_args(argv)
    stats = build_folder(args.corpus, args.folder, args.articles, args.seed)
    print(json.dumps(stats), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
