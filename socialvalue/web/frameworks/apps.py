from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "socialvalue.web.frameworks"
    label = "frameworks"
    verbose_name = "Social value frameworks"
