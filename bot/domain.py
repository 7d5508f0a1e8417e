"""The shared vocabulary: what knowledge is made of and what retrieval returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

LANGUAGES = ("fr", "en", "ar")
Language = str  # one of LANGUAGES, or another ISO 639-1 code found in the knowledge


class PassageKind(StrEnum):
    """Where a passage comes from; the renderer and ranking treat kinds differently."""

    PRESS = "press"  # Markdown or text material, split by heading and paragraph
    EVENT = "event"  # the event summary generated from the programme file
    VERTICAL = "vertical"  # one thematic vertical / track
    SESSION = "session"  # one session of a programme (our YAML or a pretalx/frab export)


@dataclass(frozen=True, slots=True)
class KnowledgeError:
    """A problem found in a knowledge file, reported as `file:line: message`."""

    file: str  # path relative to the knowledge folder
    line: int  # 1-based; 0 when the whole file is concerned
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrievable unit of text, with where it came from."""

    id: str  # stable: source plus line or session id; unique in a knowledge base
    text: str  # what the user is shown (and embedded, unless `search_text` says otherwise)
    source: str  # file relative to the knowledge folder, plus `#<session id>` for a session
    line: int  # 1-based line in the source file where the passage starts
    kind: PassageKind = PassageKind.PRESS
    language: Language = "fr"
    heading: tuple[str, ...] = ()  # heading path in a Markdown file
    session_id: str | None = None
    vertical_id: str | None = None
    illustrative: bool = False  # details invented for illustration, to be replaced by organisers
    # What is embedded when it differs from `text` (a session's, without its date, time and room,
    # which the lexical index and the programme questions handle).
    search_text: str = ""


@dataclass(frozen=True, slots=True)
class Vertical:
    """A thematic vertical (a pretalx/frab track)."""

    id: str
    names: dict[Language, str]  # at least one language; fr/en/ar for the shipped event
    description: str = ""
    source: str = ""
    line: int = 0
    illustrative: bool = False  # declared as an example, to be replaced by organisers

    def name(self, language: Language) -> str:
        """The name in this language, else French, else English, else any."""
        for lang in (language, "fr", "en"):
            if lang in self.names:
                return self.names[lang]
        return next(iter(self.names.values()), self.id)


@dataclass(frozen=True, slots=True)
class Session:
    """One session of the programme; times are time zone aware."""

    id: str  # our id, or the guid of a pretalx/frab event
    title: str
    start: datetime
    end: datetime
    room: str = ""
    vertical_id: str | None = None
    speakers: tuple[str, ...] = ()
    description: str = ""
    language: Language | None = None
    status: str = "confirmed"  # confirmed | cancelled | tentative
    source: str = ""
    line: int = 0
    illustrative: bool = False
    kind: str = ""  # session type as the programme names it: talk, workshop, lightning talk...
    # (language, title, description) the knowledge gives in other languages
    translations: tuple[tuple[Language, str, str], ...] = ()

    def title_in(self, language: Language) -> str:
        """The title in this language when the knowledge has it, else the original."""
        for lang, title, _ in self.translations:
            if lang == language and title:
                return title
        return self.title

    def description_in(self, language: Language) -> str:
        """The description in this language when the knowledge has it, else the original."""
        for lang, _, description in self.translations:
            if lang == language and description:
                return description
        return self.description

    @property
    def cancelled(self) -> bool:
        """Whether the organisers cancelled this session."""
        return self.status == "cancelled"


@dataclass(frozen=True, slots=True)
class EventInfo:
    """The event itself, from the programme file (or a schedule export's conference block)."""

    name: str
    start_date: date
    end_date: date
    timezone: str
    venue: str = ""
    city: str = ""
    languages: tuple[Language, ...] = LANGUAGES
    names: dict[Language, str] = field(default_factory=dict)
    source: str = ""


@dataclass(slots=True)
class KnowledgeBase:
    """Everything loaded from the knowledge folder, plus what could not be loaded."""

    passages: list[Passage] = field(default_factory=list)
    sessions: dict[str, Session] = field(default_factory=dict)
    verticals: dict[str, Vertical] = field(default_factory=dict)
    event: EventInfo | None = None
    errors: list[KnowledgeError] = field(default_factory=list)
    notices: list[KnowledgeError] = field(default_factory=list)  # files ignored, assumptions made
    files: dict[str, str] = field(default_factory=dict)  # relative path -> content hash


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage retrieved for a question, with its fused relevance score."""

    passage: Passage
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    """What the assistant says to a question: the text and the passages it rests on."""

    question: str
    language: Language
    answered: bool
    text: str
    hits: tuple[Hit, ...] = ()
    top_score: float = 0.0
    # The knowledge version the answer was computed from: render it against this one, so a
    # reload between answering and replying never mixes two versions.
    knowledge: KnowledgeBase | None = field(default=None, compare=False, repr=False)
    kind: str = "passage"  # "passage", or "programme" for an answer computed over the sessions
    sessions: tuple[str, ...] = ()  # ids of the sessions a programme answer lists, in order
    # Set by the assistant as of its clock: "event" or "session" when what the answer is about
    # is over (its passages read as upcoming), with the note saying so in the answer's language.
    past: str = ""
    past_note: str = ""
