"""/api/v1/friends, /api/v1/blocks, /api/v1/privacy, /api/v1/groups."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Router

from lifecircle.accounts.selectors import display_names_for
from lifecircle.core.errors import NotFound
from lifecircle.social import selectors, services
from lifecircle.social.models import FriendRequest, PostFilter
from lifecircle.social.schemas import (
    BlockIn,
    FriendOut,
    FriendRequestIn,
    FriendRequestOut,
    FriendRequestResult,
    GroupDetailOut,
    GroupIn,
    GroupInviteIn,
    GroupOut,
    GroupOwnerIn,
    GroupPatchIn,
    LinkOut,
    PersonOut,
    PostFilterIn,
    PrivacyIn,
    PrivacyOut,
    RemarkIn,
    TagIn,
    TagOut,
    TagPatchIn,
)

friends_router = Router(tags=["friends"])
blocks_router = Router(tags=["friends"])
privacy_router = Router(tags=["friends"])
groups_router = Router(tags=["groups"])


def people_out(viewer, users) -> list[dict]:
    """Serialize users as ``viewer`` sees them (names, masks, remarks) in a fixed number of queries."""
    users = list(users)
    names = display_names_for(viewer, users)
    friends = selectors.friend_ids(user=viewer) if users else set()
    return [
        {
            "id": u.pk,
            "nickname": names[u.pk].nickname,
            "remark": names[u.pk].remark,
            "real_name": names[u.pk].real_name,
            "real_name_masked": names[u.pk].real_name_masked,
            "avatar_thumb_url": u.avatar_thumb.url if u.avatar_thumb else None,
            "is_friend": u.pk in friends,
        }
        for u in users
    ]


def request_out(viewer, request: FriendRequest) -> dict:
    from_user, to_user = people_out(viewer, [request.from_user, request.to_user])
    return {
        "id": request.pk,
        "status": request.status,
        "message": request.message,
        "source": request.source,
        "created_at": request.created_at,
        "expires_at": request.expires_at,
        "from_user": from_user,
        "to_user": to_user,
    }


# --- friends --------------------------------------------------------------------------------
@friends_router.get("", response=list[FriendOut])
def friends_list(request):
    me = request.auth
    friendships = list(selectors.friendships_for(user=me))
    tag_ids: dict[int, list[int]] = {}
    for tag in selectors.tags_for(user=me):
        for member in tag.members.all():
            tag_ids.setdefault(member.pk, []).append(tag.pk)
    people = people_out(me, [f.friend for f in friendships])
    return [
        {**person, "since": f.created_at, "tag_ids": tag_ids.get(f.friend_id, [])}
        for person, f in zip(people, friendships, strict=True)
    ]


@friends_router.get("/search", response=PersonOut)
def friends_search(request, q: str):
    """Find someone by mobile number or username, if they allow it."""
    found = selectors.user_find_for_request(viewer=request.auth, identifier=q[:40])
    if found is None:
        raise NotFound("user_not_found", _("No one can be found with this mobile number or username."))
    return people_out(request.auth, [found[0]])[0]


@friends_router.post("/requests", response={201: FriendRequestResult})
def friend_request_send(request, data: FriendRequestIn):
    fr = services.friend_request_send(
        sender=request.auth, identifier=data.identifier, link_token=data.link_token, message=data.message
    )
    return 201, {
        "request": request_out(request.auth, fr),
        "friends": fr.status == FriendRequest.Status.ACCEPTED,
    }


@friends_router.get("/requests", response=list[FriendRequestOut])
def friend_requests_list(request, box: str = "received"):
    qs = (
        selectors.friend_requests_sent(user=request.auth)
        if box == "sent"
        else selectors.friend_requests_received(user=request.auth)
    )
    return [request_out(request.auth, fr) for fr in qs]


@friends_router.post("/requests/{request_id}/{action}", response=FriendRequestOut)
def friend_request_answer(request, request_id: int, action: str):
    """``action`` is accept, decline or ignore."""
    fr = services.friend_request_answer(user=request.auth, request_id=request_id, action=action)
    return request_out(request.auth, fr)


@friends_router.delete("/requests/{request_id}", response={204: None})
def friend_request_cancel(request, request_id: int):
    services.friend_request_cancel(user=request.auth, request_id=request_id)
    return 204, None


@friends_router.post("/link", response=LinkOut)
def friend_link(request):
    """A QR/link token others can use to send you a request (expires)."""
    link = services.friend_link_create(user=request.auth)
    url = request.build_absolute_uri(reverse("social:add_by_link", args=[link.token]))
    return {"token": link.token, "url": url, "expires_at": link.expires_at}


@friends_router.get("/tags", response=list[TagOut])
def tags_list(request):
    return [
        {"id": t.pk, "name": t.name, "member_ids": [m.pk for m in t.members.all()]}
        for t in selectors.tags_for(user=request.auth)
    ]


@friends_router.post("/tags", response={201: TagOut})
def tags_create(request, data: TagIn):
    tag = services.tag_create(user=request.auth, name=data.name, member_ids=data.member_ids)
    return 201, {"id": tag.pk, "name": tag.name, "member_ids": sorted(m.pk for m in tag.members.all())}


@friends_router.patch("/tags/{tag_id}", response=TagOut)
def tags_update(request, tag_id: int, data: TagPatchIn):
    tag = services.tag_update(user=request.auth, tag_id=tag_id, name=data.name, member_ids=data.member_ids)
    return {"id": tag.pk, "name": tag.name, "member_ids": sorted(m.pk for m in tag.members.all())}


@friends_router.delete("/tags/{tag_id}", response={204: None})
def tags_delete(request, tag_id: int):
    services.tag_delete(user=request.auth, tag_id=tag_id)
    return 204, None


@friends_router.get("/{user_id}", response=PersonOut)
def person_get(request, user_id: int):
    """Anyone not blocking either way, as the viewer sees them."""
    from lifecircle.accounts.selectors import user_get_for_viewer

    user = user_get_for_viewer(viewer=request.auth, user_id=user_id)
    if user is None:
        raise NotFound("user_not_found", _("No such user."))
    return people_out(request.auth, [user])[0]


@friends_router.get("/{user_id}/mutual", response=list[PersonOut])
def mutual_friends(request, user_id: int):
    if not selectors.are_friends(request.auth, user_id):
        raise NotFound("friend_not_found", _("This person is not your friend."))
    from lifecircle.accounts.models import User

    other = User.objects.get(pk=user_id)
    ids = selectors.mutual_friend_ids(request.auth, other)
    return people_out(request.auth, User.objects.select_related("identity").filter(pk__in=ids))


@friends_router.patch("/{user_id}", response=PersonOut)
def friend_remark(request, user_id: int, data: RemarkIn):
    friendship = services.friend_remark_set(user=request.auth, friend_id=user_id, remark=data.remark)
    return people_out(request.auth, [friendship.friend])[0]


@friends_router.delete("/{user_id}", response={204: None})
def friend_remove(request, user_id: int):
    services.friend_remove(user=request.auth, friend_id=user_id)
    return 204, None


# --- blocks ---------------------------------------------------------------------------------
@blocks_router.get("", response=list[PersonOut])
def blocks_list(request):
    return people_out(request.auth, [b.blocked for b in selectors.blocks_made_by(user=request.auth)])


@blocks_router.post("", response={201: None})
def blocks_create(request, data: BlockIn):
    services.block_create(user=request.auth, target_id=data.user_id)
    return 201, None


@blocks_router.delete("/{user_id}", response={204: None})
def blocks_remove(request, user_id: int):
    services.block_remove(user=request.auth, target_id=user_id)
    return 204, None


# --- privacy --------------------------------------------------------------------------------
def privacy_out(user) -> dict:
    p = selectors.privacy_for(user=user)
    return {
        "findable_by_mobile": p.findable_by_mobile,
        "findable_by_username": p.findable_by_username,
        "post_history": p.post_history,
        "hide_my_posts_from": sorted(selectors.post_filter_ids(user=user, kind=PostFilter.Kind.HIDE_MINE)),
        "muted": sorted(selectors.post_filter_ids(user=user, kind=PostFilter.Kind.MUTE)),
    }


@privacy_router.get("", response=PrivacyOut)
def privacy_get(request):
    return privacy_out(request.auth)


@privacy_router.patch("", response=PrivacyOut)
def privacy_patch(request, data: PrivacyIn):
    services.privacy_update(
        user=request.auth,
        findable_by_mobile=data.findable_by_mobile,
        findable_by_username=data.findable_by_username,
        post_history=data.post_history,
    )
    return privacy_out(request.auth)


@privacy_router.put("/friends/{user_id}", response=PrivacyOut)
def privacy_post_filters(request, user_id: int, data: PostFilterIn):
    """Per friend: hide my posts from them; don't show me their posts."""
    if data.hide_my_posts is not None:
        services.post_filter_set(
            user=request.auth, other_id=user_id, kind=PostFilter.Kind.HIDE_MINE, on=data.hide_my_posts
        )
    if data.mute_their_posts is not None:
        services.post_filter_set(
            user=request.auth, other_id=user_id, kind=PostFilter.Kind.MUTE, on=data.mute_their_posts
        )
    return privacy_out(request.auth)


# --- groups ---------------------------------------------------------------------------------
def _group_or_404(user, group_id: int):
    group = selectors.group_for_member(user=user, group_id=group_id)
    if group is None:
        raise NotFound("group_not_found", _("No such group."))
    return group


def group_detail(viewer, group) -> dict:
    members = [m.user for m in selectors.group_members(group=group)]
    return {**GroupOut.model_validate(group).model_dump(), "members": people_out(viewer, members)}


@groups_router.get("", response=list[GroupOut])
def groups_list(request):
    return list(selectors.groups_for(user=request.auth))


@groups_router.post("", response={201: GroupDetailOut})
def groups_create(request, data: GroupIn):
    group = services.group_create(owner=request.auth, name=data.name, member_ids=data.member_ids)
    return 201, group_detail(request.auth, group)


@groups_router.get("/{group_id}", response=GroupDetailOut)
def groups_get(request, group_id: int):
    return group_detail(request.auth, _group_or_404(request.auth, group_id))


@groups_router.patch("/{group_id}", response=GroupDetailOut)
def groups_update(request, group_id: int, data: GroupPatchIn):
    group = services.group_update(user=request.auth, group_id=group_id, name=data.name, notice=data.notice)
    return group_detail(request.auth, group)


@groups_router.post("/{group_id}/members", response=GroupDetailOut)
def groups_invite(request, group_id: int, data: GroupInviteIn):
    services.group_invite(inviter=request.auth, group_id=group_id, user_ids=data.user_ids)
    return group_detail(request.auth, _group_or_404(request.auth, group_id))


@groups_router.delete("/{group_id}/members/{user_id}", response={204: None})
def groups_member_remove(request, group_id: int, user_id: int):
    """Remove a member (owner), or leave (your own id)."""
    if user_id == request.auth.pk:
        services.group_leave(user=request.auth, group_id=group_id)
    else:
        services.group_member_remove(owner=request.auth, group_id=group_id, user_id=user_id)
    return 204, None


@groups_router.post("/{group_id}/owner", response=GroupDetailOut)
def groups_owner(request, group_id: int, data: GroupOwnerIn):
    group = services.group_owner_transfer(owner=request.auth, group_id=group_id, new_owner_id=data.user_id)
    return group_detail(request.auth, group)
