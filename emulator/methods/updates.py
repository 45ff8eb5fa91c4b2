"""How the bot gets its updates: getUpdates (a long poll) or a webhook it registers."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from emulator.rules.errors import ApiError, bad_request, unauthorized
from emulator.state import State, Webhook

__all__ = ["LOOPBACK_HOSTS", "delete_webhook", "get_updates", "get_webhook_info", "set_webhook"]

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
# Plain http is accepted for these hosts (a bot under test); Telegram itself wants https.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active;"
    " use deleteWebhook to delete the webhook first"
)


async def get_updates(state: State, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Long poll: answer as soon as an update is deliverable, or [] after ``timeout`` s."""
    if state.webhook is not None:
        raise ApiError(409, _WEBHOOK_ACTIVE)
    if isinstance(params.get("offset"), int):
        state.updates.confirm(params["offset"])
    if isinstance(params.get("allowed_updates"), list):
        state.updates.allowed = frozenset(params["allowed_updates"]) or None
    limit = min(max(_int(params, "limit", 100), 1), 100)
    state.polls += 1
    poll = state.polls
    state.updates.arrived.notify()  # an older long poll ends now, with 409

    def answered() -> bool:
        ended = state.closing or state.revoked or poll != state.polls
        ended = ended or state.webhook is not None
        return ended or bool(state.updates.deliverable(limit))

    await state.updates.arrived.wait_until(answered, max(0.0, _number(params, "timeout", 0)))
    if state.revoked:
        raise unauthorized()
    if state.webhook is not None:
        raise ApiError(409, _WEBHOOK_ACTIVE)
    if poll != state.polls:
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot"
            " instance is running",
        )
    return [] if state.closing else state.updates.deliverable(limit)


async def set_webhook(state: State, params: dict[str, Any]) -> bool:
    """Register the URL updates are POSTed to (an empty one removes it), as Telegram checks it;
    the HTTP side (:class:`emulator.webhook.WebhookDelivery`) does the posting."""
    url = params.get("url")
    if not isinstance(url, str):
        raise bad_request('parameter "url" is required')
    secret = params.get("secret_token")
    if url:
        _check_webhook_url(url)
    if secret is not None and not (isinstance(secret, str) and _SECRET_TOKEN.fullmatch(secret)):
        raise bad_request("secret token contains unallowed characters")
    _drop_pending_if_asked(state, params)
    if not url:
        state.webhook = None
        return True
    if isinstance(params.get("allowed_updates"), list):
        state.updates.allowed = frozenset(params["allowed_updates"]) or None
    state.webhook = Webhook(url, secret, _int(params, "max_connections", 40))
    state.updates.arrived.notify()  # pending updates go out now; a long poll ends with 409
    return True


async def delete_webhook(state: State, params: dict[str, Any]) -> bool:
    """Back to getUpdates; PTB calls this before polling, maybe dropping pending updates."""
    _drop_pending_if_asked(state, params)
    state.webhook = None
    return True


async def get_webhook_info(state: State, params: dict[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates.pending),
    }
    hook = state.webhook
    if hook is not None:
        info |= {"url": hook.url, "max_connections": hook.max_connections}
        if hook.last_error_date is not None:
            info |= {
                "last_error_date": hook.last_error_date,
                "last_error_message": hook.last_error_message,
            }
    return info


def _int(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _number(params: dict[str, Any], name: str, default: float) -> float:
    value = params.get(name, default)
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if is_number else default


def _drop_pending_if_asked(state: State, params: dict[str, Any]) -> None:
    if params.get("drop_pending_updates") is True:
        state.updates.pending.clear()


def _check_webhook_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise bad_request(
            "bad webhook: Failed to resolve host: Name or service not known"
        ) from None
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return
    if parts.scheme != "https" or not host:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if (port or 443) not in _WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
