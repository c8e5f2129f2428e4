from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the dispute indicators in the one indicator registry (mediation.indicators), the app's
        # menu entries (mediation.navigation), its sections of the registry pages (mediation.views.sections) and
        # what it keeps in step with the other apps (disputes.signals).
        from disputes import indicators, navigation, signals  # noqa: F401
        from disputes.models import Agreement, Assignment, Event, Supervision
        from disputes.views import registry  # noqa: F401
        from mediation.visibility import scope_through

        # Alerts about these (overdue steps, reminders, a deadline the calendar moved) are seen through their dispute.
        for model in (Assignment, Agreement, Supervision, Event):
            scope_through(model, "dispute")
