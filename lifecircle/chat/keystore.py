"""Where burn-after-reading keys live: never in the database.

Redis (when ``LIFECIRCLE_REDIS_URL`` is set; keys expire on their own after 24 h plus a
margin, and are deleted at burn time) or, in the embedded mode, one small file per key under
``BURN_KEY_DIR`` (overwritten, then unlinked, at burn time). Expiry never depends on the
store alone: reads check the clock first.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings

TTL_SECONDS = 24 * 3600 + 300


class RedisKeyStore:
    def __init__(self, url: str, prefix: str):
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix

    def _k(self, message_id: int) -> str:
        return f"{self.prefix}:burnkey:{message_id}"

    def put(self, message_id: int, key: bytes) -> None:
        self.redis.set(self._k(message_id), key, ex=TTL_SECONDS)

    def get(self, message_id: int) -> bytes | None:
        return self.redis.get(self._k(message_id))

    def destroy(self, message_id: int) -> None:
        self.redis.delete(self._k(message_id))


class FileKeyStore:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, message_id: int) -> Path:
        return self.folder / f"{int(message_id)}.key"

    def put(self, message_id: int, key: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(message_id)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)

    def get(self, message_id: int) -> bytes | None:
        try:
            return self._path(message_id).read_bytes()
        except FileNotFoundError:
            return None

    def destroy(self, message_id: int) -> None:
        path = self._path(message_id)
        try:
            size = path.stat().st_size
            with open(path, "r+b") as fh:  # overwrite before unlinking
                fh.write(b"\0" * size)
                fh.flush()
                os.fsync(fh.fileno())
            path.unlink()
        except FileNotFoundError:
            pass


@lru_cache(maxsize=4)
def _store(redis_url: str | None, folder: str, prefix: str):
    return RedisKeyStore(redis_url, prefix) if redis_url else FileKeyStore(Path(folder))


def keystore():
    return _store(settings.REDIS_URL, str(settings.BURN_KEY_DIR), settings.BURN_KEY_PREFIX)
