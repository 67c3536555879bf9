from django.apps import AppConfig


class PrintReadersConfig(AppConfig):
    name = "print_readers"
    verbose_name = "Print subscribers"
