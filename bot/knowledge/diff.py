"""The one diff between two versions of the programme: what happened to each session.

Sessions are matched by id (the `guid` of a pretalx/frab event). One rule, `_kind`, decides
what a change is; the change notices apply it to the programme as last seen, reminders to the
start each reminder was booked for. A session back after its removal was told is RESTORED
(its saver heard it was removed), not NEW. How long a session must be missing before its
removal counts is the broadcast side's business (`removal_grace_minutes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.domain import Session
from bot.storage.store import iso

REMOVED = "removed"  # the fingerprint of a session no longer in the programme
CANCELLED = "cancelled"  # the status of a cancelled session


class ChangeKind(StrEnum):
    """What happened to a session between two versions of the programme."""

    MOVED = "moved"  # time or room changed (or a cancelled session is back)
    CANCELLED = "cancelled"
    REMOVED = "removed"  # no longer in the programme
    NEW = "new"
    RESTORED = "restored"  # back after its removal was told


@dataclass(frozen=True, slots=True)
class Slot:
    """When and where a session takes place, and its status."""

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
        """The stored form (UTC times): equal slots have equal fingerprints."""
        return f"{iso(self.start)}|{iso(self.end)}|{self.room}|{self.status}"


@dataclass(frozen=True, slots=True)
class Known:
    """A session as last seen: its title, vertical and slot fingerprint (or REMOVED)."""

    title: str
    vertical_id: str | None
    fingerprint: str

    @classmethod
    def of(cls, session: Session) -> Known:
        """How a session of the current programme will be remembered."""
        return cls(session.title, session.vertical_id, Slot.of(session).fingerprint)


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


def _kind(before: Slot | None, after: Slot | None) -> ChangeKind | None:
    """The rule: what the move from `before` to `after` is (None: nothing worth telling)."""
    if before is None:  # new, or back after a removal
        return ChangeKind.NEW if after is not None and after.status != CANCELLED else None
    if after is None:
        return None if before.status == CANCELLED else ChangeKind.REMOVED
    if after.status == CANCELLED:
        return None if before.status == CANCELLED else ChangeKind.CANCELLED
    moved = (before.start, before.end, before.room) != (after.start, after.end, after.room)
    if moved or before.status == CANCELLED:
        return ChangeKind.MOVED
    return None  # tentative <-> confirmed at the same time and place: nothing to say


def _change(
    session_id: str, before: Slot | None, session: Session | None, title: str = ""
) -> ProgrammeChange | None:
    after = Slot.of(session) if session is not None else None
    kind = _kind(before, after)
    if kind is None:
        return None
    return ProgrammeChange(
        kind,
        session_id,
        session.title if session is not None else title,
        session.vertical_id if session is not None else None,
        after.fingerprint if after is not None else REMOVED,
        before,
        after,
    )


def diff_programme(
    known: Mapping[str, Known], sessions: Mapping[str, Session]
) -> list[ProgrammeChange]:
    """The changes from the known programme to `sessions`: removals first, then by id."""
    changes: list[ProgrammeChange] = []
    for session_id, old in sorted(known.items()):
        if session_id in sessions or old.fingerprint == REMOVED:
            continue
        removed = _change(session_id, Slot.parse(old.fingerprint), None, old.title)
        if removed is not None:
            changes.append(replace(removed, vertical_id=old.vertical_id))
    for session_id, session in sorted(sessions.items()):
        seen = known.get(session_id)
        before = (
            None if seen is None or seen.fingerprint == REMOVED else Slot.parse(seen.fingerprint)
        )
        change = _change(session_id, before, session)
        if change is not None and seen is not None and seen.fingerprint == REMOVED:
            change = replace(change, kind=ChangeKind.RESTORED)  # its removal was told
        if change is not None:
            changes.append(change)
    return changes


def diff_booking(
    session_id: str, start: datetime, sessions: Mapping[str, Session]
) -> ProgrammeChange | None:
    """What happened to a session since it was booked (not cancelled) at `start`; None: nothing.

    A booking (a reminder) remembers the start alone, so only a new start, a cancellation or a
    removal count: the rest of the slot is taken from the current version, unchanged.
    """
    session = sessions.get(session_id)
    if session is None:
        booked = Slot(start, start, "", "confirmed")
    else:
        booked = replace(Slot.of(session), start=start, status="confirmed")
    return _change(session_id, booked, session)
