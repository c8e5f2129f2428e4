from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the dispute indicators in the one indicator registry (mediation.indicators).
        from disputes import indicators  # noqa: F401
        from disputes.models import Agreement, Assignment, Supervision
        from mediation.visibility import scope_through

        # Alerts about these (overdue steps, reminders) are seen through their dispute.
        for model in (Assignment, Agreement, Supervision):
            scope_through(model, "dispute")
