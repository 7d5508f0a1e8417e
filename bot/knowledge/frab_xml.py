"""frab/pentabarf `schedule.xml` (the voc/schedule XSD: pretalx, frab, FOSDEM, CCC events).

The XML is parsed with defusedxml (no entity expansion, no external references) and each
`<event>` becomes the same event mapping as in the JSON export, so both formats produce the
same sessions and passages through one importer.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta, timezone
from xml.etree.ElementTree import Element, ParseError
from zoneinfo import available_timezones

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.domain import KnowledgeError
from bot.knowledge.frab_json import Schedule, import_conference

_EVENT_FIELDS = (
    "date", "start", "duration", "room", "title", "subtitle", "track", "type", "language",
    "abstract", "description", "state", "status", "slug", "url",
)  # fmt: skip
_RICH_FIELDS = ("subtitle", "abstract", "description")  # FOSDEM writes these as escaped HTML
_TAG = re.compile(r"<[^>]+>")
_NIGHT_END = time(6)
_CONFERENCE_FIELDS = ("acronym", "title", "start", "end", "time_zone_name", "city", "base_url")


def _child_text(element: Element, tag: str) -> str:
    child = element.find(tag)
    return "".join(child.itertext()).strip() if child is not None else ""


def _event(element: Element, room: str) -> dict[str, object]:
    """One `<event>` as the JSON export spells it."""
    event: dict[str, object] = {name: _child_text(element, name) for name in _EVENT_FIELDS}
    for name in _RICH_FIELDS:
        text = str(event[name])
        if "<" in text and ">" in text:
            paragraphs = re.sub(r"</p>|<br\s*/?>", "\n\n", text, flags=re.IGNORECASE)
            event[name] = html.unescape(_TAG.sub("", paragraphs)).strip()
    event["guid"] = element.get("guid") or ""
    event["id"] = element.get("id") or ""
    event["room"] = event["room"] or room
    persons = element.find("persons")
    event["persons"] = [
        {"public_name": "".join(person.itertext()).strip()}
        for person in (persons if persons is not None else [])
    ]
    links = element.find("links")
    event["links"] = [
        {"url": link.get("href") or "", "title": "".join(link.itertext()).strip()}
        for link in (links if links is not None else [])
    ]
    return event


def _conference(root: Element) -> dict[str, object]:
    """The `<conference>` block and every day's rooms, as the JSON export nests them."""
    block = root.find("conference")
    conference: dict[str, object] = {
        name: _child_text(block, name) if block is not None else "" for name in _CONFERENCE_FIELDS
    }
    day_change = _clock(_child_text(block, "day_change") if block is not None else "")
    days = []
    for day in root.findall("day"):
        rooms: dict[str, list[dict[str, object]]] = {}
        for room in day.findall("room"):
            name = room.get("name") or ""
            events = [_event(e, name) for e in room.findall("event")]
            for event in events:
                if not event["date"]:
                    event["date"] = _moment(day, str(event["start"]), day_change)
            rooms.setdefault(name, []).extend(events)
        days.append({"date": day.get("date") or "", "rooms": rooms})
    conference["days"] = days
    return conference


def _clock(text: str) -> time | None:
    match = re.match(r"^(\d{1,2}):(\d{2})", text.strip())
    return time(int(match[1]) % 24, int(match[2])) if match else None


def _moment(day: Element, start: str, day_change: time | None) -> str:
    """An event's date from its day and `<start>` (older pentabarf files, FOSDEM's among them).

    A night start (before 06:00 and the conference's `day_change`) belongs to the night after
    the day, a morning one before a late `day_change` (FOSDEM's is 09:00) to the day; the day's
    own `start` attribute, when it has an offset, gives the offset.
    """
    clock = _clock(start)
    try:
        moment = datetime.combine(date.fromisoformat(day.get("date") or ""), clock or time())
    except ValueError:
        return ""
    if clock is None:
        return ""
    if day_change is not None and clock < min(day_change, _NIGHT_END):
        moment += timedelta(days=1)
    try:
        offset = datetime.fromisoformat(day.get("start") or "").utcoffset()
    except ValueError:
        offset = None
    if offset is not None:
        return moment.replace(tzinfo=timezone(offset)).isoformat()
    return moment.isoformat()


def _zone_of_city(city: str) -> str:
    """The IANA zone named after the conference's city (Brussels, Berlin, Paris...), or ""."""
    wanted = "_".join(city.split(",")[0].strip().split()).casefold()
    if not wanted:
        return ""
    return next(
        (
            name
            for name in sorted(available_timezones())
            if name.rsplit("/", 1)[-1].casefold() == wanted
        ),
        "",
    )


def load_schedule_xml(relative: str, data: bytes, zone: str = "") -> Schedule:
    """Read a schedule.xml; anything else in XML is named as not a schedule."""
    try:
        root = fromstring(data)
    except ParseError as exc:
        line, column = exc.position
        error = KnowledgeError(relative, line, f"invalid XML: {exc.msg} (column {column + 1})")
        return Schedule(errors=[error], broken=True)
    except DefusedXmlException as exc:  # entity declarations or external references
        error = KnowledgeError(relative, 1, f"unsafe XML refused: {exc}")
        return Schedule(errors=[error], broken=True)
    for element in root.iter():  # a namespaced export reads like a plain one
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    if root.tag != "schedule":
        message = f"not a frab/pentabarf schedule.xml (the root is <{root.tag}>, not <schedule>)"
        return Schedule(errors=[KnowledgeError(relative, 1, message)], recognised=False)
    text = data.decode("utf-8", errors="replace")
    conference = _conference(root)
    guessed = "" if conference["time_zone_name"] else _zone_of_city(str(conference["city"]))
    if guessed:
        conference["time_zone_name"] = guessed
    result = import_conference(relative, text, conference, default_zone=zone)
    if guessed:
        message = f"no time_zone_name: times read in {guessed}, the zone of the conference's city"
        result.notices.append(KnowledgeError(relative, 1, message))
    return result
