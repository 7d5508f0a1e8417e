"""Settings: the contract's variables, parsed the way operators write them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.app.settings import Settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", frozenset()),
        ("1,2, 3", frozenset({1, 2, 3})),
        ("[4, 5]", frozenset({4, 5})),
        ("7", {7}),
    ],
)
def test_admin_ids_accept_commas_and_json(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: frozenset[int]
) -> None:
    monkeypatch.setenv("ADMIN_IDS", raw)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.admin_ids == expected
    assert settings.is_admin(next(iter(expected))) if expected else not settings.is_admin(1)


def test_token_is_secret_and_never_printed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:SECRET-TOKEN")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.token == "123:SECRET-TOKEN"
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("settings: %s %r", settings, settings)
    assert "SECRET-TOKEN" not in caplog.text
    assert "SECRET-TOKEN" not in repr(settings)


def test_defaults_match_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KNOWLEDGE_DIR", "DATA_DIR", "EMBEDDING_MODEL", "EVENT_TIMEZONE", "ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.knowledge_dir == Path("knowledge")
    assert settings.data_dir == Path("data")
    assert settings.token is None or isinstance(settings.token, str)
    assert str(settings.zone()) == "Africa/Casablanca"
    assert str(settings.zone("Europe/Berlin")) == "Europe/Berlin"


def test_event_timezone_setting_wins_and_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_TIMEZONE", "Europe/Paris")
    assert str(Settings(_env_file=None).zone("Africa/Casablanca")) == "Europe/Paris"  # type: ignore[call-arg]
    monkeypatch.setenv("EVENT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_env_example_documents_every_setting() -> None:
    example = (Path(__file__).parents[1] / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert name.upper() in example, f"{name.upper()} missing from .env.example"
