from django.urls import path

from tasks_plan.views import matrix, meetings, my_tasks, progress, tasks

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

# The matrix, its export, a task's page and the joint meetings (tasks_plan/views/matrix.py, tasks.py, meetings.py).
urlpatterns += [
    path("", matrix.MatrixView.as_view(), name="matrix"),
    path("matrix.xlsx", matrix.MatrixExportView.as_view(), name="matrix_export"),
    path("tasks/<int:pk>/", tasks.TaskDetailView.as_view(), name="task"),
    path("meetings/", meetings.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", meetings.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", meetings.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.MeetingUpdateView.as_view(), name="meeting_update"),
]
