import io
import json

import pytest
from django.test import Client
from PIL import Image

from lifecircle.accounts.models import ApiToken, User
from lifecircle.core.testing.asserts import assert_error
from lifecircle.core.testing.factories import PASSWORD, PIN, make_user, resident_id

pytestmark = pytest.mark.django_db


def test_sign_up_returns_a_working_token(api_client):
    r = api_client.post(
        "/api/v1/auth/signup", {"identifier": "13900001111", "password": PASSWORD, "nickname": "Lily"}
    )
    assert r.status_code == 201
    token = r.json()["token"]
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json()["mobile"] == "13900001111"
    assert me.json()["nickname"] == "Lily"


def test_sign_in_for_a_token_and_revoke_it(api_client):
    make_user("lily_chen")
    r = api_client.post(
        "/api/v1/auth/tokens", {"identifier": "lily_chen", "password": PASSWORD, "name": "laptop"}
    )
    assert r.status_code == 201
    created = r.json()
    assert created["token"].startswith(f"lc_{created['prefix']}_")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {created['token']}"}
    c = Client()
    listed = c.get("/api/v1/me/tokens", **auth).json()
    assert [t["name"] for t in listed] == ["laptop"]
    assert "token" not in listed[0]  # the secret is shown once, at creation
    assert c.delete(f"/api/v1/me/tokens/{created['id']}", **auth).status_code == 200
    assert_error(c.get("/api/v1/me", **auth), 401, "not_authenticated")


def test_a_user_cannot_revoke_someone_elses_token(api_client):
    other_token = ApiToken.objects.create(user=make_user("bob_wong"), name="x", prefix="p", token_hash="h")
    api_client.as_user(make_user("lily_chen"))
    assert_error(api_client.delete(f"/api/v1/me/tokens/{other_token.pk}"), 404, "token_not_found")
    other_token.refresh_from_db()
    assert other_token.revoked_at is None


def test_wrong_password_for_a_token_is_throttled_after_ten(api_client):
    make_user("lily_chen")
    for _ in range(10):
        assert_error(
            api_client.post(
                "/api/v1/auth/tokens", {"identifier": "lily_chen", "password": "bad", "name": "x"}
            ),
            400,
            "login_invalid",
        )
    body = assert_error(
        api_client.post(
            "/api/v1/auth/tokens", {"identifier": "lily_chen", "password": PASSWORD, "name": "x"}
        ),
        429,
        "login_throttled",
    )
    assert body["retry_after"] > 0


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "not_authenticated"),
        ({"HTTP_AUTHORIZATION": "Bearer lc_nope_nope"}, "not_authenticated"),
        ({"HTTP_AUTHORIZATION": "Basic abc"}, "not_authenticated"),
    ],
)
def test_missing_or_bad_auth_is_401(headers, code):
    assert_error(Client().get("/api/v1/me", **headers), 401, code)


def test_malformed_json_is_400(api_client):
    api_client.as_user(make_user("lily_chen"))
    assert_error(
        api_client.patch("/api/v1/me", "{not json", content_type="application/json"), 400, "malformed_request"
    )
    assert_error(
        api_client.patch("/api/v1/me", "[1, 2]", content_type="application/json"), 400, "malformed_request"
    )


def test_wrong_types_unknown_and_oversize_fields_name_the_field(api_client):
    api_client.as_user(make_user("lily_chen"))
    body = assert_error(api_client.patch("/api/v1/me", {"nickname": 5}), 422, "invalid_input")
    assert "nickname" in body["fields"]
    body = assert_error(
        api_client.patch("/api/v1/me", {"nickname": "x", "is_staff": True}), 422, "invalid_input"
    )
    assert body["fields"] == {"is_staff": ["Unknown field."]}
    body = assert_error(api_client.patch("/api/v1/me", {"nickname": "x" * 41}), 422, "invalid_input")
    assert "nickname" in body["fields"]
    body = assert_error(api_client.put("/api/v1/me/pin", {}), 422, "invalid_input")
    assert body["fields"] == {"pin": ["This field is required."]}
    assert not User.objects.get(username="lily_chen").nickname


def test_a_request_body_over_the_limit_is_413(api_client, settings):
    api_client.as_user(make_user("lily_chen"))
    big = json.dumps({"nickname": "x" * (3 * 1024 * 1024)})
    assert_error(
        api_client.patch("/api/v1/me", big, content_type="application/json"), 413, "request_too_large"
    )


def test_unknown_api_paths_and_methods_use_the_error_shape(api_client):
    assert_error(Client().get("/api/v1/does-not-exist"), 404, "not_found")
    assert_error(Client().get("/api/nothing"), 404, "not_found")
    api_client.as_user(make_user("lily_chen"))
    assert_error(api_client.delete("/api/v1/me"), 405, "method_not_allowed")


def test_session_auth_needs_csrf_for_writes():
    user = make_user("lily_chen")
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    assert c.get("/api/v1/me").status_code == 200
    r = c.patch("/api/v1/me", {"nickname": "x"}, content_type="application/json")
    assert r.status_code in (401, 403)
    assert r.json()["code"] in {"forbidden", "not_authenticated"}
    c.get("/accounts/profile/")  # sets the CSRF cookie
    r = c.patch(
        "/api/v1/me",
        {"nickname": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=c.cookies["csrftoken"].value,
    )
    assert r.status_code == 200


def test_errors_follow_accept_language_then_the_users_preference(api_client):
    user = make_user("lily_chen")
    api_client.as_user(user)
    r = api_client.put("/api/v1/me/pin", {"pin": "111111"}, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert (
        assert_error(r, 400, "pin_trivial")["message"]
        == "此密码太容易被猜到。请避免重复数字、连续数字和生日。"
    )
    r = api_client.put("/api/v1/me/pin", {"pin": "111111"}, HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert (
        assert_error(r, 400, "pin_trivial")["message"]
        == "此密碼太容易被猜到。請避免重複數字、連續數字和生日。"
    )
    r = api_client.put("/api/v1/me/pin", {"pin": "111111"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "too easy" in assert_error(r, 400, "pin_trivial")["message"]
    # A saved preference wins over the browser's header.
    assert api_client.patch("/api/v1/me", {"language": "zh-hant"}).status_code == 200
    r = api_client.put("/api/v1/me/pin", {"pin": "111111"}, HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(r, 400, "pin_trivial")["message"].startswith("此密碼")
    # Schema errors are localized too.
    body = assert_error(api_client.put("/api/v1/me/pin", {}), 422, "invalid_input")
    assert body["fields"]["pin"] == ["此欄位為必填。"]


def test_identity_api_returns_only_the_last_four_digits(api_client):
    api_client.as_user(make_user("lily_chen"))
    number = resident_id(seq=321)
    r = api_client.post("/api/v1/me/identity", {"legal_name": "张明", "id_number": number})
    assert r.status_code == 201
    assert number not in r.content.decode()
    assert r.json()["identity"]["id_last4"] == number[-4:]
    assert number not in api_client.get("/api/v1/me").content.decode()
    assert_error(
        api_client.post("/api/v1/me/identity", {"legal_name": "张明", "id_number": "123"}),
        400,
        "id_number_invalid",
    )


def test_others_see_a_masked_real_name(api_client):
    lily = make_user("lily_chen", nickname="Lily", verified=True, legal_name="李小明")
    api_client.as_user(make_user("bob_wong"))
    body = api_client.get(f"/api/v1/users/{lily.pk}").json()
    assert (body["nickname"], body["real_name"], body["real_name_masked"]) == ("Lily", "**明", True)
    assert "李小明" not in json.dumps(body, ensure_ascii=False)
    assert_error(api_client.get("/api/v1/users/999999"), 404, "user_not_found")


def test_pin_api_set_then_change_with_password(api_client):
    user = make_user("lily_chen")
    api_client.as_user(user)
    assert api_client.put("/api/v1/me/pin", {"pin": PIN}).status_code == 204
    assert api_client.get("/api/v1/me").json()["pin_set"] is True
    assert_error(api_client.put("/api/v1/me/pin", {"pin": "147036"}), 400, "password_incorrect")
    assert api_client.put("/api/v1/me/pin", {"pin": "147036", "password": PASSWORD}).status_code == 204


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 128, 255, 128)).save(out, format="PNG")
    return out.getvalue()


def test_avatar_upload_via_api(api_client):
    api_client.as_user(make_user("lily_chen"))
    r = Client().post(
        "/api/v1/me/avatar", {"avatar": io.BytesIO(_png())}, HTTP_AUTHORIZATION=f"Bearer {api_client.token}"
    )
    assert r.status_code == 200, r.content
    assert r.json()["avatar_thumb_url"].endswith(".png")
    bad = Client().post(
        "/api/v1/me/avatar",
        {"avatar": io.BytesIO(b"not an image")},
        HTTP_AUTHORIZATION=f"Bearer {api_client.token}",
    )
    assert_error(bad, 400, "image_invalid")


def test_openapi_docs_are_served():
    assert Client().get("/api/docs").status_code == 200
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/me/pin" in schema["paths"]


def test_a_database_that_refuses_connections_is_a_503_to_retry(api_client, monkeypatch):
    from django.db import OperationalError

    from lifecircle.accounts import api as accounts_api

    api_client.as_user(make_user("lily_chen"))

    def overloaded(user):
        raise OperationalError("connection failed: FATAL: sorry, too many clients already")

    monkeypatch.setattr(accounts_api, "me_out", overloaded)
    r = api_client.get("/api/v1/me")
    assert_error(r, 503, "service_busy")
    assert r["Retry-After"] == "1"
