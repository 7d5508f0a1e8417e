"""The registry of readers: one per knowledge file format, picked by the file's name.

Adding a format means writing its module and one line in `READERS`; the folder never
needs to know which formats exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from bot.knowledge.documents import read_docx, read_html, read_pdf
from bot.knowledge.frab_json import Schedule
from bot.knowledge.frab_xml import load_schedule_xml
from bot.knowledge.ical import load_ical
from bot.knowledge.json_reader import read_json
from bot.knowledge.press import split_press
from bot.knowledge.programme_yaml import load_programme
from bot.knowledge.reading import (
    MAX_DOCUMENT_BYTES,
    MAX_PROGRAMME_BYTES,
    MAX_TEXT_BYTES,
    ProgrammeContext,
    Reader,
    Reading,
    decode,
)
from bot.knowledge.spreadsheet import load_csv, load_xlsx

ReadFunction = Callable[[str, bytes, ProgrammeContext | None], Reading]


@dataclass(frozen=True, slots=True)
class SuffixReader:
    """A reader that takes files by their suffix and reads them with one function."""

    name: str
    suffixes: frozenset[str]
    max_bytes: int
    function: ReadFunction

    def accepts(self, relative: str) -> bool:
        """Whether the file's suffix is one of this reader's."""
        return PurePosixPath(relative).suffix.lower() in self.suffixes

    def read(self, relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
        """Read the file with this format's function."""
        return self.function(relative, data, context)


def event_zone(context: ProgrammeContext | None) -> str:
    """The zone the folder's event declares ("" when none does yet)."""
    return context.event.timezone if context and context.event else ""


def from_schedule(schedule: Schedule) -> Reading:
    """A schedule export's result as a reading."""
    return Reading(
        kind="schedule" if schedule.recognised else "ignored",
        passages=schedule.passages,
        sessions=schedule.sessions,
        verticals=schedule.verticals,
        event=schedule.event,
        errors=schedule.errors,
        notices=schedule.notices,
        broken=schedule.broken,
        recognised=schedule.recognised,
        needs_context=schedule.needs_context,
    )


def _press(relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
    text = decode(relative, data)
    return text if isinstance(text, Reading) else Reading(passages=split_press(relative, text))


def _programme(relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
    text = decode(relative, data)
    if isinstance(text, Reading):
        return text
    loaded = load_programme(relative, text, context)
    return Reading(
        kind="programme" if loaded.recognised else "ignored",
        passages=loaded.passages,
        sessions=loaded.sessions,
        verticals=loaded.verticals,
        event=loaded.event,
        errors=loaded.errors,
        notices=loaded.notices,
        broken=loaded.broken,
        recognised=loaded.recognised,
        event_line=loaded.event_line,
        needs_context=loaded.needs_context,
    )


def _json(relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
    text = decode(relative, data)
    if isinstance(text, Reading):
        return text
    return from_schedule(read_json(relative, text, event_zone(context)))


def _xml(relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
    return from_schedule(load_schedule_xml(relative, data, event_zone(context)))


def _ics(relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
    text = decode(relative, data)
    if isinstance(text, Reading):
        return text
    return from_schedule(load_ical(relative, text, event_zone(context)))


def _csv(relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
    text = decode(relative, data)
    if isinstance(text, Reading):
        return text
    return from_schedule(load_csv(relative, text, context, event_zone(context)))


def _xlsx(relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
    return from_schedule(load_xlsx(relative, data, context, event_zone(context)))


def _pdf(relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
    return read_pdf(relative, data)


def _docx(relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
    return read_docx(relative, data)


def _html(relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
    text = decode(relative, data)
    return text if isinstance(text, Reading) else read_html(relative, text)


def _suffixes(*names: str) -> frozenset[str]:
    return frozenset(names)


READERS: Sequence[Reader] = (
    SuffixReader("press text", _suffixes(".md", ".markdown", ".txt"), MAX_TEXT_BYTES, _press),
    SuffixReader("programme YAML", _suffixes(".yaml", ".yml"), MAX_PROGRAMME_BYTES, _programme),
    SuffixReader("schedule JSON", _suffixes(".json"), MAX_PROGRAMME_BYTES, _json),
    SuffixReader("schedule XML", _suffixes(".xml"), MAX_PROGRAMME_BYTES, _xml),
    SuffixReader("iCalendar", _suffixes(".ics", ".ical"), MAX_PROGRAMME_BYTES, _ics),
    SuffixReader("CSV programme", _suffixes(".csv", ".tsv"), MAX_PROGRAMME_BYTES, _csv),
    SuffixReader("XLSX programme", _suffixes(".xlsx"), MAX_DOCUMENT_BYTES, _xlsx),
    SuffixReader("PDF", _suffixes(".pdf"), MAX_DOCUMENT_BYTES, _pdf),
    SuffixReader("DOCX", _suffixes(".docx"), MAX_DOCUMENT_BYTES, _docx),
    SuffixReader("web page", _suffixes(".html", ".htm"), MAX_TEXT_BYTES, _html),
)


def reader_for(relative: str) -> Reader | None:
    """The reader that takes this file, or None (the file is then named as ignored)."""
    return next((reader for reader in READERS if reader.accepts(relative)), None)
