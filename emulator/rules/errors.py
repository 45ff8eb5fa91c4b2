"""Error answers, shaped and worded as the real Bot API sends them."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "bad_request", "unauthorized"]


class ApiError(Exception):
    """A Bot API error answer: its HTTP status is its ``error_code``, as Telegram's is."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    @property
    def status(self) -> int:
        """The HTTP status to answer with; odd codes fall back to 500 like a broken proxy."""
        return self.error_code if 400 <= self.error_code <= 599 else 500

    def body(self) -> dict[str, Any]:
        """The JSON body: ``{"ok": false, "error_code", "description", "parameters"?}``."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 answer, e.g. ``bad_request("chat not found")`` -> "Bad Request: chat not found"."""
    return ApiError(400, f"Bad Request: {detail}")


def unauthorized() -> ApiError:
    """The 401 answer to a wrong or revoked token."""
    return ApiError(401, "Unauthorized")
