"""What the import commands take from the command line: the editor they write as, and the file."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from basewatch.core import claims
from basewatch.core.roles import can_edit


def writer_named(username: str | None, only_editors: str):
    """The editor `username` (the system when none is named); `only_editors` says what only editors do."""
    if not username:
        return claims.SYSTEM
    found = get_user_model().objects.filter(username=username).first()
    if found is None:
        raise CommandError(f"No user {username!r}.")
    if not can_edit(found):
        raise CommandError(f"{username} is not an editor: only editors {only_editors}.")
    return found


def read_at_most(path: Path, limit: int, limit_of: str, refused: type[Exception]) -> bytes:
    """The file's bytes, or `refused(message)` when it is over `limit` ("the limit for `limit_of`")
    or cannot be read. A file over the limit is refused before it is read, and one that grew past
    it since is cut off at one byte over and refused too: never read whole."""
    too_big = f"The file is larger than {limit:,} bytes, the limit for {limit_of}."
    try:
        if path.stat().st_size > limit:
            raise refused(too_big)
        with path.open("rb") as file:
            content = file.read(limit + 1)
    except OSError as error:
        raise refused(f"The file cannot be read: {error.strerror}.") from None
    if len(content) > limit:
        raise refused(too_big)
    return content
