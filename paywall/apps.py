from django.apps import AppConfig


class PaywallConfig(AppConfig):
    name = "paywall"
    verbose_name = "Subscriptions and paywall"

    def ready(self):
        from paywall import readers

        readers.connect()
