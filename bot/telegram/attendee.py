"""The attendee's conversation: welcome, language, questions and answers, whatever else comes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from telegram import (
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes, ExtBot

from bot.clock import woken_or_timed_out
from bot.i18n import LANGUAGES, t
from bot.i18n.dates import spell_short_date, spell_time_range
from bot.storage import users
from bot.storage.questions import log_question, record_feedback
from bot.telegram import menus, rooms
from bot.telegram.polling import monitor_of
from bot.telegram.programme import (
    NO_PREVIEW,
    conversation_of,
    event_zone,
    send_answer_list,
    send_session_card,
)
from bot.telegram.render import (
    Action,
    answer_html,
    answer_keyboard,
    button,
    deep_link,
    parse_callback,
    session_card,
    short_ref,
    top_session,
    trim_plain,
)
from bot.telegram.services import get_services
from bot.telegram.users import is_private, language_of, remember_language, without_mention

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
MAX_QUESTION_CHARS = 1000  # longer messages are trimmed: retrieval needs the gist, not an essay
# An answer slower than this shows "typing...": under about a second a delay reads as the
# flow of a conversation (Nielsen's response-time limits), and each indicator is a Bot API
# request of its own (a third of the event loop's CPU per reply under a crowd, measured).
TYPING_AFTER_SECONDS = 1.0
TYPING_EVERY_SECONDS = 4.5  # Telegram shows "typing..." for about five seconds
INLINE_RESULTS = 10
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}


def _event_name(context: Context, language: str) -> str:
    event = get_services(context).assistant.knowledge.event
    if event is None:
        return context.bot.first_name
    return event.names.get(language) or event.name


async def start(update: Update, context: Context) -> None:
    """Welcome the user, subscribe them; `s_<id>` opens a session card, `room_<ref>` a room."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    language = language_of(update, context)
    if not is_private(message):
        await message.reply_text(t("welcome_group", language))
        return
    await users.set_subscribed(get_services(context).store, user.id, True)
    await message.reply_text(t("welcome", language, event=_event_name(context, language)))
    payload = context.args[0] if context.args else ""
    if payload.startswith(rooms.SESSION_PREFIX) and not await send_session_card(
        update, context, payload.removeprefix(rooms.SESSION_PREFIX)
    ):
        await message.reply_text(t("session_unknown", language))
    room = payload.removeprefix(rooms.ROOM_PREFIX)
    if room != payload and not await rooms.send_room(update, context, room):
        await message.reply_text(t("room_unknown", language))


async def stop(update: Update, context: Context) -> None:
    """Unsubscribe the user from announcements."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    await users.set_subscribed(get_services(context).store, user.id, False)
    await message.reply_text(t("stopped", language_of(update, context)))


async def help_command(update: Update, context: Context) -> None:
    """Explain what the bot does and list the commands."""
    if update.effective_message:
        text = t("help", language_of(update, context), bot=context.bot.username)
        await update.effective_message.reply_text(text)


async def choose_language(update: Update, context: Context) -> None:
    """Offer the three languages as buttons."""
    buttons = [button(LANGUAGE_NAMES[code], Action.LANG, code) for code in LANGUAGES]
    if update.effective_message:
        await update.effective_message.reply_text(
            t("lang_choose", language_of(update, context)),
            reply_markup=InlineKeyboardMarkup([buttons]),
        )


async def set_language(update: Update, context: Context) -> None:
    """Switch the user's language (and their command menu) to the one pressed."""
    query = update.callback_query
    if query is None:
        return
    pressed = parse_callback(query.data)
    if pressed is None or not pressed.args or pressed.args[0] not in LANGUAGES:
        await query.answer()  # a forged or stale button: stop the spinner, change nothing
        return
    language = pressed.args[0]
    await users.set_language(get_services(context).store, query.from_user.id, language)
    remember_language(context, language)
    await query.answer()
    await query.edit_message_text(t("lang_set", language))
    if query.message is not None and query.message.chat.type == ChatType.PRIVATE:
        # This chat's menu follows the choice (the per-language menus follow the app's language).
        scope = BotCommandScopeChat(query.message.chat.id)
        commands = menus.bot_commands(language, menus.PRIVATE_COMMANDS)
        if get_services(context).settings.is_admin(query.from_user.id):
            commands += menus.admin_menu(language)  # an admin keeps the admin commands
        with suppress(BadRequest):  # a menu that cannot follow is not worth an error
            await context.bot.set_my_commands(commands, scope=scope)


@asynccontextmanager
async def typing(bot: ExtBot[Any], chat_id: int) -> AsyncIterator[None]:
    """Show "typing..." in the chat if the block takes a noticeable time, until it ends."""
    done = asyncio.Event()

    async def keep_typing() -> None:
        # An answer ready within a blink needs no indicator (and saves a request per question
        # when the venue is busy); a slower one shows "typing..." until it is sent.
        await woken_or_timed_out(done, TYPING_AFTER_SECONDS)
        while not done.is_set():
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as exc:
                log.debug("typing action refused: %s", exc)
                return
            await woken_or_timed_out(done, TYPING_EVERY_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        done.set()
        # Let an action already on the wire finish, so it never lands after the answer.
        await task


async def ask(update: Update, context: Context) -> None:
    """Answer a free-text question with where the answer comes from."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    text = without_mention(message.text or message.caption or "", context.bot.username)
    if not text:
        await help_command(update, context)
        return
    services = get_services(context)
    question, trimmed = trim_plain(text, MAX_QUESTION_CHARS)
    conversation = conversation_of(context)
    # A cached answer comes back within the typing delay: no indicator is sent for it.
    async with typing(context.bot, message.chat.id):
        answer = await services.assistant.answer_in_async(question, conversation)
    knowledge = answer.knowledge or services.assistant.knowledge  # the version it came from
    question_id = await log_question(
        services.store,
        user.id if user else None,
        question,
        answer.language,
        answer.answered,
        answer.top_score,
    )
    note = t("trimmed", answer.language, limit=MAX_QUESTION_CHARS) if trimmed else ""
    if answer.kind == "programme" and answer.hits:
        await send_answer_list(message, context, answer, question_id)
        return
    note = " ".join(part for part in (answer.past_note, note) if part)  # the assistant's clock
    await message.reply_html(
        answer_html(answer, knowledge, note),
        reply_markup=answer_keyboard(answer, question_id, top_session(answer, knowledge)),
        link_preview_options=NO_PREVIEW,
    )


async def feedback(update: Update, context: Context) -> None:
    """Store a thumbs up or down on an answer."""
    query = update.callback_query
    pressed = parse_callback(query.data) if query else None
    if query is None or pressed is None:
        return
    try:
        question_id, value = int(pressed.args[0]), int(pressed.args[1])
    except (IndexError, ValueError):
        await query.answer()
        return
    if value in (-1, 1):
        await record_feedback(get_services(context).store, query.from_user.id, question_id, value)
    await query.answer(t("feedback_thanks", language_of(update, context)))


async def sticker(update: Update, context: Context) -> None:
    """Answer a sticker with a friendly hint."""
    if update.effective_message:
        await update.effective_message.reply_text(t("sticker_reply", language_of(update, context)))


async def game(update: Update, context: Context) -> None:
    """Answer a dice throw or a poll: a nod, and what the bot does answer."""
    if update.effective_message:
        await update.effective_message.reply_text(t("game_reply", language_of(update, context)))


async def media(update: Update, context: Context) -> None:
    """Say that photos, voice and files are not read, and how to ask instead."""
    if update.effective_message:
        await update.effective_message.reply_text(t("media_reply", language_of(update, context)))


async def unknown_command(update: Update, context: Context) -> None:
    """Point to /help when a private command is not one of ours (nor an admin's)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    name = message.text.split()[0].lstrip("/").split("@")[0].lower()
    if name in known_commands(context.application):
        return
    await message.reply_text(t("unknown_command", language_of(update, context)))


def known_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> set[str]:
    """Every command some handler answers, in any group (admin ones included)."""
    return {
        command
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


async def inline_sessions(update: Update, context: Context) -> None:
    """Offer session cards matching `@bot words` in any chat."""
    query = update.inline_query
    if query is None:
        return
    services = get_services(context)
    language = language_of(update, context)
    words = " ".join(query.query.split())[:200]
    sessions = await asyncio.to_thread(services.assistant.search_sessions, words, INLINE_RESULTS)
    knowledge, zone = services.assistant.knowledge, event_zone(services)
    results, seen = [], set()
    for session in sessions:
        ref = short_ref(session.id)
        if ref in seen:
            continue
        seen.add(ref)
        start, end = session.start.astimezone(zone), session.end.astimezone(zone)
        details = [spell_short_date(start.date(), language), spell_time_range(start, end)]
        open_button = InlineKeyboardButton(
            t("btn_open", language), url=deep_link(context.bot.username, session)
        )
        results.append(
            InlineQueryResultArticle(
                id=ref,
                title=session.title,
                description=" · ".join([*details, session.room] if session.room else details),
                input_message_content=InputTextMessageContent(
                    session_card(session, knowledge, language, zone),
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                ),
                reply_markup=InlineKeyboardMarkup([[open_button]]),
            )
        )
    await query.answer(
        results,
        cache_time=30,
        button=InlineQueryResultsButton(t("btn_open_bot", language), start_parameter="inline"),
    )


async def on_error(update: object, context: Context) -> None:
    """Log a failed update and apologise to the user it happened to; polling goes on."""
    error = context.error
    if (monitor := monitor_of(context)) is not None:
        monitor.error()
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        log.warning("network trouble: %s", error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        await users.mark_blocked(get_services(context).store, update.effective_chat.id)
        return
    language = language_of(update, context)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t("error_apology", language), show_alert=True)
        elif (
            update.effective_message is not None and update.effective_chat.type == ChatType.PRIVATE
        ):
            await update.effective_message.reply_text(t("error_apology", language))
    except TelegramError as exc:
        log.warning("apology not delivered: %s", exc)
