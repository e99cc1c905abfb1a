from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "socialvalue.web.suppliers"
    label = "suppliers"
    verbose_name = "Suppliers"
