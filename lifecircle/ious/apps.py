from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IousConfig(AppConfig):
    name = "lifecircle.ious"
    label = "ious"
    verbose_name = _("IOUs")
