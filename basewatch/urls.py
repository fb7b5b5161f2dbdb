from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from basewatch import error_pages
from basewatch.front.accounts import ThrottledLoginView

urlpatterns = [
    # One login page for the site and the admin, so failures are throttled in one place.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("basewatch.api.urls")),
    path("ogc/", include("basewatch.ogc.urls")),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    # Not the password-reset pages: basewatch sends no mail; an admin resets passwords
    # (manage.py adduser), so no page can be made to mail a reset link.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("basewatch.front.urls")),
]


handler400 = error_pages.bad_request
handler404 = error_pages.not_found
handler500 = error_pages.server_failure
