from django.urls import include, path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("eliminar/", include("privacy.urls_deletion")),
    path("consentimiento/", include("privacy.urls_consent")),
]
