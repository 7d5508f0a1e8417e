"""Convert the PyCon FR site's schedule.json (pretalx submissions by day) into a frab JSON export.

The AFPy site repositories (`pyconfr-2024`, `pyconfr-2025`) keep the pretalx API's submissions,
grouped by day and ten-minute slot, in `schedule.json` (conference days) and `sprints`. This writes
the frab shape the bot reads (`schedule.conference.days[].rooms{room: [event]}`), one event per
slot, keeping the titles, descriptions, speakers, rooms, times and languages as the export has them.

Usage (from the project root):
  python benchmarks/schedules/pyconfr_frab.py SITE_SCHEDULE.json OUT.json --title "PyConFR 2025"
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

ZONE = "Europe/Paris"


def submissions(site: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Each submission once, from the conference days and the sprint days."""
    seen: set[str] = set()
    for part in ("schedule", "sprints"):
        for slots in site.get(part, {}).values():
            for rooms in slots.values():
                for talk in rooms.values():
                    if talk["code"] not in seen:
                        seen.add(talk["code"])
                        yield talk


def duration(start: datetime, end: datetime) -> str:
    """`HH:MM` between two moments, as frab writes it."""
    minutes = int((end - start).total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def slots_of(talk: dict[str, Any]) -> list[dict[str, Any]]:
    """The submission's slots: `slots` (2025 site), or the one `slot` of the 2024 site."""
    if "slots" in talk:
        return list(talk["slots"])
    return [talk["slot"]] if talk.get("slot") else []


def room_name(slot: dict[str, Any]) -> str:
    """The room's French name; 2025 nests it under `room.name`, 2024 gives `room` itself."""
    room = slot["room"]
    names = room.get("name", room)
    return str(names.get("fr") or names.get("en") or "")


def event_of(talk: dict[str, Any], slot: dict[str, Any], index: int) -> dict[str, Any]:
    """One frab event for one slot of a submission (sprints have one slot a day)."""
    start = datetime.fromisoformat(slot["start"])
    end = datetime.fromisoformat(slot["end"])
    kind = talk["submission_type"].get("name", talk["submission_type"])
    code = talk["code"]
    return {
        "id": slot.get("id") or (f"{code}-{index + 1}" if index else code),
        "guid": code if index == 0 else f"{code}-{index + 1}",
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "duration": duration(start, end),
        "room": room_name(slot),
        "slug": code,
        "title": talk["title"],
        "subtitle": "",
        "track": None,
        "type": kind.get("en", ""),
        "language": talk.get("content_locale") or "",
        "abstract": talk.get("abstract") or talk.get("description") or "",
        "description": (talk.get("description") or "") if talk.get("abstract") else "",
        "state": talk.get("state", "confirmed"),
        "persons": [
            {"code": p["code"], "public_name": p["name"], "biography": p.get("biography") or ""}
            for p in talk["speakers"]
        ],
        "answers": [
            {"question": a["question"], "answer": a["answer"]} for a in talk.get("answers", [])
        ],
    }


def convert(site: dict[str, Any], title: str, acronym: str) -> dict[str, Any]:
    """The frab JSON document for every scheduled slot of the site's schedule."""
    by_day: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for talk in submissions(site):
        for index, slot in enumerate(slots_of(talk)):
            if not slot.get("start"):
                continue
            event = event_of(talk, slot, index)
            rooms = by_day.setdefault(event["date"][:10], {})
            rooms.setdefault(event["room"], []).append(event)
    order = [str(room["name"].get("fr", "")) for room in site.get("rooms", [])]
    days = []
    for number, day in enumerate(sorted(by_day), start=1):
        rooms = by_day[day]
        names = sorted(rooms, key=lambda r: order.index(r) if r in order else len(order))
        days.append(
            {
                "index": number,
                "date": day,
                "rooms": {r: sorted(rooms[r], key=lambda e: e["date"]) for r in names},
            }
        )
    return {
        "schedule": {
            "version": "converted from the site's pretalx submissions",
            "conference": {
                "acronym": acronym,
                "title": title,
                "start": days[0]["date"],
                "end": days[-1]["date"],
                "daysCount": len(days),
                "timeslot_duration": "00:10",
                "time_zone_name": ZONE,
                "days": days,
            },
        }
    }


def main() -> None:
    """Read the site's schedule.json, write the frab export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--title", default="PyConFR 2025")
    parser.add_argument("--acronym", default="pyconfr-2025")
    args = parser.parse_args()
    site = json.loads(args.site.read_text(encoding="utf-8"))
    document = convert(site, args.title, args.acronym)
    text = json.dumps(document, ensure_ascii=False, indent=1)
    args.out.write_text(text + "\n", encoding="utf-8")
    days = document["schedule"]["conference"]["days"]
    count = sum(len(events) for day in days for events in day["rooms"].values())
    print(f"{args.out}: {count} sessions")


if __name__ == "__main__":
    main()
