"""Embeddings cached in SQLite by a hash of model and text: a passage is embedded once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.search.embedders import Embedder
from bot.storage.embeddings import EmbeddingStore

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


class EmbeddingCache(EmbeddingStore):
    """The vector file, and passages embedded only when it lacks them (call from threads)."""

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
