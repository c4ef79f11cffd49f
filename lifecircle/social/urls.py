from django.urls import path

import lifecircle.core.converters  # noqa: F401 - registers <id:…>
from lifecircle.social import views

app_name = "social"
urlpatterns = [
    path("", views.friends_home, name="home"),
    path("find/", views.find, name="find"),
    path("requests/", views.requests_page, name="requests"),
    path("requests/<id:request_id>/<str:action>/", views.request_answer, name="request_answer"),
    path("u/<id:user_id>/", views.person, name="person"),
    path("u/<id:user_id>/<str:action>/", views.person_action, name="person_action"),
    path("privacy/", views.privacy, name="privacy"),
    path("qr/", views.qr, name="qr"),
    path("add/<str:token>/", views.add_by_link, name="add_by_link"),
    path("blocked/", views.blocked, name="blocked"),
    path("tags/", views.tags, name="tags"),
    path("groups/", views.groups, name="groups"),
    path("groups/<id:group_id>/", views.group, name="group"),
    path("groups/<id:group_id>/<str:action>/", views.group_action, name="group_action"),
]
