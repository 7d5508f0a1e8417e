"""The one programme diff: the same rule for the change notices and for reminders' bookings."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import Session
from bot.knowledge.diff import ChangeKind, Known, diff_booking, diff_programme

DAY = datetime(2031, 7, 1, 9, tzinfo=ZoneInfo("Africa/Casablanca"))
TALK = Session("t", "Séance t", DAY, DAY + timedelta(hours=1), "Salle A", "sante")


@pytest.mark.parametrize(
    ("after", "notice", "booking"),
    [
        (replace(TALK, start=DAY + timedelta(hours=2)), ChangeKind.MOVED, ChangeKind.MOVED),
        (replace(TALK, status="cancelled"), ChangeKind.CANCELLED, ChangeKind.CANCELLED),
        (None, ChangeKind.REMOVED, ChangeKind.REMOVED),
        # A reminder remembers the start alone: elsewhere or longer, it still goes out.
        (replace(TALK, room="Salle B"), ChangeKind.MOVED, None),
        (replace(TALK, end=DAY + timedelta(hours=2)), ChangeKind.MOVED, None),
        (replace(TALK, status="tentative"), None, None),
        (TALK, None, None),
    ],
)
def test_notices_and_bookings_read_one_diff(
    after: Session | None, notice: ChangeKind | None, booking: ChangeKind | None
) -> None:
    sessions = {} if after is None else {"t": after}
    changes = diff_programme({"t": Known.of(TALK)}, sessions)
    assert [c.kind for c in changes] == ([notice] if notice else [])
    change = diff_booking("t", TALK.start, sessions)
    assert (change.kind if change else None) == booking


def test_a_booking_sees_the_new_start_and_a_zone_change_is_no_move() -> None:
    moved = replace(TALK, start=DAY + timedelta(hours=3), end=DAY + timedelta(hours=4))
    change = diff_booking("t", TALK.start, {"t": moved})
    assert change is not None
    assert change.after is not None
    assert (change.after.start, change.title) == (moved.start, "Séance t")
    assert diff_booking("t", TALK.start.astimezone(ZoneInfo("UTC")), {"t": TALK}) is None


def test_a_booking_of_a_session_cancelled_and_back_is_unchanged() -> None:
    # The reminder was booked while the session was on: back on at the same start, it holds.
    assert diff_booking("t", TALK.start, {"t": TALK}) is None
    back = diff_programme({"t": Known.of(replace(TALK, status="cancelled"))}, {"t": TALK})
    assert [c.kind for c in back] == [ChangeKind.MOVED]  # attendees hear it is back
