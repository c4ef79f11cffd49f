"""Every read about people, with what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass

from lifecircle.accounts.models import ApiToken, User
from lifecircle.accounts.validators import mask_name


def _may_see_real_name(viewer: User | None, user: User) -> bool:
    """The user themself, and (with the social graph) their friends."""
    if viewer is None or not viewer.is_authenticated:
        return False
    return viewer.pk == user.pk


@dataclass(frozen=True)
class DisplayName:
    nickname: str
    real_name: str | None  # full, masked, or None when not verified
    real_name_masked: bool

    def __str__(self) -> str:
        if self.real_name:
            return f"{self.nickname} ({self.real_name})"
        return self.nickname


def display_name_for(viewer: User | None, user: User) -> DisplayName:
    """What ``viewer`` sees of ``user``'s name: the nickname (or username), and the verified
    real name — in full to the user and their friends, masked (``*明``) to everyone else."""
    nickname = user.nickname or user.username
    identity = getattr(user, "identity", None)
    if identity is None:
        return DisplayName(nickname=nickname, real_name=None, real_name_masked=False)
    if _may_see_real_name(viewer, user):
        return DisplayName(nickname=nickname, real_name=identity.legal_name, real_name_masked=False)
    return DisplayName(nickname=nickname, real_name=mask_name(identity.legal_name), real_name_masked=True)


def api_token_list(*, user: User):
    return ApiToken.objects.filter(user=user)


def user_get_for_viewer(*, viewer: User | None, user_id: int) -> User | None:
    """A user's public profile; blocks plug in with the social graph."""
    return User.objects.select_related("identity").filter(pk=user_id, is_active=True).first()
