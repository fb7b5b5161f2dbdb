from django.apps import AppConfig


class OgcConfig(AppConfig):
    name = "basewatch.ogc"
    label = "ogc"
    verbose_name = "OGC API - Features"
