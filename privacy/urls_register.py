from django.urls import path

from . import views

app_name = "privacy_register"

urlpatterns = [
    path("", views.processing_register, name="register"),
]
