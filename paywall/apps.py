from django.apps import AppConfig


class PaywallConfig(AppConfig):
    name = "paywall"
    verbose_name = "Subscriptions and paywall"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from caching.pages import personal_query_parameter, visitor_cookie
        from paywall import gifts, meter, readers

        readers.connect()
        # Logging in or signing up: the visitor's free articles join the account's.
        user_logged_in.connect(meter.merge, dispatch_uid="paywall-meter-merge")
        # Logging out: they go with the browser again, so a logout is no fresh allowance.
        user_logged_out.connect(meter.carry_out, dispatch_uid="paywall-meter-carry-out")
        # A visitor holding a gift link is someone to the paywall: never a shared anonymous page.
        personal_query_parameter(gifts.QUERY_PARAMETER)
        # A visitor holding a meter is too; a first free article's page is every newcomer's.
        visitor_cookie(meter.COOKIE)
