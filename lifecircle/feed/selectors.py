"""Every read of Life Circle, with who may see what.

A post is visible to a viewer when the social graph allows it (no block either way, not
hidden from the viewer, within the author's how-far-back window — ``social.post_access``) and
its audience admits them. Likes and comments are shown only when their authors are the
viewer's friends (or the viewer); the post's author sees all of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from lifecircle.accounts.models import User
from lifecircle.accounts.selectors import DisplayName, display_names_for
from lifecircle.core.pagination import cursor_decode, cursor_encode, older_than
from lifecircle.feed.models import Audience, Comment, Like, Post, PostAudienceMember, Tip
from lifecircle.social import selectors as social
from lifecircle.social.models import Friendship

PAGE_SIZE = 10


def _audience_admits(viewer: User, *, is_friend: bool) -> Q:
    """Posts of someone else whose audience lets ``viewer`` in."""
    if not is_friend:
        return Q(audience=Audience.PUBLIC)
    named = Exists(PostAudienceMember.objects.filter(post=OuterRef("pk"), user=viewer))
    return (
        Q(audience__in=[Audience.PUBLIC, Audience.FRIENDS])
        | (Q(audience=Audience.INCLUDE) & named)
        | (Q(audience=Audience.EXCLUDE) & ~named)
    )


def post_visible(*, viewer: User | None, post: Post) -> bool:
    if post.deleted_at is not None:
        return False
    if viewer is not None and viewer.is_authenticated and viewer.pk == post.author_id:
        return True
    access = social.post_access(viewer=viewer, author=post.author)
    if not access.allowed or (access.since and post.created_at < access.since):
        return False
    return (
        Post.objects.filter(pk=post.pk).filter(_audience_admits(viewer, is_friend=access.is_friend)).exists()
    )


def post_get_for_viewer(*, viewer: User, post_id: int) -> Post | None:
    """The post if ``viewer`` may see it; None otherwise (a hidden post and a missing one look
    the same)."""
    post = Post.objects.select_related("author", "author__identity").filter(pk=post_id).first()
    if post is None or not post_visible(viewer=viewer, post=post):
        return None
    return post


def _base() -> QuerySet[Post]:
    return (
        Post.objects.filter(deleted_at__isnull=True)
        .select_related("author", "author__identity")
        .prefetch_related("images")
        .order_by("-created_at", "-id")
    )


def timeline(
    *, viewer: User, cursor: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[Post], str | None]:
    """The viewer's and their friends' posts that the viewer may see, newest first.

    Fan-out on read: the author set and each author's how-far-back cut-off come from the graph
    in four queries (``social.timeline_authors``); then the page of posts. Cut-offs are rounded
    up to the minute (``_bucket``) so equal settings give equal conditions.

    On PostgreSQL the page is found as a top-N per author, merged: for each author, at most
    ``limit + 1`` of their newest admitted posts past the cursor (one short backward scan of
    ``post_author_recent_aud`` each, index-only), then the newest ``limit + 1`` of those. Its cost
    is ~(authors × page size) index entries whatever the depth of the page or the number of
    posts per author; the single ``author_id IN (…)`` query it replaces had to fetch and sort
    every post of every friend (~18,000 rows for 200 friends in ``make bench-timeline``) for
    each page. Other databases (SQLite) run the equivalent ORM query."""
    authors = social.timeline_authors(viewer=viewer)
    if connection.vendor == "postgresql":
        page_ids = _timeline_ids_postgresql(viewer, authors, cursor, limit + 1)
        return _page(list(_base().filter(pk__in=page_ids)), limit)
    by_cutoff: dict[dt.datetime | None, list[int]] = defaultdict(list)
    for author_id, since in authors.items():
        if author_id != viewer.pk:
            by_cutoff[_bucket(since)].append(author_id)
    friends_q = Q()
    for since, ids in by_cutoff.items():
        friends_q |= Q(author_id__in=ids, created_at__gte=since) if since else Q(author_id__in=ids)
    visible = Q(author_id=viewer.pk)
    if by_cutoff:
        visible |= friends_q & _audience_admits(viewer, is_friend=True)
    posts = list(_base().filter(visible).filter(older_than(cursor))[: limit + 1])
    return _page(posts, limit)


# The same rules as the ORM query above (and as ``_audience_admits(is_friend=True)``): the
# viewer's own posts whatever their audience; a friend's posts from their cut-off on, when the
# audience is public or friends, or names the viewer (include), or doesn't (exclude).
_TIMELINE_SQL = """
SELECT p.id
FROM unnest(%s::bigint[], %s::timestamptz[]) AS a(author_id, since)
CROSS JOIN LATERAL (
    SELECT p.id, p.created_at
    FROM feed_post p
    WHERE p.author_id = a.author_id
      AND p.deleted_at IS NULL
      AND p.created_at >= COALESCE(a.since, '-infinity'::timestamptz)
      AND (p.created_at, p.id) < (%s, %s)
      AND (
        a.author_id = %s
        OR p.audience IN (%s, %s)
        OR (p.audience = %s AND EXISTS (
              SELECT 1 FROM feed_postaudiencemember m WHERE m.post_id = p.id AND m.user_id = %s))
        OR (p.audience = %s AND NOT EXISTS (
              SELECT 1 FROM feed_postaudiencemember m WHERE m.post_id = p.id AND m.user_id = %s))
      )
    ORDER BY p.created_at DESC, p.id DESC
    LIMIT %s
) p
ORDER BY p.created_at DESC, p.id DESC
LIMIT %s
"""


def _timeline_ids_postgresql(
    viewer: User, authors: dict[int, dt.datetime | None], cursor: str | None, n: int
) -> RawSQL:
    """The ids of the page, as a subquery for ``pk__in`` (so the page is one query)."""
    # (created_at, id) < cursor: the rows ``older_than`` gives; the row comparison is an index
    # condition on (author_id, created_at DESC, id DESC). No cursor: below everything.
    at, pk = cursor_decode(cursor) if cursor else (dt.datetime.max.replace(tzinfo=dt.UTC), 0)
    since = [None if author_id == viewer.pk else _bucket(cut) for author_id, cut in authors.items()]
    params = [
        list(authors), since, at, pk, viewer.pk,
        Audience.PUBLIC.value, Audience.FRIENDS.value,
        Audience.INCLUDE.value, viewer.pk, Audience.EXCLUDE.value, viewer.pk,
        n, n,
    ]  # fmt: skip
    return RawSQL(_TIMELINE_SQL, params)  # noqa: S611 -- constant SQL, every value a parameter


def _bucket(since: dt.datetime | None) -> dt.datetime | None:
    # Round cut-offs UP to the minute so equal settings share one condition: the timeline may
    # leave out a post up to a minute inside the window, but never shows one outside it.
    if since is None:
        return None
    floor = since.replace(second=0, microsecond=0)
    return floor if floor == since else floor + dt.timedelta(minutes=1)


def posts_of(
    *, viewer: User, author: User, cursor: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[Post], str | None]:
    """One person's posts as ``viewer`` may see them (their profile page)."""
    qs = _base().filter(author=author)
    if viewer.pk != author.pk:
        access = social.post_access(viewer=viewer, author=author)
        if not access.allowed:
            return [], None
        if access.since:
            qs = qs.filter(created_at__gte=access.since)
        qs = qs.filter(_audience_admits(viewer, is_friend=access.is_friend))
    return _page(list(qs.filter(older_than(cursor))[: limit + 1]), limit)


def _page(posts: list[Post], limit: int) -> tuple[list[Post], str | None]:
    if len(posts) > limit:
        posts = posts[:limit]
        return posts, cursor_encode(posts[-1].created_at, posts[-1].pk)
    return posts, None


# --- what is shown around each post ---------------------------------------------------------
@dataclass
class PostView:
    post: Post
    author_name: DisplayName
    likes: list[tuple[User, DisplayName]] = field(default_factory=list)
    comments: list[tuple[Comment, DisplayName, DisplayName | None]] = field(default_factory=list)
    liked_by_me: bool = False
    tips_total_fen: int | None = None  # the author only
    tips_count: int | None = None  # the author only
    tippers: list[tuple[User, DisplayName, int]] | None = None  # the author only
    my_tips_fen: int = 0


def post_views(*, viewer: User, posts: list[Post]) -> list[PostView]:
    """Everything a page of posts shows, in a fixed number of queries for the whole page."""
    if not posts:
        return []
    ids = [p.pk for p in posts]
    friends = Friendship.objects.filter(user=viewer).values("friend_id")
    likes = list(
        Like.objects.filter(post_id__in=ids)
        .filter(Q(post__author=viewer) | Q(user_id=viewer.pk) | Q(user_id__in=friends))
        .select_related("user", "user__identity")
    )
    # A reply names two people: the viewer sees it only if both are their friends (or
    # themselves), unless it is the viewer's own post.
    seen = Q(author_id=viewer.pk) | Q(author_id__in=friends)
    addressee_seen = (
        Q(reply_to_user__isnull=True) | Q(reply_to_user_id=viewer.pk) | Q(reply_to_user_id__in=friends)
    )
    comments = list(
        Comment.objects.filter(post_id__in=ids)
        .filter(Q(post__author=viewer) | (seen & addressee_seen))
        .select_related("author", "author__identity", "reply_to_user", "reply_to_user__identity")
    )
    own_ids = [p.pk for p in posts if p.author_id == viewer.pk]
    tips = list(
        Tip.objects.filter(post_id__in=ids, entry_id__isnull=False)
        .filter(Q(post_id__in=own_ids) | Q(tipper=viewer))
        .select_related("tipper", "tipper__identity")
    )
    people = {p.author for p in posts} | {lk.user for lk in likes} | {c.author for c in comments}
    people |= {c.reply_to_user for c in comments if c.reply_to_user} | {t.tipper for t in tips}
    names = display_names_for(viewer, people)
    views = {p.pk: PostView(post=p, author_name=names[p.author_id]) for p in posts}
    for like in likes:
        views[like.post_id].likes.append((like.user, names[like.user_id]))
        if like.user_id == viewer.pk:
            views[like.post_id].liked_by_me = True
    for c in comments:
        views[c.post_id].comments.append(
            (c, names[c.author_id], names[c.reply_to_user_id] if c.reply_to_user_id else None)
        )
    for pid in own_ids:
        views[pid].tips_total_fen, views[pid].tips_count, views[pid].tippers = 0, 0, []
    for t in tips:
        view = views[t.post_id]
        if t.post_id in own_ids:
            view.tips_total_fen += t.amount_fen
            view.tips_count += 1
            view.tippers.append((t.tipper, names[t.tipper_id], t.amount_fen))
        if t.tipper_id == viewer.pk:
            view.my_tips_fen += t.amount_fen
    return [views[p.pk] for p in posts]
