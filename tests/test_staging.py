"""Reloads in stages: a small edit goes live while a big file is still being embedded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.app.settings import Settings
from bot.search import staging
from bot.search.assistant import Assistant
from bot.search.embedders import HashingEmbedder


def paragraphs(count: int, word: str) -> str:
    return "\n\n".join(
        f"## Atelier {word} {n}\n\nL'atelier {word} numéro {n} a lieu en salle {n}."
        for n in range(count)
    )


class EditingEmbedder(HashingEmbedder):
    """The hashing embedder; while it embeds the big file, an organiser edits the small one."""

    def __init__(self, small: Path) -> None:
        super().__init__()
        self.small = small
        self.edit_during_big_job = True
        self.passages: list[str] = []

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.passages.extend(texts)
        if self.edit_during_big_job and any("grand" in text for text in texts):
            self.edit_during_big_job = False
            self.small.write_text("## Accès\n\nLa salle change : amphi B.\n", encoding="utf-8")
        return super().encode_passages(texts)


def test_a_small_edit_does_not_wait_for_a_big_job(
    hashing_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staging, "BIG_JOB", 5)
    monkeypatch.setattr(staging, "CHUNK", 2)
    small = hashing_settings.knowledge_dir / "acces.fr.md"
    small.write_text("## Accès\n\nLa session a lieu en amphi A.\n", encoding="utf-8")
    big = hashing_settings.knowledge_dir / "ateliers.fr.md"
    big.write_text(paragraphs(3, "petit"), encoding="utf-8")
    assistant = Assistant.load(hashing_settings)
    embedder = EditingEmbedder(small)
    assistant.embedder = embedder

    big.write_text(paragraphs(20, "grand"), encoding="utf-8")
    first = assistant.reload()
    served = " ".join(p.text for p in assistant.knowledge.passages)
    assert "petit" in served  # the big file's previous version keeps serving
    assert "grand" not in served
    assert not first.changed
    assert assistant.changed_scan() is not None  # the watcher comes back for the rest
    embedded_before_edit = len(embedder.passages)
    assert embedded_before_edit < 20  # the big job gave way

    second = assistant.reload()
    served = " ".join(p.text for p in assistant.knowledge.passages)
    assert "amphi B" in served
    assert "grand" in served
    assert "petit" not in served
    assert second.changed
    assert assistant.changed_scan() is None
    assert len(set(embedder.passages)) == len(embedder.passages)  # nothing embedded twice
