"""Admin menu "Encuestas" for the staff of a zone (and the city-wide team)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_survey_urls():
    return [
        path(
            "encuestas/",
            include((admin_views.urlpatterns, "surveys_admin"), namespace="surveys_admin"),
        )
    ]


class SurveysItem(MenuItem):
    def is_shown(self, request):
        zones, city = admin_views.managed_zones(request.user)
        return bool(zones or city)


@hooks.register("register_admin_menu_item")
def register_survey_menu():
    return SurveysItem(
        gettext_lazy("Surveys"), reverse("surveys_admin:index"), icon_name="list-ul", order=272
    )
