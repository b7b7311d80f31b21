"""The answer engine: articles, text processing, passages, index and answers.

Nothing in this package imports `telegram`; the Telegram layer builds on it.
"""
