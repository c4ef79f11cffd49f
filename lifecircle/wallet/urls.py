from django.urls import path

import lifecircle.core.converters  # noqa: F401 - registers <id:…>
from lifecircle.wallet import views

app_name = "wallet"
urlpatterns = [
    path("", views.home, name="home"),
    path("top-up/", views.topup, name="topup"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("transfer/", views.transfer, name="transfer"),
    path("transfer/recipient/", views.transfer_recipient, name="transfer_recipient"),
    path("cards/", views.cards, name="cards"),
    path("statement/", views.statement, name="statement"),
    path("entries/<id:entry_id>/", views.receipt, name="receipt"),
    path("password-free/", views.micropay_settings, name="micropay"),
]
