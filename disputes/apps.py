from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the dispute indicators in the one indicator registry (mediation.indicators).
        from disputes import indicators, signals  # noqa: F401
