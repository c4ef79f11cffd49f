from django.urls import path

from lifecircle.feed import views

app_name = "feed"
urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("new/", views.compose, name="compose"),
    path("p/<int:post_id>/", views.post_detail, name="post"),
    path("p/<int:post_id>/<str:action>/", views.post_action, name="post_action"),
    path("u/<int:user_id>/", views.user_posts, name="user"),
    path("img/<int:image_id>/<str:size>/", views.image, name="image"),
]
