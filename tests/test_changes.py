"""Programme changes: the diff by session id, and notices queued once to the people concerned."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.settings import Settings
from bot.broadcast.notices import ProgrammeNotifier, notice_text
from bot.clock import utc_now
from bot.domain import EventInfo, KnowledgeBase, Session, Vertical
from bot.knowledge.diff import REMOVED, ChangeKind, Known, Slot, diff_programme
from bot.storage.store import Store, iso

ZONE = ZoneInfo("Africa/Casablanca")
DAY = datetime(2031, 7, 1, tzinfo=ZONE)


def session(
    session_id: str, hour: int, room: str = "Salle A", status: str = "confirmed", **kw: str
) -> Session:
    start = DAY.replace(hour=hour)
    return Session(
        session_id, kw.get("title", f"Séance {session_id}"), start, start + timedelta(hours=1),
        room, kw.get("vertical", "sante"), status=status,
    )  # fmt: skip


def known(*sessions: Session) -> dict[str, Known]:
    return {s.id: Known(s.title, s.vertical_id, Slot.of(s).fingerprint) for s in sessions}


def programme(*sessions: Session) -> KnowledgeBase:
    event = EventInfo("Assises", DAY.date(), DAY.date(), "Africa/Casablanca")
    verticals = {"sante": Vertical("sante", {"fr": "Santé", "en": "Health", "ar": "الصحة"})}
    return KnowledgeBase(sessions={s.id: s for s in sessions}, verticals=verticals, event=event)


def test_diff_tells_moves_cancellations_removals_and_new_sessions() -> None:
    before = known(
        session("a", 9), session("b", 10), session("c", 11), session("d", 12),
        session("e", 13, status="tentative"), session("gone-cancelled", 14, status="cancelled"),
        session("back", 15, status="cancelled"),
    )  # fmt: skip
    after = {
        "a": session("a", 16),  # later
        "b": session("b", 10, room="Salle B"),  # elsewhere
        "c": session("c", 11, status="cancelled"),
        # d removed; gone-cancelled removed too, but it was cancelled already: nothing to say
        "e": session("e", 13),  # tentative -> confirmed, same slot: nothing to say
        "back": session("back", 15),  # reinstated
        "f": session("f", 17),
        "g": session("g", 18, status="cancelled"),  # new but cancelled: nothing to say
    }
    changes = {c.session_id: c for c in diff_programme(before, after)}
    assert {k: c.kind for k, c in changes.items()} == {
        "a": ChangeKind.MOVED,
        "b": ChangeKind.MOVED,
        "c": ChangeKind.CANCELLED,
        "d": ChangeKind.REMOVED,
        "back": ChangeKind.MOVED,
        "f": ChangeKind.NEW,
    }
    assert changes["a"].before is not None
    assert changes["a"].before.start == DAY.replace(hour=9)
    assert changes["d"].fingerprint == REMOVED
    assert diff_programme(known(*after.values()), after) == []


def test_a_fingerprint_survives_a_room_with_a_bar() -> None:
    slot = Slot.of(session("a", 9, room="Hall | B"))
    assert Slot.parse(slot.fingerprint) == slot


def test_notice_texts_say_what_changed_in_each_language() -> None:
    [moved] = diff_programme(known(session("a", 9)), {"a": session("a", 16, title="Ouverture")})
    assert notice_text(moved, "fr", ZONE) == (
        "🔔 Changement de programme : « Ouverture » a lieu désormais mardi 1er juillet "
        "16:00–17:00, Salle A (au lieu de mardi 1er juillet 09:00–10:00, Salle A)."
    )
    assert "now takes place Tuesday 1 July 16:00–17:00" in notice_text(moved, "en", ZONE)
    [new] = diff_programme(known(session("a", 9)), {"a": session("a", 9), "n": session("n", 8)})
    assert notice_text(new, "ar", ZONE, "الصحة").startswith("🆕 جديد في محور «الصحة»")
    # Arabic punctuation throughout: the Arabic comma, never a Latin one
    assert "الثلاثاء، 1 يوليوز 08:00–09:00، Salle A" in notice_text(new, "ar", ZONE)
    assert "," not in notice_text(new, "ar", ZONE)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "data" / "db.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()


async def add_user(store: Store, user_id: int, language: str, blocked: bool = False) -> None:
    now = iso(utc_now())
    async with store.transaction() as db:
        await db.execute(
            "INSERT INTO users (user_id, chat_id, language, subscribed, blocked, first_seen,"
            " last_seen) VALUES (?, ?, ?, 0, ?, ?, ?)",
            (user_id, user_id, language, int(blocked), now, now),
        )


async def notices(store: Store) -> list[tuple[str, list[int]]]:
    async with store.db.execute(
        "SELECT b.text, group_concat(d.chat_id) FROM broadcasts b JOIN broadcast_deliveries d"
        " ON d.broadcast_id = b.id WHERE b.kind = 'notice' GROUP BY b.id ORDER BY b.id"
    ) as cursor:
        return [
            (str(r[0]), sorted(int(c) for c in str(r[1]).split(",")))
            for r in await cursor.fetchall()
        ]


async def test_notices_reach_savers_followers_and_reminded_once(
    store: Store, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    for user_id, language in ((1, "fr"), (2, "en"), (3, "ar"), (5, "fr"), (6, "fr")):
        await add_user(store, user_id, language)
    await add_user(store, 4, "fr", blocked=True)
    now = iso(utc_now())
    async with store.transaction() as db:
        for user_id in (1, 4):
            await db.execute(
                "INSERT INTO saved_sessions (user_id, session_id, saved_at) VALUES (?, 'a', ?)",
                (user_id, now),
            )
        await db.execute("INSERT INTO follows (user_id, vertical_id) VALUES (2, 'sante')")
        await db.execute(
            "INSERT INTO reminders (user_id, chat_id, session_id, session_start, remind_at)"
            " VALUES (3, 3, 'a', ?, ?)",
            (now, now),
        )
        await db.execute(  # user 5 saved another session: not concerned
            "INSERT INTO saved_sessions (user_id, session_id, saved_at) VALUES (5, 'b', ?)", (now,)
        )
    other = session("b", 11, vertical="education")
    version1 = programme(session("a", 9), other)
    version2 = programme(session("a", 16), other)
    notifier = ProgrammeNotifier(store, settings)

    assert await notifier.sync(version1) == []  # the first programme seen is the baseline
    assert await notices(store) == []
    [change] = await notifier.sync(version2)
    assert change.kind is ChangeKind.MOVED
    queued = await notices(store)
    assert [chats for _, chats in queued] == [[3], [2], [1]]  # ar, en, fr; blocked 4 left out
    assert "16:00" in queued[2][0]
    assert queued[2][0].startswith("🔔 Changement de programme")
    assert "Health" not in queued[1][0]

    await notifier.sync(version2)  # the same version again
    await ProgrammeNotifier(store, settings).sync(version2)  # after a restart
    assert len(await notices(store)) == 3

    assert await notifier.sync(KnowledgeBase()) == []  # a failed load removes nothing
    version3 = programme(replace(session("a", 16), status="cancelled"), other)
    [cancelled] = await notifier.sync(version3)
    assert cancelled.kind is ChangeKind.CANCELLED
    assert [chats for _, chats in (await notices(store))[3:]] == [[3], [2], [1]]
    removed = await notifier.sync(programme(other))
    assert removed == []  # removing a cancelled session tells nobody anything new
    added = await notifier.sync(programme(other, session("n", 12)))
    assert [c.kind for c in added] == [ChangeKind.NEW]
    assert (await notices(store))[-1] == (
        "🆕 New in “Health”: “Séance n”, Tuesday 1 July 12:00–13:00, Salle A.",
        [2],  # only followers hear about new sessions
    )
