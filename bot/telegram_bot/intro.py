"""What the bot is and how to use it: /start (with example questions it really answers),
/help, /sources, the welcome in a new group, and the hints for what it cannot read."""

from __future__ import annotations

import asyncio
import weakref

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.core.examples import example_questions
from bot.telegram_bot import render, texts
from bot.telegram_bot.messages import is_group, reply
from bot.telegram_bot.state import BotApplication, BotContext, BotData

EXAMPLES = 3


async def examples_for(data: BotData) -> tuple[str, ...]:
    """The serving engine's example questions, made once per engine (in a worker thread: each
    candidate is asked)."""
    engine = data.engine
    if data.examples is not None and data.examples[0]() is engine:
        return data.examples[1]
    questions = tuple(await asyncio.to_thread(example_questions, engine, EXAMPLES))
    data.examples = (weakref.ref(engine), questions)
    return questions


async def on_start(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    data = context.bot_data
    user = update.effective_user
    name = f", {render.escape(user.first_name)}" if user and user.first_name else ""
    questions = await examples_for(data)
    examples = (
        texts.START_EXAMPLES.format(
            examples="\n".join(f"• <i>{render.escape(q)}</i>" for q in questions)
        )
        if questions
        else ""
    )
    text = texts.START.format(name=name, articles=len(data.engine.articles), examples=examples)
    await reply(message, text)


async def on_help(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    text = texts.HELP.format(username=render.escape(context.bot.username))
    if context.bot_data.is_admin(update.effective_user) and not is_group(message):
        text += texts.HELP_ADMIN
    await reply(message, text)


async def on_sources(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    articles = context.bot_data.engine.articles
    for number, text in enumerate(render.sources_messages(articles)):
        await reply(message, text, quote=None if number == 0 else False)


async def on_new_members(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or not any(m.id == context.bot.id for m in message.new_chat_members):
        return
    username = render.escape(context.bot.username)
    await reply(message, texts.GROUP_WELCOME.format(username=username), quote=False)


async def on_unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is not None:
        await reply(message, texts.UNKNOWN_COMMAND)


async def on_private_other(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice ... in a private chat: a short hint."""
    message = update.effective_message
    if message is not None:
        await reply(message, texts.NON_TEXT_PRIVATE)


def register(application: BotApplication) -> None:
    new = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("start", on_start, filters=new),
            CommandHandler("help", on_help, filters=new),
            CommandHandler(["sources", "nguon"], on_sources, filters=new),
            MessageHandler(
                new & filters.ChatType.GROUPS & filters.StatusUpdate.NEW_CHAT_MEMBERS,
                on_new_members,
            ),
        ]
    )


def register_fallbacks(application: BotApplication) -> None:
    """Last of all handlers: what no feature took in a private chat."""
    new_private = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
    application.add_handlers(
        [
            MessageHandler(new_private & filters.COMMAND, on_unknown_command),
            MessageHandler(new_private & ~filters.StatusUpdate.ALL, on_private_other),
        ]
    )
