"""How the project holds together: the core and the ingestion package never import
Telegram, the Telegram layer is a small module per feature with typed state, and every
imported package is declared."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

CORE = ROOT / "bot" / "core"
INGEST = ROOT / "bot" / "ingest"  # adding articles: the bot and the command line share it


@pytest.mark.parametrize("package", [CORE, INGEST], ids=["core", "ingest"])
def test_core_and_ingest_sources_do_not_import_telegram(package: Path) -> None:
    offenders = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "telegram"]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("bot.telegram_bot")]
    assert offenders == []


def test_answering_a_question_loads_no_telegram_module(knowledge_copy: Path) -> None:
    code = (
        "import sys, pkgutil, importlib, bot.core\n"
        "for m in pkgutil.iter_modules(bot.core.__path__):\n"
        "    importlib.import_module('bot.core.' + m.name)\n"
        "from bot.core.engine import load_engine\n"
        "from pathlib import Path\n"
        f"print(load_engine(Path({str(knowledge_copy)!r})).ask('Ai chủ trì hội nghị?').found)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'telegram'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.splitlines() == ["True", "[]"], result.stderr


TELEGRAM = ROOT / "bot" / "telegram_bot"
FEATURES = (
    "intro",
    "questions",
    "buttons",
    "inline",
    "admin",
    "articles",
    "removal",
    "report_commands",
    "errors",
)


def test_telegram_layer_is_a_small_module_per_feature() -> None:
    """Each feature registers its own handlers; no Telegram module grows past 300 lines."""
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in TELEGRAM.glob("*.py")}
    assert max(sizes.values()) < 300, sizes
    for feature in FEATURES:
        module = importlib.import_module(f"bot.telegram_bot.{feature}")
        assert callable(module.register), feature


def test_handlers_read_typed_state_without_type_ignore() -> None:
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(TELEGRAM.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "# type: ignore" in line or "bot_data[" in line
    ]
    assert offenders == []


DISTRIBUTIONS = {
    "telegram": "python-telegram-bot",
    "PIL": "pillow",
    "rank_bm25": "rank-bm25",
    "docx": "python-docx",
    "fpdf": "fpdf2",
}


def _imported_packages(folder: Path) -> set[str]:
    """Top-level third-party modules imported anywhere under `folder`."""
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return {
        n for n in names if n not in sys.stdlib_module_names and n not in ("bot", "tests", "bench")
    }


def _declared(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s\[<>=~!;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_every_imported_package_is_declared_and_serving_needs_no_rank_bm25() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _declared(project["dependencies"])
    development = _declared(project["optional-dependencies"]["dev"])
    training = _declared(project["optional-dependencies"]["train"])
    serving = {
        DISTRIBUTIONS.get(n, n).lower()
        for folder in (ROOT / "bot").iterdir()
        if folder.name != "train"
        for n in _imported_packages(folder)
    }
    assert "rank-bm25" not in serving | runtime  # the engine has its own BM25 index
    assert serving <= runtime, serving - runtime
    # Fitting needs its own extra; answering never does.
    fitting = {DISTRIBUTIONS.get(n, n).lower() for n in _imported_packages(ROOT / "bot" / "train")}
    assert fitting <= runtime | training, fitting - runtime - training
    assert not training & runtime
    checking = {
        DISTRIBUTIONS.get(n, n).lower()
        for folder in ("tests", "bench")
        for n in _imported_packages(ROOT / folder)
    }
    # The benchmark's peers (bm25s, tantivy) have an extra of their own, never served.
    peers = _declared(project["optional-dependencies"]["bench"])
    assert not (peers - development) & (runtime | serving)
    assert checking <= runtime | development | peers, checking - runtime - development - peers
