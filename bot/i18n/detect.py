"""Which of French, English or Arabic a question or a passage is written in."""

from __future__ import annotations

import re

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN_WORD = re.compile(r"[a-zà-ÿœæ']+", re.IGNORECASE)
_FRENCH_HINTS = frozenset(
    "le la les des du de un une et est sont à au aux quel quelle quelles quels quand où qui "
    "que quoi comment combien pourquoi dans pour sur avec y a-t-il t-il ce cette ces il elle "
    "nous vous je tu se sera seront lieu journée séance session thème salle "
    "parle intervient intervenants conférence atelier".split()
)
_ENGLISH_HINTS = frozenset(
    "the a an and is are of to in on at for with what when where who which how why does do "
    "will there be this that day talk session track room speaker speaking "
    "can you any about".split()
)


def detect_language(text: str, default: str = "en") -> str:
    """Guess fr, en or ar for a question or passage (script first, then function words)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return default
    arabic = sum(1 for c in letters if _ARABIC.match(c))
    if arabic / len(letters) > 0.3:
        return "ar"
    words = [w.strip("'").lower() for w in _LATIN_WORD.findall(text.replace("’", "'"))]
    french = sum(w in _FRENCH_HINTS for w in words) + 2 * sum(
        1 for c in text.lower() if c in "éèêàùçôîœ"
    )
    french += sum(1 for w in words if re.match(r"^(l|d|qu|j|n|s|c)'", w))
    french += 2 * sum(1 for c in text if c in "«»")
    english = sum(w in _ENGLISH_HINTS for w in words)
    if french > english:
        return "fr"
    if english > french:
        return "en"
    return default
