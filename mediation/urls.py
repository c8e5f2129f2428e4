from django.urls import path

from mediation.views import (
    excel,
    experts,
    mediators,
    notifications,
    operations,
    organizations,
    overview,
    structure,
    trainings,
)

app_name = "mediation"

urlpatterns = [
    path("structure/", structure.StructureView.as_view(), name="structure"),
    # The registry's pages (issue 4).
    path("registry/", overview.RegistryOverviewView.as_view(), name="registry"),
    path("registry/indicators/<slug:code>/", overview.IndicatorDetailView.as_view(), name="indicator"),
    path(
        "registry/organizations/",
        organizations.OrganizationListView.as_view(),
        name="organization_list",
    ),
    path(
        "registry/organizations/<int:pk>/",
        organizations.OrganizationDetailView.as_view(),
        name="organization_detail",
    ),
    path("registry/mediators/", mediators.MediatorListView.as_view(), name="mediator_list"),
    path("registry/mediators/<int:pk>/", mediators.MediatorDetailView.as_view(), name="mediator_detail"),
    path("registry/experts/", experts.ExpertListView.as_view(), name="expert_list"),
    path("registry/trainings/", trainings.TrainingListView.as_view(), name="training_list"),
    path(
        "registry/trainings/compliance/",
        trainings.TrainingComplianceView.as_view(),
        name="training_compliance",
    ),
    path("registry/trainings/<int:pk>/", trainings.TrainingDetailView.as_view(), name="training_detail"),
    # Excel in and out of the registry (issue 4).
    path("registry/import/", excel.ImportView.as_view(), name="registry_import"),
    path(
        "registry/import/template/<slug:kind>.xlsx",
        excel.ImportTemplateView.as_view(),
        name="registry_import_template",
    ),
    path("registry/import/<int:pk>/", excel.ImportJobView.as_view(), name="registry_import_job"),
    path(
        "registry/import/<int:pk>/run/",
        excel.ImportJobRunView.as_view(),
        name="registry_import_job_run",
    ),
    path("registry/export/<slug:kind>.xlsx", excel.ExportView.as_view(), name="registry_export"),
    # Notifications and operations (issue 6).
    path("notifications/", notifications.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        notifications.MarkReadView.as_view(),
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notifications.MarkAllReadView.as_view(),
        name="notifications_read_all",
    ),
    path("operations/", operations.OperationsView.as_view(), name="operations"),
    path("operations/run/", operations.RunJobView.as_view(), name="operations_run"),
]
