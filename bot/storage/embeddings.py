"""The SQL of the embedding cache: a SQLite file of vectors keyed by a hash of model and text.

Plain sqlite3 on its own file (not the bot's database): the embedding runs in worker threads,
and each call opens its own connection, since sqlite3 connections must not cross threads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np

from bot.clock import utc_now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    key TEXT PRIMARY KEY,          -- sha256 of model name and text
    model TEXT NOT NULL,
    dimension INTEGER NOT NULL,
    vector BLOB NOT NULL,          -- float32, little-endian
    created_at TEXT NOT NULL
)
"""


class EmbeddingStore:
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
