"""A reload in stages: small changes go live first, a big embedding job never holds them back.

`plan_reload` counts, per knowledge file, the texts the embedding cache does not have yet.
Files are embedded smallest first. When a big job is left (a file with many new texts), the
files already complete are published at once, the big file's previous version serving until
its new passages are all embedded. The big job runs in chunks and gives way as soon as the
folder changes again: the next reload embeds the new small change first, then resumes the big
job where it stopped (its finished chunks are in the cache).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.domain import KnowledgeBase
from bot.search.cache import EmbeddingCache, content_key
from bot.search.calibration import search_texts
from bot.search.embedders import Embedder

BIG_JOB = 48  # texts: a file with more new texts than this is embedded after the others
CHUNK = 16  # texts per embedding step of a big job: how long an urgent edit waits at most


@dataclass(frozen=True, slots=True)
class ReloadPlan:
    """The texts each file still needs embedded, in the order they will be embedded."""

    missing: dict[str, list[str]]  # file -> texts not in the cache, files smallest first

    @property
    def total(self) -> int:
        """How many texts are left to embed."""
        return sum(len(texts) for texts in self.missing.values())

    @property
    def big_files(self) -> list[str]:
        """Files whose job is big enough to be published after the others."""
        return [path for path, texts in self.missing.items() if len(texts) > BIG_JOB]

    @property
    def small_texts(self) -> list[str]:
        """The texts of every file that is not a big job."""
        big = set(self.big_files)
        return [text for path, texts in self.missing.items() if path not in big for text in texts]


def _file_of(source: str) -> str:
    """The knowledge file of a passage source (`file#session` for a session)."""
    return source.split("#", 1)[0]


def plan_reload(cache: EmbeddingCache, embedder: Embedder, knowledge: KnowledgeBase) -> ReloadPlan:
    """What each file of this knowledge still needs embedded, smallest job first."""
    ids, texts = search_texts(knowledge.passages, knowledge.sessions)
    keys = [content_key(embedder.name, text) for text in texts]
    known = cache.get(embedder.name, embedder.dimension, list(dict.fromkeys(keys)))
    missing: dict[str, list[str]] = {}
    queued: set[str] = set()
    for vector_id, text, key in zip(ids, texts, keys, strict=True):
        if key in known or key in queued:
            continue
        queued.add(key)
        path = _file_of(knowledge.passages[vector_id].source)
        missing.setdefault(path, []).append(text)
    ordered = sorted(missing.items(), key=lambda item: (len(item[1]), item[0]))
    return ReloadPlan(dict(ordered))


def embed_in_chunks(
    cache: EmbeddingCache,
    embedder: Embedder,
    texts: list[str],
    give_way: Callable[[], bool],
    on_progress: Callable[[int], None] | None = None,
) -> bool:
    """Embed texts into the cache chunk by chunk; stop early (False) when `give_way()` says so."""
    for start in range(0, len(texts), CHUNK):
        if give_way():
            return False
        chunk = texts[start : start + CHUNK]
        cache.embed_passages(embedder, chunk)
        if on_progress is not None:
            on_progress(len(chunk))
    return True


def pending_scan(
    scan: Mapping[str, tuple[int, int]], pending: list[str]
) -> dict[str, tuple[int, int]]:
    """The scan to record for a partial snapshot: pending files look changed, so the watcher
    comes back for them."""
    return {path: ((-1, -1) if path in pending else stamp) for path, stamp in scan.items()}
