from django.urls import path

from mediation import views

app_name = "mediation"

urlpatterns = [
    path("structure/", views.StructureView.as_view(), name="structure"),
]
