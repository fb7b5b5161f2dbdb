from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "basewatch.core"
    verbose_name = "basewatch data"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from basewatch.core import archiving, events
        from basewatch.core.models import Source
        from basewatch.core.roles import ensure_role_groups

        events.connect()
        # Every face saves sources through the ORM, so archiving on save is one rule for all.
        post_save.connect(archiving.source_saved, sender=Source, dispatch_uid="basewatch.core.archiving.source_saved")

        post_migrate.connect(ensure_role_groups, sender=self)
