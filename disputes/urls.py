from django.urls import path

from disputes.views import export as export_views
from disputes.views import lists as list_views
from disputes.views import queue as queue_views

app_name = "disputes"

# Each view module adds its own block below; keep blocks separate.
urlpatterns = []

# Lists, queue and export.
urlpatterns += [
    path("", list_views.DisputeListView.as_view(), name="list"),
    path("queue/", queue_views.QueueView.as_view(), name="queue"),
    path("export.xlsx", export_views.ExportView.as_view(), name="export"),
]
