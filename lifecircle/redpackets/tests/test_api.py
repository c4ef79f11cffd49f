"""The red-packet API: send, detail with the list, grab; errors in one shape, localized."""

import pytest
from django.core.management import call_command

from lifecircle.core.testing.asserts import assert_error
from lifecircle.core.testing.factories import PIN, wallet_balance_of
from lifecircle.redpackets.models import RedPacket

pytestmark = pytest.mark.django_db


def body(chats, **kw):
    data = {
        "conversation_id": chats.group_conv.pk,
        "kind": "lucky",
        "total_fen": 6_66,
        "share_count": 3,
        "pin": PIN,
    }
    data.update(kw)
    return data


def test_send_detail_and_grab(chats, api_client):
    amy = api_client.as_user(chats.amy)
    r = amy.post("/api/v1/redpackets", body(chats, greeting="Go go go"), HTTP_IDEMPOTENCY_KEY="a1")
    assert r.status_code == 201, r.content
    packet = r.json()
    assert (packet["total_fen"], packet["share_count"], packet["status"], packet["greeting"]) == (
        6_66,
        3,
        "open",
        "Go go go",
    )
    assert packet["can_grab"] and packet["grabs"] == [] and packet["my_amount_fen"] is None
    again = amy.post("/api/v1/redpackets", body(chats, greeting="Go go go"), HTTP_IDEMPOTENCY_KEY="a1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == packet["id"] and RedPacket.objects.count() == 1

    from django.test import Client

    from lifecircle.accounts import services as accounts

    got = {}
    for user in (chats.ben, chats.cat, chats.amy):
        c = Client()
        _t, token = accounts.api_token_create(user=user, name="t")
        r = c.post(f"/api/v1/redpackets/{packet['id']}/grab", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert r.status_code == 201, r.content
        got[user.pk] = r.json()["amount_fen"]
        assert r.json()["packet_id"] == packet["id"]
    assert sum(got.values()) == 6_66 and wallet_balance_of(chats.ben) == got[chats.ben.pk]

    detail = amy.get(f"/api/v1/redpackets/{packet['id']}").json()
    assert detail["status"] == "empty" and detail["taken_fen"] == 6_66 and detail["taken_count"] == 3
    assert [(g["name"], g["amount_fen"]) for g in detail["grabs"]] == [
        ("Ben", got[chats.ben.pk]),
        ("Cat", got[chats.cat.pk]),
        ("Amy", got[chats.amy.pk]),
    ]
    assert sum(g["best_luck"] for g in detail["grabs"]) == 1
    assert detail["my_amount_fen"] == got[chats.amy.pk]
    assert_error(amy.post(f"/api/v1/redpackets/{packet['id']}/grab"), 409, "red_packet_already_grabbed")
    call_command("reconcile")


def test_errors_are_localized_4xx_with_stable_codes(chats, api_client):
    amy = api_client.as_user(chats.amy)
    before = wallet_balance_of(chats.amy)
    cases = [
        (body(chats, share_count=0), 400, "red_packet_shares_invalid"),
        (body(chats, total_fen=2), 400, "red_packet_share_too_small"),
        (body(chats, total_fen=200_01), 400, "red_packet_too_large"),
        (body(chats, share_count=4), 400, "red_packet_too_many_shares"),
        (body(chats, pin="000000"), 400, "pin_incorrect"),
        (body(chats, total_fen="100"), 422, "invalid_input"),
        (body(chats, surprise=1), 422, "invalid_input"),
        (body(chats, conversation_id=10**20), 404, "conversation_not_found"),
        (body(chats, conversation_id=999_999), 404, "conversation_not_found"),
    ]
    for data, status, code in cases:
        r = amy.post(
            "/api/v1/redpackets", data, HTTP_IDEMPOTENCY_KEY=f"k-{code}", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        if code != "pin_incorrect":
            assert r.status_code == status, (code, r.content)
        b = assert_error(r, r.status_code, code)
        assert 400 <= r.status_code < 500
        if code not in {"invalid_input"}:
            assert b["message"] and not b["message"].isascii(), (code, b)  # Chinese, as asked
    assert_error(amy.post("/api/v1/redpackets", body(chats)), 400, "idempotency_key_required")
    assert wallet_balance_of(chats.amy) == before and RedPacket.objects.count() == 0


def test_grab_errors(chats, api_client):
    amy = api_client.as_user(chats.amy)
    packet = amy.post("/api/v1/redpackets", body(chats, share_count=1), HTTP_IDEMPOTENCY_KEY="x").json()
    from lifecircle.accounts import services as accounts

    _t, olly = accounts.api_token_create(user=chats.outsider, name="t")
    r = api_client.post(f"/api/v1/redpackets/{packet['id']}/grab", HTTP_AUTHORIZATION=f"Bearer {olly}")
    assert_error(r, 404, "red_packet_not_found")
    assert_error(
        api_client.get(f"/api/v1/redpackets/{packet['id']}", HTTP_AUTHORIZATION=f"Bearer {olly}"),
        404,
        "red_packet_not_found",
    )
    assert amy.post(f"/api/v1/redpackets/{packet['id']}/grab").status_code == 201
    _t, ben = accounts.api_token_create(user=chats.ben, name="t")
    r = api_client.post(f"/api/v1/redpackets/{packet['id']}/grab", HTTP_AUTHORIZATION=f"Bearer {ben}")
    assert_error(r, 409, "red_packet_empty")
    assert_error(amy.post("/api/v1/redpackets/99999999999999999999999/grab"), 404, "red_packet_not_found")
    assert_error(amy.get("/api/v1/redpackets/99999999999999999999999"), 404, "red_packet_not_found")


def test_openapi_documents_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/redpackets" in schema["paths"]
    assert "/api/v1/redpackets/{packet_id}" in schema["paths"]
    assert "/api/v1/redpackets/{packet_id}/grab" in schema["paths"]
    names = set(schema["components"]["schemas"])
    assert {"RedPacketIn", "RedPacketOut", "GrabOut", "GrabLineOut"} <= names
