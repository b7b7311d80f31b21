"""Shared fixtures: the seed article in temporary folders, one engine per session.

No test reads the user's `knowledge/`: the seed article is kept in tests/data/seed and copied
into a temporary folder for each use, and the settings a command reads from the environment
point at such a copy and at a temporary question log for the whole session.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.engine import Engine, load_engine
from tests.fake_bot_api import FakeBotApi

# Tests talk to servers on loopback only; never through a proxy.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED = DATA / "seed" / "000_796d2ca824a9a6ee.txt"


def copy_seed(folder: Path) -> Path:
    """`folder` made and holding a copy of the seed article; returned."""
    folder.mkdir(parents=True)
    shutil.copy(SEED, folder / SEED.name)
    return folder


@pytest.fixture(scope="session", autouse=True)
def settings_from_the_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands run by the tests (`python -m bot ask`, `chat` ...) read the knowledge folder
    and the question log from their settings: for the session, both are temporary."""
    base = tmp_path_factory.mktemp("environment")
    saved = {name: os.environ.get(name) for name in ("BOT_KNOWLEDGE_DIR", "BOT_LOG_DB")}
    os.environ["BOT_KNOWLEDGE_DIR"] = str(copy_seed(base / "knowledge"))
    os.environ["BOT_LOG_DB"] = str(base / "questions.sqlite3")
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API on loopback (tests/fake_bot_api.py) for the test."""
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="session")
def seed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding only the seed article, shared by the session: add no article to it."""
    return copy_seed(tmp_path_factory.mktemp("seed") / "knowledge")


@pytest.fixture(scope="session")
def seed_engine(seed_folder: Path) -> Engine:
    return load_engine(seed_folder)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable folder holding a copy of the seed article."""
    return copy_seed(tmp_path / "knowledge")
