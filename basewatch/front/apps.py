from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "basewatch.front"
    verbose_name = "basewatch pages"
