"""Property-based: whatever people type, the engine answers with a sane, bounded reply."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.engine import Engine
from bot.core.passages import MAX_PASSAGE_CHARS

VIETNAMESE_WORDS = [
    "hội",
    "nghị",
    "chủ",
    "trì",
    "ai",
    "gì",
    "khi",
    "nào",
    "BCĐ",
    "tỉnh",
    "ủy",
    "hoà",
    "bình",
    "là",
    "của",
    "và",
    "<b>",
    "&amp;",
    "**",
    "`",
    "@bot",
    "/ask",
    "\u200d",
    "\u202e",
    "🙂",
]
hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2_000),
    st.lists(st.sampled_from(VIETNAMESE_WORDS), max_size=40).map(" ".join),
    st.text(alphabet=".,;:!?…-–—()[]{}\"'“”«»/\\*_#@&<>", max_size=200),
    st.builds(
        lambda s, n: s * n, st.sampled_from(["hội nghị ", "a", "🙂", "\x00"]), st.integers(0, 5_000)
    ),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=hostile_text)
def test_any_input_gets_a_bounded_reply(seed_engine: Engine, question: str) -> None:
    answer = seed_engine.ask(question)
    assert isinstance(answer.reply, str) and answer.reply.strip()
    assert len(answer.reply) < 2_000
    if answer.found and answer.source and answer.source.paragraph is not None:
        assert answer.quote is not None and len(answer.quote) <= MAX_PASSAGE_CHARS
        article = seed_engine.articles[0]
        assert answer.quote in article.paragraphs[answer.source.paragraph - 1]
    if not answer.found:
        assert answer.to_dict()["quote"] is None and answer.to_dict()["source"] is None
