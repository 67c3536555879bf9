from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and scale fixtures: `seed_demo` and `seed_scale`. Nothing else imports this app."""

    name = "demo"
    verbose_name = "Demo content"
