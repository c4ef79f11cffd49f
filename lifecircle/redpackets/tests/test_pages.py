"""Red-packet pages: send from a chat, the card in the chat opens in place (htmx), the list;
mangled links and form values never give a 500."""

import pytest
from django.test import Client

from lifecircle.core.testing.factories import PIN, wallet_balance_of
from lifecircle.redpackets import services
from lifecircle.redpackets.models import RedPacket

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_chat_shows_the_red_packet_button_and_the_form_sends_one(chats):
    amy = login(chats.amy)
    chat = amy.get(f"/chat/c/{chats.group_conv.pk}/").content.decode()
    assert f"/redpackets/new/?conversation={chats.group_conv.pk}" in chat
    form = amy.get(f"/redpackets/new/?conversation={chats.group_conv.pk}")
    assert form.status_code == 200 and "3 members" in form.content.decode()
    key = form.context["idempotency_key"]
    data = {
        "conversation": chats.group_conv.pk,
        "kind": "lucky",
        "amount": "8.88",
        "shares": "2",
        "greeting": "Lucky you",
        "pin": PIN,
        "idempotency_key": key,
    }
    r = amy.post("/redpackets/new/", data)
    assert r.status_code == 302 and r["Location"] == f"/chat/c/{chats.group_conv.pk}/"
    assert amy.post("/redpackets/new/", data).status_code == 302  # a resubmitted form: no second packet
    packet = RedPacket.objects.get()
    assert (packet.total_fen, packet.share_count, packet.greeting) == (8_88, 2, "Lucky you")
    assert wallet_balance_of(chats.amy) == 500_00 - 8_88
    chat = login(chats.ben).get(f"/chat/c/{chats.group_conv.pk}/").content.decode()
    assert "Lucky you" in chat and f'hx-post="/redpackets/{packet.pk}/grab/"' in chat


def test_the_card_opens_in_place_and_shows_the_amount(chats):
    packet = services.red_packet_send(
        sender=chats.amy,
        conversation_id=chats.group_conv.pk,
        kind="fixed",
        total_fen=2_00,
        share_count=2,
        pin=PIN,
        idempotency_key="p",
    )
    ben = login(chats.ben)
    r = ben.post(f"/redpackets/{packet.pk}/grab/", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-state="grabbed"' in html and "You got" in html and "1.00" in html
    again = ben.post(f"/redpackets/{packet.pk}/grab/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="grabbed"' in again and wallet_balance_of(chats.ben) == 1_00
    login(chats.cat).post(f"/redpackets/{packet.pk}/grab/", HTTP_HX_REQUEST="true")
    r = login(chats.amy).post(f"/redpackets/{packet.pk}/grab/", HTTP_HX_REQUEST="true")
    assert 'data-state="empty"' in r.content.decode() and "All taken" in r.content.decode()
    detail = ben.get(f"/redpackets/{packet.pk}/").content.decode()
    assert "Ben" in detail and "Cat" in detail and detail.count('data-testid="red-packet-grab"') == 2
    assert "all taken" in detail


def test_the_sender_of_a_one_to_one_packet_waits_and_the_other_opens_it(chats):
    packet = services.red_packet_send(
        sender=chats.amy,
        conversation_id=chats.direct_conv.pk,
        kind="lucky",
        total_fen=52_00,
        share_count=1,
        pin=PIN,
        idempotency_key="d",
    )
    assert 'data-state="sent"' in login(chats.amy).get(f"/chat/c/{chats.direct_conv.pk}/").content.decode()
    ben = login(chats.ben)
    assert 'data-state="open"' in ben.get(f"/chat/c/{chats.direct_conv.pk}/").content.decode()
    r = ben.post(f"/redpackets/{packet.pk}/grab/")  # without htmx: to the packet's page
    assert r.status_code == 302 and r["Location"] == f"/redpackets/{packet.pk}/"
    assert "52.00" in ben.get(r["Location"]).content.decode()


def test_a_bad_form_shows_the_error_and_sends_nothing(chats):
    amy = login(chats.amy)
    base = {"conversation": chats.group_conv.pk, "kind": "lucky", "pin": PIN, "idempotency_key": "z"}
    for extra, text in [
        ({"amount": "300", "shares": "2"}, "at most"),
        ({"amount": "0.02", "shares": "3"}, "0.01"),
        ({"amount": "1", "shares": "9"}, "members of the group"),
        ({"amount": "1", "shares": "abc"}, "at least 1"),
        ({"amount": "abc", "shares": "1"}, "two decimals"),
    ]:
        r = amy.post("/redpackets/new/", {**base, **extra})
        assert 400 <= r.status_code < 500 and text in r.content.decode(), (extra, r.content.decode()[-2000:])
    r = amy.post("/redpackets/new/", {**base, "amount": "1", "shares": "1", "pin": "000000"})
    assert r.status_code in (400, 403) and r.context["error"].code == "pin_incorrect"
    assert RedPacket.objects.count() == 0 and wallet_balance_of(chats.amy) == 500_00


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/redpackets/new/", None),
        ("get", "/redpackets/new/?conversation=abc", None),
        ("get", f"/redpackets/new/?conversation={HUGE}", None),
        ("post", "/redpackets/new/", {"conversation": HUGE, "amount": "1"}),
        ("post", "/redpackets/new/", {"conversation": "{group}", "amount": HUGE, "shares": HUGE}),
        (
            "post",
            "/redpackets/new/",
            {"conversation": "{group}", "amount": "1", "shares": "-1", "kind": "x" * 500},
        ),
        ("get", f"/redpackets/{HUGE}/", None),
        ("get", "/redpackets/999999/", None),
        ("post", f"/redpackets/{HUGE}/grab/", {}),
        ("post", "/redpackets/999999/grab/", {}),
        ("get", "/redpackets/1/grab/", None),
    ],
)
def test_no_500(chats, method, path, data):
    c = login(chats.outsider if "999999" in path else chats.amy)
    if data:
        data = {k: (str(chats.group_conv.pk) if v == "{group}" else v) for k, v in data.items()}
    r = getattr(c, method)(path, data) if data is not None else getattr(c, method)(path)
    assert r.status_code < 500, (path, r.status_code)
    r = getattr(c, method)(path, data or {}, HTTP_HX_REQUEST="true")
    assert r.status_code < 500, (path, r.status_code)


def test_pages_need_a_login_and_strangers_get_404(chats):
    packet = services.red_packet_send(
        sender=chats.amy,
        conversation_id=chats.group_conv.pk,
        kind="lucky",
        total_fen=1_00,
        share_count=1,
        pin=PIN,
        idempotency_key="s",
    )
    assert Client().get(f"/redpackets/{packet.pk}/").status_code == 302
    olly = login(chats.outsider)
    assert olly.get(f"/redpackets/{packet.pk}/").status_code == 404
    assert olly.get(f"/redpackets/new/?conversation={chats.group_conv.pk}").status_code == 404
    assert olly.post(f"/redpackets/{packet.pk}/grab/", HTTP_HX_REQUEST="true").status_code == 404
    assert wallet_balance_of(chats.outsider) == 0
