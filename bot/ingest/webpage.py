"""A news page (fetched, or saved from a browser) to a Draft: trafilatura finds the article
body among menus, related-article boxes, share buttons and comments; htmldate its date.

Neither library is given anything it could fetch: both get parsed trees, never a string
(htmldate downloads a string that looks like a link).
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterator, Sequence

import htmldate
import trafilatura
from lxml.html import HtmlElement

from bot.core.text import clean_text
from bot.ingest.compose import draft_from_text, is_prose
from bot.ingest.encodings import decode_page
from bot.ingest.model import Draft, IngestError
from bot.ingest.urls import is_http_url, normalize_url, same_article_keys

MAX_LEAD_CHARS = 1500

# trafilatura warns "discarding data: None" for every page without an article: our refusal
# says it to the admin, the log needs no second line.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

# The lead paragraph ("sapo") of Vietnamese news pages sits in its own element between the
# headline and the body, where trafilatura's body extraction does not look.
_LEAD_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:sapo|chap+eau|summary|lead|description|excerpt|intro|tom-?tat)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Teasers of other articles carry the same class names as a lead.
_NOT_ARTICLE_CLASS_RE = re.compile(
    r"relat|lien-?quan|comment|binh-?luan|item-news|most-?read|doc-?nhieu|teaser",
    re.IGNORECASE,
)
# Boxes inside an article body that are not the article: related articles ("Tin liên
# quan", "Xem thêm"), share buttons, tags, comments, ads. trafilatura keeps some of them.
_BOILERPLATE_WORDS = (
    "relate",
    "lienquan",
    "lien-quan",
    "tin-lien-quan",
    "xemthem",
    "xem-them",
    "readmore",
    "read-more",
    "box-tin",
    "tinkhac",
    "tin-khac",
    "most-read",
    "docnhieu",
    "doc-nhieu",
    "comment",
    "binhluan",
    "binh-luan",
    "social",
    "share",
    "tags",
    "quangcao",
    "quang-cao",
    "advert",
    "banner",
)
_LOWER = (
    "translate(concat(' ', @class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
    "'abcdefghijklmnopqrstuvwxyz')"
)
_BOILERPLATE_XPATH = (
    "//*[" + " or ".join(f"contains({_LOWER}, '{word}')" for word in _BOILERPLATE_WORDS) + "]"
)
_ISO_TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})")
_DATE_LINE_RE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")
_SAVED_FROM_RE = re.compile(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->", re.I)


def _text_of(element: HtmlElement) -> str:
    return re.sub(r"\s+", " ", clean_text(element.text_content() or "")).strip()


def _classes(element: HtmlElement) -> str:
    return " ".join(str(element.get(name) or "") for name in ("class", "id"))


def _inside_other_content(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in ("figure", "figcaption", "aside", "nav", "footer", "header", "li"):
            return True
        if _NOT_ARTICLE_CLASS_RE.search(_classes(ancestor)):
            return True
    return False


def _elements_after_headline(tree: HtmlElement) -> Iterator[HtmlElement]:
    headline = next(iter(tree.iter("h1")), None)
    started = headline is None
    for element in tree.iter():
        if element is headline:
            started = True
            continue
        if started and isinstance(element.tag, str):
            yield element


def find_lead(tree: HtmlElement) -> str | None:
    """The page's lead paragraph, when it has one marked as such after the headline."""
    for element in _elements_after_headline(tree):
        marked = _LEAD_CLASS_RE.search(_classes(element)) or element.get("data-role") == "sapo"
        if not marked or element.tag in ("meta", "img", "script", "style"):
            continue
        text = _text_of(element)
        if is_prose(text) and len(text) <= MAX_LEAD_CHARS and not _inside_other_content(element):
            return text
    return None


def _time_of_day(tree: HtmlElement, date: str) -> str | None:
    """ "HH:MM" of the publication date, from the page's metadata or its printed date line
    (htmldate finds the day; the time is what the seed articles' dates show as well)."""
    year, month, day = date[:10].split("-")
    for element in tree.iter("meta", "time"):
        for value in (element.get("content"), element.get("datetime")):
            match = _ISO_TIME_RE.search(value or "")
            if match and match.group(1, 2, 3) == (year, month, day):
                return f"{int(match.group(4)):02d}:{match.group(5)}"
    day_month = rf"0?{int(day)}[/.-]0?{int(month)}[/.-]{year}"
    printed = re.compile(
        rf"{day_month}\D{{1,12}}?(\d{{1,2}})[:hg](\d{{2}})|(\d{{1,2}})[:hg](\d{{2}})\D{{1,12}}?{day_month}"
    )
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        for text in (element.text, element.tail):
            match = printed.search(text or "")
            if match:
                hour, minute = match.group(1, 2) if match.group(1) else match.group(3, 4)
                if int(hour) < 24 and int(minute) < 60:
                    return f"{int(hour):02d}:{minute}"
    return None


def find_date(tree: HtmlElement) -> str | None:
    """ "2024-03-15 08:00" (or the day alone) of the article's first publication."""
    try:
        day = htmldate.find_date(tree, original_date=True, extensive_search=True)
    except (ValueError, TypeError):
        return None
    if not day:
        return None
    time_of_day = _time_of_day(tree, day)
    return f"{day} {time_of_day}" if time_of_day else day


# (favor precision, include tables, prune boxes): precision keeps related boxes and
# comments out; recall finds bodies split over many small blocks; tables, bodies laid out in
# one (old portals), at the price of the menus in its other cells. Last, nothing pruned, in
# case a site names its article container like a box.
_ATTEMPTS = ((True, False, True), (False, False, True), (False, True, True), (True, False, False))


def _extract(
    text: str, url: str | None, precision: bool, tables: bool, prune: bool
) -> trafilatura.settings.Document | None:
    tree = trafilatura.load_html(text)
    if tree is None:
        raise IngestError("tệp không phải trang web (HTML) đọc được")
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=tables,
        include_images=False,
        include_links=False,
        favor_precision=precision,
        favor_recall=not precision,
        prune_xpath=_BOILERPLATE_XPATH if prune else None,
    )
    return document  # type: ignore[return-value]


def _without_navigation(paragraphs: list[str]) -> list[str]:
    """Menu entries before the first paragraph of prose (a date line may stay)."""
    for position, paragraph in enumerate(paragraphs):
        if is_prose(paragraph) or _DATE_LINE_RE.search(paragraph):
            return paragraphs[position:]
    return paragraphs


def page_url(markup: str, tree: HtmlElement) -> str | None:
    """The link a saved page names for itself: canonical, og:url, or the browser's
    "saved from" note."""
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower() and is_http_url(link.get("href") or ""):
            return str(link.get("href")).strip()
    for meta in tree.iter("meta"):
        if (meta.get("property") or "").lower() == "og:url" and is_http_url(
            meta.get("content") or ""
        ):
            return str(meta.get("content")).strip()
    saved = _SAVED_FROM_RE.search(markup[:4096])
    return saved.group(1) if saved else None


def _stored(url: str | None) -> str | None:
    try:
        return normalize_url(url) if url else None
    except ValueError:
        return None


def extract_page(
    data: bytes,
    *,
    charset: str | None = None,
    url: str | None = None,
    also_known_as: Sequence[str] = (),
) -> Draft:
    """The article of an HTML page. `url` is where it was fetched from (None for a saved
    page: its own canonical link is used); `also_known_as`, other links that led to it."""
    page = decode_page(data, charset)
    original = trafilatura.load_html(page.text)
    if original is None or not len(original):
        raise IngestError("tệp không phải trang web (HTML) đọc được")
    canonical = page_url(page.text, original)
    link = url or canonical
    lead = find_lead(copy.deepcopy(original))
    date = find_date(copy.deepcopy(original))
    draft: Draft | None = None
    reason: IngestError | None = None
    for precision, tables, prune in _ATTEMPTS:
        document = _extract(page.text, link, precision, tables, prune)
        if document is None or not document.text:
            continue
        paragraphs = _without_navigation(document.text.split("\n"))
        if lead and not any(lead[:60] in p for p in paragraphs[:3]):
            paragraphs.insert(0, lead)
        title = document.title or next((_text_of(h) for h in original.iter("h1")), None)
        try:
            draft = draft_from_text(
                title,
                paragraphs,
                date=date,
                author=document.author or None,
                url=_stored(link),
                same_as=same_article_keys(link, *also_known_as, canonical),
                notes=(page.note,) if page.note else (),
            )
            break
        except IngestError as exc:
            reason = reason or exc
    if draft is None:
        raise reason or IngestError(
            "không tìm thấy bài viết trên trang (có thể là trang chủ, trang chuyên mục hoặc "
            "danh sách tin)"
        )
    return draft
