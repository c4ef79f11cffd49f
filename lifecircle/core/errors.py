"""One error type for the whole application.

Services raise :class:`ApplicationError` with a stable ``code`` (tests and clients match on
it) and a localized ``message``; the API turns it into ``{"code", "message", "fields"}`` with
its 4xx status (see ``lifecircle.api``), pages show the message next to the form.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status: int = 400

    def __init__(
        self,
        code: str,
        message: Any,
        *,
        status: int | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message  # often a lazy translation: rendered in the request's language
        if status is not None:
            self.status = status
        self.fields = fields or {}
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": str(self.message),
            "fields": {name: [str(m) for m in messages] for name, messages in self.fields.items()},
        }
        body.update(self.extra)
        return body


class NotFound(ApplicationError):
    status = 404


class PermissionDenied(ApplicationError):
    status = 403


class Conflict(ApplicationError):
    status = 409


class TooManyRequests(ApplicationError):
    status = 429


def validation_error(field: str, code: str, message: Any) -> ApplicationError:
    """A 400 about one input field: ``fields`` names the field so a form can show it there."""
    return ApplicationError(code, message, fields={field: [message]})
