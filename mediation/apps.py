from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Mediation organizations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mediation import signals

        post_migrate.connect(signals.roles_after_migrate, dispatch_uid="mediation.sync_roles")
