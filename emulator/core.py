"""The emulated Bot API without HTTP: tests act as users, inject faults and watch the bot."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from emulator import users
from emulator.errors import ApiError, unauthorized
from emulator.faults import RATE_LIMIT, SERVER_ERROR, SLOW, InjectedFault, RandomFaults
from emulator.methods import METHODS, canonical_name
from emulator.state import SentDocument, SentMessage, State

__all__ = ["BotAPI"]


class BotAPI:
    """One bot's view of Telegram: what users send it, what it sent, what fails on purpose."""

    def __init__(self, *, bot_username: str = "GutBoneDailyBot", bot_id: int = 123456) -> None:
        self._state = State(bot=_bot_user(bot_id, bot_username))
        self.sent: list[SentMessage] = self._state.sent
        self.edits: list[SentMessage] = self._state.edits
        self.documents: list[SentDocument] = self._state.documents
        self.answered: dict[str, float] = self._state.answered  # query id -> when answered
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self._callback_queries = 0
        self._last_user_message: dict[int, int] = {}  # chat_id -> message_id, for edits

    # --- the API itself -------------------------------------------------------------------

    async def call(
        self, method: str, params: dict[str, Any], *, fault: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Run one Bot API call; return the HTTP status and the JSON body Telegram would.
        ``fault``: what :meth:`draw_fault` drew for it (a 5xx or 429 answered instead, or a
        slow answer; the server carries out the drops)."""
        name = canonical_name(method)
        self.calls.append((name or method, params))
        self._state.changed.notify()  # wakes wait_for_calls before a long poll ends
        try:
            if self._state.revoked:  # the token is checked first, as Telegram does
                raise unauthorized()
            if name is None:
                raise ApiError(404, "Not Found")
            await self._meet_fault(fault, name, params)
            self._state.faults.check(name, params.get("chat_id"))
            result = await METHODS[name](self._state, params)
        except ApiError as error:
            self.errors.append((name or method, params, error.body()))
            return error.status, error.body()
        finally:
            self._state.changed.notify()
        return 200, {"ok": True, "result": result}

    def draw_fault(self, method: str) -> str | None:
        """The random fault (``emulator.faults.FAULT_KINDS``) this call meets, if any."""
        drawn = self._state.faults.random
        return drawn.draw(canonical_name(method) or method) if drawn else None

    def record_fault(
        self, kind: str, method: str, params: dict[str, Any], message_id: int | None = None
    ) -> None:
        """Log a random fault injected (the server's drops call this too)."""
        name = canonical_name(method) or method
        self._state.faults.record(kind, name, params.get("chat_id"), time.monotonic(), message_id)

    async def _meet_fault(self, fault: str | None, method: str, params: dict[str, Any]) -> None:
        drawn = self._state.faults.random
        if fault not in (SERVER_ERROR, RATE_LIMIT, SLOW) or drawn is None:
            return
        self.record_fault(fault, method, params)
        if fault == SLOW:
            await asyncio.sleep(drawn.slow_seconds)
        else:
            raise drawn.error(fault)

    # --- acting as users ------------------------------------------------------------------

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

    @property
    def bot_id(self) -> int:
        """The bot's own user id (what getMe answers)."""
        return int(self._state.bot["id"])

    # --- observing ------------------------------------------------------------------------

    @property
    def commands(self) -> list[dict[str, str]]:
        """The bot's command list as the last setMyCommands left it ([] after deleting it)."""
        scope = self._state.last_commands_scope
        return list(self._state.commands.get(scope, [])) if scope else []

    @property
    def flood_control(self) -> bool:
        """When True, sendMessage meets Telegram's flood limits (429 with retry_after)."""
        return self._state.flood_control

    @flood_control.setter
    def flood_control(self, enabled: bool) -> None:
        self._state.flood_control = enabled

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued but not yet confirmed by the bot."""
        return list(self._state.updates.pending)

    @property
    def webhook_url(self) -> str | None:
        """The URL setWebhook registered (updates are POSTed there), or None: polling."""
        return self._state.webhook.url if self._state.webhook else None

    @property
    def webhook_error(self) -> str | None:
        """Why the last delivery to the webhook failed, as getWebhookInfo says, or None."""
        return self._state.webhook.last_error_message if self._state.webhook else None

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Messages the bot sent to ``chat_id``, in order, as first sent."""
        return [message for message in self.sent if message.chat_id == chat_id]

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        """A message the bot sent, as its latest edit left it."""
        found = self._state.bot_messages.get((chat_id, message_id))
        if found is None:
            raise LookupError(f"the bot sent no message {message_id} to chat {chat_id}")
        return found[0]

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot sent ``chat_id`` at least ``count`` messages; return them all."""
        return await self._wait(self.sent, chat_id, count, timeout, "message")

    async def wait_for_documents(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentDocument]:
        """Wait until the bot sent ``chat_id`` at least ``count`` files; return them all."""

        def found() -> list[SentDocument]:
            return [document for document in self.documents if document.chat_id == chat_id]

        if not await self._state.changed.wait_until(lambda: len(found()) >= count, timeout):
            raise TimeoutError(
                f"expected {count} document(s) to chat {chat_id} within {timeout} s,"
                f" got {len(found())}"
            )
        return found()

    async def wait_for_edits(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot made at least ``count`` edits in ``chat_id``; return them all."""
        return await self._wait(self.edits, chat_id, count, timeout, "edit")

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until ``condition()`` holds, re-checked after every API call or new update;
        False if ``timeout`` seconds passed first."""
        return await self._state.changed.wait_until(condition, timeout)

    async def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot called ``method`` at least ``count`` times; return their params."""

        def params() -> list[dict[str, Any]]:
            return [p for name, p in self.calls if name == method]

        if not await self._state.changed.wait_until(lambda: len(params()) >= count, timeout):
            made = Counter(name for name, _ in self.calls)
            raise TimeoutError(
                f"expected {count} {method} call(s) within {timeout} s, got {len(params())};"
                f" calls so far: {dict(made)}"
            )
        return params()

    # --- faults ---------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        chat_id: int | None = None,
        parameters: dict[str, Any] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``) with this error."""
        error = ApiError(error_code, description, parameters)
        self._state.faults.schedule(canonical_name(method) or method, error, chat_id, times)

    def rate_limit_next(self, chat_id: int, retry_after: int = 1) -> None:
        """The next sendMessage to ``chat_id`` gets 429 with ``retry_after``."""
        self.fail_next(
            "sendMessage",
            error_code=429,
            description=f"Too Many Requests: retry after {retry_after}",
            chat_id=chat_id,
            parameters={"retry_after": retry_after},
        )

    def fail_with_server_error(self, times: int = 1) -> None:
        """The next ``times`` sendMessage calls get 502 Bad Gateway."""
        self.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=times)

    def inject_random_faults(self, faults: RandomFaults | None) -> None:
        """From now on, calls of ``faults.methods`` meet faults drawn at its rates (None: no
        more). Drops and slow answers need HTTP: they happen in :class:`BotAPIEmulator`."""
        self._state.faults.random = faults

    @property
    def injected_faults(self) -> list[InjectedFault]:
        """Every random fault injected so far, in order."""
        return list(self._state.faults.injected)

    def revoke_token(self) -> None:
        """The owner revoked the token in @BotFather: every call, and every long poll already
        waiting, is answered 401 Unauthorized from now on."""
        self._state.revoked = True
        self._state.updates.arrived.notify()

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

    async def _wait(
        self, log: list[SentMessage], chat_id: int, count: int, timeout: float, kind: str
    ) -> list[SentMessage]:
        def found() -> list[SentMessage]:
            return [message for message in log if message.chat_id == chat_id]

        if not await self._state.changed.wait_until(lambda: len(found()) >= count, timeout):
            raise TimeoutError(self._timeout_report(found(), chat_id, count, timeout, kind))
        return found()

    def _timeout_report(
        self, mine: list[SentMessage], chat_id: int, count: int, timeout: float, kind: str
    ) -> str:
        """Say what the bot did send, and which calls failed: usually the reason."""
        lines = [f"  #{m.message_id}: {m.visible_text[:100]!r}" for m in mine]
        report = [
            f"expected {count} {kind}(s) to chat {chat_id} within {timeout} s, got {len(lines)}:",
            *(lines or ["  (none)"]),
        ]
        failed = [
            f"  {name} (chat_id={params.get('chat_id')}) -> {body['description']}"
            for name, params, body in self.errors[-5:]
        ]
        if failed:
            report += ["last failed API calls:", *failed]
        others = Counter(m.chat_id for m in self.sent if m.chat_id != chat_id)
        if others:
            report.append(f"messages to other chats: {dict(others)}")
        return "\n".join(report)


def _bot_user(bot_id: int, username: str) -> dict[str, Any]:
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": "GutBone Daily",
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
