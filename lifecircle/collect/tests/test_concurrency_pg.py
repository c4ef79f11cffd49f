"""Collections under a race: real threads against PostgreSQL (row locks, the ledger's
triggers). Each thread is a real concurrent caller with its own connection; the shared test
server's connection limit keeps the crowd at 20."""

import datetime as dt

import pytest
from django.utils import timezone

from lifecircle.collect import services
from lifecircle.collect.models import Collection, PayRequest, Share
from lifecircle.collect.tests.conftest import reconciles
from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.concurrency import run_threads
from lifecircle.core.testing.factories import PIN, fund_wallet, make_friends, make_user, wallet_balance_of
from lifecircle.notifications.models import Notification
from lifecircle.wallet.models import EntryKind, JournalEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
N = 20


def codes(results) -> list[str]:
    return sorted(r.code if isinstance(r, ApplicationError) else type(r).__name__ for r in results)


def collection_of(d, total=90, members=None):
    return services.collection_create(
        organiser=d.amy,
        title="Dinner",
        split="even",
        total_fen=total,
        member_ids=[m.pk for m in (members or [d.amy, d.ben, d.cat])],
        conversation_id=d.conv.pk,
    )


def test_many_taps_with_different_keys_pay_the_share_exactly_once(dinner):
    d = dinner
    c = collection_of(d)
    results = run_threads(
        N, lambda i: services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key=f"tap-{i}")
    )
    paid = [r for r in results if isinstance(r, services.Payment)]
    assert len(paid) == 1, codes(results)
    assert codes([r for r in results if not isinstance(r, services.Payment)]) == ["share_already_paid"] * (
        N - 1
    )
    assert JournalEntry.objects.filter(kind=EntryKind.COLLECTION).count() == 1
    assert Share.objects.get(collection=c, member=d.ben).entry_id == paid[0].entry.pk
    assert wallet_balance_of(d.ben) == 100_00 - 30 and wallet_balance_of(d.amy) == 30
    assert reconciles()


def test_many_retries_with_the_same_key_are_one_payment(dinner):
    d = dinner
    c = collection_of(d, total=100_00)
    results = run_threads(
        N, lambda i: services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key="same", pin=PIN)
    )
    entries = {r.entry.pk for r in results if isinstance(r, services.Payment)}
    assert len(entries) == 1
    # The others either replayed that entry or were told the first is still running.
    assert set(codes([r for r in results if not isinstance(r, services.Payment)])) <= {
        "idempotency_in_flight"
    }
    assert JournalEntry.objects.filter(kind=EntryKind.COLLECTION).count() == 1
    assert wallet_balance_of(d.ben) == 100_00 - 3333
    assert reconciles()


def test_the_member_and_friends_paying_on_their_behalf_race_one_wins(dinner):
    d = dinner
    c = collection_of(d, total=100_00)
    request = services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=d.dan.pk)

    def go(i):
        if i % 2:
            return services.pay_request_pay(
                payer=d.dan, pay_request_id=request.pk, pin=PIN, idempotency_key=f"d{i}"
            )
        return services.collection_pay(payer=d.ben, collection_id=c.pk, idempotency_key=f"b{i}", pin=PIN)

    results = run_threads(N, go)
    assert len([r for r in results if isinstance(r, services.Payment)]) == 1, codes(results)
    assert set(codes([r for r in results if not isinstance(r, services.Payment)])) <= {
        "share_already_paid",
        "pay_request_paid",
        "pay_request_cancelled",
    }
    assert JournalEntry.objects.filter(kind=EntryKind.COLLECTION).count() == 1
    assert wallet_balance_of(d.ben) + wallet_balance_of(d.dan) == 200_00 - 3333
    assert wallet_balance_of(d.amy) == 3333
    assert reconciles()


def test_closing_while_members_pay_lets_no_payment_in_after_the_close(dinner):
    d = dinner
    members = [make_user(f"m{i:02d}_c") for i in range(N - 1)]
    for m in members:
        make_friends(d.amy, m)
        fund_wallet(m, 100)
    c = services.collection_create(
        organiser=d.amy,
        title="Picnic",
        split="even",
        total_fen=50 * len(members),
        member_ids=[m.pk for m in members],
    )

    def go(i):
        if i == N // 2:
            return services.collection_close(organiser=d.amy, collection_id=c.pk)
        return services.collection_pay(
            payer=members[i if i < N // 2 else i - 1], collection_id=c.pk, idempotency_key="k"
        )

    results = run_threads(N, go)
    paid = [r for r in results if isinstance(r, services.Payment)]
    assert set(codes([r for r in results if isinstance(r, ApplicationError)])) <= {"collection_closed"}
    closed_at = Collection.objects.get(pk=c.pk).closed_at
    entries = JournalEntry.objects.filter(kind=EntryKind.COLLECTION)
    assert entries.count() == len(paid) == Share.objects.filter(collection=c, entry__isnull=False).count()
    assert all(e.created_at <= closed_at for e in entries)  # nothing landed after the close
    assert wallet_balance_of(d.amy) == 50 * len(paid)
    assert reconciles()


def test_two_reminder_runs_at_once_remind_each_member_once(dinner):
    d = dinner
    c = collection_of(d)
    Collection.objects.filter(pk=c.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    results = run_threads(4, lambda i: services.collection_reminders_send())
    assert sum(results) == 2
    assert Notification.objects.filter(kind=Notification.Kind.COLLECTION_REMINDER).count() == 2


def test_asking_several_friends_at_once_leaves_one_pending_request(dinner):
    d = dinner
    friends = [make_user(f"f{i:02d}_c") for i in range(10)]
    for f in friends:
        make_friends(d.ben, f)
    c = collection_of(d)
    results = run_threads(
        10, lambda i: services.pay_request_create(requester=d.ben, collection_id=c.pk, payer_id=friends[i].pk)
    )
    assert len([r for r in results if isinstance(r, PayRequest)]) == 1, codes(results)
    assert set(codes([r for r in results if not isinstance(r, PayRequest)])) == {"pay_request_pending"}
    assert PayRequest.objects.filter(status="pending").count() == 1
