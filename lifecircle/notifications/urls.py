from django.urls import path

from lifecircle.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("read/", views.mark_read, name="read"),
]
