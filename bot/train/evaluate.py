"""How the engine as shipped answers question sets: `python -m bot.train.evaluate --data DIR`.

For each case (the layout `python -m bot train` reads), every question is asked through
`Engine.ask`, as `ask --json` would, and counted: answerable questions answered right (the
quote holds the evidence, from the right article), unanswerable and off-topic ones refused,
the precision of the answers given, and for the short `answer` line above the quote how
often it is given and, when given, how often the evidence lies inside it (or, for long
evidence, the answer inside the evidence). Figures are printed for the
validation part (the articles the fit never saw, same seed and share as the training) and
for the whole, per group and per answer type.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from bot.core.engine import load_engine
from bot.core.errors import KnowledgeError
from bot.core.model import Answer
from bot.train.cases import LabelledQuestion, find_cases, holds, in_validation, norm, read_questions


def _record(counts: Counter[str], q: LabelledQuestion, answer: Answer) -> None:
    given = answer.found and answer.quote is not None
    right = (
        given
        and answer.quote is not None
        and q.answered_by(answer.quote, answer.source.title if answer.source else "")
    )
    counts["answered"] += given
    counts["answered_right"] += right
    if q.offtopic:
        counts["offtopic"] += 1
        counts["offtopic_refused"] += not given
    elif q.evidence is None:
        counts["unanswerable"] += 1
        counts["unanswerable_refused"] += not given
    else:
        counts["answerable"] += 1
        counts["answerable_right"] += right
        if right:
            counts["right_with_answer_line"] += answer.answer is not None
            if answer.answer is not None:
                inside = holds(answer.answer, q.evidence)
                counts["evidence_inside_answer"] += inside
                # the answer line names part of what the evidence says ("Nguyễn Quốc Bảo" of
                # "đồng chí Nguyễn Quốc Bảo - Phó Bí thư ...")
                counts["answer_inside_evidence"] += inside or any(
                    norm(answer.answer) in norm(span) for span in q.evidence
                )


def _shares(counts: Counter[str]) -> dict[str, float | int | None]:
    def share(part: str, whole: str) -> float | None:
        return round(counts[part] / counts[whole], 3) if counts[whole] else None

    return {
        "answerable_right": share("answerable_right", "answerable"),
        "unanswerable_refused": share("unanswerable_refused", "unanswerable"),
        "offtopic_refused": share("offtopic_refused", "offtopic"),
        "precision": share("answered_right", "answered"),
        "right_with_answer_line": share("right_with_answer_line", "answerable_right"),
        "evidence_inside_answer": share("evidence_inside_answer", "right_with_answer_line"),
        "answer_agrees_with_evidence": share("answer_inside_evidence", "right_with_answer_line"),
        "questions": counts["answerable"] + counts["unanswerable"] + counts["offtopic"],
    }


def evaluate(
    data: Sequence[Path], *, seed: int = 0, validation_share: float = 0.3
) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """{"validation" | "all": {group or "type:NAME" or "all": figures}}."""
    tallies: dict[str, dict[str, Counter[str]]] = {
        part: defaultdict(Counter) for part in ("validation", "all")
    }
    with tempfile.TemporaryDirectory(prefix="bot-evaluate-") as tmp:
        cases = [case for folder in data for case in find_cases(folder)]
        for number, case in enumerate(cases):
            folder = case.copy_knowledge(Path(tmp) / str(number))
            try:
                engine = load_engine(folder)
            except KnowledgeError as exc:
                print(f"bỏ qua {case.name}: {exc}", file=sys.stderr)
                continue
            for q in read_questions(case, engine.articles[0].title):
                if q.metadata:
                    continue
                answer = engine.ask(q.question)
                kind = engine.understand(q.question).answer_type.value
                parts = ["all"]
                if not case.always_training and in_validation(q.article, seed, validation_share):
                    parts.append("validation")
                for part in parts:
                    for key in ("all", case.group, f"type:{kind}"):
                        _record(tallies[part][key], q, answer)
    return {
        part: {key: _shares(counts) for key, counts in sorted(groups.items())}
        for part, groups in tallies.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.train.evaluate", description=__doc__)
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--validation", type=float, default=0.3)
    args = parser.parse_args(argv)
    figures = evaluate(args.data, seed=args.seed, validation_share=args.validation)
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
