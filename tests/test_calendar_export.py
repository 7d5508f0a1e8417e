"""Calendar export: a session's .ics parses back with the right times, place and status."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component

from bot.domain import EventInfo, Session, Vertical
from bot.telegram.calendar import ics_filename, session_ics

RABAT = ZoneInfo("Africa/Casablanca")
EVENT = EventInfo(
    name="Assises nationales de l'IA",
    start_date=date(2025, 7, 1),
    end_date=date(2025, 7, 2),
    timezone="Africa/Casablanca",
    venue="Centre de conférences",
    city="Rabat",
)
HEALTH = Vertical("health", {"fr": "Santé et médecine de précision", "en": "Health"})
SESSION = Session(
    id="d1-health",
    title="IA et santé : médecine de précision",
    start=datetime(2025, 7, 1, 10, 30, tzinfo=RABAT),
    end=datetime(2025, 7, 1, 11, 45, tzinfo=RABAT),
    room="Salle A",
    vertical_id="health",
    speakers=("Dr Amina", "Pr Karim"),
    description="Diagnostic assisté; données, éthique.",
    illustrative=True,
)


def parse(data: bytes) -> tuple[Calendar, Component]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_session_parses_back_with_aware_times_and_details() -> None:
    calendar, entry = parse(session_ics(SESSION, HEALTH, EVENT))
    assert str(calendar["VERSION"]) == "2.0"
    assert "conference-assistant" in str(calendar["PRODID"])
    start, end = entry.decoded("DTSTART"), entry.decoded("DTEND")
    assert start.tzinfo is not None
    assert end.tzinfo is not None
    assert start == SESSION.start  # 10:30 in Rabat (UTC+1) is 09:30 UTC
    assert start.astimezone(UTC) == datetime(2025, 7, 1, 9, 30, tzinfo=UTC)
    assert end == SESSION.end
    assert str(entry["SUMMARY"]) == SESSION.title
    assert str(entry["LOCATION"]) == "Salle A, Centre de conférences, Rabat"
    description = str(entry["DESCRIPTION"])
    assert "Dr Amina, Pr Karim" in description
    assert "Diagnostic assisté; données, éthique." in description
    assert "Santé et médecine de précision" in description
    assert "illustratif" in description
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert entry.decoded("DTSTAMP").tzinfo is not None


def test_uid_is_stable_per_session_and_event() -> None:
    _, first = parse(session_ics(SESSION, HEALTH, EVENT))
    _, again = parse(session_ics(SESSION, None, EVENT, language="en"))
    _, other = parse(session_ics(replace(SESSION, id="d1-agri"), HEALTH, EVENT))
    _, elsewhere = parse(session_ics(SESSION, HEALTH, replace(EVENT, name="Another event")))
    assert str(first["UID"]) == str(again["UID"])
    assert len({str(e["UID"]) for e in (first, other, elsewhere)}) == 3


def test_cancelled_session_and_minimal_session() -> None:
    _, cancelled = parse(session_ics(replace(SESSION, status="cancelled"), HEALTH, EVENT))
    assert str(cancelled["STATUS"]) == "CANCELLED"
    bare = Session("x1", "Pause", SESSION.start, SESSION.end)
    _, entry = parse(session_ics(bare, None, None))
    assert "LOCATION" not in entry
    assert "DESCRIPTION" not in entry
    assert entry.decoded("DTEND") == SESSION.end


def test_file_names_are_safe_ascii() -> None:
    assert ics_filename(SESSION) == "ia-et-sante-medecine-de-precision.ics"
    arabic = replace(SESSION, id="s/../7", title="الذكاء الاصطناعي")
    assert ics_filename(arabic) == "s-7.ics"
    assert ics_filename(replace(SESSION, id="جلسة", title="؟")) == "session.ics"
    long = ics_filename(replace(SESSION, title="word " * 40))
    assert long.isascii()
    assert len(long) <= 64
    assert "/" not in long
