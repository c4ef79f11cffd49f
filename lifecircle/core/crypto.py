"""Encryption at rest for the few values that must be readable later but never leaked
(resident ID numbers). Fernet (AES-128-CBC + HMAC-SHA256) with the keys from
``settings.FIELD_ENCRYPTION_KEYS``: the first key encrypts, all of them decrypt, so keys
can be rotated (``manage.py rotate-encryption`` re-encrypts under the newest). A keyed hash
(HMAC-SHA256 under ``settings.FIELD_FINGERPRINT_KEY``, which does not rotate with them) gives a
stable, non-reversible fingerprint for uniqueness checks.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def encrypt_text(plaintext: str) -> str:
    return _fernet(_keys()).encrypt(plaintext.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernet(_keys()).decrypt(token.encode()).decode()


def rotate_text(token: str) -> str:
    """Re-encrypt under the newest key (for a key-rotation command)."""
    return _fernet(_keys()).rotate(token.encode()).decode()


def fingerprint(value: str, *, purpose: str) -> str:
    """A keyed hash of ``value``: equal inputs give equal fingerprints, and without the key
    nobody can test guesses against a leaked database (an ID number has little entropy)."""
    master = settings.FIELD_FINGERPRINT_KEY.encode()
    key = hmac.new(master, f"fingerprint:{purpose}".encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
