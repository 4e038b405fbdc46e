from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("perfil/", views.profile, name="profile"),
]
