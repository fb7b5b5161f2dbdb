from django.urls import path

from basewatch.front import views

app_name = "front"

urlpatterns = [
    path("", views.index, name="index"),
    path("sites/<slug:slug>/", views.site, name="site"),
    path("observations/", views.observations, name="observations"),
]
