"""The retrieval core and the ingestion package stand alone: neither imports Telegram."""

from __future__ import annotations

import ast
import subprocess
import sys
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


def test_answering_a_question_loads_no_telegram_module() -> None:
    code = (
        "import sys, pkgutil, importlib, bot.core\n"
        "for m in pkgutil.iter_modules(bot.core.__path__):\n"
        "    importlib.import_module('bot.core.' + m.name)\n"
        "from bot.core.engine import load_engine\n"
        "from pathlib import Path\n"
        f"print(load_engine(Path({str(ROOT / 'knowledge')!r})).ask('Ai chủ trì hội nghị?').found)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'telegram'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.splitlines() == ["True", "[]"], result.stderr
