from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lifecircle.accounts import services as account_services

SECTIONS = {
    "circle": (_("Life Circle"), _("Your friends' updates, likes, comments and tips.")),
    "live": (_("Live"), _("Live events with bullet comments and gifts.")),
    "chat": (_("Chat"), _("Messages with friends and groups, including burn-after-reading.")),
    "wallet": (_("Wallet"), _("Your balance, top-ups, transfers and statement.")),
    "friends": (_("Friends"), _("Find friends, requests, groups and privacy.")),
}


def safe_next(request, fallback: str = "/") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return fallback


# Sections that have their own app; the others show a placeholder page until they land.
SECTION_URLS = {
    "circle": "feed:timeline",
    "live": "live:events",
    "chat": "chat:inbox",
    "wallet": "wallet:home",
    "friends": "social:home",
}


def _section_url(key: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(SECTION_URLS[key]) if key in SECTION_URLS else reverse("section", args=[key])
    except NoReverseMatch:
        return reverse("section", args=[key])


def home(request):
    sections = [
        {"key": key, "title": title, "blurb": blurb, "url": _section_url(key)}
        for key, (title, blurb) in SECTIONS.items()
    ]
    return render(request, "core/home.html", {"sections": sections})


def media(request, path: str):
    """Uploaded public media (avatars) in embedded mode; a web server does this in production."""
    from django.views.static import serve

    return serve(request, path, document_root=settings.MEDIA_ROOT)


def section(request, name: str):
    if name not in SECTIONS:
        raise Http404
    title, blurb = SECTIONS[name]
    return render(request, "core/section.html", {"name": name, "title": title, "blurb": blurb})


@require_POST
def language_set(request):
    """The language switcher: remembered in a cookie, and in the profile when signed in."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(safe_next(request))
    if translation.check_for_language(language) and language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            account_services.profile_update(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=not settings.DEBUG,
            httponly=True,
        )
    return response


def post_action(request, action, *, success: str | None, redirect_to: str):
    """Run one service call for a form POST: on success flash ``success``; on an
    ApplicationError flash its (localized) message; either way redirect (POST/redirect/GET)."""
    from django.contrib import messages

    from lifecircle.core.errors import ApplicationError

    try:
        result = action()
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(redirect_to), None
    if success:
        messages.success(request, success)
    return HttpResponseRedirect(redirect_to), result
