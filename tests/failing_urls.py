"""basewatch's URLs plus pages whose database query fails, to see what a 500 shows."""

from django.db import connection
from django.urls import path

from basewatch.urls import handler400, handler404, handler500
from basewatch.urls import urlpatterns as basewatch_urls

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]


def failing_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_column FROM no_such_table")


urlpatterns = [
    path("failing/", failing_query),
    path("api/v1/failing/", failing_query),
    *basewatch_urls,
]
