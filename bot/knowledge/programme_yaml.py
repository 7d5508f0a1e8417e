"""The event's programme file (YAML): event, verticals and sessions, each with its line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from yaml.nodes import MappingNode, ScalarNode

from bot.domain import LANGUAGES, EventInfo, KnowledgeError, Passage, PassageKind, Session, Vertical
from bot.knowledge.passage_text import (
    event_passage_text,
    session_passage_text,
    vertical_passage_text,
)
from bot.knowledge.reading import DEFAULT_TIMEZONE, ProgrammeContext
from bot.knowledge.status import normalise_status
from bot.knowledge.yaml_fields import (
    LATE_HOURS,
    BoundedLoader,
    FieldReader,
    Texts,
    localised,
    pick,
)

PROGRAMME_KEYS = frozenset({"event", "verticals", "sessions"})
_VERTICAL_ID = re.compile(r"^[a-z0-9_-]+$")


@dataclass(slots=True)
class Programme:
    """What one programme file yields, valid parts only, plus its errors."""

    event: EventInfo | None = None
    event_line: int = 0
    verticals: list[Vertical] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    errors: list[KnowledgeError] = field(default_factory=list)
    notices: list[KnowledgeError] = field(default_factory=list)
    broken: bool = False  # not parseable at all
    recognised: bool = True  # False: a YAML file that is not a programme
    needs_context: bool = False  # refers to an event or verticals declared elsewhere


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def load_programme(relative: str, text: str, context: ProgrammeContext | None = None) -> Programme:
    """Parse a programme file; field errors are reported and the valid parts still load."""
    try:
        root = yaml.compose(text, Loader=BoundedLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        message = f"invalid YAML: {exc.problem or 'syntax error'}"
        if exc.context and exc.context_mark is not None:
            message += f" ({exc.context} started at line {exc.context_mark.line + 1})"
        return Programme(errors=[KnowledgeError(relative, line, message)], broken=True)
    except yaml.YAMLError as exc:
        return Programme(errors=[KnowledgeError(relative, 0, f"invalid YAML: {exc}")], broken=True)
    keys = (
        {str(k.value) for k, _ in root.value if isinstance(k, ScalarNode)}
        if isinstance(root, MappingNode)
        else set()
    )
    if not isinstance(root, MappingNode) or not keys & PROGRAMME_KEYS:
        error = KnowledgeError(
            relative, 1, "not a programme file (no event, verticals or sessions)"
        )
        return Programme(errors=[error], recognised=False)
    return _build(relative, root, context or ProgrammeContext())


def _build(relative: str, root: MappingNode, context: ProgrammeContext) -> Programme:
    result = Programme()
    top = FieldReader(root, relative, result.errors)
    parts = _EventParts()
    event_node = top.node("event")
    if isinstance(event_node, MappingNode):
        result.event_line = top.line_of("event")
        parts = _event(FieldReader(event_node, relative, result.errors))
        result.event = parts.event
    elif event_node is not None:
        top.error(top.line_of("event"), '"event" must be a mapping of fields')
    event = result.event or context.event
    languages = event.languages if event else LANGUAGES
    zone = (_zone(event.timezone) if event else None) or ZoneInfo(DEFAULT_TIMEZONE)

    descriptions: dict[str, Texts] = {}
    for item in top.items("verticals"):
        vertical, described = _vertical(FieldReader(item, relative, result.errors), languages)
        if vertical is None:
            continue
        if vertical.id in descriptions:
            top.error(vertical.line, f'duplicate vertical id "{vertical.id}"')
            continue
        descriptions[vertical.id] = described
        result.verticals.append(vertical)

    items = top.items("sessions")
    if event is None and items:
        message = (
            f"no event (with its timezone) in the folder: session times read as "
            f"{DEFAULT_TIMEZONE}; declare the event in the programme file"
        )
        result.notices.append(KnowledgeError(relative, 1, message))
    wanted = {FieldReader(item, relative, []).scalar("vertical") for item in items} - {None, ""}
    result.needs_context = bool(items) and (result.event is None or not wanted <= set(descriptions))
    known = {**context.verticals, **{v.id: v for v in result.verticals}}
    texts: dict[str, tuple[Texts, Texts]] = {}
    lines: dict[str, int] = {}
    for item in items:
        parsed = _session(FieldReader(item, relative, result.errors), event, zone, known, lines)
        if parsed is not None:
            texts[parsed[0].id] = parsed[1:]
            result.sessions.append(parsed[0])

    if result.event is not None:
        result.passages += _event_passages(relative, result, parts)
    for session in result.sessions:
        title, description = texts[session.id]
        result.passages += _session_passages(
            relative, session, title, description, known, zone, languages
        )
    for vertical in result.verticals:
        members = [s for s in result.sessions if s.vertical_id == vertical.id]
        result.passages += _vertical_passages(
            relative, vertical, descriptions[vertical.id], members, texts, event, zone, languages
        )
    return result


@dataclass(slots=True)
class _EventParts:
    event: EventInfo | None = None
    summaries: Texts = field(default_factory=dict)
    summary_line: int = 0
    places: Texts = field(default_factory=dict)


def _event(reader: FieldReader) -> _EventParts:
    names = reader.texts("name")
    start, end = reader.date("start_date"), reader.date("end_date")
    timezone = reader.scalar("timezone")
    for name in ("name", "start_date", "end_date"):
        if reader.node(name) is None:
            reader.error(reader.line, f'event: missing required field "{name}"')
    if timezone is None:
        reader.error(reader.line, 'event: missing required field "timezone"')
    elif _zone(timezone) is None:
        reader.error(reader.line_of("timezone"), f'unknown time zone "{timezone}"')
        timezone = None
    if start and end and end < start:
        reader.error(reader.line_of("end_date"), f"event: end_date {end} is before {start}")
        end = None
    if not names or start is None or end is None:
        return _EventParts()
    languages = tuple(lang.lower() for lang in reader.strings("languages")) or LANGUAGES
    names = localised(names, languages)
    cities = localised(reader.texts("city"), languages)
    venues = localised(reader.texts("venue"), languages)
    places = {
        lang: ", ".join(p for p in (pick(venues, (lang,)), pick(cities, (lang,))) if p)
        for lang in languages
    }
    event = EventInfo(
        name=pick(names, languages),
        start_date=start,
        end_date=end,
        timezone=timezone or DEFAULT_TIMEZONE,
        venue=pick(venues, languages),
        city=pick(cities, languages),
        languages=languages,
        names=names,
        source=reader.relative,
    )
    summaries = localised(reader.texts("summary"), languages)
    return _EventParts(event, summaries, reader.line_of("summary"), places)


def _vertical(reader: FieldReader, languages: tuple[str, ...]) -> tuple[Vertical | None, Texts]:
    identifier = reader.scalar("id")
    if not identifier:
        reader.error(reader.line, 'vertical: missing required field "id"')
        return None, {}
    if not _VERTICAL_ID.match(identifier):
        message = f'vertical id "{identifier}": use lowercase letters, digits, "-" or "_"'
        reader.error(reader.line_of("id"), message)
    names = localised(reader.texts("name"), languages)
    if not names:
        reader.error(reader.line, f'vertical "{identifier}": missing required field "name"')
        names = {languages[0]: identifier}
    descriptions = localised(reader.texts("description"), languages)
    vertical = Vertical(
        id=identifier,
        names=names,
        description=pick(descriptions, languages),
        source=reader.relative,
        line=reader.line,
        illustrative=reader.flag("illustrative"),
    )
    return vertical, descriptions


def _day(reader: FieldReader, owner: str, event: EventInfo | None) -> date | None:
    value = reader.scalar("day")
    line = reader.line_of("day")
    if value is None:
        reader.error(reader.line, f'{owner}: missing required field "day"')
        return None
    if value.isdigit():
        if event is None:
            reader.error(line, f"{owner}: day {value} needs an event with a start_date")
            return None
        if int(value) < 1:
            reader.error(line, f"{owner}: day numbers start at 1")
            return None
        day = event.start_date + timedelta(days=int(value) - 1)
    else:
        parsed = reader.date("day")
        if parsed is None:
            return None
        day = parsed
    if event is not None and not event.start_date <= day <= event.end_date:
        span = f"{event.start_date} to {event.end_date}"
        reader.error(line, f"{owner}: date {day} is outside the event ({span})")
    return day


def _session(
    reader: FieldReader,
    event: EventInfo | None,
    zone: ZoneInfo,
    verticals: Mapping[str, Vertical],
    lines: dict[str, int],
) -> tuple[Session, Texts, Texts] | None:
    identifier = reader.scalar("id")
    if not identifier:
        reader.error(reader.line, 'session: missing required field "id"')
        return None
    owner = f'session "{identifier}"'
    if identifier in lines:
        message = f'duplicate session id "{identifier}" (first at line {lines[identifier]})'
        reader.error(reader.line_of("id"), message)
        return None
    lines[identifier] = reader.line
    titles = reader.texts("title")
    for lang in LANGUAGES:  # `title_en: ...` next to a plain title
        extra = reader.scalar(f"title_{lang}")
        if extra:
            titles.setdefault(lang, extra)
    if not titles:
        reader.error(reader.line, f'{owner}: missing required field "title"')
    day = _day(reader, owner, event)
    start_time, end_clock = reader.time("start", owner), reader.clock("end", owner)
    vertical = reader.scalar("vertical") or None
    if vertical is not None and vertical not in verticals:
        reader.error(reader.line_of("vertical"), f'{owner}: unknown vertical "{vertical}"')
        vertical = None
    written = reader.scalar("status") or "confirmed"
    status = normalise_status(written)
    if status is None:
        message = f'{owner}: unknown status "{written}" (confirmed, tentative or cancelled)'
        reader.error(reader.line_of("status"), message)
        status = "confirmed"
    if not titles or day is None or start_time is None or end_clock is None:
        return None
    end_time, days_after = end_clock
    if not days_after and end_time < start_time and end_time.hour < LATE_HOURS:
        days_after = 1  # 22:00-01:00: the session ends after midnight
    start = datetime.combine(day, start_time, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=days_after), end_time, tzinfo=zone)
    if end <= start:
        message = f"{owner}: end {end_time:%H:%M} is not after start {start_time:%H:%M}"
        reader.error(reader.line_of("end"), message)
        return None
    languages = event.languages if event else LANGUAGES
    descriptions = reader.texts("description")
    for lang in LANGUAGES:
        extra = reader.scalar(f"description_{lang}")
        if extra:
            descriptions.setdefault(lang, extra)
    translations = tuple(
        (lang, titles.get(lang, ""), descriptions.get(lang, ""))
        for lang in dict.fromkeys([*titles, *descriptions])
        if lang
    )
    session = Session(
        id=identifier,
        title=pick(titles, languages),
        start=start,
        end=end,
        room=reader.scalar("room") or "",
        vertical_id=vertical,
        speakers=tuple(reader.strings("speakers") or reader.strings("speaker")),
        description=pick(descriptions, languages),
        language=(reader.scalar("language") or "").lower() or None,
        status=status,
        source=reader.relative,
        line=reader.line,
        illustrative=reader.flag("illustrative"),
        kind=(reader.scalar("type") or reader.scalar("kind") or "").lower(),
        translations=translations,
    )
    return session, titles, descriptions


def _event_passages(relative: str, result: Programme, parts: _EventParts) -> list[Passage]:
    """The event per language, then its summary per language."""
    event = parts.event
    assert event is not None
    passages = []
    for lang in event.languages:
        names = [vertical.name(lang) for vertical in result.verticals]
        text = event_passage_text(event, lang, parts.places.get(lang, ""), names)
        key, line = f"{relative}#event:{lang}", result.event_line
        passages.append(Passage(key, text, relative, line, PassageKind.EVENT, lang))
    for lang, summary in parts.summaries.items():
        text = f"{event.names.get(lang) or event.name}\n{summary}"
        key, line = f"{relative}#summary:{lang}", parts.summary_line
        passages.append(Passage(key, text, relative, line, PassageKind.EVENT, lang))
    return passages


def _session_passages(
    relative: str,
    session: Session,
    titles: Texts,
    descriptions: Texts,
    verticals: Mapping[str, Vertical],
    zone: ZoneInfo,
    languages: tuple[str, ...],
) -> list[Passage]:
    """One passage per title language; a plain title gets one per event language."""
    vertical = verticals.get(session.vertical_id or "")
    if "" not in titles:
        languages = tuple(titles)
    passages = []
    for lang in languages:
        variant = replace(
            session,
            title=titles.get(lang) or titles.get("") or session.title,
            description=descriptions.get(lang) or descriptions.get("", ""),
        )
        passages.append(
            Passage(
                id=f"{relative}#{session.id}:{lang}",
                text=session_passage_text(variant, vertical, lang, zone),
                search_text=session_passage_text(variant, vertical, lang, zone, for_search=True),
                source=f"{relative}#{session.id}",
                line=session.line,
                kind=PassageKind.SESSION,
                language=lang,
                session_id=session.id,
                vertical_id=session.vertical_id,
                illustrative=session.illustrative,
            )
        )
    return passages


def _vertical_passages(
    relative: str,
    vertical: Vertical,
    descriptions: Texts,
    sessions: list[Session],
    texts: Mapping[str, tuple[Texts, Texts]],
    event: EventInfo | None,
    zone: ZoneInfo,
    languages: tuple[str, ...],
) -> list[Passage]:
    """One passage per language: the vertical, its description and its sessions."""
    passages = []
    for lang in languages:
        titled = [
            (texts[s.id][0].get(lang) or texts[s.id][0].get("") or s.title, s) for s in sessions
        ]
        event_name = (event.names.get(lang) or event.name) if event else ""
        text = vertical_passage_text(
            vertical, lang, descriptions.get(lang, ""), titled, zone, event_name
        )
        passages.append(
            Passage(
                id=f"{relative}#vertical:{vertical.id}:{lang}",
                text=text,
                source=relative,
                line=vertical.line,
                kind=PassageKind.VERTICAL,
                language=lang,
                vertical_id=vertical.id,
                illustrative=vertical.illustrative or any(s.illustrative for s in sessions),
            )
        )
    return passages
