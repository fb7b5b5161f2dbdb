"""Issue, list and revoke API tokens.

    manage.py api_token create USERNAME [--name "QGIS on laptop"]   prints the key, once
    manage.py api_token list [USERNAME]
    manage.py api_token revoke TOKEN_ID

Rotation: create a new token, switch the client to it, revoke the old one.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from basewatch.core.models import ApiToken
from basewatch.core.roles import can_edit


class Command(BaseCommand):
    help = "Issue, list and revoke API tokens (keys are stored hashed and shown once)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token and print its key.")
        create.add_argument("username")
        create.add_argument("--name", default="API token", help="What the token is for.")
        listing = actions.add_parser("list", help="List tokens (of one user).")
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def _user(self, username: str):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None

    def handle_create(self, username: str, name: str, **options) -> None:
        user = self._user(username)
        token, key = ApiToken.issue(user, name)
        if not can_edit(user):
            self.stderr.write(f"Note: {username} has no editor role, so the token can only read.")
        self.stdout.write(f"Token {token.pk} for {username} ({name}). The key is shown once; store it now:")
        self.stdout.write(key)

    def handle_list(self, username: str | None = None, **options) -> None:
        tokens = ApiToken.objects.select_related("user")
        if username:
            tokens = tokens.filter(user=self._user(username))
        for token in tokens:
            state = f"revoked {token.revoked:%Y-%m-%d}" if token.revoked else "active"
            used = f"last used {token.last_used:%Y-%m-%d %H:%M}" if token.last_used else "never used"
            self.stdout.write(f"{token.pk}\t{token.user.username}\t{token.key_prefix}…\t{token.name}\t{state}\t{used}")

    def handle_revoke(self, token_id: int, **options) -> None:
        token = ApiToken.objects.filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"No token {token_id}.")
        token.revoke()
        self.stdout.write(f"Token {token_id} ({token.key_prefix}…) revoked.")
