"""A loopback Telegram Bot API server for end-to-end tests and benchmarks.

`FakeBotApi` serves `/bot<token>/<method>` on 127.0.0.1 from its own thread, so the real
python-telegram-bot client talks to it over HTTP whatever the test's event loop is doing:

    with FakeBotApi() as api:
        app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
               .base_file_url(api.base_file_url).build())
        async with polling(app):
            api.send_text(42, "hello")
            [reply] = await api.wait_for_messages(42, 1)
        api.assert_no_bad_requests()

- users' side (`users.py`): `add_user`, `send_text`, `send_command`, `send_sticker`,
  `send_photo`, `send_voice`, `send_dice`, `send_poll`, `send_unparseable_poll`, `send_edited`,
  `press_button`, `inline_query`, `inject`;
- bot's side (`methods.py`): the methods served, refused as Telegram refuses (`rules.py`),
  and faults: `block`, `fail_next`, `fail_share` (a random share of 5xx), `delay`, `migrate`,
  `rate_limit_per_second` (429); `polls` counts getUpdates;
- records (`state.py`): `calls`, `messages_to`, `delivered`, `bad_requests`, `wait_for...`.

Standalone: `python -m tests.fake_botapi --port 8081`.
"""

from tests.fake_botapi.rules import ApiError, parse_html
from tests.fake_botapi.server import DEFAULT_TOKEN, FakeBotApi, parse_body, polling
from tests.fake_botapi.state import BotMessage, Call, UploadedFile, text_entities

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotMessage",
    "Call",
    "FakeBotApi",
    "UploadedFile",
    "parse_body",
    "parse_html",
    "polling",
    "text_entities",
]
