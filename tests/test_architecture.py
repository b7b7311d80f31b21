"""The retrieval core stands alone: it never imports the Telegram library."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

CORE = ROOT / "bot" / "core"


def test_core_sources_do_not_import_telegram() -> None:
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
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
FEATURES = ("intro", "questions", "buttons", "inline", "admin", "report_commands", "errors")


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
