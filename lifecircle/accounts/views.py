"""Account pages. Each POST calls one service; an ApplicationError is shown on the form."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.accounts import selectors, services
from lifecircle.core.errors import ApplicationError
from lifecircle.core.http import client_ip
from lifecircle.core.views import safe_next

BACKEND = "lifecircle.accounts.backends.UsernameOrMobileBackend"


def _render(request, template, context=None, status=200):
    return render(request, template, context or {}, status=status)


def _error_context(exc: ApplicationError) -> dict:
    return {"error": exc, "field_errors": {k: [str(m) for m in v] for k, v in exc.fields.items()}}


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    context = {"form": request.POST}
    if request.method == "POST":
        try:
            user = services.user_sign_up(
                identifier=request.POST.get("identifier", ""),
                password=request.POST.get("password", ""),
                nickname=request.POST.get("nickname", ""),
                language=request.LANGUAGE_CODE,
            )
        except ApplicationError as exc:
            return _render(request, "accounts/signup.html", {**context, **_error_context(exc)}, exc.status)
        login(request, user, backend=BACKEND)
        messages.success(request, _("Welcome to LifeCircle!"))
        return redirect("home")
    return _render(request, "accounts/signup.html", context)


def login_view(request):
    context = {"form": request.POST, "next": request.GET.get("next", "")}
    if request.method == "POST":
        try:
            user = services.user_authenticate(
                identifier=request.POST.get("identifier", ""),
                password=request.POST.get("password", ""),
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            return _render(request, "accounts/login.html", {**context, **_error_context(exc)}, exc.status)
        login(request, user, backend=BACKEND)
        return redirect(safe_next(request, "/"))
    return _render(request, "accounts/login.html", context)


@require_POST
def logout_view(request):
    if request.user.is_authenticated and request.session.session_key:
        from lifecircle.accounts.services.tokens import auth_revoked_publish

        auth_revoked_publish(user_id=request.user.pk, session_key=request.session.session_key)
    logout(request)
    return redirect("home")


@login_required
def profile(request):
    context = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "avatar":
                upload = request.FILES.get("avatar")
                data = upload.read(settings.LIFECIRCLE["AVATAR_MAX_BYTES"] + 1) if upload else b""
                services.avatar_set(user=request.user, data=data)
                messages.success(request, _("Avatar updated."))
            elif action == "password":
                services.password_change(
                    user=request.user,
                    old_password=request.POST.get("old_password", ""),
                    new_password=request.POST.get("new_password", ""),
                )
                login(request, request.user, backend=BACKEND)  # keep this session signed in
                messages.success(request, _("Password changed."))
            else:
                services.profile_update(
                    user=request.user,
                    nickname=request.POST.get("nickname", ""),
                    language=request.POST.get("language", request.user.language),
                )
                messages.success(request, _("Profile saved."))
                return redirect("accounts:profile")  # re-render in the newly chosen language
        except ApplicationError as exc:
            context.update(_error_context(exc))
            return _render(request, "accounts/profile.html", context, exc.status)
        return redirect("accounts:profile")
    return _render(request, "accounts/profile.html", context)


@login_required
def identity(request):
    context = {"shown": selectors.display_name_for(None, request.user)}
    if request.method == "POST":
        try:
            services.identity_verify(
                user=request.user,
                legal_name=request.POST.get("legal_name", ""),
                id_number=request.POST.get("id_number", ""),
            )
        except ApplicationError as exc:
            context.update(_error_context(exc), form={"legal_name": request.POST.get("legal_name", "")})
            return _render(request, "accounts/identity.html", context, exc.status)
        messages.success(request, _("Your real name is verified."))
        return redirect("accounts:identity")
    return _render(request, "accounts/identity.html", context)


@login_required
def pin(request):
    context = {"pin_set": services.pin_is_set(user=request.user)}
    if request.method == "POST":
        new_pin = request.POST.get("pin", "")
        try:
            if new_pin != request.POST.get("pin_confirm", ""):
                raise ApplicationError(
                    "pin_mismatch",
                    _("The two PINs do not match."),
                    fields={"pin_confirm": [_("The two PINs do not match.")]},
                )
            services.pin_set(user=request.user, pin=new_pin, password=request.POST.get("password") or None)
        except ApplicationError as exc:
            context.update(_error_context(exc))
            return _render(request, "accounts/pin.html", context, exc.status)
        messages.success(request, _("Payment PIN saved."))
        return redirect("accounts:pin")
    return _render(request, "accounts/pin.html", context)


@login_required
def tokens(request):
    context = {}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                services.api_token_revoke(
                    user=request.user, token_id=int(request.POST.get("token_id", "0") or 0)
                )
                messages.success(request, _("Token revoked."))
                return redirect("accounts:tokens")
            _token, raw = services.api_token_create(user=request.user, name=request.POST.get("name", ""))
            context["new_token"] = raw
        except ValueError:
            return redirect("accounts:tokens")
        except ApplicationError as exc:
            context.update(_error_context(exc))
            status = exc.status
    context["tokens"] = selectors.api_token_list(user=request.user)
    return _render(request, "accounts/tokens.html", context, status)
