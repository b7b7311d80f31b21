"""The Telegram layer: turns updates into questions and answers into messages.

`app.build_application` builds the python-telegram-bot Application; `runner.run` is
`python -m bot run`. Only this package imports `telegram`; the answer engine (`bot.core`)
knows nothing about it.
"""
