from django.urls import path

import lifecircle.core.converters  # noqa: F401 - registers <id:…>
from lifecircle.feed import views

app_name = "feed"
urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("new/", views.compose, name="compose"),
    path("p/<id:post_id>/", views.post_detail, name="post"),
    path("p/<id:post_id>/<str:action>/", views.post_action, name="post_action"),
    path("u/<id:user_id>/", views.user_posts, name="user"),
    path("img/<id:image_id>/<str:size>/", views.image, name="image"),
]
