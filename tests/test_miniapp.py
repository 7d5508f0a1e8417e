"""The schedule grid Mini App: initData checks, the server's routes, and a real headless browser."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import shutil
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from PIL import Image
from pydantic import SecretStr

from bot.app.composition import build_application
from bot.app.webserver import listen, serve_webhook
from bot.i18n import t
from bot.storage.agenda import save_session
from bot.telegram.miniapp import validate_init_data
from tests.fake_botapi import FakeBotApi
from tests.offline_bot import USER, Bot, make_settings, sample_knowledge
from tests.telegram_helpers import TOKEN, OfflineRequest, RecordingRequest, Updates, collect_errors
from tests.telegram_helpers import started as app_started
from tests.test_organisers import ReloadingAssistant

SAVED_COLOUR = (255, 196, 0)  # td.saved in the page's style
SECRET = "hook-secret"


def signed(fields: dict[str, str], token: str = TOKEN) -> str:
    """initData signed the way Telegram's documentation spells it out."""
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    key = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    digest = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def launch_fields(user_id: int = USER, at: float | None = None) -> dict[str, str]:
    user = {"id": user_id, "first_name": "Nadia", "language_code": "fr"}
    return {
        "auth_date": str(int(at if at is not None else time.time())),
        "query_id": "AAE-test",
        "user": json.dumps(user, separators=(",", ":")),
    }


def test_only_a_genuine_fresh_init_data_names_a_user() -> None:
    genuine = signed(launch_fields())
    user = validate_init_data(genuine, TOKEN)
    assert user is not None
    assert user.id == USER
    assert user.first_name == "Nadia"
    assert validate_init_data(genuine, "999:other-bot") is None
    forged = genuine.replace(f"%22id%22%3A{USER}", "%22id%22%3A1")
    assert forged != genuine
    assert validate_init_data(forged, TOKEN) is None
    assert validate_init_data(signed(launch_fields(at=time.time() - 2 * 86400)), TOKEN) is None
    assert validate_init_data("", TOKEN) is None
    assert validate_init_data("hash=abc&&&", TOKEN) is None


@asynccontextmanager
async def serving(tmp_path: Path, **settings: Any) -> AsyncIterator[tuple[Bot, str]]:
    """The real application (offline Bot API) and the web server on a free 127.0.0.1 port."""
    api = RecordingRequest()
    app = build_application(
        make_settings(tmp_path, webhook_secret=SecretStr(SECRET), **settings),
        ReloadingAssistant(sample_knowledge()),
        request=api,
        get_updates_request=OfflineRequest(),
    )
    errors = collect_errors(app)
    async with app_started(app):
        server = listen(app, app.bot_data["services"].settings, 0, "127.0.0.1", "hook/abc")
        port = next(iter(server._sockets.values())).getsockname()[1]
        await app.start()
        try:
            yield (
                Bot(app, api, errors, Updates(app.bot), app.bot_data["services"].assistant),
                (f"http://127.0.0.1:{port}"),
            )
        finally:
            server.stop()
            await app.stop()
    assert errors == []


async def test_the_webhook_path_takes_updates_with_the_secret_only(tmp_path: Path) -> None:
    async with serving(tmp_path) as (bot, base), httpx.AsyncClient() as client:
        update = bot.updates.text(USER, "/help").to_dict()
        refused = await client.post(f"{base}/hook/abc", json=update)
        assert refused.status_code == 403
        taken = await client.post(
            f"{base}/hook/abc", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert taken.status_code == 200
        for _ in range(100):
            if bot.api.sent_texts(USER):
                break
            await asyncio.sleep(0.05)
        assert bot.api.sent_texts(USER)


async def test_the_grid_gives_saved_sessions_only_for_a_valid_init_data(tmp_path: Path) -> None:
    async with serving(tmp_path) as (bot, base), httpx.AsyncClient() as client:
        await bot.text("/start")
        await save_session(bot.services.store, USER, "d1-2")
        page = await client.get(f"{base}/app")
        assert page.status_code == 200
        assert "tgWebAppData" in page.text
        for body in (
            {},
            {"initData": "user=x&hash=00"},
            {"initData": signed(launch_fields(), "1:x")},
        ):
            assert (await client.post(f"{base}/app/grid", json=body)).status_code == 401
        grid = (
            await client.post(f"{base}/app/grid", json={"initData": signed(launch_fields())})
        ).json()
        day1 = grid["days"][0]
        assert day1["rooms"] == ["Salle 0", "Salle 1", "Salle 2", "—"]
        saved = [s["title"] for day in grid["days"] for s in day["sessions"] if s["saved"]]
        assert saved == ["Session 2 <IA & société>"]
        assert grid["legend"] == t("grid_legend", "fr")


async def test_agenda_offers_the_grid_as_a_web_app_button_in_webhook_mode(tmp_path: Path) -> None:
    async with serving(tmp_path, webhook_url="https://bot.example.org/hook/abc") as (bot, _):
        await bot.text("/agenda")
        rows = bot.api.last_markup()["inline_keyboard"]
        assert rows[-1][0]["web_app"] == {"url": "https://bot.example.org/app"}
        assert rows[-1][0]["text"] == t("btn_grid", "fr")


CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
    "--force-color-profile=srgb", "--window-size=1000,900", "--virtual-time-budget=8000",
)  # fmt: skip


async def screenshot(url: str, out: Path, profile: Path) -> None:
    """Load `url` in Debian's chromium, headless, and save a PNG of the window."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is missing: `make test` installs it (apt-get install chromium)"
    process = await asyncio.create_subprocess_exec(
        chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={out}", url,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await asyncio.wait_for(process.wait(), 90)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise


def colour_share(png: Path, colour: tuple[int, int, int]) -> float:
    """The share of the image's pixels of exactly `colour`."""
    image = Image.open(png).convert("RGB")
    counts = {found: count for count, found in image.getcolors(image.width * image.height) or []}
    return counts.get(colour, 0) / (image.width * image.height)


@pytest.mark.timeout(120)
async def test_a_real_browser_draws_the_grid_with_the_saved_session_highlighted(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path) as (bot, base):
        await bot.text("/start")
        await save_session(bot.services.store, USER, "d1-4")
        launch = f"tgWebAppData={quote(signed(launch_fields()))}&tgWebAppVersion=8.0"
        await screenshot(f"{base}/app#{launch}", tmp_path / "grid.png", tmp_path / "profile")
        anonymous = tmp_path / "anonymous.png"
        await screenshot(f"{base}/app", anonymous, tmp_path / "profile2")
    shot = tmp_path / "grid.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert colour_share(shot, SAVED_COLOUR) > 0.003  # the saved cell (the legend's key is tiny)
    assert colour_share(anonymous, SAVED_COLOUR) < 0.001  # no initData: no personal data


async def test_webhook_mode_sets_the_webhook_serves_updates_and_the_page_then_stops(
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeBotApi() as api:
        api.add_user(USER, language_code="fr")
        settings = make_settings(
            tmp_path,
            webhook_url="https://bot.example.org/hook/abc",
            webhook_port=port,
            webhook_secret=SecretStr(SECRET),
        )
        settings = settings.model_copy(
            update={"telegram_api_url": api.base_url, "telegram_bot_token": SecretStr(api.token)}
        )
        app = build_application(settings, ReloadingAssistant(sample_knowledge()))
        stop = asyncio.Event()
        task = asyncio.create_task(
            serve_webhook(app, settings, "hook/abc", address="127.0.0.1", stop=stop)
        )
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                with contextlib.suppress(httpx.ConnectError):
                    if (await client.get(f"{base}/app")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
            message = {
                "message_id": 1, "date": int(time.time()), "text": "/start",
                "chat": {"id": USER, "type": "private"},
                "from": {"id": USER, "is_bot": False, "first_name": "Nadia", "language_code": "fr"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }  # fmt: skip
            posted = await client.post(
                f"{base}/hook/abc", json={"update_id": 1, "message": message},
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )  # fmt: skip
            assert posted.status_code == 200
            [welcome] = await api.wait_for_messages(USER, 1)
            assert "Bienvenue" in welcome.text
        stop.set()
        await asyncio.wait_for(task, 20)
        [hook] = api.calls_to("setWebhook")
        assert hook.params["url"] == "https://bot.example.org/hook/abc"
        assert hook.params["secret_token"] == SECRET
