"""Browsing the programme: days, verticals, /today, /now, /next, /agenda and session cards."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import Answer, KnowledgeBase, Session
from bot.i18n import t
from bot.i18n.dates import spell_date, spell_short_date
from bot.telegram.agenda import AgendaItem, render_agenda
from bot.telegram.render import (
    NEW_MESSAGE,
    Action,
    Page,
    button,
    clip_label,
    esc,
    session_card,
    session_keyboard,
    session_line,
    short_ref,
    truncate_html,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 8  # sessions per page: a phone screen of buttons
NEXT_COUNT = 5  # sessions listed by /next


class Moment(StrEnum):
    """The three "when" commands."""

    TODAY = "today"
    NOW = "now"
    NEXT = "next"


def sorted_sessions(sessions: Sequence[Session] | KnowledgeBase) -> list[Session]:
    """Sessions in programme order: start, end, title."""
    items = list(sessions.sessions.values()) if isinstance(sessions, KnowledgeBase) else sessions
    return sorted(items, key=lambda s: (s.start, s.end, s.title))


def programme_days(knowledge: KnowledgeBase, zone: tzinfo) -> list[date]:
    """Every day of the event, plus any day a session falls on."""
    days = {s.start.astimezone(zone).date() for s in knowledge.sessions.values()}
    event = knowledge.event
    if event is not None and event.end_date >= event.start_date:
        span = (event.end_date - event.start_date).days
        days.update(event.start_date + timedelta(days=n) for n in range(min(span, 31) + 1))
    return sorted(days)


def sessions_on(knowledge: KnowledgeBase, day: date, zone: tzinfo) -> list[Session]:
    """The sessions of one local day, in order."""
    return [s for s in sorted_sessions(knowledge) if s.start.astimezone(zone).date() == day]


def _page_of(items: Sequence[Session], page: int) -> tuple[Sequence[Session], int, int]:
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    return items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE], page, pages


def _session_rows(
    sessions: Sequence[Session], zone: tzinfo, *flags: str
) -> list[list[InlineKeyboardButton]]:
    """One button per session, opening its card (`NEW_MESSAGE`: as a new message)."""
    rows = []
    for session in sessions:
        label = f"{session.start.astimezone(zone):%H:%M} {session.title}"
        rows.append([button(clip_label(label), Action.SESSION, short_ref(session.id), *flags)])
    return rows


def _nav_row(action: Action, key: str, page: int, pages: int) -> list[InlineKeyboardButton]:
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(button("◀", action, key, page - 1))
    row.append(button(f"{page + 1}/{pages}", Action.NOOP))
    if page < pages - 1:
        row.append(button("▶", action, key, page + 1))
    return row


def days_page(knowledge: KnowledgeBase, language: str, zone: tzinfo) -> Page:
    """The programme's first screen: one button per day."""
    days = programme_days(knowledge, zone)
    if not days:
        return Page(esc(t("programme_empty", language)))
    title = t("programme_title", language)
    if knowledge.event is not None:
        title = f"{knowledge.event.names.get(language) or knowledge.event.name} · {title}"
    rows = [[button(spell_short_date(d, language), Action.DAY, d.isoformat(), 0)] for d in days]
    rows.append([button(t("btn_verticals", language), Action.VERTICALS)])
    text = f"<b>{esc(title)}</b>\n{esc(t('programme_pick_day', language))}"
    return Page(text, InlineKeyboardMarkup(rows))


def day_page(knowledge: KnowledgeBase, day: date, page: int, language: str, zone: tzinfo) -> Page:
    """One day's sessions, a page at a time, each a button to its card."""
    sessions = sessions_on(knowledge, day, zone)
    shown, page, pages = _page_of(sessions, page)
    head = f"<b>{esc(spell_date(day, language))}</b>"
    if pages > 1:
        head += f" · {esc(t('page_of', language, page=page + 1, pages=pages))}"
    body = "\n".join(session_line(s, zone) for s in shown) or esc(t("day_empty", language))
    rows = _session_rows(shown, zone)
    nav = _nav_row(Action.DAY, day.isoformat(), page, pages)
    rows += [nav] if nav else []
    rows.append([button(t("btn_days", language), Action.DAYS)])
    return Page(truncate_html(f"{head}\n\n{body}"), InlineKeyboardMarkup(rows))


def verticals_page(knowledge: KnowledgeBase, language: str) -> Page:
    """The thematic verticals, one button each."""
    if not knowledge.verticals:
        return Page(esc(t("verticals_empty", language)))
    verticals = sorted(knowledge.verticals.values(), key=lambda v: v.name(language).lower())
    rows = [
        [button(clip_label(v.name(language)), Action.VERTICAL, short_ref(v.id), 0)]
        for v in verticals
    ]
    rows.append([button(t("btn_programme", language), Action.DAYS)])
    return Page(f"<b>{esc(t('verticals_title', language))}</b>", InlineKeyboardMarkup(rows))


def vertical_page(
    knowledge: KnowledgeBase, vertical_id: str, page: int, language: str, zone: tzinfo
) -> Page:
    """A vertical: its description and its sessions, a page at a time."""
    vertical = knowledge.verticals[vertical_id]
    sessions = [s for s in sorted_sessions(knowledge) if s.vertical_id == vertical_id]
    shown, page, pages = _page_of(sessions, page)
    lines = [f"<b>{esc(vertical.name(language))}</b>"]
    if vertical.description:
        lines.append(esc(vertical.description))
    if pages > 1:
        lines.append(esc(t("page_of", language, page=page + 1, pages=pages)))
    listed = [f"{session_line(s, zone)} · {esc(_short_day(s, zone, language))}" for s in shown]
    lines.append("\n" + ("\n".join(listed) or esc(t("vertical_no_sessions", language))))
    rows = _session_rows(shown, zone)
    nav = _nav_row(Action.VERTICAL, short_ref(vertical_id), page, pages)
    rows += [nav] if nav else []
    rows.append([button(t("btn_verticals", language), Action.VERTICALS)])
    return Page(truncate_html("\n".join(lines)), InlineKeyboardMarkup(rows))


def _short_day(session: Session, zone: tzinfo, language: str) -> str:
    return spell_short_date(session.start.astimezone(zone).date(), language)


def card_page(
    knowledge: KnowledgeBase, session: Session, language: str, zone: tzinfo, saved: bool
) -> Page:
    """A session's card with save/remind/.ics buttons and a way back to its day."""
    day = session.start.astimezone(zone).date()
    index = [s.id for s in sessions_on(knowledge, day, zone)].index(session.id)
    back = button(t("btn_back", language), Action.DAY, day.isoformat(), index // PAGE_SIZE)
    return Page(
        session_card(session, knowledge, language, zone),
        session_keyboard(session, language, saved, back),
    )


def _event_span(knowledge: KnowledgeBase, zone: tzinfo) -> tuple[date, datetime, datetime] | None:
    """First day, first start and last end of the event, from its dates and its sessions."""
    sessions = sorted_sessions(knowledge)
    event = knowledge.event
    if not sessions and event is None:
        return None
    if event is not None:
        first_day = event.start_date
        start = datetime.combine(event.start_date, time.min, tzinfo=zone)
        end = datetime.combine(event.end_date + timedelta(days=1), time.min, tzinfo=zone)
    else:
        first_day = sessions[0].start.astimezone(zone).date()
        start, end = sessions[0].start, sessions[-1].end
    if sessions:
        first_day = min(first_day, sessions[0].start.astimezone(zone).date())
        start, end = sessions[0].start, max(s.end for s in sessions)
    return first_day, start, end


def _programme_button(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("btn_programme", language), Action.DAYS)]])


def _delay(delta: timedelta, language: str) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    if days:
        return t("delay_days", language, days=days, hours=rest // 60)
    return t("delay_hours", language, hours=rest // 60, minutes=rest % 60)


def timeline_page(
    moment_kind: Moment, knowledge: KnowledgeBase, now: datetime, language: str, zone: tzinfo
) -> Page:
    """/today, /now or /next: before the event a countdown, after it a plain "it has ended"."""
    span = _event_span(knowledge, zone)
    if span is None:
        return Page(esc(t("no_event", language)))
    first_day, start, end = span
    local_today = now.astimezone(zone).date()
    if local_today < first_day:
        event = knowledge.event
        name = (event.names.get(language) or event.name) if event else ""
        when = spell_date(start.astimezone(zone).date(), language)
        text = t("countdown", language, event=name, delay=_delay(start - now, language), date=when)
        return Page(esc(text.strip()), _programme_button(language))
    if now >= end:
        return Page(esc(t("event_ended", language)))
    everything = sorted_sessions(knowledge)
    live = [s for s in everything if not s.cancelled]
    if moment_kind is Moment.TODAY:
        # The day's plan keeps its cancelled sessions, struck through: attendees look for them.
        title = f"{t('today_title', language)} · {spell_date(local_today, language)}"
        chosen = [s for s in everything if s.start.astimezone(zone).date() == local_today]
        empty = "today_none"
    elif moment_kind is Moment.NOW:
        title, empty = t("now_title", language), "now_none"
        chosen = [s for s in live if s.start <= now < s.end]
    else:
        title, empty = t("next_title", language), "next_none"
        chosen = [s for s in live if s.start > now][:NEXT_COUNT]
    if not chosen:
        return Page(esc(t(empty, language)), _programme_button(language))
    shown = chosen[: PAGE_SIZE * 2]
    cancelled = f" {esc(t('agenda_cancelled', language))}"
    body = "\n".join(session_line(s, zone) + (cancelled if s.cancelled else "") for s in shown)
    return Page(
        truncate_html(f"<b>{esc(title)}</b>\n\n{body}"),
        InlineKeyboardMarkup(_session_rows(shown, zone)),
    )


def agenda_page(items: Sequence[AgendaItem], language: str, zone: tzinfo) -> Page:
    """The user's agenda, clashes flagged, with a button to each saved session's card."""
    sessions = [item.session for item in items if item.session is not None]
    rows = _session_rows(sessions[: PAGE_SIZE * 3], zone, NEW_MESSAGE)
    markup = InlineKeyboardMarkup(rows) if rows else None
    return Page(truncate_html(render_agenda(list(items), language, zone)), markup)


@dataclass(frozen=True, slots=True)
class ListedAnswer:
    """A programme answer kept for paging: what it says first, then one line per session."""

    head: str
    lines: tuple[str, ...]
    ids: tuple[str, ...]
    tail: str = ""


def listed_answer(answer: Answer) -> ListedAnswer:
    """Split a programme answer into its head, its session lines (one per hit) and the rest."""
    lines = tuple(hit.passage.text for hit in answer.hits)
    ids = tuple(hit.passage.session_id or "" for hit in answer.hits)
    text_lines = answer.text.split("\n")
    bullets = [i for i, line in enumerate(text_lines) if line.startswith("• ")]
    head = "\n".join(text_lines[: bullets[0]]) if bullets else answer.text
    tail = "\n".join(line for line in text_lines[bullets[-1] + 1 :]) if bullets else ""
    return ListedAnswer(head, lines, ids, tail)


def answer_list_page(listed: ListedAnswer, key: str, page: int, language: str) -> Page:
    """One page of a programme answer's sessions, each line a button opening the card."""
    pages = max(1, -(-len(listed.lines) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    span = slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)
    head = esc(listed.head)
    if pages > 1:
        head += f"\n<i>{esc(t('page_of', language, page=page + 1, pages=pages))}</i>"
    body = "\n".join(f"• {esc(line)}" for line in listed.lines[span])
    rows = [
        [button(clip_label(line), Action.SESSION, short_ref(sid), NEW_MESSAGE)]
        for line, sid in zip(listed.lines[span], listed.ids[span], strict=True)
        if sid
    ]
    nav = _nav_row(Action.ANSWER_LIST, key, page, pages)
    rows += [nav] if nav else []
    text = f"{head}\n{body}" + (
        f"\n{esc(listed.tail)}" if listed.tail and page == pages - 1 else ""
    )
    return Page(truncate_html(text), InlineKeyboardMarkup(rows) if rows else None)
