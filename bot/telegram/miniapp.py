"""The schedule grid Mini App: Telegram's `initData` check, the grid's data, and its page.

Telegram opens the page with the launch parameters in the URL's fragment
(`#tgWebAppData=<initData>&...`); the page posts `initData` back, and the server answers with
the user's saved sessions only once its signature checks out: HMAC-SHA256 of the sorted
`key=value` lines, keyed with HMAC-SHA256("WebAppData", bot token), must equal `hash`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.clock import utc_now
from bot.domain import KnowledgeBase
from bot.i18n import t
from bot.i18n.dates import spell_date

MAX_AGE = timedelta(hours=24)  # initData older than this is refused (a leaked link expires)
MINIAPP_PATH = "/app"


class MiniAppSettings(Protocol):
    """Where the Mini App is served."""

    @property
    def webapp_url(self) -> str | None:
        """The grid page's public HTTPS URL, if set explicitly."""
        ...

    @property
    def webhook_url(self) -> str | None:
        """The webhook URL (the page is served on its host, under /app)."""
        ...


def miniapp_url(settings: MiniAppSettings) -> str | None:
    """The grid page's URL: WEBAPP_URL, else the webhook's host + /app; None in polling mode."""
    if settings.webapp_url:
        return settings.webapp_url
    if not settings.webhook_url:
        return None
    parts = urlsplit(settings.webhook_url)
    return f"{parts.scheme}://{parts.netloc}{MINIAPP_PATH}"


def with_grid_button(
    markup: InlineKeyboardMarkup | None, settings: MiniAppSettings, language: str
) -> InlineKeyboardMarkup | None:
    """The keyboard with a last row opening the grid Mini App (when it is served)."""
    url = miniapp_url(settings)
    if url is None or not url.startswith("https://"):
        return markup  # Telegram opens Mini Apps over HTTPS only
    row = [InlineKeyboardButton(t("btn_grid", language), web_app=WebAppInfo(url))]
    rows = [list(r) for r in markup.inline_keyboard] if markup is not None else []
    return InlineKeyboardMarkup([*rows, row])


@dataclass(frozen=True, slots=True)
class WebAppUser:
    """The Telegram user a valid `initData` speaks for."""

    id: int
    first_name: str
    language_code: str | None


def signature(fields: dict[str, str], token: str) -> str:
    """The hex `hash` Telegram puts in initData for these fields (all but `hash`)."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def validate_init_data(
    init_data: str, token: str, now: datetime | None = None, max_age: timedelta = MAX_AGE
) -> WebAppUser | None:
    """The user of a genuine, fresh `initData` string; None for anything else."""
    try:
        fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return None
    given = fields.get("hash", "")
    if not given or not hmac.compare_digest(signature(fields, token), given):
        return None
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), tz=(now or utc_now()).tzinfo)
        user = json.loads(fields["user"])
        found = WebAppUser(
            int(user["id"]), str(user.get("first_name", "")), user.get("language_code")
        )
    except (KeyError, ValueError, TypeError):
        return None
    if (now or utc_now()) - signed_at > max_age:
        return None
    return found


def grid_data(
    knowledge: KnowledgeBase, zone: tzinfo, language: str, saved: set[str]
) -> dict[str, Any]:
    """Days x rooms: per day, the rooms and the sessions with their slot, saved ones flagged."""
    sessions = sorted(knowledge.sessions.values(), key=lambda s: (s.start, s.room, s.title))
    days: dict[str, dict[str, Any]] = {}
    for session in sessions:
        start, end = session.start.astimezone(zone), session.end.astimezone(zone)
        day = days.setdefault(
            start.date().isoformat(),
            {"label": spell_date(start.date(), language), "rooms": [], "sessions": []},
        )
        room = session.room or "—"
        if room not in day["rooms"]:
            day["rooms"].append(room)
        day["sessions"].append(
            {
                "title": session.title,
                "room": room,
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "saved": session.id in saved,
                "cancelled": session.cancelled,
            }
        )
    for day in days.values():
        day["rooms"].sort()
    return {
        "title": t("grid_title", language),
        "legend": t("grid_legend", language),
        "days": [days[key] for key in sorted(days)],
    }


PAGE = r"""<!doctype html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Programme</title>
<style>
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:12px;background:#fff;color:#1d2733}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 6px}
p.legend{margin:0 0 8px;font-size:13px}
table{border-collapse:separate;border-spacing:3px;width:100%;table-layout:fixed}
th{background:#1d3557;color:#fff;font-size:13px;padding:6px}
td{vertical-align:top;font-size:12px;padding:6px;background:#eef2f7;border-radius:4px}
td.time{background:#fff;font-weight:bold}
th:first-child{width:56px}
td.empty{background:#fafbfc}
td.saved{background:#ffc400;font-weight:bold}
td.cancelled{text-decoration:line-through;color:#888}
span.key{display:inline-block;width:14px;height:14px;background:#ffc400;vertical-align:middle}
#status{color:#a00}
</style></head>
<body><h1 id="title">Programme</h1><p class="legend"><span class="key"></span>
<span id="legend"></span></p><p id="status"></p><div id="grid"></div>
<script>
"use strict";
const launch = new URLSearchParams(location.hash.slice(1));
const initData = (window.Telegram && Telegram.WebApp && Telegram.WebApp.initData)
  || launch.get("tgWebAppData") || "";
function cell(tag, text, cls) {
  const el = document.createElement(tag); el.textContent = text;
  if (cls) el.className = cls; return el;
}
function draw(grid) {
  document.getElementById("title").textContent = grid.title;
  document.getElementById("legend").textContent = grid.legend;
  const root = document.getElementById("grid");
  for (const day of grid.days) {
    root.appendChild(cell("h2", day.label));
    const table = document.createElement("table"), head = document.createElement("tr");
    head.appendChild(cell("th", ""));
    for (const room of day.rooms) head.appendChild(cell("th", room));
    table.appendChild(head);
    const slots = [...new Set(day.sessions.map(s => s.start))];
    for (const slot of slots) {
      const row = document.createElement("tr");
      row.appendChild(cell("td", slot, "time"));
      for (const room of day.rooms) {
        const here = day.sessions.filter(s => s.start === slot && s.room === room);
        if (!here.length) { row.appendChild(cell("td", "", "empty")); continue; }
        const s = here[0];
        const cls = [s.saved ? "saved" : "", s.cancelled ? "cancelled" : ""].join(" ").trim();
        row.appendChild(cell("td", s.start + "–" + s.end + " " + s.title, cls));
      }
      table.appendChild(row);
    }
    root.appendChild(table);
  }
}
const api = location.pathname.replace(/\/$/, "") + "/grid";
fetch(api, {method: "POST", headers: {"Content-Type": "application/json"},
            body: JSON.stringify({initData})})
  .then(r => r.ok ? r.json() : Promise.reject(r.status))
  .then(draw)
  .catch(code => { document.getElementById("status").textContent =
    code === 401 ? "Open this page from the bot's button in Telegram." : "Error " + code; });
</script></body></html>
"""
