from django.urls import include, path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("descargar/", views.export_request, name="export_request"),
    path("descargar/<int:pk>/", views.export_download, name="export_download"),
    path("eliminar/", include("privacy.urls_deletion")),
    path("consentimiento/", include("privacy.urls_consent")),
]
