"""basewatch's URLs plus what the benchmark compares it with: the SQL limit and the naive path."""

from django.urls import include, path

from bench import naive, sql_limit

urlpatterns = [
    path("bench/sql/sites/", sql_limit.sites),
    path("bench/sql/sites/<slug:slug>/timeseries/", sql_limit.timeseries),
    path("bench/naive/sites/", naive.sites),
    path("", include("basewatch.urls")),
]
