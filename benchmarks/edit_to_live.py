"""Edit-to-live latency: an urgent room change, alone and while a big file is being embedded.

A programme (synthetic frab JSON) is indexed beforehand, untimed. The assistant then watches
its folder as the bot does (`changed_scan` every `--poll` seconds, then `reload` of that scan, in a
thread). First an event is moved to another room: the time until the served knowledge says
so. Then a press file of `--paragraphs` paragraphs is dropped in (a big embedding job) and,
once its embedding runs, another event is moved: the time until that change is served.

    python benchmarks/edit_to_live.py
    python benchmarks/edit_to_live.py --events 943 --paragraphs 2000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fosdem_programme import programme  # noqa: E402
from bot.app.settings import Settings  # noqa: E402
from bot.search.assistant import Assistant  # noqa: E402


def move_event(path: Path, number: int, room: str) -> None:
    """Move the `number`-th event of the first day to `room`."""
    document = json.loads(path.read_text(encoding="utf-8"))
    events = [e for r in document["schedule"]["conference"]["days"][0]["rooms"].values() for e in r]
    events[number]["room"] = room
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def big_press_file(paragraphs: int) -> str:
    """A long Markdown file: many short sections, each its own passage."""
    return "\n\n".join(
        f"## Stand {n}\n\nThe stand number {n} shows projects about free software, hardware "
        f"and community building, open every day from ten to six in building K, level {n % 3}."
        for n in range(paragraphs)
    )


def watch(assistant: Assistant, poll: float, stop: threading.Event) -> None:
    """What the bot's watcher does, in a thread: look, reload when the folder changed."""
    while not stop.is_set():
        scan = assistant.changed_scan()
        if scan is not None:
            assistant.reload(scan)
        stop.wait(poll)


def time_until_live(assistant: Assistant, room: str, timeout: float) -> float:
    """Seconds until a passage served mentions the room."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if any(room in p.text for p in assistant.knowledge.passages):
            return time.monotonic() - started
        time.sleep(0.05)
    return float("nan")


def main() -> int:
    """Index, then measure both edits; print the latencies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--paragraphs", type=int, default=2000)
    parser.add_argument("--poll", type=float, default=2.0, help="KNOWLEDGE_POLL_SECONDS")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-edit-") as tmp:
        knowledge = Path(tmp) / "knowledge"
        knowledge.mkdir()
        schedule = knowledge / "schedule.json"
        schedule.write_text(json.dumps(programme(args.events)), encoding="utf-8")
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            knowledge_dir=knowledge,
            data_dir=Path(tmp) / "data",
        )
        print(f"indexing {args.events} events (untimed)...", flush=True)
        assistant = Assistant.load(settings)
        stop = threading.Event()
        threading.Thread(target=watch, args=(assistant, args.poll, stop), daemon=True).start()

        move_event(schedule, 0, "Room moved A")
        alone = time_until_live(assistant, "Room moved A", args.timeout)
        print(f"room change alone:               live after {alone:6.1f} s", flush=True)

        (knowledge / "stands.md").write_text(big_press_file(args.paragraphs), encoding="utf-8")
        time.sleep(args.poll + 3)  # the big job has started
        move_event(schedule, 1, "Room moved B")
        during = time_until_live(assistant, "Room moved B", args.timeout)
        big_served = any("stand number" in p.text for p in assistant.knowledge.passages)
        print(
            f"room change during a {args.paragraphs}-paragraph job: live after {during:6.1f} s "
            f"(big file served yet: {big_served})",
            flush=True,
        )
        stop.set()
    # The big job may still be running in the watcher thread: leave without waiting for it.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
