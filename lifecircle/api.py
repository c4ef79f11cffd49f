"""The one NinjaAPI, mounted at /api/v1 with its OpenAPI docs at /api/docs."""

from ninja import NinjaAPI
from ninja.parser import Parser

from lifecircle.accounts.api import auth_router, me_router, users_router
from lifecircle.accounts.auth import api_auth
from lifecircle.chat.api import router as chat_router
from lifecircle.collect.api import router as collect_router
from lifecircle.core import api_errors
from lifecircle.feed.api import router as feed_router
from lifecircle.ious.api import router as ious_router
from lifecircle.live.api import router as live_router
from lifecircle.notifications.api import router as notifications_router
from lifecircle.redpackets.api import router as redpackets_router
from lifecircle.social.api import blocks_router, friends_router, groups_router, privacy_router
from lifecircle.wallet.api import router as wallet_router


class StrictJsonParser(Parser):
    """Bodies must be JSON objects; anything else is a 400 ``malformed_request``."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


api = NinjaAPI(
    title="LifeCircle API",
    version="1",
    description=(
        "Friends, a feed, live events, chat and a wallet. Authenticate with "
        "`Authorization: Bearer <token>` (create tokens under /accounts/tokens/ or "
        "POST /api/v1/auth/tokens) or the browser session plus the CSRF header. Every error "
        'is `{"code", "message", "fields"}` with a 4xx status; `message` follows the '
        "user's language, else Accept-Language."
    ),
    urls_namespace="api",
    docs_url=None,  # served at /api/docs (config/urls.py)
    auth=api_auth,
    parser=StrictJsonParser(),
)
api_errors.install(api)
api.add_router("/auth", auth_router)
api.add_router("/me", me_router)
api.add_router("/users", users_router)
api.add_router("/friends", friends_router)
api.add_router("/blocks", blocks_router)
api.add_router("/privacy", privacy_router)
api.add_router("/groups", groups_router)
api.add_router("/feed", feed_router)
api.add_router("/notifications", notifications_router)
api.add_router("/chat", chat_router)
api.add_router("/wallet", wallet_router)
api.add_router("/live", live_router)
api.add_router("/redpackets", redpackets_router)
api.add_router("/collections", collect_router)
api.add_router("/ious", ious_router)
