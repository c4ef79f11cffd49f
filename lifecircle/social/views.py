"""Friends pages: find, requests, friend list, profiles, privacy, QR code, blocks, tags, groups."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.accounts.models import User
from lifecircle.accounts.selectors import display_name_for, display_names_for, user_get_for_viewer
from lifecircle.core.converters import form_id
from lifecircle.core.views import post_action
from lifecircle.social import selectors, services
from lifecircle.social.models import PostFilter, PostHistory


def _people(viewer, users):
    users = list(users)
    names = display_names_for(viewer, users)
    return [(u, names[u.pk]) for u in users]


@login_required
def friends_home(request):
    friendships = list(selectors.friendships_for(user=request.user))
    names = display_names_for(request.user, [f.friend for f in friendships])
    return render(
        request,
        "social/home.html",
        {
            "friends": [(f.friend, names[f.friend_id]) for f in friendships],
            "pending": selectors.friend_requests_received(user=request.user).count(),
        },
    )


@login_required
def find(request):
    q = (request.GET.get("q") or "").strip()[:40]
    context = {"q": q}
    if request.method == "POST":
        response, _result = post_action(
            request,
            lambda: services.friend_request_send(
                sender=request.user,
                identifier=request.POST.get("identifier", ""),
                message=request.POST.get("message", ""),
            ),
            success=_("Friend request sent."),
            redirect_to=reverse("social:find") + f"?q={request.POST.get('identifier', '')[:40]}",
        )
        return response
    if q:
        found = selectors.user_find_for_request(viewer=request.user, identifier=q)
        if found is not None and found[0].pk != request.user.pk:
            user = found[0]
            context.update(
                found=user,
                name=display_name_for(request.user, user),
                is_friend=selectors.are_friends(request.user, user),
            )
        else:
            context["not_found"] = True
    return render(request, "social/find.html", context)


@login_required
def requests_page(request):
    received = list(selectors.friend_requests_received(user=request.user))
    sent = list(selectors.friend_requests_sent(user=request.user))
    names = display_names_for(request.user, [r.from_user for r in received] + [r.to_user for r in sent])
    return render(
        request,
        "social/requests.html",
        {
            "received": [(r, names[r.from_user_id]) for r in received],
            "sent": [(r, names[r.to_user_id]) for r in sent],
        },
    )


@login_required
@require_POST
def request_answer(request, request_id: int, action: str):
    if action == "cancel":
        fn = lambda: services.friend_request_cancel(user=request.user, request_id=request_id)  # noqa: E731
    else:
        fn = lambda: services.friend_request_answer(user=request.user, request_id=request_id, action=action)  # noqa: E731
    messages_for = {
        "accept": _("You are now friends."),
        "decline": _("Request declined."),
        "ignore": _("Request ignored."),
        "cancel": _("Request withdrawn."),
    }
    response, _result = post_action(
        request, fn, success=messages_for.get(action), redirect_to=reverse("social:requests")
    )
    return response


@login_required
def person(request, user_id: int):
    me = request.user
    user = user_get_for_viewer(viewer=me, user_id=user_id)
    if user is None:
        # Someone I blocked is hidden everywhere, except here, where I can unblock them.
        user = User.objects.select_related("identity").filter(pk=user_id, is_active=True).first()
        if user is None or not selectors.has_blocked(me, user):
            raise Http404
    friendship = selectors.friendship_get(user=me, friend_id=user.pk)
    context = {
        "person": user,
        "name": display_name_for(me, user),
        "friendship": friendship,
        "is_self": user.pk == me.pk,
        "i_blocked": selectors.has_blocked(me, user),
    }
    if friendship is not None:
        mutual_ids = selectors.mutual_friend_ids(me, user)
        context.update(
            mutual=_people(me, User.objects.select_related("identity").filter(pk__in=mutual_ids)),
            tags=list(selectors.tags_for(user=me)),
            hiding=user.pk in selectors.post_filter_ids(user=me, kind=PostFilter.Kind.HIDE_MINE),
            muting=user.pk in selectors.post_filter_ids(user=me, kind=PostFilter.Kind.MUTE),
        )
    return render(request, "social/person.html", context)


@login_required
@require_POST
def person_action(request, user_id: int, action: str):
    me, post = request.user, request.POST
    here = reverse("social:person", args=[user_id])
    actions = {
        "remark": (
            lambda: services.friend_remark_set(user=me, friend_id=user_id, remark=post.get("remark", "")),
            _("Remark saved."),
        ),
        "remove": (lambda: services.friend_remove(user=me, friend_id=user_id), _("Friend removed.")),
        "block": (lambda: services.block_create(user=me, target_id=user_id), _("Blocked.")),
        "unblock": (lambda: services.block_remove(user=me, target_id=user_id), _("Unblocked.")),
        "hide": (
            lambda: services.post_filter_set(
                user=me, other_id=user_id, kind=PostFilter.Kind.HIDE_MINE, on=post.get("on") == "1"
            ),
            _("Saved."),
        ),
        "mute": (
            lambda: services.post_filter_set(
                user=me, other_id=user_id, kind=PostFilter.Kind.MUTE, on=post.get("on") == "1"
            ),
            _("Saved."),
        ),
        "tags": (lambda: _set_tags(me, user_id, post.getlist("tag_ids")), _("Tags saved.")),
    }
    if action not in actions:
        raise Http404
    fn, success = actions[action]
    target = reverse("social:home") if action in ("remove", "block") else here
    response, _result = post_action(request, fn, success=success, redirect_to=target)
    return response


def _set_tags(me, friend_id: int, tag_ids) -> None:
    wanted = {form_id(t) for t in tag_ids} - {0}
    for tag in selectors.tags_for(user=me):
        members = {m.pk for m in tag.members.all()}
        has = friend_id in members
        if (tag.pk in wanted) != has:
            services.tag_update(
                user=me,
                tag_id=tag.pk,
                member_ids=(members | {friend_id}) if tag.pk in wanted else (members - {friend_id}),
            )


@login_required
def privacy(request):
    if request.method == "POST":
        response, _result = post_action(
            request,
            lambda: services.privacy_update(
                user=request.user,
                findable_by_mobile=request.POST.get("findable_by_mobile") == "on",
                findable_by_username=request.POST.get("findable_by_username") == "on",
                post_history=request.POST.get("post_history", PostHistory.ALL),
            ),
            success=_("Privacy settings saved."),
            redirect_to=reverse("social:privacy"),
        )
        return response
    me = request.user
    hidden = User.objects.select_related("identity").filter(
        pk__in=selectors.post_filter_ids(user=me, kind=PostFilter.Kind.HIDE_MINE)
    )
    muted = User.objects.select_related("identity").filter(
        pk__in=selectors.post_filter_ids(user=me, kind=PostFilter.Kind.MUTE)
    )
    return render(
        request,
        "social/privacy.html",
        {
            "privacy": selectors.privacy_for(user=me),
            "history_choices": PostHistory.choices,
            "hidden": _people(me, hidden),
            "muted": _people(me, muted),
        },
    )


@login_required
def qr(request):
    link = services.friend_link_create(user=request.user)
    url = request.build_absolute_uri(reverse("social:add_by_link", args=[link.token]))
    svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10).to_string(
        encoding="unicode"
    )
    return render(request, "social/qr.html", {"link": link, "url": url, "svg": svg})


@login_required
def add_by_link(request, token: str):
    link = selectors.friend_link_get(token=token)
    if request.method == "POST":
        response, _result = post_action(
            request,
            lambda: services.friend_request_send(
                sender=request.user, link_token=token, message=request.POST.get("message", "")
            ),
            success=_("Friend request sent."),
            redirect_to=reverse("social:home"),
        )
        return response
    context = {"link": link, "token": token}
    if link is not None:
        context.update(
            owner=link.owner,
            name=display_name_for(request.user, link.owner),
            is_self=link.owner_id == request.user.pk,
            is_friend=selectors.are_friends(request.user, link.owner),
        )
    return render(request, "social/add_by_link.html", context, status=200 if link else 404)


@login_required
def blocked(request):
    return render(
        request,
        "social/blocked.html",
        {
            "people": _people(request.user, [b.blocked for b in selectors.blocks_made_by(user=request.user)]),
        },
    )


@login_required
def tags(request):
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            fn = lambda: services.tag_delete(user=request.user, tag_id=form_id(request.POST.get("tag_id")))  # noqa: E731
        else:

            def fn():
                return services.tag_create(
                    user=request.user,
                    name=request.POST.get("name", ""),
                    member_ids=request.POST.getlist("member_ids"),
                )

        response, _result = post_action(request, fn, success=_("Saved."), redirect_to=reverse("social:tags"))
        return response
    friendships = list(selectors.friendships_for(user=request.user))
    return render(
        request,
        "social/tags.html",
        {
            "tags": selectors.tags_for(user=request.user),
            "friends": _people(request.user, [f.friend for f in friendships]),
        },
    )


@login_required
def groups(request):
    if request.method == "POST":
        response, _group = post_action(
            request,
            lambda: services.group_create(
                owner=request.user,
                name=request.POST.get("name", ""),
                member_ids=request.POST.getlist("member_ids"),
            ),
            success=_("Group created."),
            redirect_to=reverse("social:groups"),
        )
        return response
    friendships = list(selectors.friendships_for(user=request.user))
    return render(
        request,
        "social/groups.html",
        {
            "groups": selectors.groups_for(user=request.user),
            "friends": _people(request.user, [f.friend for f in friendships]),
        },
    )


@login_required
def group(request, group_id: int):
    g = selectors.group_for_member(user=request.user, group_id=group_id)
    if g is None:
        raise Http404
    members = [m.user for m in selectors.group_members(group=g)]
    member_ids = {m.pk for m in members}
    friends = [
        f.friend for f in selectors.friendships_for(user=request.user) if f.friend_id not in member_ids
    ]
    return render(
        request,
        "social/group.html",
        {
            "group": g,
            "members": _people(request.user, members),
            "invitable": _people(request.user, friends),
            "is_owner": g.owner_id == request.user.pk,
        },
    )


@login_required
@require_POST
def group_action(request, group_id: int, action: str):
    me, post = request.user, request.POST
    here = reverse("social:group", args=[group_id])

    def user_id() -> int:
        return form_id(post.get("user_id"))

    actions = {
        "invite": (
            lambda: services.group_invite(inviter=me, group_id=group_id, user_ids=post.getlist("user_ids")),
            _("Invited."),
            here,
        ),
        "update": (
            lambda: services.group_update(
                user=me, group_id=group_id, name=post.get("name"), notice=post.get("notice")
            ),
            _("Group updated."),
            here,
        ),
        "remove": (
            lambda: services.group_member_remove(owner=me, group_id=group_id, user_id=user_id()),
            _("Member removed."),
            here,
        ),
        "owner": (
            lambda: services.group_owner_transfer(owner=me, group_id=group_id, new_owner_id=user_id()),
            _("You handed the group over."),
            here,
        ),
        "leave": (
            lambda: services.group_leave(user=me, group_id=group_id),
            _("You left the group."),
            reverse("social:groups"),
        ),
    }
    if action not in actions:
        raise Http404
    fn, success, target = actions[action]
    response, _result = post_action(request, fn, success=success, redirect_to=target)
    return response
