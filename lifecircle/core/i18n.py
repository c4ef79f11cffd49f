"""Which language a request is answered in.

The user's saved preference wins, else the language cookie set by the switcher, else the
browser's ``Accept-Language`` (Django's LocaleMiddleware does those two), else English. The
same rule applies to pages, API errors and, through :func:`activate_for_user`, to requests
authenticated by an API token (which the middleware cannot see).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def activate_for_user(request, user) -> None:
    lang = getattr(user, "language", "") or ""
    if lang in LANGUAGE_CODES:
        translation.activate(lang)
        request.LANGUAGE_CODE = lang


class UserLanguageMiddleware:
    """Runs after AuthenticationMiddleware: a signed-in user's preference overrides the rest."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_for_user(request, user)
        return self.get_response(request)


def languages_context(request) -> dict:
    return {
        "LIFECIRCLE_LANGUAGES": settings.LANGUAGES,
        "CURRENT_LANGUAGE": translation.get_language(),
    }
