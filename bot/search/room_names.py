"""Rooms a programme question names: in full, by a distinctive word, or one the programme lacks.

A room's own words are matched as whole words ("GAM" is not in "game"), with typos for long
ones; a single word counts when it reads as a place ("au r3s", "Tan Room", "B421"), and a bare
number only beside a room word ("on 2 July" is not Salle 2). A capitalised or numbered name after
a room word that the programme does not have is returned, so that the answer can say so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.search.normalise import STOP_WORDS, fold_text

if TYPE_CHECKING:
    from bot.search.programme import Programme

_ROOM_WORD = re.compile(
    r"(?<![\w])(?:(?:the|la|le)\s+)?([\w-]+)\s+(?:room|hall|stage)(?![\w])"
    r"|(?<![\w])(?:room|salle|hall|amphi|stage)\s+([\w-]+)"
    r"|(?:قاعه|القاعه)\s+([\w-]+)"
)
_NOT_A_ROOM = frozenset(
    {"which", "what", "quelle", "quel", "laquelle", "this", "that", "cette", "ايه", "اي", "the"}
)
_ROOM_WORDS = frozenset("room salle hall stage amphi قاعه القاعه".split())
_ROOM_CUES = _ROOM_WORDS | frozenset("in at au a en dans from du de the la le l في ب".split())


def _named_as_room(tokens: list[str], position: int, arabic: bool) -> bool:
    """A single room word counts when it reads as a place: `au r3s`, `Tan Room`, `B421`. A bare
    number is a day or an hour far more often ("on 2 July" is not Salle 2): it needs a room
    word beside it."""
    token = tokens[position]
    before = set(tokens[max(0, position - 2) : position])
    after = set(tokens[position + 1 : position + 2])
    if token.isdigit():  # "le 16 mai", "in 2": only a room word makes a number a room
        return bool(before & _ROOM_WORDS or after & _ROOM_WORDS)
    if any(c.isdigit() for c in token) or (arabic and token.isascii()):
        return True
    return bool(before & _ROOM_CUES or after & {"room", "hall", "stage", "salle"})


def match_rooms(
    text: str, raw: str, tokens: list[str], programme: Programme
) -> tuple[list[str], str]:
    """Rooms the question names, and a room-like name the programme does not have."""
    arabic = bool(re.search(r"[\u0600-\u06ff]", text))
    padded = f" {text} "
    found = [
        room
        for room in programme.rooms
        if fold_text(room) not in STOP_WORDS
        and len(fold_text(room)) >= 2
        and f" {fold_text(room)} " in padded
    ]
    if found:  # "Salle 2" named in full: not every room sharing the word "salle"
        return found, ""
    for room, room_tokens in programme.rooms.items():
        # A whole word or more: room "GAM" is not named by "game", nor "PAM" by "spam".
        if re.search(rf"(?<![\w]){re.escape(fold_text(room))}(?![\w])", text):
            found.append(room)
            continue
        hits = [
            position
            for position, t in enumerate(tokens)
            if t in room_tokens
            or (len(t) >= 5 and any(len(r) >= 5 and fuzz.ratio(t, r) >= 88 for r in room_tokens))
        ]
        if len(hits) >= 2 or any(_named_as_room(tokens, p, arabic) for p in hits):
            found.append(room)
    unknown = ""
    if not found and not arabic:
        for match in _ROOM_WORD.finditer(text):
            name = next(g for g in match.groups() if g)
            before = text[: match.start()].split()[-1:]
            if before and before[0] in _NOT_A_ROOM:
                continue  # "salle" after a question word: a question about a room
            # A room's name is written as one: capitalised (`Blue Room`) or with digits (`B12`).
            named = any(c.isdigit() for c in name) or (
                re.search(rf"(?<![\w]){re.escape(name)}", raw, re.IGNORECASE) is not None
                and any(
                    w[:1].isupper() for w in re.findall(rf"(?i)(?<![\w]){re.escape(name)}", raw)
                )
            )
            if not named:
                continue
            if name not in _NOT_A_ROOM and name not in STOP_WORDS and not name.isdigit():
                phrase = re.escape(name)
                spelled = re.search(
                    rf"(?<![\w])(?:{phrase}\s+(?:room|hall|stage)|(?:room|salle|hall|stage)\s+{phrase}"
                    rf"|{phrase})(?![\w])",
                    raw,
                    re.IGNORECASE,
                )
                unknown = spelled[0] if spelled else name
                break
    return found, unknown
