"""frab schedule.xml: convert a frab/pretalx JSON export to XML, and time loading a big one.

    python benchmarks/frab_xml.py convert SCHEDULE.json OUT.xml   # the voc/schedule XSD shape
    python benchmarks/frab_xml.py timing [--events 1000]          # a synthetic FOSDEM-size file
    python benchmarks/frab_xml.py questions SCHEDULE.xml OUT.jsonl  # when/where/who by title

`questions` writes a score.py set from the sessions themselves: for each session one question in
each of EN, FR and AR, the kind (when, where, who) rotating, each expecting the session's own
passage (its title, then the date and time, the room or a speaker).

To compare the XML reader with the JSON importer on retrieval, convert
../shared/eval/schedules/pretalx-rc3.json, put the XML alone in an empty knowledge folder and
run ../shared/eval/score.py on rc3.jsonl against it, then against the JSON alone.
Nothing is asserted: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import tracemalloc
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from xml.etree.ElementTree import Element, ElementTree, SubElement, indent

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain import Session  # noqa: E402
from bot.knowledge.folder import load_folder  # noqa: E402
from bot.knowledge.frab_xml import load_schedule_xml  # noqa: E402

TEMPLATES = {
    "en": {
        "when": 'What time does "{title}" start?',
        "where": 'Which room hosts "{title}"?',
        "who": 'Who gives "{title}"?',
    },
    "fr": {
        "when": "À quelle heure est prévue la séance « {title} » ?",
        "where": "Dans quelle salle se déroule « {title} » ?",
        "who": "Qui présente « {title} » ?",
    },
    "ar": {
        "when": "متى موعد «{title}»؟",
        "where": "في أي قاعة تقام «{title}»؟",
        "who": "من يقدم «{title}»؟",
    },
}
KINDS = ("when", "where", "who")

_EVENT_TEXT = (
    "date", "start", "duration", "room", "slug", "url", "title", "subtitle", "track", "type",
    "language", "abstract", "description",
)  # fmt: skip


BRUSSELS_WINTER = timezone(timedelta(hours=1))


def _text(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("en") or next(iter(value.values()), "")
    return "" if value is None else str(value)


def to_xml(schedule: dict) -> ElementTree:
    """A frab JSON export as schedule.xml (conference, days, rooms, events, persons, links)."""
    conference = schedule["schedule"]["conference"]
    root = Element("schedule")
    SubElement(root, "version").text = str(schedule["schedule"].get("version", "1.0"))
    block = SubElement(root, "conference")
    for name in ("acronym", "title", "start", "end", "time_zone_name"):
        if conference.get(name):
            SubElement(block, name).text = _text(conference[name])
    for index, day in enumerate(conference["days"], start=1):
        day_element = SubElement(root, "day", index=str(index), date=day["date"])
        for room, events in day["rooms"].items():
            room_element = SubElement(day_element, "room", name=room)
            for event in events:
                attributes = {"guid": str(event.get("guid", "")), "id": str(event.get("id", ""))}
                element = SubElement(room_element, "event", attributes)
                for name in _EVENT_TEXT:
                    SubElement(element, name).text = _text(event.get(name))
                persons = SubElement(element, "persons")
                for person in event.get("persons") or []:
                    person_id = str(person.get("id", ""))
                    name = person.get("public_name") or person.get("name") or ""
                    SubElement(persons, "person", id=person_id).text = name
                links = SubElement(element, "links")
                for link in event.get("links") or []:
                    href = link.get("url", "")
                    SubElement(links, "link", href=href).text = link.get("title", "")
    tree = ElementTree(root)
    indent(tree)
    return tree


def synthetic(events: int) -> dict:
    """A FOSDEM-like export: two days, 40 rooms, `events` talks of 25 minutes."""
    first = date(2025, 2, 1)
    days = []
    for day_index in range(2):
        day = first + timedelta(days=day_index)
        rooms: dict[str, list[dict]] = {}
        for number in range(events // 2):
            room = f"Room {number % 40:02d}"
            start = datetime(day.year, day.month, day.day, 9, tzinfo=BRUSSELS_WINTER) + timedelta(
                minutes=30 * (number // 40)
            )
            rooms.setdefault(room, []).append(
                {
                    "guid": f"00000000-0000-4000-8000-{day_index:04d}{number:08d}",
                    "id": day_index * 10_000 + number,
                    "date": start.isoformat(),
                    "start": f"{start:%H:%M}",
                    "duration": "00:25",
                    "room": room,
                    "title": f"Talk {day_index}-{number} about subject {number % 97}",
                    "track": f"Track {number % 60}",
                    "type": "devroom",
                    "language": "en",
                    "abstract": "An abstract of a few words. " * 8,
                    "persons": [{"id": number, "public_name": f"Speaker {number}"}],
                    "links": [{"url": "https://example.org/slides", "title": "Slides"}],
                }
            )
        days.append({"date": day.isoformat(), "rooms": rooms})
    conference = {
        "acronym": "synthetic",
        "title": "Synthetic",
        "start": first.isoformat(),
        "end": (first + timedelta(days=1)).isoformat(),
        "time_zone_name": "Europe/Brussels",
        "days": days,
    }
    return {"schedule": {"version": "1", "conference": conference}}


def timing(events: int) -> None:
    """Load a synthetic schedule.xml alone in a folder and print time, memory and counts."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.xml"
        to_xml(synthetic(events)).write(path, encoding="utf-8", xml_declaration=True)
        tracemalloc.start()
        began = time.perf_counter()
        knowledge = load_folder(Path(folder))
        elapsed = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        size = path.stat().st_size / 1e6
    print(
        f"schedule.xml {size:.1f} MB, {len(knowledge.sessions)} sessions, "
        f"{len(knowledge.passages)} passages, {len(knowledge.errors)} errors: "
        f"loaded in {elapsed:.2f} s, peak {peak / 1e6:.0f} MB traced"
    )


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _expect(session: Session, kind: str) -> str | None:
    """A regex for the session's own passage carrying the answer (the scorer folds both)."""
    title = re.escape(_fold(session.title))
    if kind == "when":
        start = session.start
        answer = rf"\b{start.day}\b[^.]*\b{start:%H:%M}"
    elif kind == "where":
        answer = re.escape(_fold(session.room)) if session.room else ""
    else:
        answer = re.escape(_fold(session.speakers[0])) if session.speakers else ""
    return rf"(?s)^{title}.*{answer}" if answer else None


def questions(source: Path, target: Path) -> None:
    """Write when/where/who questions by title, EN/FR/AR, one line each, for score.py."""
    schedule = load_schedule_xml(source.name, source.read_bytes())
    lines = []
    for index, session in enumerate(schedule.sessions):
        for offset, language in enumerate(("en", "fr", "ar")):
            kind = KINDS[(index + offset) % 3]
            expect = _expect(session, kind)
            if expect is None:
                continue
            question = TEMPLATES[language][kind].format(title=session.title)
            item = {"lang": language, "kind": kind, "question": question, "expect": [expect]}
            lines.append(json.dumps(item, ensure_ascii=False))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} questions on {len(schedule.sessions)} sessions to {target}")


def main() -> int:
    """Convert or time, as asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    convert = sub.add_parser("convert")
    convert.add_argument("source", type=Path)
    convert.add_argument("target", type=Path)
    timed = sub.add_parser("timing")
    timed.add_argument("--events", type=int, default=1000)
    asked = sub.add_parser("questions")
    asked.add_argument("source", type=Path)
    asked.add_argument("target", type=Path)
    args = parser.parse_args()
    if args.command == "questions":
        questions(args.source, args.target)
    elif args.command == "convert":
        tree = to_xml(json.loads(args.source.read_text(encoding="utf-8")))
        tree.write(args.target, encoding="utf-8", xml_declaration=True)
        print(f"wrote {args.target}")
    else:
        timing(args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
