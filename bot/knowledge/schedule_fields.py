"""Fields of schedule exports: text, translations, speakers, zones, and finding their lines."""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class TextLines:
    """Finds the line of an event's guid or title in the raw JSON text, in file order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in re.finditer("\n", text)]
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


def text_of(value: object) -> str:
    """A JSON value as clean text: null, numbers, translations and \\r\\n handled."""
    if isinstance(value, dict):
        value = translated(value)
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def translated(value: Mapping[str, object]) -> str | None:
    """pretalx's translated field `{"en": ..., "fr": ...}`: English, else the first text."""
    texts = {
        str(key): text for key, text in value.items() if isinstance(text, str) and text.strip()
    }
    if not texts or not all(re.fullmatch(r"[a-z]{2}(?:[-_][A-Za-z]{2,4})?", k) for k in texts):
        return None
    return texts.get("en") or next(iter(texts.values()))


def slugify(name: str) -> str:
    """A vertical id from a track name: `MON r3s Rhein VHS` -> `mon-r3s-rhein-vhs`."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "track"


def session_kind(session_type: str) -> str:
    """`Talk 30 min + 10min Q&A` -> `talk`; `LightningTalk 15min` -> `lightning talk`."""
    words = re.split(r"[\d(/+,]", session_type, maxsplit=1)[0].strip()
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", words).lower()
    return "" if words in ("", "other", "session") else words


def speaker_names(persons: object) -> tuple[str, ...]:
    names: list[str] = []
    for person in persons if isinstance(persons, list) else []:
        if isinstance(person, dict):
            name = text_of(person.get("public_name")) or text_of(person.get("name"))
            name = name or text_of(person.get("full_public_name"))
        else:
            name = text_of(person)
        if name and name not in names:
            names.append(name)
    return tuple(names)


def zone_named(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def offset_zone_name(offset: timedelta | None) -> str:
    """An IANA name for a fixed offset (Etc/GMT-1 is UTC+01:00), else UTC."""
    hours, rest = divmod(int((offset or timedelta(0)).total_seconds()), 3600)
    if rest or not hours:
        return "UTC"
    return f"Etc/GMT{-hours:+d}"


class LineFinder(Protocol):
    """Finds the line where an event starts, from the values that identify it."""

    def find(self, *values: object) -> int:
        """The line of the first value found."""
        ...


class KnownLines:
    """The lines of events known in advance (rows of a spreadsheet, VEVENTs), by id."""

    def __init__(self, lines: Mapping[str, int]) -> None:
        self.lines = lines

    def find(self, *values: object) -> int:
        """The line of the first value that is a known id, else 0."""
        return next((self.lines[str(v)] for v in values if str(v) in self.lines), 0)


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def date_of(value: object) -> date | None:
    try:
        return date.fromisoformat(text_of(value)[:10])
    except ValueError:
        return None
