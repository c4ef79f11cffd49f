"""Every read about people, with what the viewer may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lifecircle.accounts.models import ApiToken, User
from lifecircle.accounts.validators import mask_name


@dataclass(frozen=True)
class DisplayName:
    nickname: str
    real_name: str | None  # full, masked, or None when not verified
    real_name_masked: bool
    remark: str = ""  # the viewer's own name for a friend (備註)

    @property
    def primary(self) -> str:
        return self.remark or self.nickname

    def __str__(self) -> str:
        if self.real_name:
            return f"{self.primary} ({self.real_name})"
        return self.primary


def _name(user: User, *, full: bool, remark: str = "") -> DisplayName:
    nickname = user.nickname or user.username
    identity = getattr(user, "identity", None)
    if identity is None:
        return DisplayName(nickname=nickname, real_name=None, real_name_masked=False, remark=remark)
    if full:
        return DisplayName(
            nickname=nickname, real_name=identity.legal_name, real_name_masked=False, remark=remark
        )
    return DisplayName(nickname=nickname, real_name=mask_name(identity.legal_name), real_name_masked=True)


def display_names_for(viewer: User | None, users: Iterable[User]) -> dict[int, DisplayName]:
    """What ``viewer`` sees of each user's name, in one query: the nickname (or the viewer's
    remark for a friend) and the verified real name — in full to the user themself and their
    friends, masked (``*明``) to everyone else. Pass users with ``identity`` selected."""
    from lifecircle.social.selectors import remarks_for

    users = list(users)
    signed_in = viewer is not None and viewer.is_authenticated
    remarks = remarks_for(viewer=viewer, user_ids=[u.pk for u in users]) if signed_in else {}
    names = {}
    for user in users:
        is_self = signed_in and viewer.pk == user.pk
        names[user.pk] = _name(user, full=is_self or user.pk in remarks, remark=remarks.get(user.pk, ""))
    return names


def display_name_for(viewer: User | None, user: User) -> DisplayName:
    return display_names_for(viewer, [user])[user.pk]


def api_token_list(*, user: User):
    return ApiToken.objects.filter(user=user)


def user_get_for_viewer(*, viewer: User | None, user_id: int) -> User | None:
    """A user's public profile, unless a block stands between them and the viewer."""
    from lifecircle.social.selectors import is_blocked_between

    user = User.objects.select_related("identity").filter(pk=user_id, is_active=True).first()
    if user is None or (
        viewer is not None
        and viewer.is_authenticated
        and viewer.pk != user.pk
        and is_blocked_between(viewer, user)
    ):
        return None
    return user
