from functools import partial

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from ninja.openapi.views import openapi_view

from lifecircle.api import api
from lifecircle.core import views as core_views
from lifecircle.core.api_errors import status_error_response

urlpatterns = [
    path("", core_views.home, name="home"),
    path("s/<slug:name>/", login_required(core_views.section), name="section"),
    path("language/", core_views.language_set, name="language_set"),
    path("accounts/", include("lifecircle.accounts.urls")),
    path("friends/", include("lifecircle.social.urls")),
    path("circle/", include("lifecircle.feed.urls")),
    path("chat/", include("lifecircle.chat.urls")),
    path("notifications/", include("lifecircle.notifications.urls")),
    path("wallet/", include("lifecircle.wallet.urls")),
    path("live/", include("lifecircle.live.urls")),
    path("redpackets/", include("lifecircle.redpackets.urls")),
    path("collect/", include("lifecircle.collect.urls")),
    path("ious/", include("lifecircle.ious.urls")),
    path("api/v1/", api.urls),
    path("api/docs", partial(openapi_view, api=api), name="api-docs"),
    re_path(r"^api/", lambda request, *args, **kwargs: status_error_response(404)),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>avatars/.*)$", core_views.media),
    ]
