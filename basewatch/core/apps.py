from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "basewatch.core"
    verbose_name = "basewatch data"

    def ready(self) -> None:
        from basewatch.core import events
        from basewatch.core.roles import ensure_role_groups

        events.connect()

        post_migrate.connect(ensure_role_groups, sender=self)
