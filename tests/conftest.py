"""Shared fixtures: settings on temporary folders, with the fast deterministic embedder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.app.settings import Settings
from tests.fake_botapi import FakeBotApi

# Commands the tests start (`python -m bot ...`) run this checkout's code, wherever they run
# from and whichever copy the environment has installed.
_CHECKOUT = str(Path(__file__).resolve().parents[1])
os.environ["PYTHONPATH"] = os.pathsep.join(
    part for part in (_CHECKOUT, os.environ.get("PYTHONPATH", "")) if part
)


def _settings(tmp_path: Path, model: str = "test-hashing") -> Settings:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir(exist_ok=True)
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        knowledge_dir=knowledge,
        data_dir=tmp_path / "data",
        embedding_model=model,
    )


@pytest.fixture
def settings_for(tmp_path: Path) -> Callable[..., Settings]:
    """Build settings on `tmp_path/knowledge` and `tmp_path/data` for a model (no `.env`)."""
    return lambda model="test-hashing": _settings(tmp_path, model)


@pytest.fixture
def hashing_settings(tmp_path: Path) -> Settings:
    """Settings with an empty knowledge folder and the `test-hashing` embedder."""
    return _settings(tmp_path)


@pytest.fixture
def fake_botapi() -> Iterator[FakeBotApi]:
    """A loopback Telegram Bot API server on 127.0.0.1, stopped after the test."""
    with FakeBotApi() as api:
        yield api
