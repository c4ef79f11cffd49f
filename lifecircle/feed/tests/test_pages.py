import pytest
from django.test import Client

from lifecircle.core.testing.factories import make_friends, make_user
from lifecircle.feed import services

pytestmark = pytest.mark.django_db

PHRASES = {
    "en": {"/circle/": "Life Circle", "/circle/new/": "Who can see it", "/notifications/": "Mark all read"},
    "zh-hans": {"/circle/": "生活圈", "/circle/new/": "谁可以看", "/notifications/": "全部标为已读"},
    "zh-hant": {"/circle/": "生活圈", "/circle/new/": "誰可以看", "/notifications/": "全部標為已讀"},
}


@pytest.mark.parametrize("lang", PHRASES)
def test_life_circle_pages_in_each_language(lang):
    c = Client()
    c.force_login(make_user("reader_x", language=lang))
    for path, phrase in PHRASES[lang].items():
        html = c.get(path).content.decode()
        assert phrase in html, (path, lang)


def test_endless_scrolling_serves_the_next_page_as_a_fragment():
    author, reader = make_user("author_x"), make_user("reader_x")
    make_friends(author, reader)
    for i in range(13):
        services.post_create(author=author, text=f"post number {i}")
    c = Client()
    c.force_login(reader)
    first = c.get("/circle/").content.decode()
    assert "post number 12" in first and "post number 2" not in first and 'data-testid="more"' in first
    more_url = first.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    fragment = c.get(more_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "post number 2" in fragment and "post number 12" not in fragment


def test_actions_without_javascript_redirect_back_with_a_message():
    author, reader = make_user("author_x"), make_user("reader_x")
    make_friends(author, reader)
    post = services.post_create(author=author, text="hello")
    c = Client()
    c.force_login(reader)
    r = c.post(f"/circle/p/{post.pk}/tip/", {"idempotency_key": "k1"}, follow=True)
    assert "Your balance is not enough for this payment." in r.content.decode()
    r = c.post(f"/circle/p/{post.pk}/like/")
    assert r.status_code == 302 and post.likes.count() == 1
