import sys

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.template import loader
from django.urls import include, path
from django.views.defaults import page_not_found, server_error
from django.views.generic import RedirectView

from basewatch.api.errors import (
    DATABASE_DOWN,
    database_unavailable,
    json_bad_request,
    json_not_found,
    json_server_error,
    upload_limit_mb,
)
from basewatch.front.accounts import ThrottledLoginView

urlpatterns = [
    # One login page for the site and the admin, so failures are throttled in one place.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("basewatch.api.urls")),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    # Not the password-reset pages: basewatch sends no mail; an admin resets passwords
    # (manage.py adduser), so no page can be made to mail a reset link.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("basewatch.front.urls")),
]


def handler400(request, exception):
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad Host: refused before any view.
    if request.path.startswith("/api/"):
        return json_bad_request(request, exception)
    too_large = isinstance(exception, RequestDataTooBig)
    context = {"too_large": too_large, "limit_mb": upload_limit_mb()}
    # Without the request: a refused request may not have been through the middleware.
    return HttpResponse(loader.render_to_string("400.html", context), status=413 if too_large else 400)


def handler404(request, exception):
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return page_not_found(request, exception)


def handler500(request):
    # Called while the exception is handled: an unreachable database is a 503, not a bug.
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return database_unavailable(request)
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return server_error(request)
