"""The Vietnamese texts of the engine's replies (plain text; the Telegram layer renders HTML)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.model import Article, Source

NOT_FOUND = "Xin lỗi, các bài viết hiện có không nói về điều này."
VAGUE = (
    "Câu hỏi chưa có nội dung cụ thể để tra cứu. Bạn hãy hỏi rõ hơn, ví dụ: “Ai chủ trì hội nghị?”"
)
HELP = (
    "Xin chào! Tôi trả lời câu hỏi về các bài báo trong kho, kèm đoạn trích và nguồn. "
    "Hãy đặt câu hỏi bằng tiếng Việt, có dấu hay không dấu đều được, "
    "ví dụ: “Ai chủ trì hội nghị?” hoặc “hoi nghi dien ra khi nao”."
)


def english_question(example: str) -> str:
    """The reply to a question typed in English: bilingual on purpose, with an example."""
    return (
        "Tôi trả lời câu hỏi bằng tiếng Việt về các bài báo trong kho, "
        f"có dấu hay không dấu đều được, ví dụ: “{example}”\n"
        "I answer questions in Vietnamese about the news articles I hold, "
        f"for example: “{example}”"
    )


def source_line(source: Source) -> str:
    """One line naming where a quote comes from: title, date, paragraph, author, link."""
    parts = [f"«{source.title}»"]
    if source.date:
        parts.append(source.date)
    if source.paragraph is not None:
        parts.append(f"đoạn {source.paragraph}")
    if source.author:
        parts.append(f"tác giả {source.author}")
    line = "Nguồn: " + ", ".join(parts)
    return f"{line} — {source.url}" if source.url else line


def quote_reply(quote: str, source: Source) -> str:
    return f"“{quote}”\n— {source_line(source)}"


def article_summary(article: Article) -> str:
    details = [f"«{article.title}»"]
    if article.author:
        details.append(f"tác giả {article.author}")
    if article.date:
        details.append(f"đăng {article.date}")
    if article.url:
        details.append(article.url)
    return ", ".join(details)


def which_article(articles: Sequence[Article], limit: int = 10) -> str:
    lines = [f"Kho có {len(articles)} bài viết; bạn hỏi về bài nào?"]
    lines += [f"• {article_summary(a)}" for a in articles[:limit]]
    if len(articles) > limit:
        lines.append(f"… và {len(articles) - limit} bài khác.")
    return "\n".join(lines)


def author_statement(article: Article) -> str:
    if article.author:
        return f"Bài «{article.title}» do {article.author} viết."
    return f"Bài «{article.title}» không ghi tên tác giả."


def date_statement(article: Article) -> str:
    if article.date:
        return f"Bài «{article.title}» đăng lúc {article.date}."
    return f"Bài «{article.title}» không ghi ngày đăng."


def title_statement(article: Article) -> str:
    return f"Tiêu đề bài viết: «{article.title}»."


def link_statement(article: Article) -> str:
    if article.url:
        return f"Bài «{article.title}» có tại: {article.url}"
    return f"Bài «{article.title}» không kèm đường dẫn tới trang gốc."
