"""Embedders (fake and real) and the embedding cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.app.settings import DEFAULT_MODEL
from bot.search.cache import EmbeddingCache, content_key
from bot.search.embedders import (
    CombinedEmbedder,
    Embedder,
    EmbeddingModelError,
    HashingEmbedder,
    load_embedder,
)


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting the passages it was asked to encode."""

    def __init__(self) -> None:
        super().__init__()
        self.encoded: list[str] = []

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        return super().encode_passages(texts)


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    first, second = HashingEmbedder(), HashingEmbedder()
    texts = ["La santé à Rabat", "Agriculture et IA", ""]
    a, b = first.encode_passages(texts), second.encode_queries(texts)
    assert a.dtype == np.float32
    assert a.shape == (3, first.dimension)
    assert np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a[:2], axis=1), 1.0, atol=1e-5)
    assert not a[2].any()  # an empty text has no n-grams


def test_hashing_embedder_ranks_shared_words_higher() -> None:
    embedder = HashingEmbedder()
    query = embedder.encode_queries(["session santé"])[0]
    passages = embedder.encode_passages(["La session santé et médecine", "Le sport et la culture"])
    assert passages[0] @ query > passages[1] @ query


def test_load_embedder_fake_and_combination() -> None:
    assert isinstance(load_embedder("test-hashing"), HashingEmbedder)
    combined = load_embedder("test-hashing+test-hashing")
    assert isinstance(combined, CombinedEmbedder)
    assert combined.dimension == 1024
    vectors = combined.encode_passages(["un texte"])
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)


def test_unloadable_model_gives_an_actionable_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="EMBEDDING_MODEL") as info:
        load_embedder(str(tmp_path / "no" / "such" / "model"))
    assert "e5-small-q4" in str(info.value)


def test_cache_embeds_each_text_once(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite3")
    embedder = CountingEmbedder()
    texts = ["alpha beta", "gamma delta", "alpha beta"]
    first = cache.embed_passages(embedder, texts)
    assert (first.embedded, first.cached) == (3, 0)
    assert embedder.encoded == ["alpha beta", "gamma delta"]  # a repeated text is encoded once

    embedder.encoded.clear()
    second = cache.embed_passages(embedder, ["gamma delta", "alpha beta", "new text"])
    assert (second.embedded, second.cached) == (1, 2)
    assert embedder.encoded == ["new text"]
    assert np.array_equal(second.vectors[0], first.vectors[1])
    assert cache.count(embedder.name) == 3


def test_cache_keys_depend_on_model_and_text(tmp_path: Path) -> None:
    assert content_key("a", "text") != content_key("b", "text")
    assert content_key("a", "text") != content_key("a", "text ")
    cache = EmbeddingCache(tmp_path / "cache.sqlite3")
    cache.put("model-a", [content_key("model-a", "x")], np.ones((1, 4), dtype=np.float32))
    assert cache.get("model-b", 4, [content_key("model-a", "x")]) == {}
    assert cache.get("model-a", 8, [content_key("model-a", "x")]) == {}  # other dimension


@pytest.fixture(scope="module")
def real_embedder() -> Embedder:
    return load_embedder(DEFAULT_MODEL)


@pytest.mark.real_model
def test_default_model_runs_its_engine_directly(real_embedder: Embedder) -> None:
    from bot.search.bundled_models import E5Embedder

    assert isinstance(real_embedder, E5Embedder)  # not through sentence-transformers
    queries = real_embedder.encode_queries(["Où se tiennent les Assises ?", "متى تنعقد المناظرة؟"])
    assert queries.shape == (2, real_embedder.dimension)
    assert queries.dtype == np.float32
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-4)


@pytest.mark.real_model
def test_default_model_is_multilingual(real_embedder: Embedder) -> None:
    passages = real_embedder.encode_passages(
        [
            "Les Assises se tiennent à Rabat, la capitale du Maroc.",
            "La recette du tajine demande des citrons confits.",
        ]
    )
    for question in ("Where is the conference held?", "أين تنعقد المناظرة؟"):
        scores = passages @ real_embedder.encode_queries([question])[0]
        assert scores[0] > scores[1]


@pytest.mark.real_model
def test_default_model_does_not_import_torch() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from bot.app.settings import DEFAULT_MODEL; "
        "from bot.search.embedders import load_embedder; "
        "load_embedder(DEFAULT_MODEL).encode_queries(['Où est la salle 2 ?']); "
        "print(sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.strip() == "[]"
