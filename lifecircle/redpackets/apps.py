from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedPacketsConfig(AppConfig):
    name = "lifecircle.redpackets"
    label = "redpackets"
    verbose_name = _("Red packets")
