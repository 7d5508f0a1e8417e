"""Live knowledge: watch the folder, reload in the background, hand each reload on.

`KnowledgeWatcher` asks its source every `knowledge_poll_seconds` whether the folder changed (a
worker thread scans its modification times; the event loop never blocks) and then calls the
source's `reload` in a thread. The source (the search assistant) validates, re-embeds only what
changed and swaps the new version in with one reference assignment; a broken file keeps its
previous version serving. What follows a reload (admin alerts, reminders, change notices) is
the `on_reload` callback's business: `bot.broadcast.followup` builds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.domain import KnowledgeBase, KnowledgeError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReloadReport:
    """What a reload of the knowledge folder changed."""

    changed: bool
    errors: list[KnowledgeError]
    previous: KnowledgeBase
    current: KnowledgeBase
    embedded: int = 0


class ReloadSource(Protocol):
    """What the watcher reloads: the knowledge it serves, a change check, and a reload."""

    @property
    def knowledge(self) -> KnowledgeBase:
        """The knowledge served now."""
        ...

    def folder_changed(self) -> bool:
        """Whether any knowledge file changed since the last load (blocking)."""
        ...

    def reload(self) -> ReloadReport:
        """Re-read the folder and swap the new version in (blocking)."""
        ...


class PollSettings(Protocol):
    """How often the folder is looked at."""

    @property
    def knowledge_poll_seconds(self) -> float:
        """Seconds between two looks."""
        ...


OnReload = Callable[[ReloadReport], Awaitable[None]]


class KnowledgeWatcher:
    """Reload the knowledge when its folder changes, without blocking the event loop."""

    def __init__(
        self, assistant: ReloadSource, settings: PollSettings, on_reload: OnReload
    ) -> None:
        self.assistant = assistant
        self.settings = settings
        self.on_reload = on_reload
        self._lock = asyncio.Lock()  # one reload at a time (the watch loop or /reload)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Follow up on the knowledge loaded at start-up, then watch in the background."""
        self._task = asyncio.create_task(self._run(), name="knowledge-watcher")

    async def stop(self) -> None:
        """Stop watching (a reload running in its thread finishes on its own)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def reload_now(self) -> ReloadReport:
        """Reload at once (the admin's /reload) and follow up; return what changed."""
        async with self._lock:
            report = await asyncio.to_thread(self.assistant.reload)
            await self._follow_up(report)
        return report

    async def _follow_up(self, report: ReloadReport) -> None:
        try:
            await self.on_reload(report)
        except Exception:  # a failed follow-up must not stop the watching
            log.exception("knowledge reload follow-up failed")

    async def _run(self) -> None:
        knowledge = self.assistant.knowledge
        async with self._lock:  # the state at start-up: errors to tell, changes since last run
            await self._follow_up(
                ReloadReport(False, list(knowledge.errors), knowledge, knowledge, 0)
            )
        while True:
            await asyncio.sleep(self.settings.knowledge_poll_seconds)
            try:
                changed = await asyncio.to_thread(self.assistant.folder_changed)
                if changed:
                    await self.reload_now()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("knowledge watch: reload failed; the previous version keeps serving")
