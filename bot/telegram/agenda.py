"""A user's agenda as shown: saved sessions by day, clashes flagged, missing ones counted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from html import escape

from bot.domain import KnowledgeBase, Session
from bot.i18n import t
from bot.i18n.dates import spell_short_date, spell_time_range
from bot.storage.agenda import saved_session_ids
from bot.storage.store import Store


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One saved session as the agenda shows it."""

    session_id: str
    session: Session | None  # None: the session is no longer in the programme
    clashes_with: tuple[str, ...] = ()  # ids of other saved sessions overlapping this one

    @property
    def missing(self) -> bool:
        """Whether the saved session disappeared from the programme."""
        return self.session is None


def find_clashes(sessions: Iterable[Session]) -> set[frozenset[str]]:
    """Pairs of session ids whose times overlap; cancelled sessions are ignored.

    Sessions that merely touch (one ends when the next starts) do not clash.
    """
    live = sorted((s for s in sessions if not s.cancelled), key=lambda s: (s.start, s.id))
    clashes: set[frozenset[str]] = set()
    for index, first in enumerate(live):
        for second in live[index + 1 :]:
            if second.start >= first.end:
                break  # sorted by start: every later session starts after `first` ends
            if first.id != second.id:
                clashes.add(frozenset((first.id, second.id)))
    return clashes


def agenda_for(knowledge: KnowledgeBase, session_ids: Iterable[str]) -> list[AgendaItem]:
    """The agenda for these saved ids: by start time, clashes noted, missing ones last."""
    ids = list(dict.fromkeys(session_ids))
    present = [knowledge.sessions[sid] for sid in ids if sid in knowledge.sessions]
    partners: dict[str, set[str]] = {}
    for pair in find_clashes(present):
        first, second = sorted(pair)
        partners.setdefault(first, set()).add(second)
        partners.setdefault(second, set()).add(first)
    items = [
        AgendaItem(s.id, s, tuple(sorted(partners.get(s.id, ()))))
        for s in sorted(present, key=lambda s: (s.start, s.end, s.id))
    ]
    items.extend(AgendaItem(sid, None) for sid in ids if sid not in knowledge.sessions)
    return items


async def user_agenda(store: Store, knowledge: KnowledgeBase, user_id: int) -> list[AgendaItem]:
    """The user's agenda against the current programme."""
    return agenda_for(knowledge, await saved_session_ids(store, user_id))


def render_agenda(items: list[AgendaItem], language: str, zone: tzinfo) -> str:
    """The agenda as Telegram HTML: one line per session grouped by day, clashes flagged."""
    if not items:
        return t("agenda_empty", language)
    lines = [f"<b>{escape(t('agenda_title', language))}</b>"]
    day = None
    for item in items:
        session = item.session
        if session is None:
            continue
        local_day = session.start.astimezone(zone).date()
        if local_day != day:
            day = local_day
            lines.append(f"\n<b>{escape(spell_short_date(local_day, language))}</b>")
        when = spell_time_range(session.start.astimezone(zone), session.end.astimezone(zone))
        line = f"• {when} {escape(session.title)}"
        if session.room:
            line += f" · {escape(session.room)}"
        if session.cancelled:
            line = f"<s>{line}</s> {escape(t('agenda_cancelled', language))}"
        elif item.clashes_with:
            line += f"\n  ⚠️ {escape(t('agenda_clash', language))}"
        lines.append(line)
    missing = sum(item.missing for item in items)
    if missing:
        lines.append("\n" + escape(t("agenda_missing", language, count=missing)))
    return "\n".join(lines)
