"""The knowledge folder: scan it, load each file, merge them and check them together."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.domain import EventInfo, KnowledgeBase, KnowledgeError, Passage, Session, Vertical
from bot.i18n.dates import spell_time_range
from bot.knowledge.readers import reader_for
from bot.knowledge.reading import ProgrammeContext, Reading, too_large

log = logging.getLogger(__name__)

# Names editors, sync tools and people give to copies: never knowledge, always worth a word.
_BACKUP = re.compile(
    r"(\.old\.|\.(?:bak|orig|old|tmp|swp|part|crdownload)$|~$|\s\(\d+\)\.[^.]+$"
    r"|^(?:copy of|copie de)\s|\s-\s(?:copy|copie)\.[^.]+$|^~\$)",
    re.IGNORECASE,
)


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
    notices: tuple[KnowledgeError, ...] = ()
    mtime_ns: int = 0  # when the file was last edited: of two copies, the newer one wins


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def ignored_reason(name: str) -> str | None:
    """Why a file name is not read as knowledge (None: it is, if a reader takes it)."""
    if name.startswith(".~lock"):
        return "a lock file: the document is open in an editor"
    if _BACKUP.search(name):
        return "looks like a backup or a copy; rename it to use it"
    return None


@dataclass(frozen=True)
class Scan:
    """One look at the folder: each knowledge file's (mtime_ns, size), and the files left out.

    Two scans are equal when their knowledge files are: a backup copy appearing is no change
    to reload for (its notice comes with the next reload).
    """

    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict, compare=False)


def folder_scan(root: Path) -> Scan:
    """Walk the folder once: what a change check compares and what a load reads (cheap)."""
    found: dict[str, tuple[int, int]] = {}
    ignored: dict[str, str] = {}
    if not root.is_dir():
        return Scan(found, ignored)
    visited: set[tuple[int, int]] = set()  # (device, inode) of folders: symlink loops end here
    for directory, subdirectories, files in os.walk(root, followlinks=True):
        base = Path(directory)
        try:
            stat = base.stat()
        except OSError:
            subdirectories[:] = []
            continue
        if (stat.st_dev, stat.st_ino) in visited:
            subdirectories[:] = []
            continue
        visited.add((stat.st_dev, stat.st_ino))
        subdirectories[:] = sorted(d for d in subdirectories if not _hidden(d))
        for name in files:
            path = base / name
            relative = path.relative_to(root).as_posix()
            reason = ignored_reason(name)
            if reason is None and _hidden(name):
                continue
            if relative.lower() == "readme.md":  # the organisers' how-to, not knowledge
                continue
            if reason is None and reader_for(relative) is None:
                reason = "unsupported type"
            if reason is not None:
                ignored[relative] = reason
                continue
            try:
                file_stat = path.stat()
            except OSError:  # removed while scanning, or a dangling link
                continue
            found[relative] = (file_stat.st_mtime_ns, file_stat.st_size)
    return Scan(dict(sorted(found.items())), dict(sorted(ignored.items())))


def scan_folder(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (mtime_ns, size) of every knowledge file under `root` (cheap)."""
    return folder_scan(root).stamps


def load_file(root: Path, relative: str, context: ProgrammeContext | None = None) -> FileKnowledge:
    """Load one knowledge file; problems become errors, never exceptions."""
    reader = reader_for(relative)
    try:
        size = (root / relative).stat().st_size
        if reader is not None and size > reader.max_bytes:
            return _knowledge(relative, "", too_large(relative, size, reader.max_bytes))
        data = (root / relative).read_bytes()
    except OSError as exc:
        error = KnowledgeError(relative, 0, f"cannot read: {exc.strerror or exc}")
        return FileKnowledge(relative, "", errors=(error,), broken=True)
    return _parse(relative, data, context)


def _parse(relative: str, data: bytes, context: ProgrammeContext | None) -> FileKnowledge:
    digest = hashlib.sha256(data).hexdigest()
    reader = reader_for(relative)
    if reader is None:
        error = KnowledgeError(relative, 0, "unsupported type")
        return FileKnowledge(relative, digest, errors=(error,), kind="ignored")
    if len(data) > reader.max_bytes:
        return _knowledge(relative, digest, too_large(relative, len(data), reader.max_bytes))
    try:
        reading = reader.read(relative, data, context)
    except (MemoryError, RecursionError):
        reading = Reading(
            errors=[KnowledgeError(relative, 0, "too complex to read: split or simplify it")],
            broken=True,
        )
    except Exception as exc:  # a third-party parser's surprise must not stop the folder
        log.warning("Reading %s failed", relative, exc_info=True)
        message = f"could not be read ({type(exc).__name__}: {exc})"
        reading = Reading(errors=[KnowledgeError(relative, 0, message)], broken=True)
    return _knowledge(relative, digest, reading)


def _knowledge(relative: str, digest: str, reading: Reading) -> FileKnowledge:
    return FileKnowledge(
        path=relative,
        content_hash=digest,
        passages=tuple(reading.passages),
        sessions=tuple(reading.sessions),
        verticals=tuple(reading.verticals),
        event=reading.event,
        errors=tuple(reading.errors),
        broken=reading.broken,
        kind=reading.kind if reading.recognised else "ignored",
        event_line=reading.event_line,
        needs_context=reading.needs_context,
        notices=tuple(reading.notices),
    )


def _reload(
    root: Path, relative: str, previous: FileKnowledge | None, context: ProgrammeContext | None
) -> FileKnowledge:
    """Load a file, reusing the previous result when its bytes did not change."""
    reader = reader_for(relative)
    try:
        if reader is not None and (root / relative).stat().st_size > reader.max_bytes:
            raise OSError("too large")  # load_file says so, without reading it
        data: bytes | None = (root / relative).read_bytes()
    except OSError:
        data = None
    if data is None:
        loaded = load_file(root, relative, context)
    elif (
        previous is not None
        and not previous.needs_context
        and previous.content_hash == hashlib.sha256(data).hexdigest()
    ):
        return previous
    elif previous is not None and not data.strip():
        # Emptied: a save cut short or a sync half done, not a way to withdraw the content.
        message = "empty file: its previous version keeps serving (delete the file to remove it)"
        return replace(
            previous,
            content_hash=hashlib.sha256(data).hexdigest(),
            errors=(KnowledgeError(relative, 1, message),),
            notices=(),
            broken=True,
        )
    else:
        loaded = _parse(relative, data, context)
    if loaded.broken and previous is not None:
        # Keep answering from the last version that loaded, and still report the new errors.
        return replace(
            previous,
            content_hash=loaded.content_hash,
            errors=loaded.errors,
            notices=loaded.notices,
            broken=True,
        )
    return loaded


def load_folder(root: Path, previous: Mapping[str, FileKnowledge] | None = None) -> KnowledgeBase:
    """Load the whole knowledge folder into a knowledge base (see `load_folder_files`)."""
    return load_folder_files(root, previous)[0]


def load_folder_files(
    root: Path, previous: Mapping[str, FileKnowledge] | None = None, scan: Scan | None = None
) -> tuple[KnowledgeBase, dict[str, FileKnowledge]]:
    """Load every file (reusing unchanged ones from `previous`), merge, check across files.

    `scan`: the files to load, as a change check just saw them (None: the folder is scanned).
    """
    previous = previous or {}
    if not root.is_dir():
        return KnowledgeBase(
            errors=[KnowledgeError(str(root), 0, "knowledge folder not found")]
        ), {}
    if scan is None:
        scan = folder_scan(root)
    stamps = scan.stamps
    notices = [
        KnowledgeError(rel, 0, f"ignored: {rel} ({why})") for rel, why in scan.ignored.items()
    ]
    files = {rel: _reload(root, rel, previous.get(rel), None) for rel in stamps}
    if not files:
        message = "knowledge folder is empty (no file the assistant reads: see the README)"
        errors = [KnowledgeError(str(root), 0, message)]
        return KnowledgeBase(errors=errors, notices=notices), {}
    # Programme parts that refer to another file's event or verticals are resolved against
    # everything the other files declare.
    if any(f.needs_context and not f.broken for f in files.values()):
        for relative, loaded in files.items():
            if loaded.needs_context and not loaded.broken:
                event = _main_event(other for other in files.values() if other is not loaded)
                verticals = {
                    v.id: v
                    for other in files.values()
                    if other is not loaded
                    for v in other.verticals
                }
                context = ProgrammeContext(event, verticals)
                files[relative] = _reload(root, relative, None, context)
    files = {
        rel: f if f.mtime_ns == stamps[rel][0] else replace(f, mtime_ns=stamps[rel][0])
        for rel, f in files.items()
    }
    knowledge = _merge(files)
    knowledge.notices = notices + [n for f in files.values() for n in f.notices]
    return knowledge, files


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
    sessions, clashes = _sessions(ordered)
    knowledge.sessions.update(sessions)
    errors += clashes
    dropped = {
        (f.path, s.id) for f in ordered for s in f.sessions if sessions[s.id].source != f.path
    }
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


def _sessions(
    ordered: list[FileKnowledge],
) -> tuple[dict[str, Session], list[KnowledgeError]]:
    """Sessions by id; an id in two files is reported in both and the newer file wins."""
    by_id: dict[str, list[tuple[FileKnowledge, Session]]] = defaultdict(list)
    for loaded in ordered:
        for session in loaded.sessions:
            by_id[session.id].append((loaded, session))
    sessions: dict[str, Session] = {}
    errors: list[KnowledgeError] = []
    for identifier, found in by_id.items():
        # Newest first; equal times keep the folder's order (programme files, then by path).
        found.sort(key=lambda pair: -pair[0].mtime_ns)
        winner_file, winner = found[0]
        sessions[identifier] = winner
        for loser_file, loser in found[1:]:
            message = (
                f'duplicate session id "{identifier}": also in {winner.source}:{winner.line}, '
                "edited more recently, which wins"
            )
            errors.append(KnowledgeError(loser_file.path, loser.line, message))
            message = (
                f'duplicate session id "{identifier}": also in {loser.source}:{loser.line} '
                "(older, not used)"
            )
            errors.append(KnowledgeError(winner_file.path, winner.line, message))
    return sessions, errors


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
