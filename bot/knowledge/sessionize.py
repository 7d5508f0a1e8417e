"""Sessionize's "All data" JSON export: sessions, speakers, rooms and categories by id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime

from bot.knowledge.frab_json import Schedule, import_conference

_TRACK_TITLES = ("track", "tracks", "parcours", "thème", "theme", "vertical", "verticale")


def is_sessionize(data: object) -> bool:
    """Whether parsed JSON has Sessionize's `sessions`, `speakers` and `rooms` lists."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("sessions"), list)
        and isinstance(data.get("speakers"), list)
        and isinstance(data.get("rooms"), list)
    )


def _by_id(items: object) -> dict[str, Mapping[str, object]]:
    found: dict[str, Mapping[str, object]] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("id") is not None:
            found[str(item["id"])] = item
    return found


def _track_items(categories: object) -> dict[str, str]:
    """Category item id -> name, for the category that holds tracks (else the first one)."""
    listed = [c for c in categories if isinstance(c, dict)] if isinstance(categories, list) else []
    tracks = [c for c in listed if str(c.get("title", "")).strip().lower() in _TRACK_TITLES]
    chosen = (tracks or listed)[:1]
    return {
        str(item.get("id")): str(item.get("name", ""))
        for category in chosen
        for item in category.get("items") or []
        if isinstance(item, dict)
    }


def _duration(start: str, end: str) -> str:
    try:
        minutes = int(
            (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() // 60
        )
    except (TypeError, ValueError):
        return ""
    return f"{minutes // 60:02d}:{minutes % 60:02d}" if minutes > 0 else ""


def load_sessionize(relative: str, text: str, data: Mapping[str, object], zone: str) -> Schedule:
    """A Sessionize export as a schedule; its times carry no offset, so `zone` applies."""
    speakers = _by_id(data.get("speakers"))
    rooms = _by_id(data.get("rooms"))
    tracks = _track_items(data.get("categories"))
    days: dict[str, dict[str, list[Mapping[str, object]]]] = defaultdict(lambda: defaultdict(list))
    sessions = data.get("sessions")
    for session in sessions if isinstance(sessions, list) else []:
        if not isinstance(session, dict):
            continue
        start, end = str(session.get("startsAt") or ""), str(session.get("endsAt") or "")
        room = rooms.get(str(session.get("roomId")), {}).get("name", "")
        names = [
            str(speakers[str(s)].get("fullName") or "")
            for s in session.get("speakers") or []
            if str(s) in speakers
        ]
        track = next(
            (tracks[str(i)] for i in session.get("categoryItems") or [] if str(i) in tracks), ""
        )
        event = {
            "guid": str(session.get("id") or ""),
            "title": session.get("title"),
            "date": start,
            "duration": _duration(start, end),
            "room": room,
            "track": track,
            "persons": [{"public_name": name} for name in names if name],
            "description": session.get("description"),
            "status": session.get("status") if session.get("status") != "Accepted" else "",
        }
        days[start[:10]][str(room)].append(event)
    conference = {
        "title": relative.rsplit("/", 1)[-1].removesuffix(".json"),
        "days": [{"date": day, "rooms": dict(by_room)} for day, by_room in sorted(days.items())],
    }
    return import_conference(relative, text, conference, default_zone=zone)
