from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja import File, Router
from ninja.files import UploadedFile

from lifecircle.accounts import selectors, services
from lifecircle.accounts.schemas import (
    DisplayNameOut,
    IdentityIn,
    MeOut,
    PasswordChangeIn,
    PinSetIn,
    ProfileIn,
    SignUpIn,
    TokenCreatedOut,
    TokenCreateIn,
    TokenNameIn,
    TokenOut,
)
from lifecircle.core.errors import NotFound
from lifecircle.core.http import client_ip
from lifecircle.core.i18n import activate_for_user

auth_router = Router(tags=["accounts"])
me_router = Router(tags=["accounts"])
users_router = Router(tags=["accounts"])


def me_out(user) -> dict:
    identity = getattr(user, "identity", None)
    return {
        "id": user.pk,
        "username": user.username,
        "mobile": user.mobile,
        "nickname": user.nickname,
        "language": user.language,
        "avatar_url": user.avatar.url if user.avatar else None,
        "avatar_thumb_url": user.avatar_thumb.url if user.avatar_thumb else None,
        "identity": identity,
        "pin_set": services.pin_is_set(user=user),
    }


def _token_created(token, raw) -> dict:
    return {**TokenOut.model_validate(token).model_dump(), "token": raw}


@auth_router.post("/signup", auth=None, response={201: TokenCreatedOut})
def signup(request, data: SignUpIn):
    """Create an account and a first API token for this client."""
    user = services.user_sign_up(
        identifier=data.identifier, password=data.password, nickname=data.nickname, language=data.language
    )
    activate_for_user(request, user)
    token, raw = services.api_token_create(user=user, name=str(_("Sign-up")))
    return 201, _token_created(token, raw)


@auth_router.post("/tokens", auth=None, response={201: TokenCreatedOut})
def token_create_with_password(request, data: TokenCreateIn):
    """Sign in with a mobile number or username and password; returns a new bearer token.
    Throttled like the web sign-in."""
    user = services.user_authenticate(
        identifier=data.identifier, password=data.password, ip=client_ip(request)
    )
    activate_for_user(request, user)
    token, raw = services.api_token_create(user=user, name=data.name)
    return 201, _token_created(token, raw)


@me_router.get("", response=MeOut)
def me(request):
    return me_out(request.auth)


@me_router.patch("", response=MeOut)
def me_update(request, data: ProfileIn):
    user = services.profile_update(user=request.auth, nickname=data.nickname, language=data.language)
    activate_for_user(request, user)
    return me_out(user)


@me_router.post("/avatar", response=MeOut)
def me_avatar(request, avatar: UploadedFile = File(...)):
    user = services.avatar_set(
        user=request.auth, data=avatar.read(settings.LIFECIRCLE["AVATAR_MAX_BYTES"] + 1)
    )
    return me_out(user)


@me_router.post("/password", response={204: None})
def me_password(request, data: PasswordChangeIn):
    services.password_change(
        user=request.auth, old_password=data.old_password, new_password=data.new_password
    )
    return 204, None


@me_router.post("/identity", response={201: MeOut})
def me_identity(request, data: IdentityIn):
    services.identity_verify(user=request.auth, legal_name=data.legal_name, id_number=data.id_number)
    return 201, me_out(request.auth)


@me_router.put("/pin", response={204: None})
def me_pin(request, data: PinSetIn):
    """Set the payment PIN, or change it (changing needs ``password``, the login password)."""
    services.pin_set(user=request.auth, pin=data.pin, password=data.password)
    return 204, None


@me_router.get("/tokens", response=list[TokenOut])
def tokens_list(request):
    return list(selectors.api_token_list(user=request.auth))


@me_router.post("/tokens", response={201: TokenCreatedOut})
def tokens_create(request, data: TokenNameIn):
    token, raw = services.api_token_create(user=request.auth, name=data.name)
    return 201, _token_created(token, raw)


@me_router.delete("/tokens/{token_id}", response=TokenOut)
def tokens_revoke(request, token_id: int):
    return services.api_token_revoke(user=request.auth, token_id=token_id)


@users_router.get("/{user_id}", response=DisplayNameOut)
def user_display(request, user_id: int):
    """The name a viewer sees of a user: the real name in full only to themselves (and, with
    the social graph, to friends), masked to everyone else."""
    user = selectors.user_get_for_viewer(viewer=request.auth, user_id=user_id)
    if user is None:
        raise NotFound("user_not_found", _("No such user."))
    name = selectors.display_name_for(request.auth, user)
    return {
        "id": user.pk,
        "nickname": name.nickname,
        "real_name": name.real_name,
        "real_name_masked": name.real_name_masked,
        "avatar_thumb_url": user.avatar_thumb.url if user.avatar_thumb else None,
    }
