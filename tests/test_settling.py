"""A change to the knowledge folder is reloaded only once it settled (a save, a sync)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.app.settings import Settings
from bot.domain import KnowledgeBase
from bot.knowledge import folder
from bot.knowledge.folder import Scan, folder_scan
from bot.knowledge.watcher import MAX_SETTLE_LOOKS, KnowledgeWatcher, ReloadReport
from bot.search.assistant import Assistant

scan_of = folder_scan  # the real scan, for the counting one to call

WHOLE = "# Practical information\n\n## Wifi\n\nThe network is ConfNet.\n"


class FolderSource:
    """A reload source on a real folder: changed when its scan differs from the last reload."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.scan = folder_scan(root)
        self.knowledge = KnowledgeBase()
        self.reloads: list[dict[str, str]] = []  # what each reload read

    def changed_scan(self) -> Scan | None:
        scan = folder_scan(self.root)
        return None if scan == self.scan else scan

    def reload(self, scan: Scan | None = None) -> ReloadReport:
        self.scan = scan or folder_scan(self.root)
        self.reloads.append({rel: (self.root / rel).read_text() for rel in self.scan.stamps})
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


async def test_each_look_scans_the_folder_once_and_the_reload_loads_that_scan(
    hashing_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = hashing_settings.knowledge_dir
    info = root / "info.en.md"
    info.write_text(WHOLE)
    assistant = Assistant.load(hashing_settings)
    scans: list[Path] = []

    def counted(path: Path) -> Scan:
        scans.append(path)
        return scan_of(path)

    monkeypatch.setattr(folder, "folder_scan", counted)
    settings = hashing_settings.model_copy(
        update={"knowledge_poll_seconds": 2, "knowledge_settle_seconds": 3}
    )
    watcher = KnowledgeWatcher(assistant, settings, _ignore)
    per_look: list[int] = []
    for edit in (None, "\n## Lockers\n\nLockers are at the entrance.\n", None):
        if edit is not None:
            info.write_text(WHOLE + edit)
        before = len(scans)
        await watcher.look()  # nothing new / a change seen: it must settle
        per_look.append(len(scans) - before)
        if edit is not None:
            assert "Lockers" not in " ".join(p.text for p in assistant.knowledge.passages)
            before = len(scans)
            assert await watcher.look() == 2  # settled: reloaded from the scan just taken
            per_look.append(len(scans) - before)
            assert "Lockers" in " ".join(p.text for p in assistant.knowledge.passages)
    assert per_look == [1, 1, 1, 1]
    before = len(scans)
    await watcher.reload_now()  # the admin's /reload: the folder as it is now, scanned once
    assert len(scans) - before == 1
