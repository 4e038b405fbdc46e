"""/cuenta/mis-datos/eliminar/… (included by privacy.urls, namespace "privacy")."""

from django.urls import path

from . import views_deletion as views

urlpatterns = [
    path("", views.deletion_request, name="deletion_request"),
    path("confirmar/<str:token>/", views.deletion_confirm, name="deletion_confirm"),
    path("cancelar/", views.deletion_cancel, name="deletion_cancel"),
]
