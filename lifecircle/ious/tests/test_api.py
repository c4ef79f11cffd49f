"""The IOU API as a client sees it: status codes, error codes (localized), idempotency
headers, who may read an IOU, and the OpenAPI schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lifecircle.core.testing.asserts import assert_error
from lifecircle.core.testing.factories import PIN, make_user
from lifecircle.ious.models import Iou
from lifecircle.ious.tests.conftest import key
from lifecircle.wallet.models import JournalEntry
from lifecircle.wallet.tests.helpers import balance

pytestmark = pytest.mark.django_db


def body(other, **kw):
    today = timezone.localdate()
    return {
        "counterparty_id": other.pk,
        "role": "lender",
        "amount_fen": 120_000,
        "purpose": "Tuition",
        "rate_bp": 365,
        "lent_on": str(today),
        "due_on": str(today + dt.timedelta(days=30)),
        "pin": PIN,
        **kw,
    }


def post(client, path, data, idem="auto", **extra):
    if idem == "auto":
        idem = key("api")
    if idem is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = idem
    return client.post(f"/api/v1/ious{path}", data, **extra)


def test_propose_confirm_repay_through_the_api(api_client, lender, borrower):
    lc = api_client.as_user(lender)
    r = post(lc, "", body(borrower), idem="prop-1")
    assert r.status_code == 201, r.content
    iou = r.json()
    assert iou["status"] == "proposed" and iou["role"] == "lender"
    assert iou["amount_capitals"] == "壹仟贰佰元整" and iou["amount_display"] == "CN¥1,200.00"
    assert iou["lender"] == {"id": lender.pk, "nickname": "Li", "legal_name": "李雷"}
    assert iou["borrower"]["legal_name"] == "韩梅梅"
    assert iou["escrow_fen"] == 120_000 and iou["rate_display"] == "3.65%"
    assert not iou["can_confirm"] and iou["can_cancel"] and iou["conversation_id"]
    again = post(lc, "", body(borrower), idem="prop-1")
    assert (
        again.status_code == 201
        and again["Idempotent-Replayed"] == "true"
        and again.json()["id"] == iou["id"]
    )

    bclient = type(api_client)()
    bclient.as_user(borrower)
    assert bclient.get(f"/api/v1/ious/{iou['id']}").json()["can_confirm"] is True
    c = post(bclient, f"/{iou['id']}/confirm", {"pin": PIN, "auto_debit": True})
    assert c.status_code == 200, c.content
    assert c.json()["status"] == "active" and c.json()["auto_debit"] is True
    assert balance(borrower) == 120_000
    conflict = post(bclient, f"/{iou['id']}/confirm", {"pin": PIN})
    assert_error(conflict, 409, "iou_already_confirmed")

    over = post(bclient, f"/{iou['id']}/repayments", {"amount_fen": 120_001, "pin": PIN})
    err = assert_error(over, 400, "repayment_above_owed")
    assert err["owed_fen"] == 120_000
    pay = post(bclient, f"/{iou['id']}/repayments", {"amount_fen": 20_000, "pin": PIN})
    assert pay.status_code == 201, pay.content
    assert pay.json()["repayment"]["principal_left_fen"] == 100_000
    assert pay.json()["iou"]["owed_today"]["total_fen"] == 100_000
    listed = lc.get("/api/v1/ious").json()
    assert [i["id"] for i in listed["items"]] == [iou["id"]]
    assert listed["items"][0]["repayments"][0]["amount_fen"] == 20_000


def test_nobody_else_can_read_or_act_on_an_iou(api_client, lender, borrower):
    r = post(api_client.as_user(lender), "", body(borrower))
    iou_id = r.json()["id"]
    nosy = type(api_client)()
    nosy.as_user(make_user("nosy_api", verified=True, legal_name="周九", pin=PIN))
    assert_error(nosy.get(f"/api/v1/ious/{iou_id}"), 404, "iou_not_found")
    assert_error(post(nosy, f"/{iou_id}/confirm", {"pin": PIN}), 404, "iou_not_found")
    assert_error(post(nosy, f"/{iou_id}/cancel", {}, idem=None), 404, "iou_not_found")
    assert_error(nosy.get("/api/v1/ious/99999999999999999999"), 404, "iou_not_found")
    assert nosy.get("/api/v1/ious").json()["items"] == []
    assert "李雷" not in nosy.get("/api/v1/ious").content.decode()


def test_rate_cap_error_states_the_cap_in_the_users_language(api_client, lender, borrower):
    client = api_client.as_user(lender)
    entries = JournalEntry.objects.count()
    r = post(client, "", body(borrower, rate_bp=1201), HTTP_ACCEPT_LANGUAGE="zh-hans")
    err = assert_error(r, 400, "rate_above_cap")
    assert "12.00%" in err["message"] and "贷款市场报价利率" in err["message"]
    assert err["fields"]["rate_bp"] and err["rate_cap_bp"] == 1200
    ok = post(client, "", body(borrower, rate_bp=1200))
    assert ok.status_code == 201 and ok.json()["rate_display"] == "12.00%"
    assert JournalEntry.objects.count() == entries + 1  # only the accepted one moved money
    terms = client.get("/api/v1/ious/terms").json()
    assert terms["rate_cap_bp"] == 1200 and terms["rate_cap_display"] == "12.00%"


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"amount_fen": 0}, 400, "amount_not_positive"),
        ({"amount_fen": 1.5}, 422, "invalid_input"),
        ({"rate_bp": "3%"}, 422, "invalid_input"),
        ({"due_on": "2020-01-01"}, 400, "due_not_after_lending"),
        ({"lent_on": "not-a-date"}, 422, "invalid_input"),
        ({"role": "guarantor"}, 422, "invalid_input"),
        ({"pin": "135790"}, 400, "pin_incorrect"),
        ({"counterparty_id": 999_999_999}, 404, "counterparty_not_found"),
        ({"surprise": 1}, 422, "invalid_input"),
    ],
)
def test_bad_proposals_are_4xx_with_stable_codes_and_move_nothing(
    api_client, lender, borrower, overrides, status, code
):
    client = api_client.as_user(lender)
    start = balance(lender)
    r = post(client, "", body(borrower, **overrides))
    assert_error(r, status, code)
    assert Iou.objects.count() == 0 and balance(lender) == start


def test_missing_idempotency_key(api_client, lender, borrower):
    assert_error(
        post(api_client.as_user(lender), "", body(borrower), idem=None), 400, "idempotency_key_required"
    )


def test_unverified_and_non_friend_in_chinese(api_client, lender):
    stranger = make_user("stranger_api", verified=True, legal_name="吴十", pin=PIN)
    r = post(api_client.as_user(lender), "", body(stranger), HTTP_ACCEPT_LANGUAGE="zh-hant")
    err = assert_error(r, 403, "not_friends")
    assert "好友" in err["message"]


def test_openapi_documents_the_iou_endpoints(api_client, lender):
    schema = api_client.as_user(lender).get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/ious",
        "/api/v1/ious/{iou_id}",
        "/api/v1/ious/{iou_id}/confirm",
        "/api/v1/ious/{iou_id}/cancel",
        "/api/v1/ious/{iou_id}/repayments",
        "/api/v1/ious/terms",
    ):
        assert path in paths, path
    post_op = paths["/api/v1/ious"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post_op["parameters"])
    assert "IouIn" in schema["components"]["schemas"] and "IouOut" in schema["components"]["schemas"]
