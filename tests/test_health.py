"""The container health check reads the heartbeat the running bot writes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.app.health import heartbeat_path, is_healthy, touch_heartbeat


def test_no_heartbeat_is_unhealthy(tmp_path: Path) -> None:
    assert not is_healthy(tmp_path)


def test_fresh_heartbeat_is_healthy_and_stale_one_is_not(tmp_path: Path) -> None:
    touch_heartbeat(tmp_path)
    assert is_healthy(tmp_path)
    old = time.time() - 3600
    os.utime(heartbeat_path(tmp_path), (old, old))
    assert not is_healthy(tmp_path)


def test_health_command_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["health"]) == 1
    touch_heartbeat(tmp_path)
    assert main(["health"]) == 0
