"""A Telegram bot that answers questions about Vietnamese news articles with a cited quote."""

__version__ = "0.1.0"
