from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksPlanConfig(AppConfig):
    name = "tasks_plan"
    verbose_name = _("Task plan")
    default_auto_field = "django.db.models.BigAutoField"
