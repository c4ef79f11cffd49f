from django.urls import path

import lifecircle.core.converters  # noqa: F401 - registers <id:…>
from lifecircle.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("with/<id:user_id>/", views.open_direct, name="open_direct"),
    path("group/<id:group_id>/", views.open_group, name="open_group"),
    path("c/<id:conversation_id>/", views.conversation, name="conversation"),
    path("c/<id:conversation_id>/send/", views.send, name="send"),
    path("m/<id:message_id>/open/", views.open_burn, name="open_burn"),
    path("m/<id:message_id>/recall/", views.recall, name="recall"),
]
