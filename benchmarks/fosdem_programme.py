"""A synthetic FOSDEM-size programme as frab JSON: 943 events over two days, 35 rooms, 60 tracks.

Abstracts follow FOSDEM's spread of lengths (a few lines to a few paragraphs, median about 700
characters), made of sentences on free-software topics, so the embedder sees realistic work.
Deterministic for a seed.

    python benchmarks/fosdem_programme.py /tmp/fosdem/schedule.json
    python benchmarks/fosdem_programme.py out.json --events 943 --seed 7
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

TOPICS = (
    "the Linux kernel",
    "Rust",
    "PostgreSQL",
    "container runtimes",
    "WebAssembly",
    "reproducible builds",
    "the RISC-V ecosystem",
    "Kubernetes operators",
    "OpenStreetMap",
    "LibreOffice",
    "GNOME",
    "KDE Plasma",
    "Matrix",
    "email security",
    "software supply chains",
    "Python packaging",
    "Go modules",
    "the Julia language",
    "embedded Linux",
    "Zephyr RTOS",
    "open hardware",
    "LLVM",
    "GCC",
    "Debian",
    "Fedora",
    "NixOS",
    "Guix",
    "SQLite",
    "Firefox",
    "accessibility",
    "legal and policy issues",
    "open research",
    "HPC and big data",
    "observability",
    "eBPF",
    "network function virtualisation",
    "the Erlang VM",
    "Haskell",
    "JavaScript tooling",
    "Java and the JVM",
    "translation workflows",
    "open media codecs",
    "GIS and mapping",
    "energy-aware computing",
    "confidential computing",
    "package managers",
)
VERBS = (
    "presents",
    "explores",
    "explains",
    "compares",
    "walks through",
    "demonstrates",
    "reports on",
    "discusses",
    "revisits",
    "benchmarks",
)
OBJECTS = (
    "the design decisions behind a new scheduler",
    "a year of community growth",
    "lessons learned from maintaining a large codebase",
    "how we cut memory use by half",
    "a migration away from a proprietary stack",
    "the state of the project in 2025",
    "testing strategies for distributed systems",
    "a security audit and its findings",
    "the roadmap for the next major release",
    "how newcomers can contribute",
    "integration with continuous delivery pipelines",
    "performance regressions and how to find them",
    "the governance model of the foundation",
    "interoperability between implementations",
    "a case study from a public administration",
    "tooling for reproducible experiments",
)
DETAILS = (
    "We will show live demos and share the numbers we measured on real workloads.",
    "The talk assumes some command-line practice but no prior knowledge of the internals.",
    "Attendees will leave with concrete patterns they can apply to their own projects.",
    "We also cover the mistakes we made along the way and what we would do differently.",
    "Questions from the audience are welcome at the end of the session.",
    "The work was funded by a grant and all results are published under a free licence.",
    "Several distributions already ship the changes described here.",
    "A short overview of the history of the project opens the session.",
    "The second half focuses on upstream collaboration and long-term maintenance.",
    "Benchmarks compare three implementations on x86 and ARM machines.",
    "This session is a follow-up to last year's talk in the same devroom.",
    "We discuss trade-offs between simplicity, speed and portability.",
)
FIRST = (
    "Alice",
    "Bruno",
    "Chen",
    "Dana",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Marek",
    "Nadia",
    "Olaf",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
)
LAST = (
    "Martin",
    "Nguyen",
    "Schmidt",
    "Rossi",
    "Kowalski",
    "Dubois",
    "Haddad",
    "Jensen",
    "Okafor",
    "Silva",
    "Tanaka",
    "Novak",
    "Larsen",
    "Moreau",
    "Fischer",
    "Costa",
)
DAYS = (date(2025, 2, 1), date(2025, 2, 2))
BRUSSELS = timezone(timedelta(hours=1))  # February: CET


def abstract(rng: random.Random) -> str:
    """A FOSDEM-like abstract: one to about twelve sentences, in one to three paragraphs."""
    sentences = max(1, min(14, int(rng.lognormvariate(1.9, 0.6))))
    topic = rng.choice(TOPICS)
    parts = [f"This talk {rng.choice(VERBS)} {rng.choice(OBJECTS)} in {topic}."]
    for _ in range(sentences - 1):
        if rng.random() < 0.5:
            parts.append(rng.choice(DETAILS))
        else:
            parts.append(f"It {rng.choice(VERBS)} {rng.choice(OBJECTS)} and {rng.choice(OBJECTS)}.")
    paragraphs = [" ".join(parts[i : i + 4]) for i in range(0, len(parts), 4)]
    return "\n\n".join(paragraphs)


def programme(events: int = 943, seed: int = 2025) -> dict[str, Any]:
    """The frab JSON document (`schedule.conference.days[].rooms{}`)."""
    rng = random.Random(seed)
    rooms = [f"{'HKUABDK'[i % 7]}.{i + 1:03d}" for i in range(35)]
    tracks = [f"{topic[0].upper()}{topic[1:]} devroom" for topic in TOPICS] + [
        f"Main track {n}" for n in range(1, 61 - len(TOPICS))
    ]
    slots: dict[tuple[date, str], datetime] = {}
    days: list[dict[str, Any]] = [
        {"index": i + 1, "date": d.isoformat(), "rooms": {room: [] for room in rooms}}
        for i, d in enumerate(DAYS)
    ]
    for number in range(events):
        day = number % 2
        room = rooms[(number // 2) % len(rooms)]
        start = slots.get((DAYS[day], room), datetime(2025, 2, 1 + day, 9, 0, tzinfo=BRUSSELS))
        minutes = rng.choice((15, 20, 25, 30, 40, 50))
        slots[(DAYS[day], room)] = start + timedelta(minutes=minutes + 5)
        topic = TOPICS[number % len(TOPICS)]
        speakers = [
            {"public_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}"}
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))
        ]
        days[day]["rooms"][room].append(
            {
                "id": 10_000 + number,
                "guid": str(uuid.UUID(int=rng.getrandbits(128))),
                "date": start.isoformat(),
                "start": start.strftime("%H:%M"),
                "duration": f"00:{minutes:02d}",
                "room": room,
                "slug": f"talk-{number}",
                "title": f"{rng.choice(OBJECTS).capitalize()} in {topic} ({number})",
                "subtitle": "",
                "track": tracks[(number * 7) % len(tracks)],
                "type": "devroom",
                "language": "en",
                "abstract": abstract(rng),
                "description": "",
                "persons": speakers,
                "links": [],
            }
        )
    return {
        "schedule": {
            "version": "2025-01-30",
            "conference": {
                "acronym": "fosdem-2025",
                "title": "FOSDEM 2025",
                "start": DAYS[0].isoformat(),
                "end": DAYS[-1].isoformat(),
                "daysCount": len(DAYS),
                "timeslot_duration": "00:05",
                "time_zone_name": "Europe/Brussels",
                "days": days,
            },
        }
    }


def main() -> int:
    """Write the programme to the given path and say how big it is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--events", type=int, default=943)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    document = programme(args.events, args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{args.events} events, {args.output.stat().st_size / 1e6:.1f} MB: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
