"""A heartbeat file the running bot touches, read by the container's health check."""

from __future__ import annotations

import time
from pathlib import Path

HEARTBEAT_FILE = "heartbeat"
STALE_AFTER_SECONDS = 180.0


def heartbeat_path(data_dir: Path) -> Path:
    """Where the heartbeat lives."""
    return data_dir / HEARTBEAT_FILE


def touch_heartbeat(data_dir: Path) -> None:
    """Record that the bot is alive now."""
    path = heartbeat_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{time.time():.0f}\n", encoding="ascii")


def heartbeat_age(data_dir: Path) -> float | None:
    """Seconds since the last heartbeat, or None if the bot never wrote one."""
    path = heartbeat_path(data_dir)
    try:
        return max(0.0, time.time() - path.stat().st_mtime)
    except FileNotFoundError:
        return None


def is_healthy(data_dir: Path, stale_after: float = STALE_AFTER_SECONDS) -> bool:
    """Whether the bot wrote a heartbeat recently enough."""
    age = heartbeat_age(data_dir)
    return age is not None and age <= stale_after
