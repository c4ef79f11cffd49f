"""Live rules a viewer notices: who sees which event, danmaku limits (length, rate, words,
mutes), moderation, replay offsets, and gifts paid exactly once into the host's hot account."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.concurrency import run_threads
from lifecircle.core.testing.factories import PIN, fund_wallet, make_friends, make_user, wallet_balance_of
from lifecircle.live import selectors, services
from lifecircle.live.models import Danmaku, LiveEvent
from lifecircle.live.wordfilter import AhoCorasick, blocked_words_in
from lifecircle.social.services import block_create
from lifecircle.wallet.models import Account, JournalEntry

pytestmark = pytest.mark.django_db


def _event(host, **kw) -> LiveEvent:
    return services.event_create(
        host=host, title=kw.pop("title", "Launch party"), scheduled_at=timezone.now(), **kw
    )


@pytest.fixture
def room():
    host, viewer = make_user("host_li"), make_user("viewer_wu")
    event = _event(host)
    services.event_start(host=host, event_id=event.pk)
    return host, viewer, LiveEvent.objects.get(pk=event.pk)


# --- events and who sees them ------------------------------------------------------------------
def test_friends_only_events_and_blocks_hide_the_event():
    host, friend, stranger, blocked = (
        make_user(n) for n in ("host_a", "friend_a", "stranger_a", "blocked_a")
    )
    make_friends(host, friend)
    public = _event(host, title="Open")
    private = _event(host, title="Friends", audience=LiveEvent.Audience.FRIENDS)
    block_create(user=host, target_id=blocked.pk)
    assert selectors.event_for_viewer(viewer=friend, event_id=private.pk) is not None
    assert selectors.event_for_viewer(viewer=stranger, event_id=private.pk) is None
    assert selectors.event_for_viewer(viewer=stranger, event_id=public.pk) is not None
    assert selectors.event_for_viewer(viewer=blocked, event_id=public.pk) is None
    raises_code("event_not_found", services.danmaku_send, user=blocked, event_id=public.pk, text="hi")
    upcoming = selectors.events_list(viewer=stranger)["upcoming"]
    assert [e.title for e in upcoming] == ["Open"]


def test_only_the_host_starts_and_ends_and_an_ended_event_takes_no_danmaku(room):
    host, viewer, event = room
    raises_code("event_not_found", services.event_end, host=viewer, event_id=event.pk)
    assert Account.objects.get(user=host).is_hot  # gifts spread over shards while live
    services.event_end(host=host, event_id=event.pk)
    assert not Account.objects.get(user=host).is_hot
    raises_code("event_not_live", services.danmaku_send, user=viewer, event_id=event.pk, text="late")
    raises_code("event_ended", services.event_start, host=host, event_id=event.pk)


def test_event_input_is_checked():
    host = make_user("host_b")
    raises_code("title_invalid", _event, host=host, title=" ")
    raises_code("title_invalid", _event, host=host, title="x" * 81)
    raises_code("stream_url_invalid", _event, host=host, stream_url="javascript:alert(1)")
    raises_code("audience_invalid", _event, host=host, audience="everyone-and-their-dog")
    assert LiveEvent.objects.count() == 0


# --- danmaku rules ------------------------------------------------------------------------------
def test_length_limits(room):
    _host, viewer, event = room
    assert services.danmaku_send(user=viewer, event_id=event.pk, text="好" * 100).text == "好" * 100
    raises_code("danmaku_too_long", services.danmaku_send, user=viewer, event_id=event.pk, text="好" * 101)
    raises_code("danmaku_empty", services.danmaku_send, user=viewer, event_id=event.pk, text="  \n ")
    raises_code("color_invalid", services.danmaku_send, user=viewer, event_id=event.pk, text="x", color="red")
    raises_code(
        "mode_invalid", services.danmaku_send, user=viewer, event_id=event.pk, text="x", mode="diagonal"
    )
    assert Danmaku.objects.count() == 1


def test_rate_limit_allows_a_burst_of_three_then_one_every_interval(room, settings):
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "LIVE_DANMAKU_RATE_SECONDS": 0.3}
    _host, viewer, event = room
    for i in range(3):
        services.danmaku_send(user=viewer, event_id=event.pk, text=f"burst {i}")
    err = raises_code(
        "danmaku_rate_limited", services.danmaku_send, user=viewer, event_id=event.pk, text="4th"
    )
    assert 0 < err.extra["retry_after_ms"] <= 300
    other = make_user("other_viewer")
    services.danmaku_send(user=other, event_id=event.pk, text="someone else is not limited")
    time.sleep(0.35)
    services.danmaku_send(user=viewer, event_id=event.pk, text="after the interval")
    raises_code("danmaku_rate_limited", services.danmaku_send, user=viewer, event_id=event.pk, text="again")
    assert Danmaku.objects.filter(user=viewer).count() == 4


def test_a_retried_frame_is_one_danmaku_and_costs_no_extra_token(room):
    _host, viewer, event = room
    first = services.danmaku_send(user=viewer, event_id=event.pk, text="once", client_id="c1")
    for _ in range(5):
        assert (
            services.danmaku_send(user=viewer, event_id=event.pk, text="once", client_id="c1").pk == first.pk
        )
    services.danmaku_send(user=viewer, event_id=event.pk, text="two")
    services.danmaku_send(user=viewer, event_id=event.pk, text="three")  # the burst of 3 is still whole
    assert Danmaku.objects.count() == 3


def test_the_word_filter_refuses_blocked_words_in_disguise(room):
    _host, viewer, event = room
    for text in ("快来加微信领红包", "加 微 信", "ＦＲＥＥ money here", "FrEe   MoNeY"):
        raises_code("danmaku_blocked", services.danmaku_send, user=viewer, event_id=event.pk, text=text)
    services.danmaku_send(user=viewer, event_id=event.pk, text="微信支付真方便")
    assert Danmaku.objects.count() == 1


def test_the_word_list_is_configurable(room, settings, tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("# ours\nbanana\n", encoding="utf-8")
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "LIVE_BLOCKED_WORDS_FILE": str(words)}
    assert blocked_words_in("I like BANANAS") == ["banana"]
    assert blocked_words_in("加微信") == []


def _naive(words, text):
    return sorted((i + len(w) - 1, w) for w in set(words) for i in range(len(text)) if text.startswith(w, i))


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.text(alphabet="abc好", min_size=1, max_size=4), min_size=1, max_size=8),
    text=st.text(alphabet="abc好", max_size=30),
)
def test_aho_corasick_finds_exactly_what_a_naive_search_finds(words, text):
    found = AhoCorasick(set(words)).find(text)
    assert sorted(found) == _naive(words, text)


# --- moderation -----------------------------------------------------------------------------------
def test_host_deletes_danmaku_and_mutes_viewers_others_cannot(room):
    host, viewer, event = room
    bystander = make_user("bystander")
    d = services.danmaku_send(user=viewer, event_id=event.pk, text="rude")
    raises_code("not_moderator", services.danmaku_delete, moderator=bystander, danmaku_id=d.pk)
    raises_code(
        "not_moderator",
        services.viewer_mute,
        moderator=bystander,
        event_id=event.pk,
        user_id=viewer.pk,
        minutes=5,
    )
    services.danmaku_delete(moderator=host, danmaku_id=d.pk)
    assert selectors.danmaku_window(event=event, from_ms=0, to_ms=10**9) == []
    raises_code(
        "minutes_invalid",
        services.viewer_mute,
        moderator=host,
        event_id=event.pk,
        user_id=viewer.pk,
        minutes=0,
    )
    services.viewer_mute(moderator=host, event_id=event.pk, user_id=viewer.pk, minutes=10)
    err = raises_code("danmaku_muted", services.danmaku_send, user=viewer, event_id=event.pk, text="hello?")
    assert err.status == 403 and "until" in err.extra
    services.viewer_unmute(moderator=host, event_id=event.pk, user_id=viewer.pk)
    services.danmaku_send(user=viewer, event_id=event.pk, text="back")


def test_a_mute_ends_by_itself(room):
    host, viewer, event = room
    mute = services.viewer_mute(moderator=host, event_id=event.pk, user_id=viewer.pk, minutes=1)
    type(mute).objects.filter(pk=mute.pk).update(until=timezone.now() - dt.timedelta(seconds=1))
    services.danmaku_send(user=viewer, event_id=event.pk, text="free again")


def test_admins_moderate_any_event(room):
    _host, viewer, event = room
    admin = make_user("site_admin")
    type(admin).objects.filter(pk=admin.pk).update(is_staff=True)
    admin.refresh_from_db()
    d = services.danmaku_send(user=viewer, event_id=event.pk, text="spam")
    services.danmaku_delete(moderator=admin, danmaku_id=d.pk)
    assert Danmaku.objects.get(pk=d.pk).deleted_by == admin


# --- replay -----------------------------------------------------------------------------------------
def test_danmaku_are_stored_with_their_offset_and_replay_in_stream_order(room):
    host, viewer, event = room
    LiveEvent.objects.filter(pk=event.pk).update(started_at=timezone.now() - dt.timedelta(seconds=90))
    d1 = services.danmaku_send(user=viewer, event_id=event.pk, text="at ninety seconds")
    assert 90_000 <= d1.offset_ms < 95_000
    LiveEvent.objects.filter(pk=event.pk).update(started_at=timezone.now() - dt.timedelta(seconds=30))
    d2 = services.danmaku_send(user=viewer, event_id=event.pk, text="at thirty seconds")
    services.event_end(host=host, event_id=event.pk)
    window = selectors.danmaku_window(event=event, from_ms=0, to_ms=120_000)
    assert [d.pk for d in window] == [d2.pk, d1.pk]  # by offset in the recording, not by sending order
    assert [d.pk for d in selectors.danmaku_window(event=event, from_ms=60_000, to_ms=120_000)] == [d1.pk]


# --- gifts ---------------------------------------------------------------------------------------------
def test_a_gift_pays_the_host_once_however_often_it_is_retried(room):
    host, viewer, event = room
    fund_wallet(viewer, 500)
    gifts = [
        services.gift_send(user=viewer, event_id=event.pk, amount_fen=50, idempotency_key="g1")
        for _ in range(3)
    ]
    assert len({g.pk for g in gifts}) == 1 and gifts[0].gift_fen == 50
    assert wallet_balance_of(viewer) == 450 and wallet_balance_of(host) == 50
    assert JournalEntry.objects.filter(kind="micropayment").count() == 1
    item = selectors.danmaku_item(gifts[0])
    assert item["gift_fen"] == 50 and item["name"] == str(viewer)


def test_gift_rules(room):
    host, viewer, event = room
    make_user("poor_viewer")
    raises_code(
        "gift_to_self", services.gift_send, user=host, event_id=event.pk, amount_fen=10, idempotency_key="s"
    )
    raises_code(
        "insufficient_funds",
        services.gift_send,
        user=viewer,
        event_id=event.pk,
        amount_fen=10,
        idempotency_key="p",
    )
    fund_wallet(viewer, 10_000)
    raises_code(
        "pin_required",
        services.gift_send,
        user=viewer,
        event_id=event.pk,
        amount_fen=500,
        idempotency_key="big",
    )
    assert Danmaku.objects.count() == 0 and wallet_balance_of(host) == 0
    LiveEvent.objects.filter(pk=event.pk).update(gifts_enabled=False)
    raises_code(
        "gifts_disabled",
        services.gift_send,
        user=viewer,
        event_id=event.pk,
        amount_fen=10,
        idempotency_key="off",
    )


def test_a_big_gift_goes_through_with_the_pin(room):
    host, _viewer, event = room
    rich = make_user("rich_fan", pin=PIN)
    fund_wallet(rich, 10_000)
    services.gift_send(user=rich, event_id=event.pk, amount_fen=5000, idempotency_key="big", pin=PIN)
    assert wallet_balance_of(host) == 5000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_viewers_gifting_at_once_lose_no_fen_and_retries_pay_once():
    """48 viewers gift the host at the same moment (each tap sent twice with one key, as a
    flaky network would): 48 payments, the host gets every fen, the ledger reconciles."""
    host = make_user("big_host")
    event = _event(host)
    services.event_start(host=host, event_id=event.pk)
    viewers = [make_user(f"fan{i:02d}") for i in range(48)]
    for v in viewers:
        fund_wallet(v, 100)

    def tap(i):
        v = viewers[i // 2]
        return services.gift_send(
            user=v, event_id=event.pk, amount_fen=(10, 50)[(i // 2) % 2], idempotency_key=f"tap-{v.pk}"
        )

    outcomes = run_threads(96, tap)
    errors = [o.code for o in outcomes if isinstance(o, ApplicationError)]
    assert set(errors) <= {"idempotency_in_flight"}, errors
    for i in range(0, 96, 2):  # a retry after the race settles
        tap(i)
    expected = sum((10, 50)[j % 2] for j in range(48))
    assert Danmaku.objects.filter(gift_fen__isnull=False).count() == 48
    assert wallet_balance_of(host) == expected
    assert sum(wallet_balance_of(v) for v in viewers) == 48 * 100 - expected
    assert Account.objects.get(user=host).is_hot
    call_command("reconcile")


def test_going_live_tells_the_hosts_friends_except_those_hidden_from():
    from lifecircle.notifications.models import Notification
    from lifecircle.social.models import PostFilter

    host, friend, hidden, stranger = (make_user(n) for n in ("host_n", "friend_n", "hidden_n", "stranger_n"))
    make_friends(host, friend)
    make_friends(host, hidden)
    PostFilter.objects.create(owner=host, other=hidden, kind=PostFilter.Kind.HIDE_MINE)
    event = _event(host)
    services.event_start(host=host, event_id=event.pk)
    services.event_start(host=host, event_id=event.pk)  # pressing it again tells nobody twice
    told = Notification.objects.filter(kind="live_started")
    assert [(n.user_id, n.subject_id, n.actor_id) for n in told] == [(friend.pk, event.pk, host.pk)]
    from lifecircle.notifications.render import notification_lines

    (line,) = notification_lines(viewer=friend, notifications=list(told))
    assert line["url"] == f"/live/{event.pk}/" and "is live now" in line["text"]
    assert not Notification.objects.filter(user=stranger).exists()


# --- input that must never get in ---------------------------------------------------------------
def test_dates_far_away_invisible_titles_and_control_characters_are_refused():
    host = make_user("host_c")
    for when in (timezone.now() + dt.timedelta(days=400), dt.datetime(9999, 12, 31, tzinfo=dt.UTC)):
        raises_code("scheduled_at_invalid", services.event_create, host=host, title="Far", scheduled_at=when)
    for blank in ("\u200b\u200b", "\u200d\u200d", "\u3164", "\u2800 \u2800"):  # draw nothing
        raises_code("title_invalid", _event, host=host, title=blank)
    raises_code("stream_url_invalid", _event, host=host, stream_url="https://x.example/" + "a" * 500)
    raises_code("title_blocked", _event, host=host, title="網賭 tonight")  # listed for everyone to see
    raises_code("description_blocked", _event, host=host, description="free money: 加微信")
    assert LiveEvent.objects.count() == 0
    event = _event(host, title="Ti\x00tle", description="line one\n\x1bline two")
    assert (event.title, event.description) == ("Title", "line one\nline two")


def test_control_characters_never_reach_a_danmaku(room):
    _host, viewer, event = room
    for blank in ("\x00\u200b", "\u200d\u200d", "\u3164", "\u2800"):
        raises_code("danmaku_empty", services.danmaku_send, user=viewer, event_id=event.pk, text=blank)
    # an emoji sequence keeps its joiner
    assert services.danmaku_send(user=viewer, event_id=event.pk, text="👨\u200d👩").text == "👨\u200d👩"
    assert services.danmaku_send(user=viewer, event_id=event.pk, text="hi\x00 there").text == "hi there"
    raises_code(
        "client_id_invalid",
        services.danmaku_send,
        user=viewer,
        event_id=event.pk,
        text="x",
        client_id="c" * 65,
    )


def test_traditional_characters_are_caught_by_the_simplified_list(room):
    _host, viewer, event = room
    for text in ("賭博", "刷單賺錢", "兼職日結", "代開發票", "網賭"):
        raises_code("danmaku_blocked", services.danmaku_send, user=viewer, event_id=event.pk, text=text)


def test_words_in_alphabetic_scripts_are_matched_as_whole_words(room):
    for innocent in (
        "push it",
        "this hit",
        "wash it now",
        "shitake mushrooms",
        "freemoneyback",
        "carefree money",
    ):
        assert blocked_words_in(innocent) == [], innocent
    for rude in ("shit", "Shits!", "s h i t", "s.h.i.t happens", "你好shit", "sh\u200bit", "FREE-MONEY"):
        assert blocked_words_in(rude), rude


def test_punctuation_and_symbols_inside_a_blocked_word_do_not_hide_it(room):
    _host, viewer, event = room
    for text in ("加.微.信", "加-微*信", "f.r.e.e m-o-n-e-y", "加\u00ad微信"):
        raises_code("danmaku_blocked", services.danmaku_send, user=viewer, event_id=event.pk, text=text)


def test_gifts_respect_mutes_the_offered_amounts_and_their_key(room):
    host, viewer, event = room
    fund_wallet(viewer, 1000)
    raises_code(
        "gift_amount_invalid",
        services.gift_send,
        user=viewer,
        event_id=event.pk,
        amount_fen=1,
        idempotency_key="a",
    )
    services.gift_send(user=viewer, event_id=event.pk, amount_fen=10, idempotency_key="k1")
    raises_code(
        "idempotency_key_reused",
        services.gift_send,
        user=viewer,
        event_id=event.pk,
        amount_fen=50,
        idempotency_key="k1",
    )
    services.viewer_mute(moderator=host, event_id=event.pk, user_id=viewer.pk, minutes=5)
    raises_code(
        "danmaku_muted",
        services.gift_send,
        user=viewer,
        event_id=event.pk,
        amount_fen=10,
        idempotency_key="k2",
    )
    assert wallet_balance_of(host) == 10 and Danmaku.objects.filter(gift_fen__isnull=False).count() == 1
    raises_code("user_not_found", services.viewer_unmute, moderator=host, event_id=event.pk, user_id=10**20)
