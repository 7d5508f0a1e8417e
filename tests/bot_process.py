"""`python -m bot run` in its own process against the loopback Bot API (bounded in time)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.fake_botapi import FakeBotApi

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def bot_process(tmp_path: Path, api: FakeBotApi, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """The bot as an operator runs it (shipped knowledge copied, `test-hashing` embedder).

    `env` adds settings (WEBHOOK_URL...). The process is stopped (SIGTERM, then SIGKILL after
    20 s) when the block ends; its log is `tmp_path/bot.log`.
    """
    if not (tmp_path / "knowledge").exists():
        shutil.copytree(REPO / "knowledge", tmp_path / "knowledge")
    variables = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    variables.update(
        PYTHONPATH=str(REPO),
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_URL=api.base_url,
        KNOWLEDGE_DIR=str(tmp_path / "knowledge"),
        DATA_DIR=str(tmp_path / "data"),
        EMBEDDING_MODEL="test-hashing",
        ADMIN_IDS="",
        **env,
    )
    with (tmp_path / "bot.log").open("w") as log:
        # cwd: the temporary folder, so no developer's .env is read.
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=variables,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
