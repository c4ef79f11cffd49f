"""A new person in a real browser (Debian's Chromium, phone-sized): signs up, verifies their
real name, sets a payment PIN and switches through the three languages."""

import os
from pathlib import Path

import pytest

from lifecircle.core.testing.factories import resident_id
from lifecircle.core.testing.servers import asgi_server, database_url_for_subprocess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[1] / "test-results"


@pytest.fixture
def page(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    with asgi_server(database_url_for_subprocess(tmp_path)) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=base,
            viewport={"width": 375, "height": 812},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="en-US",
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()
        browser.close()


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_sign_up_verify_set_pin_and_switch_languages(page):
    SHOTS.mkdir(exist_ok=True)
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Mobile number or username").fill("139 0000 1234")
    page.get_by_label("Nickname").fill("Lily")
    page.get_by_label("Password").fill("a-long-browser-password-7")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_text("Welcome to LifeCircle!").wait_for()
    assert page.get_by_role("heading", name="Hello, Lily").is_visible()
    assert fits_the_phone(page)

    # Real-name verification: a wrong check digit is explained, then the right number works.
    page.get_by_role("link", name="Real-name verification").click()
    number = resident_id(seq=888)
    page.get_by_label("Legal name").fill("欧阳明")
    page.get_by_label("Resident ID number").fill(number[:17] + ("0" if number[17] != "0" else "1"))
    page.get_by_role("button", name="Verify").click()
    page.get_by_text("check digit does not match").wait_for()
    page.get_by_label("Resident ID number").fill(number)
    page.get_by_role("button", name="Verify").click()
    page.get_by_text("Your real name is verified.").wait_for()
    body = page.inner_text("main")
    assert number not in body and f"**************{number[-4:]}" in body and "**明" in body

    # Payment PIN: a trivial one is refused, a good one is saved.
    page.goto("/accounts/pin/")
    page.get_by_label("New PIN").fill("123456")
    page.get_by_label("Repeat the PIN").fill("123456")
    page.get_by_role("button", name="Save PIN").click()
    page.get_by_text("too easy to guess").first.wait_for()
    page.get_by_label("New PIN").fill("258036")
    page.get_by_label("Repeat the PIN").fill("258036")
    page.get_by_role("button", name="Save PIN").click()
    page.get_by_text("Payment PIN saved.").wait_for()
    assert page.get_by_role("heading", name="Change payment PIN").is_visible()

    # The switcher on every page: 简体中文, then 繁體中文, then back to English.
    page.goto("/")
    page.select_option("#lang-select", "zh-hans")
    page.get_by_role("link", name="实名认证").wait_for()
    assert page.get_by_role("navigation").get_by_role("link", name="钱包", exact=True).is_visible()
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    assert fits_the_phone(page)
    page.screenshot(path=str(SHOTS / "home-zh-hans.png"), full_page=True)

    page.goto("/accounts/pin/")
    page.select_option("#lang-select", "zh-hant")
    page.get_by_role("heading", name="修改支付密碼").wait_for()
    assert page.evaluate("document.documentElement.lang") == "zh-Hant"
    assert fits_the_phone(page)
    page.screenshot(path=str(SHOTS / "pin-zh-hant.png"), full_page=True)

    # The choice is remembered in the profile: a fresh login shows 繁體中文.
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Mobile number or username").fill("13900001234")
    page.get_by_label("Password").fill("a-long-browser-password-7")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="實名認證").wait_for()

    page.select_option("#lang-select", "en")
    page.get_by_role("link", name="Real-name verification").wait_for()
    assert page.get_by_text("Verified", exact=True).is_visible()
    page.screenshot(path=str(SHOTS / "home-en.png"), full_page=True)
    assert os.path.getsize(SHOTS / "home-en.png") > 0
