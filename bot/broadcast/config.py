"""What the broadcast side reads of the settings (the app's `Settings` provides it)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo


class BroadcastSettings(Protocol):
    """Rates, admins, reminder lead and the event's time zone."""

    @property
    def admin_ids(self) -> frozenset[int]:
        """Telegram user ids allowed admin commands."""
        ...

    @property
    def broadcast_rate(self) -> float:
        """Announcements per second."""
        ...

    @property
    def telegram_rate(self) -> float:
        """Messages per second Telegram accepts from one bot."""
        ...

    @property
    def database_path(self) -> Path:
        """The SQLite database."""
        ...

    @property
    def reminder_minutes(self) -> int:
        """How long before a session its reminder goes out."""
        ...

    @property
    def removal_grace_minutes(self) -> float:
        """How long a session must be missing before its removal is told and acted on."""
        ...

    def zone(self, knowledge_zone: str | None = None) -> ZoneInfo:
        """The event's time zone."""
        ...
