"""basewatch's URLs plus what the benchmark compares it with: the SQL limit, the naive path, OFFSET pages."""

from django.urls import include, path

from bench import naive, offset, sql_limit

urlpatterns = [
    path("bench/sql/sites/", sql_limit.sites),
    path("bench/sql/claims/sites/", sql_limit.sites_from_claims),
    path("bench/sql/sites/<slug:slug>/timeseries/", sql_limit.timeseries),
    path("bench/sql/observations/", sql_limit.observations),
    path("bench/naive/sites/", naive.sites),
    path("bench/offset/observations/", offset.observations),
    path("", include("basewatch.urls")),
]
