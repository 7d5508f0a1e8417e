"""Rooms: a short, stable reference per room for deep links, and "now and next in this room"."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.broadcast.live import now_and_next
from bot.clock import utc_now
from bot.domain import KnowledgeBase, Session
from bot.i18n import t
from bot.telegram.programme import event_zone, send_page
from bot.telegram.render import (
    NEW_MESSAGE,
    Action,
    Page,
    button,
    clip_label,
    esc,
    session_line,
    short_ref,
    truncate_html,
)
from bot.telegram.services import get_services
from bot.telegram.users import language_of

Context = ContextTypes.DEFAULT_TYPE
ROOM_PREFIX = "room_"  # /start room_<ref>
SESSION_PREFIX = "s_"  # /start s_<ref>
ROOM_NEXT = 3  # upcoming sessions listed for a room
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def room_ref(room: str) -> str:
    """A room's reference in links: `salle-1` for "Salle 1", a hash for names with no ASCII."""
    plain = unicodedata.normalize("NFKD", room).encode("ascii", "ignore").decode().lower()
    slug = _NOT_SLUG.sub("-", plain).strip("-")[:40].strip("-")
    return short_ref(slug) if slug else short_ref(room)


def rooms_of(knowledge: KnowledgeBase) -> list[str]:
    """Every room named in the programme, sorted."""
    return sorted({s.room for s in knowledge.sessions.values() if s.room})


def resolve_room(knowledge: KnowledgeBase, ref: str) -> str | None:
    """The room `room_ref` turned into `ref` (None if no session uses it any more)."""
    return next((room for room in rooms_of(knowledge) if room_ref(room) == ref), None)


def room_link(bot_username: str, room: str) -> str:
    """A t.me link opening "now and next in this room" in a private chat with the bot."""
    return f"https://t.me/{bot_username}?start={ROOM_PREFIX}{room_ref(room)}"


def _card_rows(sessions: list[Session], zone: tzinfo) -> list[list[InlineKeyboardButton]]:
    """One button per session, opening its card below the room's message."""
    return [
        [
            button(
                clip_label(f"{s.start.astimezone(zone):%H:%M} {s.title}"),
                Action.SESSION,
                short_ref(s.id),
                NEW_MESSAGE,
            )
        ]
        for s in sessions
    ]


def room_page(
    knowledge: KnowledgeBase, room: str, now: datetime, language: str, zone: tzinfo
) -> Page:
    """What is on in `room` now and the next sessions there, with buttons to their cards."""
    on_now, coming = now_and_next(knowledge, now, room=room, count=ROOM_NEXT)
    lines = [f"📍 <b>{esc(room)}</b>", "", f"<b>{esc(t('now_title', language))}</b>"]
    lines += [session_line(s, zone) for s in on_now] or [esc(t("room_now_none", language))]
    lines += ["", f"<b>{esc(t('room_next_title', language))}</b>"]
    lines += [session_line(s, zone) for s in coming] or [esc(t("room_next_none", language))]
    rows = _card_rows([*on_now, *coming], zone)
    return Page(truncate_html("\n".join(lines)), InlineKeyboardMarkup(rows) if rows else None)


async def send_room(update: Update, context: Context, ref: str) -> bool:
    """Send "now and next" for the room `ref` names (a door's QR code); False if unknown."""
    services = get_services(context)
    knowledge = services.assistant.knowledge
    room = resolve_room(knowledge, ref)
    if room is None or update.effective_message is None:
        return False
    page = room_page(knowledge, room, utc_now(), language_of(update, context), event_zone(services))
    await send_page(update.effective_message, page)
    return True
