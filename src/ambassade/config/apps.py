from django.apps import AppConfig


class AmbassadeConfig(AppConfig):
    """Holds the product-wide management commands (demo, serve, worker, createadmin)."""

    name = "ambassade.config"
    label = "ambassade"
    verbose_name = "Ambassade"
