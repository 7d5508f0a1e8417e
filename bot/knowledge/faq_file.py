"""The FAQ knowledge file admins write from Telegram: `faq.<lang>.md`, one heading per question.

Entries are appended; the whole file is rewritten through a temporary file and `os.replace`, so
the watcher (and a crash) only ever sees the old or the new version, never half of one.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path

from bot.i18n import t

_LOCK = threading.Lock()  # two admins answering at once append one after the other
_SPACES = re.compile(r"\s+")
_BLOCK_START = re.compile(r"^(\s{0,3})([#>=]|-{3,}|\*{3,}|`{3,}|~{3,})", re.MULTILINE)


def faq_name(language: str) -> str:
    """The FAQ file's name for a language (its suffix tells the indexer the language)."""
    return f"faq.{language}.md"


def heading_line(question: str) -> str:
    """The question as one Markdown heading line."""
    text = _SPACES.sub(" ", question).strip().lstrip("#").strip()
    return f"## {text}"


def body_text(answer: str) -> str:
    """The answer as Markdown paragraphs that cannot open a heading, quote or code block."""
    text = answer.replace("\r\n", "\n").strip()
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)


def append_entry(root: Path, language: str, question: str, answer: str) -> Path:
    """Append a question and its answer to `root/faq.<language>.md`; return the file."""
    path = root / faq_name(language)
    entry = f"{heading_line(question)}\n\n{body_text(answer)}\n"
    with _LOCK:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if not current.strip():
            current = f"# {t('faq_title', language)}\n"
        content = current.rstrip("\n") + "\n\n" + entry
        root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".faq-", suffix=".tmp", dir=root)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return path
