from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "socialvalue.web.tenders"
    label = "tenders"
    verbose_name = "Tenders"
