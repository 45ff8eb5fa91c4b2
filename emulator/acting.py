"""Tests acting as Telegram's users: what they send and press, and what becomes of chats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator import users
from emulator.state import State

__all__ = ["ActingAsUsers"]


class ActingAsUsers:
    """Queues the updates people cause, and changes chats and members as Telegram would.

    Mixed into :class:`emulator.core.BotAPI`, which sets up the attributes declared here.
    """

    _state: State
    _callback_queries: int
    reply_keyboard: Callable[[int], list[dict[str, Any]] | None]  # from Watching
    _last_user_message: dict[int, int]  # chat_id -> message_id, for edits

    def user_sends(
        self,
        chat_id: int,
        text: str,
        *,
        chat_type: str = "private",
        user_id: int | None = None,
        first_name: str = "Ada",
        edited: bool = False,
        is_bot: bool = False,
        sender_chat_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a text message from a user (an edit of their last one when ``edited``).

        In groups the sender can be another bot (``is_bot``), or a chat: the group itself for
        an anonymous admin, or a channel (``sender_chat_id``), as Telegram marks them.
        Writing in a private chat means the user unblocked the bot, so it also unblocks.
        """
        sender_id = self._sender_id(chat_id, chat_type, user_id)
        sender = users.user(sender_id, first_name, is_bot=is_bot)
        chat = self._user_chat(chat_id, chat_type, first_name)
        self._state.faults.reachable_again(chat_id, unblock=chat_type == "private")
        message_id = self._user_message_id(chat_id, edited)
        message = users.message(message_id, chat, sender, text, edited=edited)
        if sender_chat_id is not None:
            message = users.on_behalf_of(message, self._sender_chat(chat, sender_chat_id))
        self._last_user_message[chat_id] = message_id
        return self.push_update({"edited_message" if edited else "message": message})

    def user_presses(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """Queue a callback_query: a user pressed the button with ``data`` under a bot message.

        The data is not checked against the keyboard, so stale buttons can be tested; a message
        the emulator never saw arrives as Telegram's InaccessibleMessage (date 0).
        """
        found = self._state.bot_messages.get((chat_id, message_id))
        chat = self._state.chats.get(chat_id)
        message = found[1] if found else {"chat": chat, "message_id": message_id, "date": 0}
        chat_type = chat["type"]
        sender = users.user(self._sender_id(chat_id, chat_type, user_id), "Ada")
        self._callback_queries += 1
        query_id = str(self._callback_queries)
        self._state.callback_ids.add(query_id)
        query = users.callback_query(query_id, sender, message, data)
        return self.push_update({"callback_query": query})

    def user_sends_location(
        self,
        chat_id: int,
        latitude: float,
        longitude: float,
        *,
        chat_type: str = "private",
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a message sharing a place (the attachment menu's "Location"), anywhere."""
        sender = users.user(self._sender_id(chat_id, chat_type, user_id), "Ada")
        chat = self._user_chat(chat_id, chat_type, "Ada")
        message_id = self._user_message_id(chat_id, edited=False)
        self._last_user_message[chat_id] = message_id
        location = users.location_message(message_id, chat, sender, (latitude, longitude))
        return self.push_update({"message": location})

    def user_taps_keyboard_button(
        self, chat_id: int, text: str, *, location: tuple[float, float] | None = None
    ) -> dict[str, Any]:
        """The user taps the reply-keyboard button labelled ``text``, as Telegram's apps do: a
        plain one sends its text; a ``request_location`` one, once the user agrees, their
        ``location`` (latitude, longitude). LookupError if no shown keyboard has that button,
        ValueError if a location button is tapped without a ``location`` (or a plain one with)."""
        shown = self.reply_keyboard(chat_id) or []
        button = next((b for b in shown if b["text"] == text), None)
        if button is None:
            raise LookupError(f"chat {chat_id} shows no reply-keyboard button {text!r}")
        if bool(button.get("request_location")) != (location is not None):
            raise ValueError("a location goes with a request_location button, and only there")
        chat_type = self._state.chats.get(chat_id)["type"]
        if location is not None:
            return self.user_sends_location(chat_id, *location, chat_type=chat_type)
        return self.user_sends(chat_id, text, chat_type=chat_type)

    def user_forwards_post(self, chat_id: int, channel_id: int) -> dict[str, Any]:
        """Queue a message in private chat ``chat_id``: the user forwards a post of the
        channel ``channel_id`` (see :meth:`add_channel`), with a ``forward_origin``."""
        sender = users.user(chat_id, "Ada")
        chat = self._user_chat(chat_id, "private", "Ada")
        channel = self._state.chats.get(channel_id)
        message_id = self._user_message_id(chat_id, edited=False)
        forwarded = users.forwarded_post(message_id, chat, sender, channel)
        self._last_user_message[chat_id] = message_id
        return self.push_update({"message": forwarded})

    def user_sends_media(self, chat_id: int, kind: str) -> dict[str, Any]:
        """Queue a photo or sticker from the user of a private chat."""
        sender = users.user(chat_id, "Ada")
        chat = self._user_chat(chat_id, "private", "Ada")
        message_id = self._user_message_id(chat_id, edited=False)
        return self.push_update({"message": users.media_message(message_id, chat, sender, kind)})

    def user_blocks_bot(self, chat_id: int) -> dict[str, Any]:
        """The user blocks the bot: sends get 403, and the bot is told by ``my_chat_member``."""
        self.block(chat_id)
        chat = self._user_chat(chat_id, "private", "Ada")
        change = users.member_change(
            chat, users.user(chat_id, "Ada"), self._state.bot, "member", "kicked"
        )
        return self.push_update({"my_chat_member": change})

    def group_upgrades(self, chat_id: int, new_chat_id: int) -> dict[str, Any]:
        """A group becomes a supergroup: calls to the old id now carry migrate_to_chat_id,
        and the old group gets the ``migrate_to_chat_id`` service message."""
        self.migrate(chat_id, new_chat_id)
        old = self._state.chats.get(chat_id)
        sender = users.user(users.GROUP_USER_ID, "Ada")
        message_id = self._user_message_id(chat_id, edited=False)
        service = users.service_message(message_id, old, sender, migrate_to_chat_id=new_chat_id)
        return self.push_update({"message": service})

    def push_update(self, update_without_id: dict[str, Any]) -> dict[str, Any]:
        """Queue any raw update (photo, sticker, my_chat_member...); update_id is assigned."""
        if "update_id" in update_without_id:
            raise ValueError("the emulator assigns update_id: leave it out")
        queued = self._state.updates.push(update_without_id)
        self._state.changed.notify()
        return queued

    # --- chat members ---------------------------------------------------------------------

    def make_admin(self, chat_id: int, user_id: int) -> None:
        """``user_id`` becomes an administrator of ``chat_id`` (everyone else is a "member")."""
        self.set_member_status(chat_id, user_id, "administrator")

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for ``user_id`` in ``chat_id``: "creator",
        "administrator", "member", "restricted", "left" or "kicked"."""
        users.chat_member(users.user(user_id, "check"), status)  # refuses unknown statuses
        self._state.members[chat_id, user_id] = status
        self._state.rights.pop((chat_id, user_id), None)

    def add_channel(self, chat_id: int, username: str | None, title: str = "") -> None:
        """A channel ``chat_id`` (-100...) exists, found by getChat as ``@username`` if given.
        Nobody is its admin until :meth:`make_channel_admin` says so."""
        chat: dict[str, Any] = {"id": chat_id, "type": "channel", "title": title or username}
        if username:
            chat["username"] = username
            self._state.usernames[username.lower()] = chat_id
        self._state.chats.remember(chat)

    def make_channel_admin(
        self, chat_id: int, user_id: int, *, can_post_messages: bool = True
    ) -> None:
        """``user_id`` (a person, or the bot itself) administers channel ``chat_id``, allowed
        to post there or not."""
        self.set_member_status(chat_id, user_id, "administrator")
        rights = {"can_post_messages": can_post_messages, "can_edit_messages": can_post_messages}
        self._state.rights[chat_id, user_id] = rights

    # --- what becomes of a chat -----------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sends and edits get 403 until :meth:`unblock`."""
        self._state.faults.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """The user unblocks the bot (writing to it does this too)."""
        self._state.faults.blocked.discard(chat_id)

    def forget_chat(self, chat_id: int) -> None:
        """The chat is gone: calls to it get 400 "chat not found"."""
        self._state.faults.forgotten.add(chat_id)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group became a supergroup: calls to the old id carry migrate_to_chat_id."""
        old = self._state.chats.get(chat_id)
        self._state.chats.remember({**old, "id": new_chat_id, "type": "supergroup"})
        self._state.faults.migrated[chat_id] = new_chat_id

    # --- helpers --------------------------------------------------------------------------

    def _sender_id(self, chat_id: int, chat_type: str, user_id: int | None) -> int:
        if chat_type != "private":
            return users.GROUP_USER_ID if user_id is None else user_id
        if user_id not in (None, chat_id):
            raise ValueError(f"in a private chat the user id is the chat id ({chat_id})")
        return chat_id

    def _user_chat(self, chat_id: int, chat_type: str, first_name: str) -> dict[str, Any]:
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
        else:
            known = self._state.chats.get(chat_id)
            title = known.get("title") or f"Test {chat_type} {chat_id}"
            chat = {"id": chat_id, "type": chat_type, "title": title}
        self._state.chats.remember(chat)
        return chat

    def _sender_chat(self, chat: dict[str, Any], sender_chat_id: int) -> dict[str, Any]:
        if sender_chat_id == chat["id"]:
            return chat
        return {"id": sender_chat_id, "type": "channel", "title": f"Channel {sender_chat_id}"}

    def _user_message_id(self, chat_id: int, edited: bool) -> int:
        """An edit changes the user's last message (one sent before the emulator saw any)."""
        if edited and chat_id in self._last_user_message:
            return self._last_user_message[chat_id]
        return self._state.chats.next_message_id(chat_id)
