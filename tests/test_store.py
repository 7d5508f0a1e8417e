"""The shared SQLite connection: transactions stay whole when their caller is cancelled."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.storage.store import Store


async def _occupy(store: Store, seconds: float) -> asyncio.Task[object]:
    """Keep the connection's thread busy, so that the next statement waits in its queue."""

    def pause(seconds: float) -> int:
        time.sleep(seconds)
        return 0

    await store.db.create_function("pause", 1, pause)
    busy = asyncio.create_task(store.db.execute("SELECT pause(?)", (seconds,)))
    await asyncio.sleep(0.05)  # the pause is running on the thread now
    return busy


async def test_a_transaction_cancelled_while_beginning_leaves_the_connection_usable(
    tmp_path: Path,
) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        await store.db.execute("CREATE TABLE notes (text TEXT)")
        busy = await _occupy(store, 0.3)

        async def write() -> None:
            async with store.transaction() as db:
                await db.execute("INSERT INTO notes VALUES ('cancelled')")

        # A live board stopped at shutdown: its BEGIN is queued behind the pause, then cancelled.
        cancelled = asyncio.create_task(write())
        await asyncio.sleep(0.05)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        await busy

        async with store.transaction() as db:  # failed before: a transaction within a transaction
            await db.execute("INSERT INTO notes VALUES ('kept')")
        async with store.db.execute("SELECT text FROM notes") as cursor:
            assert [row[0] for row in await cursor.fetchall()] == ["kept"]
        assert not store.db.in_transaction
    finally:
        await store.close()


async def test_a_transaction_cancelled_in_its_body_is_rolled_back(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        await store.db.execute("CREATE TABLE notes (text TEXT)")
        started = asyncio.Event()

        async def write() -> None:
            async with store.transaction() as db:
                await db.execute("INSERT INTO notes VALUES ('half')")
                started.set()
                await asyncio.sleep(10)

        task = asyncio.create_task(write())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with store.transaction() as db:
            await db.execute("INSERT INTO notes VALUES ('whole')")
        async with store.db.execute("SELECT text FROM notes") as cursor:
            assert [row[0] for row in await cursor.fetchall()] == ["whole"]
    finally:
        await store.close()
