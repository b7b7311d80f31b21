"""A strict validator of Telegram's HTML parse mode, stricter than Telegram itself.

Per https://core.telegram.org/bots/api#html-style: only these tags, properly nested and
closed; ``<``, ``>`` and ``&`` outside tags written as entities, and only the entities
``&lt; &gt; &amp; &quot;`` or numeric ones; the message at most 4096 characters *after*
entity parsing, counted in UTF-16 code units as Telegram counts them; not empty.
"""

from __future__ import annotations

import html
import re

MAX_MESSAGE = 4096

# tag -> allowed attributes: name -> value pattern (None: a bare attribute)
ALLOWED: dict[str, dict[str, re.Pattern[str] | None]] = {
    "b": {},
    "strong": {},
    "i": {},
    "em": {},
    "u": {},
    "ins": {},
    "s": {},
    "strike": {},
    "del": {},
    "tg-spoiler": {},
    "pre": {},
    "span": {"class": re.compile(r"tg-spoiler")},
    # a link: a scheme Telegram accepts, a host, no white space or control characters
    "a": {
        "href": re.compile(r"(?i:https?|tg)://(?:[^\s/@]+@)?[\w.-]+(?:[:/?#][^\s\x00-\x1f\x7f]*)?")
    },
    "code": {"class": re.compile(r"language-[\w+-]+")},
    "blockquote": {"expandable": None},
    "tg-emoji": {"emoji-id": re.compile(r"\d+")},
}
REQUIRED = {"a": "href", "span": "class", "tg-emoji": "emoji-id"}

_TAG_RE = re.compile(r"<(/?)([a-z-]+)((?:\s+[a-z-]+(?:=\"[^\"<>]*\")?)*)\s*>")
_ATTR_RE = re.compile(r"\s+([a-z-]+)(?:=\"([^\"<>]*)\")?")
_ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_TEXT_ENTITY_RE = re.compile(r"&")


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class TelegramHtmlError(AssertionError):
    pass


def _check_text(chunk: str, where: int, markup: str) -> None:
    for bad in ("<", ">"):
        position = chunk.find(bad)
        if position >= 0:
            start = max(0, where + position - 40)
            raise TelegramHtmlError(f"bare {bad!r} at {where + position}: {markup[start:][:80]!r}")
    for match in _TEXT_ENTITY_RE.finditer(chunk):
        if not _ENTITY_RE.match(chunk, match.start()):
            start = where + match.start()
            raise TelegramHtmlError(f"bad entity at {start}: {markup[start : start + 12]!r}")


def plain_text(markup: str) -> str:
    """Validate `markup` strictly; return the text Telegram would show. Raises on a problem."""
    stack: list[str] = []
    text: list[str] = []
    position = 0
    for match in _TAG_RE.finditer(markup):
        chunk = markup[position : match.start()]
        _check_text(chunk, position, markup)
        text.append(html.unescape(chunk))
        position = match.end()
        closing, name, attributes = match.group(1), match.group(2), match.group(3)
        if name not in ALLOWED:
            raise TelegramHtmlError(f"tag not allowed: <{closing}{name}>")
        if closing:
            if attributes.strip():
                raise TelegramHtmlError(f"attributes on a closing tag </{name}>")
            if not stack or stack[-1] != name:
                raise TelegramHtmlError(f"</{name}> does not close {stack[-1:] or 'anything'}")
            stack.pop()
            continue
        seen: set[str] = set()
        for attribute in _ATTR_RE.finditer(attributes):
            key, value = attribute.group(1), attribute.group(2)
            allowed = ALLOWED[name]
            if key not in allowed or key in seen:
                raise TelegramHtmlError(f"attribute {key!r} not allowed on <{name}>")
            pattern = allowed[key]
            if (pattern is None) != (value is None) or (
                pattern is not None
                and value is not None
                and not pattern.fullmatch(html.unescape(value))
            ):
                raise TelegramHtmlError(f"bad value for {name} {key}: {value!r}")
            if value is not None:
                _check_text(value.replace(">", ""), match.start(), markup)
            seen.add(key)
        if name in REQUIRED and REQUIRED[name] not in seen:
            raise TelegramHtmlError(f"<{name}> without {REQUIRED[name]}")
        if stack and stack[-1] in ("code", "pre") and not (stack[-1] == "pre" and name == "code"):
            raise TelegramHtmlError(f"<{name}> inside <{stack[-1]}>")
        if name == "blockquote" and "blockquote" in stack:
            raise TelegramHtmlError("nested <blockquote>")
        if name == "a" and "a" in stack:
            raise TelegramHtmlError("nested <a>")
        stack.append(name)
    tail = markup[position:]
    _check_text(tail, position, markup)
    text.append(html.unescape(tail))
    if stack:
        raise TelegramHtmlError(f"unclosed tags: {stack}")
    plain = "".join(text)
    if not plain.strip():
        raise TelegramHtmlError("empty message")
    if utf16_units(plain) > MAX_MESSAGE:
        raise TelegramHtmlError(f"too long: {utf16_units(plain)} UTF-16 units")
    return plain
