from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class LifeCircleUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A person. Signs in with ``username`` or ``mobile``; people who sign up with a mobile
    number get a generated username (like WeChat IDs) they can keep or change later."""

    username = models.CharField(_("username"), max_length=30, unique=True)
    mobile = models.CharField(_("mobile number"), max_length=11, unique=True, null=True, blank=True)
    nickname = models.CharField(_("nickname"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES, default=""
    )
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    avatar_thumb = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)

    objects = LifeCircleUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.nickname or self.username

    @property
    def is_verified(self) -> bool:
        identity = getattr(self, "identity", None)
        return identity is not None


class RealNameIdentity(models.Model):
    """A verified legal identity. The ID number is stored only encrypted (``id_number_encrypted``)
    plus a keyed fingerprint so one ID verifies one account; ``id_last4`` is all that is shown."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="identity")
    legal_name = models.CharField(max_length=60)
    id_number_encrypted = models.TextField()
    id_fingerprint = models.CharField(max_length=64, unique=True)
    id_last4 = models.CharField(max_length=4)
    verified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("real-name identity")
        verbose_name_plural = _("real-name identities")

    def __str__(self) -> str:
        return f"{self.user_id} ****{self.id_last4}"


class PaymentPin(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="payment_pin")
    pin_hash = models.CharField(max_length=200)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"PIN of user {self.user_id}"


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; ``prefix`` lets a user tell
    their tokens apart in the list. Revoked tokens stay listed, marked revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} (lc_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginFailure(models.Model):
    """One failed sign-in. Counted per account and per client address over a sliding window."""

    account_key = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["account_key", "created_at"]),
            models.Index(fields=["ip", "created_at"], condition=Q(ip__isnull=False), name="loginfail_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.account_key} {self.ip} {self.created_at:%Y-%m-%d %H:%M:%S}"
