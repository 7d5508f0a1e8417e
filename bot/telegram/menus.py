"""The command menus: per language and chat type for attendees, plus the admin commands."""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.i18n import LANGUAGES, t
from bot.storage.users import admin_chats
from bot.telegram.services import get_services, services_of

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

PRIVATE_COMMANDS = tuple(
    "start programme today now next verticals agenda follow unfollow lang help stop".split()
)

GROUP_COMMANDS = ("programme", "today", "now", "next", "verticals", "help")

ADMIN_COMMANDS = ("broadcast", "reload", "stats", "unanswered")

MENUS_SET_KEY = "admin_menus_set"


def bot_commands(language: str, names: tuple[str, ...]) -> list[BotCommand]:
    """The command menu in one language."""
    return [BotCommand(name, t(f"cmd_{name}", language)) for name in names]


def admin_menu(language: str) -> list[BotCommand]:
    """The admin commands, in one language, to add to an admin's menu."""
    return [BotCommand(name, t(f"cmd_{name}", language)) for name in ADMIN_COMMANDS]


async def set_admin_menu(bot: Bot, chat_id: int) -> bool:
    """Give one admin's chat the attendee menu plus the admin commands, in every language."""
    try:
        for code in (None, *LANGUAGES):
            language = code or "en"
            commands = bot_commands(language, PRIVATE_COMMANDS) + admin_menu(language)
            await bot.set_my_commands(
                commands, scope=BotCommandScopeChat(chat_id), language_code=code
            )
    except TelegramError as error:  # a chat Telegram does not know yet: next time they write
        log.info("admin menu for %s not set: %s", chat_id, error)
        return False
    return True


async def set_admin_menus(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """At start-up: the admin menu for every admin who has already talked to the bot."""
    services = services_of(application)
    done: set[int] = application.bot_data.setdefault(MENUS_SET_KEY, set())
    chats = [
        chat_id for chat_id, _ in await admin_chats(services.store, services.settings.admin_ids)
    ]
    for chat_id in chats:
        if await set_admin_menu(application.bot, chat_id):
            done.add(chat_id)
    return len(done)


async def admin_menu_on_sight(update: Update, context: Context) -> None:
    """Set an admin's menu the first time they show up in this run (private chats)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.id != user.id:
        return
    if not get_services(context).settings.is_admin(user.id):
        return
    done: set[int] = context.bot_data.setdefault(MENUS_SET_KEY, set())
    if chat.id not in done:
        done.add(chat.id)
        await set_admin_menu(context.bot, chat.id)


async def set_command_menus(bot: Bot) -> None:
    """The command menus: per language (fr, en, ar, default English) and per chat type."""
    scopes = (
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
    )
    try:
        for scope, names in scopes:
            for language in LANGUAGES:
                commands = bot_commands(language, names)
                await bot.set_my_commands(commands, scope=scope, language_code=language)
            await bot.set_my_commands(bot_commands("en", names), scope=scope)
        await bot.set_my_commands(bot_commands("en", PRIVATE_COMMANDS))
    except TelegramError as exc:
        # Menus are a convenience: the bot answers commands typed by hand without them.
        log.warning("command menus not set: %s", exc)
