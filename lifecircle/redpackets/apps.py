from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedPacketsConfig(AppConfig):
    name = "lifecircle.redpackets"
    label = "redpackets"
    verbose_name = _("Red packets")

    def ready(self):
        from lifecircle.chat.cards import register
        from lifecircle.chat.models import Message
        from lifecircle.redpackets.selectors import cards_load

        register(Message.Kind.RED_PACKET, template="redpackets/_card.html", load=cards_load)

        from lifecircle.core import sweeps
        from lifecircle.redpackets.services import red_packets_sweep

        sweeps.register("redpackets-refund", red_packets_sweep, every=30)
