"""Announcements: a durable SQLite queue and a rate-limited sender (placeholder being written)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telegram import Bot

    from bot.settings import Settings
    from bot.storage import Store


class BroadcastWorker:
    """Deliver queued announcements to every subscriber, under Telegram's rate limits."""

    def __init__(self, bot: Bot, store: Store, settings: Settings) -> None:
        self.bot = bot
        self.store = store
        self.settings = settings

    async def start(self) -> None:
        """Start delivering in the background."""

    async def stop(self) -> None:
        """Stop delivering; undelivered rows stay queued."""


async def enqueue_from_cli(
    settings: Settings, text: str, language: str | None = None, vertical: str | None = None
) -> tuple[int, int]:
    """Queue an announcement; return (broadcast id, recipients)."""
    raise NotImplementedError
