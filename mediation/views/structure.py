from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from mediation.choices import RegionLevel
from mediation.models import Region, Unit


class StructureView(PermissionRequiredMixin, TemplateView):
    """The regions and units the user can see, as an indented tree."""

    permission_required = "mediation.view_region"
    template_name = "mediation/structure.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        regions = Region.objects.visible_to(user).filter(level__lte=RegionLevel.GRID).order_by("code")
        units = Unit.objects.visible_to(user).select_related("region").order_by("kind", "name")
        return super().get_context_data(regions=regions, units=units, **kwargs)
