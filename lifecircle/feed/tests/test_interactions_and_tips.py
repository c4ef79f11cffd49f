import io

import pytest
from PIL import Image

from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.asserts import assert_error, raises_code
from lifecircle.core.testing.concurrency import run_threads
from lifecircle.core.testing.factories import PIN, fund_wallet, make_friends, make_user, wallet_balance_of
from lifecircle.feed import selectors, services
from lifecircle.feed.models import Comment, Post, Tip
from lifecircle.notifications.models import Notification
from lifecircle.social import services as social

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio(db):
    """Author A, with friends B and C; B and C are not friends with each other."""
    a, b, c = make_user("author_x"), make_user("bob_wong"), make_user("carol_x")
    make_friends(a, b)
    make_friends(a, c)
    return a, b, c


def view(viewer, post):
    return selectors.post_views(viewer=viewer, posts=[Post.objects.get(pk=post.pk)])[0]


def names(people) -> set[str]:
    return {n.primary for _u, n in people}


def test_viewers_see_only_their_friends_likes_and_comments(trio):
    a, b, c = trio
    post = services.post_create(author=a, text="hello", audience="friends")
    for u in (b, c):
        services.like_set(user=u, post_id=post.pk)
        services.comment_create(user=u, post_id=post.pk, text=f"hi from {u.username}")
    assert names(view(a, post).likes) == {"bob_wong", "carol_x"}  # the author sees all
    assert names(view(b, post).likes) == {"bob_wong"}  # B does not see C's like: not friends
    assert [c.text for c, _n, _r in view(b, post).comments] == ["hi from bob_wong"]
    make_friends(b, c)
    assert names(view(b, post).likes) == {"bob_wong", "carol_x"}
    social.friend_remove(user=b, friend_id=c.pk)  # unfriending hides them at once
    assert names(view(b, post).likes) == {"bob_wong"}
    assert len(view(b, post).comments) == 1


def test_replies_and_who_deletes_comments(trio):
    a, b, c = trio
    post = services.post_create(author=a, text="hello")
    first = services.comment_create(user=b, post_id=post.pk, text="first")
    reply = services.comment_create(user=a, post_id=post.pk, text="thanks", reply_to_id=first.pk)
    assert reply.reply_to_user == b
    assert Notification.objects.filter(user=b, kind="reply").count() == 1
    # C cannot reply to B's comment: C does not see it.
    raises_code(
        "comment_not_found", services.comment_create, user=c, post_id=post.pk, text="x", reply_to_id=first.pk
    )
    raises_code("comment_not_found", services.comment_delete, user=c, comment_id=first.pk)
    services.comment_delete(user=a, comment_id=first.pk)  # the author deletes any comment
    own = services.comment_create(user=c, post_id=post.pk, text="mine")
    services.comment_delete(user=c, comment_id=own.pk)  # commenters delete their own
    assert list(Comment.objects.values_list("text", flat=True)) == ["thanks"]


def test_likes_are_idempotent_and_notify_the_author(trio):
    a, b, _c = trio
    post = services.post_create(author=a, text="hello")
    services.like_set(user=b, post_id=post.pk)
    services.like_set(user=b, post_id=post.pk)
    assert post.likes.count() == 1
    assert Notification.objects.filter(user=a, kind="like", actor=b).count() == 1
    services.like_set(user=b, post_id=post.pk, liked=False)
    assert post.likes.count() == 0
    services.like_set(user=a, post_id=post.pk)
    assert not Notification.objects.filter(user=a, actor=a).exists()  # not for one's own actions


def test_people_who_cannot_see_a_post_cannot_touch_it(trio):
    a, _b, _c = trio
    stranger = make_user("stranger_x")
    post = services.post_create(author=a, text="friends only", audience="friends")
    for fn, kwargs in (
        (services.like_set, {}),
        (services.comment_create, {"text": "x"}),
        (services.tip_create, {"idempotency_key": "k1"}),
    ):
        user_kw = {"tipper": stranger} if fn is services.tip_create else {"user": stranger}
        raises_code("post_not_found", fn, post_id=post.pk, **user_kw, **kwargs)


# --- tips -----------------------------------------------------------------------------------
def test_a_tip_moves_a_random_amount_once_and_only_the_author_sees_the_total(trio):
    a, b, c = trio
    fund_wallet(b, 1000)
    fund_wallet(c, 1000)
    post = services.post_create(author=a, text="tip me")
    tip = services.tip_create(tipper=b, post_id=post.pk, idempotency_key="tap-1")
    assert 1 <= tip.amount_fen <= 99 and tip.entry_id
    again = services.tip_create(tipper=b, post_id=post.pk, idempotency_key="tap-1")  # a retried tap
    assert (again.pk, again.amount_fen) == (tip.pk, tip.amount_fen)
    assert wallet_balance_of(b) == 1000 - tip.amount_fen and wallet_balance_of(a) == tip.amount_fen
    tip2 = services.tip_create(tipper=c, post_id=post.pk, idempotency_key="tap-1")  # keys are per tipper
    author_view, b_view, c_view = view(a, post), view(b, post), view(c, post)
    assert (author_view.tips_total_fen, author_view.tips_count) == (tip.amount_fen + tip2.amount_fen, 2)
    assert {n.primary for _u, n, _amt in author_view.tippers} == {"bob_wong", "carol_x"}
    assert b_view.tips_total_fen is None and b_view.my_tips_fen == tip.amount_fen
    assert c_view.tippers is None and c_view.my_tips_fen == tip2.amount_fen
    assert Notification.objects.filter(user=a, kind="tip").count() == 2


def test_tip_amounts_cover_the_range_uniformly(monkeypatch):
    from lifecircle.feed.services import tips

    draws = [tips.tip_draw_fen() for _ in range(20000)]
    assert min(draws) == 1 and max(draws) == 99
    counts = [draws.count(v) for v in range(1, 100)]
    assert max(counts) < 2 * min(counts)  # ~202 each; a skewed draw would fail this


def test_tip_refusals(trio):
    a, b, _c = trio
    post = services.post_create(author=a, text="tip me")
    with pytest.raises(ApplicationError) as exc:
        services.tip_create(tipper=b, post_id=post.pk, idempotency_key=None)
    assert exc.value.status == 400
    raises_code("tip_own_post", services.tip_create, tipper=a, post_id=post.pk, idempotency_key="k")
    raises_code("insufficient_funds", services.tip_create, tipper=b, post_id=post.pk, idempotency_key="k")
    assert not Tip.objects.filter(entry_id__isnull=False).exists()
    services.post_tips_set(user=a, post_id=post.pk, enabled=False)
    fund_wallet(b, 500)
    raises_code("tips_off", services.tip_create, tipper=b, post_id=post.pk, idempotency_key="k2")
    services.post_tips_set(user=a, post_id=post.pk, enabled=True)
    social.block_create(user=a, target_id=b.pk)
    raises_code("post_not_found", services.tip_create, tipper=b, post_id=post.pk, idempotency_key="k3")
    assert wallet_balance_of(b) == 500


def test_past_the_password_free_limit_the_pin_is_asked(trio, settings):
    a, b, _c = trio
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "WALLET_MICROPAY_DAILY_COUNT": 1}
    fund_wallet(b, 1000)
    from lifecircle.accounts.services import pin_set

    pin_set(user=b, pin=PIN)
    post = services.post_create(author=a, text="tip me")
    services.tip_create(tipper=b, post_id=post.pk, idempotency_key="t1")
    raises_code("pin_required", services.tip_create, tipper=b, post_id=post.pk, idempotency_key="t2")
    tip = services.tip_create(tipper=b, post_id=post.pk, idempotency_key="t2", pin=PIN)
    assert tip.entry_id


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_taps_and_retries_hit_the_ledger_exactly_once():
    """16 threads send the same tap (same key) at once, then retry it: one tip, one entry,
    the balance moved by exactly that tip's amount."""
    a, b = make_user("author_x"), make_user("bob_wong")
    make_friends(a, b)
    fund_wallet(b, 1000)
    post = services.post_create(author=a, text="tip me")
    outcomes = run_threads(
        16, lambda _i: services.tip_create(tipper=b, post_id=post.pk, idempotency_key="same-tap")
    )
    results = [o.amount_fen for o in outcomes if isinstance(o, Tip)]
    errors = [o.code for o in outcomes if isinstance(o, ApplicationError)]
    assert len(results) + len(errors) == 16, outcomes
    assert set(errors) <= {"idempotency_in_flight"}, errors
    tip = services.tip_create(tipper=b, post_id=post.pk, idempotency_key="same-tap")  # a retry afterwards
    assert set(results) <= {tip.amount_fen}
    assert Tip.objects.count() == 1 and tip.entry_id
    assert wallet_balance_of(b) == 1000 - tip.amount_fen and wallet_balance_of(a) == tip.amount_fen


# --- bad input ------------------------------------------------------------------------------
def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, format="JPEG")
    return out.getvalue()


def test_bad_posts_change_nothing(trio):
    a, _b, _c = trio
    raises_code("too_many_images", services.post_create, author=a, text="x", images=[_jpeg()] * 10)
    raises_code("image_invalid", services.post_create, author=a, text="x", images=[b"%PDF-1.7 not an image"])
    raises_code("text_too_long", services.post_create, author=a, text="字" * 2001)
    raises_code("post_empty", services.post_create, author=a, text="  ")
    raises_code("audience_invalid", services.post_create, author=a, text="x", audience="everyone")
    raises_code(
        "audience_empty", services.post_create, author=a, text="x", audience="include", audience_user_ids=[]
    )
    assert not Post.objects.exists()
    post = services.post_create(author=a, text="字" * 2000, images=[_jpeg()] * 9)
    assert post.images.count() == 9


def test_api_bad_input_and_tipping_an_invisible_post(api_client, trio):
    from django.test import Client

    a, _b, _c = trio
    stranger = make_user("stranger_x")
    post = services.post_create(author=a, text="friends only")
    token = api_client.as_user(stranger).token
    r = Client().post(
        f"/api/v1/feed/posts/{post.pk}/tips",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert_error(r, 404, "post_not_found")
    files = {"text": "x", "images": [io.BytesIO(_jpeg()) for _ in range(10)]}
    r = Client().post("/api/v1/feed/posts", files, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_error(r, 400, "too_many_images")
    r = Client().post("/api/v1/feed/posts", {"text": "x" * 2001}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_error(r, 400, "text_too_long")
    r = Client().post(
        "/api/v1/feed/posts",
        {"text": "x", "images": [io.BytesIO(b"hello")]},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert_error(r, 400, "image_invalid")
    assert Post.objects.count() == 1


def test_a_reply_shows_only_to_viewers_who_are_friends_with_both_people(trio):
    """A (author) replies to a stranger S's comment on a public post. B, A's friend but not
    S's, sees neither S's comment nor the reply that names S; S is not notified of a reply
    they cannot see."""
    a, b, _c = trio
    s = make_user("stranger_x")
    post = services.post_create(author=a, text="public", audience="public")
    first = services.comment_create(user=s, post_id=post.pk, text="hello from a stranger")
    services.comment_create(user=a, post_id=post.pk, text="thanks stranger", reply_to_id=first.pk)
    assert [c.text for c, _n, _r in view(b, post).comments] == []
    assert [c.text for c, _n, _r in view(a, post).comments] == ["hello from a stranger", "thanks stranger"]
    assert not Notification.objects.filter(user=s, kind="reply").exists()
    make_friends(b, s)
    assert [c.text for c, _n, _r in view(b, post).comments] == ["hello from a stranger", "thanks stranger"]
