"""What every page needs to know about the visitor's role (navigation links)."""

from __future__ import annotations

from basewatch.core.roles import can_edit, can_review, can_view_unpublished


def roles(request) -> dict:
    user = request.user
    return {
        "can_edit": can_edit(user),
        "can_review": can_review(user),
        "can_view_unpublished": can_view_unpublished(user),
    }
