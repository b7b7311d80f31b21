"""The small typed values of adding articles, and the one error type with its reason."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.model import Article


class IngestError(Exception):
    """A link or a file cannot become an article. The message is the reason, in Vietnamese,
    meant for the admin as it is (nothing was written when this is raised)."""


@dataclass(frozen=True, slots=True)
class Draft:
    """An article read from a page or a file, not yet in the knowledge folder."""

    title: str
    date: str | None  # "2024-03-15 08:00", "2024-03-15", or as the source printed it
    author: str | None
    url: str | None  # the link the article is cited with
    paragraphs: tuple[str, ...]
    # Normalised links that name this same article (the one asked for, where it redirected,
    # the page's canonical link): a later add of any of them updates it.
    same_as: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # Vietnamese, e.g. that a legacy encoding was converted


@dataclass(frozen=True, slots=True)
class Added:
    """An article written to the knowledge folder, as the bot will read it."""

    article: Article  # parsed back from the written file; article.file is its name
    replaced: str | None  # the file of the same link it replaced, None for a new article
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Removed:
    file: str  # relative to the knowledge folder
    kept_as: str  # where the file went, relative to the knowledge folder (recoverable)
