"""One served version of the knowledge: its index, lexical side, foils and programme.

The assistant swaps whole snapshots on reload, so a reader holding one never sees a half-built
index; this module builds them (reusing the saved index when it matches) and says what changed.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from bot.clock import utc_now
from bot.domain import Answer, KnowledgeBase, KnowledgeError, Passage
from bot.knowledge.watcher import ReloadReport
from bot.search.abstention import event_topics, foil_questions
from bot.search.bm25 import LexicalIndex
from bot.search.cache import EmbeddingCache
from bot.search.calibration import search_texts
from bot.search.embedders import Embedder
from bot.search.programme import Programme, programme_zone
from bot.search.ranking import Retriever
from bot.search.vector_index import (
    IndexManifest,
    VectorIndex,
    create_index,
    load_index,
    save_index,
)

if TYPE_CHECKING:
    from bot.knowledge.folder import FileKnowledge, Scan

log = logging.getLogger(__name__)


class SearchSettings(Protocol):
    """What search reads of the settings (the app's `Settings` provides it)."""

    @property
    def knowledge_dir(self) -> Path:
        """The organisers' knowledge folder."""
        ...

    @property
    def data_dir(self) -> Path:
        """Where the embedding cache lives."""
        ...

    @property
    def index_dir(self) -> Path:
        """Where the saved vector index lives."""
        ...

    @property
    def embedding_model(self) -> str:
        """A sentence-transformers model name or path, or a bundled model's name."""
        ...


INDEX_BACKEND = "faiss"
CACHE_FILE = "embeddings.sqlite3"


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What building (or loading) the index did."""

    errors: list[KnowledgeError]
    passages: int
    embedded: int  # texts embedded now (passages, and long session descriptions)
    cached: int  # texts whose vectors came from the embedding cache
    seconds: float
    reused: bool = False  # the saved index matched: nothing was embedded or rebuilt
    model: str = ""

    def summary(self) -> str:
        """One line for the terminal."""
        if self.reused:
            how = "index up to date"
        else:
            how = f"{self.embedded} embedded, {self.cached} from cache"
        errors = f", {len(self.errors)} knowledge errors" if self.errors else ""
        return f"{self.passages} passages ({how}) with {self.model} in {self.seconds:.1f} s{errors}"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One consistent state: readers take a reference and never see a half-built index."""

    knowledge: KnowledgeBase
    files: dict[str, FileKnowledge]
    retriever: Retriever
    corpus_hash: str
    scan: Scan  # the folder as this snapshot's files were loaded from it
    # Answers belong to one version of the knowledge: a reload swaps in a new, empty cache.
    answers: AnswerCache = field(default_factory=lambda: AnswerCache())
    programme: Programme | None = None
    zone: tzinfo = UTC  # the programme's: the day an event or session took place is told in it


class AnswerCache:
    """Recent answers by question: at a venue many attendees ask the same thing at once."""

    def __init__(self, capacity: int = 2048) -> None:
        self.capacity = capacity
        self._answers: OrderedDict[tuple[str, int, str | None], Answer] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(question: str, top_k: int, language: str | None) -> tuple[str, int, str | None]:
        """Questions differing only in case and spacing share an answer."""
        return (" ".join(question.casefold().split()), top_k, language)

    def get(self, key: tuple[str, int, str | None]) -> Answer | None:
        """The cached answer, refreshed as most recently used, or None."""
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: tuple[str, int, str | None], answer: Answer) -> None:
        """Remember an answer, forgetting the least recently used beyond capacity."""
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.capacity:
                self._answers.popitem(last=False)


def corpus_hash(passages: list[Passage], ids: list[int], texts: list[str]) -> str:
    """A hash of the passages' ids and of every embedded text with its vector id, in order."""
    digest = hashlib.sha256()
    for passage in passages:
        digest.update(passage.id.encode() + b"\x1e")
    for vector_id, text in zip(ids, texts, strict=True):
        digest.update(f"{vector_id}\x1f{text}\x1e".encode())
    return digest.hexdigest()


def _progress_bar(total: int, enabled: bool, description: str) -> Any:
    """A tqdm bar on standard error (disabled: a no-op with the same interface)."""
    from tqdm import tqdm  # type: ignore[import-untyped]  # tqdm ships no type hints

    return tqdm(total=total, disable=not enabled, file=sys.stderr, desc=description, unit="p")


def build_vectors(
    settings: SearchSettings, embedder: Embedder, knowledge: KnowledgeBase, progress: bool
) -> tuple[VectorIndex, IndexReport, str]:
    """Load the saved index if it matches the knowledge, else embed (cached) and save."""
    started = time.monotonic()
    passages = knowledge.passages
    ids, texts = search_texts(passages, knowledge.sessions)
    digest = corpus_hash(passages, ids, texts)
    expected = IndexManifest(
        model=embedder.name,
        dimension=embedder.dimension,
        corpus_hash=digest,
        passages=len(passages),
        vectors=len(texts),
        backend=INDEX_BACKEND,
        settings={"vector_ids": "passage position", "normalised": True},
    )
    index = load_index(settings.index_dir, expected)
    if index is not None:
        seconds = time.monotonic() - started
        report = IndexReport(
            list(knowledge.errors), len(passages), 0, 0, seconds, True, embedder.name
        )
        return index, report, digest
    cache = EmbeddingCache(settings.data_dir / CACHE_FILE)
    with _progress_bar(len(texts), progress, "Embedding") as bar:
        result = cache.embed_passages(embedder, texts, bar.update)
    index = create_index(embedder.dimension, INDEX_BACKEND)
    index.add(ids, result.vectors)
    manifest = replace(expected, built_at=utc_now().isoformat())
    try:
        save_index(settings.index_dir, index, manifest)
    except OSError as exc:  # a read-only data folder still answers, from memory
        log.warning("Could not save the index in %s: %s", settings.index_dir, exc)
    seconds = time.monotonic() - started
    report = IndexReport(
        list(knowledge.errors),
        len(passages),
        result.embedded,
        result.cached,
        seconds,
        model=embedder.name,
    )
    log.info("Index built: %s", report.summary())
    return index, report, digest


def foil_vectors(
    settings: SearchSettings, embedder: Embedder, knowledge: KnowledgeBase
) -> np.ndarray:
    """The off-topic foil questions, embedded as passages (cached like them)."""
    cache = EmbeddingCache(settings.data_dir / CACHE_FILE)
    city = knowledge.event.city if knowledge.event else ""
    topics = event_topics(knowledge.verticals.values())
    return cache.embed_passages(embedder, foil_questions(city, topics)).vectors


def open_snapshot(
    settings: SearchSettings,
    embedder: Embedder,
    knowledge: KnowledgeBase,
    files: dict[str, FileKnowledge],
    scan: Scan,
    progress: bool = False,
) -> tuple[Snapshot, IndexReport]:
    """The index (saved, or built), the lexical side, the foils and the programme of one
    version of the knowledge, as one snapshot."""
    index, report, digest = build_vectors(settings, embedder, knowledge, progress)
    lexical = LexicalIndex.of_passages(knowledge.passages, knowledge.sessions)
    foils = foil_vectors(settings, embedder, knowledge)
    retriever = Retriever(
        knowledge.passages,
        embedder,
        index,
        lexical,
        knowledge.sessions,
        foils,
        event=knowledge.event,
    )
    programme = Programme.of(knowledge)
    zone = programme.zone if programme is not None else programme_zone(knowledge)
    snapshot = Snapshot(knowledge, files, retriever, digest, scan, programme=programme, zone=zone)
    return snapshot, report


def reload_report(previous: Snapshot, snapshot: Snapshot, embedded: int) -> ReloadReport:
    """What a reload changed between two snapshots (`embedded`: texts embedded on the way)."""
    knowledge = snapshot.knowledge
    changed = (
        snapshot.corpus_hash != previous.corpus_hash or knowledge.files != previous.knowledge.files
    )
    log.info("Knowledge reloaded: changed=%s, %d re-embedded", changed, embedded)
    return ReloadReport(changed, list(knowledge.errors), previous.knowledge, knowledge, embedded)
