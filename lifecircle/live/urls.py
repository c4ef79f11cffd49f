from django.urls import path, re_path

import lifecircle.core.converters  # noqa: F401 - registers <id:…>
from lifecircle.live import views

app_name = "live"
urlpatterns = [
    path("", views.events, name="events"),
    path("new/", views.new, name="new"),
    path("<id:event_id>/", views.event, name="event"),
    path("<id:event_id>/start/", views.start, name="start"),
    path("<id:event_id>/end/", views.end, name="end"),
    re_path(
        r"^hls/(?P<name>[a-z0-9-]{1,40})/(?P<filename>[A-Za-z0-9_-]{1,40}\.(?:m3u8|ts|m4s|mp4))$",
        views.hls,
        name="hls",
    ),
]
