import io

import pytest
from django.test import Client
from PIL import Image

from lifecircle.accounts.models import ApiToken, User
from lifecircle.core.testing.factories import PASSWORD, PIN, make_user, resident_id

pytestmark = pytest.mark.django_db

# A phrase from each page in each language: the page is really served translated.
PAGES = {
    "/": {
        "en": "Friends and money in one place",
        "zh-hans": "朋友和钱，在一个地方",
        "zh-hant": "朋友和錢，在一個地方",
    },
    "/accounts/signup/": {"en": "Create your account", "zh-hans": "创建账户", "zh-hant": "建立帳戶"},
    "/accounts/login/": {
        "en": "Mobile number or username",
        "zh-hans": "手机号或用户名",
        "zh-hant": "手機號碼或使用者名稱",
    },
}
SIGNED_IN_PAGES = {
    "/": {"en": "Real-name verification", "zh-hans": "实名认证", "zh-hant": "實名認證"},
    "/accounts/profile/": {"en": "Change password", "zh-hans": "修改登录密码", "zh-hant": "修改登入密碼"},
    "/accounts/identity/": {
        "en": "Resident ID number",
        "zh-hans": "居民身份证号码",
        "zh-hant": "居民身分證號碼",
    },
    "/accounts/pin/": {"en": "Set payment PIN", "zh-hans": "设置支付密码", "zh-hant": "設定支付密碼"},
    "/accounts/tokens/": {"en": "Create token", "zh-hans": "创建令牌", "zh-hant": "建立權杖"},
    "/s/circle/": {"en": "Life Circle", "zh-hans": "生活圈", "zh-hant": "生活圈"},
}
NAV = {
    "en": ["Life Circle", "Live", "Chat", "Wallet", "Friends"],
    "zh-hans": ["生活圈", "现场", "聊天", "钱包", "朋友"],
    "zh-hant": ["生活圈", "現場", "聊天", "錢包", "朋友"],
}


@pytest.mark.parametrize("lang", ["en", "zh-hans", "zh-hant"])
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_in_each_language(path, lang):
    r = Client().get(path, HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 200
    html = r.content.decode()
    assert PAGES[path][lang] in html
    assert 'name="viewport"' in html
    assert 'id="lang-select"' in html  # the switcher is on every page


@pytest.mark.parametrize("lang", ["en", "zh-hans", "zh-hant"])
@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_follow_the_users_language(path, lang):
    c = Client()
    c.force_login(make_user("lily_chen", language=lang))
    html = c.get(path, HTTP_ACCEPT_LANGUAGE="en" if lang != "en" else "zh-hans").content.decode()
    assert SIGNED_IN_PAGES[path][lang] in html
    for label in NAV[lang]:
        assert f">{label}</a>" in html


def test_signed_in_pages_need_a_login():
    r = Client().get("/accounts/profile/")
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/?next=")


def test_sign_up_page_creates_the_account_and_signs_in():
    c = Client()
    r = c.post(
        "/accounts/signup/",
        {"identifier": "13900001111", "password": PASSWORD, "nickname": "小明"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert r.status_code == 302
    user = User.objects.get(mobile="13900001111")
    assert user.language == "zh-hans"  # the language they signed up in
    assert "小明" in c.get("/").content.decode()


def test_sign_up_page_shows_errors_in_place():
    r = Client().post(
        "/accounts/signup/", {"identifier": "12345", "password": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hant"
    )
    assert r.status_code == 400
    assert "請輸入以 13–19 開頭的 11 位中國大陸手機號碼。" in r.content.decode()
    assert not User.objects.exists()


def test_login_and_logout_pages():
    make_user("lily_chen")
    c = Client(enforce_csrf_checks=False)
    r = c.post(
        "/accounts/login/?next=/accounts/pin/",
        {"identifier": "lily_chen", "password": PASSWORD, "next": "/accounts/pin/"},
    )
    assert r.status_code == 302 and r["Location"] == "/accounts/pin/"
    assert c.get("/accounts/pin/").status_code == 200
    c.post("/accounts/logout/")
    assert c.get("/accounts/pin/").status_code == 302


def test_login_page_does_not_redirect_off_site():
    make_user("lily_chen")
    r = Client().post(
        "/accounts/login/", {"identifier": "lily_chen", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert r["Location"] == "/"


def test_login_page_shows_the_throttle_message():
    make_user("lily_chen")
    c = Client()
    for _ in range(10):
        assert c.post("/accounts/login/", {"identifier": "lily_chen", "password": "bad"}).status_code == 400
    r = c.post(
        "/accounts/login/", {"identifier": "lily_chen", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert r.status_code == 429
    assert "登录失败次数过多" in r.content.decode()


def test_login_form_posts_need_csrf():
    make_user("lily_chen")
    r = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"identifier": "lily_chen", "password": PASSWORD}
    )
    assert r.status_code == 403


def test_language_switcher_saves_the_preference_for_signed_in_users():
    user = make_user("lily_chen")
    c = Client()
    c.force_login(user)
    r = c.post("/language/", {"language": "zh-hant", "next": "/accounts/profile/"})
    assert r.status_code == 302 and r["Location"] == "/accounts/profile/"
    user.refresh_from_db()
    assert user.language == "zh-hant"
    assert "修改登入密碼" in c.get("/accounts/profile/").content.decode()


def test_language_switcher_uses_a_cookie_for_visitors():
    c = Client()
    c.post("/language/", {"language": "zh-hans", "next": "/"})
    assert "朋友和钱，在一个地方" in c.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    c.post("/language/", {"language": "xx", "next": "/"})  # ignored
    assert "朋友和钱，在一个地方" in c.get("/").content.decode()


def test_identity_page_verifies_and_then_shows_only_the_last_four_digits():
    user = make_user("lily_chen")
    c = Client()
    c.force_login(user)
    number = resident_id(seq=77)
    r = c.post("/accounts/identity/", {"legal_name": "欧阳明", "id_number": number})
    assert r.status_code == 302
    html = c.get("/accounts/identity/").content.decode()
    assert number not in html and number[:14] not in html
    assert f"**************{number[-4:]}" in html
    assert "**明" in html


def test_pin_page_sets_and_changes_the_pin():
    user = make_user("lily_chen")
    c = Client()
    c.force_login(user)
    r = c.post("/accounts/pin/", {"pin": PIN, "pin_confirm": "000000"})
    assert r.status_code == 400 and "The two PINs do not match." in r.content.decode()
    assert c.post("/accounts/pin/", {"pin": "123456", "pin_confirm": "123456"}).status_code == 400
    assert c.post("/accounts/pin/", {"pin": PIN, "pin_confirm": PIN}).status_code == 302
    html = c.get("/accounts/pin/").content.decode()
    assert "Change payment PIN" in html and 'name="password"' in html
    assert c.post("/accounts/pin/", {"pin": "147036", "pin_confirm": "147036"}).status_code == 400
    assert (
        c.post("/accounts/pin/", {"pin": "147036", "pin_confirm": "147036", "password": PASSWORD}).status_code
        == 302
    )


def test_tokens_page_shows_a_new_token_once_and_revokes():
    user = make_user("lily_chen")
    c = Client()
    c.force_login(user)
    html = c.post("/accounts/tokens/", {"name": "my script"}).content.decode()
    token = ApiToken.objects.get(user=user)
    assert f"lc_{token.prefix}_" in html
    assert (
        Client()
        .get(
            "/api/v1/me",
            HTTP_AUTHORIZATION="Bearer " + html.split('data-testid="new-token">')[1].split("<")[0],
        )
        .status_code
        == 200
    )
    listing = c.get("/accounts/tokens/").content.decode()
    assert "my script" in listing and 'data-testid="new-token"' not in listing
    c.post("/accounts/tokens/", {"action": "revoke", "token_id": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_profile_page_uploads_an_avatar_and_shows_it():
    user = make_user("lily_chen")
    c = Client()
    c.force_login(user)
    img = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(img, format="JPEG")
    img.seek(0)
    img.name = "me.jpg"
    assert c.post("/accounts/profile/", {"action": "avatar", "avatar": img}).status_code == 302
    user.refresh_from_db()
    assert user.avatar_thumb.url in c.get("/").content.decode()
    assert c.get(user.avatar.url).status_code == 200
    bad = io.BytesIO(b"GIF89a....")
    bad.name = "x.gif"
    assert c.post("/accounts/profile/", {"action": "avatar", "avatar": bad}).status_code == 400


def test_unknown_section_is_404():
    c = Client()
    c.force_login(make_user("lily_chen"))
    assert c.get("/s/nothing/").status_code == 404


@pytest.mark.parametrize(
    ("lang", "text"),
    [("zh-hans", "密码太短，至少需要 8 个字符。"), ("zh-hant", "密碼太短，至少需要 8 個字元。")],
)
def test_djangos_password_messages_are_translated(lang, text):
    r = Client().post(
        "/accounts/signup/", {"identifier": "lily_chen", "password": "short"}, HTTP_ACCEPT_LANGUAGE=lang
    )
    assert text in r.content.decode()
