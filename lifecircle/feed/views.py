"""Life Circle pages: the timeline with endless scrolling, compose, a post, someone's posts.
Likes, comments and tips happen in place: htmx posts the action and swaps in the card."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.accounts.selectors import display_name_for, user_get_for_viewer
from lifecircle.core.converters import form_id
from lifecircle.core.errors import ApplicationError
from lifecircle.feed import selectors, services
from lifecircle.feed.models import Audience
from lifecircle.social import selectors as social


def _with_tip_keys(views):
    # Each rendered tip button is one tap: a fresh key, reused only if that tap is retried.
    for view in views:
        view.tip_key = uuid.uuid4().hex
    return views


def _cards(request, posts, next_cursor, template="feed/_posts.html", **extra):
    views = _with_tip_keys(selectors.post_views(viewer=request.user, posts=posts))
    return render(request, template, {"views": views, "next_cursor": next_cursor, **extra})


@login_required
def timeline(request):
    try:
        posts, next_cursor = selectors.timeline(viewer=request.user, cursor=request.GET.get("cursor") or None)
    except ApplicationError:  # a mangled page link: start from the top
        return redirect("feed:timeline")
    if request.headers.get("HX-Request"):
        return _cards(request, posts, next_cursor, more_url=request.path)
    return _cards(request, posts, next_cursor, template="feed/timeline.html", more_url=request.path)


@login_required
def user_posts(request, user_id: int):
    author = user_get_for_viewer(viewer=request.user, user_id=user_id)
    if author is None:
        raise Http404
    try:
        posts, next_cursor = selectors.posts_of(
            viewer=request.user, author=author, cursor=request.GET.get("cursor") or None
        )
    except ApplicationError:
        return redirect("feed:user", user_id=author.pk)
    if request.headers.get("HX-Request"):
        return _cards(request, posts, next_cursor, more_url=request.path)
    return _cards(
        request,
        posts,
        next_cursor,
        template="feed/user.html",
        more_url=request.path,
        author=author,
        author_name=display_name_for(request.user, author),
    )


@login_required
def compose(request):
    context = {
        "audiences": Audience.choices,
        "friends": [(f.friend, n) for f, n in _friend_names(request.user)],
        "tags": social.tags_for(user=request.user),
    }
    if request.method == "POST":
        limit = settings.LIFECIRCLE["POST_IMAGE_MAX_BYTES"] + 1
        try:
            post = services.post_create(
                author=request.user,
                text=request.POST.get("text", ""),
                audience=request.POST.get("audience", Audience.FRIENDS),
                audience_user_ids=[form_id(i) for i in request.POST.getlist("audience_user_ids")],
                audience_tag_ids=[form_id(i) for i in request.POST.getlist("audience_tag_ids")],
                images=[f.read(limit) for f in request.FILES.getlist("images")],
                tips_enabled=request.POST.get("tips_enabled") == "on",
            )
        except ApplicationError as exc:
            context.update(error=exc, form=request.POST)
            return render(request, "feed/compose.html", context, status=exc.status)
        messages.success(request, _("Posted."))
        return redirect("feed:post", post_id=post.pk)
    return render(request, "feed/compose.html", context)


def _friend_names(user):
    from lifecircle.accounts.selectors import display_names_for

    friendships = list(social.friendships_for(user=user))
    names = display_names_for(user, [f.friend for f in friendships])
    return [(f, names[f.friend_id]) for f in friendships]


def _post_card(request, post_id: int, **extra):
    post = selectors.post_get_for_viewer(viewer=request.user, post_id=post_id)
    if post is None:
        raise Http404
    view = _with_tip_keys(selectors.post_views(viewer=request.user, posts=[post]))[0]
    return {"v": view, **extra}


@login_required
def image(request, image_id: int, size: str):
    """A post's photo, only for viewers who may see the post (never a public media URL)."""
    from django.http import FileResponse

    from lifecircle.feed.models import PostImage

    img = PostImage.objects.select_related("post", "post__author").filter(pk=image_id).first()
    if (
        img is None
        or size not in ("full", "thumb")
        or not selectors.post_visible(viewer=request.user, post=img.post)
    ):
        raise Http404
    field = img.image if size == "full" else img.thumb
    response = FileResponse(
        field.open("rb"), content_type="image/png" if field.name.endswith(".png") else "image/jpeg"
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def post_detail(request, post_id: int):
    return render(request, "feed/post.html", _post_card(request, post_id))


@login_required
@require_POST
def post_action(request, post_id: int, action: str):
    """like / unlike / comment / tip / delete_comment / tips_on / tips_off / delete — each
    returns the re-rendered card for htmx, or redirects back without JavaScript."""
    user, post = request.user, request.POST
    extra = {}
    try:
        if action == "like":
            services.like_set(user=user, post_id=post_id, liked=True)
        elif action == "unlike":
            services.like_set(user=user, post_id=post_id, liked=False)
        elif action == "comment":
            reply_to = post.get("reply_to_id")
            services.comment_create(
                user=user,
                post_id=post_id,
                text=post.get("text", ""),
                reply_to_id=form_id(reply_to) or None,
            )
        elif action == "delete_comment":
            services.comment_delete(user=user, comment_id=form_id(post.get("comment_id")))
        elif action == "tip":
            tip = services.tip_create(
                tipper=user,
                post_id=post_id,
                idempotency_key=post.get("idempotency_key"),
                pin=post.get("pin") or None,
            )
            extra["tipped_fen"] = tip.amount_fen
        elif action in ("tips_on", "tips_off"):
            services.post_tips_set(user=user, post_id=post_id, enabled=action == "tips_on")
        elif action == "delete":
            services.post_delete(user=user, post_id=post_id)
            if request.headers.get("HX-Request"):
                return render(request, "feed/_deleted.html")
            messages.success(request, _("Post deleted."))
            return redirect("feed:timeline")
        else:
            raise Http404
    except ApplicationError as exc:
        extra["error"] = exc
        if action == "tip":
            extra["retry_key"] = post.get("idempotency_key")  # the same tap, with the PIN this time
            extra["pin_needed"] = exc.code in ("pin_required", "pin_incorrect")
    context = _post_card(request, post_id, **extra)
    if request.headers.get("HX-Request"):
        return render(request, "feed/_post.html", context)
    if "error" in extra:
        messages.error(request, str(extra["error"].message))
    elif "tipped_fen" in extra:
        from lifecircle.core.money import format_fen

        messages.success(request, _("You tipped %(amount)s.") % {"amount": format_fen(extra["tipped_fen"])})
    return redirect("feed:post", post_id=post_id)
