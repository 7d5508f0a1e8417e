"""iCalendar programmes (`.ics`, as pretalx, Indico and calendar apps export them).

Each VEVENT is a session: SUMMARY the title, LOCATION the room, CATEGORIES the track,
DESCRIPTION the description, STATUS its status. They go through the frab importer, so an
`.ics` gives the same session passages as a schedule export.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from icalendar import Calendar

from bot.domain import KnowledgeError
from bot.knowledge.frab_json import Schedule, import_conference
from bot.knowledge.schedule_fields import KnownLines


def _vevent_lines(text: str) -> dict[str, int]:
    """UID -> line of its BEGIN:VEVENT."""
    lines: dict[str, int] = {}
    begin = 0
    for number, line in enumerate(text.splitlines(), start=1):
        upper = line.upper()
        if upper.startswith("BEGIN:VEVENT"):
            begin = number
        elif upper.startswith("UID") and ":" in line and begin:
            lines.setdefault(line.split(":", 1)[1].strip(), begin)
    return lines


def _categories(value: object) -> list[str]:
    found: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        cats = getattr(item, "cats", None)
        found += [str(c) for c in cats] if cats is not None else ([str(item)] if item else [])
    return [c.strip() for c in found if c.strip()]


def _duration(start: datetime, end: datetime) -> str:
    minutes = int((end - start).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    clock = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{days}:{clock}" if days else clock


def load_ical(relative: str, text: str, zone: str) -> Schedule:
    """Read an iCalendar file as a schedule; all-day entries are not sessions (noticed)."""
    try:
        calendar = Calendar.from_ical(text)
    except ValueError as exc:
        return Schedule(
            errors=[KnowledgeError(relative, 0, f"invalid iCalendar: {exc}")], broken=True
        )
    if not isinstance(calendar, Calendar):
        calendar = calendar[0] if calendar else Calendar()
    lines = _vevent_lines(text)
    result_errors: list[KnowledgeError] = []
    days: dict[str, dict[str, list[dict[str, object]]]] = defaultdict(lambda: defaultdict(list))
    all_day = 0
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        uid = str(event.get("UID") or f"vevent-{number}")
        line = lines.get(uid, 0)
        try:
            start = event.decoded("DTSTART")
            end = event.decoded("DTEND") if "DTEND" in event else None
            if end is None and "DURATION" in event:
                end = start + event.decoded("DURATION")
        except (KeyError, ValueError) as exc:
            result_errors.append(KnowledgeError(relative, line, f"VEVENT {uid}: bad time ({exc})"))
            continue
        if not isinstance(start, datetime):
            all_day += isinstance(start, date)
            continue
        end = end if isinstance(end, datetime) else start + timedelta(hours=1)
        room = str(event.get("LOCATION") or "").strip()
        tracks = _categories(event.get("CATEGORIES"))
        attendees = event.get("ATTENDEE") or []
        speakers = [
            str(a.params.get("CN", "")).strip()
            for a in (attendees if isinstance(attendees, list) else [attendees])
            if hasattr(a, "params")
        ]
        days[start.date().isoformat()][room].append(
            {
                "guid": uid,
                "title": str(event.get("SUMMARY") or "").strip(),
                "date": start.isoformat(),
                "duration": _duration(start, end),
                "room": room,
                "track": tracks[0] if tracks else "",
                "persons": [{"public_name": name} for name in speakers if name],
                "description": str(event.get("DESCRIPTION") or ""),
                "status": str(event.get("STATUS") or "").lower().replace("confirmed", ""),
            }
        )
    name = str(calendar.get("X-WR-CALNAME") or relative.rsplit("/", 1)[-1].removesuffix(".ics"))
    conference = {
        "title": name,
        "time_zone_name": str(calendar.get("X-WR-TIMEZONE") or ""),
        "days": [{"date": d, "rooms": dict(rooms)} for d, rooms in sorted(days.items())],
    }
    result = import_conference(relative, text, conference, KnownLines(lines), default_zone=zone)
    result.errors[:0] = result_errors
    if all_day:
        message = f"{all_day} all-day entries left out (a session needs a start time)"
        result.notices.append(KnowledgeError(relative, 1, message))
    return result
