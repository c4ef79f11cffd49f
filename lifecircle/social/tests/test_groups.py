import pytest

from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.concurrency import run_threads
from lifecircle.core.testing.factories import make_friends, make_user
from lifecircle.social import selectors, services
from lifecircle.social.models import Group, GroupMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    owner = make_user("owner_x")
    friends = [make_user(f"friend_{i}x") for i in range(4)]
    for f in friends:
        make_friends(owner, f)
    return owner, friends


def members(group) -> set[int]:
    return set(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))


def test_create_a_group_of_friends(people):
    owner, (a, b, *_rest) = people
    group = services.group_create(owner=owner, name=" Family ", member_ids=[a.pk, b.pk])
    assert (group.name, group.owner, group.member_count) == ("Family", owner, 3)
    assert members(group) == {owner.pk, a.pk, b.pk}
    assert selectors.group_for_member(user=a, group_id=group.pk) == group


def test_only_friends_can_be_put_in_a_group(people):
    owner, _friends = people
    stranger = make_user("stranger_x")
    raises_code("not_friends", services.group_create, owner=owner, name="G", member_ids=[stranger.pk])
    raises_code("group_name_invalid", services.group_create, owner=owner, name=" ")
    assert not Group.objects.exists()


def test_members_invite_their_own_friends(people):
    owner, (a, b, c, _d) = people
    group = services.group_create(owner=owner, name="G", member_ids=[a.pk])
    a_friend = make_user("a_friend_x")
    make_friends(a, a_friend)
    assert services.group_invite(inviter=a, group_id=group.pk, user_ids=[a_friend.pk]) == [a_friend.pk]
    raises_code("not_friends", services.group_invite, inviter=a, group_id=group.pk, user_ids=[b.pk])
    raises_code("group_not_found", services.group_invite, inviter=c, group_id=group.pk, user_ids=[owner.pk])
    assert services.group_invite(inviter=owner, group_id=group.pk, user_ids=[a.pk]) == []  # already in
    group.refresh_from_db()
    assert group.member_count == 3 == len(members(group))


def test_someone_who_blocked_the_owner_is_not_added(people):
    owner, (a, _b, *_rest) = people
    group = services.group_create(owner=owner, name="G", member_ids=[a.pk])
    b_friend_of_a = make_user("bb_x")
    make_friends(a, b_friend_of_a)
    services.block_create(user=b_friend_of_a, target_id=owner.pk)
    assert services.group_invite(inviter=a, group_id=group.pk, user_ids=[b_friend_of_a.pk]) == []


def test_owner_only_actions(people):
    owner, (a, b, *_rest) = people
    group = services.group_create(owner=owner, name="G", member_ids=[a.pk, b.pk])
    raises_code("not_group_owner", services.group_update, user=a, group_id=group.pk, notice="hi")
    raises_code("not_group_owner", services.group_member_remove, owner=a, group_id=group.pk, user_id=b.pk)
    raises_code(
        "not_group_owner", services.group_owner_transfer, owner=a, group_id=group.pk, new_owner_id=a.pk
    )
    services.group_update(user=owner, group_id=group.pk, name="Family", notice="Dinner on Sunday")
    group.refresh_from_db()
    assert (group.name, group.notice) == ("Family", "Dinner on Sunday")
    raises_code("notice_too_long", services.group_update, user=owner, group_id=group.pk, notice="x" * 1001)


def test_remove_leave_and_hand_over(people):
    owner, (a, b, *_rest) = people
    group = services.group_create(owner=owner, name="G", member_ids=[a.pk, b.pk])
    services.group_member_remove(owner=owner, group_id=group.pk, user_id=b.pk)
    assert members(group) == {owner.pk, a.pk}
    raises_code("group_not_found", services.group_leave, user=b, group_id=group.pk)
    raises_code("owner_must_hand_over", services.group_leave, user=owner, group_id=group.pk)
    raises_code(
        "member_not_found", services.group_owner_transfer, owner=owner, group_id=group.pk, new_owner_id=b.pk
    )
    services.group_owner_transfer(owner=owner, group_id=group.pk, new_owner_id=a.pk)
    services.group_leave(user=owner, group_id=group.pk)
    group.refresh_from_db()
    assert (group.owner, group.member_count, members(group)) == (a, 1, {a.pk})
    services.group_leave(user=a, group_id=group.pk)  # the last member leaving dissolves it
    assert not Group.objects.exists()


def test_member_cap(people, settings):
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "GROUP_MAX_MEMBERS": 3}
    owner, (a, b, c, _d) = people
    raises_code("group_full", services.group_create, owner=owner, name="G", member_ids=[a.pk, b.pk, c.pk])
    group = services.group_create(owner=owner, name="G", member_ids=[a.pk])
    services.group_invite(inviter=owner, group_id=group.pk, user_ids=[b.pk])
    err = raises_code("group_full", services.group_invite, inviter=owner, group_id=group.pk, user_ids=[c.pk])
    assert err.status == 409


def test_the_default_cap_is_500(people, settings):
    assert settings.LIFECIRCLE["GROUP_MAX_MEMBERS"] == 500


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_invites_never_pass_the_cap(settings):
    """8 members each invite 3 of their friends at once into a group capped at 16: the group
    row lock serialises them, so the group ends at most full and member_count stays exact."""
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "GROUP_MAX_MEMBERS": 16}
    owner = make_user("owner_x")
    inviters = [make_user(f"inviter_{i}x") for i in range(8)]
    for u in inviters:
        make_friends(owner, u)
    group = services.group_create(owner=owner, name="G", member_ids=[u.pk for u in inviters])
    invitees = {}
    for u in inviters:
        invitees[u.pk] = [make_user(f"x{u.pk}_{j}x") for j in range(3)]
        for f in invitees[u.pk]:
            make_friends(u, f)
    results = run_threads(
        len(inviters),
        lambda i: services.group_invite(
            inviter=inviters[i], group_id=group.pk, user_ids=[f.pk for f in invitees[inviters[i].pk]]
        ),
    )
    outcomes = [r.code if isinstance(r, ApplicationError) else "ok" for r in results]
    group.refresh_from_db()
    # 9 + 2×3 = 15; a third batch would make 18
    assert outcomes.count("ok") == 2 and outcomes.count("group_full") == 6, outcomes
    assert group.member_count == len(members(group)) == 15
