"""Access: API tokens and the failed logins that slow down guessing."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone

from basewatch.core.querysets import (
    ApiTokenQuerySet,
    LoginFailureQuerySet,
)


class ApiToken(models.Model):
    """A key for the REST API, stored only as its SHA-256 hash.

    The key is shown once, when issued. Keys are 256 random bits, so an unsalted
    hash is enough: it cannot be reversed or guessed. To rotate, issue a new
    token, switch the client to it, then revoke the old one.
    """

    KEY_PREFIX = "bw_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “QGIS on my laptop”.")
    key_prefix = models.CharField(max_length=12, editable=False, help_text="The key's first characters.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, editable=False)
    revoked = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.name})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        """Create a token for `user`; returns it with the key, which is not stored."""
        key = cls.KEY_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_prefix=key[:10], key_hash=cls.hash_key(key))
        return token, key

    def revoke(self) -> None:
        if self.revoked is None:
            self.revoked = timezone.now()
            self.save(update_fields=["revoked"])


class LoginFailure(models.Model):
    """A failed login, kept for a while so repeated guessing can be slowed down."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = LoginFailureQuerySet.as_manager()

    class Meta:
        # Serves LoginFailureQuerySet.recent (the last minutes of one name or address).
        indexes = [
            models.Index(fields=["username", "created"], name="loginfailure_user_idx"),
            models.Index(fields=["address", "created"], name="loginfailure_address_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.created:%Y-%m-%d %H:%M}"
