from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "socialvalue.web.contracts"
    label = "contracts"
    verbose_name = "Contracts"
