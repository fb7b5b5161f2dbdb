from django.contrib import admin
from django.urls import include, path
from django.views.defaults import page_not_found, server_error

from basewatch.api.errors import json_not_found, json_server_error

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("basewatch.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("basewatch.front.urls")),
]


def handler404(request, exception):
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return server_error(request)
