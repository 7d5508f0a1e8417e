"""Text to vectors: the `Embedder` seam, its sentence-transformers and hashing implementations."""

from __future__ import annotations

import logging
import threading
import zlib
from abc import ABC, abstractmethod
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.search.normalise import normalise

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

HASHING_MODEL = "test-hashing"
# The prompt names sentence-transformers looks up for documents, in its own order of preference.
_DOCUMENT_PROMPTS = ("document", "passage", "corpus")


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be loaded; the message says what to do."""


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors; queries and passages are encoded apart."""

    name: str
    dimension: int

    @abstractmethod
    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for questions, shape (len(texts), dimension)."""

    @abstractmethod
    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for passages, shape (len(texts), dimension)."""

    def warm_up(self) -> None:
        """Load now what the first batch would otherwise wait for (nothing by default)."""
        return None


def normalised(vectors: np.ndarray, dimension: int) -> np.ndarray:
    """Rows scaled to unit length, as contiguous float32 of shape (-1, dimension)."""
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, dimension)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.maximum(norms, 1e-12), dtype=np.float32)


class SentenceTransformerEmbedder(Embedder):
    """Any `SentenceTransformer` (hub, path, bundled MiniLM) with its query/document prompts."""

    def __init__(self, name: str, model: SentenceTransformer, batch_size: int = 32) -> None:
        self.name = name
        self.model = model
        self.batch_size = batch_size
        dimension = model.get_embedding_dimension()
        if dimension is None:
            dimension = int(model.encode(["dimension probe"], convert_to_numpy=True).shape[-1])
        self.dimension = int(dimension)
        prompts: dict[str, str | None] = dict(model.prompts or {})
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = next((p for p in _DOCUMENT_PROMPTS if p in prompts), None)
        # One encode at a time: the bundled C/numpy engines are not documented as re-entrant.
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], prompt_name: str | None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                texts,
                prompt_name=prompt_name,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return normalised(vectors, self.dimension)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for questions (with the model's query prompt, if it has one)."""
        return self._encode(texts, self._query_prompt)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for passages (with the model's document prompt, if it has one)."""
        return self._encode(texts, self._passage_prompt)


class CombinedEmbedder(Embedder):
    """Two embedders side by side: concatenated normalised vectors, so cosine averages both."""

    def __init__(self, first: Embedder, second: Embedder) -> None:
        self.parts = (first, second)
        self.name = f"{first.name}+{second.name}"
        self.dimension = first.dimension + second.dimension

    def _join(self, vectors: list[np.ndarray]) -> np.ndarray:
        return normalised(np.hstack(vectors), self.dimension)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Both models' query vectors, concatenated and normalised."""
        return self._join([part.encode_queries(texts) for part in self.parts])

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Both models' passage vectors, concatenated and normalised."""
        return self._join([part.encode_passages(texts) for part in self.parts])

    def warm_up(self) -> None:
        """Warm both models."""
        for part in self.parts:
            part.warm_up()


class HashingEmbedder(Embedder):
    """Deterministic hashed character n-grams, no weights: the fast fake model for tests."""

    def __init__(self, dimension: int = 512, ngrams: tuple[int, ...] = (3, 4, 5)) -> None:
        self.name = HASHING_MODEL
        self.dimension = dimension
        self.ngrams = ngrams

    def _features(self, text: str) -> Counter[str]:
        grams: Counter[str] = Counter()
        for word in normalise(text).split():
            padded = f"<{word}>"
            grams[padded] += 1
            for n in self.ngrams:
                grams.update(padded[i : i + n] for i in range(max(len(padded) - n + 1, 0)))
        return grams

    def _encode(self, texts: list[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram, count in self._features(text).items():
                code = zlib.crc32(gram.encode("utf-8"))
                sign = 1.0 if code & 0x80000000 else -1.0
                matrix[row, code % self.dimension] += sign * count
        return normalised(matrix, self.dimension)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Hashed n-gram vectors of the questions."""
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Hashed n-gram vectors of the passages."""
        return self._encode(texts)


def _sentence_transformer(name_or_path: str) -> SentenceTransformer:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EmbeddingModelError(
            "sentence-transformers is not installed: run `make venv` (or "
            "`pip install sentence-transformers`)."
        ) from exc
    try:
        return SentenceTransformer(name_or_path, device="cpu")
    except Exception as exc:
        from bot.search.bundled_models import BUNDLED_MODELS

        raise EmbeddingModelError(
            f"EMBEDDING_MODEL={name_or_path!r} could not be loaded ({type(exc).__name__}: {exc}). "
            "Set EMBEDDING_MODEL to a bundled model "
            f"({', '.join(BUNDLED_MODELS)}), to the path of a local sentence-transformers "
            "model directory, or to a Hugging Face model name on a machine that can reach the hub."
        ) from exc


def load_embedder(name: str) -> Embedder:
    """The embedder for EMBEDDING_MODEL: bundled name, `a+b` combination, hub name or path."""
    name = name.strip()
    if name == HASHING_MODEL:
        return HashingEmbedder()
    if "+" in name and not Path(name).exists():
        first, second = (part.strip() for part in name.split("+", 1))
        return CombinedEmbedder(load_embedder(first), load_embedder(second))
    from bot.search.bundled_models import BUNDLED_MODELS, bundled_embedder

    embedder: Embedder
    if name in BUNDLED_MODELS:
        embedder = bundled_embedder(name)
    else:
        embedder = SentenceTransformerEmbedder(name, _sentence_transformer(name))
    log.info("Embedding model %s loaded", name)
    return embedder
