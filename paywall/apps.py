from django.apps import AppConfig


class PaywallConfig(AppConfig):
    name = "paywall"
    verbose_name = "Subscriptions and paywall"

    def ready(self):
        from caching.pages import personal_query_parameter
        from paywall import gifts, readers

        readers.connect()
        # A visitor holding a gift link is someone to the paywall: never a shared anonymous page.
        personal_query_parameter(gifts.QUERY_PARAMETER)
