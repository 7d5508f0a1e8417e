"""Programme changes between knowledge versions, told once to the attendees they concern.

Sessions are compared by id (the `guid` of a pretalx/frab event) against `known_sessions`, the
programme as last seen, which survives restarts. Who hears about a change: attendees who saved
the session or asked for its reminder, and followers of its vertical (new sessions: followers
only). Notices ride the broadcast queue (rate limits, retries, blocked users), one per language,
and `change_notices` records each (user, session, version) in the same transaction: nobody gets
the same notice twice, even across restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

import aiosqlite

from bot.broadcast.config import BroadcastSettings
from bot.broadcast.outbox import add_notice
from bot.clock import utc_now
from bot.domain import KnowledgeBase, Session, Vertical
from bot.i18n import normalise_language, t
from bot.i18n.dates import quote, spell_short_date, spell_time_range
from bot.storage.store import Store, iso

log = logging.getLogger(__name__)

REMOVED = "removed"  # the fingerprint of a session no longer in the programme


class ChangeKind(StrEnum):
    """What happened to a session between two versions of the programme."""

    MOVED = "moved"  # time or room changed (or a cancelled session is back)
    CANCELLED = "cancelled"
    REMOVED = "removed"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class Slot:
    """When and where a session takes place, as `known_sessions` remembers it."""

    start: datetime
    end: datetime
    room: str
    status: str

    @classmethod
    def of(cls, session: Session) -> Slot:
        """The slot of a session."""
        return cls(session.start, session.end, session.room, session.status)

    @classmethod
    def parse(cls, fingerprint: str) -> Slot:
        """Read back a fingerprint (`start|end|room|status`; a room may contain `|`)."""
        start, end, rest = fingerprint.split("|", 2)
        room, status = rest.rsplit("|", 1)
        return cls(datetime.fromisoformat(start), datetime.fromisoformat(end), room, status)

    @property
    def fingerprint(self) -> str:
        """The stored form."""
        return f"{iso(self.start)}|{iso(self.end)}|{self.room}|{self.status}"


@dataclass(frozen=True, slots=True)
class Known:
    """A session as last seen."""

    title: str
    vertical_id: str | None
    fingerprint: str


@dataclass(frozen=True, slots=True)
class ProgrammeChange:
    """One change worth telling attendees about."""

    kind: ChangeKind
    session_id: str
    title: str
    vertical_id: str | None
    fingerprint: str  # the new version (REMOVED for a removed session)
    before: Slot | None = None
    after: Slot | None = None


def diff_programme(
    known: Mapping[str, Known], sessions: Mapping[str, Session]
) -> list[ProgrammeChange]:
    """The changes from the known programme to `sessions`, in a stable order."""
    changes: list[ProgrammeChange] = []
    for session_id, old in sorted(known.items()):
        if session_id in sessions or old.fingerprint == REMOVED:
            continue
        before = Slot.parse(old.fingerprint)
        if before.status != "cancelled":
            changes.append(
                ProgrammeChange(
                    ChangeKind.REMOVED, session_id, old.title, old.vertical_id, REMOVED, before
                )
            )
    for session_id, session in sorted(sessions.items()):
        after = Slot.of(session)
        seen = known.get(session_id)
        previous = (
            None if seen is None or seen.fingerprint == REMOVED else Slot.parse(seen.fingerprint)
        )
        if previous is None:
            kind = None if session.cancelled else ChangeKind.NEW
        elif previous == after:
            continue
        else:
            kind = _kind(previous, after)
        if kind is not None:
            changes.append(
                ProgrammeChange(
                    kind, session_id, session.title, session.vertical_id, after.fingerprint,
                    previous, after,
                )
            )  # fmt: skip
    return changes


def _kind(before: Slot, after: Slot) -> ChangeKind | None:
    if after.status == "cancelled":
        return None if before.status == "cancelled" else ChangeKind.CANCELLED
    moved = (before.start, before.end, before.room) != (after.start, after.end, after.room)
    if moved or before.status == "cancelled":
        return ChangeKind.MOVED
    return None  # tentative <-> confirmed at the same time and place: nothing to say


def notice_text(change: ProgrammeChange, language: str, zone: tzinfo, vertical: str = "") -> str:
    """The short notice for one change, in `language`."""
    slot = change.after or change.before
    assert slot is not None
    title = quote(change.title, language)
    values = {"title": title, "when": _when(slot, language, zone), "vertical": vertical}
    if change.kind is ChangeKind.MOVED and change.before is not None:
        values["before"] = _when(change.before, language, zone)
    key = {
        ChangeKind.MOVED: "change_moved",
        ChangeKind.CANCELLED: "change_cancelled",
        ChangeKind.REMOVED: "change_removed",
        ChangeKind.NEW: "change_new" if vertical else "change_new_plain",
    }[change.kind]
    return t(key, language, **values)


def _when(slot: Slot, language: str, zone: tzinfo) -> str:
    start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
    when = f"{spell_short_date(start.date(), language)} {spell_time_range(start, end)}"
    return t("when_where", language, when=when, room=slot.room) if slot.room else when


async def load_known(store: Store) -> dict[str, Known]:
    """The programme as last seen."""
    async with store.db.execute(
        "SELECT session_id, title, vertical_id, fingerprint FROM known_sessions"
    ) as cursor:
        rows = await cursor.fetchall()
    return {str(r[0]): Known(str(r[1]), r[2], str(r[3])) for r in rows}


async def _remember(db: aiosqlite.Connection, session_id: str, known: Known) -> None:
    await db.execute(
        "INSERT INTO known_sessions (session_id, fingerprint, title, vertical_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET"
        " fingerprint = excluded.fingerprint, title = excluded.title,"
        " vertical_id = excluded.vertical_id, updated_at = excluded.updated_at",
        (session_id, known.fingerprint, known.title, known.vertical_id, iso(utc_now())),
    )


class ProgrammeNotifier:
    """Compare each new programme with the last one seen and queue the notices it calls for."""

    def __init__(self, store: Store, settings: BroadcastSettings) -> None:
        self.store = store
        self.settings = settings

    async def sync(self, knowledge: KnowledgeBase) -> list[ProgrammeChange]:
        """Queue notices for what changed since the programme last seen; return the changes."""
        known = await load_known(self.store)
        if not knowledge.sessions:
            # A programme that lost every session is taken for a failed load, not a cancellation.
            log.warning("programme sync skipped: no sessions in the knowledge")
            return []
        if not known:  # the first programme seen is the baseline: nothing to announce
            await self._record(knowledge, [])
            return []
        changes = diff_programme(known, knowledge.sessions)
        zone = self.settings.zone(knowledge.event.timezone if knowledge.event else None)
        for change in changes:
            vertical = knowledge.verticals.get(change.vertical_id or "")
            queued = await self._notify(change, zone, vertical)
            log.info("programme: %s %s, %d notices", change.kind, change.session_id, queued)
        await self._record(
            knowledge, [c.session_id for c in changes if c.kind is ChangeKind.REMOVED]
        )
        return changes

    async def _record(self, knowledge: KnowledgeBase, removed: list[str]) -> None:
        async with self.store.transaction() as db:
            for session_id, session in knowledge.sessions.items():
                fingerprint = Slot.of(session).fingerprint
                await _remember(
                    db, session_id, Known(session.title, session.vertical_id, fingerprint)
                )
            for session_id in removed:
                await db.execute(
                    "UPDATE known_sessions SET fingerprint = ?, updated_at = ?"
                    " WHERE session_id = ?",
                    (REMOVED, iso(utc_now()), session_id),
                )

    async def _notify(
        self, change: ProgrammeChange, zone: tzinfo, vertical: Vertical | None
    ) -> int:
        """Queue this change's notices to whoever has not had them; return how many."""
        concerned = (
            "" if change.kind is ChangeKind.NEW
            else " OR user_id IN (SELECT user_id FROM saved_sessions WHERE session_id = :s)"
            " OR user_id IN (SELECT user_id FROM reminders WHERE session_id = :s"
            " AND sent_at IS NULL)"
        )  # fmt: skip
        by_language: dict[str, list[int]] = {}
        async with self.store.transaction() as db:
            async with db.execute(
                "SELECT user_id, chat_id, language FROM users WHERE blocked = 0 AND ("
                " user_id IN (SELECT user_id FROM follows WHERE vertical_id = :v)"
                f"{concerned}) ORDER BY user_id",
                {"s": change.session_id, "v": change.vertical_id or ""},
            ) as cursor:
                users = await cursor.fetchall()
            for user_id, chat_id, language in users:
                claimed = await db.execute(
                    "INSERT OR IGNORE INTO change_notices (user_id, session_id, fingerprint,"
                    " sent_at) VALUES (?, ?, ?, ?)",
                    (user_id, change.session_id, change.fingerprint, iso(utc_now())),
                )
                if claimed.rowcount == 1:
                    by_language.setdefault(normalise_language(language), []).append(int(chat_id))
            for language, chat_ids in sorted(by_language.items()):
                label = vertical.name(language) if vertical else ""
                await add_notice(db, notice_text(change, language, zone, label), chat_ids)
        return sum(len(chats) for chats in by_language.values())
