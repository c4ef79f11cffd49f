"""IOU pages: write one from the chat, the card confirms and repays in place (htmx), the
printable IOU shows both legal names to the parties only, and mangled input never 500s."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lifecircle.chat.services import conversation_direct_open
from lifecircle.core.testing.factories import PIN, make_user
from lifecircle.ious.models import Iou
from lifecircle.ious.tests.conftest import confirm, propose
from lifecircle.wallet.tests.helpers import balance

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_write_an_iou_from_the_chat_then_the_card_confirms_and_repays_in_place(lender, borrower):
    conv = conversation_direct_open(user=lender, other_id=borrower.pk)
    lc, bc = login(lender), login(borrower)
    page = lc.get(f"/chat/c/{conv.pk}/")
    assert f"/ious/new/?conversation={conv.pk}" in page.content.decode()
    form = lc.get(f"/ious/new/?conversation={conv.pk}")
    assert form.status_code == 200 and "Han" in form.content.decode()
    today = timezone.localdate()
    r = lc.post(
        "/ious/new/",
        {
            "conversation": conv.pk,
            "idempotency_key": "form-1",
            "role": "lender",
            "amount": "1,200",
            "purpose": "Laptop",
            "rate": "3.65",
            "lent_on": today.isoformat(),
            "due_on": (today + dt.timedelta(days=60)).isoformat(),
            "pin": PIN,
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/chat/c/{conv.pk}/"
    iou = Iou.objects.get()
    assert (iou.principal_fen, iou.rate_bp, iou.escrow_fen) == (120_000, 365, 120_000)

    chat = bc.get(f"/chat/c/{conv.pk}/").content.decode()
    assert 'data-testid="iou-card"' in chat and "iou-confirm-form" in chat and "李雷" in chat

    wrong = bc.post(
        f"/ious/{iou.pk}/confirm/", {"pin": "135790", "idempotency_key": "c1"}, HTTP_HX_REQUEST="true"
    )
    assert wrong.status_code == 200 and 'data-code="pin_incorrect"' in wrong.content.decode()
    assert balance(borrower) == 0
    ok = bc.post(
        f"/ious/{iou.pk}/confirm/",
        {"pin": PIN, "idempotency_key": "c1", "auto_debit": "on"},
        HTTP_HX_REQUEST="true",
    )
    html = ok.content.decode()
    assert 'data-status="active"' in html and "iou-repay-form" in html
    assert balance(borrower) == 120_000

    too_much = bc.post(
        f"/ious/{iou.pk}/repay/",
        {"amount": "1200.01", "pin": PIN, "idempotency_key": "r1"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-code="repayment_above_owed"' in too_much.content.decode()
    part = bc.post(
        f"/ious/{iou.pk}/repay/",
        {"amount": "200", "pin": PIN, "idempotency_key": "r1"},
        HTTP_HX_REQUEST="true",
    )
    assert part.status_code == 200 and balance(borrower) == 100_000
    # Without htmx the same form redirects to the IOU page.
    rest = bc.post(f"/ious/{iou.pk}/repay/", {"amount": "1000", "pin": PIN, "idempotency_key": "r2"})
    assert rest.status_code == 302 and rest["Location"] == f"/ious/{iou.pk}/"
    iou.refresh_from_db()
    assert iou.status == "repaid"


def test_printable_iou_shows_both_full_names_amount_in_capitals_and_history(lender, borrower):
    iou = confirm(borrower, propose(lender, borrower, amount_fen=120_000, rate_bp=365))
    for c in (login(lender), login(borrower)):
        html = c.get(f"/ious/{iou.pk}/print/").content.decode()
        assert "李雷" in html and "韩梅梅" in html
        assert "壹仟贰佰元整" in html and "CN¥1,200.00" in html and "3.65%" in html
        assert "@media print" in html
    zh_hant = login(borrower)
    zh_hant.cookies.load({"django_language": "zh-hant"})
    html = zh_hant.get(f"/ious/{iou.pk}/print/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "壹仟貳佰元整" in html and "出借人" in html
    nosy = login(make_user("nosy_page", verified=True, legal_name="郑十一", pin=PIN))
    for path in (f"/ious/{iou.pk}/print/", f"/ious/{iou.pk}/"):
        r = nosy.get(path)
        assert r.status_code == 404 and "韩梅梅" not in r.content.decode()


def test_a_third_person_sees_nothing_of_someone_elses_iou(lender, borrower):
    """Even the lender's friend: no row in their list, no names."""
    from lifecircle.core.testing.factories import make_friends

    third = make_user("third_page", verified=True, legal_name="冯十二", pin=PIN)
    make_friends(lender, third)
    propose(lender, borrower, amount_fen=100)
    html = login(third).get("/ious/").content.decode()
    assert 'data-testid="iou-row"' not in html and "韩梅梅" not in html and "李雷" not in html
    assert 'data-testid="iou-row"' in login(borrower).get("/ious/").content.decode()


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/ious/", None),
        ("get", "/ious/?cursor=zzz", None),
        ("get", "/ious/new/", None),
        ("get", "/ious/new/?conversation=abc", None),
        ("get", f"/ious/new/?conversation={HUGE}", None),
        ("get", f"/ious/{HUGE}/", None),
        ("get", f"/ious/{HUGE}/print/", None),
        ("post", f"/ious/{HUGE}/confirm/", {"pin": "1"}),
        ("post", "/ious/{iou}/bogus/", {}),
        ("post", "/ious/{iou}/repay/", {"amount": "-1", "pin": "x"}),
        ("post", "/ious/{iou}/repay/", {"amount": "1e9999", "pin": PIN}),
        ("post", "/ious/{iou}/confirm/", {"pin": "", "idempotency_key": "x" * 300}),
        ("post", "/ious/{iou}/cancel/", {}),
        ("post", "/ious/new/", {"counterparty_id": HUGE, "amount": "abc", "rate": "9999", "due_on": "x"}),
        (
            "post",
            "/ious/new/",
            {
                "counterparty_id": "{other}",
                "amount": "1",
                "rate": "3.5",
                "lent_on": "2020-02-30",
                "due_on": "2020-03-01",
                "purpose": "x",
                "pin": PIN,
                "idempotency_key": "k",
            },
        ),
        (
            "post",
            "/ious/new/",
            {
                "counterparty_id": "{other}",
                "amount": "1",
                "rate": "13",
                "lent_on": "2099-01-01",
                "due_on": "2099-03-01",
                "purpose": "x",
                "pin": PIN,
                "idempotency_key": "k2",
                "role": "lender",
            },
        ),
    ],
)
def test_no_500(lender, borrower, method, path, data):
    iou = propose(lender, borrower, amount_fen=100)
    c = login(borrower)
    path = path.replace("{iou}", str(iou.pk))
    if data:
        data = {
            k: (v.replace("{other}", str(lender.pk)) if isinstance(v, str) else v) for k, v in data.items()
        }
    r = getattr(c, method)(path, data) if data is not None else getattr(c, method)(path)
    assert r.status_code < 500, (path, r.status_code)


def test_rate_above_cap_on_the_form_states_the_cap(lender, borrower):
    today = timezone.localdate()
    r = login(lender).post(
        "/ious/new/",
        {
            "counterparty_id": borrower.pk,
            "idempotency_key": "cap",
            "role": "lender",
            "amount": "10",
            "purpose": "x",
            "rate": "12.01",
            "lent_on": today.isoformat(),
            "due_on": (today + dt.timedelta(days=5)).isoformat(),
            "pin": PIN,
        },
    )
    assert r.status_code == 400
    assert "at most 12.00%" in r.content.decode() and Iou.objects.count() == 0


def test_admin_lists_ious_read_only(lender, borrower):
    iou = confirm(borrower, propose(lender, borrower, amount_fen=100))
    admin = make_user("admin_iou")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    c = login(admin)
    assert c.get("/admin/ious/iou/").status_code == 200
    page = c.get(f"/admin/ious/iou/{iou.pk}/change/")
    assert page.status_code == 200 and 'name="principal_fen"' not in page.content.decode()
    assert c.get("/admin/ious/iou/add/").status_code == 403
