"""Errors of the answer engine; messages are Vietnamese and meant for the person at hand."""


class KnowledgeError(Exception):
    """The knowledge folder cannot serve: missing, unreadable or without any usable article."""


class ArticleError(Exception):
    """One file cannot be read as an article; the message says why."""
