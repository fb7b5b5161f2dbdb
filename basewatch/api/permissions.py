"""Who may do what through the API (roles: basewatch.core.roles)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from basewatch.core.roles import can_edit, can_review


class EditorsWrite(BasePermission):
    """Anyone reads; editors (and the roles above them) write."""

    message = "Writing needs an editor's token or session."

    def has_permission(self, request, view) -> bool:
        if not answers(view, request.method):
            return True  # the view answers 405, whoever asks
        return request.method in SAFE_METHODS or can_edit(request.user)


class ReviewersOnly(BasePermission):
    message = "Only reviewers may do this."

    def has_permission(self, request, view) -> bool:
        return not answers(view, request.method) or can_review(request.user)


def answers(view, method: str) -> bool:
    """Whether the view handles `method` (otherwise it answers 405, before any permission check)."""
    name = method.lower()
    return name in view.http_method_names and hasattr(view, name)
