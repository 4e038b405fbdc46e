from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("perfil/", views.profile, name="profile"),
    # allauth's confirmation link (its name, account_confirm_email, reverses to this same
    # path), answered by the subclass that keeps `next` across browsers.
    path("confirm-email/<str:key>/", views.confirm_email),
]
