from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self):
        from billing import checks  # noqa: F401  (registers the deployment checks)
        from billing.models import SingleIssuePrice
        from magazine import changes

        changes.connect(SingleIssuePrice)  # an issue's page offers its edition at this price
