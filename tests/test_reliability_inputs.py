"""Hostile input, property-based: whatever people type and whatever articles hold, every reply
is strictly valid Telegram HTML (tests/strict_html.py) within 4096 UTF-16 units, and nothing
raises.

test_engine_properties.py checks the engine's plain replies; here the questions go through
the engine *and* the Telegram renderer, over knowledge whose articles carry markup, and the
renderer is also fed generated articles, sources and reload reports directly. The number of
inputs tried is printed (``pytest -s``) and quoted in the README.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core.engine import Engine, load_engine
from bot.core.live import ReloadReport
from bot.core.model import Article, SkippedFile, Source
from bot.telegram_bot import render
from tests.conftest import SEED
from tests.strict_html import TelegramHtmlError, plain_text

TRIED: Counter[str] = Counter()

MARKUP_ARTICLE = "\n".join(
    [
        'Hội thảo <b>thẻ</b> & ký hiệu <a href="x">đặc biệt</a> **đậm** _nghiêng_ `mã`',
        "",
        "02/01/2024 - 09:00",
        "",
        "Công ty A&B trình bày cách viết thẻ <script>alert(1)</script> &amp; &lt;i&gt; trong tài "
        "liệu; ký hiệu < và > và & đứng một mình, \u202eđảo chiều\u202c, z\u200dw\u200bj, 🙂👩‍💻.",
        "",
        "Ông Nguyễn Văn <i>An</i> chủ trì hội thảo về *Markdown* [liên kết](https://x.y) ```khối```.",
        "",
        "Thu <u>Hà</u> & cộng sự",
        "",
    ]
)


@pytest.fixture(scope="module")
def markup_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder: Path = tmp_path_factory.mktemp("knowledge")
    (folder / SEED.name).write_bytes(SEED.read_bytes())
    (folder / "markup.txt").write_text(MARKUP_ARTICLE, encoding="utf-8")
    engine = load_engine(folder)
    assert len(engine.articles) == 2
    return engine


@pytest.fixture(scope="module", autouse=True)
def print_counts() -> Iterator[None]:
    yield
    total = sum(TRIED.values())
    details = ", ".join(f"{name} {count}" for name, count in TRIED.items())
    print(f"\n[reliability] hostile inputs tried: {total} ({details})")


WORDS = [
    "hội",
    "nghị",
    "chủ",
    "trì",
    "ai",
    "gì",
    "khi",
    "nào",
    "ở",
    "đâu",
    "bao",
    "nhiêu",
    "là",
    "của",
    "và",
    "thì",
    "mà",
    "thế",
    "nhé",
    "ạ",
    "hội thảo",
    "A&B",
    "thẻ",
    "Markdown",
    "<b>",
    "</b>",
    "<i>",
    "<a href='javascript:x'>",
    "&amp;",
    "&lt;",
    "&#0;",
    "&",
    "<",
    ">",
    "**",
    "__",
    "`",
    "```",
    "[x](y)",
    "@TinTucHoiDapBot",
    "/ask",
    "\u200d",
    "\u200b",
    "\u202e",
    "\u200f",
    "\u2066",
    "\ufeff",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\t",
    "🙂",
    "👩‍💻",
    "🇻🇳",
    "\U0001d400",
    "e\u0301",
    "ư\u0303",
    "ﾃｽﾄ",
    "ⓐ",
    "\u0300\u0300\u0300",
]
STOPWORDS = ["thì", "là", "mà", "của", "và", "các", "những", "nhé", "ạ", "à", "ừ", "vậy", "đó"]

hostile_text = st.one_of(
    st.text(max_size=200),  # arbitrary Unicode, control characters included
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=200, max_size=3_000),
    st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join),
    st.lists(st.sampled_from(WORDS), max_size=30).map("".join),
    st.text(alphabet=".,;:!?…-–—()[]{}\"'“”«»/\\*_#@&<>~`|^", max_size=200),  # punctuation
    st.lists(st.sampled_from(STOPWORDS), min_size=1, max_size=20).map(" ".join),
    st.builds(
        lambda s, n: s * n,
        st.sampled_from(["hội nghị ", "<b>", "&", "🙂", "\u200d", "a", "chủ trì "]),
        st.integers(0, 6_000),
    ),  # very long text
)


def check(markup: str, what: str) -> str:
    try:
        return plain_text(markup)
    except TelegramHtmlError as exc:
        raise AssertionError(f"{what}: {exc}\n{markup[:500]!r}") from None


@settings(
    max_examples=1_200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(question=hostile_text, group=st.booleans())
@example(question="Ai chủ trì hội thảo <b>thẻ</b>?", group=False)
@example(question="ai chu tri hoi nghi", group=True)
@example(question="Công ty A&B trình bày cách viết thẻ gì?", group=False)
def test_any_question_gets_valid_telegram_html(
    markup_engine: Engine, question: str, group: bool
) -> None:
    TRIED["questions through engine and renderer"] += 1
    answer = markup_engine.ask(question)
    check(render.answer_html(answer, group=group), "answer")
    for hit in answer.hits[:2]:
        check(render.passage_html(hit.passage.text, hit.source, hit.matched_words), "passage")
        check(
            render.paragraph_html(
                markup_engine.paragraph_text(hit.passage), hit.source, hit.matched_words
            ),
            "paragraph",
        )


def test_markup_in_articles_is_shown_not_interpreted(markup_engine: Engine) -> None:
    """The examples above really reach the markup article (else the property proves less)."""
    answer = markup_engine.ask("Công ty A&B trình bày cách viết thẻ gì?")
    markup = render.answer_html(answer, group=False)
    plain = check(markup, "answer")
    assert "<script>alert(1)</script>" in plain and "&lt;script&gt;" in markup
    assert "Hội thảo <b>thẻ</b> & ký hiệu" in plain


url_text = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.builds(lambda s: f"https://example.org/{s}", st.text(max_size=60)),
    st.sampled_from(
        [
            "javascript:alert(1)",
            "https://x.y/?a=1&b=<2>\"'",
            "http://",
            "tg://x",
            "https://ex.org/\u202e\u200d🙂",
            "HTTPS://X.Y/A B",
        ]
    ),
)
short_text = st.one_of(
    st.text(max_size=120), st.lists(st.sampled_from(WORDS), max_size=20).map(" ".join)
)
sources = st.builds(
    Source,
    title=short_text,
    date=st.none() | short_text,
    author=st.none() | short_text,
    url=url_text,
    paragraph=st.none() | st.integers(1, 10_000),
    file=st.text(max_size=40),
)


@settings(max_examples=800, deadline=None)
@given(
    quote=hostile_text,
    source=sources,
    words=st.lists(st.sampled_from(WORDS) | st.text(max_size=10), max_size=8),
)
def test_any_quote_and_source_render_valid_html(
    quote: str, source: Source, words: list[str]
) -> None:
    TRIED["generated quotes and sources"] += 1
    if not quote.strip():
        quote = "·"
    check(render.passage_html(quote, source, words), "passage")
    check(render.paragraph_html(quote, source, words), "paragraph")
    plain = check(render.source_html(source), "source line")
    assert source.title.replace("\n", " ")[:20] in plain.replace("\n", " ")


@pytest.mark.parametrize(
    "url",
    [
        'https://"x',
        "https://x.y/a b",
        "https://<b>/",
        "http://",
        "https://x.y:99999/",
        "ftp://x.y",
        "javascript:alert(1)",
        "https://x.y/\x00",
    ],
)
def test_a_malformed_link_is_left_out_rather_than_breaking_the_message(url: str) -> None:
    source = Source("Tiêu đề", None, None, url, 1, "a.txt")
    markup = render.source_html(source)
    check(markup, "source line")
    assert "<a " not in markup
    good = render.source_html(
        Source("Tiêu đề", None, None, "https://bến-tre.vn/a?b=1&c=2", 1, "a.txt")
    )
    assert '<a href="https://bến-tre.vn/a?b=1&amp;c=2">' in good


articles = st.builds(
    Article,
    file=st.text(max_size=40),
    title=short_text,
    date=st.none() | short_text,
    author=st.none() | short_text,
    url=url_text,
    paragraphs=st.lists(hostile_text, min_size=1, max_size=3).map(tuple),
)


@settings(max_examples=400, deadline=None)
@given(
    articles=st.lists(articles, min_size=1, max_size=40),
    skipped=st.lists(st.builds(SkippedFile, st.text(max_size=300), short_text), max_size=40),
    error=st.none() | hostile_text,
)
def test_any_article_list_and_reload_report_render_valid_html(
    articles: list[Article], skipped: list[SkippedFile], error: str | None
) -> None:
    TRIED["generated article lists and reload reports"] += 1
    for article in articles[:3]:
        check(render.article_card(article), "article card")
    for message in render.sources_messages(articles):
        check(message, "sources")
    report = ReloadReport(error is None, len(articles), 99, tuple(skipped), 0.5, error)
    plain = check(
        render.reload_html(report, preface=[render.escape(articles[0].title)]), "reload report"
    )
    if skipped and len(skipped[0].file) < 100:
        assert skipped[0].file.strip() in plain or "…" in plain


# --- The validator itself must be able to fail ----------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<b>x",
        "x</b>",
        "<b><i>x</b></i>",
        "<script>x</script>",
        "a < b",
        "a > b",
        "A&B",
        "&nbsp;",
        "<a>x</a>",
        '<a href="javascript:x">x</a>',
        "<blockquote><blockquote>x</blockquote></blockquote>",
        '<span class="x">y</span>',
        "<code><b>x</b></code>",
        "<b/>",
        "   ",
        "x" * 4_097,
        "🙂" * 2_049,
        "<B>x</B>",
        '<b onclick="x">y</b>',
    ],
)
def test_the_validator_rejects_what_telegram_would(markup: str) -> None:
    with pytest.raises(TelegramHtmlError):
        plain_text(markup)


@pytest.mark.parametrize(
    "markup",
    [
        "<b>x</b> &lt;&gt;&amp;&quot; &#128578; &#x1F642;",
        "<blockquote expandable>x</blockquote>",
        '<a href="https://x.y/?a=1&amp;b=2">x</a>',
        '<pre><code class="language-py">x</code></pre>',
        '<span class="tg-spoiler">x</span>',
        "x" * 4_096,
        "🙂" * 2_048,
    ],
)
def test_the_validator_accepts_what_telegram_does(markup: str) -> None:
    assert re.sub(r"\s", "", plain_text(markup))
