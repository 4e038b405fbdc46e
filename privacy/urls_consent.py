"""/cuenta/mis-datos/consentimiento/: accepting the current privacy policy, withdrawing
consent (names in the "privacy" namespace)."""

from django.urls import path

from . import views_consent

urlpatterns = [
    path("aceptar/", views_consent.consent_accept, name="consent_accept"),
    path("retirar/", views_consent.consent_withdraw, name="consent_withdraw"),
]
