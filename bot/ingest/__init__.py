"""Adding articles the way a newsroom has them: a link, a saved web page, a Word or PDF file.

A link or a file becomes a `Draft` (title, date, author, link, paragraphs), which is written
into the knowledge folder as `.md` with front matter, atomically; the same link again
updates its file. Every refusal is an `IngestError` whose message is the reason, in
Vietnamese, for the admin. This package never imports the Telegram library: the bot and the
command line both call it.

    draft = read_link("https://…", FetchPolicy.from_settings(settings))
    added = save_draft(settings.knowledge_dir, draft, max_file_bytes=…)
"""

from bot.ingest.dropped import Conversion, convert_dropped, convert_dropped_in
from bot.ingest.examples import example_question
from bot.ingest.fetch import FetchPolicy
from bot.ingest.model import Added, Draft, IngestError, Removed
from bot.ingest.sources import (
    CONVERTED_SUFFIXES,
    add_file,
    add_link,
    read_file,
    read_link,
)
from bot.ingest.store import move_to_trash, save_draft
from bot.ingest.urls import is_http_url

__all__ = [
    "CONVERTED_SUFFIXES",
    "Added",
    "Conversion",
    "Draft",
    "FetchPolicy",
    "IngestError",
    "Removed",
    "add_file",
    "add_link",
    "convert_dropped",
    "convert_dropped_in",
    "example_question",
    "is_http_url",
    "move_to_trash",
    "read_file",
    "read_link",
    "save_draft",
]
