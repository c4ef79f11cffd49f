import uuid

import pytest

from lifecircle.live import ratelimit


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Every test starts with full danmaku buckets (ids repeat across tests)."""
    settings.REDIS_PREFIX = f"test-{uuid.uuid4().hex[:8]}"
    ratelimit._buckets.cache_clear()
    yield
    ratelimit._buckets.cache_clear()
