from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"

    def ready(self):
        # Tasks are enqueued by name from other apps; every process must know them.
        from . import tasks  # noqa: F401
