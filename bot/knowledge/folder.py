"""The knowledge folder: scan it, load each file, merge them and check them together."""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from bot.domain import EventInfo, KnowledgeBase, KnowledgeError, Passage, Session, Vertical
from bot.knowledge.frab_json import load_schedule
from bot.knowledge.passage_text import spell_time_range
from bot.knowledge.press import split_press
from bot.knowledge.programme_yaml import ProgrammeContext, load_programme

PRESS_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
PROGRAMME_SUFFIXES = frozenset({".yaml", ".yml"})
SCHEDULE_SUFFIXES = frozenset({".json"})
SUFFIXES = PRESS_SUFFIXES | PROGRAMME_SUFFIXES | SCHEDULE_SUFFIXES


@dataclass(frozen=True)
class FileKnowledge:
    """What one knowledge file contributes; a broken file keeps serving its last good content."""

    path: str  # relative to the knowledge folder, POSIX separators
    content_hash: str  # sha256 of the file's bytes
    passages: tuple[Passage, ...] = ()
    sessions: tuple[Session, ...] = ()
    verticals: tuple[Vertical, ...] = ()
    event: EventInfo | None = None
    errors: tuple[KnowledgeError, ...] = ()
    broken: bool = False  # the current bytes could not be parsed at all
    kind: str = "press"  # press | programme | schedule | ignored
    event_line: int = 0
    needs_context: bool = False  # a programme part that refers to other files' event/verticals


def _ignored(name: str) -> bool:
    return name.startswith((".", "_"))


def scan_folder(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (mtime_ns, size) of every knowledge file under `root` (cheap)."""
    found: dict[str, tuple[int, int]] = {}
    if not root.is_dir():
        return found
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not _ignored(d))
        base = Path(directory)
        for name in files:
            path = base / name
            if _ignored(name) or path.suffix.lower() not in SUFFIXES:
                continue
            relative = path.relative_to(root).as_posix()
            if relative.lower() == "readme.md":  # the organisers' how-to, not knowledge
                continue
            try:
                stat = path.stat()
            except OSError:  # removed while scanning
                continue
            found[relative] = (stat.st_mtime_ns, stat.st_size)
    return dict(sorted(found.items()))


def load_file(root: Path, relative: str, context: ProgrammeContext | None = None) -> FileKnowledge:
    """Load one knowledge file; problems become errors, never exceptions."""
    try:
        data = (root / relative).read_bytes()
    except OSError as exc:
        error = KnowledgeError(relative, 0, f"cannot read: {exc.strerror or exc}")
        return FileKnowledge(relative, "", errors=(error,), broken=True)
    return _parse(relative, data, context)


def _parse(relative: str, data: bytes, context: ProgrammeContext | None) -> FileKnowledge:
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        error = KnowledgeError(relative, line, "not valid UTF-8 text")
        return FileKnowledge(relative, digest, errors=(error,), broken=True)
    suffix = Path(relative).suffix.lower()
    if suffix in PRESS_SUFFIXES:
        return FileKnowledge(relative, digest, passages=tuple(split_press(relative, text)))
    loaded = (
        load_programme(relative, text, context)
        if suffix in PROGRAMME_SUFFIXES
        else load_schedule(relative, text)
    )
    kind = "programme" if suffix in PROGRAMME_SUFFIXES else "schedule"
    return FileKnowledge(
        path=relative,
        content_hash=digest,
        passages=tuple(loaded.passages),
        sessions=tuple(loaded.sessions),
        verticals=tuple(loaded.verticals),
        event=loaded.event,
        errors=tuple(loaded.errors),
        broken=loaded.broken,
        kind=kind if loaded.recognised else "ignored",
        event_line=getattr(loaded, "event_line", 0),
        needs_context=getattr(loaded, "needs_context", False),
    )


def _reload(
    root: Path, relative: str, previous: FileKnowledge | None, context: ProgrammeContext | None
) -> FileKnowledge:
    """Load a file, reusing the previous result when its bytes did not change."""
    try:
        data = (root / relative).read_bytes()
    except OSError:
        return load_file(root, relative, context)
    if (
        previous is not None
        and not previous.needs_context
        and previous.content_hash == hashlib.sha256(data).hexdigest()
    ):
        return previous
    loaded = _parse(relative, data, context)
    if loaded.broken and previous is not None:
        # Keep answering from the last version that loaded, and still report the new errors.
        return replace(
            previous, content_hash=loaded.content_hash, errors=loaded.errors, broken=True
        )
    return loaded


def load_folder(root: Path, previous: Mapping[str, FileKnowledge] | None = None) -> KnowledgeBase:
    """Load the whole knowledge folder into a knowledge base (see `load_folder_files`)."""
    return load_folder_files(root, previous)[0]


def load_folder_files(
    root: Path, previous: Mapping[str, FileKnowledge] | None = None
) -> tuple[KnowledgeBase, dict[str, FileKnowledge]]:
    """Load every file (reusing unchanged ones from `previous`), merge, check across files."""
    previous = previous or {}
    if not root.is_dir():
        return KnowledgeBase(
            errors=[KnowledgeError(str(root), 0, "knowledge folder not found")]
        ), {}
    files = {rel: _reload(root, rel, previous.get(rel), None) for rel in scan_folder(root)}
    if not files:
        message = "knowledge folder is empty (no .md, .txt, .yaml or .json file)"
        return KnowledgeBase(errors=[KnowledgeError(str(root), 0, message)]), {}
    # Programme parts that refer to another file's event or verticals are resolved against
    # everything the other files declare.
    if any(f.needs_context and not f.broken for f in files.values()):
        event = _main_event(files.values())
        for relative, loaded in files.items():
            if loaded.needs_context and not loaded.broken:
                verticals = {
                    v.id: v
                    for other in files.values()
                    if other is not loaded
                    for v in other.verticals
                }
                context = ProgrammeContext(event, verticals)
                files[relative] = _reload(root, relative, None, context)
    return _merge(files), files


def merge_files(files: Mapping[str, FileKnowledge]) -> KnowledgeBase:
    """One knowledge base from loaded files (as `load_folder_files` merges them)."""
    return _merge(files)


def _in_order(files: Iterable[FileKnowledge]) -> list[FileKnowledge]:
    """Programme files first, then by path: the first declaration of anything wins."""
    return sorted(files, key=lambda f: (f.kind != "programme", f.path))


def _main_event(files: Iterable[FileKnowledge]) -> EventInfo | None:
    """The event of the first programme file that declares one, else of the first export."""
    return next((f.event for f in _in_order(files) if f.event is not None), None)


def _merge(files: Mapping[str, FileKnowledge]) -> KnowledgeBase:
    knowledge = KnowledgeBase(files={rel: f.content_hash for rel, f in files.items()})
    errors: list[KnowledgeError] = []
    ordered = _in_order(files.values())
    event_file: FileKnowledge | None = None
    vertical_files: dict[str, FileKnowledge] = {}
    dropped: set[tuple[str, str]] = set()  # (file, session id) of duplicate sessions
    for loaded in ordered:
        errors += loaded.errors
        if loaded.event is not None:
            if event_file is None:
                event_file, knowledge.event = loaded, loaded.event
            elif loaded.kind == "programme" and event_file.kind == "programme":
                where = f"{event_file.path}:{event_file.event_line}"
                message = f"the event is already declared in {where}"
                errors.append(KnowledgeError(loaded.path, loaded.event_line, message))
        for vertical in loaded.verticals:
            first = knowledge.verticals.get(vertical.id)
            if first is None:
                knowledge.verticals[vertical.id] = vertical
                vertical_files[vertical.id] = loaded
            elif loaded.kind == "programme" and vertical_files[vertical.id].kind == "programme":
                message = (
                    f'duplicate vertical id "{vertical.id}" (first in {first.source}:{first.line})'
                )
                errors.append(KnowledgeError(loaded.path, vertical.line, message))
        for session in loaded.sessions:
            first_session = knowledge.sessions.get(session.id)
            if first_session is None:
                knowledge.sessions[session.id] = session
                continue
            where = f"{first_session.source}:{first_session.line}"
            message = f'duplicate session id "{session.id}" (first in {where})'
            errors.append(KnowledgeError(loaded.path, session.line, message))
            dropped.add((loaded.path, session.id))
    seen: set[str] = set()
    for loaded in sorted(files.values(), key=lambda f: f.path):
        for passage in loaded.passages:
            if passage.id in seen or (loaded.path, passage.session_id or "") in dropped:
                continue
            seen.add(passage.id)
            knowledge.passages.append(passage)
    errors += _room_clashes(knowledge.sessions.values())
    knowledge.errors = sorted(set(errors), key=lambda e: (e.file, e.line, e.message))
    return knowledge


def _room_clashes(sessions: Iterable[Session]) -> list[KnowledgeError]:
    """Two sessions at once in one room: reported at the later one, naming the other."""
    by_room: dict[str, list[Session]] = defaultdict(list)
    for session in sessions:
        if session.room and not session.cancelled:
            by_room[" ".join(session.room.casefold().split())].append(session)
    errors = []
    for room_sessions in by_room.values():
        room_sessions.sort(key=lambda s: (s.start, s.end, s.source, s.line))
        for index, session in enumerate(room_sessions):
            for earlier in room_sessions[:index]:
                if earlier.end > session.start:
                    when = spell_time_range(earlier.start, earlier.end)
                    message = (
                        f'session "{session.id}" overlaps session "{earlier.id}" ({when}) '
                        f'in room "{session.room}" ({earlier.source}:{earlier.line})'
                    )
                    errors.append(KnowledgeError(session.source, session.line, message))
    return errors
