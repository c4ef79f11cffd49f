"""Django messages whose wording changed in Django 5.2 and that Django's own zh_Hans / zh_Hant
catalogs do not translate yet. Marked here so ``make messages`` puts them in ours (the
project's catalogs are consulted before Django's). Never called."""

from django.utils.translation import ngettext


def _marked() -> None:  # pragma: no cover - only for extraction
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    )
