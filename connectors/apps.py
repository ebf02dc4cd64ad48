from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "connectors"

    def ready(self):
        # Tasks are enqueued by name from other apps; every process must know them.
        from . import tasks  # noqa: F401
