"""Create or update a user with one role.

    BASEWATCH_PASSWORD=… manage.py adduser ana --role editor

The password comes from BASEWATCH_PASSWORD or, when that is unset, a prompt.
An existing user keeps their password unless a new one is given.
"""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from basewatch.core.roles import ADMIN, ROLES, ensure_role_groups


class Command(BaseCommand):
    help = "Create or update a user holding one role (viewer, editor, reviewer, admin)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--email", default=None)

    def handle(self, *args, username: str, role: str, email: str | None, **options) -> None:
        User = get_user_model()
        existing = User.objects.filter(username=username).first()
        password = os.environ.get("BASEWATCH_PASSWORD") or (None if existing else self.prompt())
        user = existing or User(username=username)
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            user.set_password(password)
        if email is not None:
            user.email = email
        # Editors and above use the admin for their API tokens; admins manage everything.
        user.is_staff = role != "viewer"
        user.is_superuser = role == ADMIN
        user.is_active = True
        with transaction.atomic():
            user.save()
            ensure_role_groups()
            user.groups.remove(*Group.objects.filter(name__in=ROLES))
            user.groups.add(Group.objects.get(name=role))
        verb = "Updated" if existing else "Created"
        self.stdout.write(f"{verb} {username} with the role {role}.")

    def prompt(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        if not password:
            raise CommandError("A new user needs a password (or set BASEWATCH_PASSWORD).")
        return password
