"""Handlers for the programme: commands, inline buttons, and the session card's actions."""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot.clock import utc_now
from bot.domain import Answer, KnowledgeBase, Session
from bot.i18n import t
from bot.search.followups import Conversation
from bot.storage.agenda import is_saved, remove_session, save_session
from bot.telegram.calendar import ics_filename, session_ics
from bot.telegram.render import (
    CARD_FLAG,
    NEW_MESSAGE,
    Action,
    Callback,
    Page,
    button,
    parse_callback,
    resolve_ref,
)
from bot.telegram.services import Services, get_services
from bot.telegram.users import language_of
from bot.telegram.views import (
    ListedAnswer,
    Moment,
    answer_list_page,
    card_page,
    day_page,
    days_page,
    listed_answer,
    timeline_page,
    vertical_page,
    verticals_page,
)

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def event_zone(services: Services) -> ZoneInfo:
    """The event's time zone: the setting, else the knowledge's."""
    event = services.assistant.knowledge.event
    return services.settings.zone(event.timezone if event else None)


async def send_page(message: Message, page: Page) -> None:
    """Reply with a page (Telegram HTML and its keyboard)."""
    await message.reply_html(page.text, reply_markup=page.markup, link_preview_options=NO_PREVIEW)


async def edit_page(query: CallbackQuery, page: Page) -> None:
    """Show a page in place of the message whose button was pressed."""
    try:
        await query.edit_message_text(
            page.text,
            parse_mode=ParseMode.HTML,
            reply_markup=page.markup,
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as exc:
        # Pressing the button of the page already shown changes nothing: not an error.
        if "not modified" not in exc.message.lower():
            raise


def _pressed(update: Update) -> tuple[CallbackQuery, Callback]:
    query = update.callback_query
    assert query is not None
    parsed = parse_callback(query.data)
    assert parsed is not None  # the handler's pattern matched our own callback data
    return query, parsed


def _session(knowledge: KnowledgeBase, ref: str) -> Session | None:
    session_id = resolve_ref(ref, knowledge.sessions)
    return knowledge.sessions.get(session_id) if session_id else None


async def _pressed_session(
    update: Update, context: Context
) -> tuple[CallbackQuery, Services, str, Session] | None:
    """The pressed button's query, services, language and session (None: told it is gone)."""
    query, pressed = _pressed(update)
    services = get_services(context)
    language = language_of(update, context)
    session = _session(services.assistant.knowledge, pressed.args[0]) if pressed.args else None
    if session is None:
        await query.answer(t("session_unknown", language), show_alert=True)
        return None
    return query, services, language, session


# --- commands ---------------------------------------------------------------------------------


async def programme(update: Update, context: Context) -> None:
    """Send the programme's days."""
    services = get_services(context)
    page = days_page(
        services.assistant.knowledge, language_of(update, context), event_zone(services)
    )
    if update.effective_message:
        await send_page(update.effective_message, page)


async def verticals(update: Update, context: Context) -> None:
    """Send the list of thematic verticals."""
    page = verticals_page(get_services(context).assistant.knowledge, language_of(update, context))
    if update.effective_message:
        await send_page(update.effective_message, page)


async def _timeline(update: Update, context: Context, moment: Moment) -> None:
    services = get_services(context)
    language = language_of(update, context)
    knowledge = services.assistant.knowledge
    page = timeline_page(moment, knowledge, utc_now(), language, event_zone(services))
    if update.effective_message:
        await send_page(update.effective_message, page)


async def today(update: Update, context: Context) -> None:
    """Send today's sessions (or a countdown, or "the event has ended")."""
    await _timeline(update, context, Moment.TODAY)


async def now_on(update: Update, context: Context) -> None:
    """Send the sessions running now."""
    await _timeline(update, context, Moment.NOW)


async def next_up(update: Update, context: Context) -> None:
    """Send the next sessions."""
    await _timeline(update, context, Moment.NEXT)


async def send_session_card(update: Update, context: Context, ref: str) -> bool:
    """Send the card of the session `ref` points to (deep links); False if there is none."""
    services = get_services(context)
    knowledge = services.assistant.knowledge
    session = _session(knowledge, ref)
    user, message = update.effective_user, update.effective_message
    if session is None or user is None or message is None:
        return False
    saved = await is_saved(services.store, user.id, session.id)
    language = language_of(update, context)
    await send_page(message, card_page(knowledge, session, language, event_zone(services), saved))
    return True


# --- buttons ----------------------------------------------------------------------------------


async def show_days(update: Update, context: Context) -> None:
    """Show the programme's days."""
    query, _ = _pressed(update)
    await query.answer()
    services = get_services(context)
    language = language_of(update, context)
    await edit_page(query, days_page(services.assistant.knowledge, language, event_zone(services)))


async def show_day(update: Update, context: Context) -> None:
    """Show one page of a day's sessions."""
    query, pressed = _pressed(update)
    await query.answer()
    try:
        day, page = date.fromisoformat(pressed.args[0]), int(pressed.args[1])
    except (IndexError, ValueError):
        return
    services = get_services(context)
    knowledge, language = services.assistant.knowledge, language_of(update, context)
    await edit_page(query, day_page(knowledge, day, page, language, event_zone(services)))


async def show_verticals(update: Update, context: Context) -> None:
    """Show the list of verticals."""
    query, _ = _pressed(update)
    await query.answer()
    knowledge = get_services(context).assistant.knowledge
    await edit_page(query, verticals_page(knowledge, language_of(update, context)))


async def show_vertical(update: Update, context: Context) -> None:
    """Show one page of a vertical's sessions."""
    query, pressed = _pressed(update)
    await query.answer()
    services = get_services(context)
    knowledge, language = services.assistant.knowledge, language_of(update, context)
    vertical_id = resolve_ref(pressed.args[0], knowledge.verticals) if pressed.args else None
    if vertical_id is None:
        await edit_page(query, verticals_page(knowledge, language))
        return
    page = int(pressed.args[1]) if len(pressed.args) > 1 and pressed.args[1].isdigit() else 0
    zone = event_zone(services)
    await edit_page(query, vertical_page(knowledge, vertical_id, page, language, zone))


async def show_session(update: Update, context: Context) -> None:
    """Show a session's card (in place, or as a new message from an answer or the agenda)."""
    found = await _pressed_session(update, context)
    if found is None:
        return
    query, services, language, session = found
    knowledge = services.assistant.knowledge
    await query.answer()
    saved = await is_saved(services.store, query.from_user.id, session.id)
    page = card_page(knowledge, session, language, event_zone(services), saved)
    new_message = NEW_MESSAGE in _pressed(update)[1].args[1:]
    if new_message and isinstance(query.message, Message):
        await send_page(query.message, page)
    else:
        await edit_page(query, page)


def too_late_key(session: Session) -> str:
    """Why no reminder can be set: cancelled, over, running, or starting too soon."""
    now = utc_now()
    if session.cancelled:
        return "remind_cancelled"
    if session.end <= now:
        return "remind_ended"
    if session.start <= now:
        return "remind_running"
    return "remind_too_late"


async def _remind(services: Services, user_id: int, session: Session, language: str) -> str:
    """Schedule the reminder that goes with a saved session; what to tell the user."""
    if services.reminders is None:
        return ""
    remind_at = await services.reminders.schedule(user_id, user_id, session)
    if remind_at is None:
        return t(too_late_key(session), language)
    local = remind_at.astimezone(event_zone(services))
    minutes = round((session.start - remind_at).total_seconds() / 60)
    return t("remind_set", language, time=f"{local:%H:%M}", minutes=minutes)


async def save(update: Update, context: Context) -> None:
    """Save a session to the user's agenda, with its reminder."""
    query, pressed = _pressed(update)
    services = get_services(context)
    language = language_of(update, context)
    session = _session(services.assistant.knowledge, pressed.args[0]) if pressed.args else None
    if session is None:
        await query.answer(t("session_unknown", language), show_alert=True)
        return
    fresh = await save_session(services.store, query.from_user.id, session.id)
    reminder = await _remind(services, query.from_user.id, session, language)
    await query.answer(f"{t('saved' if fresh else 'already_saved', language)} {reminder}".strip())
    if CARD_FLAG in pressed.args[1:]:
        await _refresh_card(query, services, session, language, saved=True)


async def unsave(update: Update, context: Context) -> None:
    """Remove a session from the user's agenda, and its reminder."""
    query, pressed = _pressed(update)
    services = get_services(context)
    language = language_of(update, context)
    session = _session(services.assistant.knowledge, pressed.args[0]) if pressed.args else None
    session_id = session.id if session else None
    if session_id is not None:
        await remove_session(services.store, query.from_user.id, session_id)
        if services.reminders is not None:
            await services.reminders.cancel(query.from_user.id, session_id)
    await query.answer(t("unsaved", language))
    if session is not None and CARD_FLAG in pressed.args[1:]:
        await _refresh_card(query, services, session, language, saved=False)


async def _refresh_card(
    query: CallbackQuery, services: Services, session: Session, language: str, saved: bool
) -> None:
    """Switch the card's save button to the session's new state, keeping the way back."""
    knowledge = services.assistant.knowledge
    page = card_page(knowledge, session, language, event_zone(services), saved)
    try:
        await query.edit_message_reply_markup(page.markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def remind(update: Update, context: Context) -> None:
    """Remind the user before a session (saving it to the agenda too)."""
    found = await _pressed_session(update, context)
    if found is None:
        return
    query, services, language, session = found
    await save_session(services.store, query.from_user.id, session.id)
    reminder = await _remind(services, query.from_user.id, session, language)
    await query.answer(reminder or t("unavailable", language), show_alert=bool(reminder))


async def send_ics(update: Update, context: Context) -> None:
    """Send the session as a calendar file (.ics)."""
    found = await _pressed_session(update, context)
    if found is None:
        return
    query, services, language, session = found
    knowledge = services.assistant.knowledge
    vertical = knowledge.verticals.get(session.vertical_id or "")
    data = session_ics(session, vertical, knowledge.event, language)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    try:
        await context.bot.send_document(
            chat_id, document=data, filename=ics_filename(session), caption=session.title[:1000]
        )
    except Forbidden:
        await query.answer(t("open_private", language), show_alert=True)
        return
    await query.answer()


async def noop(update: Update, context: Context) -> None:
    """Acknowledge a label-only button (the page counter)."""
    if update.callback_query is not None:
        await update.callback_query.answer()


# --- programme answers ------------------------------------------------------------------------

_LISTS_KEPT = 5  # list answers a chat can still page through


def conversation_of(context: Context) -> Conversation:
    """This chat's short memory of what it was just shown (for follow-up questions)."""
    data = context.chat_data if context.chat_data is not None else {}
    conversation = data.get("conversation")
    if not isinstance(conversation, Conversation):
        conversation = data["conversation"] = Conversation()
    return conversation


async def send_answer_list(
    message: Message, context: Context, answer: Answer, question_id: int
) -> None:
    """A programme answer: the list, paged, each line opening its card, then thumbs."""
    listed = listed_answer(answer)
    data = context.chat_data if context.chat_data is not None else {}
    lists: dict[str, ListedAnswer] = data.setdefault("answer_lists", {})
    key = str(question_id)
    lists[key] = listed
    for old in list(lists)[:-_LISTS_KEPT]:
        del lists[old]
    page = answer_list_page(listed, key, 0, answer.language)
    rows = list(page.markup.inline_keyboard) if page.markup else []
    rows.append(
        (
            button("👍", Action.FEEDBACK, question_id, 1),
            button("👎", Action.FEEDBACK, question_id, -1),
        )
    )
    await message.reply_html(
        page.text, reply_markup=InlineKeyboardMarkup(rows), link_preview_options=NO_PREVIEW
    )


async def show_answer_list(update: Update, context: Context) -> None:
    """Another page of a programme answer's list."""
    query, pressed = _pressed(update)
    await query.answer()
    data = context.chat_data if context.chat_data is not None else {}
    listed = data.get("answer_lists", {}).get(pressed.args[0] if pressed.args else "")
    if listed is None:
        return  # too old: the chat has moved on
    try:
        page_number = int(pressed.args[1])
    except (IndexError, ValueError):
        page_number = 0
    page = answer_list_page(listed, pressed.args[0], page_number, language_of(update, context))
    rows = list(page.markup.inline_keyboard) if page.markup else []
    await edit_page(query, Page(page.text, InlineKeyboardMarkup(rows) if rows else None))
