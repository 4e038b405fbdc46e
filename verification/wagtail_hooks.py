"""Verification in the Wagtail admin: a “Verification” menu with the request queue and
the code sheets (zone staff) and the census files (the city-wide team)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from territory.admin_scope import register_scope
from territory.permissions import staff_zones

from . import admin_views, selectors
from .models import CensusBatch, CodeSheet, VerificationRequest

# The audit entries of these objects are read through the same scopes in the site history.
register_scope(CensusBatch, selectors.batches_for)
register_scope(CodeSheet, selectors.sheets_for)
register_scope(VerificationRequest, selectors.requests_for)

urlpatterns = [
    path("solicitudes/", admin_views.requests_index, name="requests"),
    path("solicitudes/<int:pk>/", admin_views.request_detail, name="request"),
    path("codigos/", admin_views.codes_index, name="codes"),
    path("censos/", admin_views.census_index, name="census"),
    path("censos/<int:pk>/retirar/", admin_views.census_withdraw, name="census_withdraw"),
]


@hooks.register("register_admin_urls")
def register_verification_urls():
    return [
        path(
            "verificacion/",
            include((urlpatterns, "verification_admin"), namespace="verification_admin"),
        )
    ]


class ZoneStaffItem(MenuItem):
    def is_shown(self, request):
        return staff_zones(request.user) != []


class CityStaffItem(MenuItem):
    def is_shown(self, request):
        return staff_zones(request.user) is None


class VerificationMenu(SubmenuMenuItem):
    def is_shown(self, request):
        return staff_zones(request.user) != []


@hooks.register("register_admin_menu_item")
def register_verification_menu():
    menu = Menu(
        items=[
            ZoneStaffItem(
                gettext_lazy("Verification requests"),
                reverse("verification_admin:requests"),
                icon_name="user",
                order=10,
            ),
            ZoneStaffItem(
                gettext_lazy("One-time codes"),
                reverse("verification_admin:codes"),
                icon_name="key",
                order=20,
            ),
            CityStaffItem(
                gettext_lazy("Census files"),
                reverse("verification_admin:census"),
                icon_name="table",
                order=30,
            ),
        ]
    )
    return VerificationMenu(gettext_lazy("Verification"), menu, icon_name="tick-inverse", order=255)
