from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "socialvalue.web.spend"
    label = "spend"
    verbose_name = "Spend analysis"
