from django.urls import path  # noqa: F401

import lifecircle.core.converters  # noqa: F401 - registers <id:…>

app_name = "collect"
urlpatterns: list = []
