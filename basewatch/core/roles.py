"""Roles are Django groups; each role can do everything the ones before it can.

- viewer: sees drafts and other unpublished items
- editor: creates and edits observations, sources, movements, sites, asset types, assets
- reviewer: also publishes, rejects and retracts
- admin: everything, including deleting rows and managing other users' tokens

Superusers count as admins. The groups and their model permissions (used by
the admin) are created after every migrate, so they exist on a fresh database.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group, Permission, User

VIEWER, EDITOR, REVIEWER, ADMIN = "viewer", "editor", "reviewer", "admin"
ROLES = [VIEWER, EDITOR, REVIEWER, ADMIN]

EDITED_MODELS = ["site", "assettype", "asset", "source", "observation", "movement", "evidenceimage"]
_PERMISSIONS = {
    VIEWER: [f"view_{model}" for model in EDITED_MODELS],
    EDITOR: [f"{action}_{model}" for model in EDITED_MODELS for action in ("view", "add", "change")]
    + ["view_apitoken", "add_apitoken", "change_apitoken"],
}
_PERMISSIONS[REVIEWER] = _PERMISSIONS[EDITOR]
_PERMISSIONS[ADMIN] = [
    f"{action}_{model}" for model in [*EDITED_MODELS, "apitoken"] for action in ("view", "add", "change", "delete")
]


def role_of(user: User | AnonymousUser) -> str | None:
    """The user's highest role, or None (anonymous or no group). Cached on the user object."""
    if not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, "_basewatch_role"):
        if user.is_superuser:
            user._basewatch_role = ADMIN
        else:
            names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
            user._basewatch_role = next((role for role in reversed(ROLES) if role in names), None)
    return user._basewatch_role


def has_role(user: User | AnonymousUser, role: str) -> bool:
    """The user holds `role` or a higher one."""
    held = role_of(user)
    return held is not None and ROLES.index(held) >= ROLES.index(role)


def can_view_unpublished(user) -> bool:
    return has_role(user, VIEWER)


def can_edit(user) -> bool:
    return has_role(user, EDITOR)


def can_review(user) -> bool:
    return has_role(user, REVIEWER)


def ensure_role_groups(**kwargs) -> None:
    """Create the role groups with their model permissions (idempotent; runs after migrate)."""
    for role, codenames in _PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(content_type__app_label="core", codename__in=codenames)
        if set(group.permissions.all()) != set(permissions):
            group.permissions.set(permissions)
