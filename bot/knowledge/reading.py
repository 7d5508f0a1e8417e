"""The one reader interface: what reading a knowledge file yields, and the limits it keeps.

Every format (press text, documents, programmes, schedule exports) is a `Reader`: it says which
paths it takes and turns a file's bytes into a `Reading`. Readers never raise on bad input: a
problem is an error with the file's line (or row, or page) and the rest of the folder loads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.domain import EventInfo, KnowledgeError, Passage, Session, Vertical

DEFAULT_TIMEZONE = "Africa/Casablanca"  # for times no file places in a zone

# Documented in the README's organisers' section. Past these a file is refused with
# "too large: split it" instead of tying the indexer up for an hour.
MAX_TEXT_BYTES = 2_000_000  # Markdown, text and HTML press material
MAX_PROGRAMME_BYTES = 16_000_000  # YAML, JSON, XML, iCalendar, CSV programmes and exports
MAX_DOCUMENT_BYTES = 32_000_000  # PDF, DOCX and XLSX files (compressed formats)
MAX_EXTRACTED_CHARS = 2_000_000  # text taken out of one PDF, DOCX or HTML file
MAX_DEPTH = 64  # nesting of JSON, YAML or XML structures
MAX_ALIASES = 200  # YAML aliases (`*name`) in one file


@dataclass(frozen=True, slots=True)
class ProgrammeContext:
    """What other programme files declare: the event and verticals this file may refer to."""

    event: EventInfo | None = None
    verticals: Mapping[str, Vertical] = field(default_factory=dict)


@dataclass(slots=True)
class Reading:
    """What one file yields, valid parts only, plus its errors and notices."""

    kind: str = "press"  # press | programme | schedule | ignored
    passages: list[Passage] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    verticals: list[Vertical] = field(default_factory=list)
    event: EventInfo | None = None
    errors: list[KnowledgeError] = field(default_factory=list)
    notices: list[KnowledgeError] = field(default_factory=list)  # worth saying, not errors
    broken: bool = False  # the bytes could not be parsed at all
    recognised: bool = True  # False: the format is right, the content is not knowledge
    event_line: int = 0
    needs_context: bool = False  # refers to an event or verticals declared in other files


class Reader(Protocol):
    """One file format: which paths it takes, and how their bytes become knowledge."""

    @property
    def name(self) -> str:
        """A short name for the format, for messages and tests."""
        ...

    @property
    def max_bytes(self) -> int:
        """The largest file this reader accepts."""
        ...

    def accepts(self, relative: str) -> bool:
        """Whether this reader takes the file at this path (by its name)."""
        ...

    def read(self, relative: str, data: bytes, context: ProgrammeContext | None) -> Reading:
        """Read a file's bytes; problems become errors, never exceptions."""
        ...


def failed(relative: str, line: int, message: str, *, recognised: bool = True) -> Reading:
    """A reading that is one error: a broken file, or (not recognised) a foreign one."""
    error = KnowledgeError(relative, line, message)
    return Reading(errors=[error], broken=recognised, recognised=recognised)


def decode(relative: str, data: bytes) -> str | Reading:
    """The file as UTF-8 text (a BOM is dropped), or a reading that says where it is not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return failed(relative, line, "not valid UTF-8 text")


def too_large(relative: str, size: int, limit: int) -> Reading:
    """The error for a file past its reader's limit."""
    message = (
        f"too large: {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit for this kind "
        "of file; split it into several smaller files"
    )
    return failed(relative, 0, message)


def line_at(text: str, offset: int) -> int:
    """The 1-based line of a character offset."""
    return text.count("\n", 0, max(offset, 0)) + 1


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_too_deep(text: str, limit: int = MAX_DEPTH) -> int:
    """The offset where JSON text nests deeper than `limit`, else -1 (strings skipped)."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif bracket in "]}":
            depth -= 1
    return -1
