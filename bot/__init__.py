"""A Telegram assistant that answers attendees' questions from the organisers' knowledge folder."""

import os

# Opt in to python-telegram-bot's upcoming behaviour (durations as timedelta, e.g.
# RetryAfter.retry_after): without it, building a RetryAfter emits a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")

__version__ = "0.1.0"
