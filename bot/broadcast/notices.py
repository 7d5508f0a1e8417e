"""Programme changes between knowledge versions, told once to the attendees they concern.

Each new programme is diffed (`bot.knowledge.diff`) against `known_sessions`, the programme as
last seen, which survives restarts. Who hears about a change: attendees who saved
the session or asked for its reminder, and followers of its vertical (new sessions: followers
only). Notices ride the broadcast queue (rate limits, retries, blocked users), one per language,
and `change_notices` records each (user, session, version) in the same transaction: nobody gets
the same notice twice, even across restarts.

A session missing from the programme (its file gone, or deleted from it) is told removed only
once it has been missing for `removal_grace_minutes` (`missing_sessions` keeps since when):
a file in the middle of a save or a sync tells nobody anything. Back within the grace and
unchanged, nothing is told; back after its removal was told, its savers hear it is back.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, tzinfo

from bot.broadcast.config import BroadcastSettings
from bot.broadcast.outbox import add_notice
from bot.clock import utc_now
from bot.domain import KnowledgeBase, Vertical
from bot.i18n import normalise_language, t
from bot.i18n.dates import quote, spell_short_date, spell_time_range
from bot.knowledge.diff import REMOVED, ChangeKind, Known, ProgrammeChange, Slot, diff_programme
from bot.storage import programme
from bot.storage.store import Store

log = logging.getLogger(__name__)


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
        ChangeKind.RESTORED: "change_restored",
    }[change.kind]
    return t(key, language, **values)


def _when(slot: Slot, language: str, zone: tzinfo) -> str:
    start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
    when = f"{spell_short_date(start.date(), language)} {spell_time_range(start, end)}"
    return t("when_where", language, when=when, room=slot.room) if slot.room else when


async def load_known(store: Store) -> dict[str, Known]:
    """The programme as last seen."""
    rows = await programme.known_sessions(store)
    return {r.session_id: Known(r.title, r.vertical_id, r.fingerprint) for r in rows}


class ProgrammeNotifier:
    """Compare each new programme with the last one seen and queue the notices it calls for."""

    def __init__(self, store: Store, settings: BroadcastSettings) -> None:
        self.store = store
        self.settings = settings

    async def sync(self, knowledge: KnowledgeBase) -> list[ProgrammeChange]:
        """Queue notices for what changed since the programme last seen; return the changes.

        A removal counts once the session has been missing for `grace`; until then it is held.
        """
        known = await load_known(self.store)
        if not knowledge.sessions:
            # A programme that lost every session is taken for a failed load, not a cancellation.
            log.warning("programme sync skipped: no sessions in the knowledge")
            return []
        if not known:  # the first programme seen is the baseline: nothing to announce
            await self._record(knowledge, [])
            return []
        changes = await self._past_grace(diff_programme(known, knowledge.sessions), knowledge)
        zone = self.settings.zone(knowledge.event.timezone if knowledge.event else None)
        for change in changes:
            vertical = knowledge.verticals.get(change.vertical_id or "")
            queued = await self._notify(change, zone, vertical)
            log.info("programme: %s %s, %d notices", change.kind, change.session_id, queued)
        await self._record(
            knowledge, [c.session_id for c in changes if c.kind is ChangeKind.REMOVED]
        )
        return changes

    @property
    def grace(self) -> timedelta:
        """How long a session must be missing before its removal is told."""
        return timedelta(minutes=self.settings.removal_grace_minutes)

    async def grace_ends(self) -> list[datetime]:
        """When the removals still in their grace become due, earliest first."""
        now = utc_now()
        ends = (
            since + self.grace for since in (await programme.missing_sessions(self.store)).values()
        )
        return sorted(end for end in ends if end > now)

    async def _past_grace(
        self, changes: list[ProgrammeChange], knowledge: KnowledgeBase
    ) -> list[ProgrammeChange]:
        """The changes without the removals still in their grace (their absence recorded)."""
        now = utc_now()
        held: set[str] = set()
        async with self.store.transaction() as db:
            await programme.returned(db, knowledge.sessions)
            for change in changes:
                if change.kind is ChangeKind.REMOVED:
                    since = await programme.missing_since(db, change.session_id, now)
                    if now - since < self.grace:
                        held.add(change.session_id)
        if held:
            log.info("programme: %d sessions missing, in their removal grace", len(held))
        return [change for change in changes if change.session_id not in held]

    async def _record(self, knowledge: KnowledgeBase, removed: list[str]) -> None:
        async with self.store.transaction() as db:
            for session_id, session in knowledge.sessions.items():
                known = Known.of(session)
                row = programme.KnownRow(
                    session_id, known.title, known.vertical_id, known.fingerprint
                )
                await programme.remember(db, row)
            for session_id in removed:
                await programme.set_fingerprint(db, session_id, REMOVED)

    async def _notify(
        self, change: ProgrammeChange, zone: tzinfo, vertical: Vertical | None
    ) -> int:
        """Queue this change's notices to whoever has not had them; return how many."""
        by_language: dict[str, list[int]] = {}
        async with self.store.transaction() as db:
            users = await programme.concerned_users(
                db,
                change.session_id,
                change.vertical_id,
                followers_only=change.kind is ChangeKind.NEW,
            )
            for user_id, chat_id, language in users:
                if await programme.claim_notice(db, user_id, change.session_id, change.fingerprint):
                    by_language.setdefault(normalise_language(language), []).append(chat_id)
            for language, chat_ids in sorted(by_language.items()):
                label = vertical.name(language) if vertical else ""
                await add_notice(db, notice_text(change, language, zone, label), chat_ids)
        return sum(len(chats) for chats in by_language.values())
