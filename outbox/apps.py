from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outgoing email"

    def ready(self):
        from anymail.signals import tracking

        from outbox import bounces, checks  # noqa: F401  (checks registers the system checks)

        tracking.connect(bounces.record, dispatch_uid="outbox.bounces")
