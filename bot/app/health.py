"""A heartbeat file the running bot touches, read by the container's health check.

The heartbeat also carries how polling goes (`PollingMonitor.status`): when getUpdates last
advanced and how many errors the bot met lately. The bot is unhealthy when the heartbeat is
stale, when polling has not advanced for `POLL_STALE_SECONDS`, or when errors loop.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

HEARTBEAT_FILE = "heartbeat"
STALE_AFTER_SECONDS = 180.0
POLL_STALE_SECONDS = 180.0  # long polls end every few seconds: minutes without one is a jam
ERROR_LOOP = 100  # errors within the monitor's window (five minutes) that mean a loop


def heartbeat_path(data_dir: Path) -> Path:
    """Where the heartbeat lives."""
    return data_dir / HEARTBEAT_FILE


def touch_heartbeat(data_dir: Path, status: dict[str, Any] | None = None) -> None:
    """Record that the bot is alive now, with how polling goes."""
    path = heartbeat_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"at": time.time(), **(status or {})}) + "\n", encoding="utf-8")


def heartbeat_age(data_dir: Path) -> float | None:
    """Seconds since the last heartbeat, or None if the bot never wrote one."""
    path = heartbeat_path(data_dir)
    try:
        return max(0.0, time.time() - path.stat().st_mtime)
    except FileNotFoundError:
        return None


def heartbeat_status(data_dir: Path) -> dict[str, Any]:
    """What the last heartbeat recorded ({} for none, or an older plain timestamp)."""
    try:
        value = json.loads(heartbeat_path(data_dir).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def problems(data_dir: Path, stale_after: float = STALE_AFTER_SECONDS) -> list[str]:
    """Why the bot is unhealthy (empty when it is healthy)."""
    age = heartbeat_age(data_dir)
    if age is None:
        return ["no heartbeat yet"]
    found = [] if age <= stale_after else [f"last heartbeat {age:.0f} s ago"]
    status = heartbeat_status(data_dir)
    polled_at = status.get("polled_at")
    if isinstance(polled_at, int | float) and time.time() - polled_at > POLL_STALE_SECONDS:
        found.append(f"polling has not advanced for {time.time() - polled_at:.0f} s")
    errors = status.get("errors")
    if isinstance(errors, int) and errors >= ERROR_LOOP:
        found.append(f"{errors} errors in the last minutes")
    return found


def is_healthy(data_dir: Path, stale_after: float = STALE_AFTER_SECONDS) -> bool:
    """Whether the bot wrote a heartbeat recently enough, polls, and is not looping on errors."""
    return not problems(data_dir, stale_after)
