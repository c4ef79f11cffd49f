"""/api/v1/feed: the timeline, posts, likes, comments, tips."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router
from ninja.files import UploadedFile

from lifecircle.accounts.selectors import user_get_for_viewer
from lifecircle.core.errors import NotFound, validation_error
from lifecircle.feed import selectors, services
from lifecircle.feed.schemas import CommentIn, PageOut, PostOut, PostPatchIn, TipIn, TipOut

router = Router(tags=["life circle"])


def _name(user, name) -> dict:
    return {"id": user.pk, "name": name.primary, "real_name": name.real_name}


def post_out(viewer, view: selectors.PostView) -> dict:
    p = view.post
    return {
        "id": p.pk,
        "author": _name(p.author, view.author_name),
        "text": p.text,
        "audience": p.audience if p.author_id == viewer.pk else None,
        "images": [
            {
                "url": reverse("feed:image", args=[i.pk, "full"]),
                "thumb_url": reverse("feed:image", args=[i.pk, "thumb"]),
                "width": i.width,
                "height": i.height,
            }
            for i in p.images.all()
        ],
        "created_at": p.created_at,
        "likes": [_name(u, n) for u, n in view.likes],
        "liked_by_me": view.liked_by_me,
        "comments": [
            {
                "id": c.pk,
                "author": _name(c.author, n),
                "text": c.text,
                "created_at": c.created_at,
                "reply_to_user": _name(c.reply_to_user, rn) if rn else None,
            }
            for c, n, rn in view.comments
        ],
        "tips_enabled": p.tips_enabled,
        "tips": None
        if view.tips_total_fen is None
        else {
            "total_fen": view.tips_total_fen,
            "count": view.tips_count,
            "tippers": [{"user": _name(u, n), "amount_fen": a} for u, n, a in view.tippers],
        },
        "my_tips_fen": view.my_tips_fen,
    }


def page_out(viewer, posts, next_cursor) -> dict:
    return {
        "items": [post_out(viewer, v) for v in selectors.post_views(viewer=viewer, posts=posts)],
        "next_cursor": next_cursor,
    }


def _visible(viewer, post_id: int):
    post = selectors.post_get_for_viewer(viewer=viewer, post_id=post_id)
    if post is None:
        raise NotFound("post_not_found", _("No such post."))
    return post


@router.get("", response=PageOut)
def timeline(request, cursor: str | None = None):
    """Your and your friends' posts that you may see, newest first; pass ``next_cursor`` for more."""
    posts, next_cursor = selectors.timeline(viewer=request.auth, cursor=cursor)
    return page_out(request.auth, posts, next_cursor)


@router.get("/users/{user_id}/posts", response=PageOut)
def user_posts(request, user_id: int, cursor: str | None = None):
    author = user_get_for_viewer(viewer=request.auth, user_id=user_id)
    if author is None:
        raise NotFound("user_not_found", _("No such user."))
    posts, next_cursor = selectors.posts_of(viewer=request.auth, author=author, cursor=cursor)
    return page_out(request.auth, posts, next_cursor)


@router.post("/posts", response={201: PostOut})
def post_create(
    request,
    text: str = Form(""),
    audience: str = Form("friends"),
    audience_user_ids: list[int] = Form([]),
    audience_tag_ids: list[int] = Form([]),
    tips_enabled: bool = Form(True),
    images: list[UploadedFile] = File(None),
):
    """Multipart form: ``text``, ``audience`` (public, friends, private, include, exclude),
    ``audience_user_ids`` / ``audience_tag_ids`` for include/exclude, up to 9 ``images``."""
    images = images or []
    if len(images) > 9:
        raise validation_error("images", "too_many_images", _("A post has at most 9 images."))
    limit = settings.LIFECIRCLE["POST_IMAGE_MAX_BYTES"] + 1
    post = services.post_create(
        author=request.auth,
        text=text,
        audience=audience,
        audience_user_ids=audience_user_ids,
        audience_tag_ids=audience_tag_ids,
        tips_enabled=tips_enabled,
        images=[f.read(limit) for f in images],
    )
    return 201, post_out(
        request.auth, selectors.post_views(viewer=request.auth, posts=[_visible(request.auth, post.pk)])[0]
    )


@router.get("/posts/{post_id}", response=PostOut)
def post_get(request, post_id: int):
    return post_out(
        request.auth, selectors.post_views(viewer=request.auth, posts=[_visible(request.auth, post_id)])[0]
    )


@router.patch("/posts/{post_id}", response=PostOut)
def post_patch(request, post_id: int, data: PostPatchIn):
    services.post_tips_set(user=request.auth, post_id=post_id, enabled=data.tips_enabled)
    return post_get(request, post_id)


@router.delete("/posts/{post_id}", response={204: None})
def post_delete(request, post_id: int):
    services.post_delete(user=request.auth, post_id=post_id)
    return 204, None


@router.put("/posts/{post_id}/like", response=PostOut)
def like(request, post_id: int):
    services.like_set(user=request.auth, post_id=post_id, liked=True)
    return post_get(request, post_id)


@router.delete("/posts/{post_id}/like", response=PostOut)
def unlike(request, post_id: int):
    services.like_set(user=request.auth, post_id=post_id, liked=False)
    return post_get(request, post_id)


@router.post("/posts/{post_id}/comments", response={201: PostOut})
def comment(request, post_id: int, data: CommentIn):
    services.comment_create(user=request.auth, post_id=post_id, text=data.text, reply_to_id=data.reply_to_id)
    return 201, post_get(request, post_id)


@router.delete("/comments/{comment_id}", response={204: None})
def comment_delete(request, comment_id: int):
    services.comment_delete(user=request.auth, comment_id=comment_id)
    return 204, None


@router.post("/posts/{post_id}/tips", response={201: TipOut})
def tip(request, post_id: int, data: TipIn | None = None):
    """One tap: a random ¥0.01–¥0.99, password-free within the limits. Send a fresh
    ``Idempotency-Key`` per tap; a retry with the same key repeats the first result."""
    t = services.tip_create(
        tipper=request.auth,
        post_id=post_id,
        idempotency_key=request.headers.get("Idempotency-Key"),
        pin=data.pin if data else None,
    )
    return 201, {"post_id": t.post_id, "amount_fen": t.amount_fen, "entry_id": t.entry_id}
