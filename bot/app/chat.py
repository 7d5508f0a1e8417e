"""The terminal conversation: the same answers as on Telegram, read and printed locally."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import TextIO

from bot.domain import Answer
from bot.i18n import t
from bot.search.answer_text import citation
from bot.search.assistant import Assistant
from bot.search.followups import Conversation
from bot.search.hindsight import shown_text

QUIT_COMMANDS = frozenset({"/quit", "/exit", "/q", "quit", "exit"})


def render(answer: Answer) -> str:
    """The answer as the terminal shows it: the text (after the past-tense note when what it is
    about is over), its source, then the passages ranked."""
    if not answer.answered:
        return answer.text
    lines = [shown_text(answer), "", citation(answer)]
    lines.extend(f"  [{hit.score:.3f}] {hit.passage.source}" for hit in answer.hits)
    return "\n".join(lines)


def run_chat(
    assistant: Assistant,
    read: Callable[[str], str] = input,
    out: TextIO | None = None,
) -> int:
    """Read questions until /quit or end of input; print each answer. Returns the exit code."""
    out = out or sys.stdout
    if read is input and sys.stdin.isatty():
        with contextlib.suppress(ImportError):  # not on every platform
            import readline  # noqa: F401  (line editing and history for `input`)
    event = assistant.knowledge.event
    if event is not None:
        print(event.name, file=out)
    for language in ("fr", "en", "ar"):
        print(t("chat_intro", language), file=out)
    conversation = Conversation()  # a follow-up asking where refers to what was just shown
    while True:
        try:
            question = read("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            return 0
        if not question:
            continue
        if question.lower() in QUIT_COMMANDS:
            return 0
        print(render(assistant.answer_in(question, conversation)), file=out, flush=True)
        print(file=out)
