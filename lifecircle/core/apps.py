from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lifecircle.core"
    label = "core"
