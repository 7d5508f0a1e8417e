"""Hybrid ranking (dense + BM25), title and language boosts, and abstention."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.domain import Answer, EventInfo, Hit, Passage, PassageKind, Session
from bot.i18n.detect import detect_language
from bot.search.abstention import foil_questions
from bot.search.answer_text import abstention_text, answer_text
from bot.search.bm25 import LexicalIndex, intent_terms
from bot.search.calibration import RankingConfig, config_for, search_texts
from bot.search.embedders import Embedder
from bot.search.knowledge_lexicon import KnowledgeLexicon, parallel_texts
from bot.search.lexicon import equivalents, translations
from bot.search.normalise import content_words, stems, tokenize, words
from bot.search.transliteration import Transliterations
from bot.search.vector_index import VectorIndex, create_index
from bot.search.vocabulary import LANGUAGE_MIN_PASSAGES, Vocabulary

# «…», "…", “…” and „…“: a quoted part of a question is most likely a session title.
_QUOTED = re.compile(r"«\s*([^»]+?)\s*»|\"([^\"]+)\"|“([^”]+)”|„([^“”]+)[“”]")
_TITLE_END = " — "
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")


@dataclass(frozen=True, slots=True)
class Ranking:
    """Ranked hits plus the evidence abstention looks at."""

    hits: tuple[Hit, ...]
    language: str
    dense_top: float  # best raw cosine similarity to a passage
    foil_top: float  # best raw cosine similarity to an off-topic foil question
    coverage: float  # share of the question's words found in the best hit
    title_match: bool  # the best hit is a session whose title the question names
    has_terms: bool  # the question has words beyond stop words
    has_intent: bool = False  # the question asks "where" or "when"
    word_count: int = 0  # words of the question beyond stop words
    words_known: float = 0.0  # share of those words found anywhere in the knowledge
    unknown_names: tuple[str, ...] = ()  # names in the question the knowledge never mentions
    unknown_share: float = 0.0  # share of the question's weight the knowledge never mentions
    foreign: bool = False  # the knowledge has too few passages in the question's language


TITLE_CACHE_SIZE = 256  # questions whose title scores are kept (a batch holds at most 32)


@dataclass(frozen=True, slots=True)
class DenseSide:
    """The dense side of one ranking."""

    scores: np.ndarray  # cosine per passage, NaN when outside the retrieved top
    order: np.ndarray  # passage positions, best first, unique, at most `candidates`
    top: float  # best cosine of the raw question (what abstention compares)
    foil_top: float  # best cosine of the raw question to an off-topic foil
    encoded: bool = True  # False: not computed, a session title decides (`title_decides`)

    @classmethod
    def skipped(cls, size: int) -> DenseSide:
        """No dense side at all, for a question a session title decides (`title_decides`)."""
        nothing = np.full(size, np.nan, np.float32)
        return cls(nothing, np.zeros(0, np.int64), np.nan, np.nan, encoded=False)


def _titles(passage: Passage, sessions: Mapping[str, Session]) -> set[str]:
    found = set()
    session = sessions.get(passage.session_id or "")
    if session is not None:
        found.add(session.title)
    head = passage.text.split(_TITLE_END, 1)[0]
    if _TITLE_END in passage.text and len(head) < 200:
        found.add(head)
    return {" ".join(words(title)) for title in found if words(title)}


class Retriever:
    """Everything needed to rank one immutable set of passages."""

    def __init__(
        self,
        passages: Sequence[Passage],
        embedder: Embedder,
        index: VectorIndex,
        lexical: LexicalIndex,
        sessions: Mapping[str, Session],
        foils: np.ndarray | None = None,
        config: RankingConfig | None = None,
        event: EventInfo | None = None,
    ) -> None:
        self.passages = list(passages)
        self.embedder = embedder
        self.index = index
        self.lexical = lexical
        self.sessions = sessions
        self.foils = foils if foils is not None else np.zeros((0, embedder.dimension), np.float32)
        self.config = config or config_for(embedder.name)
        self.event = event
        # lru_cache: thread-safe, and the snapshot (with its retriever) goes at the next reload
        self._title_cache = lru_cache(maxsize=TITLE_CACHE_SIZE)(self._read_only_title_scores)
        self._titles = [
            _titles(p, sessions) if p.kind is PassageKind.SESSION else set() for p in self.passages
        ]
        self.vocabulary = Vocabulary(self.passages)
        self.transliterations = Transliterations(self.vocabulary.words)
        self.learnt = KnowledgeLexicon(parallel_texts(sessions.values()))

    @classmethod
    def from_passages(
        cls,
        passages: Sequence[Passage],
        embedder: Embedder,
        sessions: Mapping[str, Session] | None = None,
        backend: str = "faiss",
        event: EventInfo | None = None,
    ) -> Retriever:
        """Embed and index passages in memory, uncached (tests, benchmarks)."""
        index = create_index(embedder.dimension, backend)
        ids, texts = search_texts(passages, sessions or {})
        index.add(ids, embedder.encode_passages(texts))
        lexical = LexicalIndex.of_passages(passages, sessions or {})
        foils = embedder.encode_passages(foil_questions(event.city if event else ""))
        return cls(passages, embedder, index, lexical, sessions or {}, foils, event=event)

    def _title_scores(self, question: str) -> np.ndarray:
        """Read-only title scores, computed once per question: a batch decides whether to encode
        a question (`title_decides`) and then ranks it (`rank`) with the same scores."""
        return self._title_cache(question)

    def _read_only_title_scores(self, question: str) -> np.ndarray:
        scores = self._title_scores_of(question)
        scores.flags.writeable = False
        return scores

    def _title_scores_of(self, question: str) -> np.ndarray:
        """1 for a passage whose session title the question quotes or contains, else partial."""
        scores = np.zeros(len(self.passages), dtype=np.float32)
        asked = " ".join(words(question))
        quoted = [
            " ".join(words(next(g for g in m.groups() if g))) for m in _QUOTED.finditer(question)
        ]
        quoted_sets = [set(q.split()) for q in quoted if q]
        for position, titles in enumerate(self._titles):
            for title in titles:
                if title in quoted or (len(title) >= 8 and f" {title} " in f" {asked} "):
                    scores[position] = 1.0
                    break
                title_set = set(title.split())
                for quoted_set in quoted_sets:
                    # A quoted title with a typo or a word left out still mostly matches.
                    overlap = len(title_set & quoted_set) / len(title_set | quoted_set)
                    scores[position] = max(scores[position], overlap if overlap >= 0.6 else 0.0)
        return scores

    def title_decides(self, question: str) -> bool:
        """Whether the question contains or quotes a session's whole title: that session is
        answered whatever the dense side finds (see `relevant`), so the encoder is not run."""
        return bool((self._title_scores(question) >= 1.0).any())

    def query_texts(self, question: str, language: str, short: bool) -> list[str]:
        """What the dense side encodes: the question, then (if short) it in the event's context."""
        texts = [question]
        if self.event is not None and short:
            texts.append(f"{question} ({self.event.names.get(language) or self.event.name})")
        return texts

    def dense_depth(self) -> int:
        """How many neighbours the dense side asks the index for."""
        return min(2 * min(self.config.candidates, len(self.passages)), len(self.index))

    def _dense(self, question: str, language: str, short: bool) -> DenseSide:
        """Cosine scores per passage (NaN outside the top), best-first order, raw top score."""
        query = self.embedder.encode_queries(self.query_texts(question, language, short))
        scores, ids = self.index.search(query, self.dense_depth())
        return self.dense_from(query, scores, ids)

    def dense_from(self, query: np.ndarray, scores: np.ndarray, ids: np.ndarray) -> DenseSide:
        """The dense side from the query rows of `query_texts` and their index search results."""
        k = min(self.config.candidates, len(self.passages))
        valid = ids[-1] >= 0
        dense = np.full(len(self.passages), np.nan, dtype=np.float32)
        # Should a passage have several vectors under its id, it scores its best one.
        np.fmax.at(dense, ids[-1][valid], scores[-1][valid])
        unique, first = np.unique(ids[-1][valid], return_index=True)
        order = unique[np.argsort(first)][:k]
        # The raw question (first row) decides abstention; the one in context (if any) ranks.
        top = float(scores[0][0]) if len(query) > 1 else float(dense[order[0]])
        foil_top = float(np.max(self.foils @ query[0])) if len(self.foils) else -1.0
        return DenseSide(dense, order, top, foil_top)

    def _spelled(self, own_words: Sequence[str]) -> list[str]:
        """Stems of the knowledge's Latin words that Arabic words of the question the knowledge
        lacks may spell (باريس: paris), for the BM25 expansion."""
        found: dict[str, None] = {}
        for word in own_words:
            if _ARABIC_LETTER.match(word) and word not in self.vocabulary.words:
                for latin in sorted(self.transliterations.latin_for(word)):
                    found.update(dict.fromkeys(stems(latin)))
        return list(found)

    def _lexical(
        self, question: str, tokens: list[str], own_words: Sequence[str] = ()
    ) -> tuple[np.ndarray, list[str]]:
        """BM25 per passage, plus a light where/when expansion; and the expansion terms."""
        lexical = self.lexical.scores(tokens)
        intents = intent_terms(question)
        expansion = [term for term in intents if term not in tokens]
        if expansion and self.config.intent_weight:
            lexical = lexical + self.config.intent_weight * self.lexical.scores(expansion)
        translated = [
            term
            for term in dict.fromkeys(
                [
                    *translations(tokens),
                    *self.learnt.translations(tokens),
                    *self._spelled(own_words),
                ]
            )
            if term not in expansion and term not in tokens
        ]
        if translated and self.config.translation_weight:
            lexical = lexical + self.config.translation_weight * self.lexical.scores(translated)
        return lexical, intents

    def _fuse(self, dense: DenseSide, lexical: np.ndarray, lexical_order: np.ndarray) -> np.ndarray:
        """Weighted min-max fusion (measured best), or reciprocal rank fusion."""
        config = self.config
        if config.fusion == "rrf":
            fused = np.zeros(len(self.passages), dtype=np.float32)
            for weight, ranked in (
                (config.dense_weight, dense.order),
                (config.lexical_weight, lexical_order),
            ):
                fused[ranked] += weight / (config.rrf_k + 1 + np.arange(len(ranked)))
            return fused * (config.rrf_k + 1)  # rank 1 in both lists scores the weights' sum
        dense_norm = np.zeros(len(self.passages), dtype=np.float32)
        if len(dense.order):
            found = dense.scores[dense.order]  # min-max over the top k, whatever the index size
            low, high = float(found.min()), float(found.max())
            dense_norm = np.maximum(np.nan_to_num((dense.scores - low) / max(high - low, 1e-6)), 0)
        lexical_norm = lexical / max(float(lexical.max()), 1e-6)
        fused_scores: np.ndarray = (
            config.dense_weight * dense_norm + config.lexical_weight * lexical_norm
        )
        return fused_scores

    def rank(
        self, question: str, language: str | None = None, dense: DenseSide | None = None
    ) -> Ranking:
        """All candidate passages for a question, best first, with the abstention evidence
        (`dense`: the dense side computed beforehand, for a batch; see `answer_batch`)."""
        language = language or detect_language(question)
        if not self.passages:
            return Ranking((), language, 0.0, 0.0, 0.0, False, False)
        config = self.config
        tokens = tokenize(question)
        own_words = content_words(question)
        short = len(own_words) <= config.short_question
        if dense is None:
            if self.title_decides(question):
                dense = DenseSide.skipped(len(self.passages))
            else:
                dense = self._dense(question, language, short)
        skipped = not dense.encoded
        lexical, intents = self._lexical(question, tokens, own_words)
        depth = min(config.candidates, len(self.passages)) if skipped else len(dense.order)
        lexical_order = np.argsort(-lexical, kind="stable")[:depth]
        lexical_order = lexical_order[lexical[lexical_order] > 0]
        fused = self._fuse(dense, lexical, lexical_order)
        titles = self._title_scores(question)
        fused = fused + config.title_bonus * titles
        candidates = np.union1d(dense.order, lexical_order)
        if skipped:
            candidates = np.union1d(candidates, np.flatnonzero(titles >= 1.0))
        for position in candidates:
            if self.passages[position].language == language:
                fused[position] += config.language_bonus
        order = sorted(candidates, key=lambda p: (-fused[p], p))
        best = order[0]
        if skipped and titles[best] < 1.0:  # the title did not decide after all: rank in full
            return self.rank(question, language, self._dense(question, language, short))
        return Ranking(
            hits=tuple(Hit(self.passages[p], float(fused[p])) for p in order),
            language=language,
            dense_top=dense.top,
            foil_top=dense.foil_top,
            coverage=self.lexical.coverage(tokens, best),
            title_match=bool(titles[best] >= 1.0),
            has_terms=bool(tokens),
            has_intent=bool(intents),
            word_count=len(own_words),
            words_known=self.lexical.known_share(own_words, best),
            unknown_names=tuple(
                name
                for name in self.vocabulary.unknown_names(question, language)
                if not self.lexical.names_in(name, best, tokens)  # in its whole description
            ),
            foreign=self.vocabulary.languages.get(language, 0) < LANGUAGE_MIN_PASSAGES,
            unknown_share=self.vocabulary.unknown_share(
                question, language, lambda word: self.lexical.known_share([word], best) > 0
            ),
        )

    def relevant(self, ranking: Ranking) -> bool:
        """Whether the best hit is relevant enough to answer with (else abstain)."""
        config = self.config
        if not ranking.hits:
            return False
        if ranking.title_match:
            return True
        if ranking.unknown_names:
            return False  # "When is GITEX?": whatever is closest, the knowledge is not about it
        if not ranking.has_terms:
            return ranking.has_intent  # "where?", "c'est quand ?": about the event itself
        if ranking.dense_top < config.answer_floor:
            return False
        if ranking.foreign and ranking.dense_top < config.foreign_floor:
            return False
        if ranking.word_count <= config.short_question and ranking.words_known >= 1.0:
            return True
        unknown = ranking.unknown_share if ranking.word_count >= config.unknown_min_words else 0.0
        margin = config.foil_margin + config.unknown_weight * unknown
        return ranking.dense_top - ranking.foil_top >= margin

    def answer(
        self,
        question: str,
        top_k: int = 3,
        language: str | None = None,
        dense: DenseSide | None = None,
    ) -> Answer:
        """The answer to a question: the best passage and its source, or an honest abstention."""
        ranking = self.rank(question, language, dense)
        lang = ranking.language if ranking.language in ("fr", "en", "ar") else "en"
        top_score = ranking.hits[0].score if ranking.hits else 0.0
        hits = ranking.hits[: max(top_k, 1)]
        if not self.relevant(ranking):
            # The nearest passages are still returned (ranked, with scores), flagged unanswered.
            text = abstention_text(ranking.unknown_names, self.event, lang)
            return Answer(question, lang, False, text, hits, top_score)
        return Answer(question, lang, True, answer_text(hits, lang), hits, top_score)

    def sessions_for(self, query: str, limit: int = 10) -> list[Session]:
        """Sessions matching a free-text query for inline search: sessions whose title or
        speakers have the query's words (or words they begin) first, then the ranking's, unless
        the ranking abstains ("xxxx" finds nothing)."""
        if not query.strip():
            return sorted(self.sessions.values(), key=lambda s: (s.start, s.title))[:limit]
        ranking = self.rank(query)
        ranked: dict[str, Session] = {}
        for hit in ranking.hits:
            session = self.sessions.get(hit.passage.session_id or "")
            if session is not None and session.id not in ranked:
                ranked[session.id] = session
        asked = content_words(query)
        named = {
            session.id: matched
            for session in self.sessions.values()
            if (matched := _named_words(asked, session))
        }
        position = {session_id: rank for rank, session_id in enumerate(ranked)}
        first = sorted(named, key=lambda i: (-named[i], position.get(i, len(position))))
        found = [self.sessions[session_id] for session_id in first]
        # Inline queries are typed word by word: a word the knowledge has no word beginning with
        # ("xxxx") means nothing here, whatever the dense side finds closest.
        if self.relevant(ranking) and any(self.vocabulary.has_prefix(word) for word in asked):
            found += [session for session in ranked.values() if session.id not in named]
        return found[:limit]


def _named_words(asked: Sequence[str], session: Session) -> int:
    """How many of the asked words (or their translations in the lexicon: "health", "santé")
    a session's title or speakers contain, or have a word beginning with."""
    own = words(" ".join((session.title, *session.speakers)))
    return sum(
        any(word.startswith(alt) for alt in equivalents(a) for word in own)
        for a in asked
        if len(a) >= 3
    )
