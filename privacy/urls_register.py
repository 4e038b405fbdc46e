from django.urls import path

from . import views_register

app_name = "privacy_register"

urlpatterns = [
    path("", views_register.processing_register, name="register"),
]
