"""The users' side of the fake Bot API: updates built the way Telegram sends them."""

from __future__ import annotations

import time
from typing import Any

from tests.fake_botapi.state import ApiState, text_entities

DEFAULT_GROUP_ID = -1001


class UsersSide(ApiState):
    """Registers users and chats and queues their messages, presses and inline queries."""

    def add_user(
        self,
        user_id: int,
        first_name: str = "Attendee",
        language_code: str | None = "fr",
        username: str | None = None,
    ) -> dict[str, Any]:
        """Register (or update) a user and their private chat; return the User object."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        with self._lock:
            self._users[user_id] = user
            self._chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}
        return user

    def add_group(self, chat_id: int, title: str = "Group", chat_type: str = "group") -> None:
        """Register a group or supergroup (negative id) that the bot is a member of."""
        with self._lock:
            self._chats[chat_id] = {"id": chat_id, "type": chat_type, "title": title}

    def _ensure_user(self, user_id: int) -> dict[str, Any]:
        with self._lock:
            return self._users.get(user_id) or self.add_user(user_id)

    def _message(
        self, user_id: int, fields: dict[str, Any], chat_type: str, chat_id: int | None
    ) -> dict[str, Any]:
        """Queue a new message from the user in their private chat or in a group."""
        with self._lock:
            user = self._ensure_user(user_id)
            chat = user_id if chat_type == "private" else chat_id or DEFAULT_GROUP_ID
            if chat not in self._chats:
                self.add_group(chat, chat_type=chat_type)
            self._message_ids[chat] += 1
            message: dict[str, Any] = {"message_id": self._message_ids[chat], "from": user}
            message.update(chat=self._chats[chat], date=int(time.time()), **fields)
            self._user_messages[(chat, message["message_id"])] = message
            self.inject({"message": message})
            return message

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_type: str = "private",
        chat_id: int | None = None,
        mention: bool = False,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A user writes `text` (with commands, mentions and URLs marked); return the Message.

        In a group (`chat_type="group"` or `"supergroup"`, `chat_id` defaulting to -1001),
        `mention=True` prefixes `@<bot username>` when the text does not mention the bot yet.
        `reply_to` makes it a reply (Telegram's Reply) to that message of the bot in the chat.
        """
        handle = f"@{self.bot_user['username']}"
        if mention and handle not in text:
            text = f"{handle} {text}"
        fields: dict[str, Any] = {"text": text}
        if entities := text_entities(text):
            fields["entities"] = entities
        if reply_to is not None:
            chat = user_id if chat_type == "private" else chat_id or DEFAULT_GROUP_ID
            with self._lock:
                replied = self._messages.get((chat, reply_to))
                if replied is None:
                    raise KeyError(f"the bot sent no message {reply_to} to chat {chat}")
                fields["reply_to_message"] = self._message_json(replied)
        return self._message(user_id, fields, chat_type, chat_id)

    def send_command(
        self,
        user_id: int,
        command: str,
        args: str | list[str] = "",
        *,
        chat_type: str = "private",
        chat_id: int | None = None,
        mention: bool = False,
    ) -> dict[str, Any]:
        """A user sends `/command args` (`mention=True`: `/command@bot`); return the Message."""
        head = "/" + command.lstrip("/")
        if mention:
            head += f"@{self.bot_user['username']}"
        tail = " ".join(args) if isinstance(args, list) else args
        text = f"{head} {tail}".strip()
        return self.send_text(user_id, text, chat_type=chat_type, chat_id=chat_id)

    def send_sticker(self, user_id: int, emoji: str = "👍") -> dict[str, Any]:
        """A user sends a sticker; return the Message."""
        sticker: dict[str, Any] = {
            "file_id": "sticker1",
            "file_unique_id": "st1",
            "type": "regular",
        }
        sticker.update(width=512, height=512, is_animated=False, is_video=False, emoji=emoji)
        return self._message(user_id, {"sticker": sticker}, "private", None)

    def send_photo(self, user_id: int, caption: str | None = None) -> dict[str, Any]:
        """A user sends a photo (optionally captioned); return the Message."""
        sizes = [
            {
                "file_id": f"photo{side}",
                "file_unique_id": f"ph{side}",
                "width": side,
                "height": side,
            }
            for side in (90, 320, 800)
        ]
        fields: dict[str, Any] = {"photo": sizes}
        if caption:
            fields["caption"] = caption
        return self._message(user_id, fields, "private", None)

    def send_voice(self, user_id: int, seconds: int = 3) -> dict[str, Any]:
        """A user sends a voice note; return the Message."""
        voice: dict[str, Any] = {"file_id": "voice1", "file_unique_id": "vo1", "duration": seconds}
        voice["mime_type"] = "audio/ogg"
        return self._message(user_id, {"voice": voice}, "private", None)

    def send_dice(self, user_id: int, emoji: str = "🎲", value: int = 4) -> dict[str, Any]:
        """A user throws a dice (or darts, ball...); return the Message."""
        return self._message(user_id, {"dice": {"emoji": emoji, "value": value}}, "private", None)

    def send_poll(self, user_id: int, question: str = "Café ou thé ?") -> dict[str, Any]:
        """A user sends a well-formed poll; return the Message."""
        options = [
            {"text": text, "voter_count": 0, "persistent_id": f"o{n}"}
            for n, text in enumerate(("Café", "Thé"))
        ]
        poll: dict[str, Any] = {"id": f"poll{self._next_update_id}", "question": question}
        poll.update(options=options, total_voter_count=0, is_closed=False, is_anonymous=True)
        poll.update(type="regular", allows_multiple_answers=False)
        poll.update(allows_revoting=False, members_only=False)  # required by PTB 22.8
        return self._message(user_id, {"poll": poll}, "private", None)

    def send_unparseable_poll(self, user_id: int) -> dict[str, Any]:
        """A poll message missing fields python-telegram-bot 22 requires (as older servers send)."""
        poll = {"id": f"poll{self._next_update_id}", "question": "?", "options": []}
        return self._message(user_id, {"poll": poll}, "private", None)

    def send_edited(self, user_id: int, text: str, message_id: int | None = None) -> dict[str, Any]:
        """A user edits a message of theirs in private (default: the last); return it edited."""
        with self._lock:
            mine = [mid for chat, mid in self._user_messages if chat == user_id]
            if not mine or (message_id is not None and message_id not in mine):
                raise KeyError(f"user {user_id} has no message {message_id} to edit")
            key = (user_id, message_id if message_id is not None else max(mine))
            edited = {**self._user_messages[key], "text": text, "edit_date": int(time.time())}
            edited.pop("entities", None)
            if entities := text_entities(text):
                edited["entities"] = entities
            self._user_messages[key] = edited
            self.inject({"edited_message": edited})
        return edited

    def _new_query_id(self) -> str:
        query_id = f"q{self._next_update_id}"
        self._open_queries.add(query_id)
        return query_id

    def press_button(
        self, user_id: int, message_id: int, callback_data: str, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A user presses the inline button carrying `callback_data`; return the CallbackQuery.

        Raises KeyError/ValueError if the bot sent no such message or button, as a real user
        could not press it either.
        """
        chat = user_id if chat_id is None else chat_id
        with self._lock:
            user = self._ensure_user(user_id)
            message = self._messages.get((chat, message_id))
            if message is None:
                raise KeyError(f"the bot sent no message {message_id} to chat {chat}")
            offered = [button.get("callback_data") for button in message.buttons]
            if callback_data not in offered:
                raise ValueError(f"no button with {callback_data!r} on that message: {offered}")
            query: dict[str, Any] = {
                "id": self._new_query_id(),
                "from": user,
                "chat_instance": str(chat),
            }
            query.update(message=self._message_json(message), data=callback_data)
            self.inject({"callback_query": query})
        return query

    def inline_query(self, user_id: int, query: str, offset: str = "") -> dict[str, Any]:
        """A user types `@bot query` in a chat; return the InlineQuery (see `inline_answers`)."""
        with self._lock:
            inline: dict[str, Any] = {
                "id": self._new_query_id(),
                "from": self._ensure_user(user_id),
            }
            inline.update(query=query, offset=offset, chat_type="sender")
            self.inject({"inline_query": inline})
        return inline
