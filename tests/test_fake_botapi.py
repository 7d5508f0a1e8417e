"""The loopback Bot API server, driven by the real python-telegram-bot client over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, Update
from telegram import InlineKeyboardMarkup as Keyboard
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fake_botapi import FakeBotApi, parse_html, polling, text_entities

pytestmark = pytest.mark.e2e
USER = 42


@pytest.fixture
async def bot(fake_botapi: FakeBotApi) -> AsyncIterator[Bot]:
    """A real `telegram.Bot` talking to the fake server; user 42 has met the bot."""
    fake_botapi.add_user(USER, "Amal", "fr")
    async with Bot(fake_botapi.token, base_url=fake_botapi.base_url) as client:
        yield client


def one_button(data: str) -> Keyboard:
    return Keyboard([[InlineKeyboardButton("go", callback_data=data)]])


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("<b>Rabat</b> &amp; <i>Casablanca</i>", "Rabat & Casablanca"),
        ('<a href="https://x.ma/?a=1&amp;b=2">lien</a> &lt;3 &#1575;', "lien <3 ا"),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler><pre><code>c</code></pre>',
            "stc",
        ),
        ("a & b > c &nbsp;", "a & b > c &nbsp;"),
        ("<blockquote expandable>q</blockquote>", "q"),
    ],
)
def test_parse_html_accepts_telegram_html(html: str, plain: str) -> None:
    assert parse_html(html) == plain


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>open", 'end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("1 < 2", "Unsupported start tag"),
        ("line<br>break", 'Unsupported start tag "br"'),
        ("<span>x</span>", "tg-spoiler"),
        ("x</b>", "Unexpected end tag"),
        ("<a href='x'", "Unclosed start tag"),
    ],
)
async def test_bad_html_is_refused_like_telegram(
    bot: Bot, fake_botapi: FakeBotApi, html: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)parse entities") as caught:
        await bot.send_message(USER, html, parse_mode="HTML")
    assert reason.lower() in str(caught.value).lower()
    assert fake_botapi.delivered(USER) == 0
    assert [c.status for c in fake_botapi.bad_requests()] == [400]


def test_entities_count_utf16_units() -> None:
    entities = text_entities("🎉 salut /start@bot et @organisateurs")
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bot_command", 9, 10),
        ("mention", 23, 14),
    ]


async def test_get_me_and_send_message(bot: Bot, fake_botapi: FakeBotApi) -> None:
    me = await bot.get_me()
    sent = await bot.send_message(
        USER, "<b>Bienvenue</b> à Rabat", parse_mode="HTML", reply_markup=one_button("s:1")
    )
    assert me.username == "fake_assistant_bot"
    assert sent.text == "Bienvenue à Rabat"
    [message] = fake_botapi.messages_to(USER)
    assert (message.message_id, message.text, message.raw_text) == (
        sent.message_id,
        sent.text,
        "<b>Bienvenue</b> à Rabat",
    )
    assert message.callback_data("go") == "s:1"
    call = fake_botapi.calls_to("sendMessage", 200)[0]
    assert (call.chat_id, call.params["chat_id"], call.params["parse_mode"]) == (USER, USER, "HTML")
    fake_botapi.assert_no_bad_requests()


async def test_text_limits(bot: Bot, fake_botapi: FakeBotApi) -> None:
    await bot.send_message(USER, "&amp;" * 4096, parse_mode="HTML")  # 4,096 once parsed
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "who?")
    assert fake_botapi.delivered(USER) == 1


async def test_keyboards_are_checked(bot: Bot, fake_botapi: FakeBotApi) -> None:
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "pick", reply_markup=one_button("é" * 33))  # 66 bytes
    await bot.send_message(USER, "pick", reply_markup=one_button("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.send_message(
            USER, "pick", reply_markup=Keyboard([[InlineKeyboardButton("bare")]])
        )
    assert fake_botapi.delivered(USER) == 1


async def test_unknown_method_is_400_and_wrong_token_401(bot: Bot, fake_botapi: FakeBotApi) -> None:
    with pytest.raises(BadRequest, match=r"(?i)not implemented"):
        await bot.send_dice(USER)
    async with httpx.AsyncClient() as client:
        unknown = await client.post(f"{fake_botapi.base_url}{fake_botapi.token}/nope", json={})
        wrong = await client.post(f"{fake_botapi.base_url}0:wrong/getMe")
    assert unknown.status_code == 400
    assert unknown.json()["ok"] is False
    assert unknown.json()["error_code"] == 400
    assert wrong.status_code == 401
    with pytest.raises(InvalidToken):  # `async with` calls getMe first
        async with Bot("0:wrong", base_url=fake_botapi.base_url):
            pass


async def test_json_bodies_are_accepted(fake_botapi: FakeBotApi) -> None:
    fake_botapi.add_user(USER)
    async with httpx.AsyncClient() as client:
        url = f"{fake_botapi.base_url}{fake_botapi.token}/sendMessage"
        answer = await client.post(url, json={"chat_id": USER, "text": "json"})
    assert answer.json()["result"]["text"] == "json"


def test_a_request_cut_off_mid_body_is_not_a_call(fake_botapi: FakeBotApi) -> None:
    """A send cancelled between its headers and its body (a crash) never reaches Telegram."""
    body = b"chat_id=42&text=cut"
    head = (
        f"POST /bot{fake_botapi.token}/sendMessage HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", fake_botapi.port), timeout=5) as client:
        client.sendall(head.encode() + body[:4])
        client.shutdown(socket.SHUT_WR)
        assert client.recv(1024) == b""  # closed without an answer
    assert fake_botapi.calls == []
    fake_botapi.assert_no_bad_requests()


async def test_blocked_user_is_forbidden(bot: Bot, fake_botapi: FakeBotApi) -> None:
    fake_botapi.block(USER)
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await bot.send_message(USER, "news")
    assert fake_botapi.delivered(USER) == 0
    assert fake_botapi.bad_requests() == []


async def test_rate_limit_answers_429_with_retry_after(
    bot: Bot, fake_botapi: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, building RetryAfter warns (an error under our filterwarnings).
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    fake_botapi.rate_limit_per_second = 3
    for n in range(3):
        await bot.send_message(USER, f"n{n}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "one too many")
    assert caught.value.retry_after == dt.timedelta(seconds=1)
    assert (fake_botapi.throttled, fake_botapi.delivered(USER)) == (1, 3)
    assert fake_botapi.calls_to("sendMessage", 429)[0].injected


async def test_injected_5xx_then_recovery(bot: Bot, fake_botapi: FakeBotApi) -> None:
    fake_botapi.fail_next("sendMessage", status=502, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.send_message(USER, "retry me")
    await bot.send_message(USER, "retry me")
    assert fake_botapi.delivered(USER) == 1
    assert [c.status for c in fake_botapi.calls_to("sendMessage")] == [502, 502, 200]


async def test_group_migration(bot: Bot, fake_botapi: FakeBotApi) -> None:
    fake_botapi.add_group(-5, "Staff")
    fake_botapi.migrate(-5, -1005)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-5, "hello group")
    assert caught.value.new_chat_id == -1005
    await bot.send_message(-1005, "hello supergroup")
    assert fake_botapi.delivered(-1005) == 1


async def test_slow_answer_times_out_yet_is_delivered(bot: Bot, fake_botapi: FakeBotApi) -> None:
    fake_botapi.delay("sendMessage", 0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "in flight", read_timeout=0.1)
    # As with Telegram, a request that timed out on the client may still have been delivered.
    await fake_botapi.wait_for(lambda: fake_botapi.delivered(USER) == 1, what="late delivery")


async def test_long_poll_returns_an_update_injected_while_waiting(
    bot: Bot, fake_botapi: FakeBotApi
) -> None:
    asyncio.get_running_loop().call_later(0.2, fake_botapi.send_command, USER, "start", "s_k1")
    updates = await bot.get_updates(timeout=dt.timedelta(seconds=3))
    [update] = updates
    assert update.message is not None
    assert update.message.text == "/start s_k1"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "fr"
    assert update.message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=update.update_id + 1, timeout=dt.timedelta(0)) == ()
    assert fake_botapi.pending_updates == 0


async def test_send_document_records_the_upload(bot: Bot, fake_botapi: FakeBotApi) -> None:
    sent = await bot.send_document(
        USER, b"BEGIN:VCALENDAR", filename="session.ics", caption="<i>cal</i>", parse_mode="HTML"
    )
    [upload] = fake_botapi.uploads
    assert (upload.filename, upload.content) == ("session.ics", b"BEGIN:VCALENDAR")
    assert sent.document is not None
    assert sent.document.file_name == "session.ics"
    assert fake_botapi.messages_to(USER)[0].text == "cal"


async def test_edits_buttons_and_callback_answers(bot: Bot, fake_botapi: FakeBotApi) -> None:
    sent = await bot.send_message(USER, "page 1", reply_markup=one_button("p:2"))
    query = fake_botapi.press_button(USER, sent.message_id, "p:2")
    with pytest.raises(ValueError, match="no button"):
        fake_botapi.press_button(USER, sent.message_id, "p:9")
    assert await bot.answer_callback_query(query["id"], text="ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("forged")
    await bot.edit_message_text("page 2", USER, sent.message_id, reply_markup=one_button("p:1"))
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("page 2", USER, sent.message_id, reply_markup=one_button("p:1"))
    [message] = fake_botapi.messages_to(USER)
    assert (message.text, message.edits, message.buttons[0]["callback_data"]) == (
        "page 2",
        1,
        "p:1",
    )
    assert fake_botapi.callback_answers[query["id"]]["text"] == "ok"


async def test_copy_and_delete(bot: Bot, fake_botapi: FakeBotApi) -> None:
    fake_botapi.add_user(7, "Admin", "en")
    announcement = fake_botapi.send_text(7, "Plenary moved to 10:00")
    copied = await bot.copy_message(USER, 7, announcement["message_id"])
    [message] = fake_botapi.messages_to(USER)
    assert (message.message_id, message.text) == (copied.message_id, "Plenary moved to 10:00")
    assert await bot.delete_message(USER, copied.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, copied.message_id)
    assert (fake_botapi.messages_to(USER), fake_botapi.delivered(USER)) == ([], 1)


def test_group_messages_mention_the_bot(fake_botapi: FakeBotApi) -> None:
    plain = fake_botapi.send_text(5, "bonjour à tous", chat_type="group")
    asked = fake_botapi.send_text(5, "où est la salle ?", chat_type="group", mention=True)
    command = fake_botapi.send_command(
        5, "help", chat_type="supergroup", chat_id=-1002, mention=True
    )
    assert "entities" not in plain
    assert asked["text"] == "@fake_assistant_bot où est la salle ?"
    assert asked["entities"] == [{"type": "mention", "offset": 0, "length": 19}]
    assert (asked["chat"]["id"], asked["chat"]["type"]) == (-1001, "group")
    assert command["text"] == "/help@fake_assistant_bot"
    assert command["chat"]["type"] == "supergroup"
    assert [m["message_id"] for m in (plain, asked)] == [1, 2]
    assert fake_botapi.pending_updates == 3


async def test_commands_per_scope_and_language(bot: Bot, fake_botapi: FakeBotApi) -> None:
    await bot.set_my_commands([BotCommand("programme", "Le programme")], language_code="fr")
    await bot.set_my_commands([BotCommand("broadcast", "Annonce")], scope=BotCommandScopeChat(USER))
    french = await bot.get_my_commands(language_code="fr")
    assert [c.command for c in french] == ["programme"]
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Programme!", "x")])
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands([BotCommand("stats", "x")], scope=BotCommandScopeChat(777))
    key = ('{"chat_id": 42, "type": "chat"}', "")
    assert fake_botapi.commands[key] == [{"command": "broadcast", "description": "Annonce"}]


async def test_application_polls_and_replies(fake_botapi: FakeBotApi) -> None:
    errors: list[object] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("welcome", reply_markup=one_button("hi"))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("pressed")

    async def collect(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    builder = ApplicationBuilder().token(fake_botapi.token).base_url(fake_botapi.base_url)
    app = builder.base_file_url(fake_botapi.base_file_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_error_handler(collect)
    async with polling(app):
        fake_botapi.send_text(7, "bonjour")
        fake_botapi.send_command(8, "start@fake_assistant_bot", chat_type="group")
        [reply] = await fake_botapi.wait_for_messages(7, 1)
        [welcome] = await fake_botapi.wait_for_messages(-1001, 1)
        fake_botapi.press_button(8, welcome.message_id, "hi", chat_id=-1001)
        answered = await fake_botapi.wait_for_call("answerCallbackQuery")
    assert reply.text == "echo: bonjour"
    assert answered.params["text"] == "pressed"
    assert fake_botapi.pending_updates == 0
    assert errors == []
    fake_botapi.assert_no_bad_requests()
