from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lifecircle.notifications import selectors, services
from lifecircle.notifications.render import notification_lines


@login_required
def centre(request):
    items = selectors.notification_list(user=request.user, limit=50)
    return render(
        request,
        "notifications/centre.html",
        {"lines": notification_lines(viewer=request.user, notifications=items)},
    )


@login_required
@require_POST
def mark_read(request):
    services.notifications_mark_read(user=request.user)
    return redirect("notifications:centre")


def unread_context(request) -> dict:
    """The badge count on every page (one indexed count)."""
    if not request.user.is_authenticated:
        return {}
    return {"UNREAD_NOTIFICATIONS": selectors.unread_count(user=request.user)}
