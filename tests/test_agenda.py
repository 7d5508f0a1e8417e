"""Agenda: saving sessions, following verticals, clashes, and the /agenda text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import utc_now
from bot.domain import KnowledgeBase, Session
from bot.storage.agenda import (
    follow_vertical,
    followed_verticals,
    followers_of,
    is_saved,
    remove_session,
    save_session,
    saved_session_ids,
    unfollow_vertical,
    users_who_saved,
)
from bot.storage.store import Store, iso
from bot.telegram.agenda import agenda_for, find_clashes, render_agenda, user_agenda

RABAT = ZoneInfo("Africa/Casablanca")


def talk(sid: str, hour: float, minutes: int = 60, **fields: Any) -> Session:
    start = datetime(2025, 7, 1, 8, tzinfo=RABAT) + timedelta(hours=hour)
    values: dict[str, Any] = {"title": f"Talk {sid}", "room": "Salle A"} | fields
    return Session(id=sid, start=start, end=start + timedelta(minutes=minutes), **values)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "db.sqlite3")
    now = iso(utc_now())
    await store.db.executemany(
        "INSERT INTO users (user_id, chat_id, first_seen, last_seen) VALUES (?, ?, ?, ?)",
        [(user, user, now, now) for user in (1, 2, 3)],
    )
    await store.db.commit()
    yield store
    await store.close()


async def test_save_and_remove_sessions(store: Store) -> None:
    assert await save_session(store, 1, "s2")
    assert await save_session(store, 1, "s1")
    assert not await save_session(store, 1, "s2")  # already saved
    assert await save_session(store, 2, "s2")
    assert await is_saved(store, 1, "s1")
    assert not await is_saved(store, 3, "s1")
    assert await saved_session_ids(store, 1) == ["s2", "s1"]
    assert await users_who_saved(store, "s2") == [1, 2]

    assert await remove_session(store, 1, "s2")
    assert not await remove_session(store, 1, "s2")
    assert await saved_session_ids(store, 1) == ["s1"]
    assert await users_who_saved(store, "s2") == [2]
    assert await users_who_saved(store, "nope") == []


async def test_follow_and_unfollow_verticals(store: Store) -> None:
    assert await follow_vertical(store, 1, "health")
    assert not await follow_vertical(store, 1, "health")
    assert await follow_vertical(store, 1, "agriculture")
    assert await follow_vertical(store, 3, "health")
    assert await followed_verticals(store, 1) == ["agriculture", "health"]
    assert await followers_of(store, "health") == [1, 3]

    assert await unfollow_vertical(store, 1, "health")
    assert not await unfollow_vertical(store, 1, "health")
    assert await followers_of(store, "health") == [3]
    assert await followed_verticals(store, 2) == []


def test_clashes_are_overlaps_between_live_sessions() -> None:
    a = talk("a", 1)  # 09:00-10:00
    b = talk("b", 1.5)  # 09:30-10:30, overlaps a
    c = talk("c", 2)  # 10:00-11:00: touches a (no clash), overlaps b
    d = talk("d", 1, minutes=240)  # 09:00-13:00: overlaps everything
    e = talk("e", 1.25, status="cancelled")  # cancelled: never clashes
    f = talk("f", 6)  # 14:00-15:00: alone
    pairs = find_clashes([f, e, d, c, b, a])
    assert pairs == {
        frozenset(p) for p in (("a", "b"), ("b", "c"), ("a", "d"), ("b", "d"), ("c", "d"))
    }
    assert find_clashes([a, c, f]) == set()
    assert find_clashes([]) == set()


def test_agenda_is_sorted_flags_clashes_and_reports_missing() -> None:
    kb = KnowledgeBase(sessions={s.id: s for s in (talk("late", 5), talk("x", 1), talk("y", 1.5))})
    items = agenda_for(kb, ["late", "gone", "y", "x", "x"])
    assert [i.session_id for i in items] == ["x", "y", "late", "gone"]
    assert [i.missing for i in items] == [False, False, False, True]
    assert items[0].clashes_with == ("y",)
    assert items[1].clashes_with == ("x",)
    assert items[2].clashes_with == ()


async def test_user_agenda_and_its_text(store: Store) -> None:
    first = talk("s1", 1, title="IA & <santé>")
    second = talk("s2", 1.5, room="")
    dropped = talk("s3", 25, status="cancelled")
    kb = KnowledgeBase(sessions={s.id: s for s in (first, second, dropped)})
    for sid in ("s3", "s2", "s1", "old"):
        await save_session(store, 1, sid)
    items = await user_agenda(store, kb, 1)
    text = render_agenda(items, "fr", RABAT)
    assert text.startswith("<b>Mon agenda</b>")
    assert "mardi 1er juillet" in text
    assert "mercredi 2 juillet" in text
    assert "09:00–10:00 IA &amp; &lt;santé&gt; · Salle A" in text
    assert text.count("⚠️") == 2  # s1 and s2 overlap
    assert "<s>" in text
    assert "(annulée)" in text
    assert "1 séance enregistrée ne figure plus" in text  # "old" is no longer in the programme
    assert text.index("IA &amp;") < text.index("Talk s2") < text.index("Talk s3")
    english = render_agenda(items, "en", RABAT)
    assert "Tuesday 1 July" in english
    assert "same time" in english
    assert "⭐" in render_agenda([], "en", RABAT)
