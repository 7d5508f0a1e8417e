"""Live knowledge: watch the folder, reload in the background, hand each reload on.

`KnowledgeWatcher` asks its source every `knowledge_poll_seconds` for the folder's scan when it
changed (a worker thread scans its modification times; the event loop never blocks) and then
calls the source's `reload` in a thread, once the change has settled: a file being saved or
synced may be half-written or briefly missing, so a change is acted on only when the folder's
scan (paths, modification times, sizes) is the same on two looks `knowledge_settle_seconds`
apart; a file that vanishes and comes back unchanged meanwhile causes no reload at all. Each
look scans the folder once, and the reload loads the scan that settled. The source (the
search assistant) validates, re-embeds only what changed and swaps the new version in with one
reference assignment; a broken file keeps its previous version serving. What follows a
reload (admin alerts, reminders, change notices) is the `on_reload` callback's business:
`bot.broadcast.followup` builds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.domain import KnowledgeBase, KnowledgeError

if TYPE_CHECKING:  # the readers load only when watching
    from bot.knowledge.folder import Scan

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

    def changed_scan(self) -> Scan | None:
        """The folder's scan when a knowledge file changed since the last load, else None
        (blocking: one scan)."""
        ...

    def reload(self, scan: Scan | None = None) -> ReloadReport:
        """Load the files of `scan` (None: scan the folder first), swap the new version in
        (blocking)."""
        ...


class PollSettings(Protocol):
    """How often the folder is looked at, and how long a change must settle."""

    @property
    def knowledge_poll_seconds(self) -> float:
        """Seconds between two looks."""
        ...

    @property
    def knowledge_settle_seconds(self) -> float:
        """Seconds a changed folder must stay the same before it is reloaded (0: at once)."""
        ...


OnReload = Callable[[ReloadReport], Awaitable[None]]
MAX_SETTLE_LOOKS = 15  # with the default 2 s settle time: reloaded within half a minute anyway


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
        self._settling: Scan | None = None  # the change waiting to settle
        self._unsettled = 0  # looks in a row at a folder still changing

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

    async def reload_now(self, scan: Scan | None = None) -> ReloadReport:
        """Reload at once (the admin's /reload: the folder as it is now) and follow up; return
        what changed."""
        async with self._lock:
            report = await asyncio.to_thread(self.assistant.reload, scan)
            await self._follow_up(report)
        return report

    async def look(self) -> float:
        """Look at the folder once, reload a change that settled; seconds until the next look.

        A change seen for the first time is remembered and looked at again after
        `knowledge_settle_seconds`; it is reloaded once the scan is the same twice in a row,
        or after MAX_SETTLE_LOOKS looks at a folder that never settles (a file written to all
        the time must not hold every other edit back; a half-written file is reported and
        keeps its previous version).
        """
        scan = await asyncio.to_thread(self.assistant.changed_scan)
        if scan is None:
            self._settling, self._unsettled = None, 0  # nothing new, or back as it was
            return self.settings.knowledge_poll_seconds
        settle = self.settings.knowledge_settle_seconds
        if settle > 0 and self._unsettled < MAX_SETTLE_LOOKS and scan != self._settling:
            self._settling = scan
            self._unsettled += 1
            log.debug("knowledge folder changed: waiting %.1f s for it to settle", settle)
            return settle
        if self._unsettled >= MAX_SETTLE_LOOKS:
            log.warning("knowledge folder never settled: reloading it as it is")
        self._settling, self._unsettled = None, 0
        await self.reload_now(scan)  # the scan that settled: loaded without a scan again
        return self.settings.knowledge_poll_seconds

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
        wait = self.settings.knowledge_poll_seconds
        while True:
            await asyncio.sleep(wait)
            wait = self.settings.knowledge_poll_seconds
            try:
                wait = await self.look()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("knowledge watch: reload failed; the previous version keeps serving")
