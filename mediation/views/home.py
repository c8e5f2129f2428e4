from django.views.generic import TemplateView

from mediation.models import Membership


class HomeView(TemplateView):
    """The landing page: who the user is, where they stand and in which role."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        memberships = (
            Membership.objects.current()
            .filter(user=self.request.user)
            .select_related("region", "unit__region", "organization__region")
        )
        return super().get_context_data(memberships=memberships, **kwargs)
