"""Many attendees at once through the loopback Bot API: the assistant beside a bare echo bot.

Each of N users (default 40) asks M questions (default 5), one after the other, all users at
the same time; a question is answered when the bot's next message reaches that chat. Latency
is measured on the server's clock, from the question being queued to the reply arriving.
Each bot runs in its own process (`python -m bot run` for the assistant), as it does in
production, so the users' side of the benchmark does not share the bot's event loop.

By default every question is different (generated from the knowledge folder's own sessions
and rooms with question templates), so the answer cache cannot help; `--repeat` asks from a
short fixed list instead. After the load, the reply path is profiled in this process on the
same questions: where each millisecond goes one question at a time, and in batches as the bot
now computes them (encode, index search, BM25, title match, the rest of ranking, HTML), the
rest of a reply's latency being the Bot API round trip and the queueing.

    python benchmarks/conversation.py                   # echo bot, then the assistant
    python benchmarks/conversation.py --target echo     # only the bare echo bot
    python benchmarks/conversation.py --rounds 3        # alternate them; median ratio
    python benchmarks/conversation.py --users 100 --questions 3 --rate-limit 30
    python benchmarks/conversation.py --target assistant --fail-share 0.3   # 30 % 5xx
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests.fake_botapi` lives beside `bot`, not installed


from benchmarks.reply_profile import distinct_questions, print_profile  # noqa: E402
from tests.fake_botapi import FakeBotApi  # noqa: E402

QUESTIONS = (
    "Quand ont lieu les Assises nationales de l'IA ?",
    "Where do the Assises take place?",
    "ما هو موضوع المناظرات الوطنية للذكاء الاصطناعي؟",
    "Combien de participants sont attendus ?",
    "What are the thematic verticals?",
    "Qui organise l'événement ?",
    "What happens on the second day?",
    "متى تنعقد المناظرات؟",
)
FIRST_USER = 10_000


@dataclass
class Run:
    """What one bot did under the load."""

    target: str
    asked: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    refused: int = 0
    note: str = ""
    methods: Counter[str] = field(default_factory=Counter)  # Bot API calls during the load
    cpu_seconds: float = 0.0  # the bot process's CPU time (all threads) during the load
    loop_cpu_seconds: float = 0.0  # its main thread's (the event loop: handlers, HTTP)

    @property
    def rate(self) -> float:
        """Replies per second of wall time."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


ECHO_BOT = """
import sys
from telegram.ext import ApplicationBuilder, MessageHandler, filters

async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text or "")

app = ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2]).build()
app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
app.run_polling()
"""


def start_bot(
    target: str, api: FakeBotApi, data_dir: Path, knowledge: Path
) -> subprocess.Popen[bytes]:
    """Start the bare echo bot or the assistant (`python -m bot run`) in its own process."""
    env = dict(
        os.environ,
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_URL=api.base_url,
        DATA_DIR=str(data_dir),
        KNOWLEDGE_DIR=str(knowledge),
        ADMIN_IDS="",
    )
    if target == "echo":
        command = [sys.executable, "-c", ECHO_BOT, api.token, api.base_url]
    else:
        # The index is built beforehand, untimed, as `make run` does.
        subprocess.run([sys.executable, "-m", "bot", "index", "--quiet"], env=env, check=True)
        command = [sys.executable, "-m", "bot", "run"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_bot(process: subprocess.Popen[bytes]) -> None:
    """Stop the bot like an operator would (SIGTERM), then make sure it is gone."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


async def reply_after(
    api: FakeBotApi, user: int, before: int, since: float, deadline: float
) -> float:
    """Wait for the bot's next message to the user; return when it arrived (monotonic)."""
    remaining = max(0.0, deadline - time.monotonic())
    await api.wait_for(lambda: api.delivered(user) > before, remaining, f"reply to {user}")
    return min((m.at for m in api.messages_to(user) if m.at >= since), default=time.monotonic())


async def ask(api: FakeBotApi, user: int, questions: list[str], run: Run, deadline: float) -> None:
    """One attendee: ask, wait for the answer, ask the next question."""
    for question in questions:
        before = api.delivered(user)
        run.asked += 1
        asked_at = time.monotonic()
        api.send_text(user, question)
        try:
            run.latencies.append(
                await reply_after(api, user, before, asked_at, deadline) - asked_at
            )
        except TimeoutError:
            return


async def warm_up(target: str, api: FakeBotApi, users: range, deadline: float) -> None:
    """Untimed: every attendee's /start (assistant), then one question to load the models."""
    since = time.monotonic()
    if target == "assistant":
        before = {user: api.delivered(user) for user in users}
        for user in users:
            api.send_command(user, "start")
        for user in users:
            await reply_after(api, user, before[user], since, deadline)
    api.add_user(1, "Warm-up", "fr")
    api.send_text(1, QUESTIONS[0])
    await reply_after(api, 1, 0, since, deadline)


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """User plus system CPU time of a process, all its threads, or of one thread (Linux /proc)."""
    stat = Path(f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(target: str, api: FakeBotApi, args: argparse.Namespace, pid: int) -> Run:
    """Warm the bot up, then let every user ask at once."""
    run = Run(target)
    users = range(FIRST_USER, FIRST_USER + args.users)
    for user in users:
        api.add_user(user, f"User {user}", ("fr", "en", "ar")[user % 3])
    try:
        await warm_up(target, api, users, time.monotonic() + args.warmup_timeout)
    except TimeoutError:
        run.note = "no reply while warming up (is the bot starting? try it by hand)"
        return run
    # Faults start with the load: a share of 5xx on every call but getUpdates.
    api.fail_share(args.fail_share, 502)
    deadline = time.monotonic() + args.timeout
    started = time.monotonic()
    calls_before = len(api.calls)
    cpu_before = cpu_seconds(pid)
    loop_before = cpu_seconds(pid, pid)  # the main thread: the event loop
    await asyncio.gather(
        *(ask(api, user, args.asked[n], run, deadline) for n, user in enumerate(users))
    )
    run.seconds = time.monotonic() - started
    run.methods = Counter(call.method for call in api.calls[calls_before:])
    run.cpu_seconds = cpu_seconds(pid) - cpu_before
    run.loop_cpu_seconds = cpu_seconds(pid, pid) - loop_before
    run.refused = len(api.bad_requests())
    return run


async def bench(target: str, args: argparse.Namespace) -> Run:
    """Run one target against a fresh server."""
    with (
        FakeBotApi(rate_limit_per_second=args.rate_limit) as api,
        tempfile.TemporaryDirectory(prefix="bench-conversation-") as data,
    ):
        process = await asyncio.to_thread(start_bot, target, api, Path(data), args.knowledge)
        try:
            return await measure(target, api, args, process.pid)
        finally:
            await asyncio.to_thread(stop_bot, process)


def report(rounds: list[list[Run]], users: int, questions: int) -> None:
    """Print each round's runs side by side and its throughput ratio, then the median ratio."""
    ratios = []
    for number, runs in enumerate(rounds, 1):
        if len(rounds) > 1:
            print(f"round {number} of {len(rounds)}")
        ratio = report_round(runs, users, questions)
        if ratio is not None:
            ratios.append(ratio)
    if len(ratios) > 1:
        listed = ", ".join(f"{ratio:.2f}" for ratio in ratios)
        print(
            f"assistant / echo throughput, median of {len(ratios)} rounds: "
            f"{statistics.median(ratios):.2f} ({listed})"
        )


def report_round(runs: list[Run], users: int, questions: int) -> float | None:
    """Print the runs side by side and the throughput ratio (returned, if both ran)."""
    print(f"{users} users x {questions} questions, all at once")
    header = ("target", "answered", "seconds", "replies/s", "p50 ms", "p95 ms", "refused")
    print("{:<10} {:>9} {:>8} {:>10} {:>8} {:>8} {:>8}".format(*header))
    for run in runs:
        if run.note:
            print(f"{run.target:<10} {run.note}")
            continue
        answered = f"{len(run.latencies)}/{users * questions}"
        p50, p95 = (percentile(run.latencies, q) * 1000 for q in (50, 95))
        cells = f"{answered:>9} {run.seconds:>8.2f} {run.rate:>10.1f} {p50:>8.1f} {p95:>8.1f}"
        print(f"{run.target:<10} {cells} {run.refused:>8}")
        calls = ", ".join(f"{method} {count}" for method, count in run.methods.most_common())
        replies = max(len(run.latencies), 1)
        cpu, loop = (
            seconds * 1000 / replies for seconds in (run.cpu_seconds, run.loop_cpu_seconds)
        )
        print(
            f"{'':<10} bot CPU {cpu:.1f} ms per reply (event loop {loop:.1f}, other threads"
            f" {cpu - loop:.1f}); Bot API calls during the load: {calls}"
        )
    by_target = {run.target: run for run in runs if not run.note}
    if {"echo", "assistant"} <= by_target.keys() and by_target["echo"].rate:
        ratio = by_target["assistant"].rate / by_target["echo"].rate
        print(f"assistant / echo throughput: {ratio:.2f} (issue 12: at least 0.35, goal 0.8)")
        return ratio
    return None


def main() -> int:
    """Parse options, run the targets, print the table; exit 1 if a question went unanswered."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=("both", "echo", "assistant"), default="both")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--rate-limit", type=int, default=None, help="Bot API sends per second")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds for the load")
    parser.add_argument("--warmup-timeout", type=float, default=300.0, help="model loading")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument(
        "--fail-share", type=float, default=0.0, help="share of calls answered 502 (not polls)"
    )
    parser.add_argument("--repeat", action="store_true", help="ask from a short fixed list")
    parser.add_argument("--no-profile", action="store_true", help="skip the reply-path profile")
    parser.add_argument(
        "--rounds", type=int, default=1, help="echo then assistant this many times (noisy machine)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:  # bm25s sets its own logger to DEBUG on import
        handler.setLevel(logging.WARNING)
    targets = ["echo", "assistant"] if args.target == "both" else [args.target]
    if args.repeat:
        args.asked = [
            [QUESTIONS[(FIRST_USER + u + n) % len(QUESTIONS)] for n in range(args.questions)]
            for u in range(args.users)
        ]
    else:
        pool = distinct_questions(args.knowledge, args.users * args.questions)
        args.asked = [
            pool[u * args.questions : (u + 1) * args.questions] for u in range(args.users)
        ]
        print(f"{len(set(pool))} different questions from {args.knowledge}")
    rounds = [
        [asyncio.run(bench(target, args)) for target in targets] for _ in range(max(args.rounds, 1))
    ]
    report(rounds, args.users, args.questions)
    runs = [run for round_runs in rounds for run in round_runs]
    if "assistant" in targets and not args.no_profile:
        assistant_run = next(run for run in runs if run.target == "assistant")
        flat = [question for questions in args.asked for question in questions]
        print_profile(args.knowledge, flat, percentile(assistant_run.latencies, 50))
    complete = all(not run.note and len(run.latencies) == run.asked for run in runs)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
