"""frab/pretalx schedule JSON exports: the conference, its tracks and sessions, with lines."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.domain import EventInfo, KnowledgeError, Passage, PassageKind, Session, Vertical
from bot.i18n import t
from bot.i18n.dates import spell_date_range, zone_label
from bot.knowledge.passage_text import session_passage_text
from bot.knowledge.press import clean_markdown
from bot.knowledge.reading import DEFAULT_TIMEZONE, MAX_DEPTH, json_too_deep, line_at
from bot.knowledge.schedule_fields import (
    LineFinder,
    TextLines,
    date_of,
    offset_zone_name,
    plural,
    session_kind,
    slugify,
    speaker_names,
    text_of,
    zone_named,
)
from bot.knowledge.status import normalise_status

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
    notices: list[KnowledgeError] = field(default_factory=list)
    broken: bool = False  # not valid JSON
    recognised: bool = True  # False: JSON, but not a frab/pretalx schedule
    needs_context: bool = False  # times without a zone: the event's zone, from other files


def is_schedule(data: object) -> bool:
    """Whether parsed JSON has the `schedule.conference.days[].rooms{}` shape."""
    if not isinstance(data, dict) or not isinstance(data.get("schedule"), dict):
        return False
    conference = data["schedule"].get("conference")
    if not isinstance(conference, dict) or not isinstance(conference.get("days"), list):
        return False
    return all(isinstance(day, dict) and "rooms" in day for day in conference["days"])


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
        title = text_of(titles.get(lang)) if isinstance(titles, dict) else ""
        abstract = text_of(abstracts.get(lang)) if isinstance(abstracts, dict) else ""
        if title or abstract:
            found.append((str(lang).lower()[:2], title, abstract))
    return tuple(found)


class _Importer:
    def __init__(
        self,
        relative: str,
        text: str,
        conference: Mapping[str, object],
        lines: LineFinder | None = None,
        default_zone: str = "",
    ) -> None:
        self.relative, self.conference = relative, conference
        self.lines = lines or TextLines(text)
        self.result = Schedule()
        self.zone = zone_named(text_of(conference.get("time_zone_name")))
        # Times without an offset: the folder's event zone, else the documented default.
        self.default_zone = zone_named(default_zone) or ZoneInfo(DEFAULT_TIMEZONE)
        self.zone_guessed = not default_zone
        self.floating = 0  # sessions whose time carries no offset and no zone applies
        self.first = date_of(conference.get("start"))
        self.last = date_of(conference.get("end"))
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
                        self.session(event, str(room), date_of(day.get("date")))
        if self.floating:
            self.result.needs_context = True
        if self.floating and self.zone_guessed:
            zone = self.default_zone.key
            message = (
                f"no time zone: {plural(self.floating, 'session')} without an offset or a "
                f"time_zone_name, read as {zone} times; name the event's time zone"
            )
            self.result.notices.append(KnowledgeError(self.relative, self.conference_line, message))
        self.result.verticals = list(self.verticals.values())
        self.result.event = self.event_info()
        self.result.passages = [*self.overview(), *self.result.passages]
        return self.result

    def start_of(self, event: Mapping[str, object], day: date | None) -> datetime | None:
        try:
            moment = datetime.fromisoformat(text_of(event.get("date")).replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is None and day is not None:
            clock = re.match(r"^(\d{1,2}):(\d{2})", text_of(event.get("start")))
            if clock:
                moment = datetime.combine(day, time(int(clock[1]), int(clock[2])))
        if moment is not None and moment.tzinfo is None:
            if self.zone is None:
                self.floating += 1
            moment = moment.replace(tzinfo=self.zone or self.default_zone)
        return moment

    def session(self, event: Mapping[str, object], room_key: str, day: date | None) -> None:
        identifier = text_of(event.get("guid")) or text_of(event.get("id"))
        title = text_of(event.get("title"))
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
        duration = _DURATION.match(text_of(event.get("duration")))
        if start is None or duration is None:
            field_name = "date" if start is None else "duration"
            value = text_of(event.get(field_name))
            self.error(line, f'{owner}: bad or missing {field_name} "{value}"')
            return
        days, hours, minutes = (int(part or 0) for part in duration.groups())
        end = start + timedelta(days=days, hours=hours, minutes=minutes)
        if end <= start:
            self.error(line, f"{owner}: end is not after start (duration {duration[0]})")
            return
        self.check_date(start, owner, line)
        track = event.get("track")
        track_name = text_of(track.get("name") if isinstance(track, dict) else track)
        vertical = self.vertical(track_name, line) if track_name else None
        subtitle = clean_markdown(text_of(event.get("subtitle")), keep_urls=False)
        abstract = clean_markdown(text_of(event.get("abstract")), keep_urls=False)
        abstract = abstract or clean_markdown(text_of(event.get("description")), keep_urls=False)
        description = f"{subtitle}. {abstract}" if subtitle and abstract else subtitle or abstract
        status = "confirmed"
        state = text_of(event.get("state")) or text_of(event.get("status"))
        if state:
            known = normalise_status(state)
            if known is None:
                self.error(line, f'{owner}: unknown state "{state}" (read as confirmed)')
            status = known or "confirmed"
        room = event.get("room")
        room_name = text_of(room.get("name") if isinstance(room, dict) else room)
        session = Session(
            id=identifier,
            title=title,
            start=start,
            end=end,
            room=room_name or room_key,
            status=status,
            vertical_id=vertical.id if vertical else None,
            speakers=speaker_names(event.get("persons")),
            description=description,
            language=text_of(event.get("language")).lower() or None,
            source=self.relative,
            line=line,
            kind=session_kind(text_of(event.get("type"))),
            translations=_translations(event),
        )
        zone = self.display_zone(start)
        kind = session.kind
        text = session_passage_text(
            session, vertical, "en", zone, kind=kind, vertical_word="track", show_zone=True
        )
        search_text = session_passage_text(
            session, vertical, "en", zone, kind=kind, vertical_word="track", for_search=True
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
                search_text=search_text,
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
        title = text_of(self.conference.get("title")) or text_of(self.conference.get("acronym"))
        title = title or self.relative.rsplit("/", 1)[-1].removesuffix(".json")
        if self.zone:
            zone = self.zone.key
        elif self.floating:
            zone = self.default_zone.key
        else:
            zone = offset_zone_name(sessions[0].start.utcoffset() if sessions else None)
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
            f"Local times, time zone {label}. {t('count_sessions', 'en', count=len(sessions))}"
        )
        if rooms:
            text += f" in {t('count_rooms', 'en', count=len(rooms))}: " + "; ".join(
                room for room, _ in rooms.most_common(12)
            )
        text += "."
        if tracks:
            listed = [f"{self.verticals[s].name('en')} ({n})" for s, n in tracks.most_common(15)]
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
            span = spell_date_range(days[0], days[-1], "en")
            text = (
                f"Track \u201c{vertical.name('en')}\u201d — {event.name}. "
                f"{t('count_sessions', 'en', count=count)}, {span}"
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


def import_conference(
    relative: str,
    text: str,
    conference: Mapping[str, object],
    lines: LineFinder | None = None,
    default_zone: str = "",
) -> Schedule:
    """Sessions, tracks and passages of a frab-shaped conference (`days[].rooms{}`)."""
    return _Importer(relative, text, conference, lines, default_zone).run()


def load_schedule(relative: str, text: str) -> Schedule:
    """Parse a JSON file; a frab/pretalx export becomes sessions, anything else an error."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        error = KnowledgeError(
            relative, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})"
        )
        return Schedule(errors=[error], broken=True)
    except RecursionError:
        line = line_at(text, json_too_deep(text))
        error = KnowledgeError(relative, line, f"nested too deeply (over {MAX_DEPTH} levels)")
        return Schedule(errors=[error], broken=True)
    if not is_schedule(data):
        error = KnowledgeError(relative, 1, "not a frab/pretalx schedule")
        return Schedule(errors=[error], recognised=False)
    return import_conference(relative, text, data["schedule"]["conference"])
