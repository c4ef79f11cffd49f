"""Live pages: the list of events, a new event, and the room (player, flying danmaku, the
input box, gifts, the viewer count; the host's controls). The room talks over the tab's
WebSocket (static/js/live.js shares it; static/js/danmaku.js draws the room)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.core.errors import ApplicationError
from lifecircle.core.money import format_fen
from lifecircle.core.views import post_action
from lifecircle.live import selectors, services
from lifecircle.live.demo import stream_dir
from lifecircle.live.models import Danmaku, LiveEvent


@login_required
def events(request):
    return render(request, "live/events.html", {"lists": selectors.events_list(viewer=request.user)})


@login_required
def new(request):
    form = {"title": "", "description": "", "scheduled_at": "", "stream_url": "", "audience": "public"}
    error = None
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        try:
            when = dt.datetime.fromisoformat(form["scheduled_at"]) if form["scheduled_at"] else None
        except ValueError:
            when = None
        try:
            event = services.event_create(
                host=request.user,
                title=form["title"],
                description=form["description"],
                scheduled_at=when,
                stream_url=form["stream_url"],
                audience=form["audience"],
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("live:event", event.pk)
    return render(
        request, "live/new.html", {"form": form, "error": error, "audiences": LiveEvent.Audience.choices}
    )


@login_required
def event(request, event_id: int):
    ev = selectors.event_for_viewer(viewer=request.user, event_id=event_id)
    if ev is None:
        raise Http404
    return render(
        request,
        "live/event.html",
        {
            "event": ev,
            "is_host": ev.host_id == request.user.pk,
            "may_moderate": selectors.may_moderate(user=request.user, event=ev),
            "gifts": [(fen, format_fen(fen)) for fen in settings.LIFECIRCLE["LIVE_GIFT_AMOUNTS_FEN"][:3]],
            "modes": Danmaku.Mode.choices,
            "sizes": Danmaku.Size.choices,
            "max_chars": settings.LIFECIRCLE["LIVE_DANMAKU_MAX_CHARS"],
        },
    )


def _host_action(request, event_id: int, action, success: str):
    response, _event = post_action(
        request,
        lambda: action(host=request.user, event_id=event_id),
        success=success,
        redirect_to=reverse("live:event", args=[event_id]),
    )
    return response


@login_required
@require_POST
def start(request, event_id: int):
    return _host_action(request, event_id, services.event_start, _("You are live."))


@login_required
@require_POST
def end(request, event_id: int):
    return _host_action(
        request,
        event_id,
        services.event_end,
        _("The event has ended. Its danmaku now replay with the recording."),
    )


@login_required
def hls(request, name: str, filename: str):
    """Streams made on this machine (the demo): playlists and segments. A real deployment
    points events at its streaming service or CDN instead."""
    path = stream_dir(name) / filename
    if not path.is_file():
        raise Http404
    kind = "application/vnd.apple.mpegurl" if filename.endswith(".m3u8") else "video/mp2t"
    response = FileResponse(path.open("rb"), content_type=kind)
    response["Cache-Control"] = "private, max-age=60"
    return response
