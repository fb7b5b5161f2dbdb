"""Writing a site: who may, what it must satisfy, stored over the version the writer read.

Sites are catalogue, not claims: they have no draft or review state. An editor's new site is
on the map at once (DESIGN.md: editors "add sites and asset types"; reviewers publish claims),
and every change is kept in its history. The site form, the API, the admin and spreadsheet
imports all write a site here, so the rule is one: an editor (or a higher role, or the system
running a command), the model's field validators, clean() (longitude/latitude in range, a valid
footprint), the unique slug and the database constraints, then a save over the version read
(basewatch.core.versions). Faces translate the refusals to their own errors: NotAllowed to a
403, ValidationError (by field) to field errors, StaleVersion to 409/412.
"""

from __future__ import annotations

from basewatch.core.claims import SYSTEM, NotAllowed
from basewatch.core.models import Site
from basewatch.core.roles import can_edit
from basewatch.core.versions import save_if_current

REFUSED = "Adding or changing sites needs an editor."


def may_write_sites(user) -> bool:
    """Whether `user` may add sites and change them: editors and the roles above, and the system."""
    return user is SYSTEM or can_edit(user)


def write_site(site: Site, user, *, read_version: int | None = None) -> Site:
    """Validate `site` and store it (a change only over `read_version`); the stored site.

    Raises NotAllowed, django's ValidationError (messages by field), VersionRequired or
    StaleVersion; nothing is stored then.
    """
    if not may_write_sites(user):
        raise NotAllowed({None: REFUSED})
    site.full_clean()
    return save_if_current(site, read_version)
