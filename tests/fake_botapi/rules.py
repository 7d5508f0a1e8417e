"""What the real Bot API refuses: Telegram-HTML, lengths, keyboards, commands, inline results.

The checks and error descriptions follow the Bot API server (tdlib) closely enough that a bot
which passes them is not refused by Telegram for the same reasons.
"""

from __future__ import annotations

import html
import re
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_INLINE_RESULTS = 50
ALLOWED_TAGS = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji".split()
)
CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)
BUTTON_ACTIONS = frozenset(
    "url callback_data web_app login_url switch_inline_query switch_inline_query_current_chat "
    "switch_inline_query_chosen_chat copy_text callback_game pay".split()
)
COMMAND_SCOPES = frozenset(
    "default all_private_chats all_group_chats all_chat_administrators chat "
    "chat_administrators chat_member".split()
)
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")
# `name="v"`, `name='v'`, `name=v`, or a bare name (`<blockquote expandable>`).
_ATTRIBUTE = re.compile(r"([A-Za-z0-9_-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")


class ApiError(Exception):
    """A refusal: HTTP status, Telegram's description and optional response parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(reason: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: ..." description."""
    return ApiError(400, f"Bad Request: {reason}")


def _entities_error(reason: str, text: str, index: int) -> ApiError:
    offset = len(text[:index].encode())
    return bad_request(f"can't parse entities: {reason} at byte offset {offset}")


def _read_tag(text: str, start: int) -> tuple[str, dict[str, str], int]:
    """Parse `<name attr="v" ...>` from `start` (at '<'); return name, attributes, next index."""
    i = start + 1
    while i < len(text) and not text[i].isspace() and text[i] not in ">/":
        i += 1
    name = text[start + 1 : i].lower()
    if name not in ALLOWED_TAGS:
        raise _entities_error(f'Unsupported start tag "{name}"', text, start)
    attributes: dict[str, str] = {}
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            raise _entities_error("Unclosed start tag", text, start)
        if text[i] == ">":
            return name, attributes, i + 1
        match = _ATTRIBUTE.match(text, i)
        if not match:
            raise _entities_error(f'Expected equal sign in declaration of "{name}"', text, i)
        value = match.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        attributes[match.group(1).lower()] = html.unescape(value)
        i = match.end()


def _check_tag(name: str, attributes: dict[str, str], text: str, start: int) -> None:
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise _entities_error('Tag "span" must have class "tg-spoiler"', text, start)
    if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise _entities_error("Custom emoji entity must have a valid emoji-id", text, start)


def parse_html(text: str) -> str:
    """Return the plain text of Telegram-HTML `text`, or raise the 400 Telegram would send."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            match = _ENTITY.match(text, i)
            out.append(html.unescape(match.group(0)) if match else "&")
            i = match.end() if match else i + 1
        elif char == "<" and text.startswith("</", i):
            end = text.find(">", i)
            if end < 0:
                raise _entities_error("Unclosed end tag", text, i)
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _entities_error(f'Unexpected end tag "{name}"', text, i)
            if name != stack[-1]:
                expected = f'expected "</{stack[-1]}>", found "</{name}>"'
                raise _entities_error(f"Unmatched end tag, {expected}", text, i)
            stack.pop()
            i = end + 1
        elif char == "<":
            name, attributes, i_next = _read_tag(text, i)
            _check_tag(name, attributes, text, i)
            stack.append(name)
            i = i_next
        else:
            out.append(char)
            i += 1
    if stack:
        reason = f'Can\'t find end tag corresponding to start tag "{stack[-1]}"'
        raise bad_request(f"can't parse entities: {reason}")
    return "".join(out)


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user would see: HTML parsed (and validated), other modes taken as is."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode in ("", "markdown", "markdownv2"):
        return text
    raise bad_request(f"can't parse entities: Unsupported parse_mode {parse_mode!r}")


def check_text(text: Any, parse_mode: str | None, limit: int = MAX_TEXT) -> str:
    """Validate a message text (or caption with `limit=MAX_CAPTION`); return what users see."""
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    plain = visible_text(text, parse_mode).strip()
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > limit:
        raise bad_request(
            "message is too long" if limit == MAX_TEXT else "message caption is too long"
        )
    return plain


def _check_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str) or not button["text"].strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [key for key in button if key in BUTTON_ACTIONS]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request("can't parse inline keyboard button: more than one action")
    data = button.get("callback_data")
    if "callback_data" in button and (
        not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if "url" in button and not (isinstance(url, str) and re.match(r"(https?|tg)://\S+$", url)):
        raise bad_request("BUTTON_URL_INVALID")


def check_reply_markup(markup: Any, inline_only: bool = False) -> None:
    """Validate `reply_markup` as Telegram does: shape, button actions, callback data size."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            )
        buttons = [button for row in rows for button in row]
        if len(buttons) > MAX_BUTTONS:
            raise bad_request("REPLY_MARKUP_TOO_LONG")
        for button in buttons:
            _check_button(button)
        return
    if inline_only:
        raise bad_request("REPLY_MARKUP_INVALID")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) and row for row in rows):
            raise bad_request('Field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        for button in (button for row in rows for button in row):
            label = button.get("text") if isinstance(button, dict) else button
            if not isinstance(label, str) or not label:
                raise bad_request("can't parse keyboard button: Text must be non-empty")
    elif not (markup.get("remove_keyboard") is True or markup.get("force_reply") is True):
        raise bad_request("can't parse reply keyboard markup JSON object")


def check_commands(commands: Any, scope: Any, language_code: Any) -> None:
    """Validate setMyCommands: command names, descriptions, scope and language code."""
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "commands")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.fullmatch(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    check_scope(scope)
    if language_code and not _LANGUAGE.fullmatch(str(language_code)):
        raise bad_request("invalid language code specified")


def check_scope(scope: Any) -> None:
    """Validate a BotCommandScope object (None means the default scope)."""
    if scope is None:
        return
    if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
        raise bad_request("can't parse BotCommandScope: unknown type")
    if scope["type"].startswith("chat") and "chat_id" not in scope:
        raise bad_request("can't parse BotCommandScope: chat_id is required")


def check_inline_results(results: Any) -> None:
    """Validate answerInlineQuery results: count, ids, message texts, keyboards."""
    if not isinstance(results, list):
        raise bad_request("can't parse InlineQueryResult list")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict) or not isinstance(result.get("type"), str):
            raise bad_request("can't parse InlineQueryResult: type is required")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result["type"] == "article" and not result.get("title"):
            raise bad_request("RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            check_text(content["message_text"], content.get("parse_mode"))
        check_reply_markup(result.get("reply_markup"), inline_only=True)
