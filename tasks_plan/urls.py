from django.urls import path

from tasks_plan.views import my_tasks, progress

app_name = "tasks_plan"

# Each view module adds its own block below; keep blocks separate.
urlpatterns = []

# Progress reports, their review, evidence downloads and a unit's own page (tasks_plan/views/progress.py,
# tasks_plan/views/my_tasks.py).
urlpatterns += [
    path("my/", my_tasks.MyTasksView.as_view(), name="my_tasks"),
    path("responsibilities/<int:pk>/", progress.ResponsibilityView.as_view(), name="responsibility"),
    path("reports/", progress.ReviewQueueView.as_view(), name="review_queue"),
    path("reports/<int:pk>/review/", progress.ReviewReportView.as_view(), name="review"),
    path(
        "reports/<int:report_pk>/files/<int:pk>/",
        progress.EvidenceDownloadView.as_view(),
        name="evidence",
    ),
]
