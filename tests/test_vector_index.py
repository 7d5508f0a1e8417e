"""Both vector index backends honour one contract; saved manifests decide reuse."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.search.vector_index import (
    MANIFEST,
    FaissIndex,
    IndexManifest,
    NumpyIndex,
    VectorIndex,
    create_index,
    load_index,
    read_manifest,
    save_index,
)


def _unit(rows: int, dimension: int, seed: int = 0) -> np.ndarray:
    matrix = np.random.default_rng(seed).normal(size=(rows, dimension)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@pytest.fixture(params=["faiss", "numpy"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_contract_add_search_save_load(backend: str, tmp_path: Path) -> None:
    vectors = _unit(50, 16)
    index = create_index(16, backend)
    index.add(list(range(100, 150)), vectors)
    assert len(index) == 50

    scores, ids = index.search(vectors[[3, 7]], 5)
    assert scores.shape == ids.shape == (2, 5)
    assert ids[:, 0].tolist() == [103, 107]
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    assert np.all(np.diff(scores, axis=1) <= 1e-6)  # best first
    expected = np.sort(vectors @ vectors[3])[::-1][:5]
    assert np.allclose(scores[0], expected, atol=1e-5)

    index.save(tmp_path)
    loaded = type(index).load(tmp_path, 16)
    assert len(loaded) == 50
    again_scores, again_ids = loaded.search(vectors[[3, 7]], 5)
    assert again_ids.tolist() == ids.tolist()
    assert np.allclose(again_scores, scores, atol=1e-6)


def test_contract_k_larger_than_index(backend: str) -> None:
    index = create_index(8, backend)
    index.add([1, 2], _unit(2, 8))
    _, ids = index.search(_unit(1, 8, seed=1), 4)
    assert ids[0, :2].tolist() in ([1, 2], [2, 1])
    assert ids[0, 2:].tolist() == [-1, -1]


def test_contract_empty_index(backend: str) -> None:
    _, ids = create_index(8, backend).search(_unit(1, 8), 3)
    assert ids.tolist() == [[-1, -1, -1]]


def test_backends_agree() -> None:
    vectors, queries = _unit(200, 32), _unit(5, 32, seed=3)
    results = []
    for cls in (FaissIndex, NumpyIndex):
        index: VectorIndex = cls(32)
        index.add(np.arange(200), vectors)
        results.append(index.search(queries, 10))
    assert results[0][1].tolist() == results[1][1].tolist()
    assert np.allclose(results[0][0], results[1][0], atol=1e-5)


def test_mismatched_ids_and_vectors_are_refused(backend: str) -> None:
    with pytest.raises(ValueError, match="ids"):
        create_index(4, backend).add([1, 2, 3], _unit(2, 4))


def test_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown vector index backend"):
        create_index(4, "annoy")


def _manifest(**changes: Any) -> IndexManifest:
    base = IndexManifest(model="m", dimension=8, corpus_hash="abc", passages=3)
    return replace(base, **changes)


def test_saved_index_is_reused_only_when_the_manifest_matches(tmp_path: Path) -> None:
    index = create_index(8)
    index.add([0, 1, 2], _unit(3, 8))
    save_index(tmp_path, index, _manifest(built_at="2025-07-01T00:00:00+00:00"))
    manifest = read_manifest(tmp_path)
    assert manifest is not None
    assert manifest.file_sha256
    assert manifest.backend == "faiss"

    loaded = load_index(tmp_path, _manifest())
    assert loaded is not None
    assert len(loaded) == 3
    assert load_index(tmp_path, _manifest(model="other")) is None
    assert load_index(tmp_path, _manifest(corpus_hash="changed")) is None
    assert load_index(tmp_path, _manifest(dimension=16)) is None


def test_corrupt_or_missing_files_mean_rebuild(tmp_path: Path) -> None:
    index = create_index(8)
    index.add([0, 1, 2], _unit(3, 8))
    save_index(tmp_path, index, _manifest())
    (tmp_path / FaissIndex.filename).write_bytes(b"not a faiss index")
    assert load_index(tmp_path, _manifest()) is None

    (tmp_path / MANIFEST).write_text("{broken json", encoding="utf-8")
    assert read_manifest(tmp_path) is None
    assert load_index(tmp_path, _manifest()) is None

    (tmp_path / MANIFEST).unlink()
    assert load_index(tmp_path, _manifest()) is None
    assert load_index(tmp_path / "nowhere", _manifest()) is None


def test_index_with_other_vector_count_than_its_manifest_is_not_used(tmp_path: Path) -> None:
    index = create_index(8)
    index.add([0, 0, 1], _unit(3, 8))  # a passage may own several vectors
    save_index(tmp_path, index, _manifest(passages=2, vectors=4))
    assert load_index(tmp_path, _manifest(passages=2, vectors=4)) is None
    save_index(tmp_path, index, _manifest(passages=2, vectors=3))
    loaded = load_index(tmp_path, _manifest(passages=2, vectors=3))
    assert loaded is not None
    assert loaded.search(_unit(1, 8), 3)[1].shape == (1, 3)
