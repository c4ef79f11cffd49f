import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from lifecircle.accounts import services
from lifecircle.accounts.models import LoginFailure, User
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_sign_up_with_a_mobile_number_gets_a_generated_username():
    user = services.user_sign_up(identifier="+86 139 0000 1111", password=PASSWORD)
    assert user.mobile == "13900001111"
    assert user.username.startswith("lc_")
    assert user.password.startswith("argon2")


def test_sign_up_with_a_username():
    user = services.user_sign_up(identifier="lily_chen", password=PASSWORD, nickname="Lily")
    assert (user.username, user.mobile, str(user)) == ("lily_chen", None, "Lily")


def test_the_same_mobile_or_username_cannot_sign_up_twice():
    services.user_sign_up(identifier="13900001111", password=PASSWORD)
    services.user_sign_up(identifier="lily_chen", password=PASSWORD)
    raises_code("identifier_taken", services.user_sign_up, identifier="139 0000 1111", password=PASSWORD)
    raises_code("identifier_taken", services.user_sign_up, identifier="LILY_chen", password=PASSWORD)
    assert User.objects.count() == 2


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "lily_chen1"])
def test_weak_passwords_are_refused(password):
    err = raises_code("password_weak", services.user_sign_up, identifier="lily_chen", password=password)
    assert "password" in err.fields
    assert not User.objects.exists()


def test_sign_in_by_username_or_mobile():
    user = make_user(mobile="13900001111")
    assert services.user_authenticate(identifier="139-0000-1111", password=PASSWORD, ip="10.0.0.1") == user
    assert services.user_authenticate(identifier=user.username.upper(), password=PASSWORD, ip=None) == user
    raises_code(
        "login_invalid", services.user_authenticate, identifier="13900001111", password="nope", ip=None
    )
    raises_code(
        "login_invalid", services.user_authenticate, identifier="13900002222", password=PASSWORD, ip=None
    )


def _fail(identifier, ip, times):
    for _ in range(times):
        raises_code(
            "login_invalid", services.user_authenticate, identifier=identifier, password="wrong", ip=ip
        )


def test_ten_failures_for_an_account_lock_it_even_from_new_addresses_and_with_the_right_password():
    user = make_user("lily_chen")
    for i in range(10):
        _fail("lily_chen", f"10.0.0.{i}", 1)
    err = raises_code(
        "login_throttled",
        services.user_authenticate,
        identifier="lily_chen",
        password=PASSWORD,
        ip="10.9.9.9",
    )
    assert err.status == 429
    assert 0 < err.extra["retry_after"] <= 15 * 60
    assert "15 minutes" in str(err.message)
    # A different account from a different address is not affected.
    other = make_user("bob_wong")
    assert services.user_authenticate(identifier="bob_wong", password=PASSWORD, ip="10.8.8.8") == other
    assert user.pk


def test_ten_failures_from_one_address_block_that_address_for_every_account():
    make_user("lily_chen")
    for i in range(10):
        _fail(f"someone{i}", "10.0.0.1", 1)
    raises_code(
        "login_throttled",
        services.user_authenticate,
        identifier="lily_chen",
        password=PASSWORD,
        ip="10.0.0.1",
    )
    assert services.user_authenticate(identifier="lily_chen", password=PASSWORD, ip="10.0.0.2")


def test_the_lock_lifts_when_the_window_passes():
    user = make_user("lily_chen")
    _fail("lily_chen", "10.0.0.1", 10)
    LoginFailure.objects.update(created_at=timezone.now() - dt.timedelta(minutes=15, seconds=1))
    assert services.user_authenticate(identifier="lily_chen", password=PASSWORD, ip="10.0.0.1") == user


def test_nine_failures_then_success_clears_the_account_count():
    user = make_user("lily_chen")
    _fail("lily_chen", None, 9)
    assert services.user_authenticate(identifier="lily_chen", password=PASSWORD, ip=None) == user
    _fail("lily_chen", None, 9)
    assert services.user_authenticate(identifier="lily_chen", password=PASSWORD, ip=None) == user


def test_profile_update_and_bad_language():
    user = make_user("lily_chen")
    services.profile_update(user=user, nickname=" 小明 ", language="zh-hant")
    user.refresh_from_db()
    assert (user.nickname, user.language) == ("小明", "zh-hant")
    raises_code("language_invalid", services.profile_update, user=user, language="fr")
    raises_code("nickname_too_long", services.profile_update, user=user, nickname="x" * 41)


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (1200, 800), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (39.0, 54.0, 27.0)}  # GPS latitude
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_avatar_is_re_encoded_without_exif_and_gets_a_thumbnail():
    user = make_user("lily_chen")
    data = _jpeg_with_exif()
    assert b"SecretCam" in data
    services.avatar_set(user=user, data=data)
    user.refresh_from_db()
    stored = user.avatar.read()
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert max(img.size) == 512
        assert not img.getexif()
    with Image.open(user.avatar_thumb) as thumb:
        assert thumb.size == (96, 96)


def test_replacing_an_avatar_deletes_the_old_files(django_capture_on_commit_callbacks):
    user = make_user("lily_chen")
    with django_capture_on_commit_callbacks(execute=True):
        services.avatar_set(user=user, data=_jpeg_with_exif())
    first = user.avatar.name
    storage = user.avatar.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.avatar_set(user=user, data=_jpeg_with_exif())
    assert not storage.exists(first)
    assert storage.exists(user.avatar.name)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "image_empty"),
        (b"%PDF-1.4 not an image", "image_invalid"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image_invalid"),
        (b"GIF89a" + b"\x00" * 100, "image_invalid"),
    ],
)
def test_non_images_are_refused(data, code):
    user = make_user("lily_chen")
    raises_code(code, services.avatar_set, user=user, data=data)
    user.refresh_from_db()
    assert not user.avatar


def test_oversize_avatar_is_refused(settings):
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "AVATAR_MAX_BYTES": 1000}
    user = make_user("lily_chen")
    raises_code("image_too_large", services.avatar_set, user=user, data=_jpeg_with_exif())


def test_password_change_needs_the_current_password():
    user = make_user("lily_chen")
    raises_code(
        "password_incorrect",
        services.password_change,
        user=user,
        old_password="x",
        new_password="another-long-pass-99",
    )
    services.password_change(user=user, old_password=PASSWORD, new_password="another-long-pass-99")
    assert services.user_authenticate(identifier="lily_chen", password="another-long-pass-99", ip=None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_guesses_check_at_most_ten_passwords():
    from lifecircle.core.testing.concurrency import run_threads

    make_user("lily_chen")
    results = run_threads(
        30,
        lambda i: services.user_authenticate(identifier="lily_chen", password=f"guess-{i}", ip=f"10.1.0.{i}"),
    )
    codes = sorted(r.code for r in results)
    assert codes.count("login_invalid") <= 10 and codes.count("login_throttled") >= 20, codes
    assert len(codes) == 30


def test_re_checking_the_password_to_change_it_or_the_pin_is_throttled_too():
    from lifecircle.accounts.models import ApiToken

    user = make_user("lily_chen", pin="258036")
    for _ in range(5):
        raises_code(
            "password_incorrect",
            services.password_change,
            user=user,
            old_password="x",
            new_password="another-long-pass-99",
        )
        raises_code("password_incorrect", services.pin_set, user=user, pin="147036", password="x")
    raises_code("login_throttled", services.pin_set, user=user, pin="147036", password=PASSWORD)
    raises_code(
        "login_throttled", services.user_authenticate, identifier="lily_chen", password=PASSWORD, ip=None
    )
    assert ApiToken.objects.count() == 0


def test_changing_the_password_revokes_api_tokens():
    from lifecircle.accounts.models import ApiToken

    user = make_user("lily_chen")
    _token, raw = services.api_token_create(user=user, name="phone")
    assert services.api_token_authenticate(raw) == user
    services.password_change(user=user, old_password=PASSWORD, new_password="another-long-pass-99")
    assert services.api_token_authenticate(raw) is None
    assert ApiToken.objects.get().revoked_at is not None
