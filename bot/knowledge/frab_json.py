"""frab/pretalx schedule JSON exports: the conference, its tracks and sessions, with lines."""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import EventInfo, KnowledgeError, Passage, PassageKind, Session, Vertical
from bot.knowledge.passage_text import session_passage_text, spell_date_range, zone_label
from bot.knowledge.press import clean_markdown

_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?::\d{2})?$")
_NIGHT_HOURS = 6  # a session before 06:00 the day after the last day still belongs to it


@dataclass(slots=True)
class Schedule:
    """What one schedule export yields, valid sessions only, plus its errors."""

    event: EventInfo | None = None
    verticals: list[Vertical] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    errors: list[KnowledgeError] = field(default_factory=list)
    broken: bool = False  # not valid JSON
    recognised: bool = True  # False: JSON, but not a frab/pretalx schedule


def is_schedule(data: object) -> bool:
    """Whether parsed JSON has the `schedule.conference.days[].rooms{}` shape."""
    if not isinstance(data, dict) or not isinstance(data.get("schedule"), dict):
        return False
    conference = data["schedule"].get("conference")
    if not isinstance(conference, dict) or not isinstance(conference.get("days"), list):
        return False
    return all(isinstance(day, dict) and "rooms" in day for day in conference["days"])


class _LineFinder:
    """Finds the line of an event's guid or title in the raw JSON text, in file order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        self.position = 0

    def find(self, *values: object) -> int:
        for value in values:
            if value is None or value == "":
                continue
            for needle in {json.dumps(value), json.dumps(value, ensure_ascii=False)}:
                found = self.text.find(needle, self.position)
                if found >= 0:
                    self.position = found + len(needle)
                else:
                    found = self.text.find(needle)
                if found >= 0:
                    return bisect.bisect_right(self.starts, found)
        return bisect.bisect_right(self.starts, self.position)


def _text(value: object) -> str:
    """A JSON value as clean text: null, numbers and \\r\\n handled."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def slugify(name: str) -> str:
    """A vertical id from a track name: `MON r3s Rhein VHS` -> `mon-r3s-rhein-vhs`."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "track"


def _kind(session_type: str) -> str:
    """`Talk 30 min + 10min Q&A` -> `talk`; `LightningTalk 15min` -> `lightning talk`."""
    words = re.split(r"[\d(/+,]", session_type, maxsplit=1)[0].strip()
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", words).lower()
    return "" if words in ("", "other", "session") else words


def _any_text(value: object) -> str:
    """The English (else first) text of a translated `{language: text}` field."""
    if not isinstance(value, dict) or not value:
        return ""
    return _text(value.get("en")) or _text(next(iter(value.values())))


def _translations(event: Mapping[str, object]) -> tuple[tuple[str, str, str], ...]:
    """Titles and abstracts pretalx exports as `{language: text}` mappings, when it does."""
    titles, abstracts = event.get("title"), event.get("abstract")
    found: list[tuple[str, str, str]] = []
    for lang in dict.fromkeys(
        [
            *(titles if isinstance(titles, dict) else {}),
            *(abstracts if isinstance(abstracts, dict) else {}),
        ]
    ):
        title = _text(titles.get(lang)) if isinstance(titles, dict) else ""
        abstract = _text(abstracts.get(lang)) if isinstance(abstracts, dict) else ""
        if title or abstract:
            found.append((str(lang).lower()[:2], title, abstract))
    return tuple(found)


def _speakers(persons: object) -> tuple[str, ...]:
    names: list[str] = []
    for person in persons if isinstance(persons, list) else []:
        if isinstance(person, dict):
            name = _text(person.get("public_name")) or _text(person.get("name"))
            name = name or _text(person.get("full_public_name"))
        else:
            name = _text(person)
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _zone_name(offset: timedelta | None) -> str:
    """An IANA name for a fixed offset (Etc/GMT-1 is UTC+01:00), else UTC."""
    hours, rest = divmod(int((offset or timedelta(0)).total_seconds()), 3600)
    if rest or not hours:
        return "UTC"
    return f"Etc/GMT{-hours:+d}"


class _Importer:
    def __init__(self, relative: str, text: str, conference: Mapping[str, object]) -> None:
        self.relative, self.conference = relative, conference
        self.lines = _LineFinder(text)
        self.result = Schedule()
        self.zone = _zone(_text(conference.get("time_zone_name")))
        self.first = _date(conference.get("start"))
        self.last = _date(conference.get("end"))
        self.verticals: dict[str, Vertical] = {}
        self.seen: dict[str, int] = {}
        self.conference_line = text.count("\n", 0, max(text.find('"conference"'), 0)) + 1

    def error(self, line: int, message: str) -> None:
        self.result.errors.append(KnowledgeError(self.relative, line, message))

    def run(self) -> Schedule:
        days = self.conference.get("days")
        for day in days if isinstance(days, list) else []:
            rooms = day.get("rooms")
            if not isinstance(rooms, dict):
                self.error(self.lines.find(day.get("date")), "day without a rooms mapping")
                continue
            for room, events in rooms.items():
                for event in events if isinstance(events, list) else []:
                    if isinstance(event, dict):
                        self.session(event, str(room), _date(day.get("date")))
        self.result.verticals = list(self.verticals.values())
        self.result.event = self.event_info()
        self.result.passages = [*self.overview(), *self.result.passages]
        return self.result

    def start_of(self, event: Mapping[str, object], day: date | None) -> datetime | None:
        try:
            moment = datetime.fromisoformat(_text(event.get("date")).replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is None and day is not None:
            clock = re.match(r"^(\d{1,2}):(\d{2})", _text(event.get("start")))
            if clock:
                moment = datetime.combine(day, time(int(clock[1]), int(clock[2])))
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone or UTC)
        return moment

    def session(self, event: Mapping[str, object], room_key: str, day: date | None) -> None:
        identifier = _text(event.get("guid")) or _text(event.get("id"))
        title = _text(event.get("title")) or _any_text(event.get("title"))
        line = self.lines.find(event.get("guid"), event.get("title"), event.get("id"))
        owner = f'session "{title or identifier}"'
        if not identifier or not title:
            missing = "guid or id" if not identifier else "title"
            self.error(line, f'{owner}: missing required field "{missing}"')
            return
        if identifier in self.seen:
            self.error(
                line, f'duplicate session id "{identifier}" (first at line {self.seen[identifier]})'
            )
            return
        self.seen[identifier] = line
        start = self.start_of(event, day)
        duration = _DURATION.match(_text(event.get("duration")))
        if start is None or duration is None:
            field_name = "date" if start is None else "duration"
            value = _text(event.get(field_name))
            self.error(line, f'{owner}: bad or missing {field_name} "{value}"')
            return
        days, hours, minutes = (int(part or 0) for part in duration.groups())
        end = start + timedelta(days=days, hours=hours, minutes=minutes)
        if end <= start:
            self.error(line, f"{owner}: end is not after start (duration {duration[0]})")
            return
        self.check_date(start, owner, line)
        track = event.get("track")
        track_name = _text(track.get("name") if isinstance(track, dict) else track)
        vertical = self.vertical(track_name, line) if track_name else None
        subtitle = clean_markdown(_text(event.get("subtitle")), keep_urls=False)
        abstract = _text(event.get("abstract")) or _any_text(event.get("abstract"))
        abstract = clean_markdown(abstract, keep_urls=False)
        abstract = abstract or clean_markdown(_text(event.get("description")), keep_urls=False)
        description = f"{subtitle}. {abstract}" if subtitle and abstract else subtitle or abstract
        session = Session(
            id=identifier,
            title=title,
            start=start,
            end=end,
            room=_text(event.get("room")) or room_key,
            vertical_id=vertical.id if vertical else None,
            speakers=_speakers(event.get("persons")),
            description=description,
            language=_text(event.get("language")).lower() or None,
            source=self.relative,
            line=line,
            kind=_kind(_text(event.get("type"))),
            translations=_translations(event),
        )
        zone = self.display_zone(start)
        kind = session.kind
        text = session_passage_text(
            session, vertical, "en", zone, kind=kind, vertical_word="track", show_zone=True
        )
        self.result.sessions.append(session)
        self.result.passages.append(
            Passage(
                id=f"{self.relative}#{identifier}:en",
                text=text,
                source=f"{self.relative}#{identifier}",
                line=line,
                kind=PassageKind.SESSION,
                language="en",
                session_id=identifier,
                vertical_id=session.vertical_id,
            )
        )

    def display_zone(self, start: datetime) -> tzinfo:
        """The named zone if it agrees with the export's own offset, else that offset."""
        if self.zone is not None and self.zone.utcoffset(start) == start.utcoffset():
            return self.zone
        return start.tzinfo or UTC

    def check_date(self, start: datetime, owner: str, line: int) -> None:
        local = start.astimezone(self.zone) if self.zone else start
        if self.first is None or self.last is None:
            return
        night = local.date() == self.last + timedelta(days=1) and local.hour < _NIGHT_HOURS
        if not self.first <= local.date() <= self.last and not night:
            span = f"{self.first} to {self.last}"
            self.error(line, f"{owner}: date {local.date()} is outside the conference ({span})")

    def vertical(self, track: str, line: int) -> Vertical:
        slug = slugify(track)
        if slug not in self.verticals:
            self.verticals[slug] = Vertical(slug, {"en": track}, source=self.relative, line=line)
        return self.verticals[slug]

    def event_info(self) -> EventInfo | None:
        sessions = self.result.sessions
        first = self.first or min((s.start.date() for s in sessions), default=None)
        last = self.last or max((s.end.date() for s in sessions), default=None)
        if first is None or last is None:
            return None
        title = _text(self.conference.get("title")) or _text(self.conference.get("acronym"))
        title = title or self.relative.rsplit("/", 1)[-1].removesuffix(".json")
        zone = (
            self.zone.key
            if self.zone
            else _zone_name(sessions[0].start.utcoffset() if sessions else None)
        )
        return EventInfo(
            name=title,
            start_date=first,
            end_date=max(first, last),
            timezone=zone,
            languages=("en",),
            names={"en": title},
            source=self.relative,
        )

    def overview(self) -> list[Passage]:
        """An English passage for the conference and one for each track."""
        event, sessions = self.result.event, self.result.sessions
        if event is None:
            return []
        rooms = Counter(s.room for s in sessions if s.room)
        tracks = Counter(s.vertical_id for s in sessions if s.vertical_id)
        if sessions:
            label = zone_label(self.display_zone(sessions[0].start), sessions[0].start)
        else:
            label = event.timezone
        text = (
            f"{event.name}: {spell_date_range(event.start_date, event.end_date, 'en')}. "
            f"Local times, time zone {label}. {_count(len(sessions), 'session')}"
        )
        if rooms:
            text += f" in {len(rooms)} rooms: " + "; ".join(
                room for room, _ in rooms.most_common(12)
            )
        text += "."
        if tracks:
            listed = [f"{self.verticals[t].name('en')} ({n})" for t, n in tracks.most_common(15)]
            text += f" Tracks ({len(tracks)}): " + "; ".join(listed) + "."
        passages = [
            self._passage(
                f"{self.relative}#event:en", text, self.conference_line, PassageKind.EVENT, None
            )
        ]
        for slug, count in tracks.items():
            vertical = self.verticals[slug]
            members = [s for s in sessions if s.vertical_id == slug]
            days = sorted({s.start.date() for s in members})
            where = sorted({s.room for s in members if s.room})
            text = (
                f"Track \u201c{vertical.name('en')}\u201d — {event.name}. "
                f"{_count(count, 'session')}, {spell_date_range(days[0], days[-1], 'en')}"
            )
            text += (", in " + "; ".join(where[:8]) + ".") if where else "."
            passages.append(
                self._passage(
                    f"{self.relative}#vertical:{slug}:en",
                    text,
                    vertical.line,
                    PassageKind.VERTICAL,
                    slug,
                )
            )
        return passages

    def _passage(
        self, identifier: str, text: str, line: int, kind: PassageKind, vertical: str | None
    ) -> Passage:
        return Passage(
            id=identifier,
            text=text,
            source=self.relative,
            line=line,
            kind=kind,
            language="en",
            vertical_id=vertical,
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(_text(value)[:10])
    except ValueError:
        return None


def load_schedule(relative: str, text: str) -> Schedule:
    """Parse a JSON file; a frab/pretalx export becomes sessions, anything else an error."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        error = KnowledgeError(
            relative, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})"
        )
        return Schedule(errors=[error], broken=True)
    if not is_schedule(data):
        error = KnowledgeError(relative, 1, "not a frab/pretalx schedule")
        return Schedule(errors=[error], recognised=False)
    return _Importer(relative, text, data["schedule"]["conference"]).run()
