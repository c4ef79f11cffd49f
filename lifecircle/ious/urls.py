from django.urls import path

import lifecircle.core.converters  # noqa: F401 - registers <id:…>
from lifecircle.ious import views

app_name = "ious"
urlpatterns = [
    path("", views.iou_list, name="list"),
    path("new/", views.iou_new, name="new"),
    path("<id:iou_id>/", views.iou_detail, name="detail"),
    path("<id:iou_id>/print/", views.iou_print, name="print"),
    path("<id:iou_id>/<str:action>/", views.iou_action, name="action"),
]
