"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Run with ``uvicorn config.asgi:application``.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from lifecircle.core.sweeps import SweepsInServer  # noqa: E402
from lifecircle.realtime.auth import WebSocketAuthMiddlewareStack  # noqa: E402
from lifecircle.realtime.routing import websocket_urlpatterns  # noqa: E402

# The sweeps (lifecircle/core/sweeps.py) run in each server process unless turned off.
application = SweepsInServer(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": WebSocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
        }
    )
)
