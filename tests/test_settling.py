"""A change to the knowledge folder is reloaded only once it settled (a save, a sync)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.app.settings import Settings
from bot.domain import KnowledgeBase
from bot.knowledge.folder import scan_folder
from bot.knowledge.watcher import MAX_SETTLE_LOOKS, KnowledgeWatcher, ReloadReport

WHOLE = "# Practical information\n\n## Wifi\n\nThe network is ConfNet.\n"


class FolderSource:
    """A reload source on a real folder: changed when its scan differs from the last reload."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.scan = scan_folder(root)
        self.knowledge = KnowledgeBase()
        self.reloads: list[dict[str, str]] = []  # what each reload read

    def folder_changed(self) -> bool:
        return scan_folder(self.root) != self.scan

    def reload(self) -> ReloadReport:
        self.scan = scan_folder(self.root)
        self.reloads.append({rel: (self.root / rel).read_text() for rel in self.scan})
        return ReloadReport(True, [], self.knowledge, self.knowledge)


def settings_for(root: Path, settle: float) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        knowledge_dir=root,
        knowledge_poll_seconds=2,
        knowledge_settle_seconds=settle,
    )


async def _ignore(_report: ReloadReport) -> None: ...


async def test_a_file_missing_for_a_moment_causes_no_reload(tmp_path: Path) -> None:
    info = tmp_path / "info.en.md"
    info.write_text(WHOLE)
    source = FolderSource(tmp_path)
    watcher = KnowledgeWatcher(source, settings_for(tmp_path, 3), _ignore)
    assert await watcher.look() == 2  # nothing changed: the next look after a poll
    aside = tmp_path / ".info.en.md.sync-tmp"
    info.rename(aside)  # a sync tool moves the file away while it copies the new one
    assert await watcher.look() == 3  # a change: looked at again once it had time to settle
    aside.rename(info)  # back, the same file (same modification time and size)
    assert await watcher.look() == 2
    assert await watcher.look() == 2
    assert source.reloads == []


async def test_a_file_written_in_steps_is_reloaded_once_whole(tmp_path: Path) -> None:
    info = tmp_path / "info.en.md"
    info.write_text(WHOLE)
    source = FolderSource(tmp_path)
    watcher = KnowledgeWatcher(source, settings_for(tmp_path, 3), _ignore)
    with info.open("w") as file:  # an editor truncates, then writes in chunks
        file.write(WHOLE[:20])
        file.flush()
        assert await watcher.look() == 3
        file.write(WHOLE[20:40])
        file.flush()
        assert await watcher.look() == 3  # still changing: wait again
    info.write_text(WHOLE + "\nIt is free.\n")
    os.utime(info, ns=(1_000_000_000, 1_000_000_000))
    assert await watcher.look() == 3
    assert source.reloads == []
    assert await watcher.look() == 2  # the same scan twice in a row: reloaded, whole
    assert source.reloads == [{"info.en.md": WHOLE + "\nIt is free.\n"}]
    assert await watcher.look() == 2
    assert len(source.reloads) == 1


async def test_no_settle_time_reloads_at_the_first_look(tmp_path: Path) -> None:
    source = FolderSource(tmp_path)
    watcher = KnowledgeWatcher(source, settings_for(tmp_path, 0), _ignore)
    (tmp_path / "info.en.md").write_text(WHOLE)
    assert await watcher.look() == 2
    assert len(source.reloads) == 1


async def test_a_folder_that_never_settles_is_reloaded_anyway(tmp_path: Path) -> None:
    log = tmp_path / "notes.md"
    source = FolderSource(tmp_path)
    watcher = KnowledgeWatcher(source, settings_for(tmp_path, 3), _ignore)
    for step in range(MAX_SETTLE_LOOKS):
        log.write_text(WHOLE * (step + 1))  # written to between every two looks
        assert await watcher.look() == 3
    assert source.reloads == []
    log.write_text(WHOLE * 100)
    assert await watcher.look() == 2  # waited long enough: reloaded as it is
    assert len(source.reloads) == 1
