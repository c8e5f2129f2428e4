from django.urls import path  # noqa: F401 - each view block below adds its paths

app_name = "tasks_plan"

# Each view module adds its own block below; keep blocks separate.
urlpatterns = []
