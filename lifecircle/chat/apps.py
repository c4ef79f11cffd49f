from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "lifecircle.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self):
        from lifecircle.chat import consumers  # noqa: F401 - registers the chat frame handlers
        from lifecircle.chat.services import burn_due_sweep
        from lifecircle.core import sweeps

        sweeps.register("chat-burn", burn_due_sweep, every=5)
