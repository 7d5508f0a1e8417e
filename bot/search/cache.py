"""Embeddings cached in SQLite by a hash of model and text: a passage is embedded once."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.clock import utc_now
from bot.search.embedders import Embedder

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    key TEXT PRIMARY KEY,          -- sha256 of model name and text
    model TEXT NOT NULL,
    dimension INTEGER NOT NULL,
    vector BLOB NOT NULL,          -- float32, little-endian
    created_at TEXT NOT NULL
)
"""
_BATCH = 64  # texts per encode call: bounds memory and lets a progress bar move


def content_key(model: str, text: str) -> str:
    """The cache key of a text for a model: sha256 of both."""
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class EmbeddingResult:
    """Vectors for a list of texts; `embedded` passages were computed, `cached` ones were read."""

    vectors: np.ndarray
    embedded: int
    cached: int


class EmbeddingCache:
    """A SQLite file of vectors; plain sqlite3, so call it from worker threads, not the loop."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per call: sqlite3 connections must not cross threads.
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            yield db

    def get(self, model: str, dimension: int, keys: list[str]) -> dict[str, np.ndarray]:
        """The cached vectors among `keys` for this model and dimension."""
        found: dict[str, np.ndarray] = {}
        with self._connect() as db:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT key, vector FROM embeddings WHERE model = ? AND dimension = ? "
                    f"AND key IN ({marks})",
                    (model, dimension, *chunk),
                )
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype="<f4")
                    if vector.shape == (dimension,):
                        found[key] = vector
        return found

    def put(self, model: str, keys: list[str], vectors: np.ndarray) -> None:
        """Store vectors under their keys (replacing any older entry)."""
        now = utc_now().isoformat()
        rows = [
            (key, model, int(vector.shape[0]), vector.astype("<f4").tobytes(), now)
            for key, vector in zip(keys, vectors, strict=True)
        ]
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (key, model, dimension, vector, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def count(self, model: str | None = None) -> int:
        """How many vectors are stored (for one model, or in all)."""
        with self._connect() as db:
            if model is None:
                row = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()
            else:
                row = db.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?", (model,))
                row = row.fetchone()
        return int(row[0])

    def embed_passages(
        self,
        embedder: Embedder,
        texts: list[str],
        on_progress: Callable[[int], None] | None = None,
    ) -> EmbeddingResult:
        """Vectors for passage texts, embedding only those the cache does not have."""
        keys = [content_key(embedder.name, text) for text in texts]
        known = self.get(embedder.name, embedder.dimension, list(dict.fromkeys(keys)))
        if on_progress and known:
            on_progress(sum(1 for key in keys if key in known))
        missing = [i for i, key in enumerate(keys) if key not in known]
        # Identical texts (same key) are embedded once.
        todo = list(dict.fromkeys(keys[i] for i in missing))
        text_of = {keys[i]: texts[i] for i in missing}
        for start in range(0, len(todo), _BATCH):
            batch = todo[start : start + _BATCH]
            vectors = embedder.encode_passages([text_of[key] for key in batch])
            self.put(embedder.name, batch, vectors)
            known.update(zip(batch, vectors, strict=True))
            if on_progress:
                done = set(batch)
                on_progress(sum(1 for i in missing if keys[i] in done))
        matrix = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            matrix[row] = known[key]
        return EmbeddingResult(matrix, embedded=len(missing), cached=len(texts) - len(missing))
