"""Exact inner-product vector indexes (FAISS and NumPy) and the manifest saved with them."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class VectorIndex(ABC):
    """Vectors under int64 ids; `search` returns inner products (cosine for unit vectors)."""

    backend: ClassVar[str]
    filename: ClassVar[str]

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension

    @abstractmethod
    def add(self, ids: np.ndarray | list[int], vectors: np.ndarray) -> None:
        """Add vectors (rows) under these ids."""

    @abstractmethod
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row, best first; missing slots have id -1."""

    @abstractmethod
    def __len__(self) -> int:
        """How many vectors the index holds."""

    @abstractmethod
    def _write(self, path: Path) -> None: ...

    @classmethod
    @abstractmethod
    def _read(cls, path: Path, dimension: int) -> VectorIndex: ...

    def save(self, directory: Path) -> Path:
        """Write the index into `directory` (atomically); return the file written."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / self.filename
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._write(tmp)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, directory: Path, dimension: int) -> VectorIndex:
        """Read an index saved by `save`; raises OSError/ValueError when absent or corrupt."""
        index = cls._read(directory / cls.filename, dimension)
        if index.dimension != dimension:
            raise ValueError(f"index has dimension {index.dimension}, expected {dimension}")
        return index

    @staticmethod
    def _checked(ids: np.ndarray | list[int], vectors: np.ndarray, dimension: int) -> Any:
        id_array = np.asarray(ids, dtype=np.int64).reshape(-1)
        matrix = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dimension)
        if len(id_array) != len(matrix):
            raise ValueError(f"{len(id_array)} ids for {len(matrix)} vectors")
        return id_array, matrix


class NumpyIndex(VectorIndex):
    """A brute-force matrix product; no dependency beyond NumPy."""

    backend = "numpy"
    filename = "vectors.npz"

    def __init__(self, dimension: int) -> None:
        super().__init__(dimension)
        self.ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, dimension), dtype=np.float32)

    def add(self, ids: np.ndarray | list[int], vectors: np.ndarray) -> None:
        """Append the vectors under these ids."""
        id_array, matrix = self._checked(ids, vectors, self.dimension)
        self.ids = np.concatenate([self.ids, id_array])
        self.vectors = np.vstack([self.vectors, matrix])

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k by inner product."""
        matrix = np.asarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        scores = np.full((len(matrix), k), -np.inf, dtype=np.float32)
        ids = np.full((len(matrix), k), -1, dtype=np.int64)
        found = min(k, len(self.ids))
        if found:
            products = matrix @ self.vectors.T
            # Stable sort on the negated scores: ties keep insertion order, as FAISS does.
            order = np.argsort(-products, axis=1, kind="stable")[:, :found]
            scores[:, :found] = np.take_along_axis(products, order, axis=1)
            ids[:, :found] = self.ids[order]
        return scores, ids

    def __len__(self) -> int:
        return len(self.ids)

    def _write(self, path: Path) -> None:
        with path.open("wb") as file:
            np.savez(file, ids=self.ids, vectors=self.vectors)

    @classmethod
    def _read(cls, path: Path, dimension: int) -> NumpyIndex:
        with np.load(path, allow_pickle=False) as data:
            vectors = np.asarray(data["vectors"], dtype=np.float32)
            ids = np.asarray(data["ids"], dtype=np.int64)
        index = cls(int(vectors.shape[1]) if vectors.ndim == 2 else dimension)
        index.add(ids, vectors)
        return index


class FaissIndex(VectorIndex):
    """FAISS `IndexIDMap(IndexFlatIP)`: exact, no training, deterministic."""

    backend = "faiss"
    filename = "vectors.faiss"

    def __init__(self, dimension: int, index: Any = None) -> None:
        super().__init__(dimension)
        try:
            import faiss
        except ImportError as exc:  # pragma: no cover - a broken install
            raise ImportError("install faiss-cpu to use the faiss index backend") from exc
        self._faiss = faiss
        self.index = index if index is not None else faiss.IndexIDMap(faiss.IndexFlatIP(dimension))

    def add(self, ids: np.ndarray | list[int], vectors: np.ndarray) -> None:
        """Add the vectors under these ids."""
        id_array, matrix = self._checked(ids, vectors, self.dimension)
        if len(id_array):
            self.index.add_with_ids(matrix, id_array)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k by inner product."""
        matrix = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        scores, ids = self.index.search(matrix, k)
        return scores.astype(np.float32), ids.astype(np.int64)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def _write(self, path: Path) -> None:
        self._faiss.write_index(self.index, str(path))

    @classmethod
    def _read(cls, path: Path, dimension: int) -> FaissIndex:
        import faiss

        if not path.is_file():
            raise FileNotFoundError(path)
        try:
            raw = faiss.read_index(str(path))
        except RuntimeError as exc:  # FAISS reports unreadable files as RuntimeError
            raise ValueError(f"unreadable FAISS index {path}: {exc}") from exc
        return cls(int(raw.d), raw)


BACKENDS: dict[str, type[VectorIndex]] = {"faiss": FaissIndex, "numpy": NumpyIndex}


def create_index(dimension: int, backend: str = "faiss") -> VectorIndex:
    """An empty index of this backend (`faiss` or `numpy`)."""
    try:
        return BACKENDS[backend](dimension)
    except KeyError:
        raise ValueError(
            f"unknown vector index backend {backend!r} ({', '.join(BACKENDS)})"
        ) from None


@dataclass(frozen=True, slots=True)
class IndexManifest:
    """What a saved index was built from; any difference means it must be rebuilt."""

    model: str
    dimension: int
    corpus_hash: str
    passages: int
    vectors: int = 0  # may exceed `passages`: a passage can have several vectors (same id)
    backend: str = "faiss"
    built_at: str = ""  # ISO 8601, timezone-aware UTC
    file_sha256: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT_VERSION

    def matches(self, other: IndexManifest) -> bool:
        """Whether an index built for `other` can serve for this one."""
        return (
            self.format,
            self.model,
            self.dimension,
            self.corpus_hash,
            self.passages,
            self.vectors,
            self.backend,
            self.settings,
        ) == (
            other.format,
            other.model,
            other.dimension,
            other.corpus_hash,
            other.passages,
            other.vectors,
            other.backend,
            other.settings,
        )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_index(directory: Path, index: VectorIndex, manifest: IndexManifest) -> None:
    """Write the index, then its manifest (with the file's checksum) last."""
    path = index.save(directory)
    data = asdict(manifest) | {"file_sha256": _sha256(path), "backend": index.backend}
    tmp = directory / f".{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)


def read_manifest(directory: Path) -> IndexManifest | None:
    """The saved manifest, or None when it is missing or unreadable."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        return IndexManifest(**data)
    except (OSError, ValueError, TypeError) as exc:
        log.debug("No usable index manifest in %s: %s", directory, exc)
        return None


def load_index(directory: Path, expected: IndexManifest) -> VectorIndex | None:
    """The saved index if its manifest and file match `expected`; None means rebuild."""
    manifest = read_manifest(directory)
    if manifest is None or not manifest.matches(expected):
        return None
    cls = BACKENDS[manifest.backend]
    path = directory / cls.filename
    try:
        if _sha256(path) != manifest.file_sha256:
            log.warning("Saved index %s does not match its manifest: rebuilding", path)
            return None
        index = cls.load(directory, manifest.dimension)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("Saved index %s is unreadable (%s): rebuilding", path, exc)
        return None
    if len(index) != (manifest.vectors or manifest.passages):
        return None
    return index
