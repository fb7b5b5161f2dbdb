from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "basewatch.api"
    verbose_name = "basewatch REST API"

    def ready(self) -> None:
        from basewatch.api import schema  # noqa: F401  (registers OpenAPI extensions)
