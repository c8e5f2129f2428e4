"""The project's URLs plus one page that renders the layout alone (templates/base.html, no content of its own):
what every page of the platform pays before its own work — the session, the user and their memberships, the
navigation, the unread count and the base template. bench/pages.py measures it as its reference row."""

from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("bench/layout/", TemplateView.as_view(template_name="base.html")),
    path("", include("dadukou.urls")),
]
