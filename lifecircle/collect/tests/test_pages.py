"""The pages: start from a chat, pay from the card in place (the PIN field appears when the
server asks for it), see who has paid, close, ask a friend, pay for a friend. Never a 500."""

import pytest
from django.test import Client

from lifecircle.collect import services
from lifecircle.collect.models import Collection, PayRequest, Share
from lifecircle.core.testing.factories import PIN, wallet_balance_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
HUGE = "99999999999999999999"


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_start_from_the_group_chat_and_pay_from_the_card(dinner):
    d = dinner
    amy, ben = login(d.amy), login(d.ben)
    chat = amy.get(f"/chat/c/{d.conv.pk}/")
    assert f'href="/collect/new/?conversation={d.conv.pk}"' in chat.content.decode()
    page = amy.get(f"/collect/new/?conversation={d.conv.pk}").content.decode()
    assert "ben_c" in page and "cat_c" in page and "dan_c" not in page  # only the chat's members
    r = amy.post(
        "/collect/new/",
        {
            "conversation": d.conv.pk,
            "client_key": "form-1",
            "title": "Hotpot",
            "split": "even",
            "total": "100",
            "member": [d.amy.pk, d.ben.pk, d.cat.pk],
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/chat/c/{d.conv.pk}/"
    c = Collection.objects.get()
    assert list(Share.objects.filter(collection=c).values_list("amount_fen", flat=True)) == [3334, 3333, 3333]

    # Ben sees the card with a Pay button in the chat.
    chat = ben.get(f"/chat/c/{d.conv.pk}/").content.decode()
    assert (
        'data-testid="collection-card"' in chat
        and "Hotpot" in chat
        and "Pay ¥33.33" in chat.replace("CN", "")
    )
    # One tap: over the password-free limit, so the card comes back asking for the PIN.
    r = ben.post(f"/collect/{c.pk}/pay/", {"idempotency_key": "tap-1"}, **HTMX)
    body = r.content.decode()
    assert r.status_code == 200 and 'name="pin"' in body and 'data-code="pin_required"' in body
    assert 'value="tap-1"' in body  # the same payment, retried with the PIN
    r = ben.post(f"/collect/{c.pk}/pay/", {"idempotency_key": "tap-1", "pin": PIN}, **HTMX)
    assert 'data-testid="my-share-paid"' in r.content.decode()
    assert wallet_balance_of(d.ben) == 100_00 - 3333
    # A double tap that arrives late repeats the first payment.
    ben.post(f"/collect/{c.pk}/pay/", {"idempotency_key": "tap-1", "pin": PIN}, **HTMX)
    assert wallet_balance_of(d.ben) == 100_00 - 3333

    # The organiser sees who has paid and what is outstanding, then closes it.
    detail = amy.get(f"/collect/{c.pk}/").content.decode()
    assert f'data-member="{d.ben.pk}" data-paid="1"' in detail
    assert f'data-member="{d.cat.pk}" data-paid="0"' in detail
    assert "33.33" in detail  # outstanding: Cat's share
    r = amy.post(f"/collect/{c.pk}/close/")
    assert r.status_code == 302
    assert Collection.objects.get().status == "closed"
    r = login(d.cat).post(f"/collect/{c.pk}/pay/", {"idempotency_key": "c", "pin": PIN}, **HTMX)
    assert 'data-code="collection_closed"' in r.content.decode()
    assert wallet_balance_of(d.cat) == 100_00


def test_paying_from_the_collection_page_without_javascript(dinner):
    d = dinner
    c = services.collection_create(
        organiser=d.amy, title="Dinner", split="even", total_fen=100_00, member_ids=[d.ben.pk, d.cat.pk]
    )
    ben = login(d.ben)
    page = ben.get(f"/collect/{c.pk}/").content.decode()
    assert 'hx-post="/collect/' not in page  # on its own page the form posts the whole page
    r = ben.post(f"/collect/{c.pk}/pay/", {"idempotency_key": "p1"})
    body = r.content.decode()
    assert r.status_code == 403 and 'name="pin"' in body and 'value="p1"' in body
    r = ben.post(f"/collect/{c.pk}/pay/", {"idempotency_key": "p1", "pin": PIN})
    assert r.status_code == 302 and r["Location"] == f"/collect/{c.pk}/"
    assert f'data-member="{d.ben.pk}" data-paid="1"' in ben.get(r["Location"]).content.decode()
    assert wallet_balance_of(d.ben) == 100_00 - 5000


def test_bad_form_values_show_the_error_and_change_nothing(dinner):
    d = dinner
    amy = login(d.amy)
    for data, code in [
        ({"title": "X", "split": "even", "total": "0", "member": [d.ben.pk]}, "amount_not_positive"),
        ({"title": "X", "split": "even", "total": "-3", "member": [d.ben.pk]}, "amount_not_positive"),
        ({"title": "X", "split": "even", "total": "abc", "member": [d.ben.pk]}, "amount_invalid"),
        ({"title": "X", "split": "even", "total": "1.001", "member": [d.ben.pk]}, "amount_invalid"),
        ({"title": "X", "split": "even", "total": "10", "member": ["abc"]}, "member_not_found"),
        ({"title": "X", "split": "even", "total": "10", "member": [HUGE]}, "member_not_found"),
        ({"title": "X", "split": "even", "total": "10", "member": [d.dan.pk]}, "member_not_in_chat"),
        ({"title": "X", "split": "custom", "member": [d.ben.pk], f"amount_{d.ben.pk}": ""}, "amount_invalid"),
        ({"title": "", "split": "even", "total": "10", "member": [d.ben.pk]}, "title_required"),
        ({"title": "X", "split": "zzz", "total": "10", "member": [d.ben.pk]}, "split_invalid"),
    ]:
        r = amy.post("/collect/new/", {"conversation": d.conv.pk, **data})
        assert 400 <= r.status_code < 500, (data, r.status_code)
        assert f'data-error-code="{code}"' in r.content.decode(), (data, code)
    assert Collection.objects.count() == 0


def test_custom_amounts_from_the_page(dinner):
    d = dinner
    r = login(d.amy).post(
        "/collect/new/",
        {
            "title": "Tickets",
            "split": "custom",
            "member": [d.ben.pk, d.cat.pk],
            f"amount_{d.ben.pk}": "12.50",
            f"amount_{d.cat.pk}": "7",
        },
    )
    c = Collection.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/collect/{c.pk}/"  # no chat: its own page
    assert list(Share.objects.filter(collection=c).values_list("amount_fen", flat=True)) == [1250, 700]


def test_pay_on_behalf_from_the_pages(dinner):
    d = dinner
    c = services.collection_create(
        organiser=d.amy,
        title="Dinner",
        split="even",
        total_fen=100_00,
        member_ids=[d.amy.pk, d.ben.pk, d.cat.pk],
        conversation_id=d.conv.pk,
    )
    ben, dan = login(d.ben), login(d.dan)
    detail = ben.get(f"/collect/{c.pk}/").content.decode()
    assert 'data-testid="ask-form"' in detail and f'<option value="{d.dan.pk}">' in detail
    assert f'<option value="{d.amy.pk}">' not in detail  # not the organiser
    r = ben.post(f"/collect/{c.pk}/ask/", {"payer_id": d.dan.pk})
    req = PayRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/chat/c/{req.conversation_id}/"
    chat = dan.get(f"/chat/c/{req.conversation_id}/").content.decode()
    assert 'data-testid="pay-request-card"' in chat and 'name="pin"' in chat
    # Ben sees his request, without a Pay button.
    assert 'data-testid="pay-request-pay"' not in ben.get(f"/chat/c/{req.conversation_id}/").content.decode()
    r = dan.post(f"/collect/requests/{req.pk}/pay/", {"idempotency_key": "d1", "pin": "000000"}, **HTMX)
    assert 'data-code="pin_incorrect"' in r.content.decode()
    r = dan.post(f"/collect/requests/{req.pk}/pay/", {"idempotency_key": "d1", "pin": PIN}, **HTMX)
    assert 'data-testid="pay-request-paid"' in r.content.decode()
    assert wallet_balance_of(d.dan) == 100_00 - 3333 and wallet_balance_of(d.amy) == 3333
    page = dan.get(f"/collect/requests/{req.pk}/").content.decode()
    assert 'data-state="paid"' in page
    # The organiser's page says who paid Ben's share.
    assert "paid by dan_c" in login(d.amy).get(f"/collect/{c.pk}/").content.decode()


def test_outsiders_see_nothing(dinner):
    d = dinner
    c = services.collection_create(
        organiser=d.amy,
        title="Dinner",
        split="even",
        total_fen=90,
        member_ids=[d.ben.pk],
        conversation_id=d.conv.pk,
    )
    assert login(d.dan).get(f"/collect/{c.pk}/").status_code == 404
    assert login(d.cat).get(f"/collect/{c.pk}/").status_code == 404
    chat = login(d.cat).get(f"/chat/c/{d.conv.pk}/").content.decode()
    assert "You are not asked to pay" in chat and 'data-testid="collection-pay"' not in chat


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/collect/", None),
        ("get", "/collect/?cursor=zzz", None),
        ("get", "/collect/new/", None),
        ("get", "/collect/new/?conversation=abc", None),
        ("get", f"/collect/new/?conversation={HUGE}", None),
        ("get", f"/collect/{HUGE}/", None),
        ("get", "/collect/1/", None),
        ("post", f"/collect/{HUGE}/pay/", {"idempotency_key": "x"}),
        ("post", "/collect/1/pay/", {}),
        ("post", f"/collect/{HUGE}/close/", {}),
        ("post", f"/collect/{HUGE}/ask/", {"payer_id": "abc"}),
        ("get", f"/collect/requests/{HUGE}/", None),
        ("post", f"/collect/requests/{HUGE}/pay/", {"pin": "1"}),
        ("post", f"/collect/requests/{HUGE}/cancel/", {}),
        ("post", "/collect/new/", {"title": "x", "split": "custom", "member": [HUGE, "x"]}),
        ("post", "/collect/new/", {"title": "x" * 5000, "total": "9" * 40, "member": ["-1"]}),
    ],
)
def test_pages_never_500(dinner, method, path, data):
    c = login(dinner.amy)
    for headers in ({}, HTMX):
        r = (
            getattr(c, method)(path, data, **headers)
            if data is not None
            else getattr(c, method)(path, **headers)
        )
        assert r.status_code < 500, (path, r.status_code)


def test_the_existing_collection_pages_never_500_for_its_people(dinner):
    d = dinner
    c = services.collection_create(
        organiser=d.amy,
        title="Dinner",
        split="even",
        total_fen=90,
        member_ids=[d.ben.pk, d.cat.pk],
        conversation_id=d.conv.pk,
    )
    r = services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk)
    for user in (d.amy, d.ben, d.cat, d.dan):
        client = login(user)
        for path in (f"/collect/{c.pk}/", f"/collect/requests/{r.pk}/", "/collect/"):
            assert client.get(path).status_code in (200, 404)
        for path, data in [
            (f"/collect/{c.pk}/pay/", {"idempotency_key": "k" * 300}),
            (f"/collect/{c.pk}/ask/", {"payer_id": HUGE}),
            (f"/collect/requests/{r.pk}/pay/", {"idempotency_key": "", "pin": "x"}),
            (f"/collect/requests/{r.pk}/cancel/", {}),
            (f"/collect/{c.pk}/close/", {}),
        ]:
            for headers in ({}, HTMX):
                assert client.post(path, data, **headers).status_code < 500, (user, path)
