from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectConfig(AppConfig):
    name = "lifecircle.collect"
    label = "collect"
    verbose_name = _("Group collections")

    def ready(self):
        from lifecircle.chat import cards
        from lifecircle.chat.models import Message
        from lifecircle.collect.cards import load_collections, load_pay_requests

        cards.register(
            Message.Kind.COLLECTION, template="collect/_collection_card.html", load=load_collections
        )
        cards.register(
            Message.Kind.PAY_REQUEST, template="collect/_pay_request_card.html", load=load_pay_requests
        )

        from lifecircle.collect.services import collection_reminders_send
        from lifecircle.core import sweeps

        sweeps.register("collect-remind", collection_reminders_send, every=300)
