"""The programme's own vocabulary: its sessions in order, days, rooms, tracks, speakers, words.

Built once per knowledge version; programme questions are read against it
(`programme_query.understand`) and answered from it (`programme_answer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, tzinfo

from bot.domain import KnowledgeBase, Session
from bot.search.moments import logical_day
from bot.search.normalise import STOP_WORDS, fold_text


@dataclass(slots=True)
class Programme:
    """The programme's own vocabulary, built once per knowledge version."""

    sessions: list[Session]
    zone: tzinfo
    days: list[date]
    rooms: dict[str, set[str]] = field(default_factory=dict)  # room -> distinctive folded tokens
    tracks: dict[str, str] = field(default_factory=dict)  # vertical id -> folded name
    speakers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> folded tokens
    languages: set[str] = field(default_factory=set)
    titles: dict[str, str] = field(default_factory=dict)  # session id -> folded title
    # word -> how many sessions use it in their title or description, their speakers' names
    # left out: a speaker's name part that other sessions use as a word ("Open" of "Open
    # Culture Foundation") does not name that speaker.
    text_words: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, knowledge: KnowledgeBase) -> Programme | None:
        """The programme of a knowledge base, None when it has no sessions."""
        sessions = sorted(knowledge.sessions.values(), key=lambda s: (s.start, s.room, s.title))
        if not sessions:
            return None
        zone = programme_zone(knowledge)
        days = sorted({logical_day(s.start, zone) for s in sessions})
        programme = cls(sessions, zone, days)
        generic = {"room", "salle", "hall", "tv", "stage", "main", "about", "future"}
        token_counts: dict[str, int] = {}
        for room in {s.room for s in sessions if s.room}:
            tokens = set(fold_text(room).split())
            for token in tokens:
                token_counts[token] = token_counts.get(token, 0) + 1
            programme.rooms[room] = tokens
        for room, tokens in programme.rooms.items():
            programme.rooms[room] = {
                t
                for t in tokens
                if t not in generic
                and t not in STOP_WORDS
                and token_counts[t] == 1
                and (len(t) >= 3 or any(c.isdigit() for c in t))
            } or {  # "Amphi A", "Amphi B": the shared word then (one letter is never enough)
                t for t in tokens if t not in STOP_WORDS and (len(t) >= 3 or t.isdigit())
            }
        for vertical_id, vertical in knowledge.verticals.items():
            programme.tracks[vertical_id] = fold_text(" ".join(vertical.names.values()))
        for session in sessions:
            for name in session.speakers:
                programme.speakers[name] = tuple(fold_text(name).split())
            if session.language:
                programme.languages.add(session.language[:2])
            programme.titles[session.id] = fold_text(session.title)
            own = {part for name in session.speakers for part in programme.speakers[name]}
            for word in set(fold_text(f"{session.title} {session.description}").split()) - own:
                programme.text_words[word] = programme.text_words.get(word, 0) + 1
        return programme


def programme_zone(knowledge: KnowledgeBase) -> tzinfo:
    """The programme's time zone: the event's when the sessions agree with it, else theirs."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    first = min((s.start for s in knowledge.sessions.values()), default=None)
    zone: tzinfo | None = None
    if knowledge.event is not None:
        try:
            zone = ZoneInfo(knowledge.event.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
    if first is None:
        return zone or ZoneInfo("UTC")
    if zone is not None and zone.utcoffset(first) == first.utcoffset():
        return zone
    return first.tzinfo or ZoneInfo("UTC")
