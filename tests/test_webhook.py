"""The webhook mode served for real: `python -m bot run` listening on 127.0.0.1.

The bot runs in its own process (as in production), talks to the loopback Bot API, and is sent
updates over HTTP the way Telegram posts them, with and without the secret token.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.bot_process import bot_process
from tests.fake_botapi import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

SECRET = "hook-s3cret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    """A port nobody listens on now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def help_update(update_id: int, user_id: int) -> dict[str, Any]:
    """A private `/help` message, as Telegram posts it to a webhook."""
    user = {"id": user_id, "is_bot": False, "first_name": "Hook", "language_code": "en"}
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Hook"},
        "from": user,
        "text": "/help",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
    }
    return {"update_id": update_id, "message": message}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[FakeBotApi, str]]:
    """The bot in webhook mode (its own process) and the URL it listens on."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    with FakeBotApi() as api:
        settings = {"WEBHOOK_URL": url, "WEBHOOK_PORT": str(port), "WEBHOOK_SECRET": SECRET}
        with bot_process(tmp_path, api, WEBHOOK_LISTEN="127.0.0.1", **settings) as process:
            api.wait_for_sync(lambda: api.webhook_url == url, 60, "setWebhook")
            deadline = time.monotonic() + 20
            while True:  # setWebhook comes just before the server listens
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.05)
            yield api, url


def test_an_update_with_the_secret_is_answered_others_are_refused(
    served: tuple[FakeBotApi, str],
) -> None:
    api, url = served
    honest, forger, careless = 7001, 7002, 7003
    for user in (honest, forger, careless):
        api.add_user(user, language_code="en")
    with httpx.Client(timeout=10) as client:
        wrong = client.post(url, json=help_update(1, forger), headers={HEADER: "guess"})
        missing = client.post(url, json=help_update(2, careless))
        right = client.post(url, json=help_update(3, honest), headers={HEADER: SECRET})
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert right.status_code == 200
    api.wait_for_sync(lambda: api.messages_to(honest), 30, "the answer to /help")
    assert "/programme" in api.messages_to(honest)[0].text
    time.sleep(0.5)  # a refused update, had it been handled, would have been answered by now
    assert api.messages_to(forger) == []
    assert api.messages_to(careless) == []
    assert {call.chat_id for call in api.calls_to("sendMessage")} == {honest}


def test_an_update_the_client_cannot_parse_is_skipped_not_refused(
    served: tuple[FakeBotApi, str],
) -> None:
    api, url = served
    user = 7004
    api.add_user(user, language_code="en")
    broken = help_update(10, user)
    broken["message"].pop("text")
    broken["message"].pop("entities")
    broken["message"]["poll"] = {"id": "p1", "question": "?", "options": []}  # fields missing
    with httpx.Client(timeout=10) as client:
        skipped = client.post(url, json=broken, headers={HEADER: SECRET})
        after = client.post(url, json=help_update(11, user), headers={HEADER: SECRET})
    # A 200, not a 4xx: Telegram would otherwise post the same update again and again.
    assert (skipped.status_code, after.status_code) == (200, 200)
    api.wait_for_sync(lambda: api.messages_to(user), 30, "the answer to /help")
    assert "/programme" in api.messages_to(user)[-1].text
