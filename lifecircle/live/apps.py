from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "lifecircle.live"
    label = "live"
    verbose_name = _("Live")

    def ready(self):
        from lifecircle.live import consumers  # noqa: F401 - registers the live frame handlers
