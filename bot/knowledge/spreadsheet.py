"""A programme as a spreadsheet: CSV or XLSX, one session a row, under a documented header.

Header (English or French names, any order, any case):
day/jour, start/début, end/fin, room/salle, title/titre, track/vertical/verticale,
speakers/intervenants, description/résumé, language/langue, and optionally id, status/statut.
Errors name the row (`file:row`, the header being row 1 in a plain CSV).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from bot.domain import KnowledgeError
from bot.knowledge.frab_json import Schedule, import_conference
from bot.knowledge.reading import ProgrammeContext
from bot.knowledge.schedule_fields import KnownLines, slugify

COLUMNS: dict[str, tuple[str, ...]] = {
    "day": ("day", "date", "jour"),
    "start": ("start", "starts", "start time", "begin", "time", "debut", "heure de debut", "heure"),
    "end": ("end", "ends", "end time", "fin", "heure de fin"),
    "room": ("room", "location", "venue", "salle", "lieu"),
    "title": ("title", "session", "talk", "titre", "intitule"),
    "track": ("track", "vertical", "theme", "verticale", "parcours", "thematique"),
    "speakers": ("speakers", "speaker", "intervenants", "intervenant", "orateurs", "orateur"),
    "description": ("description", "abstract", "summary", "resume"),
    "language": ("language", "lang", "langue"),
    "id": ("id", "identifiant", "code"),
    "status": ("status", "statut", "state", "etat"),
}
REQUIRED = ("day", "start", "end", "title")
_CLOCK = re.compile(r"^(\d{1,2})\s*[:hH.]\s*(\d{2})?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_SPEAKERS = re.compile(r"\s*(?:[;,/&]|\bet\b|\band\b)\s*")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _header(row: Sequence[object]) -> dict[str, int]:
    """Column name -> index, for the names this header uses."""
    aliases = {alias: name for name, names in COLUMNS.items() for alias in names}
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        name = aliases.get(_fold(str(cell or "")).rstrip(" :*"))
        if name and name not in found:
            found[name] = index
    return found


def _day(value: object, event_start: date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if text.isdigit() and event_start is not None and 0 < int(text) < 60:
        return event_start + timedelta(days=int(text) - 1)
    slash = _SLASH_DATE.match(text)
    if slash:  # day first, as written in France and Morocco
        text = f"{slash[3]}-{int(slash[2]):02d}-{int(slash[1]):02d}"
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _clock(value: object) -> tuple[time, int] | None:
    """A time of day and the days it runs over (`24:30` is 00:30 the next day)."""
    if isinstance(value, datetime):
        return value.time(), 0
    if isinstance(value, time):
        return value, 0
    match = _CLOCK.match(str(value or "").strip())
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if minute > 59 or hour > 29:
        return None
    return time(hour % 24, minute), hour // 24


class _Rows:
    def __init__(self, relative: str, context: ProgrammeContext | None) -> None:
        self.relative = relative
        self.event_start = context.event.start_date if context and context.event else None
        self.errors: list[KnowledgeError] = []
        self.lines: dict[str, int] = {}
        self.days: dict[str, dict[str, list[dict[str, object]]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def error(self, row: int, message: str) -> None:
        self.errors.append(KnowledgeError(self.relative, row, message))

    def read(self, rows: Iterable[tuple[int, Sequence[object]]]) -> bool:
        columns: dict[str, int] | None = None
        for number, row in rows:
            if not any(str(cell or "").strip() for cell in row):
                continue
            if columns is None:
                columns = _header(row)
                missing = [name for name in REQUIRED if name not in columns]
                if missing:
                    listed = ", ".join(missing)
                    self.error(number, f"header: missing column(s) {listed} (see the README)")
                    return False
                continue
            self.row(
                number, {name: row[i] if i < len(row) else None for name, i in columns.items()}
            )
        return columns is not None

    def row(self, number: int, cells: dict[str, object]) -> None:
        title = str(cells.get("title") or "").strip()
        day = _day(cells.get("day"), self.event_start)
        start, end = _clock(cells.get("start")), _clock(cells.get("end"))
        owner = f'row {number} "{title}"' if title else f"row {number}"
        for name, value in (("day", day), ("start", start), ("end", end), ("title", title)):
            if not value:
                self.error(number, f'{owner}: bad or missing {name} "{cells.get(name) or ""}"')
                return
        assert day is not None
        assert start is not None
        assert end is not None
        begins = datetime.combine(day + timedelta(days=start[1]), start[0])
        ends = datetime.combine(day + timedelta(days=end[1]), end[0])
        if ends <= begins and end[0].hour < 6 and not end[1]:
            ends += timedelta(days=1)  # 22:00-01:00 runs past midnight
        if ends <= begins:
            self.error(number, f"{owner}: end {end[0]:%H:%M} is not after start {start[0]:%H:%M}")
            return
        minutes = int((ends - begins).total_seconds() // 60)
        identifier = str(cells.get("id") or "").strip()
        identifier = identifier or f"{slugify(title)}-{begins:%Y%m%d-%H%M}"
        room = str(cells.get("room") or "").strip()
        speakers = [s for s in _SPEAKERS.split(str(cells.get("speakers") or "")) if s.strip()]
        self.lines[identifier] = number
        self.days[day.isoformat()][room].append(
            {
                "guid": identifier,
                "title": title,
                "date": begins.isoformat(),
                "duration": f"{minutes // 60:02d}:{minutes % 60:02d}",
                "room": room,
                "track": str(cells.get("track") or "").strip(),
                "persons": [{"public_name": s.strip()} for s in speakers],
                "description": str(cells.get("description") or ""),
                "language": str(cells.get("language") or "").strip()[:2],
                "status": str(cells.get("status") or ""),
            }
        )

    def schedule(self, zone: str) -> Schedule:
        name = self.relative.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        days = [{"date": d, "rooms": dict(rooms)} for d, rooms in sorted(self.days.items())]
        conference = {"title": name, "days": days}
        result = import_conference(self.relative, "", conference, KnownLines(self.lines), zone)
        result.errors[:0] = self.errors
        result.needs_context = True  # day numbers and the time zone come from the event
        return result


def load_csv(relative: str, text: str, context: ProgrammeContext | None, zone: str) -> Schedule:
    """A CSV programme (comma, semicolon or tab separated, as spreadsheets save it)."""
    # The header row names the separator: cells below it may hold commas ("Ana, Jonas").
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t|", key=header.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = _Rows(relative, context)
    try:
        found = rows.read((reader.line_num, row) for row in reader)
    except csv.Error as exc:
        return Schedule(errors=[KnowledgeError(relative, reader.line_num, f"invalid CSV: {exc}")])
    if not found:
        return Schedule(errors=rows.errors or [KnowledgeError(relative, 1, "empty table")])
    return rows.schedule(zone)


def load_xlsx(relative: str, data: bytes, context: ProgrammeContext | None, zone: str) -> Schedule:
    """An XLSX programme: the first sheet, read-only (formulas as their saved values)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike: the file is not XLSX
        message = f"not a readable XLSX workbook ({type(exc).__name__})"
        return Schedule(errors=[KnowledgeError(relative, 0, message)], broken=True)
    try:
        sheet = workbook.worksheets[0]
        rows = _Rows(relative, context)
        found = rows.read(enumerate(sheet.iter_rows(values_only=True), start=1))
    finally:
        workbook.close()
    if not found:
        return Schedule(errors=rows.errors or [KnowledgeError(relative, 1, "empty sheet")])
    return rows.schedule(zone)
