"""Speakers a programme question names: in full, by a distinctive part, or someone else.

Attendees name speakers by a surname, a first name, with typos, in lower case; and they ask
about people the programme does not have. A part of a name counts only when it is distinctive
in this programme and in the question's language, and a first name beside someone else's
surname is that someone else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.search.lexicon import in_lexicon
from bot.search.normalise import STOP_WORDS, fold_text
from bot.search.vocabulary import word_weight

if TYPE_CHECKING:
    from bot.search.programme import Programme

# A name part used as a word by this many other sessions is a word there, not a name.
_SHARED_NAME_PART = 2
# `word_weight` at or below these: a common word of the question's language (Zipf 3.5 and
# above: "tourner", "malaria") is never a misspelt name; a function word (Zipf 5 and above:
# "sans", "open") names a speaker only when capitalised.
_COMMON_WEIGHT = 3.5
_FUNCTION_WEIGHT = 2.0
_QUESTION_WORDS = frozenset(
    "what whats which who when where is are any does do did will can quand qui ou est".split()
)


def _ngrams(tokens: Sequence[str], size: int) -> list[str]:
    return [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def match_speakers(
    tokens: list[str],
    raw: str,
    programme: Programme,
    taken: set[str],
    language: str,
    filler: frozenset[str],
) -> list[str]:
    """Speakers named in full (typos allowed) or by a distinctive part of their name."""
    full: dict[str, float] = {}
    partial: list[str] = []
    runs = capitalised_runs(raw)
    others = _other_names(runs)
    capitals = {fold_text(word) for run in runs for word in run}
    for name, parts in programme.speakers.items():
        if not parts:
            continue
        grams = _ngrams(tokens, len(parts)) if len(parts) > 1 else []
        best = max((fuzz.ratio(g, " ".join(parts)) for g in grams), default=0.0)
        if best >= 85:
            full[name] = best
            continue
        for part in parts:
            if (
                len(part) < 4
                or part in STOP_WORDS
                or part in filler
                or part in taken
                or programme.text_words.get(part, 0) >= _SHARED_NAME_PART
            ):
                continue
            if any(
                _names_part(t, part, parts, capitals, others, programme, language) for t in tokens
            ):
                partial.append(name)
                break
    if full:
        top = max(full.values())
        return [name for name, score in full.items() if score >= top - 4]
    return partial


def _names_part(
    token: str,
    part: str,
    parts: tuple[str, ...],
    capitals: set[str],
    others: dict[str, set[str]],
    programme: Programme,
    language: str,
) -> bool:
    """Whether a question's word names a speaker by one part of their name (`parts`)."""
    # A calendar or conference word is never a name with a typo ("matin", "Martin").
    if in_lexicon(token):
        return False
    if token != part:
        # A typo of a name, not a word of this programme or of the question's language
        # ("malaria" is not "Malara", "tourner" not "Tournier").
        if fuzz.ratio(token, part) < (100 if len(part) < 6 else 88):
            return False
        if programme.text_words.get(token) or word_weight(token, language) <= _COMMON_WEIGHT:
            return False
    elif word_weight(token, language) <= _FUNCTION_WEIGHT and token not in capitals:
        return False  # "sans", written as a word, not as the name "Sans"
    # "Greg Kroah-Hartman" names someone else than the programme's Greg Sutcliffe.
    return not (others.get(token, set()) - set(parts))


def capitalised_runs(raw: str) -> list[list[str]]:
    """The question's runs of capitalised words, in any script ("Élodie Dupont"), a question
    word that opens a run left out ("Is Greg Kroah-Hartman ...") and punctuation ending one:
    names, as written."""
    runs: list[list[str]] = [[]]
    end = 0
    for match in re.finditer(r"[\w'-]+", raw):
        word, gap = match[0], raw[end : match.start()]
        end = match.end()
        if runs[-1] and gap.strip():  # "Daniel Stenberg, Andy Wingo": two names
            runs.append([])
        if word[:1].isupper() and not (not runs[-1] and fold_text(word) in _QUESTION_WORDS):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _other_names(runs: list[list[str]]) -> dict[str, set[str]]:
    """For each word of a run of capitalised words (a person's full name), the run's other
    folded words: a first name beside a surname the speaker does not have is someone else."""
    found: dict[str, set[str]] = {}
    for run in runs:
        folded = {part for word in run for part in fold_text(word).split()}
        if len(folded) < 2:
            continue
        for word in folded:
            found.setdefault(word, set()).update(folded - {word})
    return found


def unknown_person_named(question: str, programme: Programme) -> str:
    """Two or more capitalised words that name nobody, nothing and nowhere in the programme."""
    for words in capitalised_runs(question):
        if len(words) < 2:
            continue
        folded = fold_text(" ".join(words))
        if any(folded in title for title in programme.titles.values()):
            continue
        if any(set(folded.split()) & tokens for tokens in programme.rooms.values()):
            continue
        return " ".join(words)
    return ""
