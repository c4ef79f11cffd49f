from django.urls import path

from lifecircle.realtime.consumers import LifeCircleConsumer

websocket_urlpatterns = [
    path("ws/", LifeCircleConsumer.as_asgi()),
]
