from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "basewatch.core"
    verbose_name = "basewatch data"
