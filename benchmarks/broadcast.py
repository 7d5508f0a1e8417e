"""An announcement to thousands of subscribers through a loopback Bot API enforcing 30 messages/s.

Three runs, all against `tests.fake_botapi` with its sliding-window limit (429 past it):

- `queue`: the acceptance case. The bot runs as `python -m bot run` (a separate process), 300
  subscribers of whom 20 blocked it, and `python -m bot broadcast TEXT` queues the announcement.
  Time from launching that command to the last delivery, against the ideal 280 / 30 s.
- `kill`: the same, with the bot killed (SIGKILL) 4 s in and started again: nobody lost, at
  most the sends in flight duplicated.
- `load`: a few thousand subscribers (default 2,000, 5% blocked), the bot in this process, and
  attendees asking questions meanwhile: broadcast time against the ideal, and reply latency.

    python benchmarks/broadcast.py                        # all three
    python benchmarks/broadcast.py --run load --subscribers 5000 --askers 20
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests.fake_botapi` lives beside `bot`, not installed

from pydantic import SecretStr  # noqa: E402

from bot.app.composition import build_application  # noqa: E402
from bot.app.settings import Settings  # noqa: E402
from bot.clock import utc_now  # noqa: E402
from bot.search.assistant import Assistant  # noqa: E402
from bot.storage.store import Store, iso  # noqa: E402
from tests.fake_botapi import FakeBotApi, polling  # noqa: E402

TEXT = "Annonce : la séance plénière est déplacée à 15h en salle B."
QUESTIONS = (
    "Quand ont lieu les Assises nationales de l'IA ?",
    "Where do the Assises take place?",
    "ما هو موضوع المناظرات الوطنية للذكاء الاصطناعي؟",
    "What are the thematic verticals?",
)
FIRST_USER = 100_000


async def add_subscribers(database: Path, users: list[int]) -> None:
    """Subscribers as `/start` leaves them, written straight into the database."""
    store = await Store.open(database)
    now = iso(utc_now())
    async with store.transaction() as db:
        await db.executemany(
            "INSERT INTO users (user_id, chat_id, language, subscribed, first_seen, last_seen)"
            " VALUES (?, ?, 'fr', 1, ?, ?)",
            [(user, user, now, now) for user in users],
        )
    await store.close()


def received(api: FakeBotApi, users: list[int]) -> tuple[int, int, float]:
    """(chats that got the announcement, extra copies, arrival time of the last one)."""
    got = duplicates = 0
    last = 0.0
    for user in users:
        copies = [m for m in api.messages_to(user) if m.text == TEXT]
        got += bool(copies)
        duplicates += max(0, len(copies) - 1)
        last = max([last, *(m.at for m in copies)])
    return got, duplicates, last


async def all_delivered(api: FakeBotApi, users: list[int], seconds: float) -> None:
    """Wait until every chat got a message (cheap: the bot runs in this loop, the server is
    locked while it is read), checking a few times a second."""
    deadline = time.monotonic() + seconds
    while True:
        counts = api.delivered_counts()
        if all(counts[user] for user in users):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{sum(bool(counts[u]) for u in users)}/{len(users)} delivered")
        await asyncio.sleep(0.05)


def world(api: FakeBotApi, count: int, blocked_share: float) -> tuple[list[int], list[int]]:
    users = list(range(FIRST_USER, FIRST_USER + count))
    for user in users:
        api.add_user(user)
    # Spread through the list, as people who blocked the bot are (not all at its end).
    every = max(1, round(1 / blocked_share)) if blocked_share else 0
    blocked = users[::every][: round(count * blocked_share)] if every else []
    for user in blocked:
        api.block(user)
    return users, blocked


def knowledge_dir() -> Path:
    return ROOT / "knowledge"


async def run_queue(
    model: str, subscribers: int, blocked_count: int, rate: int, kill_after: float | None = None
) -> None:
    """The bot as a process, the announcement queued by the command line; maybe a SIGKILL."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp,
        FakeBotApi(rate_limit_per_second=rate) as api,
    ):
        users, blocked = world(api, subscribers, blocked_count / subscribers)
        reachable = [u for u in users if u not in set(blocked)]
        data = Path(tmp) / "data"
        await add_subscribers(data / "assistant.sqlite3", users)
        env = os.environ | {
            "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
            "DATA_DIR": str(data), "KNOWLEDGE_DIR": str(knowledge_dir()),
            "EMBEDDING_MODEL": model, "ADMIN_IDS": "", "PTB_TIMEDELTA": "1",
        }  # fmt: skip
        log = (Path(tmp) / "bot.log").open("wb")
        command = [sys.executable, "-m", "bot", "run"]
        bot = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: ASYNC220
        killed_at = 0
        try:
            await api.wait_for(lambda: api.calls_to("setMyCommands"), 300, "the bot's start-up")
            started = time.monotonic()
            queued = await asyncio.to_thread(
                subprocess.run, [sys.executable, "-m", "bot", "broadcast", TEXT],
                cwd=ROOT, env=env, capture_output=True, check=True,
            )  # fmt: skip
            returned = time.monotonic() - started
            if kill_after is not None:
                await asyncio.sleep(kill_after)
                bot.kill()  # SIGKILL: no clean-up of any kind
                await asyncio.to_thread(bot.wait, 30)
                killed_at = sum(1 for c in api.delivered_counts().values() if c)
                bot = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: ASYNC220
            await all_delivered(api, reachable, 600)
            await asyncio.sleep(1.0)  # room for late duplicates to show
        finally:
            bot.terminate()
            await asyncio.to_thread(bot.wait, 30)
            log.close()
        got, duplicates, last = received(api, reachable)
        tries = [
            c for c in api.calls_to("sendMessage") if c.chat_id in set(blocked) and c.status == 403
        ]
        ideal = len(reachable) / rate
        took = last - started
        title = "queue" if kill_after is None else f"kill: SIGKILL {kill_after:.0f} s in, restart"
        print(f"\n== {title}: `python -m bot broadcast` to a running bot, server at {rate}/s ==")
        if kill_after is not None:
            print(f"  {killed_at} delivered when killed; time below includes the restart")
        print(f"  {queued.stdout.decode().strip()} (command returned in {returned:.2f} s)")
        print(f"  delivered {got}/{len(reachable)}, duplicates {duplicates}, 429s {api.throttled}")
        print(f"  {len(blocked)} blocked users, tried {len(tries)} times")
        print(f"  time {took:.2f} s, ideal {ideal:.2f} s ({len(reachable)}/{rate}),"
              f" ratio {took / ideal:.3f} (target <= 1.25)")  # fmt: skip


async def run_load(
    model: str, subscribers: int, blocked_share: float, rate: int, askers: int
) -> None:
    """Thousands of subscribers, attendees asking meanwhile: broadcast time and reply latency."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with (
        tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp,
        FakeBotApi(rate_limit_per_second=rate) as api,
    ):
        users, blocked = world(api, subscribers, blocked_share)
        reachable = [u for u in users if u not in set(blocked)]
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=SecretStr(api.token), telegram_api_url=api.base_url,
            knowledge_dir=knowledge_dir(), data_dir=Path(tmp) / "data", embedding_model=model,
        )  # fmt: skip
        await add_subscribers(settings.database_path, users)
        assistant = await asyncio.to_thread(Assistant.load, settings)
        from bot.broadcast.worker import enqueue_from_cli

        latencies: list[float] = []
        app = build_application(settings, assistant)
        async with polling(app):
            started = time.monotonic()
            await enqueue_from_cli(settings, TEXT)
            done = asyncio.Event()
            askers_done = [
                asyncio.create_task(ask(api, 1 + n, latencies, done)) for n in range(askers)
            ]
            await all_delivered(api, reachable, 3600)
            done.set()
            await asyncio.gather(*askers_done)
        got, duplicates, last = received(api, reachable)
        took = last - started
        ideal = len(reachable) / rate
        print(f"\n== load: {len(users)} subscribers ({len(blocked)} blocked), {askers} attendees"
              f" asking meanwhile, server at {rate}/s, model {model} ==")  # fmt: skip
        print(f"  delivered {got}/{len(reachable)}, duplicates {duplicates}, 429s {api.throttled}")
        print(f"  time {took:.1f} s, ideal {ideal:.1f} s, ratio {took / ideal:.3f}")
        if latencies:
            cut = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies * 19
            print(f"  replies {len(latencies)}: p50 {statistics.median(latencies) * 1000:.0f} ms,"
                  f" p95 {cut[18] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")  # fmt: skip


async def ask(api: FakeBotApi, user: int, latencies: list[float], done: asyncio.Event) -> None:
    """One attendee: a question every few seconds, timed until the reply arrives."""
    api.add_user(user, language_code="fr")
    while not done.is_set():
        sent = time.monotonic()
        try:
            await question(api, user)
        except TimeoutError:
            print(f"  attendee {user}: no reply within 60 s", file=sys.stderr)
            return
        latencies.append(time.monotonic() - sent)
        await asyncio.sleep(random.uniform(3.0, 7.0))


async def question(api: FakeBotApi, user: int) -> None:
    """Ask one question and wait for the reply."""
    before = api.delivered(user)
    api.send_text(user, random.choice(QUESTIONS))
    await api.wait_for(lambda: api.delivered(user) > before, 60, "a reply")


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", choices=["queue", "kill", "load", "all"], default="all")
    parser.add_argument("--model", default="test-hashing", help="embedding model of the bot")
    parser.add_argument("--rate", type=int, default=30, help="the server's messages per second")
    parser.add_argument("--subscribers", type=int, default=2000, help="for the load run")
    parser.add_argument("--blocked-share", type=float, default=0.05)
    parser.add_argument("--askers", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.run in ("queue", "all"):
        asyncio.run(run_queue(args.model, 300, 20, args.rate))
    if args.run in ("kill", "all"):
        asyncio.run(run_queue(args.model, 300, 20, args.rate, kill_after=4.0))
    if args.run in ("load", "all"):
        asyncio.run(
            run_load(args.model, args.subscribers, args.blocked_share, args.rate, args.askers)
        )


if __name__ == "__main__":
    main()
