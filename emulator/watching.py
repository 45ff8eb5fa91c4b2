"""What tests watch: the messages, files, edits and calls the bot made, waited for."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from emulator.rules import scopes
from emulator.state import SentDocument, SentMessage, State

__all__ = ["Watching"]


class Watching:
    """What the bot did, as tests read it, and waits until it did it.

    Mixed into :class:`emulator.core.BotAPI`, which sets up the attributes declared here.
    """

    _state: State
    sent: list[SentMessage]
    edits: list[SentMessage]
    documents: list[SentDocument]
    calls: list[tuple[str, dict[str, Any]]]
    errors: list[tuple[str, dict[str, Any], dict[str, Any]]]

    @property
    def commands(self) -> list[dict[str, str]]:
        """The bot's command list as the last setMyCommands left it ([] after deleting it)."""
        scope = self._state.last_commands_scope
        return list(self._state.commands.get(scope, [])) if scope else []

    def menu_seen(
        self, chat_id: int, user_id: int | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The command menu a client shows in ``chat_id`` (to ``user_id``, in a group): the
        list of the most specific scope that has one, as the Bot API determines it."""
        chat_type = self._state.chats.get(chat_id)["type"]
        status = self._state.members.get((chat_id, user_id or 0))
        is_admin = status in ("creator", "administrator")
        order = scopes.lookup_order(chat_id, chat_type, user_id, is_admin, language_code)
        for scope in order:
            if scope in self._state.commands:
                return list(self._state.commands[scope])
        return []

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

    def reply_keyboard(self, chat_id: int) -> list[dict[str, Any]] | None:
        """The buttons of the reply keyboard the user of ``chat_id`` sees in place of their own
        (row after row, each button as a KeyboardButton object), or None: their own keyboard."""
        markup = self._state.reply_keyboards.get(chat_id)
        if markup is None:
            return None
        rows = markup["keyboard"]
        return [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]

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
