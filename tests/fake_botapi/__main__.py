"""Serve the fake Bot API for manual runs: `python -m tests.fake_botapi --port 8081`.

Point the bot at the printed URL and token, then type `USER_ID text` lines (for example
`42 /start` or `42 Où se tiennent les Assises ?`): each becomes that user's message, and
what the bot sends back is printed. Ctrl-C stops.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading

from tests.fake_botapi.server import DEFAULT_TOKEN, FakeBotApi

SHOWN = {"sendmessage", "editmessagetext", "senddocument", "answercallbackquery"}


def echo_calls(api: FakeBotApi, done: threading.Event) -> None:
    """Print the bot's messages and every refusal as they happen."""
    seen = 0
    while not done.wait(0.1):
        calls = api.calls
        for call in calls[seen:]:
            if call.status == 409:  # a poll the bot abandoned, superseded by its next one
                continue
            if call.status != 200:
                print(f"! {call.status} {call.method} {call.description}", flush=True)
            elif call.method.lower() in SHOWN:
                shown = call.params.get("text") or call.params.get("caption") or ""
                print(f"< {call.chat_id} {call.method}: {shown}", flush=True)
        seen = len(calls)


def main() -> None:
    """Serve until interrupted, turning `USER_ID text` lines into users' messages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--rate-limit", type=int, default=None, help="sends per second, all chats")
    args = parser.parse_args()
    done = threading.Event()
    with FakeBotApi(args.token, port=args.port, rate_limit_per_second=args.rate_limit) as api:
        print(f"TELEGRAM_API_URL={api.base_url} TELEGRAM_BOT_TOKEN={api.token}", flush=True)
        threading.Thread(target=echo_calls, args=(api, done), daemon=True).start()
        with contextlib.suppress(KeyboardInterrupt):
            for line in sys.stdin:
                user, _, text = line.strip().partition(" ")
                if user.lstrip("-").isdigit() and text:
                    api.send_text(int(user), text)
                elif line.strip():
                    print("? type: USER_ID text", flush=True)
            threading.Event().wait()  # stdin closed: keep serving until interrupted
        done.set()


if __name__ == "__main__":
    main()
