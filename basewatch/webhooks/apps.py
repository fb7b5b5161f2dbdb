from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "basewatch.webhooks"
    verbose_name = "webhooks"

    def ready(self) -> None:
        from basewatch.core.events import announced
        from basewatch.webhooks.outbox import enqueue

        announced.connect(enqueue, dispatch_uid="basewatch.webhooks.enqueue")
