from django.urls import path

from disputes.views import actions as action_views
from disputes.views import alerts as alert_views
from disputes.views import attachments as attachment_views
from disputes.views import calendar as calendar_views
from disputes.views import casefile as casefile_views
from disputes.views import detail as detail_views
from disputes.views import export as export_views
from disputes.views import intake as intake_views
from disputes.views import lists as list_views
from disputes.views import patrols as patrol_views
from disputes.views import queue as queue_views
from disputes.views import reports as report_views

app_name = "disputes"

# Each view module adds its own block below; keep blocks separate.
urlpatterns = []

# Lists, queue and export.
urlpatterns += [
    path("", list_views.DisputeListView.as_view(), name="list"),
    path("queue/", queue_views.QueueView.as_view(), name="queue"),
    path("export.xlsx", export_views.ExportView.as_view(), name="export"),
    path("exports/<int:pk>/", export_views.ExportJobView.as_view(), name="export_job"),
    path("exports/<int:pk>/run/", export_views.ExportJobRunView.as_view(), name="export_job_run"),
    path("exports/<int:pk>/download/", export_views.ExportDownloadView.as_view(), name="export_download"),
]

# Intake, the dispute page, its actions, attachments and the case file.
urlpatterns += [
    path("new/", intake_views.IntakeView.as_view(), name="intake"),
    path("<int:pk>/", detail_views.DisputeDetailView.as_view(), name="detail"),
    path("<int:pk>/action/<str:name>/", action_views.DisputeActionView.as_view(), name="action"),
    path("<int:pk>/attachments/", attachment_views.AttachmentUploadView.as_view(), name="attachment_upload"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        attachment_views.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
    path("<int:pk>/casefile/", casefile_views.CaseFileView.as_view(), name="casefile"),
]

# Patrols (排查): my patrols, one patrol and its report, compliance.
urlpatterns += [
    path("patrols/", patrol_views.PatrolListView.as_view(), name="patrols"),
    path("patrols/compliance/", patrol_views.PatrolComplianceView.as_view(), name="patrol_compliance"),
    path("patrols/<int:pk>/", patrol_views.PatrolDetailView.as_view(), name="patrol"),
]

# Alerts: acknowledging a warning (the notification centre links here).
urlpatterns += [
    path(
        "alerts/<int:pk>/acknowledge/", alert_views.AcknowledgeAlertView.as_view(), name="acknowledge_alert"
    ),
]

# Periodic reports (task 25): the list, one report, its xlsx export.
urlpatterns += [
    path("reports/", report_views.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", report_views.ReportDetailView.as_view(), name="report"),
    path("reports/<int:pk>.xlsx", report_views.ReportExportView.as_view(), name="report_export"),
]

# The holiday calendar (the office enters a year's notice).
urlpatterns += [
    path("calendar/", calendar_views.CalendarNoticeView.as_view(), name="calendar"),
]
