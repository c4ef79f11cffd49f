from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "lifecircle.realtime"
    label = "realtime"
