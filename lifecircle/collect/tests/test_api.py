"""/api/v1/collections: the same actions as the pages, with the API's one error shape."""

import datetime as dt

import pytest
from django.utils import timezone

from lifecircle.collect.models import Collection, PayRequest, Share
from lifecircle.collect.tests.conftest import reconciles
from lifecircle.core.testing.asserts import assert_error
from lifecircle.core.testing.factories import PIN, make_user, wallet_balance_of
from lifecircle.wallet.models import EntryKind, JournalEntry

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collections"


def client_for(api_client, user):
    return api_client.__class__().as_user(user)  # one client (and token) per person


@pytest.fixture
def clients(dinner, api_client):
    d = dinner
    return d, {u.username: client_for(api_client, u) for u in (d.amy, d.ben, d.cat, d.dan)}


def create(c, d, **body):
    payload = {
        "title": "Dinner",
        "split": "even",
        "total_fen": 100_00,
        "member_ids": [d.amy.pk, d.ben.pk, d.cat.pk],
        "conversation_id": d.conv.pk,
    }
    headers = {k: v for k, v in body.items() if k.startswith("HTTP_")}
    payload.update({k: v for k, v in body.items() if not k.startswith("HTTP_")})
    return c.post(BASE, payload, **headers)


def test_dinner_from_start_to_close(clients):
    d, c = clients
    r = create(c["amy_c"], d)
    assert r.status_code == 201, r.content
    body = r.json()
    cid = body["id"]
    assert [s["amount_fen"] for s in body["shares"]] == [3334, 3333, 3333]
    assert body["shares"][0]["is_organiser"] and body["shares"][0]["paid"]
    assert (body["due_fen"], body["received_fen"], body["outstanding_fen"], body["member_count"]) == (
        6666,
        0,
        6666,
        2,
    )

    # Ben taps Pay: over the password-free limit, so the PIN is asked; then it pays.
    r = c["ben_c"].post(f"{BASE}/{cid}/pay", {}, HTTP_IDEMPOTENCY_KEY="ben-1")
    assert_error(r, 403, "pin_required")
    r = c["ben_c"].post(f"{BASE}/{cid}/pay", {"pin": PIN}, HTTP_IDEMPOTENCY_KEY="ben-1")
    assert r.status_code == 201, r.content
    assert r.json()["amount_fen"] == 3333 and r.json()["collection"]["my_share"]["paid"]
    again = c["ben_c"].post(f"{BASE}/{cid}/pay", {"pin": PIN}, HTTP_IDEMPOTENCY_KEY="ben-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["entry_id"] == r.json()["entry_id"]
    assert_error(
        c["ben_c"].post(f"{BASE}/{cid}/pay", {"pin": PIN}, HTTP_IDEMPOTENCY_KEY="ben-2"),
        409,
        "share_already_paid",
    )

    # Cat asks Dan? Not her friend. She asks Ben instead, who pays for her with his PIN.
    assert_error(
        c["cat_c"].post(f"{BASE}/{cid}/pay-requests", {"payer_id": d.dan.pk}), 400, "payer_not_friend"
    )
    from lifecircle.social.services import friendship_make

    friendship_make(a=d.cat, b=d.dan)
    r = c["cat_c"].post(f"{BASE}/{cid}/pay-requests", {"payer_id": d.dan.pk})
    assert r.status_code == 201, r.content
    req = r.json()
    assert req["state"] == "pending" and req["amount_fen"] == 3333 and req["payer"]["id"] == d.dan.pk
    assert [x["id"] for x in c["dan_c"].get(f"{BASE}/pay-requests").json()] == [req["id"]]
    assert c["cat_c"].get(f"{BASE}/pay-requests/{req['id']}").json()["entry_id"] is None
    assert_error(  # asked for, as documented, without counting a wrong try
        c["dan_c"].post(f"{BASE}/pay-requests/{req['id']}/pay", {}, HTTP_IDEMPOTENCY_KEY="d"),
        403,
        "pin_required",
    )
    r = c["dan_c"].post(f"{BASE}/pay-requests/{req['id']}/pay", {"pin": PIN}, HTTP_IDEMPOTENCY_KEY="dan-1")
    assert r.status_code == 201, r.content
    assert (
        r.json()["pay_request"]["state"] == "paid"
        and r.json()["pay_request"]["entry_id"] == r.json()["entry_id"]
    )
    assert_error(
        c["dan_c"].post(f"{BASE}/pay-requests/{req['id']}/pay", {"pin": PIN}, HTTP_IDEMPOTENCY_KEY="dan-2"),
        409,
        "pay_request_paid",
    )

    # The organiser sees who has paid, and closes it.
    body = c["amy_c"].get(f"{BASE}/{cid}").json()
    assert (body["received_fen"], body["outstanding_fen"], body["paid_count"]) == (6666, 0, 2)
    cat_share = next(s for s in body["shares"] if s["member"]["id"] == d.cat.pk)
    assert cat_share["paid"] and cat_share["paid_by"]["id"] == d.dan.pk
    assert_error(c["ben_c"].post(f"{BASE}/{cid}/close"), 403, "not_organiser")
    assert c["amy_c"].post(f"{BASE}/{cid}/close").json()["status"] == "closed"
    assert [x["id"] for x in c["ben_c"].get(BASE).json()["items"]] == [cid]

    # Every fen accounted for.
    assert wallet_balance_of(d.amy) == 6666
    assert wallet_balance_of(d.ben) == 100_00 - 3333
    assert wallet_balance_of(d.cat) == 100_00
    assert wallet_balance_of(d.dan) == 100_00 - 3333
    assert JournalEntry.objects.filter(kind=EntryKind.COLLECTION).count() == 2
    assert reconciles()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"total_fen": 0}, 400, "amount_not_positive"),
        ({"total_fen": -100}, 400, "amount_not_positive"),
        ({"total_fen": 10**15}, 400, "amount_too_large"),
        ({"total_fen": 1.5}, 422, "invalid_input"),
        ({"total_fen": "100"}, 422, "invalid_input"),
        ({"total_fen": None}, 400, "amount_invalid"),
        ({"member_ids": []}, 400, "members_required"),
        ({"member_ids": [10**19]}, 400, "member_not_found"),
        ({"split": "lucky"}, 422, "invalid_input"),
        ({"title": ""}, 400, "title_required"),
        ({"conversation_id": 10**19}, 404, "conversation_not_found"),
        ({"split": "custom", "shares": [{"user_id": 1, "amount_fen": 0}]}, 400, "amount_not_positive"),
        ({"extra": 1}, 422, "invalid_input"),
    ],
)
def test_bad_input_is_a_4xx_with_a_code_and_nothing_changes(clients, body, status, code):
    d, c = clients
    if body.get("split") == "custom":
        body["shares"][0]["user_id"] = d.ben.pk
    assert_error(create(c["amy_c"], d, **body), status, code)
    assert Collection.objects.count() == 0 and Share.objects.count() == 0


def test_strangers_non_members_and_blocked_people(clients):
    d, c = clients
    assert_error(create(c["amy_c"], d, member_ids=[d.dan.pk]), 400, "member_not_in_chat")
    stranger = make_user("stranger_a")
    assert_error(
        create(c["amy_c"], d, member_ids=[stranger.pk], conversation_id=None), 400, "member_not_friend"
    )
    from lifecircle.social.services import block_create

    block_create(user=d.amy, target_id=d.cat.pk)
    assert_error(create(c["amy_c"], d), 400, "member_blocked")
    assert Collection.objects.count() == 0
    cid = create(c["amy_c"], d, member_ids=[d.ben.pk], total_fen=50).json()["id"]
    # Outsiders cannot tell it exists.
    for who in ("dan_c", "cat_c"):
        assert_error(c[who].get(f"{BASE}/{cid}"), 404, "collection_not_found")
        assert_error(
            c[who].post(f"{BASE}/{cid}/pay", {}, HTTP_IDEMPOTENCY_KEY="x"), 404, "collection_not_found"
        )
        assert_error(c[who].post(f"{BASE}/{cid}/close"), 404, "collection_not_found")
    assert_error(c["amy_c"].get(f"{BASE}/99999999999999999999"), 404, "collection_not_found")
    assert_error(c["ben_c"].post(f"{BASE}/{cid}/pay", {}), 400, "idempotency_key_required")
    assert_error(c["amy_c"].get(f"{BASE}/pay-requests/5"), 404, "pay_request_not_found")


def test_errors_are_in_the_users_language(clients):
    d, c = clients
    r = create(c["amy_c"], d, total_fen=2, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = assert_error(r, 400, "total_too_small")
    assert "¥0.01" in body["message"] and body["message"] != (
        "Every share must be at least ¥0.01: the total is less than one fen per person."
    )


def test_an_expired_request_reads_expired_and_cannot_be_paid(clients):
    d, c = clients
    cid = create(c["amy_c"], d).json()["id"]
    rid = c["ben_c"].post(f"{BASE}/{cid}/pay-requests", {"payer_id": d.dan.pk}).json()["id"]
    PayRequest.objects.filter(pk=rid).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert c["dan_c"].get(f"{BASE}/pay-requests/{rid}").json()["state"] == "expired"
    assert c["dan_c"].get(f"{BASE}/pay-requests").json() == []
    r = c["dan_c"].post(f"{BASE}/pay-requests/{rid}/pay", {"pin": PIN}, HTTP_IDEMPOTENCY_KEY="k")
    assert_error(r, 409, "pay_request_expired")
    assert wallet_balance_of(d.dan) == 100_00


def test_creating_twice_with_the_same_key_is_one_collection(clients):
    d, c = clients
    first = create(c["amy_c"], d, HTTP_IDEMPOTENCY_KEY="new-1")
    again = create(c["amy_c"], d, HTTP_IDEMPOTENCY_KEY="new-1")
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert_error(
        create(c["amy_c"], d, total_fen=99_99, HTTP_IDEMPOTENCY_KEY="new-1"), 422, "idempotency_key_reused"
    )
    assert Collection.objects.count() == 1
