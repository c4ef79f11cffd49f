"""Proves the configured services are the ones in use (CI sets both; see conftest)."""

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.core.cache import cache, caches
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_is_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


@pytest.mark.redis
def test_the_channel_layer_and_cache_use_redis():
    layer = get_channel_layer()
    assert type(layer).__module__.startswith("channels_redis")

    async def roundtrip():
        channel = await layer.new_channel()
        await layer.group_add("test.group", channel)
        await layer.group_send("test.group", {"type": "hello", "n": 42})
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        await layer.group_discard("test.group", channel)
        return message

    assert asyncio.run(roundtrip())["n"] == 42
    cache.set("lifecircle-test-key", "值", 30)
    assert cache.get("lifecircle-test-key") == "值"
    assert type(caches["default"]).__module__ == "django.core.cache.backends.redis"


@pytest.mark.django_db
def test_a_channel_layer_that_is_down_does_not_fail_a_committed_request(monkeypatch, caplog):
    from lifecircle.realtime import events

    class Down:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(events, "get_channel_layer", lambda: Down())
    events.publish_now({"type": "test"}, to=["user.1"])  # does not raise
    assert "could not publish test to user.1" in caplog.text
