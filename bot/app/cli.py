"""The command line: `python -m bot ask|index|validate|chat|run|start|broadcast|report|qr`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.app.settings import Settings
from bot.clock import start_at

if TYPE_CHECKING:
    from bot.domain import Answer
    from bot.search.assistant import Assistant

log = logging.getLogger(__name__)


def configure_logging(verbose: bool = False) -> None:
    """Log to stderr; keep the token out (httpx logs request URLs, which carry it)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    noisy_loggers = ("httpx", "httpcore", "apscheduler", "sentence_transformers", "faiss", "bm25s")
    for noisy in noisy_loggers:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def answer_to_json(answer: Answer) -> str:
    """One line of `ask --json` output, in the contract's shape.

    `answer` is what the user reads, the past-tense note first when there is one; `past` says
    what is over ("event", "session" or null) and `past_note` is that note alone ("" if none).
    """
    from bot.search.hindsight import shown_text

    return json.dumps(
        {
            "question": answer.question,
            "answered": answer.answered,
            "answer": shown_text(answer),
            "passages": [
                {
                    "text": hit.passage.text,
                    "source": hit.passage.source,
                    "score": round(hit.score, 6),
                }
                for hit in answer.hits
            ],
            "past": answer.past or None,
            "past_note": answer.past_note,
        },
        ensure_ascii=False,
    )


def _questions(args: argparse.Namespace) -> Iterable[str]:
    if args.question:
        yield " ".join(args.question)
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def _load_assistant(settings: Settings, progress: bool = False) -> Assistant:
    from bot.search.assistant import Assistant

    return Assistant.load(settings, progress=progress)


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    """Answer questions from the arguments or standard input."""
    assistant = _load_assistant(settings)
    for question in _questions(args):
        answer = assistant.answer(question, top_k=args.top_k)
        if args.json:
            print(answer_to_json(answer), flush=True)
        else:
            from bot.app.chat import render

            print(render(answer), "\n", sep="\n", flush=True)
    return 0


def cmd_index(settings: Settings, args: argparse.Namespace) -> int:
    """Build or refresh the index; print what changed."""
    from bot.search.assistant import Assistant

    report = Assistant.build_index(settings, progress=not args.quiet and sys.stderr.isatty())
    for error in report.errors:
        print(error, file=sys.stderr)
    if not args.quiet:
        print(report.summary())
    return 0


def cmd_validate(settings: Settings, args: argparse.Namespace) -> int:
    """Check the knowledge folder; exit 1 with `file:line: message` for each error."""
    from bot.knowledge.folder import load_folder

    knowledge = load_folder(settings.knowledge_dir)
    for notice in knowledge.notices:  # files left out, assumptions made: said, never fatal
        ignored = notice.line == 0 and notice.message.startswith("ignored: ")
        print(notice.message if ignored else f"{notice} (notice)")
    for error in knowledge.errors:
        print(error)
    if knowledge.errors:
        return 1
    notes = f"; {len(knowledge.notices)} notice(s) above" if knowledge.notices else ""
    print(
        f"{settings.knowledge_dir}: OK ({len(knowledge.files)} files read, "
        f"{len(knowledge.passages)} passages, {len(knowledge.sessions)} sessions{notes})"
    )
    return 0


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    """Talk to the assistant in the terminal, with the same answers as on Telegram."""
    from bot.app.chat import run_chat

    return run_chat(_load_assistant(settings, progress=sys.stderr.isatty()))


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the Telegram bot."""
    if not settings.token:
        print("TELEGRAM_BOT_TOKEN is not set: the bot cannot start (try `chat`).", file=sys.stderr)
        return 2
    from bot.app.composition import run_bot

    run_bot(settings)
    return 0


def cmd_start(settings: Settings, args: argparse.Namespace) -> int:
    """`make run`: the bot when a token is set, else the terminal chat."""
    if settings.token:
        return cmd_run(settings, args)
    print("No TELEGRAM_BOT_TOKEN set: starting the local chat instead.", file=sys.stderr)
    return cmd_chat(settings, args)


def cmd_broadcast(settings: Settings, args: argparse.Namespace) -> int:
    """Queue an announcement; the running bot delivers it."""
    from bot.broadcast.worker import enqueue_from_cli

    text = " ".join(args.text).strip()
    if not text:
        print("Nothing to broadcast: give the announcement's text.", file=sys.stderr)
        return 2
    try:
        broadcast_id, recipients = asyncio.run(
            enqueue_from_cli(settings, text, language=args.language, vertical=args.vertical)
        )
    except ValueError as error:  # empty, or longer than Telegram accepts
        print(f"Not queued: {error}", file=sys.stderr)
        return 2
    print(f"Broadcast #{broadcast_id} queued for {recipients} subscribers.")
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """Write the questions attendees asked (and what went unanswered) as CSV."""
    from bot.app.report import write_report

    written = asyncio.run(write_report(settings, args.output))
    print(f"Wrote {written}", file=sys.stderr)
    return 0


def cmd_health(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the running bot's heartbeat is fresh (the container health check)."""
    from bot.app.health import heartbeat_age, problems

    age = heartbeat_age(settings.data_dir)
    found = problems(settings.data_dir)
    print("no heartbeat yet" if age is None else f"last heartbeat {age:.0f} s ago")
    for problem in found:
        print(f"unhealthy: {problem}")
    return 1 if found else 0


def bot_username(settings: Settings) -> str | None:
    """BOT_USERNAME, else the token's bot as Telegram names it (getMe), else None."""
    if settings.bot_username:
        return settings.bot_username.lstrip("@")
    if not settings.token:
        return None
    from telegram import Bot

    async def ask_telegram() -> str:
        async with Bot(settings.token or "", base_url=settings.telegram_api_url) as bot:
            return (await bot.get_me()).username or ""

    return asyncio.run(ask_telegram()) or None


def cmd_qr(settings: Settings, args: argparse.Namespace) -> int:
    """Write a printable QR code per room and per session, each a deep link into the bot."""
    from telegram.error import TelegramError

    from bot.app.doors import write_doors
    from bot.knowledge.folder import load_folder

    try:
        username = bot_username(settings)
    except TelegramError as error:
        print(
            f"Telegram did not say the bot's username ({error}): set BOT_USERNAME.", file=sys.stderr
        )
        return 2
    if not username:
        print("Set BOT_USERNAME (or TELEGRAM_BOT_TOKEN, to ask Telegram).", file=sys.stderr)
        return 2
    knowledge = load_folder(settings.knowledge_dir)
    event = knowledge.event
    language = event.languages[0] if event is not None and event.languages else "fr"
    zone = settings.zone(event.timezone if event else None)
    written = write_doors(knowledge, username, args.out, zone, language)
    rooms = sum(door.stem.startswith("rooms/") for door in written)
    print(
        f"{args.out}: {rooms} rooms and {len(written) - rooms} sessions (PNG and SVG),"
        f" print.html to print them; links to @{username}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer questions (arguments, or one per line on stdin)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--top-k", type=int, default=3, help="passages to return (default 3)")
    ask.add_argument("question", nargs="*")
    ask.set_defaults(func=cmd_ask)

    index = sub.add_parser("index", help="build or refresh the index (incremental)")
    index.add_argument("--quiet", action="store_true")
    index.set_defaults(func=cmd_index)

    sub.add_parser("validate", help="check the knowledge folder").set_defaults(func=cmd_validate)
    sub.add_parser("chat", help="local terminal conversation").set_defaults(func=cmd_chat)
    sub.add_parser("run", help="run the Telegram bot").set_defaults(func=cmd_run)
    sub.add_parser("start", help="the bot if a token is set, else chat").set_defaults(
        func=cmd_start
    )

    broadcast = sub.add_parser("broadcast", help="queue an announcement to every subscriber")
    broadcast.add_argument("--language", choices=["fr", "en", "ar"], help="only this language")
    broadcast.add_argument("--vertical", help="only followers of this vertical id")
    broadcast.add_argument("text", nargs="+")
    broadcast.set_defaults(func=cmd_broadcast)

    sub.add_parser("health", help="exit 0 if the running bot is alive").set_defaults(
        func=cmd_health
    )

    qr = sub.add_parser(
        "qr",
        help="printable QR codes for room doors and sessions",
        description=(
            "Write one PNG and one SVG per room (t.me/<bot>?start=room_<ref>: now and next in"
            " the room) and per session (start=s_<ref>: its card), with the name printed under"
            " the code, and print.html to print them one per page. The bot's username comes"
            " from BOT_USERNAME; when that is unset, it is asked from Telegram (getMe) with"
            " TELEGRAM_BOT_TOKEN."
        ),
    )
    qr.add_argument("--out", type=Path, required=True, help="folder to write the codes into")
    qr.set_defaults(func=cmd_qr)

    report = sub.add_parser("report", help="questions and unanswered ones as CSV")
    report.add_argument("--output", type=Path, default=None, help="file (default: stdout)")
    report.set_defaults(func=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m bot` and the console script."""
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    if args.command == "ask" and args.json:
        # stdout carries JSON only; library chatter goes to stderr at warning level.
        logging.getLogger().setLevel(logging.WARNING)
    try:
        settings = Settings()
    except ValidationError as error:  # a wrong setting: name it, no traceback
        for problem in error.errors():
            name = ".".join(str(part) for part in problem["loc"]).upper()
            print(f"{name}: {problem['msg']}", file=sys.stderr)
        return 2
    start_at(settings.assistant_now)  # one clock for the whole app, set before anything reads it
    from bot.search.embedders import EmbeddingModelError

    try:
        result: int = args.func(settings, args)
    except EmbeddingModelError as error:  # a wrong EMBEDDING_MODEL: say what to do, no traceback
        print(f"EMBEDDING_MODEL: {error}", file=sys.stderr)
        return 2
    return result
