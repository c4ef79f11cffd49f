"""``manage.py seed-demo``: a few demo people, one per language. Safe to run again."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from lifecircle.accounts import services
from lifecircle.accounts.models import User
from lifecircle.accounts.validators import id_check_char

DEMO_PASSWORD = "lifecircle-demo"
DEMO_PIN = "258036"
DEMO_USERS = [
    # username, mobile, nickname, language, legal name, region, birth date
    ("demo_en", "13800000001", "Lily", "en", "Lily Chen", "110105", dt.date(1990, 3, 7)),
    ("demo_hans", "13800000002", "小明", "zh-hans", "李明", "310104", dt.date(1988, 11, 21)),
    ("demo_hant", "13800000003", "美玲", "zh-hant", "陳美玲", "440305", dt.date(1995, 6, 2)),
]


def demo_id_number(region: str, born: dt.date, seq: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


class Command(BaseCommand):
    help = "Create the demo users (idempotent) and print how to log in."

    def handle(self, *args, **options):
        created = 0
        for i, (username, mobile, nickname, language, legal, region, born) in enumerate(
            tqdm(DEMO_USERS, desc="demo users", unit="user", disable=options["verbosity"] == 0)
        ):
            with transaction.atomic():
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = User(username=username, mobile=mobile, nickname=nickname, language=language)
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                    created += 1
                if not hasattr(user, "identity"):
                    services.identity_verify(
                        user=user, legal_name=legal, id_number=demo_id_number(region, born, 100 + i)
                    )
                if not services.pin_is_set(user=user):
                    services.pin_set(user=user, pin=DEMO_PIN)
        from lifecircle.live.demo import demo_events_seed

        users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
        demo_events_seed(host=users["demo_en"], viewer=users["demo_hans"])
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready ({created} new users, live events at /live/).")
        )
        self.stdout.write(
            "Log in at http://127.0.0.1:8000/accounts/login/ with any of:\n"
            + "".join(f"  {u[0]:<10} or {u[1]}  ({u[3]})\n" for u in DEMO_USERS)
            + f"password: {DEMO_PASSWORD}   payment PIN: {DEMO_PIN}"
        )
