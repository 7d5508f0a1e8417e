"""Country names in French, English and Arabic (CLDR, through Babel), to find the ones a question
names and the knowledge never does: "Algeria's AI policy" over a Moroccan event is about
something else, however close its other words are, and Arabic has no capital letter to tell a
name (الجزائر) from any other word.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from babel import Locale

from bot.search.normalise import STOP_WORDS, words

_LANGUAGES = ("fr", "en", "ar")
# Clitics an Arabic word carries before a name (و, ب, ل, ف, ك), the article kept: بالجزائر.
_ARABIC_CLITICS = ("و", "ب", "ل", "ف", "ك")
_LONGEST = 4  # words in the longest name looked for


@lru_cache(maxsize=1)
def _names() -> dict[tuple[str, ...], str]:
    """Folded name (as words) -> territory code, for every country in fr/en/ar."""
    found: dict[tuple[str, ...], str] = {}
    for language in _LANGUAGES:
        for code, name in Locale(language).territories.items():
            if not (len(code) == 2 and code.isalpha()):
                continue  # regions ("001" world, "150" Europe) and the unknown region
            folded = tuple(w for w in words(name) if w not in STOP_WORDS or len(words(name)) == 1)
            if not folded or len(folded) > _LONGEST:
                continue
            found.setdefault(folded, code)
            if language == "ar" and len(folded) > 1 and folded[0].startswith("ال"):
                found.setdefault(folded[:1], code)  # الإمارات for الإمارات العربية المتحدة
    return found


@lru_cache(maxsize=1)
def _by_code() -> dict[str, list[tuple[str, ...]]]:
    names: dict[str, list[tuple[str, ...]]] = {}
    for name, code in _names().items():
        names.setdefault(code, []).append(name)
    return names


def _forms(word: str) -> set[str]:
    """A normalised word, and the same without an Arabic clitic (لل + name is ل + ال + name)."""
    forms = {word}
    if word.startswith("لل") and len(word) > 4:
        forms.add("ال" + word[2:])
    for clitic in _ARABIC_CLITICS:
        if word.startswith(clitic) and len(word) > 3:
            forms.add(word[1:])
    return forms


def countries_named(text: str) -> dict[str, str]:
    """The countries a text names: territory code -> the words it names it with."""
    asked = [w for w in words(text) if w not in STOP_WORDS]
    names = _names()
    found: dict[str, str] = {}
    for size in range(_LONGEST, 0, -1):
        for start in range(len(asked) - size + 1):
            span = asked[start : start + size]
            for first in _forms(span[0]):
                code = names.get((first, *span[1:]))
                if code is not None and code not in found:
                    found[code] = " ".join(span)
    return found


def known_countries(knowledge_words: Iterable[str]) -> set[str]:
    """The countries whose name, in any of the three languages, a knowledge's words include."""
    present = {form for word in knowledge_words for form in _forms(word)}
    return {
        code
        for code, names in _by_code().items()
        if any(all(part in present for part in name) for name in names)
    }
