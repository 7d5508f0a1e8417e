"""The container health check reads the heartbeat the running bot writes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.app.health import ERROR_LOOP, heartbeat_path, is_healthy, problems, touch_heartbeat
from bot.telegram.polling import PollingMonitor, screened

CHAT = {"id": 1, "type": "private"}


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


def test_polling_that_has_not_advanced_or_errors_that_loop_are_unhealthy(tmp_path: Path) -> None:
    touch_heartbeat(tmp_path, {"polled_at": time.time() - 5, "errors": 0})
    assert is_healthy(tmp_path)
    touch_heartbeat(tmp_path, {"polled_at": time.time() - 3600, "errors": 0})
    assert "polling has not advanced" in problems(tmp_path)[0]
    touch_heartbeat(tmp_path, {"polled_at": time.time(), "errors": ERROR_LOOP})
    assert not is_healthy(tmp_path)
    touch_heartbeat(tmp_path, {"polled_at": None, "errors": 0})  # webhook mode: no polling
    assert is_healthy(tmp_path)


def test_the_monitor_counts_a_batch_fetched_again_as_an_error_not_progress() -> None:
    now = [1000.0]
    monitor = PollingMonitor(clock=lambda: now[0])
    monitor.polled([5, 6])
    assert monitor.status() == {"polled_at": 1000.0, "errors": 0}
    now[0] = 1010.0
    monitor.polled([5, 6])  # the offset did not move
    assert monitor.status() == {"polled_at": 1000.0, "errors": 1}
    monitor.polled([])
    assert monitor.status()["polled_at"] == 1010.0


def test_screening_replaces_an_unparseable_update_by_its_bare_id() -> None:
    good = {"update_id": 7, "message": {"message_id": 1, "date": 0, "chat": CHAT, "text": "hi"}}
    bad = {"update_id": 8, "message": {"message_id": 2, "date": 0, "chat": CHAT, "poll": {}}}
    monitor = PollingMonitor()
    assert screened([good, bad], monitor) == [good, {"update_id": 8}]
    assert monitor.dropped == 1
