"""Settings read from the environment or `.env` (pydantic-settings); see `.env.example`."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_TIMEZONE = "Africa/Casablanca"
DEFAULT_MODEL = "e5-small-q4"


class Settings(BaseSettings):
    """Every knob of the assistant; names are part of the outside contract."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    knowledge_dir: Path = Path("knowledge")
    data_dir: Path = Path("data")
    embedding_model: str = DEFAULT_MODEL
    # None: the knowledge's own time zone, else Africa/Casablanca (see `event_zone`).
    event_timezone: str | None = None
    # The moment taken as "now" (ISO 8601 with an offset); the clock runs on from it.
    assistant_now: datetime | None = None

    # Extensions beyond the contract.
    webhook_url: str | None = None
    webhook_port: int = 8443
    # Where the webhook server listens: all interfaces (behind a TLS proxy, in a container).
    webhook_listen: str = "0.0.0.0"  # noqa: S104
    webhook_secret: SecretStr | None = None
    reminder_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Announcements are paced at `broadcast_rate`, within `telegram_rate` less one of margin,
    # and only in what replies leave of it (replies are never held back; bot/ratelimit.py).
    broadcast_rate: float = Field(default=29.0, gt=0, description="announcements per second")
    telegram_rate: float = Field(default=30.0, gt=1, description="messages/s Telegram accepts")
    knowledge_poll_seconds: float = Field(default=2.0, gt=0)
    # A changed folder is reloaded once its scan stayed the same this long (a save, a sync).
    knowledge_settle_seconds: float = Field(default=2.0, ge=0)
    # A session missing from the programme is announced removed only after this long.
    removal_grace_minutes: float = Field(default=10.0, ge=0)
    flood_limit_per_minute: int = Field(default=20, ge=1)
    # Ask the organisers: their group (else every admin's chat) and a per-attendee hourly limit.
    organiser_chat_id: int | None = None
    organiser_questions_per_hour: int = Field(default=3, ge=1)
    # The bot's @username for links printed offline (`qr`); else asked from Telegram (getMe).
    bot_username: str | None = None
    # The schedule grid Mini App's HTTPS URL; unset: the webhook's host + /app (webhook mode).
    webapp_url: str | None = None
    # The chat (group or channel) of the pinned "now and next" message; unset: no live board.
    live_chat_id: int | None = None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: Any) -> Any:
        """Accept `1,2,3`, a JSON list, a single int, or an iterable."""
        if value is None or value == "":
            return frozenset()
        if isinstance(value, int):
            return frozenset({value})
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return frozenset(int(v) for v in json.loads(text))
            return frozenset(
                int(part) for part in text.replace(";", ",").split(",") if part.strip()
            )
        return frozenset(int(v) for v in value)

    @field_validator("event_timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r}") from exc
        return value or None

    @field_validator("assistant_now")
    @classmethod
    def _check_now(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("ASSISTANT_NOW needs a UTC offset, e.g. 2025-07-01T10:45:00+01:00")
        return value

    @property
    def database_path(self) -> Path:
        """The SQLite database of users, agendas, feedback and the broadcast queue."""
        return self.data_dir / "assistant.sqlite3"

    @property
    def index_dir(self) -> Path:
        """Where the saved vector index and its manifest live."""
        return self.data_dir / "index"

    @cached_property
    def token(self) -> str | None:
        """The bot token in clear, for the Telegram client only."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    def is_admin(self, user_id: int | None) -> bool:
        """Return whether this Telegram user may run admin commands."""
        return user_id is not None and user_id in self.admin_ids

    def zone(self, knowledge_zone: str | None = None) -> ZoneInfo:
        """The event time zone: the setting, else the knowledge's, else Africa/Casablanca."""
        return ZoneInfo(self.event_timezone or knowledge_zone or DEFAULT_TIMEZONE)
