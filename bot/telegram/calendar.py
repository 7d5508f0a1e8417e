"""Sessions as iCalendar (.ics) files: one session's card button, or a whole agenda."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC

from icalendar import Calendar, Event

from bot.clock import utc_now
from bot.domain import EventInfo, Session, Vertical
from bot.i18n import t

PRODID = "-//conference-assistant//Telegram conference assistant//EN"
_STATUS = {"cancelled": "CANCELLED", "tentative": "TENTATIVE"}
_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def _ascii_slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII letters and digits joined by dashes (accents folded, the rest dropped)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE.sub("-", folded).strip("-").lower()[:limit].rstrip("-")


def session_uid(session: Session, event: EventInfo | None) -> str:
    """A UID stable across exports, so calendars update the entry rather than duplicate it."""
    scope = event.name if event else "conference"
    digest = hashlib.sha256(f"{scope}\n{session.id}".encode()).hexdigest()[:16]
    slug = _ascii_slug(session.id, 40) or "session"
    return f"{slug}-{digest}@conference-assistant"


def _location(session: Session, event: EventInfo | None) -> str:
    parts = [session.room]
    if event:
        parts += [event.venue, event.city]
    return ", ".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _description(session: Session, vertical: Vertical | None, language: str) -> str:
    parts = []
    if vertical:
        parts.append(vertical.name(language))
    if session.speakers:
        parts.append(", ".join(session.speakers))
    if session.description:
        parts.append(session.description.strip())
    if session.illustrative:
        parts.append(t("illustrative", language))
    return "\n\n".join(parts)


def _calendar(event: EventInfo | None, language: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if event:
        calendar.add("x-wr-calname", event.names.get(language) or event.name)
    return calendar


def _entry(
    session: Session, vertical: Vertical | None, event: EventInfo | None, language: str
) -> Event:
    entry = Event()
    entry.add("uid", session_uid(session, event))
    entry.add("dtstamp", utc_now().replace(microsecond=0))
    # UTC needs no VTIMEZONE block and every calendar shows it in the reader's own zone.
    entry.add("dtstart", session.start.astimezone(UTC))
    entry.add("dtend", session.end.astimezone(UTC))
    entry.add("summary", session.title)
    location = _location(session, event)
    if location:
        entry.add("location", location)
    description = _description(session, vertical, language)
    if description:
        entry.add("description", description)
    if vertical:
        entry.add("categories", [vertical.name(language)])
    entry.add("status", _STATUS.get(session.status, "CONFIRMED"))
    return entry


def session_ics(
    session: Session,
    vertical: Vertical | None,
    event: EventInfo | None,
    language: str = "fr",
) -> bytes:
    """One session as an iCalendar file (VCALENDAR with one VEVENT, times in UTC)."""
    return sessions_ics([(session, vertical)], event, language)


def sessions_ics(
    sessions: Sequence[tuple[Session, Vertical | None]],
    event: EventInfo | None,
    language: str = "fr",
) -> bytes:
    """Several sessions (a whole agenda) as one iCalendar file, one VEVENT each."""
    calendar = _calendar(event, language)
    for session, vertical in sessions:
        calendar.add_component(_entry(session, vertical, event, language))
    data: bytes = calendar.to_ical()
    return data


def ics_filename(session: Session) -> str:
    """A safe ASCII file name for the session's .ics (title, else id, else `session`)."""
    stem = _ascii_slug(session.title) or _ascii_slug(session.id) or "session"
    return f"{stem}.ics"
