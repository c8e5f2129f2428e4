from django.urls import path  # noqa: F401

app_name = "disputes"

# Each view module adds its own block below; keep blocks separate.
urlpatterns = []
