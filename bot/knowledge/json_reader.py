"""JSON files: frab/pretalx schedules (v1 and v2), Sessionize exports, and helpful refusals."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping

from bot.domain import KnowledgeError
from bot.knowledge.frab_json import Schedule, import_conference, is_schedule
from bot.knowledge.reading import MAX_DEPTH, json_too_deep, line_at
from bot.knowledge.sessionize import is_sessionize, load_sessionize

PRETALX_EXPORT_HINT = (
    "a pretalx API dump, not a schedule: download pretalx's schedule export instead "
    "(Schedule > Export: schedule.json or schedule.xml, at /<event>/schedule/export/schedule.json)"
)


def _v2_events(data: object) -> tuple[Mapping[str, object], list[object]] | None:
    """The conference block and the flat event list of a schedule v2 (`schedule.events[]`)."""
    if not isinstance(data, dict) or not isinstance(data.get("schedule"), dict):
        return None
    schedule = data["schedule"]
    conference = schedule.get("conference")
    conference = conference if isinstance(conference, dict) else {}
    events = schedule.get("events", conference.get("events"))
    return (conference, events) if isinstance(events, list) else None


def _v2_conference(conference: Mapping[str, object], events: list[object]) -> dict[str, object]:
    """A v2 event list regrouped as v1 days and rooms, so one importer reads both."""
    rooms: dict[str, str] = {}
    listed = conference.get("rooms")
    for room in listed if isinstance(listed, list) else []:
        if isinstance(room, dict) and room.get("guid"):
            rooms[str(room["guid"])] = str(room.get("name") or "")
    days: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for event in events:
        if not isinstance(event, dict):
            continue
        room = event.get("room")
        name = room.get("name") if isinstance(room, dict) else rooms.get(str(room), room)
        event = {**event, "room": str(name or "")}
        days[str(event.get("date") or "")[:10]][str(name or "")].append(event)
    by_day = [{"date": day, "rooms": dict(rooms)} for day, rooms in sorted(days.items())]
    return {**conference, "days": by_day}


def _is_pretalx_api(data: object) -> bool:
    """pretalx's REST API output: submissions with a `code`, paginated or as a list."""
    items = data.get("results") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        return False
    return "code" in items[0] and bool({"title", "state", "name"} & set(items[0]))


def read_json(relative: str, text: str, zone: str) -> Schedule:
    """Parse JSON, bounded in depth, and read it as whichever schedule format it is."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"invalid JSON: {exc.msg} (column {exc.colno})"
        return Schedule(errors=[KnowledgeError(relative, exc.lineno, message)], broken=True)
    except RecursionError:  # the parser's own guard; say where, without a traceback
        line = line_at(text, json_too_deep(text))
        message = f"nested too deeply (over {MAX_DEPTH} levels): not a schedule"
        return Schedule(errors=[KnowledgeError(relative, line, message)], broken=True)
    if is_schedule(data):
        return import_conference(relative, text, data["schedule"]["conference"], default_zone=zone)
    v2 = _v2_events(data)
    if v2 is not None:
        conference = _v2_conference(*v2)
        return import_conference(relative, text, conference, default_zone=zone)
    if is_sessionize(data):
        assert isinstance(data, dict)
        return load_sessionize(relative, text, data, zone)
    if _is_pretalx_api(data):
        return Schedule(errors=[KnowledgeError(relative, 1, PRETALX_EXPORT_HINT)], recognised=False)
    message = "not a frab/pretalx schedule (nor schedule v2 or Sessionize JSON)"
    return Schedule(errors=[KnowledgeError(relative, 1, message)], recognised=False)
