from django.urls import path

from lifecircle.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("identity/", views.identity, name="identity"),
    path("pin/", views.pin, name="pin"),
    path("tokens/", views.tokens, name="tokens"),
]
