"""Admin commands (placeholder being written: /broadcast, /reload, /stats, /unanswered)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register_admin_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every admin-only command handler on `application`."""
