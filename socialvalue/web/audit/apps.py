from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "socialvalue.web.audit"
    label = "audit"
    verbose_name = "Audit trail"
