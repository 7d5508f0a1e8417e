"""BM25 over our own normalised, stemmed tokens (bm25s), so names and numbers match exactly."""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from bot.domain import Passage, PassageKind, Session
from bot.knowledge.passage_text import shorten
from bot.search.normalise import stems, tokenize

log = logging.getLogger(__name__)


# What a question asks for, and words that passages answering it tend to contain: BM25 gets them
# as a light expansion, so "where is it held?" finds the passage headed "Dates and place".
_INTENTS: dict[str, tuple[re.Pattern[str], str]] = {
    "where": (
        re.compile(r"\b(where|où|venue|which city|quelle ville|quelle salle|which room)\b|أين|اين"),
        "place venue city room lieu ville salle مكان مدينة قاعة",
    ),
    "when": (
        re.compile(r"\b(when|quand|what time|quelle heure|which day|quel jour|dates?)\b|متى|موعد"),
        "date dates day time jour heure horaire موعد تاريخ يوم",
    ),
}


def intent_terms(question: str) -> list[str]:
    """Expansion tokens for the kind of answer a question asks for (place, time)."""
    folded = unicodedata.normalize("NFKC", question).casefold()
    terms: list[str] = []
    for pattern, expansion in _INTENTS.values():
        if pattern.search(folded):
            terms.extend(tokenize(expansion))
    return terms


def lexical_texts(passages: Sequence[Passage], sessions: Mapping[str, Session]) -> list[str]:
    """What the lexical side reads of each passage: its text, and for a session's passage the
    rest of the description it shortens. A tool or name in a description's later sentences is
    still a word of the programme: BM25 finds it, and abstention does not call it unknown."""
    texts = []
    for passage in passages:
        session = sessions.get(passage.session_id or "")
        text = passage.text
        if passage.kind is PassageKind.SESSION and session is not None and session.description:
            shown = shorten(session.description).removesuffix("…")
            whole = " ".join(session.description.split())
            if len(whole) > len(shown) and shown in text:
                text = f"{text} {whole[len(shown) :]}"
        texts.append(text)
    return texts


class LexicalIndex:
    """A BM25 index of passage texts plus the document frequencies behind it."""

    def __init__(
        self,
        texts: Sequence[str],
        k1: float = 1.2,
        b: float = 0.75,
        shown: Sequence[str] | None = None,
    ) -> None:
        """`shown`: the passages as attendees see them, when `texts` say more (`lexical_texts`)."""
        import bm25s

        # bm25s sets its own logger to DEBUG on import, which floods the terminal chat.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.size = len(texts)
        corpus = [tokenize(text) for text in texts]
        self.documents = [frozenset(tokens) for tokens in corpus]
        self.document_frequency: Counter[str] = Counter()
        for document in self.documents:
            self.document_frequency.update(document)
        # A word only in a description's unshown rest is known to that passage alone (see
        # `known_share`): "Windows" in one talk's last sentence does not make the programme
        # about Windows.
        self.shown_terms = (
            frozenset(self.document_frequency)
            if shown is None
            else frozenset(token for text in shown for token in tokenize(text))
        )
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        if self.size:
            # bm25s needs at least one token per index; "" is its own empty-token marker.
            self._bm25.index([tokens or [""] for tokens in corpus], show_progress=False)

    @classmethod
    def of_passages(
        cls, passages: Sequence[Passage], sessions: Mapping[str, Session]
    ) -> LexicalIndex:
        """The index of these passages, sessions' whole descriptions read (`lexical_texts`)."""
        return cls(lexical_texts(passages, sessions), shown=[p.text for p in passages])

    def idf(self, token: str) -> float:
        """Inverse document frequency (BM25's smoothed form); unknown tokens get the maximum."""
        frequency = self.document_frequency.get(token, 0)
        return math.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The BM25 score of every passage for these query tokens (zeros when none is known)."""
        known = [token for token in tokens if token in self.document_frequency]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def coverage(self, tokens: Sequence[str], position: int) -> float:
        """Share of the query's IDF weight whose tokens occur in passage `position`."""
        unique = set(tokens)
        total = sum(self.idf(token) for token in unique)
        if total <= 0:
            return 0.0
        document = self.documents[position]
        return sum(self.idf(token) for token in unique if token in document) / total

    def known_share(self, words: Sequence[str], position: int | None = None) -> float:
        """Share of these (content) words that occur, by any stem, in the shown passages or in
        the whole text of passage `position`."""
        if not words:
            return 0.0
        document = self.documents[position] if position is not None else frozenset()
        known = sum(
            any(s in self.shown_terms or s in document for s in stems(word)) for word in words
        )
        return known / len(words)

    def names_in(self, name: str, position: int, question: Sequence[str]) -> bool:
        """Whether every word of a name occurs in the whole text of passage `position`, and
        some other token of the question too (a city named in a speaker's bio does not make
        the talk about renting a bike there)."""
        named = set(tokenize(name))
        document = self.documents[position]
        return bool(named) and named <= document and bool((set(question) - named) & document)

    def matched(self, tokens: Sequence[str], position: int) -> set[str]:
        """The query tokens that occur in passage `position`."""
        return set(tokens) & self.documents[position]
