from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksPlanConfig(AppConfig):
    name = "tasks_plan"
    verbose_name = _("Task plan")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the joint-meeting indicator (task 28) in the one indicator registry (mediation.indicators)
        # and the app's menu entries (mediation.navigation).
        from mediation.visibility import named_in_public
        from tasks_plan import indicators, navigation  # noqa: F401
        from tasks_plan.models import Responsibility

        # An overdue row's alert names its task and unit, which the published plan names anyway.
        named_in_public(Responsibility)
