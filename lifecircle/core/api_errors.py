"""The one error shape of the API: ``{"code", "message", "fields"}`` with a 4xx status.

Every exception that can leave an endpoint is mapped here, once. A middleware covers the
responses that never reach Ninja (unknown URLs, request bodies over the size limit, CSRF
failures), so a client never has to parse an HTML error page.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from lifecircle.core.errors import ApplicationError

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"

STATUS_ERRORS = {
    400: ("malformed_request", _("The request could not be read. Send valid JSON.")),
    401: ("not_authenticated", _("Sign in or send a valid API token.")),
    403: ("forbidden", _("You are not allowed to do this.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    413: ("request_too_large", _("The request is too large.")),
    415: ("unsupported_media_type", _("Unsupported content type.")),
    429: ("too_many_requests", _("Too many requests. Slow down and try again.")),
    500: ("internal_error", _("Something went wrong on our side. Please try again.")),
    503: ("service_busy", _("The service is busy. Please try again in a moment.")),
}

FIELD_MESSAGES = {
    "missing": _("This field is required."),
    "extra_forbidden": _("Unknown field."),
    "string_too_long": _("This is too long."),
    "string_too_short": _("This is too short."),
    "string_type": _("Enter text."),
    "int_type": _("Enter a whole number."),
    "int_parsing": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "bool_type": _("Enter true or false."),
    "bool_parsing": _("Enter true or false."),
    "greater_than": _("The number is too small."),
    "greater_than_equal": _("The number is too small."),
    "less_than": _("The number is too large."),
    "less_than_equal": _("The number is too large."),
    "literal_error": _("Choose one of the offered values."),
    "enum": _("Choose one of the offered values."),
    "model_type": _("Send a JSON object."),
    "dict_type": _("Send a JSON object."),
    "list_type": _("Send a list."),
    "datetime_parsing": _("Enter a valid date and time."),
    "date_from_datetime_parsing": _("Enter a valid date."),
}


def error_response(code: str, message, status: int, fields=None, **extra) -> JsonResponse:
    body = {"code": code, "message": str(message), "fields": fields or {}}
    body.update(extra)
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def status_error_response(status: int, **extra) -> JsonResponse:
    code, message = STATUS_ERRORS.get(status, STATUS_ERRORS[500] if status >= 500 else STATUS_ERRORS[400])
    return error_response(code, message, status, **extra)


def _field_name(loc) -> str:
    # Ninja prefixes locations with the source ("body", "query", the schema's argument name).
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie")]
    if len(parts) > 1:
        parts = parts[1:]  # drop the endpoint's argument name ("data")
    return ".".join(parts) or "__all__"


def handle_validation_error(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        message = FIELD_MESSAGES.get(err.get("type", ""), _("This value is not valid."))
        fields.setdefault(_field_name(err.get("loc", ())), []).append(str(message))
    return error_response("invalid_input", _("Some fields are not valid."), 422, fields)


def handle_application_error(request, exc: ApplicationError):
    return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})


def handle_http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError):
        return status_error_response(401)
    if isinstance(exc, AuthorizationError):
        return status_error_response(403)
    return status_error_response(exc.status_code)


def handle_404(request, exc):
    return status_error_response(404)


def handle_exception(request, exc: Exception):
    if isinstance(exc, RequestDataTooBig):
        return status_error_response(413)
    if isinstance(exc, OperationalError):
        # The database refused or dropped the connection (overload: "too many clients",
        # a failover): nothing was done, the client should retry — not a 500.
        logger.warning("database unavailable: %s", exc)
        response = status_error_response(503)
        response["Retry-After"] = "1"
        return response
    if isinstance(exc, SuspiciousOperation):
        return status_error_response(400)
    logger.exception("unhandled API error", exc_info=exc)
    return status_error_response(500)


def install(api) -> None:
    api.add_exception_handler(ValidationError, handle_validation_error)
    api.add_exception_handler(ApplicationError, handle_application_error)
    api.add_exception_handler(HttpError, handle_http_error)
    api.add_exception_handler(Http404, handle_404)
    api.add_exception_handler(Exception, handle_exception)


class ApiErrorShapeMiddleware:
    """Turn any non-JSON error response under /api/ into the error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return status_error_response(response.status_code)
        return response
