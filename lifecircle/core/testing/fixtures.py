"""Shared pytest fixtures (imported by the root conftest)."""

from __future__ import annotations

import pytest
from django.test import Client

from lifecircle.accounts import services
from lifecircle.core.testing.factories import make_user


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_sweeps_in_the_test_process(settings):
    # The ASGI app of in-process WebSocket tests would otherwise start the background sweeps
    # on the test's event loop, against the test database, at random moments. Tests of the
    # sweeps call them, or run a real server with them on (tests/test_sweeps.py).
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "SWEEP_IN_SERVER": False}


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # argon2 stays argon2 in tests, with a small memory cost so the suite runs quickly.
    from lifecircle.accounts.services import pin as pin_module

    settings.PASSWORD_HASHERS = ["lifecircle.core.testing.hashers.FastArgon2PasswordHasher"]
    settings.PIN_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    pin_module._hasher.cache_clear()
    yield
    pin_module._hasher.cache_clear()


@pytest.fixture
def user(db):
    return make_user("alice_w", nickname="Alice")


@pytest.fixture
def api_client():
    """A client for the JSON API; ``api_client.as_user(user)`` sends a bearer token."""

    class ApiClient(Client):
        token: str | None = None

        def as_user(self, user) -> ApiClient:
            _token, self.token = services.api_token_create(user=user, name="test")
            return self

        def generic(self, method, path, data="", content_type="application/json", **extra):
            if self.token and "HTTP_AUTHORIZATION" not in extra:
                extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
            return super().generic(method, path, data, content_type, **extra)

        # JSON bodies by default (Django's client defaults to multipart for post).
        def post(self, path, data=None, content_type="application/json", **extra):
            return super().post(path, data, content_type=content_type, **extra)

        def put(self, path, data="", content_type="application/json", **extra):
            return super().put(path, data, content_type=content_type, **extra)

        def patch(self, path, data="", content_type="application/json", **extra):
            return super().patch(path, data, content_type=content_type, **extra)

    return ApiClient()


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in the default language; a request handled in-process by an earlier
    test must not leave its language active for the next."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
