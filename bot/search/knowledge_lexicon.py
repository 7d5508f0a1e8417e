"""A bilingual lexicon learnt from the knowledge's own translated fields, for cross-lingual BM25.

A YAML programme or a pretalx export may give a session's title and description in several
languages. Across those parallel texts, two words of different languages that keep appearing
together (and rarely apart) translate each other in this event's vocabulary: "verticale",
"vertical" and "محور"; "technique" and "technical". Their stems extend the hand lexicon
(`lexicon.py`), which only knows words any conference uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

from bot.domain import Session
from bot.i18n.detect import detect_language
from bot.search.normalise import content_words, stems

# Kept: word pairs seen together in at least this many parallel texts, with a Dice
# coefficient (2 * together / (texts with one + texts with the other)) at least this high.
MIN_TOGETHER = 2
MIN_DICE = 0.6


def parallel_texts(sessions: Iterable[Session]) -> list[dict[str, str]]:
    """Each session's title and description by language, when it has some in two or more."""
    found = []
    for session in sessions:
        if not session.translations:
            continue
        own = session.language or detect_language(session.title)
        texts = {own: f"{session.title}. {session.description}"}
        for language, title, description in session.translations:
            texts.setdefault(language, f"{title}. {description}")
        if len(texts) > 1:
            found.append(texts)
    return found


class KnowledgeLexicon:
    """Stem -> stems of other languages that translate it in this knowledge."""

    def __init__(self, texts: Sequence[Mapping[str, str]]) -> None:
        together: Counter[tuple[str, str, str]] = Counter()  # (a, b's language, b)
        having: Counter[str] = Counter()  # parallel texts with the stem, in any language
        for item in texts:
            bags = {lang: _stems(text) for lang, text in item.items()}
            having.update(set().union(*bags.values()))
            pairs: set[tuple[str, str, str]] = set()
            for first, second in combinations(sorted(bags), 2):
                for a in bags[first] - bags[second]:
                    for b in bags[second] - bags[first]:
                        pairs.update(((a, second, b), (b, first, a)))
            together.update(pairs)
        # Competitive linking: each stem keeps, per other language, only its best partners.
        best: dict[tuple[str, str], tuple[float, set[str]]] = {}
        for (a, language, b), count in together.items():
            dice = 2 * count / (having[a] + having[b])
            if count < MIN_TOGETHER or dice < MIN_DICE:
                continue
            top, partners = best.get((a, language), (0.0, set()))
            if dice > top:
                best[(a, language)] = (dice, {b})
            elif dice == top:
                partners.add(b)
        self._pairs: dict[str, set[str]] = {}
        for (a, _), (_, partners) in best.items():
            self._pairs.setdefault(a, set()).update(partners)

    def translations(self, tokens: Sequence[str]) -> list[str]:
        """The stems this knowledge pairs with these query stems, the query's own left out."""
        asked = set(tokens)
        found: dict[str, None] = {}
        for token in tokens:
            for stem in sorted(self._pairs.get(token, ())):
                if stem not in asked:
                    found[stem] = None
        return list(found)

    def __len__(self) -> int:
        return len(self._pairs)


def _stems(text: str) -> set[str]:
    return {stem for word in content_words(text) for stem in stems(word)}
