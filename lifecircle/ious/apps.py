from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IousConfig(AppConfig):
    name = "lifecircle.ious"
    label = "ious"
    verbose_name = _("IOUs")

    def ready(self) -> None:
        from lifecircle.chat.cards import register
        from lifecircle.chat.models import Message
        from lifecircle.ious.selectors import iou_cards_load

        register(Message.Kind.IOU, template="ious/_card.html", load=iou_cards_load)

        from lifecircle.core import sweeps
        from lifecircle.ious.services import ious_due_run

        sweeps.register("ious-due", ious_due_run, every=300)
