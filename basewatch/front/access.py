"""Who may open which editor page."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.views.decorators.cache import never_cache

from basewatch.core.roles import has_role


def role_required(role: str):
    """Anonymous users go to the login page; users without `role` (or a higher one) get 403.

    Editor pages show unpublished work and forms, so browsers and proxies must not keep them.
    """

    def decorator(view):
        @wraps(view)
        @never_cache
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
