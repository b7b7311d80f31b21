"""The suite never reads the user's `knowledge/`: adding an article there keeps it green."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA, ROOT

# A representative part of the suite: the seed's passages, its parsing, answers through the
# engine and through the command line (ask, ask --json, chat), which read their folder from
# the settings when no --knowledge is given.
REPRESENTATIVE = [
    "tests/test_passages.py",
    "tests/test_articles.py",
    "tests/test_engine.py::test_answer_quotes_the_passage_and_cites_the_source",
    "tests/test_engine.py::test_metadata_questions_are_answered_from_the_article",
    "tests/test_engine.py::test_json_output_shape",
    "tests/test_engine.py::test_cli_reads_questions_from_stdin_in_order",
    "tests/test_engine.py::test_chat_console_answers_until_quit",
    "tests/test_architecture.py",
]


def _project_copy(target: Path) -> Path:
    """The project as a user has it: sources, tests, config and the knowledge folder."""
    for folder in ("bot", "tests", "config", "knowledge"):
        shutil.copytree(
            ROOT / folder, target / folder, ignore=shutil.ignore_patterns(".cache", "__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_an_article_added_to_knowledge_keeps_the_suite_green(tmp_path: Path) -> None:
    project = _project_copy(tmp_path / "project")
    # A user adds an article on a close topic, as the README invites.
    extra = next((DATA / "eval" / "distractors").glob("*.txt"))
    shutil.copy(extra, project / "knowledge" / "200_added_by_the_user.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *REPRESENTATIVE],
        cwd=project,  # `python -m` puts the copy first on sys.path: its bot/, its tests/
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert not (project / "knowledge" / ".cache").exists()  # nor written to
    assert not (project / "data").exists()  # no question log in the project either


def test_no_test_names_the_knowledge_folder() -> None:
    """Tests get the seed from tests/data/seed (copied into temporary folders)."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in ('ROOT / "knowledge"', "ROOT / 'knowledge'", "ROOT.joinpath("):
            if pattern in text and path.name != Path(__file__).name:
                offenders.append(f"{path.name}: {pattern}")
    assert offenders == []
