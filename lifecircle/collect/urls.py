from django.urls import path

import lifecircle.core.converters  # noqa: F401 - registers <id:…>
from lifecircle.collect import views

app_name = "collect"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("<id:collection_id>/", views.detail, name="detail"),
    path("<id:collection_id>/pay/", views.pay, name="pay"),
    path("<id:collection_id>/close/", views.close, name="close"),
    path("<id:collection_id>/ask/", views.ask, name="ask"),
    path("requests/<id:pay_request_id>/", views.pay_request, name="pay_request"),
    path("requests/<id:pay_request_id>/pay/", views.pay_request_pay, name="pay_request_pay"),
    path("requests/<id:pay_request_id>/cancel/", views.pay_request_cancel, name="pay_request_cancel"),
]
