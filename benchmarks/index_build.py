"""First `index` of a fresh folder, the re-index after editing one event, and `ask`'s peak.

Each size is a synthetic frab JSON programme (benchmarks/fosdem_programme.py) alone in a fresh
knowledge folder; 943 events is FOSDEM 2025's size. Every command runs as its own process
(`python -m bot index` / `ask`), as an organiser runs it; peak memory is that process's
maximum resident set size.

    python benchmarks/index_build.py                   # 100 and 943 events
    python benchmarks/index_build.py --events 100 1000 10000
    python benchmarks/index_build.py --events 943 --xml     # as schedule.xml, as FOSDEM exports it
    python benchmarks/index_build.py --schedule benchmarks/schedules/fosdem-2025.xml  # a real one
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fosdem_programme import programme  # noqa: E402
from benchmarks.frab_xml import to_xml  # noqa: E402
from tests.fake_botapi import FakeBotApi  # noqa: E402

RUN_QUESTIONS = (
    "Which talks are about Rust?",
    "Quand parle-t-on de PostgreSQL ?",
    "What is on in Janson now?",
    "Who speaks about the Linux kernel?",
)


def run_measured(
    command: list[str], env: dict[str, str], stdin: str = ""
) -> tuple[float, float, str]:
    """Run a bot command; return its wall seconds, its own peak RSS in MB (wait4), its output."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdin is not None
        process.stdin.write(stdin)
        process.stdin.close()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        output = out.read()
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output


def write_programme(path: Path, document: dict) -> None:
    """The programme as frab JSON, or as schedule.xml when the path says so."""
    if path.suffix == ".xml":
        to_xml(document).write(path, encoding="utf-8", xml_declaration=True)
    else:
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


def edit_one_event(path: Path, document: dict) -> None:
    """Move the first event to another room and retitle it, as an organiser's urgent change."""
    day = document["schedule"]["conference"]["days"][0]
    event = day["rooms"][next(iter(day["rooms"]))][0]
    event["room"] = "Janson (moved)"
    event["title"] += " (new time)"
    write_programme(path, document)


def retitle_first_event(path: Path) -> None:
    """Retitle the first event of a schedule.xml in place, leaving every other byte as it was."""
    text = path.read_text(encoding="utf-8")
    end = text.index("</title>", text.index("<event "))
    path.write_text(text[:end] + " (new time)" + text[end:], encoding="utf-8")


def real_events(path: Path) -> int:
    """How many events a real export holds (schedule.xml or frab JSON), for the printout."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".xml":
        return text.count("<event ")
    days = json.loads(text)["schedule"]["conference"]["days"]
    return sum(len(events) for day in days for events in day["rooms"].values())


def run_peak(env: dict[str, str], users: int = 20) -> tuple[float, int]:
    """`python -m bot run` against the loopback Bot API: peak RSS in MB after answering."""
    with FakeBotApi() as api:
        env = dict(env, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_URL=api.base_url, ADMIN_IDS="")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for user in range(users):
                api.add_user(1000 + user, f"User {user}", "en")
                api.send_text(1000 + user, RUN_QUESTIONS[user % len(RUN_QUESTIONS)])
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and sum(api.delivered_counts().values()) < users:
                time.sleep(0.5)
            time.sleep(5)  # the batch engine's warm-up may finish after the first replies
            status = Path(f"/proc/{process.pid}/status").read_text()
            peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
            return peak, sum(api.delivered_counts().values())
        finally:
            process.terminate()
            process.wait(timeout=30)


def measure(events: int, model: str | None, xml: bool, real: Path | None = None) -> None:
    """Index a fresh folder of `events` events (or the `real` export), edit one, re-index, then
    ask one question and answer a few attendees."""
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        knowledge, data = Path(tmp) / "knowledge", Path(tmp) / "data"
        knowledge.mkdir()
        document: dict | None
        if real is not None:
            schedule = knowledge / real.name
            schedule.write_bytes(real.read_bytes())
            document = None if real.suffix == ".xml" else json.loads(real.read_text("utf-8"))
        else:
            schedule = knowledge / ("schedule.xml" if xml else "schedule.json")
            document = programme(events)
            write_programme(schedule, document)
        env = dict(os.environ, KNOWLEDGE_DIR=str(knowledge), DATA_DIR=str(data))
        if model:
            env["EMBEDDING_MODEL"] = model
        index = [sys.executable, "-m", "bot", "index"]
        seconds, peak, output = run_measured(index, env)
        summary = output.strip().splitlines()[-1] if output.strip() else ""
        texts = re.search(r"(\d+) embedded", summary)
        rate = int(texts.group(1)) / seconds if texts else float("nan")
        print(
            f"{events:>6} events  first index  {seconds:7.1f} s  peak {peak:6.0f} MB  "
            f"{rate:5.1f} texts/s  | {summary}"
        )
        if document is None:
            retitle_first_event(schedule)
        else:
            edit_one_event(schedule, document)
        seconds, peak, output = run_measured(index, env)
        summary = output.strip().splitlines()[-1] if output.strip() else ""
        print(
            f"{events:>6} events  one edited   {seconds:7.1f} s  peak {peak:6.0f} MB  | {summary}"
        )
        ask = [sys.executable, "-m", "bot", "ask", "--json"]
        seconds, peak, _ = run_measured(ask, env, "Which talks are in Janson?\n")
        print(f"{events:>6} events  ask          {seconds:7.1f} s  peak {peak:6.0f} MB")
        peak, replies = run_peak(env)
        print(f"{events:>6} events  run          {replies} replies    peak {peak:6.0f} MB")


def main() -> int:
    """Measure each size in turn."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100, 943])
    parser.add_argument("--model", default=None, help="EMBEDDING_MODEL (default: the bundled one)")
    parser.add_argument("--xml", action="store_true", help="write schedule.xml, not frab JSON")
    parser.add_argument(
        "--schedule", type=Path, help="a real export (schedule.xml or frab JSON) instead"
    )
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    if args.schedule is not None:
        measure(real_events(args.schedule), args.model, args.xml, args.schedule.resolve())
        return 0
    for events in args.events:
        measure(events, args.model, args.xml)
    return 0


if __name__ == "__main__":
    sys.exit(main())
