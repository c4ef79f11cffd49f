"""Assertions on the one error type and the API's one error shape."""

from __future__ import annotations

import pytest

from lifecircle.core.errors import ApplicationError


def raises_code(code: str, fn, **kwargs) -> ApplicationError:
    """Call ``fn(**kwargs)``; assert it raises an ApplicationError with ``code``; return it."""
    with pytest.raises(ApplicationError) as exc:
        fn(**kwargs)
    assert exc.value.code == code, exc.value.as_dict()
    return exc.value


def assert_error(response, status: int, code: str) -> dict:
    """Assert an API response is the error shape with this status and code; return the body."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}, body
    assert body["code"] == code, body
    assert body["message"]
    return body
