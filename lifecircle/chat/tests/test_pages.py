import pytest
from django.test import Client

from lifecircle.chat import services
from lifecircle.chat.models import Message
from lifecircle.core.testing.factories import make_friends, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys_in_tmp(settings, tmp_path):
    settings.BURN_KEY_DIR = tmp_path / "burn-keys"


@pytest.mark.parametrize(
    ("lang", "phrase"), [("en", "Burn after reading"), ("zh-hans", "阅后即焚"), ("zh-hant", "閱後即焚")]
)
def test_chat_pages_in_each_language_with_unread_badges(lang, phrase):
    a, b = make_user("amy_chat"), make_user("ben_chat", language=lang)
    make_friends(a, b)
    conv = services.conversation_direct_open(user=a, other_id=b.pk)
    for i in range(2):
        services.message_send(sender=a, conversation_id=conv.pk, text=f"hello {i}")
    c = Client()
    c.force_login(b)
    inbox = c.get("/chat/").content.decode()
    assert f'data-testid="unread-{conv.pk}">2<' in inbox
    page = c.get(f"/chat/c/{conv.pk}/").content.decode()
    assert phrase in page and "hello 1" in page
    assert f'data-testid="unread-{conv.pk}"' not in c.get("/chat/").content.decode()  # reading clears it


def test_send_from_the_page_and_open_a_burn_message():
    a, b = make_user("amy_chat"), make_user("ben_chat")
    make_friends(a, b)
    ca, cb = Client(), Client()
    ca.force_login(a)
    cb.force_login(b)
    r = ca.post(f"/chat/with/{b.pk}/")
    conv_url = r["Location"]
    ca.post(conv_url + "send/", {"text": "a secret", "burn": "on", "burn_seconds": "5", "client_id": "p1"})
    message = Message.objects.get()
    assert message.burn_seconds == 5 and message.text == ""
    assert "a secret" not in cb.get(conv_url).content.decode()  # not until opened
    opened = cb.post(f"/chat/m/{message.pk}/open/", HTTP_HX_REQUEST="true").content.decode()
    assert "a secret" in opened and "data-countdown" in opened
    assert "a secret" in cb.get(conv_url).content.decode()  # still inside the countdown
    assert "a secret" not in ca.get(conv_url).content.decode()  # never for the sender


def test_strangers_cannot_open_a_chat():
    a, stranger = make_user("amy_chat"), make_user("stranger_x")
    c = Client()
    c.force_login(a)
    r = c.post(f"/chat/with/{stranger.pk}/", follow=True)
    assert "You can only chat with your friends." in r.content.decode()
