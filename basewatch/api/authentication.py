"""API tokens: `Authorization: Token <key>`, looked up by the key's SHA-256 hash."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled

from basewatch.core import throttling
from basewatch.core.models import ApiToken

# Writing last_used on every request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class HashedTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None
        if len(words) != 2:
            raise AuthenticationFailed("Send the header as `Authorization: Token <key>`.")
        address = throttling.client_address(request)
        if throttling.address_is_throttled(address):
            raise Throttled(wait=throttling.WINDOW.total_seconds(), detail="Too many bad tokens from your address.")
        key = words[1].decode("ascii", errors="replace")
        token = ApiToken.objects.active().select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
        if token is None or not token.user.is_active:
            throttling.record_failure(throttling.API_CLIENT, address)
            raise AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
