"""Question sets to fit on: folders of articles with the questions asked of them.

A *case* is a folder holding ``questions.jsonl`` and its articles as a ``knowledge/``
folder, and optionally ``offtopic.jsonl`` (questions of other articles, to be refused): the
layout of ``../shared/eval/real`` (one article a folder under ``per_article/``, all of a
set's articles under ``whole/``). Or a folder with a ``case.json`` naming files elsewhere,
relative to it: ``{"knowledge": [articles], "questions": [files], "offtopic": [files]}``,
which lets the project's own question sets serve as they are; ``"split": "training"`` keeps
a case out of the validation part (the project's sets over the seed article, which the
engine must know best).

Question lines: ``{"id", "question", "evidence": [spans] | null, "title"?}``. Questions are
split into a training part and a validation part *by article*: every question about one
article (and every question asked of a one-article folder) falls on the same side, so the
validation figures are those of articles the fit never saw.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Case:
    name: str  # path relative to the data folder it was found in
    group: str  # "SET/per_article", "SET/whole": what its figures are summed under
    folder: Path
    per_article: bool
    weight: float = 1.0  # how much its questions count in the fits (news over encyclopedia)

    def _listed(self, key: str) -> list[Path] | None:
        listing = self.folder / "case.json"
        if not listing.is_file():
            return None
        names = json.loads(listing.read_text(encoding="utf-8")).get(key, [])
        return [(self.folder / name).resolve() for name in names]

    def article_files(self) -> list[Path]:
        listed = self._listed("knowledge")
        if listed is not None:
            return listed
        knowledge = self.folder / "knowledge"
        return sorted(p for p in knowledge.rglob("*") if p.is_file() and p.name[0] != ".")

    @property
    def always_training(self) -> bool:
        listing = self.folder / "case.json"
        if not listing.is_file():
            return False
        return bool(json.loads(listing.read_text(encoding="utf-8")).get("split") == "training")

    def question_files(self) -> list[tuple[Path, bool]]:
        """(file, whether its questions are off-topic) for every question file of the case."""
        listed, offtopic = self._listed("questions"), self._listed("offtopic")
        if listed is not None:
            return [(p, False) for p in listed] + [(p, True) for p in offtopic or []]
        files = [(self.folder / "questions.jsonl", False), (self.folder / "offtopic.jsonl", True)]
        return [(path, off) for path, off in files if path.exists()]

    def copy_knowledge(self, into: Path) -> Path:
        """A private copy of the articles, so that no index cache is written into the data."""
        into.mkdir(parents=True, exist_ok=True)
        for path in self.article_files():
            shutil.copy(path, into / path.name)
        return into


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    case: Case
    id: str
    question: str
    evidence: tuple[str, ...] | None  # None: nothing in the case's articles answers it
    title: str | None  # the article that must be cited, when the case has several
    article: str  # what the split goes by
    offtopic: bool  # asked of another article
    metadata: bool  # answered from the reply (author, date...), not a quote

    @property
    def answerable(self) -> bool:
        return self.evidence is not None

    def answered_by(self, text: str, cited_title: str) -> bool:
        """Whether a quote (or a sentence) answers: it holds the evidence and cites the
        article the question names, when it names one."""
        if self.evidence is None:
            return False
        if self.title and norm(cited_title) != norm(self.title):
            return False
        return holds(text, self.evidence)


def find_cases(data: Path, weight: float = 1.0) -> list[Case]:
    cases = []
    found = {p.parent for p in data.rglob("questions.jsonl") if (p.parent / "knowledge").is_dir()}
    found |= {p.parent for p in data.rglob("case.json")}
    for folder in sorted(found):
        relative = folder.relative_to(data)
        parts = relative.parts
        per_article = "per_article" in parts
        top = parts[0] if parts and parts[0] not in ("per_article", "whole") else data.name
        group = f"{top}/{'per_article' if per_article else 'whole'}"
        cases.append(Case(str(relative) or data.name, group, folder, per_article, weight))
    return cases


def read_questions(case: Case, first_title: str) -> Iterator[LabelledQuestion]:
    """The case's questions; `first_title` names the article of a one-article folder."""
    for path, offtopic in case.question_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            evidence = item.get("evidence")
            title = item.get("title") or item.get("article") or item.get("from_title") or ""
            article = first_title if case.per_article else title or case.name
            yield LabelledQuestion(
                case,
                str(item["id"]),
                item["question"],
                tuple(evidence) if evidence and not offtopic else None,
                item.get("title") if not offtopic else None,
                article,
                offtopic,
                item.get("where") == "reply",
            )


def in_validation(article: str, seed: int, share: float) -> bool:
    """Whether an article falls in the validation part: a stable hash, per seed."""
    digest = hashlib.sha1(f"{seed}:{norm(article)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def norm(text: str) -> str:
    """Text compared as the scorer compares evidence: NFC, case folded, quotes, dashes and
    white space unified."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    text = re.sub(r"[“”„\"«»]", '"', text)
    text = re.sub(r"[‘’']", "'", text)
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def holds(text: str, evidence: tuple[str, ...]) -> bool:
    normalized = norm(text)
    return all(norm(span) in normalized for span in evidence)
