"""The knowledge's own vocabulary, and the names a question depends on that it never mentions.

A question naming something the knowledge never mentions ("GITEX", "LeCun", "ChatGPT") is about
something else, however close its other words are to the event's: built once per snapshot from
the passages, this is what abstention checks before trusting the dense score.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.domain import LANGUAGES, Passage
from bot.search.countries import countries_named, known_countries
from bot.search.lexicon import equivalents, in_lexicon
from bot.search.normalise import STOP_WORDS, normalise, words

_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ɏ]")
_RAW_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.?!؟:;]\s+")
# "5e", "1st", "2ème": ordinals are not names.
_ORDINAL = re.compile(r"^\d+(?:e|er|re|eme|ème|th|st|nd|rd)$", re.IGNORECASE)
# "Python 3.14", "version 2.0.1": a version the knowledge never writes is a name it lacks.
_VERSION = re.compile(r"(?<![\d.])\d+(?:\.\d+)+(?![\d.])")
# "16h", "9h30", "6pm", "10am": times of day are not names either.
_TIME_OF_DAY = re.compile(r"^\d{1,2}(?:h\d{0,2}|[ap]m|h\d{2}[ap]m)$", re.IGNORECASE)
FUZZY_RATIO = 85  # a name this close to a word of the knowledge is that word with a typo
FUZZY_MIN_LENGTH = 5
FUZZY_LENGTH_GAP = 1
# Arabic has no capitals: an Arabic word rarer than this in general Arabic (wordfreq's Zipf
# scale: 3 is once per million words) and absent from Arabic knowledge is taken for a name.
ARABIC_RARE_ZIPF = 3.0
# Below this many passages in the question's language, the knowledge cannot tell whether an
# ordinary word of that language is missing from it (an Arabic question over French content).
LANGUAGE_MIN_PASSAGES = 5


@lru_cache(maxsize=8192)
def _zipf(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    # wordfreq's small lists stop near Zipf 3 (rarer words read 0): the same rare/not rare
    # answers at ARABIC_RARE_ZIPF, for 40 MB of memory in three languages rather than 180;
    # words rarer than that weigh the most (7) in `word_weight`.
    return float(zipf_frequency(word, language, wordlist="small"))


def load_word_frequencies() -> None:
    """Load wordfreq's tables now, not inside the first question in each language."""
    for language in LANGUAGES:
        _zipf("a", language)


def _arabic_zipf(word: str) -> float:
    return _zipf(word, "ar")


# A future or present marker before a verb's imperfect: MSA "س" (ستتطرق, will address), Darija
# "ك" (كتهمني, concerns me) and "غا" (غانمشي, I will go). Word lists count the bare imperfect.
_ARABIC_ASPECT = re.compile(r"^(?:س|ك|غا)(?=[يتنأ])")


def _arabic_verb_form(word: str) -> bool:
    """Whether a rare Arabic word is a common verb with a future or present marker."""
    bare = _ARABIC_ASPECT.sub("", word, count=1)
    return bare != word and len(bare) >= 3 and _arabic_zipf(bare) >= ARABIC_RARE_ZIPF


# How much a word says (its weight in `unknown_share`): rarer words say more. Zipf 7 is the
# commonest words ("the"); a word wordfreq never saw (a name, a typo) weighs the most.
_ZIPF_TOP = 7.0


def name_candidates(question: str, arabic_rarity: bool = True) -> list[str]:
    """Words of a question that look like names: capitalised after a sentence's first word,
    acronyms, capitals inside a word, letters mixed with digits, Latin words in an Arabic
    question, rare Arabic words. Conference and calendar words of the lexicon ("Monday",
    "English", "Workshop") are never names."""
    arabic = bool(_ARABIC_LETTER.search(question))
    sentences = [_RAW_WORD.findall(part) for part in _SENTENCE_END.split(question)]
    latin = [token for tokens in sentences for token in tokens[1:] if _LATIN_LETTER.match(token)]
    # In a Title Case Question capitals say nothing; acronyms and inner capitals still do.
    title_case = len(latin) >= 3 and sum(t[0].isupper() for t in latin) >= 0.6 * len(latin)
    found = []
    for tokens in sentences:
        for position, token in enumerate(tokens):
            folded = normalise(token)
            if (
                folded in STOP_WORDS
                or folded.isdigit()
                or _ORDINAL.match(token)
                or _TIME_OF_DAY.match(token)
                or len(folded) < 2
                or in_lexicon(folded)
            ):
                continue
            if _ARABIC_LETTER.match(token):
                if (
                    arabic_rarity
                    and _arabic_zipf(token) < ARABIC_RARE_ZIPF
                    and not _arabic_verb_form(token)
                ):
                    found.append(token)
            elif (
                (arabic and _LATIN_LETTER.match(token))
                or (position > 0 and token[0].isupper() and not title_case)
                or (len(token) > 1 and token.isupper())
                or any(c.isupper() for c in token[1:])  # "iPhone", "LeCun"
                or (any(c.isdigit() for c in token) and not token.isdigit())
            ):
                found.append(token)
    return found


def _version(number: str) -> bool:
    """Whether a dotted number reads as a version rather than a day and month ("28.12")."""
    parts = number.split(".")
    return len(parts) > 2 or not (1 <= int(parts[0]) <= 31 and 1 <= int(parts[1]) <= 12)


def word_weight(word: str, language: str) -> float:
    """How much a word says: 7 minus its Zipf frequency in that language, at least 0.5."""
    return max(_ZIPF_TOP - _zipf(word.casefold(), language), 0.5)


class Vocabulary:
    """Every normalised word of the passages, and how many passages each language has."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        found: set[str] = set()
        for passage in passages:
            found.update(words(passage.text))
        self.words = frozenset(found)
        self._sorted = sorted(found)
        self._long = sorted(word for word in found if len(word) >= FUZZY_MIN_LENGTH - 1)
        self.languages: Counter[str] = Counter(passage.language for passage in passages)
        self._countries = known_countries(self.words)
        self._versions = {v for passage in passages for v in _VERSION.findall(passage.text)}

    def knows(self, name: str) -> bool:
        """Whether every word of a name occurs in the knowledge (exactly, or with a typo)."""
        for word in words(name):
            if word in STOP_WORDS or word[:-1] in self.words:
                continue  # a plural ("GPUs") of a word the knowledge has
            if any(equivalent in self.words for equivalent in equivalents(word)):
                continue  # the word, or its translation ("AI" over French content with "IA")
            if len(word) >= FUZZY_MIN_LENGTH and self._typo_of_known(word):
                continue
            return False
        return True

    def _typo_of_known(self, word: str) -> bool:
        """Whether a word is a word of the knowledge with a typo: close by ratio, and at most
        one letter longer or shorter ("France" is not "français", "Segrouchni" is)."""
        close = process.extract(
            word, self._long, scorer=fuzz.ratio, score_cutoff=FUZZY_RATIO, limit=5
        )
        return any(abs(len(found) - len(word)) <= FUZZY_LENGTH_GAP for found, _, _ in close)

    def has_prefix(self, word: str) -> bool:
        """Whether some word of the knowledge is or begins with this (normalised) word."""
        at = bisect.bisect_left(self._sorted, word)
        return at < len(self._sorted) and self._sorted[at].startswith(word)

    def unknown_share(self, question: str, language: str, known: Callable[[str], bool]) -> float:
        """The share of what the question's content words say (each weighs 7 minus its Zipf
        frequency in the question's language) that occurs nowhere in the knowledge, by word,
        typo, translation or (`known`) stem. Zero when the knowledge has too few passages in
        that language to tell a missing word from one it says in another language."""
        if self.languages.get(language, 0) < LANGUAGE_MIN_PASSAGES:
            return 0.0
        total = missing = 0.0
        for token in _RAW_WORD.findall(question):
            folded = normalise(token)
            if folded in STOP_WORDS or folded.isdigit() or len(folded) < 2:
                continue
            weight = word_weight(token, language)
            total += weight
            if not (known(folded) or self.knows(folded)):
                missing += weight
        return missing / total if total else 0.0

    def unknown_names(self, question: str, language: str) -> list[str]:
        """The names the question depends on that occur nowhere in the knowledge."""
        arabic_rarity = self.languages.get("ar", 0) >= LANGUAGE_MIN_PASSAGES and language == "ar"
        found = [name for name in name_candidates(question, arabic_rarity) if not self.knows(name)]
        # A country named in any script or case ("الجزائر", "germany") that the knowledge
        # never names in any of its languages.
        taken = {word for name in found for word in words(name)}
        for code, named in countries_named(question).items():
            if code not in self._countries and not set(named.split()) <= taken:
                found.append(named)
        found += [v for v in _VERSION.findall(question) if v not in self._versions and _version(v)]
        return found
