"""Arabic spellings of the knowledge's Latin words (باريس, Paris; بايثون, Python), for BM25.

An Arabic question over French or English content writes its names and borrowed words in Arabic
letters, which share no token with the passages. Both scripts are reduced to a consonant
skeleton (vowels, long vowels and h dropped, letters grouped by how Arabic transcribes them), and
an Arabic word the knowledge lacks is matched with the knowledge's Latin words of the same skeleton.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Arabic letters, after `normalise` (alef forms, ta marbuta and alef maqsura already unified).
_ARABIC = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "د": "t", "ذ": "t", "ض": "t", "ط": "t", "ظ": "t",
    "ج": "k", "خ": "k", "غ": "k", "ق": "k", "ك": "k", "گ": "k", "ڭ": "k",
    "س": "s", "ز": "s", "ص": "s", "ش": "x", "ف": "f", "ڤ": "f",
    "ل": "l", "م": "m", "ن": "n", "ر": "r",
}  # fmt: skip
# Latin: digraphs first, then letters (c is soft before e, i, y).
_DIGRAPHS = (("sch", "x"), ("sh", "x"), ("ch", "x"), ("ph", "f"), ("th", "t"), ("ck", "k"),
             ("qu", "k"), ("dj", "k"), ("x", "ks"))  # fmt: skip
_SOFT_C = re.compile(r"c(?=[eiy])")
_LATIN = {
    "b": "b", "p": "b", "t": "t", "d": "t", "s": "s", "z": "s", "c": "k", "k": "k", "q": "k",
    "g": "k", "j": "k", "f": "f", "v": "f", "l": "l", "m": "m", "n": "n", "r": "r", "x": "x",
}  # fmt: skip
# Clitics an Arabic word carries before a name: the article, and/with/for + the article.
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")
_LATIN_WORD = re.compile(r"^[a-z]+$")
MIN_SKELETON = 4


def _collapse(letters: Iterable[str]) -> str:
    out: list[str] = []
    for letter in letters:
        if letter and (not out or out[-1] != letter):
            out.append(letter)
    return "".join(out)


def latin_skeleton(word: str) -> str:
    """The consonant skeleton of a normalised Latin word ("python" -> "btn")."""
    for digraph, sound in _DIGRAPHS:
        word = word.replace(digraph, sound)
    word = _SOFT_C.sub("s", word)
    return _collapse(_LATIN.get(letter, "") for letter in word)


def arabic_skeletons(word: str) -> set[str]:
    """The skeletons of a normalised Arabic word, with and without a leading clitic."""
    forms = {word}
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            forms.add(word[len(prefix) :])
    return {_collapse(_ARABIC.get(letter, "") for letter in form) for form in forms}


class Transliterations:
    """The knowledge's Latin words by skeleton."""

    def __init__(self, words: Iterable[str]) -> None:
        self._by_skeleton: dict[str, set[str]] = {}
        for word in words:
            if len(word) >= 4 and _LATIN_WORD.match(word):
                skeleton = latin_skeleton(word)
                if len(skeleton) >= MIN_SKELETON:
                    self._by_skeleton.setdefault(skeleton, set()).add(word)

    def latin_for(self, arabic_word: str) -> set[str]:
        """The knowledge's Latin words an Arabic word may spell (none for short skeletons)."""
        found: set[str] = set()
        for skeleton in arabic_skeletons(arabic_word):
            if len(skeleton) >= MIN_SKELETON:
                found |= self._by_skeleton.get(skeleton, set())
        return found
