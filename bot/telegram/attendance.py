"""An attendee's own sessions: the agenda's buttons (.ics, remind me of all, how early),
`/next` for my next saved session, and the rating offered once a saved session has ended.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.clock import utc_now
from bot.domain import Session
from bot.i18n import normalise_language, t
from bot.storage.agenda import save_session, saved_session_ids
from bot.storage.ratings import (
    add_comment,
    rate,
    record_offer,
    set_reminder_minutes,
    unoffered,
)
from bot.storage.users import mark_blocked, user_language
from bot.telegram import programme as browse
from bot.telegram.agenda import user_agenda
from bot.telegram.calendar import sessions_ics
from bot.telegram.miniapp import with_grid_button
from bot.telegram.programme import event_zone, send_page
from bot.telegram.render import (
    NEW_MESSAGE,
    Action,
    Page,
    button,
    clip_label,
    esc,
    parse_callback,
    resolve_ref,
    session_line,
    short_ref,
)
from bot.telegram.services import Services, get_services
from bot.telegram.users import is_private, language_of
from bot.telegram.views import agenda_page

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
LEAD_CHOICES = (5, 15, 30, 60)  # minutes before a session, offered on the agenda
RATING_WINDOW = timedelta(hours=12)  # a session that ended longer ago is not offered any more
RATING_EVERY_SECONDS = 60.0


# --- /agenda and its buttons --------------------------------------------------------------------


async def _lead_minutes(services: Services, user_id: int) -> int:
    if services.reminders is None:
        return services.settings.reminder_minutes
    return round((await services.reminders.lead_for(user_id)).total_seconds() / 60)


def agenda_rows(language: str, minutes: int) -> list[list[InlineKeyboardButton]]:
    """The agenda's own buttons: the whole .ics, remind me of all, and how early."""
    leads = [
        button(f"{'✓ ' if choice == minutes else ''}{choice} min", Action.LEAD, choice)
        for choice in LEAD_CHOICES
    ]
    return [
        [button(t("btn_agenda_ics", language), Action.AGENDA_ICS)],
        [button(t("btn_remind_all", language), Action.REMIND_ALL)],
        leads,
    ]


async def agenda(update: Update, context: Context) -> None:
    """Send the user's saved sessions, clashes flagged, with the agenda's buttons."""
    services = get_services(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    language = language_of(update, context)
    items = await user_agenda(services.store, services.assistant.knowledge, user.id)
    page = agenda_page(items, language, event_zone(services))
    if any(item.session is not None for item in items):
        rows = [list(row) for row in page.markup.inline_keyboard] if page.markup else []
        rows += agenda_rows(language, await _lead_minutes(services, user.id))
        page = Page(page.text, InlineKeyboardMarkup(rows))
    if is_private(message):  # the Mini App's grid opens from a private chat only
        page = Page(page.text, with_grid_button(page.markup, services.settings, language))
    await send_page(message, page)


def _saved_sessions(services: Services, ids: list[str]) -> list[Session]:
    sessions = services.assistant.knowledge.sessions
    return sorted((sessions[i] for i in ids if i in sessions), key=lambda s: (s.start, s.id))


async def agenda_ics(update: Update, context: Context) -> None:
    """Send the whole agenda as one calendar file."""
    query = update.callback_query
    if query is None:
        return
    services, language = get_services(context), language_of(update, context)
    saved = _saved_sessions(services, await saved_session_ids(services.store, query.from_user.id))
    if not saved:
        await query.answer(t("agenda_empty", language), show_alert=True)
        return
    knowledge = services.assistant.knowledge
    pairs = [(s, knowledge.verticals.get(s.vertical_id or "")) for s in saved]
    data = sessions_ics(pairs, knowledge.event, language)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    try:
        await context.bot.send_document(chat_id, document=data, filename="agenda.ics")
    except Forbidden:
        await query.answer(t("open_private", language), show_alert=True)
        return
    await query.answer()


async def remind_all(update: Update, context: Context) -> None:
    """Schedule a reminder before every session of the agenda that has not started."""
    query = update.callback_query
    if query is None:
        return
    services, language = get_services(context), language_of(update, context)
    user_id = query.from_user.id
    count = 0
    if services.reminders is not None:
        for session in _saved_sessions(services, await saved_session_ids(services.store, user_id)):
            if await services.reminders.schedule(user_id, user_id, session) is not None:
                count += 1
    minutes = await _lead_minutes(services, user_id)
    await query.answer(
        t("remind_all_done", language, count=count, minutes=minutes), show_alert=True
    )


async def choose_lead(update: Update, context: Context) -> None:
    """Store how early this user wants reminders; move their pending ones accordingly."""
    query = update.callback_query
    pressed = parse_callback(query.data) if query else None
    if query is None or pressed is None or not pressed.args or not pressed.args[0].isdigit():
        return
    minutes = int(pressed.args[0])
    language = language_of(update, context)
    if minutes not in LEAD_CHOICES:
        await query.answer()
        return
    services, user_id = get_services(context), query.from_user.id
    await set_reminder_minutes(services.store, user_id, minutes)
    if services.reminders is not None:
        saved = _saved_sessions(services, await saved_session_ids(services.store, user_id))
        for session in saved:
            if await services.reminders.pending(user_id, session.id) is not None:
                await services.reminders.schedule(user_id, user_id, session)
    await query.answer(t("lead_set", language, minutes=minutes))
    markup = getattr(query.message, "reply_markup", None)
    if isinstance(markup, InlineKeyboardMarkup):
        # The agenda's session buttons stay; its own three rows are drawn again.
        rows = [list(row) for row in markup.inline_keyboard][:-3] + agenda_rows(language, minutes)
        try:
            await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise


# --- /next ----------------------------------------------------------------------------------------


async def next_up(update: Update, context: Context) -> None:
    """My next saved session when I saved some still to come; else the programme's next."""
    services, user, message = get_services(context), update.effective_user, update.effective_message
    if user is None or message is None:
        return
    language = language_of(update, context)
    now = utc_now()
    saved = _saved_sessions(services, await saved_session_ids(services.store, user.id))
    coming = [s for s in saved if s.start > now and not s.cancelled]
    if not coming:
        if saved:
            await message.reply_text(t("next_programme_note", language))
        await browse.next_up(update, context)
        return
    session, zone = coming[0], event_zone(services)
    text = (
        f"<b>{esc(t('next_mine_title', language))}</b>\n\n{session_line(session, zone)}\n\n"
        f"<i>{esc(t('next_mine_footer', language))}</i>"
    )
    label = clip_label(f"{session.start.astimezone(zone):%H:%M} {session.title}")
    card = button(label, Action.SESSION, short_ref(session.id), NEW_MESSAGE)
    await send_page(message, Page(text, InlineKeyboardMarkup([[card]])))


# --- ratings ------------------------------------------------------------------------------------


async def offer_ratings(context: Context) -> None:
    """Offer a 1-5 rating to everyone who saved a session that ended lately (once each)."""
    services = get_services(context)
    now = utc_now()
    ended = [
        s.id
        for s in services.assistant.knowledge.sessions.values()
        if not s.cancelled and now - RATING_WINDOW <= s.end <= now
    ]
    sessions = services.assistant.knowledge.sessions
    for user_id, chat_id, session_id in await unoffered(services.store, ended):
        language = normalise_language(await user_language(services.store, user_id))
        title = sessions[session_id].title
        stars = [button("⭐" * n, Action.RATE, short_ref(session_id), n) for n in range(1, 6)]
        markup = InlineKeyboardMarkup([stars[:3], stars[3:]])
        try:
            sent = await context.bot.send_message(
                chat_id, t("rate_offer", language, title=title), reply_markup=markup
            )
        except Forbidden:
            await mark_blocked(services.store, chat_id)
            await record_offer(services.store, user_id, session_id, chat_id, None)
            continue
        except TelegramError as error:  # tried again on the next round
            log.warning("rating offer to chat %s not delivered: %s", chat_id, error)
            continue
        await record_offer(services.store, user_id, session_id, chat_id, sent.message_id)


async def rate_button(update: Update, context: Context) -> None:
    """Store the stars pressed; invite a comment in reply."""
    query = update.callback_query
    pressed = parse_callback(query.data) if query else None
    if query is None or pressed is None or len(pressed.args) != 2:
        return
    services, language = get_services(context), language_of(update, context)
    session_id = resolve_ref(pressed.args[0], services.assistant.knowledge.sessions)
    if session_id is None or not pressed.args[1].isdigit():
        await query.answer(t("session_unknown", language), show_alert=True)
        return
    stars = min(5, max(1, int(pressed.args[1])))
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await save_session(services.store, query.from_user.id, session_id)  # rated: it was attended
    await rate(services.store, query.from_user.id, chat_id, session_id, stars)
    thanks = t("rate_thanks", language, stars=stars)
    await query.answer(thanks)
    if query.message is not None:
        try:
            await query.edit_message_text(f"{'⭐' * stars}\n{thanks}")
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise


async def rating_comment(update: Update, context: Context) -> None:
    """A reply to a rating offer is its comment (other messages go on to the other handlers)."""
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    if message is None or replied is None or not message.text or message.text.startswith("/"):
        return
    store = get_services(context).store
    if not await add_comment(store, message.chat.id, replied.message_id, message.text):
        return
    await message.reply_text(t("rate_comment_thanks", language_of(update, context)))
    raise ApplicationHandlerStop
