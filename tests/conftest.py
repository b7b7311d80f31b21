"""Shared fixtures: the real knowledge folder, small fixture articles, one engine per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.core.engine import Engine, load_engine

# Tests talk to servers on loopback only; never through a proxy.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
SEED = KNOWLEDGE / "000_796d2ca824a9a6ee.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def seed_engine() -> Engine:
    return load_engine(KNOWLEDGE)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the real knowledge folder."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder
