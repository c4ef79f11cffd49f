"""Every write about people. Re-exported here so callers import from one place."""

from lifecircle.accounts.services.identity import identity_verify
from lifecircle.accounts.services.pin import pin_is_set, pin_set, pin_verify
from lifecircle.accounts.services.tokens import api_token_authenticate, api_token_create, api_token_revoke
from lifecircle.accounts.services.users import (
    avatar_set,
    password_change,
    profile_update,
    user_authenticate,
    user_find_by_identifier,
    user_sign_up,
)

__all__ = [
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "avatar_set",
    "identity_verify",
    "password_change",
    "pin_is_set",
    "pin_set",
    "pin_verify",
    "profile_update",
    "user_authenticate",
    "user_find_by_identifier",
    "user_sign_up",
]
