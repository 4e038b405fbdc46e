"""allauth's security routes, each behind the second factor (accounts.views_security).

Included under /cuenta/ before allauth's own URLs, so these paths resolve here first;
`tests/accounts/test_takeover.py` checks that every one of allauth's names still lands on
a wrapped view."""

from django.urls import path

from . import views_security as views

urlpatterns = [
    path("email/", views.secure_email),
    path("password/change/", views.secure_password_change),
    path("password/set/", views.secure_password_set),
    path("2fa/totp/activate/", views.secure_activate_totp),
    path("2fa/totp/deactivate/", views.secure_deactivate_totp),
    path("2fa/recovery-codes/", views.secure_view_recovery_codes),
    path("2fa/recovery-codes/generate/", views.secure_generate_recovery_codes),
    path("2fa/recovery-codes/download/", views.secure_download_recovery_codes),
]
