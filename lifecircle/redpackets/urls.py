from django.urls import path

import lifecircle.core.converters  # noqa: F401 - registers <id:…>
from lifecircle.redpackets import views

app_name = "redpackets"
urlpatterns = [
    path("new/", views.new, name="new"),
    path("<id:packet_id>/", views.detail, name="detail"),
    path("<id:packet_id>/grab/", views.grab, name="grab"),
]
