"""Live pages and API: what a host and a viewer see, and bad input that gets a clear 4xx
(never a 500)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lifecircle.core.testing.asserts import assert_error
from lifecircle.core.testing.factories import make_user
from lifecircle.live import services
from lifecircle.live.models import LiveEvent

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


@pytest.fixture
def setup():
    host, viewer = make_user("host_pg"), make_user("viewer_pg")
    event = services.event_create(host=host, title="Night market", scheduled_at=timezone.now())
    hc, vc = Client(), Client()
    hc.force_login(host)
    vc.force_login(viewer)
    return host, viewer, event, hc, vc


def test_the_host_goes_live_and_ends_from_the_page_viewers_cannot(setup):
    _host, _viewer, event, hc, vc = setup
    assert b"Go live" in hc.get(f"/live/{event.pk}/").content
    assert b"Go live" not in vc.get(f"/live/{event.pk}/").content
    vc.post(f"/live/{event.pk}/start/")
    assert LiveEvent.objects.get(pk=event.pk).status == "scheduled"
    r = hc.post(f"/live/{event.pk}/start/", follow=True)
    assert b"You are live." in r.content and LiveEvent.objects.get(pk=event.pk).status == "live"
    page = vc.get("/live/").content.decode()
    assert "Night market" in page and "LIVE" in page
    assert b'data-testid="danmaku-form"' in vc.get(f"/live/{event.pk}/").content
    hc.post(f"/live/{event.pk}/end/")
    assert b"Recording" in vc.get(f"/live/{event.pk}/").content


def test_creating_an_event_from_the_page(setup):
    host, _viewer, _event, hc, _vc = setup
    soon = timezone.localtime(timezone.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = hc.post("/live/new/", {"title": "", "scheduled_at": soon, "audience": "public"})
    assert r.status_code == 200 and b"title of at most 80" in r.content
    r = hc.post("/live/new/", {"title": "Karaoke", "scheduled_at": "not a date", "audience": "public"})
    assert r.status_code == 200 and b"Enter a valid date and time." in r.content
    r = hc.post("/live/new/", {"title": "Karaoke", "scheduled_at": soon, "audience": "friends"})
    event = LiveEvent.objects.get(title="Karaoke")
    assert r.status_code == 302 and event.audience == "friends" and event.host == host


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/live/{HUGE}/"),
        ("post", f"/live/{HUGE}/start/"),
        ("get", "/live/hls/demo/..%2F..%2Fsettings.py"),
        ("get", "/live/hls/demo/missing.m3u8"),
        ("get", f"/api/v1/live/events/{HUGE}"),
        ("get", f"/api/v1/live/events/{HUGE}/danmaku"),
        ("delete", f"/api/v1/live/danmaku/{HUGE}"),
    ],
)
def test_mangled_links_are_4xx(setup, method, path):
    *_rest, vc = setup
    assert 400 <= getattr(vc, method)(path).status_code < 500


def test_creating_an_event_over_the_api(setup, api_client):
    host, *_ = setup
    api = api_client.as_user(host)
    soon = (timezone.localtime() + dt.timedelta(hours=3)).replace(tzinfo=None, microsecond=0)
    r = api.post("/api/v1/live/events", {"title": "Naive", "scheduled_at": soon.isoformat()})
    assert r.status_code == 201, r.content  # a time without a zone is the local time
    assert timezone.localtime(LiveEvent.objects.get(title="Naive").scheduled_at).replace(tzinfo=None) == soon
    for bad in ("/\\evil.example/x.m3u8", "javascript:alert(1)", "ftp://x.example/a.m3u8"):
        r = api.post(
            "/api/v1/live/events", {"title": "T", "scheduled_at": soon.isoformat(), "stream_url": bad}
        )
        assert_error(r, 400, "stream_url_invalid")


def test_api_bad_input_is_a_clear_4xx(setup, api_client):
    host, viewer, event, *_ = setup
    services.event_start(host=host, event_id=event.pk)
    api = api_client.as_user(viewer)
    assert_error(
        api.post(f"/api/v1/live/events/{event.pk}/danmaku", {"text": "x" * 101}), 400, "danmaku_too_long"
    )
    assert_error(
        api.post(f"/api/v1/live/events/{event.pk}/gifts", {"amount_fen": 10}), 400, "idempotency_key_required"
    )
    r = api.post(f"/api/v1/live/events/{event.pk}/gifts", {"amount_fen": 10}, HTTP_IDEMPOTENCY_KEY="k")
    assert_error(r, 400, "insufficient_funds")
    assert_error(
        api.post(f"/api/v1/live/events/{event.pk}/mutes", {"user_id": host.pk, "minutes": 5}),
        403,
        "not_moderator",
    )
    assert_error(api.post(f"/api/v1/live/events/{event.pk}/end"), 404, "event_not_found")
    r = api.get(f"/api/v1/live/events/{event.pk}/danmaku?from_ms=-5&to_ms=99999999999")
    assert r.status_code == 200 and r.json() == {"items": [], "next_from_ms": None}
